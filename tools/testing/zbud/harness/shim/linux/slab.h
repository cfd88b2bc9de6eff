/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmalloc() and kfree() over malloc(), with fault injection (the
 * fail_kmalloc knob) and a count of live bytes so that tests catch leaks.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp.h>
#include "harness.h"

void *kmalloc(size_t size, gfp_t gfp);
void kfree(const void *p);

static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

#endif /* _LINUX_SLAB_H */
