// SPDX-License-Identifier: GPL-2.0-only
/*
 * The allocators zbud_bench compares, from the harness in ../harness:
 * this series' zbud and the pristine 6.1 zbud, both compiled unmodified,
 * and this series' zbud again with a move callback, compacting as in a
 * kernel (mover.c).  The rows print in this order.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "replay.h"
#include "zalloc.h"

const struct bench_alloc bench_allocs[] = {
	{ "zbud+compact", &zalloc_zbud, 1 },
	{ "zbud", &zalloc_zbud, 0 },
	{ BENCH_BASELINE, &zalloc_zbud61, 0 },
};
const size_t bench_nr_allocs = sizeof(bench_allocs) / sizeof(bench_allocs[0]);
unsigned int bench_page_size;
unsigned int bench_work_every = 1;

int backend_init(void)
{
	size_t a, b;

	/* The default arena reserves address space for 4 GiB of pages. */
	arena_init(0);
	/* Poisoning costs a page-sized memset per page: not zbud's time. */
	arena_set_poison(false);
	if (getenv("BENCH_NO_THP"))
		fprintf(stderr, "zbud_bench: BENCH_NO_THP: arena on 4 KiB pages\n");
	else if (bench_arena_hugepages())
		perror("zbud_bench: madvise(MADV_HUGEPAGE) on the arena");
	for (a = 0; a < bench_nr_allocs; a++) {
		const struct zalloc *z = bench_allocs[a].z;

		/* Once per module, whatever rows share it. */
		for (b = 0; b < a && bench_allocs[b].z != z; b++)
			;
		if (b < a || !z->module_init)
			continue;
		if (z->module_init()) {
			fprintf(stderr, "zbud_bench: %s: module init failed\n",
				z->name);
			return -1;
		}
	}
	/* This series' zbud takes zpages up to exactly PAGE_SIZE. */
	bench_page_size = zalloc_zbud.max_size;
	return 0;
}

/* A warning or bad page means a replay was not what it should be. */
int backend_check(void)
{
	struct shim_events ev;

	shim_events(&ev);
	if (!ev.warnings && !ev.bad_pages && !ev.atomic_sleeps)
		return 0;
	fprintf(stderr, "zbud_bench: the allocators reported %lu warnings, %lu bad pages, %lu sleeps in atomic context; last: %s\n",
		ev.warnings, ev.bad_pages, ev.atomic_sleeps,
		shim_last_report());
	return -1;
}
