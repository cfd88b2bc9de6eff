/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The part of <linux/mm.h> that zbud uses, over the harness arena.  Pages
 * are order 0 only; page_address() and friends are arithmetic on the
 * arena's memmap, and an address outside the arena is a harness abort,
 * where the kernel would compute a wild struct page.
 */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/bug.h>
#include "harness.h"

/* -DPAGE_SHIFT=16 builds for 64 KiB pages. */
#ifndef PAGE_SHIFT
#define PAGE_SHIFT		12
#endif
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

/* As in include/linux/page-flags.h. */
#define PAGE_TYPE_BASE		0xf0000000
#define PAGE_MAPCOUNT_RESERVE	-128

static inline void *page_address(const struct page *page)
{
	return arena_map.base + ((page - arena_map.memmap) << PAGE_SHIFT);
}

static inline bool __virt_addr_valid(unsigned long addr)
{
	return addr - (unsigned long)arena_map.base <
	       arena_map.pages << PAGE_SHIFT;
}
#define virt_addr_valid(kaddr)	__virt_addr_valid((unsigned long)(kaddr))

static inline struct page *virt_to_page(const void *addr)
{
	unsigned long off = (unsigned long)addr - (unsigned long)arena_map.base;

	if (unlikely(off >= arena_map.pages << PAGE_SHIFT))
		arena_bad_address(addr);
	return arena_map.memmap + (off >> PAGE_SHIFT);
}

static inline unsigned long page_to_pfn(const struct page *page)
{
	return arena_map.base_pfn + (page - arena_map.memmap);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return arena_map.memmap + (pfn - arena_map.base_pfn);
}

static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	BUG_ON(order);
	return arena_alloc_page(gfp);
}
#define alloc_page(gfp)		alloc_pages(gfp, 0)

static inline void __free_pages(struct page *page, unsigned int order)
{
	BUG_ON(order);
	arena_free_page(page);
}
#define __free_page(page)	__free_pages(page, 0)

static inline unsigned long page_private(const struct page *page)
{
	return page->private;
}

static inline void set_page_private(struct page *page, unsigned long private)
{
	page->private = private;
}

static inline void page_mapcount_reset(struct page *page)
{
	atomic_set(&page->_mapcount, -1);
}

static inline int page_ref_count(const struct page *page)
{
	return atomic_read(&page->_refcount);
}

#endif /* _LINUX_MM_H */
