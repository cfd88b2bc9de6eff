// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud - store up to two compressed pages in each page
 *
 * Copyright (C) 2013, Seth Jennings, IBM
 *
 * Concepts based on zcache internal zbud allocator by Dan Magenheimer.
 *
 * Usage of struct page fields, through the struct zbud_page overlay:
 *	page->flags: untouched
 *	page->lru: links the page into its pool's LRU list
 *	page->mapping: never written, so pfn walkers see a plain kernel page
 *	page->index, page->private: zbud_page.bucket, which links a page
 *		holding one zpage into the list of its free-space class;
 *		while a move holds the page, page->index marks it
 *	page->page_type: zbud_page.sizes, the sizes of both zpages
 *	page->_refcount: untouched
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/zbud.h>
#include <linux/zpool.h>

/**
 * DOC: overview
 *
 * zbud is a special purpose allocator for compressed pages ("zpages").  It
 * stores at most two zpages in each physical page.  The first is packed
 * against the start of the page and the second against its end, so that
 * freeing either leaves the largest possible free region.  A pool never
 * holds more pages than zpages, so zbud cannot use more memory than the
 * uncompressed data would, and a page is freed by evicting at most two
 * zpages, which keeps reclaim simple and deterministic.
 *
 * The metadata lives in the page's struct page, so the whole page holds
 * data.  Sizes are kept in units of eight bytes because every zpage must
 * start eight-byte aligned: zswap reads a swap entry at the start of each
 * object, and strict-alignment architectures fault on a misaligned one.
 * Two zpages therefore share a page exactly when their sizes, each rounded
 * up to eight bytes, add up to at most PAGE_SIZE.  (With 256 KiB pages the
 * unit is sixteen bytes, so that both sizes fit in struct page.)
 *
 * A page that holds one zpage sits in the list of its free-space class,
 * one list per unit of free space, and a bitmap marks the lists
 * that are not empty.  zbud_alloc() pairs a zpage by best fit: one bitmap
 * search finds the page with the least free space that still fits.  It
 * never tries the most recently used page first; that heuristic buddies
 * fewer fat zpages and costs density when sizes are symmetric or skew fat.
 *
 * Every page is on an LRU list and moves to its head when it receives a
 * zpage.  zbud_reclaim_page() takes the page at the tail, takes it off all
 * lists and calls the pool's evict callback for each of its zpages, with
 * the pool lock dropped, until one fails.  A zbud_free() of a zpage on
 * such an isolated page only clears its size; the reclaimer frees the page
 * once both sizes are zero, or puts it back at the head of the LRU if a
 * zpage is left.
 *
 * Frees break pairs, and a page left with one zpage is refilled only if
 * a new zpage of a size that fits comes along.  Compaction merges such
 * lone zpages: it takes the smallest one and moves it beside the lone
 * zpage with the least free space that still holds it, or that one
 * beside it if the user refuses to move the smallest, which frees a
 * page, and repeats until no two lone zpages fit in one page.  Pairing
 * the smallest with its best fit, each time, pairs as many lone zpages
 * as any order could.  Both searches are bitmap searches.  It runs from
 * a work item that a free queues once some two lone zpages fit in one
 * page and the lone zpages of at most half a page, any two of which fit
 * together, exceed a share of the pool (new zpages refill lone pages for
 * nothing until then), unless the pool is draining; from zpool's shrink
 * before writeback (a copy costs less than I/O); and when the pool's
 * debugfs file "compact" is written.  zbud.compaction=N turns it off.
 *
 * A handle is the zpage's address, so a move changes it.  The user, who
 * alone knows who holds a handle, does the move: its move callback
 * copies the zpage to the new handle under its own locks, makes its
 * reference name the new handle and fails if the zpage is in use,
 * mapped, say.  zswap does so from the swap entry at the start of each
 * zpage, as its writeback does.  Handles that name a slot holding the
 * address, as zsmalloc's do, would let zbud move zpages on its own, but
 * each zpage would then cost a slot besides its data, counted in the
 * pool's size, and zbud_map() would have to pin zpages against moves.
 * While a move runs, both pages are off the free-space lists and marked
 * as held, so neither allocation, reclaim nor another compaction touches
 * them, and a free on them only clears the zpage's size.  They keep their
 * places on the LRU: the page that ends with both zpages stays where it
 * was, instead of jumping to the head as a page that receives a new zpage
 * does, since no new data came.  The moved zpage takes that page's age,
 * older or younger than its own (which of two places is older, a list
 * cannot tell cheaply), but merges no longer make old data look new.
 */

/*
 * Every zpage starts on this boundary; sizes are counted in these units.
 * With 256 KiB pages (hexagon, ppc44x) eight-byte units would need more
 * bits than zbud_page.sizes has, so the unit is sixteen bytes there.
 */
#define ZBUD_ALIGN		(PAGE_SHIFT > 16 ? 16 : 8)
#define ZBUD_UNITS		(PAGE_SIZE / ZBUD_ALIGN)

/*
 * zbud_page.sizes packs the two sizes in units below bit 31, which is set.
 * The value stays negative, so page_mapped() is false and page_has_type()
 * is true (kpagecount reads 0), and its top nibble is not PAGE_TYPE_BASE,
 * so the page passes for none of PageBuddy, PageOffline, PageTable or
 * PageGuard.
 */
#define ZBUD_SIZE_BITS		15
#define ZBUD_SIZE_MASK		((1U << ZBUD_SIZE_BITS) - 1)
#define ZBUD_PAGE_MARK		BIT(31)
#define ZBUD_SIZES_BITS		(ZBUD_SIZE_MASK |			\
				 ZBUD_SIZE_MASK << ZBUD_SIZE_BITS)
