// SPDX-License-Identifier: GPL-2.0-only
/*
 * Back the harness arena and its memmap with transparent huge pages.
 *
 * A kernel reaches zbud pages through the direct map and struct pages
 * through the vmemmap, both mapped with huge pages on x86_64.  With 4 KiB
 * mappings, every touch of a page's own memory (6.1 zbud keeps its header
 * there) would pay a TLB miss the kernel does not pay.  Compiled with the
 * harness's flags, for sizeof(struct page).
 */
#include <sys/mman.h>
#include <linux/mm.h>
#include "harness.h"

int bench_arena_hugepages(void);

int bench_arena_hugepages(void)
{
	size_t pages = arena_map.pages;

	if (madvise(arena_map.base, pages << PAGE_SHIFT, MADV_HUGEPAGE))
		return -1;
	return madvise(arena_map.memmap, pages * sizeof(struct page),
		       MADV_HUGEPAGE);
}
