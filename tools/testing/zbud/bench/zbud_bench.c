// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud_bench - replay compressed-size traces into zbud and the 6.1 zbud
 * and compare the pages they use and the time they take.
 *
 * usage: zbud_bench [--csv] [--reps N] TRACE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "trace.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define DEFAULT_REPS	5

/* Traces the goals ask for a clear density gain on, by name prefix. */
static const char *const fat_traces[] = { "mm-src-text", "usrbin-file" };
#define FAT_GAIN	0.025

struct bench_row {
	const char *trace;
	struct replay_result res[];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zbud_bench [--csv] [--reps N] TRACE...\n"
		"Replays each trace (one compressed size per line, '#' comments)\n"
		"as zswap 6.1 would: every zpage is size + %d bytes; the first\n"
		"half fills the pool, then each size frees a random live zpage\n"
		"and is stored.  Sizes any allocator refuses are skipped for all.\n"
		"  --csv     print trace,allocator,stored,rejected,pages,density,alloc_ns,free_ns\n"
		"            (pairing-bound rows leave rejected and the times empty)\n"
		"  --reps N  timed runs per allocator, median kept (default %d)\n",
		ZSWAP_HEADER_SIZE, DEFAULT_REPS);
}

static double density(const struct replay_result *r)
{
	return r->pages ? (double)r->live / r->pages : 0;
}

static void print_csv(const char *trace, const struct replay_result *r)
{
	printf("%s,%s,%zu,", trace, r->alloc, r->stored);
	if (r->timed)
		printf("%zu,%zu,%.4f,%.1f,%.1f\n", r->rejected, r->pages,
		       density(r), r->alloc_ns, r->free_ns);
	else
		printf(",%zu,%.4f,,\n", r->pages, density(r));
}

static void print_header(void)
{
	printf("%-20s %-14s %8s %8s %8s %8s %9s %9s\n", "trace", "allocator",
	       "stored", "rejected", "pages", "density", "alloc_ns",
	       "free_ns");
}

static void print_row(const char *trace, const struct replay_result *r)
{
	printf("%-20s %-14s %8zu ", trace, r->alloc, r->stored);
	if (r->timed)
		printf("%8zu %8zu %8.4f %9.1f %9.1f\n", r->rejected, r->pages,
		       density(r), r->alloc_ns, r->free_ns);
	else
		printf("%8s %8zu %8.4f %9s %9s\n", "-", r->pages, density(r),
		       "-", "-");
}

static const struct replay_result *find(const struct bench_row *row,
					const char *name)
{
	size_t a;

	for (a = 0; a < bench_nr_allocs; a++)
		if (!strcmp(row->res[a].alloc, name))
			return &row->res[a];
	return NULL;
}

static int is_fat(const char *trace)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fat_traces); i++)
		if (!strncmp(trace, fat_traces[i], strlen(fat_traces[i])))
			return 1;
	return 0;
}

static const char *verdict(int met)
{
	return met ? "met" : "MISSED";
}

/* The goals, printed as information: timings vary run to run. */
static void print_goals(struct bench_row **rows, int n)
{
	const struct replay_result *ours, *old;
	double gain, tr;
	int i;

	printf("\ngoals (information, not pass/fail; time ratios vary between runs):\n");
	for (i = 0; i < n; i++) {
		ours = find(rows[i], "zbud");
		old = find(rows[i], "zbud-6.1");
		if (!ours || !old || !density(old) || !old->total_ns)
			continue;
		gain = density(ours) / density(old) - 1;
		tr = ours->total_ns / old->total_ns;
		printf("  %-20s density %+6.2f%% (>= 0: %s", rows[i]->trace,
		       gain * 100, verdict(gain >= 0));
		if (is_fat(rows[i]->trace))
			printf("; >= +%.1f%%: %s", FAT_GAIN * 100,
			       verdict(gain >= FAT_GAIN));
		printf(")  alloc+free zbud/zbud-6.1 %.3f (<= 1: %s)\n", tr,
		       verdict(tr <= 1));
	}
}

int main(int argc, char **argv)
{
	struct bench_row **rows;
	struct trace *traces;
	unsigned int reps = DEFAULT_REPS;
	int csv = 0, i, j, n;
	size_t a;
	char *end;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--csv")) {
			csv = 1;
		} else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = strtoul(argv[++i], &end, 10);
			if (*end || !reps || reps > 1000) {
				fprintf(stderr, "zbud_bench: --reps wants 1 to 1000\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "zbud_bench: unknown option %s (-h for help)\n",
				argv[i]);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	/* Load every trace first: a bad one fails before any replay. */
	n = argc - i;
	traces = calloc(n, sizeof(*traces));
	rows = calloc(n, sizeof(*rows));
	if (!traces || !rows)
		return 1;
	for (j = 0; j < n; j++)
		if (trace_load(&traces[j], argv[i + j]))
			return 1;
	if (backend_init())
		return 1;
	if (csv)
		printf("trace,allocator,stored,rejected,pages,density,alloc_ns,free_ns\n");
	else
		print_header();
	for (j = 0; j < n; j++) {
		rows[j] = calloc(1, sizeof(*rows[j]) +
				 (bench_nr_allocs + 1) * sizeof(rows[j]->res[0]));
		if (!rows[j] || replay_trace(&traces[j], reps, rows[j]->res))
			return 1;
		if (backend_check())
			return 1;
		rows[j]->trace = traces[j].name;
		for (a = 0; a <= bench_nr_allocs; a++) {
			if (csv)
				print_csv(rows[j]->trace, &rows[j]->res[a]);
			else
				print_row(rows[j]->trace, &rows[j]->res[a]);
		}
		fflush(stdout);
	}
	if (!csv)
		print_goals(rows, n);
	return 0;
}