#define ZBUD_SIZES_MAX		(ZBUD_PAGE_MARK | ZBUD_SIZES_BITS)

/* Whether pools move zpages to free pages; see the overview above. */
static bool zbud_compaction = true;
module_param_named(compaction, zbud_compaction, bool, 0644);
MODULE_PARM_DESC(compaction, "Move lone zpages together to free pages");

/*
 * A free queues compaction once lone zpages of at most half a page are
 * more than 1/ZBUD_LONE_SHARE of the pool's pages, and only while the pool
 * is not draining: at least one allocation per ZBUD_DRAIN_RATIO frees.
 * Compacting at every free that leaves a pair made alloc + free cost 1.3
 * to 3.9 times 6.1's in zbud_bench: a new zpage refills a lone page for
 * nothing, and when zpages only go, their pages go with them.  A ratio
 * of 2 kept zswap from compacting while the VM workload read its pages
 * back.
 */
#define ZBUD_LONE_SHARE		512
#define ZBUD_DRAIN_RATIO	8

/* How many LRU pages zpool's shrink tries before it gives up on one. */
#define ZBUD_RECLAIM_RETRIES	8

enum zbud_side {
	ZBUD_FIRST,
	ZBUD_LAST,
	ZBUD_SIDES
};

/**
 * struct zbud_page - zbud's view of a struct page
 * @__page_flags: page->flags, untouched
 * @lru: entry in the pool's LRU list; empty while reclaim has the page
 *       isolated
 * @__page_mapping: page->mapping, never written
 * @bucket: entry in a free-space list, linked only while the page holds
 *          exactly one zpage and has room for another; while a move holds
 *          the page, unlinked with @bucket.next pointing at zbud_held
 * @sizes: both zpage sizes in ZBUD_ALIGN units, 0 for a free side
 * @__page_refcount: page->_refcount, untouched
 * @__page_memcg_data: page->memcg_data, untouched
 */
struct zbud_page {
	unsigned long __page_flags;
	struct list_head lru;
	void *__page_mapping;
	struct hlist_node bucket;
	unsigned int sizes;
	atomic_t __page_refcount;
#ifdef CONFIG_MEMCG
	unsigned long __page_memcg_data;
#endif
};

#define ZBUD_MATCH(pg, zb)						\
	static_assert(offsetof(struct page, pg) ==			\
		      offsetof(struct zbud_page, zb))
ZBUD_MATCH(flags, __page_flags);
ZBUD_MATCH(lru, lru);
ZBUD_MATCH(compound_head, lru);	/* list pointers keep bit 0 clear */
ZBUD_MATCH(mapping, __page_mapping);
ZBUD_MATCH(index, bucket.next);
ZBUD_MATCH(private, bucket.pprev);
ZBUD_MATCH(page_type, sizes);
ZBUD_MATCH(_refcount, __page_refcount);
#ifdef CONFIG_MEMCG
ZBUD_MATCH(memcg_data, __page_memcg_data);
#endif
#undef ZBUD_MATCH
static_assert(sizeof(struct zbud_page) <= sizeof(struct page));
static_assert(ZBUD_UNITS <= ZBUD_SIZE_MASK);
/*
 * Every value of zbud_page.sizes sets the mark and a subset of the bits of
 * ZBUD_SIZES_MAX, so it is no larger as an int and has no bit that
 * ZBUD_SIZES_MAX lacks: these checks on ZBUD_SIZES_MAX cover them all.
 */
static_assert(!(ZBUD_SIZES_BITS & ZBUD_PAGE_MARK));
static_assert((ZBUD_SIZES_MAX & PAGE_TYPE_BASE) != PAGE_TYPE_BASE);
static_assert((int)ZBUD_SIZES_MAX < PAGE_MAPCOUNT_RESERVE);

/**
 * struct zbud_stats - counters of a pool, written under its lock
 * @pages: pages in the pool, isolated and held ones included; written with
 *         WRITE_ONCE(), since zbud_get_pool_size() reads it unlocked
 * @pages_full: pages that hold two zpages
 * @pages_single: pages that hold one zpage
 * @zpages: live zpages
 * @bytes: bytes the live zpages take up, each rounded up to ZBUD_ALIGN
 * @reclaim_attempts: zbud_reclaim_page() calls that found a page to try
 * @reclaim_successes: pages that reclaim freed
 * @evict_failures: evict callbacks that returned an error
 * @pages_compacted: pages that compaction's moves emptied and freed
 * @bytes_moved: bytes that compaction moved, each zpage rounded up to
 *               ZBUD_ALIGN
 * @move_failures: move callbacks that returned an error
 *
 * While a move runs, its zpage counts at both places in @zpages and
 * @bytes, and its destination counts in @pages_full, not @pages_single.
 * Each counter is a read-only file in the pool's debugfs directory,
 * /sys/kernel/debug/zbud/<pool>/, which reads it without the lock.
 */
struct zbud_stats {
	unsigned long pages;
	unsigned long pages_full;
	unsigned long pages_single;
	unsigned long zpages;
	unsigned long bytes;
	unsigned long reclaim_attempts;
	unsigned long reclaim_successes;
	unsigned long evict_failures;
	unsigned long pages_compacted;
	unsigned long bytes_moved;
	unsigned long move_failures;
};

