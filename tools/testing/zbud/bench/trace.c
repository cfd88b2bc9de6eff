// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trace parser for zbud_bench.  The format is strict on purpose: a typo in
 * a hand-edited trace must not silently become a different workload.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static int push(struct trace *t, size_t *cap, unsigned int size)
{
	unsigned int *p;

	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		p = realloc(t->sizes, *cap * sizeof(*p));
		if (!p)
			return -1;
		t->sizes = p;
	}
	t->sizes[t->n++] = size;
	return 0;
}

/* Blank lines and '#' comments carry no size; returns 1 for those. */
static int skip_line(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '#' || *s == '\n' || *s == '\r' || !*s;
}

/* Accepts optional surrounding blanks around one decimal number. */
static int parse_size(const char *s, unsigned int *size)
{
	unsigned long v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s++ - '0');
		if (v > TRACE_MAX_SIZE)
			return -1;
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s)
		return -1;
	*size = v;
	return 0;
}

static void set_name(struct trace *t, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	t->name = strdup(base);
	if (!t->name)
		return;
	len = strlen(t->name);
	if (len > 4 && !strcmp(t->name + len - 4, ".txt"))
		t->name[len - 4] = '\0';
}

int trace_load(struct trace *t, const char *path)
{
	unsigned long lineno = 0;
	unsigned int size;
	size_t cap = 0, len = 0;
	char *line = NULL;
	FILE *f;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "zbud_bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &len, f) != -1) {
		lineno++;
		if (skip_line(line))
			continue;
		if (parse_size(line, &size)) {
			fprintf(stderr,
				"zbud_bench: %s:%lu: expected one size from 0 to %u, got '%.*s'\n",
				path, lineno, TRACE_MAX_SIZE,
				(int)strcspn(line, "\r\n"), line);
			goto out;
		}
		if (push(t, &cap, size)) {
			fprintf(stderr, "zbud_bench: %s: out of memory\n",
				path);
			goto out;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "zbud_bench: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!t->n) {
		fprintf(stderr, "zbud_bench: %s: no sizes in trace\n", path);
		goto out;
	}
	t->path = strdup(path);
	set_name(t, path);
	if (!t->path || !t->name) {
		fprintf(stderr, "zbud_bench: out of memory\n");
		goto out;
	}
	ret = 0;
out:
	free(line);
	fclose(f);
	if (ret)
		trace_release(t);
	return ret;
}

void trace_release(struct trace *t)
{
	free(t->sizes);
	free(t->path);
	free(t->name);
	memset(t, 0, sizeof(*t));
}
