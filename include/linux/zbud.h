/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zbud - an allocator that stores up to two compressed pages per page.
 *
 * See mm/zbud.c and Documentation/mm/zbud.rst for the design.
 */
#ifndef _LINUX_ZBUD_H
#define _LINUX_ZBUD_H

#include <linux/types.h>

struct zbud_pool;

/**
 * struct zbud_ops - callbacks a zbud pool makes into its user
 * @evict: write back and free the zpage behind @handle.  Called by
 *         zbud_reclaim_page() without the pool lock held.  It returns 0
 *         once it has freed @handle with zbud_free().  A handle that is
 *         not the user's to evict (zswap: the zpage's entry went away, or
 *         is not stored yet) it leaves alone, returning 0 or an error.
 *         On failure it returns an error and may have freed @handle or
 *         not (zswap frees it when the entry went away meanwhile); either
 *         way the reclaimer looks at the page afresh, and a zpage still
 *         in it goes back to the LRU with the page.
 * @move: copy the zpage at @old to @new, where zbud has made room for
 *        it, and make the user's reference name @new.  Called by
 *        compaction without the pool lock held.  It returns 0 once the
 *        user refers to @new only; zbud then frees @old.  It returns an
 *        error, leaving @new unused, if @old is no longer the user's or
 *        is in use (mapped, loading, being evicted); zbud then frees
 *        @new.  zbud cannot tell whether a zpage is mapped: the user must.
 *        NULL if the user cannot move zpages: the pool is not compacted.
 */
struct zbud_ops {
	int (*evict)(struct zbud_pool *pool, unsigned long handle);
	int (*move)(struct zbud_pool *pool, unsigned long old,
		    unsigned long new);
};

struct zbud_pool *zbud_create_pool(gfp_t gfp, const struct zbud_ops *ops);
void zbud_destroy_pool(struct zbud_pool *pool);
int zbud_alloc(struct zbud_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle);
void zbud_free(struct zbud_pool *pool, unsigned long handle);
int zbud_reclaim_page(struct zbud_pool *pool, unsigned int retries);
unsigned long zbud_compact(struct zbud_pool *pool);
void *zbud_map(struct zbud_pool *pool, unsigned long handle);
void zbud_unmap(struct zbud_pool *pool, unsigned long handle);
u64 zbud_get_pool_size(struct zbud_pool *pool);

#endif /* _LINUX_ZBUD_H */
