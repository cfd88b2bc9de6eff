// SPDX-License-Identifier: GPL-2.0-only
/*
 * This series' zbud, compiled unmodified, behind struct zalloc.  The
 * check() walk knows zbud's internals; it is the only code here that does.
 */
#include "../../../../mm/zbud.c"

#include <stdarg.h>
#include <stdio.h>
#include "zalloc.h"

static_assert(ZALLOC_GFP_KERNEL == GFP_KERNEL, "GFP_KERNEL");
static_assert(ZALLOC_GFP_NOWAIT == GFP_NOWAIT, "GFP_NOWAIT");
static_assert(ZALLOC_GFP_HIGHMEM == __GFP_HIGHMEM, "__GFP_HIGHMEM");

#include "zalloc_glue.h"

/* A pool with a move callback: glue_evict() and glue_destroy() still fit. */
struct ours_ops {
	struct zalloc_ops z;
	zalloc_move_t move;
};

static int ours_move(struct zbud_pool *pool, unsigned long old,
		     unsigned long new)
{
	struct ours_ops *oops = container_of(pool->ops, struct ours_ops,
					     z.ops);

	return oops->move(pool, old, new);
}

static void *ours_create_movable(zalloc_evict_t evict, zalloc_move_t move)
{
	struct ours_ops *oops = kzalloc(sizeof(*oops), GFP_KERNEL);
	struct zbud_pool *pool;

	if (!oops)
		return NULL;
	if (evict) {
		oops->z.ops.evict = glue_evict;
		oops->z.evict = evict;
	}
	oops->z.ops.move = move ? ours_move : NULL;
	oops->move = move;
	pool = zbud_create_pool(GFP_KERNEL, &oops->z.ops);
	if (!pool)
		kfree(oops);
	return pool;
}

static unsigned long ours_compact(void *pool)
{
	return zbud_compact(pool);
}

/* check() support: counts what the lists hold and compares. */
struct ours_walk {
	struct zbud_stats seen;
	unsigned long bucketed;
	unsigned long small;		/* of them, zpages of at most half a page */
	unsigned long wanted;
	char *why;
	size_t len;
};

static int walk_fail(struct ours_walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why, w->len, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_lru_page(struct zbud_pool *pool, struct zbud_page *zp,
			  struct ours_walk *w)
{
	struct page *page = zbud_to_page(zp);
	unsigned int n = zp_count(zp), free = zp_free_units(zp);
	bool want_bucket = n == 1 && free;

	if (!(zp->sizes & ZBUD_PAGE_MARK))
		return walk_fail(w, "page %p: no ZBUD_PAGE_MARK", page);
	if (zp->sizes & ~(ZBUD_PAGE_MARK | ZBUD_SIZE_MASK |
			  ZBUD_SIZE_MASK << ZBUD_SIZE_BITS))
		return walk_fail(w, "page %p: stray bits in sizes", page);
	if (!n)
		return walk_fail(w, "page %p: on the LRU but empty", page);
	if (zp_held(zp))
		return walk_fail(w, "page %p: held, and no move runs", page);
	if (zp_units(zp, ZBUD_FIRST) + zp_units(zp, ZBUD_LAST) > ZBUD_UNITS)
		return walk_fail(w, "page %p: zpages overlap", page);
	if (want_bucket == hlist_unhashed(&zp->bucket))
		return walk_fail(w, "page %p: %s a bucket", page,
				 want_bucket ? "missing from" : "wrongly in");
	if (page->mapping || page_ref_count(page) != 1)
		return walk_fail(w, "page %p: mapping or _refcount touched",
				 page);
#ifdef CONFIG_DEBUG_VM
	if (xa_load(&pool->owned, page_to_pfn(page)) != pool)
		return walk_fail(w, "page %p: not in the owned xarray", page);
#endif
	w->wanted += want_bucket;
	w->seen.pages++;
	w->seen.pages_full += n == 2;
	w->seen.pages_single += n == 1;
	w->seen.zpages += n;
	w->seen.bytes += (ZBUD_UNITS - free) * ZBUD_ALIGN;
	return 0;
}

static int check_bucket(struct zbud_pool *pool, unsigned int free,
			struct ours_walk *w)
{
	struct zbud_page *zp;
	bool empty = hlist_empty(&pool->buckets[free]);

	if (empty == test_bit(free, pool->nonempty))
		return walk_fail(w, "bucket %u: bitmap says %s", free,
				 empty ? "nonempty" : "empty");
	hlist_for_each_entry(zp, &pool->buckets[free], bucket) {
		if (zp_count(zp) != 1 || zp_free_units(zp) != free)
			return walk_fail(w, "bucket %u: page %p has %u free",
					 free, zbud_to_page(zp),
					 zp_free_units(zp));
		if (list_empty(&zp->lru))
			return walk_fail(w, "bucket %u: isolated page", free);
		w->bucketed++;
		w->small += free >= ZBUD_UNITS / 2;
	}
	return 0;
}

static int ours_check(void *p, char *why, size_t len)
{
	struct ours_walk w = { .why = why, .len = len };
	struct zbud_pool *pool = p;
	struct zbud_stats *s = &pool->stats;
	struct zbud_page *zp;
	unsigned int free;
	int err = 0;

	spin_lock(&pool->lock);
	list_for_each_entry(zp, &pool->lru, lru) {
		err = check_lru_page(pool, zp, &w);
		if (err)
			goto out;
	}
	for (free = 0; free < ZBUD_UNITS && !err; free++)
		err = check_bucket(pool, free, &w);
	if (err)
		goto out;
	if (w.seen.pages != s->pages || w.seen.pages_full != s->pages_full ||
	    w.seen.pages_single != s->pages_single ||
	    w.seen.zpages != s->zpages || w.seen.bytes != s->bytes)
		err = walk_fail(&w, "stats %lu/%lu/%lu/%lu/%lu, lists %lu/%lu/%lu/%lu/%lu",
				s->pages, s->pages_full, s->pages_single,
				s->zpages, s->bytes, w.seen.pages,
				w.seen.pages_full, w.seen.pages_single,
				w.seen.zpages, w.seen.bytes);
	else if (w.bucketed != w.wanted)
		err = walk_fail(&w, "%lu pages in buckets, %lu should be",
				w.bucketed, w.wanted);
	else if (w.small != pool->lone_small)
		err = walk_fail(&w, "lone_small %lu, buckets hold %lu",
				pool->lone_small, w.small);
#ifdef CONFIG_DEBUG_VM
	else if (pool->owned.count != s->pages)
		err = walk_fail(&w, "owned xarray has %lu pages, pool %lu",
				pool->owned.count, s->pages);
#endif
out:
	spin_unlock(&pool->lock);
	return err;
}

static int ours_stat(void *p, const char *name, unsigned long *value)
{
	struct zbud_pool *pool = p;

	return debugfs_read_ulong(debugfs_lookup(name, pool->debugfs), value);
}

static int ours_module_init(void)
{
	return harness_module_init();
}

static void ours_module_exit(void)
{
	harness_module_exit();
}

const struct zalloc zalloc_zbud = {
	.name		= "zbud",
	.max_size	= PAGE_SIZE,
	ZALLOC_GLUE_OPS,
	.check		= ours_check,
	.stat		= ours_stat,
	.module_init	= ours_module_init,
	.module_exit	= ours_module_exit,
	.zpool_driver	= &zbud_zpool_driver,
	.create_movable	= ours_create_movable,
	.compact	= ours_compact,
};