/**
 * struct zbud_pool - a set of pages and the lists that index them
 * @lock: protects every field below and the zbud_page of every page
 * @lru: all pages not isolated by reclaim, most recent first
 * @buckets: pages with one zpage, by free space in ZBUD_ALIGN units;
 *           ZBUD_UNITS list heads, allocated on their own
 * @nonempty: which @buckets have pages
 * @lone_small: pages in @buckets whose zpage takes at most half a page
 * @allocs_since: zbud_alloc() calls since compaction last ran
 * @frees_since: zbud_free() calls that left one zpage on a listed page,
 *               since then
 * @stats: counters, see struct zbud_stats
 * @ops: the user's callbacks, may be NULL
 * @compact_work: runs compaction after a free
 * @zpool: the zpool this pool backs, if any
 * @zpool_ops: that zpool's callbacks
 * @debugfs: the pool's debugfs directory
 * @owned: under CONFIG_DEBUG_VM, the pfns of the pool's pages, so that a
 *         handle from elsewhere is caught
 * @warned: under CONFIG_DEBUG_VM, a bad free has been reported
 */
struct zbud_pool {
	spinlock_t lock;	/* see the kernel-doc above */
	struct list_head lru;
	struct hlist_head *buckets;
	DECLARE_BITMAP(nonempty, ZBUD_UNITS);
	unsigned long lone_small;
	unsigned long allocs_since, frees_since;
	struct zbud_stats stats;
	const struct zbud_ops *ops;
	struct work_struct compact_work;
	struct zpool *zpool;
	const struct zpool_ops *zpool_ops;
	struct dentry *debugfs;
#ifdef CONFIG_DEBUG_VM
	struct xarray owned;
	bool warned;
#endif
};

/* The files in each pool's debugfs directory, one per counter. */
static const struct {
	const char *name;
	size_t offset;
} zbud_stat_files[] = {
	{ "pages",		offsetof(struct zbud_stats, pages) },
	{ "pages_full",		offsetof(struct zbud_stats, pages_full) },
	{ "pages_single",	offsetof(struct zbud_stats, pages_single) },
	{ "zpages",		offsetof(struct zbud_stats, zpages) },
	{ "bytes",		offsetof(struct zbud_stats, bytes) },
	{ "reclaim_attempts",	offsetof(struct zbud_stats, reclaim_attempts) },
	{ "reclaim_successes",	offsetof(struct zbud_stats, reclaim_successes) },
	{ "evict_failures",	offsetof(struct zbud_stats, evict_failures) },
	{ "pages_compacted",	offsetof(struct zbud_stats, pages_compacted) },
	{ "bytes_moved",	offsetof(struct zbud_stats, bytes_moved) },
	{ "move_failures",	offsetof(struct zbud_stats, move_failures) },
};

static struct dentry *zbud_debugfs_root;
static atomic_t zbud_pool_ids = ATOMIC_INIT(0);

static struct zbud_page *to_zbud_page(struct page *page)
{
	return (struct zbud_page *)page;
}

static struct page *zbud_to_page(struct zbud_page *zp)
{
	return (struct page *)zp;
}

static unsigned int size_to_units(size_t size)
{
	return DIV_ROUND_UP(size, ZBUD_ALIGN);
}

static unsigned int sizes_units(unsigned int sizes, enum zbud_side side)
{
	return (sizes >> (side * ZBUD_SIZE_BITS)) & ZBUD_SIZE_MASK;
}

static unsigned int zp_units(const struct zbud_page *zp, enum zbud_side side)
{
	return sizes_units(zp->sizes, side);
}

static unsigned int zp_count(const struct zbud_page *zp)
{
	return !!zp_units(zp, ZBUD_FIRST) + !!zp_units(zp, ZBUD_LAST);
}

static unsigned int zp_free_units(const struct zbud_page *zp)
{
	return ZBUD_UNITS - zp_units(zp, ZBUD_FIRST) - zp_units(zp, ZBUD_LAST);
}

/* The side a new zpage goes on, of a page that has one free. */
static enum zbud_side zp_free_side(const struct zbud_page *zp)
{
	return zp_units(zp, ZBUD_FIRST) ? ZBUD_LAST : ZBUD_FIRST;
}

static enum zbud_side handle_side(unsigned long handle)
{
	return offset_in_page(handle) ? ZBUD_LAST : ZBUD_FIRST;
}

static struct zbud_page *handle_to_zp(unsigned long handle)
{
	return to_zbud_page(virt_to_page((void *)handle));
}

static unsigned long zbud_handle(struct zbud_page *zp, enum zbud_side side)
{
	unsigned long addr = (unsigned long)page_address(zbud_to_page(zp));

	if (side == ZBUD_FIRST)
		return addr;
	return addr + PAGE_SIZE - zp_units(zp, ZBUD_LAST) * ZBUD_ALIGN;
}

/*
 * Sets one side's size, which is either free or becomes free, and keeps
 * the pool's counters in step with it.  The hot paths read zp->sizes
 * once into a local: the counters' stores may alias it as far as the
 * compiler knows, since the kernel builds without strict aliasing.
 */
static inline void zp_set_units(struct zbud_pool *pool,
				struct zbud_page *zp, enum zbud_side side,
				unsigned int units)
{
	unsigned int sizes = zp->sizes, shift = side * ZBUD_SIZE_BITS;
	bool paired = sizes_units(sizes, ZBUD_LAST - side);
	unsigned int bytes = (units ?: sizes_units(sizes, side)) * ZBUD_ALIGN;
	long delta = units ? 1 : -1;

	zp->sizes = (sizes & ~(ZBUD_SIZE_MASK << shift)) | (units << shift);
	/* Unsigned counters wrap, so adding -1 takes one away. */
	pool->stats.zpages += delta;
	pool->stats.bytes += delta * bytes;
	if (paired) {
		pool->stats.pages_full += delta;
		pool->stats.pages_single -= delta;
	} else {
		pool->stats.pages_single += delta;
	}
}

