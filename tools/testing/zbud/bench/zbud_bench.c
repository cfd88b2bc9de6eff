// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud_bench - replay compressed-size traces into zbud, zbud compacting
 * as a kernel would, and the 6.1 zbud, and compare the pages they use
 * with the fewest any pairing could, and the time they take.
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

/* The compaction goals: density near the bound, time no worse than 6.1. */
#define BOUND_SHARE	0.98
#define COMPACT_ROW	"zbud+compact"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zbud_bench [--csv] [--reps N] [--work-every N] TRACE...\n"
		"Replays each trace (one compressed size per line, '#' comments)\n"
		"as zswap 6.1 would: every zpage is size + %d bytes; the first\n"
		"half fills the pool, then each size frees a random live zpage\n"
		"and is stored.  Sizes any allocator refuses are skipped for all.\n"
		"zbud+compact is zbud with a move callback: the compaction work a\n"
		"free queues runs right after it, timed, as a kworker would run it.\n"
		"Columns: density (live zpages per page after the churn), pages,\n"
		"/bound (density over pairing-bound's), mvB/pg (bytes compaction\n"
		"moved per page it freed), ns/op (alloc + free + compaction per\n"
		"zpage), /6.1 (ns/op over zbud-6.1's), then stored, rejected and\n"
		"the split of ns/op into alloc_ns, free_ns and move_ns.\n"
		"  --csv     print trace,allocator,stored,rejected,pages,density,\n"
		"            alloc_ns,free_ns,move_ns,ns_per_op,ratio_61,\n"
		"            bound_ratio,pages_compacted,bytes_moved,\n"
		"            moved_per_page,move_failures,run_mid,run_lo,run_hi\n"
		"            (pairing-bound rows leave rejected and the times\n"
		"            empty; rows that do not compact leave move_ns and\n"
		"            the four compaction counters empty)\n"
		"  --reps N  timed runs per allocator at least (default %d); per\n"
		"            chunk of calls the fastest run is kept.  Each rep\n"
		"            also gives a ratio to zbud-6.1's time in that rep:\n"
		"            run_mid is their median, run_lo to run_hi the\n"
		"            middle 80%% of them (all below ten reps)\n"
		"  --work-every N\n"
		"            zbud+compact's worker runs after every Nth free\n"
		"            (default 1), and at the end of the churn runs once\n"
		"            more and compacts fully: what batching moves would\n"
		"            save in time and cost in pages\n",
		ZSWAP_HEADER_SIZE, DEFAULT_REPS);
}

static double density(const struct replay_result *r)
{
	return r->pages ? (double)r->live / r->pages : 0;
}

static const struct replay_result *find(const struct bench_row *row,
					const char *name)
{
	size_t a;

	for (a = 0; a <= bench_nr_allocs; a++)
		if (!strcmp(row->res[a].alloc, name))
			return &row->res[a];
	return NULL;
}

/* Density over pairing-bound's: 1 at the bound, lower below it. */
static double bound_ratio(const struct bench_row *row,
			  const struct replay_result *r)
{
	const struct replay_result *pb = &row->res[bench_nr_allocs];

	return density(pb) ? density(r) / density(pb) : 0;
}

/* Time per zpage over the 6.1 zbud's alloc + free, in the same run. */
static double time_ratio(const struct bench_row *row,
			 const struct replay_result *r)
{
	const struct replay_result *old = find(row, BENCH_BASELINE);

	return old && old->total_ns > 0 ? r->total_ns / old->total_ns : 0;
}

static double moved_per_page(const struct replay_result *r)
{
	return r->pages_compacted ?
		(double)r->bytes_moved / r->pages_compacted : 0;
}

static void print_csv(const struct bench_row *row,
		      const struct replay_result *r)
{
	printf("%s,%s,%zu,", row->trace, r->alloc, r->stored);
	if (!r->timed) {
		printf(",%zu,%.4f,,,,,,%.4f,,,,,,,\n", r->pages, density(r),
		       bound_ratio(row, r));
		return;
	}
	printf("%zu,%zu,%.4f,%.1f,%.1f,", r->rejected, r->pages, density(r),
	       r->alloc_ns, r->free_ns);
	if (r->compact)
		printf("%.1f", r->move_ns);
	printf(",%.1f,%.3f,%.4f,", r->total_ns, time_ratio(row, r),
	       bound_ratio(row, r));
	if (r->compact)
		printf("%lu,%lu,%.1f,%lu", r->pages_compacted,
		       r->bytes_moved, moved_per_page(r), r->move_failures);
	else
		printf(",,,");
	printf(",%.3f,%.3f,%.3f\n", r->run_mid, r->run_lo, r->run_hi);
}

static void print_header(unsigned int every)
{
	if (every > 1)
		printf("%s: the worker runs after every %u frees, then catches up at the end of the churn\n",
		       COMPACT_ROW, every);
	printf("%-20s | %-14s | %7s | %8s | %7s | %7s | %7s | %6s | %8s | %8s | %8s | %8s | %8s\n",
	       "trace", "allocator", "density", "pages", "/bound", "mvB/pg",
	       "ns/op", "/6.1", "stored", "rejected", "alloc_ns", "free_ns",
	       "move_ns");
}

