/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xarray calls zbud makes under CONFIG_DEBUG_VM, over a hash table
 * with its own lock, as the real xarray has xa_lock.  xa_insert() fails
 * with -ENOMEM when the fail_xa_insert knob says so, and with -EBUSY if
 * the index is taken.  Reserving an index (a NULL entry) is not
 * supported and gives -EINVAL.
 */
#ifndef _LINUX_XARRAY_H
#define _LINUX_XARRAY_H

#include <pthread.h>
#include <linux/types.h>
#include <linux/gfp.h>

struct xa_slot;

struct xarray {
	pthread_mutex_t xa_lock;
	struct xa_slot **table;
	unsigned long buckets;		/* a power of two, or 0 */
	unsigned long count;
};

void xa_init_flags(struct xarray *xa, gfp_t flags);
void *xa_load(struct xarray *xa, unsigned long index);
int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
void xa_destroy(struct xarray *xa);
bool xa_empty(struct xarray *xa);

static inline void xa_init(struct xarray *xa)
{
	xa_init_flags(xa, 0);
}

#endif /* _LINUX_XARRAY_H */