static inline void bucket_add(struct zbud_pool *pool, struct zbud_page *zp)
{
	unsigned int sizes = zp->sizes;
	unsigned int first = sizes_units(sizes, ZBUD_FIRST);
	unsigned int last = sizes_units(sizes, ZBUD_LAST);
	unsigned int free = ZBUD_UNITS - first - last;

	/* Only a page with one zpage and room beside it. */
	if (!first == !last || !free)
		return;
	hlist_add_head(&zp->bucket, &pool->buckets[free]);
	__set_bit(free, pool->nonempty);
	pool->lone_small += free >= ZBUD_UNITS / 2;
}

static void bucket_unlink(struct zbud_pool *pool, struct zbud_page *zp,
			  unsigned int free)
{
	hlist_del_init(&zp->bucket);
	if (hlist_empty(&pool->buckets[free]))
		__clear_bit(free, pool->nonempty);
	pool->lone_small -= free >= ZBUD_UNITS / 2;
}

/* Must run before the page's sizes change: they name its bucket. */
static void bucket_del(struct zbud_pool *pool, struct zbud_page *zp)
{
	if (!hlist_unhashed(&zp->bucket))
		bucket_unlink(pool, zp, zp_free_units(zp));
}

static struct zbud_page *bucket_first(struct zbud_pool *pool,
				      unsigned long free)
{
	return hlist_entry(pool->buckets[free].first, struct zbud_page, bucket);
}

/* The free-space class of the pages with the least room for @units. */
static unsigned long bucket_fit(struct zbud_pool *pool, unsigned int units)
{
	return find_next_bit(pool->nonempty, ZBUD_UNITS, units);
}

/* Best fit: the page with the least free space that still holds @units. */
static struct zbud_page *bucket_take(struct zbud_pool *pool,
				     unsigned int units)
{
	unsigned long free = bucket_fit(pool, units);
	struct zbud_page *zp;

	if (free >= ZBUD_UNITS)
		return NULL;
	zp = bucket_first(pool, free);
	bucket_unlink(pool, zp, free);
	return zp;
}

#ifdef CONFIG_DEBUG_VM
static int zbud_track_page(struct zbud_pool *pool, struct page *page,
			   gfp_t gfp)
{
	return xa_insert(&pool->owned, page_to_pfn(page), pool, gfp);
}

static void zbud_untrack_page(struct zbud_pool *pool, struct page *page)
{
	xa_erase(&pool->owned, page_to_pfn(page));
}

static bool zbud_owns(struct zbud_pool *pool, unsigned long handle)
{
	struct page *page;

	if (!IS_ALIGNED(handle, ZBUD_ALIGN) || !virt_addr_valid(handle))
		return false;
	page = virt_to_page((void *)handle);
	return xa_load(&pool->owned, page_to_pfn(page));
}

/* A live handle names a used side, and a last side at its exact offset. */
static bool zbud_handle_live(struct zbud_pool *pool, unsigned long handle)
{
	enum zbud_side side = handle_side(handle);
	struct zbud_page *zp;

	if (!zbud_owns(pool, handle))
		return false;
	zp = handle_to_zp(handle);
	return zp_units(zp, side) && zbud_handle(zp, side) == handle;
}

/* A bad free is ignored, and reported the first time in each pool. */
static bool zbud_free_ok(struct zbud_pool *pool, unsigned long handle)
{
	if (zbud_handle_live(pool, handle))
		return true;
	WARN(!pool->warned, "zbud: freeing a handle that is not live in this pool\n");
	pool->warned = true;
	return false;
}
#else
static int zbud_track_page(struct zbud_pool *pool, struct page *page,
			   gfp_t gfp)
{
	return 0;
}

static void zbud_untrack_page(struct zbud_pool *pool, struct page *page)
{
}

static bool zbud_free_ok(struct zbud_pool *pool, unsigned long handle)
{
	return true;
}
#endif

static struct zbud_page *zbud_new_page(struct zbud_pool *pool, gfp_t gfp)
{
	struct page *page = alloc_page(gfp);
	struct zbud_page *zp;

	if (!page)
		return NULL;
	if (zbud_track_page(pool, page, gfp)) {
		__free_page(page);
		return NULL;
	}
	zp = to_zbud_page(page);
	INIT_LIST_HEAD(&zp->lru);
	INIT_HLIST_NODE(&zp->bucket);
	zp->sizes = ZBUD_PAGE_MARK;
	return zp;
}

/* Gives back an empty page that is already off every list. */
static void zbud_release_page(struct zbud_pool *pool, struct zbud_page *zp)
	__must_hold(&pool->lock)
{
	struct page *page = zbud_to_page(zp);

	WRITE_ONCE(pool->stats.pages, pool->stats.pages - 1);
	zbud_untrack_page(pool, page);
	set_page_private(page, 0);
	page->index = 0;
	page_mapcount_reset(page);
	INIT_LIST_HEAD(&page->lru);
	__free_page(page);
}

/* Stores @units on the free side of @zp and returns the new handle. */
static unsigned long zbud_place(struct zbud_pool *pool, struct zbud_page *zp,
				unsigned int units)
{
	enum zbud_side side = zp_free_side(zp);

	zp_set_units(pool, zp, side, units);
	bucket_add(pool, zp);
	list_move(&zp->lru, &pool->lru);
	return zbud_handle(zp, side);
}

/* Takes a page off every list, for reclaim to work on. */
static void zbud_isolate(struct zbud_pool *pool, struct zbud_page *zp)
{
	bucket_del(pool, zp);
	list_del_init(&zp->lru);
}

/*
 * Ends reclaim's isolation: an empty page is freed, any other goes to the
 * head of the LRU.  Returns true if the page was freed.
 */
static bool zbud_putback(struct zbud_pool *pool, struct zbud_page *zp)
	__must_hold(&pool->lock)
{
	if (!zp_count(zp)) {
		zbud_release_page(pool, zp);
		return true;
	}
	bucket_add(pool, zp);
	list_add(&zp->lru, &pool->lru);
	return false;
}

