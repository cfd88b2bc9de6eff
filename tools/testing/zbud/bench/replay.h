/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replays a trace into allocators the way zswap in Linux 6.1 would use
 * them, and collects density and timing.
 */
#ifndef ZBUD_BENCH_REPLAY_H
#define ZBUD_BENCH_REPLAY_H

#include <stddef.h>

#include "trace.h"

/* zswap 6.1 puts an 8-byte zswap_header before the data in evictable pools. */
#define ZSWAP_HEADER_SIZE	8

/* What the bench needs from an allocator; see backend.c. */
struct bench_alloc {
	const char *name;
	void *(*create)(void);
	void (*destroy)(void *pool);
	int (*alloc)(void *pool, size_t size, unsigned long *handle);
	void (*free)(void *pool, unsigned long handle);
	unsigned long (*pages)(void *pool);
};

extern const struct bench_alloc *const bench_allocs[];
extern const size_t bench_nr_allocs;
/* The PAGE_SIZE the allocators were built with. */
extern const unsigned int bench_page_size;

struct replay_result {
	const char *alloc;	/* allocator name */
	size_t stored;		/* zpages stored, fill and churn */
	size_t rejected;	/* trace sizes this allocator refused */
	size_t live;		/* live zpages at the end */
	size_t pages;		/* pool pages at the end */
	double alloc_ns;	/* mean per alloc, clock overhead removed */
	double free_ns;		/* mean per free, clock overhead removed */
	double total_ns;	/* all allocs and frees, timed as one batch */
	int timed;		/* 0 for pairing-bound */
};

/*
 * Replays @t into every allocator in bench_allocs and fills @res with
 * bench_nr_allocs + 1 results, the last being pairing-bound.  @reps runs
 * are made per allocator and the median timings kept.  Returns 0, or -1
 * after printing an error.
 */
int replay_trace(const struct trace *t, unsigned int reps,
		 struct replay_result *res);

#endif /* ZBUD_BENCH_REPLAY_H */
