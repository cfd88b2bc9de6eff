/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmalloc(), kvmalloc() and their frees over malloc(), with fault
 * injection (the fail_kmalloc knob) and a count of live bytes so that
 * tests catch leaks.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <stdint.h>
#include <linux/types.h>
#include <linux/gfp.h>
#include "harness.h"

void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *p);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

/* kmalloc() or vmalloc() in the kernel; both are malloc() here. */
void *kvmalloc(size_t size, gfp_t gfp);

static inline void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

static inline void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kvzalloc(n * size, gfp);
}

static inline void kvfree(const void *p)
{
	kfree(p);
}

#endif /* _LINUX_SLAB_H */
