/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Compressed-size traces: one decimal size per line, '#' starts a comment
 * line.  Used by zbud_bench.
 */
#ifndef ZBUD_BENCH_TRACE_H
#define ZBUD_BENCH_TRACE_H

#include <stddef.h>

/* Larger sizes are surely a corrupt trace, not a compressor's output. */
#define TRACE_MAX_SIZE	(1U << 20)

struct trace {
	char *path;
	char *name;		/* basename without ".txt", for the tables */
	unsigned int *sizes;	/* compressed sizes, zswap header excluded */
	size_t n;
};

/*
 * Reads @path into @t.  On a bad line or an unreadable file it prints one
 * line naming the file (and line) on stderr and returns -1.
 */
int trace_load(struct trace *t, const char *path);
void trace_release(struct trace *t);

#endif /* ZBUD_BENCH_TRACE_H */