/* What zbud_page.bucket.next points at while a move holds the page. */
static struct hlist_node zbud_held;

static bool zp_held(struct zbud_page *zp)
{
	return zp->bucket.next == &zbud_held;
}

/* Takes a page off its free-space list for a move; it stays on the LRU. */
static void zbud_hold(struct zbud_pool *pool, struct zbud_page *zp)
{
	bucket_del(pool, zp);
	zp->bucket.next = &zbud_held;
}

/*
 * Ends a move's hold: an empty page is freed, any other goes back on its
 * free-space list and keeps its LRU place.  Returns true if it was freed.
 */
static bool zbud_unhold(struct zbud_pool *pool, struct zbud_page *zp)
	__must_hold(&pool->lock)
{
	zp->bucket.next = NULL;
	if (!zp_count(zp)) {
		list_del(&zp->lru);
		zbud_release_page(pool, zp);
		return true;
	}
	bucket_add(pool, zp);
	return false;
}

/* The least recently used page that no move holds, or NULL. */
static struct zbud_page *zbud_lru_tail(struct zbud_pool *pool)
{
	struct zbud_page *zp;

	/* Each move in flight holds two pages: few to step over. */
	list_for_each_entry_reverse(zp, &pool->lru, lru)
		if (!zp_held(zp))
			return zp;
	return NULL;
}

static void zp_clear(struct zbud_pool *pool, struct zbud_page *zp,
		     enum zbud_side side)
{
	if (zp_units(zp, side))
		zp_set_units(pool, zp, side, 0);
}

static bool zbud_can_move(struct zbud_pool *pool)
{
	return READ_ONCE(zbud_compaction) && pool->ops && pool->ops->move;
}

/*
 * Picks the smallest lone zpage, in the class with the most free space,
 * and the page with the least free space that holds it besides, which may
 * be in the same class.
 */
static bool compact_pick(struct zbud_pool *pool, struct zbud_page **src,
			 struct zbud_page **dst)
{
	unsigned long free, fit;
	struct hlist_node *node;

	/* Of two zpages that share a page, the smaller takes at most half. */
	if (!pool->lone_small)
		return false;
	free = find_last_bit(pool->nonempty, ZBUD_UNITS);
	*src = bucket_first(pool, free);
	fit = bucket_fit(pool, ZBUD_UNITS - free);
	if (fit < free)
		node = pool->buckets[fit].first;
	else if (fit == free)
		node = (*src)->bucket.next;
	else
		return false;
	if (!node)
		return false;
	*dst = hlist_entry(node, struct zbud_page, bucket);
	return true;
}

/*
 * Moves the lone zpage of @src to the free side of @dst, both held,
 * through the user's move callback, with the pool lock dropped around
 * it.  Either page may lose a zpage to zbud_free() meanwhile.
 */
static bool zbud_move(struct zbud_pool *pool, struct zbud_page *src,
		      struct zbud_page *dst)
	__must_hold(&pool->lock)
{
	enum zbud_side from = zp_units(src, ZBUD_FIRST) ? ZBUD_FIRST : ZBUD_LAST;
	enum zbud_side to = zp_free_side(dst);
	unsigned int units = zp_units(src, from);
	unsigned long old = zbud_handle(src, from), new;
	int err;

	zp_set_units(pool, dst, to, units);
	new = zbud_handle(dst, to);
	spin_unlock(&pool->lock);
	err = pool->ops->move(pool, old, new);
	spin_lock(&pool->lock);
	if (err) {
		pool->stats.move_failures++;
		zp_clear(pool, dst, to);
	} else {
		pool->stats.bytes_moved += units * ZBUD_ALIGN;
		zp_clear(pool, src, from);
	}
	return !err;
}

/*
 * Merges the lone zpages of two held pages, counting a move in @moves,
 * and lets both go; a page left empty is freed.  The user refuses to move
 * a zpage in use.  The other zpage fits beside it just as well, so it
 * moves instead, and a zpage held for long does not hold compaction up.
 * Returns false if neither page was freed: both zpages were refused and
 * stay where they were.
 */
static bool zbud_merge(struct zbud_pool *pool, struct zbud_page *src,
		       struct zbud_page *dst, unsigned long *moves)
	__must_hold(&pool->lock)
{
	bool moved = zbud_move(pool, src, dst);
	bool freed;

	if (!moved && zp_count(src) == 1 && zp_count(dst) == 1)
		moved = zbud_move(pool, dst, src);
	if (moved) {
		pool->stats.pages_compacted++;
		(*moves)++;
	}
	freed = zbud_unhold(pool, dst);
	freed |= zbud_unhold(pool, src);
	return freed;
}

static unsigned long zbud_compact_pages(struct zbud_pool *pool,
					unsigned long max)
{
	struct zbud_page *src, *dst;
	unsigned long moves = 0;

	if (!zbud_can_move(pool))
		return 0;
	spin_lock(&pool->lock);
	pool->allocs_since = 0;
	pool->frees_since = 0;
	/* Turning compaction off stops a run between two moves. */
	while (moves < max && zbud_can_move(pool) &&
	       compact_pick(pool, &src, &dst)) {
		zbud_hold(pool, src);
		zbud_hold(pool, dst);
		/*
		 * A pair that stays would be picked again.  One that a free
		 * emptied meanwhile is gone, and the next pair may move.
		 */
		if (!zbud_merge(pool, src, dst, &moves))
			break;
		cond_resched_lock(&pool->lock);
	}
	spin_unlock(&pool->lock);
	return moves;
}

