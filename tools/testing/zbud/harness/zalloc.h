/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zalloc - one interface to every zbud the harness builds
 *
 * zbud_ours.c compiles this series' mm/zbud.c and zbud_61.c the pristine
 * mm/zbud.c of the 6.1 tree in $(KSRC), each unmodified and in a
 * translation unit of its own: 6.1's functions are static and its
 * struct zbud_ops and struct zbud_pool differ from ours.  Each unit
 * exports one struct zalloc, so a test or a benchmark drives both through
 * the same calls:
 *
 *	const struct zalloc *z = &zalloc_zbud61;
 *	void *pool = z->create(my_evict);	// NULL: no reclaim
 *	unsigned long handle;
 *	int err = z->alloc(pool, size, ZALLOC_GFP_KERNEL, &handle);
 *	memcpy(z->map(pool, handle), data, size);
 *	z->unmap(pool, handle);
 *	z->free(pool, handle);
 *	z->destroy(pool);
 *
 * The pool pointer is the allocator's own struct zbud_pool, and it is
 * what the evict callback gets.  Pages come from the harness arena (see
 * harness.h): call arena_init() before the first allocation to size it,
 * and arena_set_poison(false) to skip page poisoning when timing.
 *
 * Reuse from another directory (the benchmark does): include harness.mk,
 * which sets HARNESS_CPPFLAGS and HARNESS_CFLAGS and lists HARNESS_SRCS,
 * compile those sources with them and your own CFLAGS, and include
 * "zalloc.h" and "harness.h".  For timings leave CONFIG_DEBUG_VM
 * undefined (it adds zbud's ownership checks, as in a kernel) and define
 * HARNESS_FAST_LOCKS (spinlock_t becomes a plain test-and-set lock).
 *
 * This header needs no kernel headers; the gfp values below are checked
 * against the kernel's at build time.
 */
#ifndef ZBUD_ZALLOC_H
#define ZBUD_ZALLOC_H

#include <stddef.h>
#include <stdint.h>

#define ZALLOC_GFP_KERNEL	0xcc0U	/* GFP_KERNEL of 6.1 */
#define ZALLOC_GFP_NOWAIT	0x800U	/* GFP_NOWAIT: may not sleep */
#define ZALLOC_GFP_HIGHMEM	0x02U	/* __GFP_HIGHMEM */
/* zswap_pool_create(): __GFP_NORETRY | __GFP_NOWARN | __GFP_KSWAPD_RECLAIM */
#define ZALLOC_GFP_ZSWAP	0x12800U

struct zpool_driver;

typedef int (*zalloc_evict_t)(void *pool, unsigned long handle);
/*
 * Compaction's move callback: copy the zpage at @old to @new and use
 * @new from now on, returning 0, or return an error if it is in use.
 * Called without the pool lock.
 */
typedef int (*zalloc_move_t)(void *pool, unsigned long old,
			     unsigned long new);

struct zalloc {
	const char *name;		/* "zbud" or "zbud-6.1" */
	size_t max_size;		/* largest size alloc() accepts */

	void *(*create)(zalloc_evict_t evict);
	void (*destroy)(void *pool);
	int (*alloc)(void *pool, size_t size, unsigned int gfp,
		     unsigned long *handle);
	void (*free)(void *pool, unsigned long handle);
	int (*reclaim)(void *pool, unsigned int retries);
	void *(*map)(void *pool, unsigned long handle);
	void (*unmap)(void *pool, unsigned long handle);
	uint64_t (*pool_pages)(void *pool);

	/*
	 * Walks the pool's internal lists and counters and checks that
	 * they agree; returns 0, or -1 with the reason in @why.  Call it
	 * only while no other call on @pool runs.
	 */
	int (*check)(void *pool, char *why, size_t len);

	/*
	 * Reads the counter @name from the pool's debugfs directory;
	 * returns 0, or -ENOENT if there is no such file.  NULL if the
	 * allocator has no debugfs files.
	 */
	int (*stat)(void *pool, const char *name, unsigned long *value);

	/*
	 * The unit's module_init() and module_exit(), which register and
	 * unregister @zpool_driver; call each at most once per process.
	 */
	int (*module_init)(void);
	void (*module_exit)(void);
	struct zpool_driver *zpool_driver;

	/*
	 * Compaction, NULL if the allocator has none (zbud-6.1):
	 * create_movable() is create() with a move callback as well (@evict
	 * may be NULL), compact() runs zbud_compact().  Compaction also
	 * runs from a work item (see harness_run_work() in
	 * shim/linux/workqueue.h); harness_param_set("zbud.compaction",
	 * "N") turns it off.
	 */
	void *(*create_movable)(zalloc_evict_t evict, zalloc_move_t move);
	unsigned long (*compact)(void *pool);
};

extern const struct zalloc zalloc_zbud;		/* this series */
extern const struct zalloc zalloc_zbud61;	/* Linux 6.1 */

#endif /* ZBUD_ZALLOC_H */