static void print_row(const struct bench_row *row,
		      const struct replay_result *r)
{
	printf("%-20s | %-14s | %7.4f | %8zu | %7.4f | ", row->trace,
	       r->alloc, density(r), r->pages, bound_ratio(row, r));
	if (r->compact)
		printf("%7.0f | ", moved_per_page(r));
	else
		printf("%7s | ", "-");
	if (!r->timed) {
		printf("%7s | %6s | %8zu | %8s | %8s | %8s | %8s\n", "-", "-",
		       r->stored, "-", "-", "-", "-");
		return;
	}
	printf("%7.1f | %6.3f | %8zu | %8zu | %8.1f | %8.1f | ",
	       r->total_ns, time_ratio(row, r), r->stored, r->rejected,
	       r->alloc_ns, r->free_ns);
	if (r->compact)
		printf("%8.1f\n", r->move_ns);
	else
		printf("%8s\n", "-");
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

/* To the printed three decimals, so that the verdict reads off the line. */
static long milli(double ratio)
{
	return (long)(ratio * 1000 + 0.5);
}

/*
 * Met or missed in the middle 80% of the reps (replay.h), or either in
 * part of them or with too few reps to tell.
 */
static const char *run_verdict(const struct replay_result *r)
{
	if (r->runs < 3)
		return "inconclusive";
	if (milli(r->run_hi) <= 1000)
		return "met";
	return milli(r->run_lo) > 1000 ? "MISSED" : "inconclusive";
}

/* Prints the time goal's figures and verdicts; returns the per-run one. */
static const char *print_time_goal(const struct replay_result *r,
				   double ratio)
{
	const char *runs = run_verdict(r);

	printf("%.3f (<= 1: %s; per run %.3f, %.3f-%.3f of %u: %s)\n",
	       ratio, verdict(ratio <= 1), r->run_mid, r->run_lo, r->run_hi,
	       r->runs, runs);
	return runs;
}

/* The goals, printed as information: timings vary run to run. */
static void print_goals(struct bench_row **rows, int n)
{
	const struct replay_result *ours, *old, *cmp;
	int dens_met = 0, time_met = 0, traces = 0, runs_met = 0;
	int runs_missed = 0;
	const char *runs;
	double gain, tr, br;
	int i;

	printf("\ngoals (information, not pass/fail; time ratios vary between runs):\n");
	for (i = 0; i < n; i++) {
		ours = find(rows[i], "zbud");
		old = find(rows[i], BENCH_BASELINE);
		if (!ours || !old || !density(old) || !old->total_ns)
			continue;
		gain = density(ours) / density(old) - 1;
		tr = ours->total_ns / old->total_ns;
		printf("  %-20s density %+6.2f%% (>= 0: %s", rows[i]->trace,
		       gain * 100, verdict(gain >= 0));
		if (is_fat(rows[i]->trace))
			printf("; >= +%.1f%%: %s", FAT_GAIN * 100,
			       verdict(gain >= FAT_GAIN));
		printf(")  alloc+free zbud/zbud-6.1 ");
		print_time_goal(ours, tr);
	}
	printf("\ncompaction goals (information, not pass/fail):\n");
	for (i = 0; i < n; i++) {
		cmp = find(rows[i], COMPACT_ROW);
		old = find(rows[i], BENCH_BASELINE);
		if (!cmp || !old || !density(cmp) || !old->total_ns)
			continue;
		br = bound_ratio(rows[i], cmp);
		tr = time_ratio(rows[i], cmp);
		traces++;
		dens_met += br >= BOUND_SHARE;
		time_met += tr <= 1;
		printf("  %-20s density/pairing-bound %.4f (>= %.2f: %s)  alloc+free+move %s/%s alloc+free ",
		       rows[i]->trace, br, BOUND_SHARE,
		       verdict(br >= BOUND_SHARE), COMPACT_ROW,
		       BENCH_BASELINE);
		runs = print_time_goal(cmp, tr);
		runs_met += !strcmp(runs, "met");
		runs_missed += !strcmp(runs, "MISSED");
	}
	printf("  summary: density within %.0f%% of pairing-bound on %d of %d traces (%s); time no slower than %s on %d of %d (%s); per run met on %d, missed on %d, inconclusive on %d\n",
	       (1 - BOUND_SHARE) * 100, dens_met, traces,
	       verdict(dens_met == traces), BENCH_BASELINE, time_met, traces,
	       verdict(time_met == traces), runs_met, runs_missed,
	       traces - runs_met - runs_missed);
}

int main(int argc, char **argv)
{
	struct bench_row **rows;
	struct trace *traces;
	unsigned int reps = DEFAULT_REPS;
	unsigned long every;
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
		} else if (!strcmp(argv[i], "--work-every") && i + 1 < argc) {
			every = strtoul(argv[++i], &end, 10);
			if (*end || !every || every > 1000000) {
				fprintf(stderr, "zbud_bench: --work-every wants 1 to 1000000\n");
				return 2;
			}
			bench_work_every = every;
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
		printf("trace,allocator,stored,rejected,pages,density,alloc_ns,free_ns,move_ns,ns_per_op,ratio_61,bound_ratio,pages_compacted,bytes_moved,moved_per_page,move_failures,run_mid,run_lo,run_hi\n");
	else
		print_header(bench_work_every);
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
				print_csv(rows[j], &rows[j]->res[a]);
			else
				print_row(rows[j], &rows[j]->res[a]);
		}
		fflush(stdout);
	}
	if (!csv)
		print_goals(rows, n);
	return 0;
}
