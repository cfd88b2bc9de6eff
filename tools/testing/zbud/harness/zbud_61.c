// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zbud of Linux 6.1, the baseline "zbud-6.1", behind struct zalloc.
 * ZBUD61_SRC names mm/zbud.c of the pristine tree in $(KSRC); it is
 * compiled as it is and never copied into this repository.
 */
#ifndef ZBUD61_SRC
#error "ZBUD61_SRC must name the 6.1 tree's mm/zbud.c"
#endif
#include ZBUD61_SRC

#include <stdarg.h>
#include <stdio.h>
#include "zalloc.h"

struct zalloc_ops {
	struct zbud_ops ops;
	zalloc_evict_t evict;
};

static int z61_evict(struct zbud_pool *pool, unsigned long handle)
{
	struct zalloc_ops *zops = container_of(pool->ops, struct zalloc_ops,
					       ops);

	return zops->evict(pool, handle);
}

static void *z61_create(zalloc_evict_t evict)
{
	struct zalloc_ops *zops = NULL;
	struct zbud_pool *pool;

	if (evict) {
		zops = kzalloc(sizeof(*zops), GFP_KERNEL);
		if (!zops)
			return NULL;
		zops->ops.evict = z61_evict;
		zops->evict = evict;
	}
	pool = zbud_create_pool(GFP_KERNEL, zops ? &zops->ops : NULL);
	if (!pool)
		kfree(zops);
	return pool;
}

static void z61_destroy(void *pool)
{
	const struct zbud_ops *ops = ((struct zbud_pool *)pool)->ops;

	zbud_destroy_pool(pool);
	if (ops)
		kfree(container_of(ops, struct zalloc_ops, ops));
}

static int z61_alloc(void *pool, size_t size, unsigned int gfp,
		     unsigned long *handle)
{
	return zbud_alloc(pool, size, gfp, handle);
}

static void z61_free(void *pool, unsigned long handle)
{
	zbud_free(pool, handle);
}

static int z61_reclaim(void *pool, unsigned int retries)
{
	return zbud_reclaim_page(pool, retries);
}

static void *z61_map(void *pool, unsigned long handle)
{
	return zbud_map(pool, handle);
}

static void z61_unmap(void *pool, unsigned long handle)
{
	zbud_unmap(pool, handle);
}

static uint64_t z61_pool_pages(void *pool)
{
	return zbud_get_pool_size(pool);
}

static int z61_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int z61_check_page(struct zbud_header *zhdr, char *why, size_t len)
{
	unsigned int used = zhdr->first_chunks + zhdr->last_chunks;
	struct page *page = virt_to_page(zhdr);

	if (!used || used > NCHUNKS || zhdr->under_reclaim)
		return z61_fail(why, len, "page %p: %u chunks used%s", zhdr,
				used, zhdr->under_reclaim ? ", isolated" : "");
	if (page->mapping || page_ref_count(page) != 1 ||
	    atomic_read(&page->_mapcount) != -1)
		return z61_fail(why, len, "page %p: struct page touched", zhdr);
	return 0;
}

/* Every LRU page once, on the one buddy list its free chunks name. */
static int z61_check(void *p, char *why, size_t len)
{
	struct zbud_pool *pool = p;
	struct zbud_header *zhdr;
	unsigned long lru = 0, listed = 0;
	int i, err = 0;

	spin_lock(&pool->lock);
	list_for_each_entry(zhdr, &pool->lru, lru) {
		err = z61_check_page(zhdr, why, len);
		if (err)
			goto out;
		lru++;
	}
	for (i = 0; i < NCHUNKS; i++) {
		list_for_each_entry(zhdr, &pool->unbuddied[i], buddy) {
			bool full = zhdr->first_chunks && zhdr->last_chunks;

			if (i ? full || num_free_chunks(zhdr) != i : !full) {
				err = z61_fail(why, len, "list %d: page %p",
					       i, zhdr);
				goto out;
			}
			listed++;
		}
	}
	if (lru != pool->pages_nr || listed != lru)
		err = z61_fail(why, len, "pages_nr %llu, lru %lu, lists %lu",
			       (unsigned long long)pool->pages_nr, lru, listed);
out:
	spin_unlock(&pool->lock);
	return err;
}

static int z61_module_init(void)
{
	return harness_module_init();
}

static void z61_module_exit(void)
{
	harness_module_exit();
}

const struct zalloc zalloc_zbud61 = {
	.name		= "zbud-6.1",
	.max_size	= PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE,
	.create		= z61_create,
	.destroy	= z61_destroy,
	.alloc		= z61_alloc,
	.free		= z61_free,
	.reclaim	= z61_reclaim,
	.map		= z61_map,
	.unmap		= z61_unmap,
	.pool_pages	= z61_pool_pages,
	.check		= z61_check,
	.module_init	= z61_module_init,
	.module_exit	= z61_module_exit,
	.zpool_driver	= &zbud_zpool_driver,
};
