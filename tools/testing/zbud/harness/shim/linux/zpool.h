/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The zpool driver interface of Linux 6.1, with the move callback of
 * include/linux/zpool.patch, which both zbud versions register with.
 * The harness keeps the registered drivers in a list that
 * zpool_find_driver() searches, so tests can drive a pool the way zswap
 * does.
 */
#ifndef _ZPOOL_H_
#define _ZPOOL_H_

#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>

struct module;
struct zpool;

struct zpool_ops {
	int (*evict)(struct zpool *pool, unsigned long handle);
	int (*move)(struct zpool *pool, unsigned long old, unsigned long new);
};

enum zpool_mapmode {
	ZPOOL_MM_RW,
	ZPOOL_MM_RO,
	ZPOOL_MM_WO,
	ZPOOL_MM_DEFAULT = ZPOOL_MM_RW
};

struct zpool_driver {
	char *type;
	struct module *owner;
	atomic_t refcount;
	struct list_head list;

	void *(*create)(const char *name, gfp_t gfp,
			const struct zpool_ops *ops, struct zpool *zpool);
	void (*destroy)(void *pool);

	bool malloc_support_movable;
	int (*malloc)(void *pool, size_t size, gfp_t gfp,
		      unsigned long *handle);
	void (*free)(void *pool, unsigned long handle);

	int (*shrink)(void *pool, unsigned int pages, unsigned int *reclaimed);

	bool sleep_mapped;
	void *(*map)(void *pool, unsigned long handle, enum zpool_mapmode mm);
	void (*unmap)(void *pool, unsigned long handle);

	u64 (*total_size)(void *pool);
};

void zpool_register_driver(struct zpool_driver *driver);
int zpool_unregister_driver(struct zpool_driver *driver);

/* Harness only: the most recently registered driver of @type, or NULL. */
struct zpool_driver *zpool_find_driver(const char *type);

#endif /* _ZPOOL_H_ */
