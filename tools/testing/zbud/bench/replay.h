/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replays a trace into allocators the way zswap in Linux 6.1 would use
 * them, and collects density and timing.
 */
#ifndef ZBUD_BENCH_REPLAY_H
#define ZBUD_BENCH_REPLAY_H

#include <stddef.h>

#include "trace.h"
#include "zalloc.h"

/* zswap 6.1 puts an 8-byte zswap_header before the data in evictable pools. */
#define ZSWAP_HEADER_SIZE	8

/*
 * The allocators to compare, from the harness; see backend.c.  A
 * compacting one is zalloc_zbud created with a move callback (mover.h):
 * its user copies a zpage and repoints its handle when zbud asks, and
 * the work zbud_free() queues runs right after the free, as a kworker
 * would run it, timed as part of the replay.
 */
struct bench_alloc {
	const char *name;
	const struct zalloc *z;
	int compact;
};
extern const struct bench_alloc bench_allocs[];
extern const size_t bench_nr_allocs;
/* The row compaction is measured against; see zbud_bench.c. */
#define BENCH_BASELINE		"zbud-6.1"
/* The PAGE_SIZE the allocators were built with, once backend_init() ran. */
extern unsigned int bench_page_size;
/*
 * The worker runs the queued compaction after every this many frees, and
 * catches up at the end of the churn when above 1; see replay.c.
 */
extern unsigned int bench_work_every;
/* The gfp zswap 6.1 stores with: it may not sleep. */
#define BENCH_GFP		ZALLOC_GFP_NOWAIT

/* Sets up the arena and the allocators' modules; 0 or -1 after an error. */
int backend_init(void);
/* madvise()s the arena to huge pages, as a kernel's direct map; see arena_thp.c */
int bench_arena_hugepages(void);
/* 0 unless the allocators reported warnings or bad pages; prints them. */
int backend_check(void);

struct replay_result {
	const char *alloc;	/* allocator name */
	size_t stored;		/* zpages stored, fill and churn */
	size_t rejected;	/* trace sizes this allocator refused */
	size_t live;		/* live zpages at the end */
	size_t pages;		/* pool pages at the end */
	double alloc_ns;	/* mean per alloc, bracket cost removed */
	double free_ns;		/* mean per free, bracket cost removed */
	double move_ns;		/* per zpage, the queued work run after frees */
	double total_ns;	/* per zpage: alloc, free and that work, batched */
	/*
	 * The timed runs of a rep follow one another on one CPU, so each
	 * rep gives a ratio of this allocator's batch time to
	 * BENCH_BASELINE's: their median and middle 80% (spread.h).
	 */
	double run_mid, run_lo, run_hi;
	unsigned int runs;	/* reps those come from */
	int timed;		/* 0 for pairing-bound */
	int compact;		/* the allocator compacts: counters below */
	/* zbud's counters after one whole replay: fill, churn, teardown */
	unsigned long pages_compacted;
	unsigned long bytes_moved;
	unsigned long move_failures;
	unsigned long works_run;	/* work items the replay ran */
};

/*
 * Replays @t into every allocator in bench_allocs and fills @res with
 * bench_nr_allocs + 1 results, the last being pairing-bound.  At least
 * @reps runs are made per allocator; see replay.c for how they are timed.  Returns 0, or -1
 * after printing an error.
 */
int replay_trace(const struct trace *t, unsigned int reps,
		 struct replay_result *res);

#endif /* ZBUD_BENCH_REPLAY_H */