/**
 * zbud_compact() - Move lone zpages together to free pages.
 * @pool: The pool.
 *
 * Moves the smallest lone zpage beside the lone zpage that best fits it,
 * through the pool's move callback, until no two lone zpages fit in one
 * page.  If the callback refuses the zpage, because it is in use, the
 * other moves instead; if it refuses both, and neither was freed
 * meanwhile, compaction stops.  Each move frees a page.  Does nothing if
 * the pool has no move callback; turning compaction off
 * (zbud.compaction=N) stops it before the next move.
 *
 * Context: Process context; the move callback may sleep.  Takes the pool
 * lock and drops it around each callback.
 * Return: The number of pages the moves freed.
 */
unsigned long zbud_compact(struct zbud_pool *pool)
{
	return zbud_compact_pages(pool, ULONG_MAX);
}
EXPORT_SYMBOL_GPL(zbud_compact);

static void zbud_compact_work(struct work_struct *work)
{
	zbud_compact(container_of(work, struct zbud_pool, compact_work));
}

/*
 * A free left a page with one zpage.  Compact only once the lone zpages
 * of at most half a page, any two of which share a page, are more than
 * 1/ZBUD_LONE_SHARE of the pool's pages, and not while the pool drains,
 * counting since compaction last ran.
 */
static void zbud_kick(struct zbud_pool *pool)
{
	struct zbud_page *src, *dst;

	pool->frees_since++;
	/* Any two lone zpages of at most half a page share one. */
	if (zbud_can_move(pool) &&
	    pool->allocs_since >=
	    DIV_ROUND_UP(pool->frees_since, ZBUD_DRAIN_RATIO) &&
	    pool->lone_small * ZBUD_LONE_SHARE > pool->stats.pages &&
	    (pool->lone_small > 1 || compact_pick(pool, &src, &dst)))
		queue_work(system_unbound_wq, &pool->compact_work);
}

static ssize_t zbud_compact_write(struct file *file, const char __user *buf,
				  size_t len, loff_t *ppos)
{
	zbud_compact(file->private_data);
	return len;
}

static const struct file_operations zbud_compact_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = zbud_compact_write,
	.llseek = noop_llseek,
};

/* Debugfs is best effort: a pool works the same without its directory. */
static void zbud_debugfs_add(struct zbud_pool *pool, const char *name)
{
	char id[16];
	size_t i;

	if (!name) {
		snprintf(id, sizeof(id), "pool%d",
			 atomic_inc_return(&zbud_pool_ids));
		name = id;
	}
	pool->debugfs = debugfs_create_dir(name, zbud_debugfs_root);
	for (i = 0; i < ARRAY_SIZE(zbud_stat_files); i++)
		debugfs_create_ulong(zbud_stat_files[i].name, 0444,
				     pool->debugfs,
				     (void *)&pool->stats +
				     zbud_stat_files[i].offset);
	debugfs_create_file("compact", 0200, pool->debugfs, pool,
			    &zbud_compact_fops);
}

static struct zbud_pool *zbud_create_named_pool(const char *name, gfp_t gfp,
						const struct zbud_ops *ops)
{
	struct zbud_pool *pool = kzalloc(sizeof(*pool), gfp);

	if (!pool)
		return NULL;
	/*
	 * A list head per unit of free space is a page's worth.  zswap's
	 * gfp mask cannot reclaim, so such a page could fail to come when
	 * memory is short, and the pool with it; GFP_KERNEL can, and lets
	 * kvcalloc() fall back to vmalloc.
	 */
	pool->buckets = kvcalloc(ZBUD_UNITS, sizeof(*pool->buckets),
				 GFP_KERNEL);
	if (!pool->buckets) {
		kfree(pool);
		return NULL;
	}
	spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->lru);
#ifdef CONFIG_DEBUG_VM
	xa_init(&pool->owned);
#endif
	pool->ops = ops;
	INIT_WORK(&pool->compact_work, zbud_compact_work);
	zbud_debugfs_add(pool, name);
	return pool;
}

/**
 * zbud_create_pool() - Create a zbud pool.
 * @gfp: Flags for the pool's descriptor, a small allocation.
 * @ops: The user's callbacks, or NULL if the pool is never reclaimed.
 *
 * The pool's free-space lists, a list head per unit, are allocated
 * with GFP_KERNEL whatever @gfp says, so that they can come from vmalloc
 * when no high-order page is free.  The pool's counters appear in debugfs
 * as zbud/pool<N>/.
 *
 * Context: Process context; may sleep.
 * Return: The new pool, or NULL if its memory could not be allocated.
 */
struct zbud_pool *zbud_create_pool(gfp_t gfp, const struct zbud_ops *ops)
{
	return zbud_create_named_pool(NULL, gfp, ops);
}
EXPORT_SYMBOL_GPL(zbud_create_pool);

/**
 * zbud_destroy_pool() - Destroy a zbud pool.
 * @pool: The pool, which should hold no zpages.
 *
 * A pool that still holds zpages is a bug in its user: it draws a
 * WARN_ONCE(), and its pages are freed all the same so that none leaks.
 *
 * Context: Process context; no other call on @pool may be in progress.
 */
void zbud_destroy_pool(struct zbud_pool *pool)
{
	struct zbud_page *zp, *next;

	debugfs_remove_recursive(pool->debugfs);
	cancel_work_sync(&pool->compact_work);
	spin_lock(&pool->lock);
	WARN_ONCE(pool->stats.pages, "destroying a pool with %lu pages\n",
		  pool->stats.pages);
	list_for_each_entry_safe(zp, next, &pool->lru, lru) {
		list_del(&zp->lru);
		zbud_release_page(pool, zp);
	}
	spin_unlock(&pool->lock);
#ifdef CONFIG_DEBUG_VM
	xa_destroy(&pool->owned);
#endif
	kvfree(pool->buckets);
	kfree(pool);
}
EXPORT_SYMBOL_GPL(zbud_destroy_pool);

