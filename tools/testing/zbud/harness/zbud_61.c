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
#include "zalloc_glue.h"

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
	ZALLOC_GLUE_OPS,
	.check		= z61_check,
	.module_init	= z61_module_init,
	.module_exit	= z61_module_exit,
	.zpool_driver	= &zbud_zpool_driver,
};
