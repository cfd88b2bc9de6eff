/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The struct zalloc adapter around the zbud API, shared by zbud_ours.c and
 * zbud_61.c.  Each includes it right after its own mm/zbud.c, so the same
 * lines bind to that file's zbud_* functions and types; the two copies
 * never meet, since every name here is static.
 */
#ifndef ZALLOC_GLUE_H
#define ZALLOC_GLUE_H

struct zalloc_ops {
	struct zbud_ops ops;
	zalloc_evict_t evict;
};

static int glue_evict(struct zbud_pool *pool, unsigned long handle)
{
	struct zalloc_ops *zops = container_of(pool->ops, struct zalloc_ops,
					       ops);

	return zops->evict(pool, handle);
}

static void *glue_create(zalloc_evict_t evict)
{
	struct zalloc_ops *zops = NULL;
	struct zbud_pool *pool;

	if (evict) {
		zops = kzalloc(sizeof(*zops), GFP_KERNEL);
		if (!zops)
			return NULL;
		zops->ops.evict = glue_evict;
		zops->evict = evict;
	}
	pool = zbud_create_pool(GFP_KERNEL, zops ? &zops->ops : NULL);
	if (!pool)
		kfree(zops);
	return pool;
}

static void glue_destroy(void *pool)
{
	const struct zbud_ops *ops = ((struct zbud_pool *)pool)->ops;

	zbud_destroy_pool(pool);
	if (ops)
		kfree(container_of(ops, struct zalloc_ops, ops));
}

static int glue_alloc(void *pool, size_t size, unsigned int gfp,
		      unsigned long *handle)
{
	return zbud_alloc(pool, size, gfp, handle);
}

static void glue_free(void *pool, unsigned long handle)
{
	zbud_free(pool, handle);
}

static int glue_reclaim(void *pool, unsigned int retries)
{
	return zbud_reclaim_page(pool, retries);
}

static void *glue_map(void *pool, unsigned long handle)
{
	return zbud_map(pool, handle);
}

static void glue_unmap(void *pool, unsigned long handle)
{
	zbud_unmap(pool, handle);
}

static uint64_t glue_pool_pages(void *pool)
{
	return zbud_get_pool_size(pool);
}

#define ZALLOC_GLUE_OPS				\
	.create		= glue_create,		\
	.destroy	= glue_destroy,		\
	.alloc		= glue_alloc,		\
	.free		= glue_free,		\
	.reclaim	= glue_reclaim,		\
	.map		= glue_map,		\
	.unmap		= glue_unmap,		\
	.pool_pages	= glue_pool_pages

#endif /* ZALLOC_GLUE_H */