/**
 * zbud_alloc() - Allocate a zpage.
 * @pool: The pool to allocate from.
 * @size: The zpage's size in bytes.
 * @gfp: Flags for a new page, should the pool need one.
 * @handle: Where to store the zpage's handle.
 *
 * The zpage goes into the page with the least free space that holds it,
 * or into a new page if none does.
 *
 * Context: Process context, atomic (under a spinlock, say) if @gfp does
 * not allow sleeping.  Never from an interrupt, hard or soft: the pool
 * lock, and under CONFIG_DEBUG_VM the xarray lock, is taken without
 * disabling either, so an interrupt that found it held would deadlock.
 * Return: 0 with *@handle set on success; -EINVAL if @size is 0 or @gfp
 * asks for highmem; -ENOSPC if @size is larger than PAGE_SIZE; -ENOMEM
 * if no page could be allocated.  On error the pool is unchanged.
 */
int zbud_alloc(struct zbud_pool *pool, size_t size, gfp_t gfp,
	       unsigned long *handle)
{
	unsigned int units;
	struct zbud_page *zp;

	if (!size || (gfp & __GFP_HIGHMEM))
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -ENOSPC;

	units = size_to_units(size);
	spin_lock(&pool->lock);
	zp = bucket_take(pool, units);
	if (!zp) {
		spin_unlock(&pool->lock);
		zp = zbud_new_page(pool, gfp);
		if (!zp)
			return -ENOMEM;
		spin_lock(&pool->lock);
		WRITE_ONCE(pool->stats.pages, pool->stats.pages + 1);
	}
	*handle = zbud_place(pool, zp, units);
	pool->allocs_since++;
	spin_unlock(&pool->lock);
	return 0;
}
EXPORT_SYMBOL_GPL(zbud_alloc);

/**
 * zbud_free() - Free a zpage.
 * @pool: The pool that holds the zpage.
 * @handle: The zpage's handle, from zbud_alloc().
 *
 * A page that is left empty goes back to the page allocator, unless
 * reclaim has isolated it or a move holds it; they free it then.  A page
 * left with one zpage may queue compaction (see the overview).  Under
 * CONFIG_DEBUG_VM a handle that is not live in @pool is ignored, and
 * reported with a warning the first time in each pool.
 *
 * Context: Process context, atomic or not.  Never from an interrupt, as
 * for zbud_alloc().
 */
void zbud_free(struct zbud_pool *pool, unsigned long handle)
{
	struct zbud_page *zp;

	spin_lock(&pool->lock);
	if (!zbud_free_ok(pool, handle))
		goto out;
	zp = handle_to_zp(handle);
	bucket_del(pool, zp);
	zp_set_units(pool, zp, handle_side(handle), 0);
	/* Reclaim or a move puts back or frees the page it works on. */
	if (list_empty(&zp->lru) || zp_held(zp))
		goto out;
	if (zp->sizes & ZBUD_SIZES_BITS) {
		bucket_add(pool, zp);
		zbud_kick(pool);
	} else {
		list_del(&zp->lru);
		zbud_release_page(pool, zp);
	}
out:
	spin_unlock(&pool->lock);
}
EXPORT_SYMBOL_GPL(zbud_free);

/*
 * Evicts the live zpages of an isolated page, first side first.  A side is
 * read afresh after each callback, because evict may free the other buddy.
 * The first failure ends the attempt: the page goes back on the LRU.
 */
static void zbud_evict_page(struct zbud_pool *pool, struct zbud_page *zp)
	__must_hold(&pool->lock)
{
	enum zbud_side side;
	unsigned long handle;
	int err;

	for (side = ZBUD_FIRST; side < ZBUD_SIDES; side++) {
		if (!zp_units(zp, side))
			continue;
		handle = zbud_handle(zp, side);
		spin_unlock(&pool->lock);
		err = pool->ops->evict(pool, handle);
		spin_lock(&pool->lock);
		if (err) {
			pool->stats.evict_failures++;
			return;
		}
	}
}

/**
 * zbud_reclaim_page() - Evict the zpages of the least recently used page.
 * @pool: The pool to reclaim from.
 * @retries: How many pages to try before giving up.
 *
 * Takes the least recently used page that no move holds off every list
 * and calls the pool's evict callback for each zpage on it, with the pool
 * lock dropped, up to the first that fails.  A callback that returns 0
 * has freed its handle with zbud_free(), or found that the handle was not
 * its to evict; either way zbud looks at both zpages afresh.  When the
 * page is empty it is freed; otherwise it goes back to the LRU head and
 * the next page is tried.
 *
 * Context: Process context; the evict callback may sleep.  Takes the pool
 * lock and drops it around each callback.
 * Return: 0 if a page was freed; -EINVAL if the pool has no evict
 * callback, @retries is 0 or no page is on the LRU (the pool is empty, or
 * other reclaimers have isolated every page for now); -EAGAIN if moves
 * hold every page on the LRU for now, or if @retries pages, or as many as
 * the pool holds, were tried, or the first page that failed was back as
 * the page nearest the LRU tail that no move holds, and none could be
 * freed.
 */
int zbud_reclaim_page(struct zbud_pool *pool, unsigned int retries)
{
	struct zbud_page *zp, *failed = NULL;
	unsigned int i, tries;
	int ret;

	if (!pool->ops || !pool->ops->evict || !retries)
		return -EINVAL;
	spin_lock(&pool->lock);
	zp = zbud_lru_tail(pool);
	if (!zp) {
		/* Pages that moves hold come back soon. */
		ret = list_empty(&pool->lru) ? -EINVAL : -EAGAIN;
		spin_unlock(&pool->lock);
		return ret;
	}
	pool->stats.reclaim_attempts++;
	/* The first page that failed may never come back: bound the tries. */
	tries = min_t(unsigned long, retries, pool->stats.pages);
	/* A page that failed went to the head: at the tail, each was tried. */
	for (i = 0; i < tries && zp != failed; i++) {
		zbud_isolate(pool, zp);
		zbud_evict_page(pool, zp);
		if (zbud_putback(pool, zp)) {
			pool->stats.reclaim_successes++;
			spin_unlock(&pool->lock);
			return 0;
		}
		if (!failed)
			failed = zp;
		/* Not NULL: zp itself is back on the LRU, and not held. */
		zp = zbud_lru_tail(pool);
	}
	spin_unlock(&pool->lock);
	return -EAGAIN;
}
EXPORT_SYMBOL_GPL(zbud_reclaim_page);

/**
 * zbud_map() - Get a pointer to a zpage's data.
 * @pool: The pool that holds the zpage.
 * @handle: The zpage's handle.
 *
 * zbud pages are never in highmem, so the handle is the address.
 *
 * Context: Any context.
 * Return: The address of the zpage's first byte.
 */
void *zbud_map(struct zbud_pool *pool, unsigned long handle)
{
	return (void *)handle;
}
EXPORT_SYMBOL_GPL(zbud_map);

/**
 * zbud_unmap() - Release a pointer from zbud_map().
 * @pool: The pool that holds the zpage.
 * @handle: The zpage's handle.
 *
 * Context: Any context.
 */
void zbud_unmap(struct zbud_pool *pool, unsigned long handle)
{
}
EXPORT_SYMBOL_GPL(zbud_unmap);

/**
 * zbud_get_pool_size() - Count a pool's pages.
 * @pool: The pool.
 *
 * Context: Any context.  The count may be stale by the time it is used.
 * Return: The number of pages the pool holds.
 */
u64 zbud_get_pool_size(struct zbud_pool *pool)
{
	return READ_ONCE(pool->stats.pages);
}
EXPORT_SYMBOL_GPL(zbud_get_pool_size);

static int zbud_zpool_evict(struct zbud_pool *pool, unsigned long handle)
{
	return pool->zpool_ops->evict(pool->zpool, handle);
}

static int zbud_zpool_move(struct zbud_pool *pool, unsigned long old,
			   unsigned long new)
{
	return pool->zpool_ops->move(pool->zpool, old, new);
}

static const struct zbud_ops zbud_zpool_evict_ops = {
	.evict = zbud_zpool_evict,
};

static const struct zbud_ops zbud_zpool_move_ops = {
	.evict = zbud_zpool_evict,
	.move = zbud_zpool_move,
};

static void *zbud_zpool_create(const char *name, gfp_t gfp,
			       const struct zpool_ops *zpool_ops,
			       struct zpool *zpool)
{
	const struct zbud_ops *ops = NULL;
	struct zbud_pool *pool;

	if (zpool_ops && zpool_ops->evict)
		ops = zpool_ops->move ? &zbud_zpool_move_ops :
					&zbud_zpool_evict_ops;
	pool = zbud_create_named_pool(name, gfp, ops);
	if (pool) {
		pool->zpool = zpool;
		pool->zpool_ops = zpool_ops;
	}
	return pool;
}

static void zbud_zpool_destroy(void *pool)
{
	zbud_destroy_pool(pool);
}

static int zbud_zpool_malloc(void *pool, size_t size, gfp_t gfp,
			     unsigned long *handle)
{
	return zbud_alloc(pool, size, gfp, handle);
}

static void zbud_zpool_free(void *pool, unsigned long handle)
{
	zbud_free(pool, handle);
}

/* Compaction first: a copy costs less than writing a zpage back. */
static int zbud_zpool_shrink(void *pool, unsigned int pages,
			     unsigned int *reclaimed)
{
	unsigned int done = zbud_compact_pages(pool, pages);
	int err = 0;

	while (done < pages) {
		err = zbud_reclaim_page(pool, ZBUD_RECLAIM_RETRIES);
		if (err)
			break;
		done++;
	}
	if (reclaimed)
		*reclaimed = done;
	return err;
}

static void *zbud_zpool_map(void *pool, unsigned long handle,
			    enum zpool_mapmode mode)
{
	return zbud_map(pool, handle);
}

static void zbud_zpool_unmap(void *pool, unsigned long handle)
{
	zbud_unmap(pool, handle);
}

static u64 zbud_zpool_total_size(void *pool)
{
	return zbud_get_pool_size(pool) * PAGE_SIZE;
}

static struct zpool_driver zbud_zpool_driver = {
	.type =		"zbud",
	.sleep_mapped =	true,
	.owner =	THIS_MODULE,
	.create =	zbud_zpool_create,
	.destroy =	zbud_zpool_destroy,
	.malloc =	zbud_zpool_malloc,
	.free =		zbud_zpool_free,
	.shrink =	zbud_zpool_shrink,
	.map =		zbud_zpool_map,
	.unmap =	zbud_zpool_unmap,
	.total_size =	zbud_zpool_total_size,
};

MODULE_ALIAS("zpool-zbud");

static int __init zbud_init(void)
{
	zbud_debugfs_root = debugfs_create_dir("zbud", NULL);
	zpool_register_driver(&zbud_zpool_driver);
	pr_info("loaded\n");
	return 0;
}

static void __exit zbud_exit(void)
{
	zpool_unregister_driver(&zbud_zpool_driver);
	debugfs_remove_recursive(zbud_debugfs_root);
	pr_info("unloaded\n");
}

module_init(zbud_init);
module_exit(zbud_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Seth Jennings <sjennings@variantweb.net>");
MODULE_DESCRIPTION("Buddy allocator for compressed pages");
