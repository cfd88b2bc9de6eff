// SPDX-License-Identifier: GPL-2.0-only
/*
 * Model-based random test of mm/zbud.c.
 *
 * MODEL_OPS operations (default 2,000,000; 500,000 without
 * CONFIG_DEBUG_VM) drawn from SEED (default: from the clock, printed)
 * mix allocations of sizes 1..PAGE_SIZE + 16 (and 0), frees, maps that
 * verify and rewrite a zpage, and reclaims whose evict callback
 * succeeds, fails or frees the other buddy first, and sometimes
 * allocates, frees or maps on other pages meanwhile.  Compaction runs
 * directly and from the work item frees queue, and zbud.compaction is
 * switched off and on; the move callback copies and repoints, or refuses
 * a zpage the model has pinned (as if mapped) or at random, and frees
 * the zpage, the destination's zpage or others meanwhile, or reclaims,
 * which must step over the two pages the move holds.
 * Page and xarray allocation failures are injected.  The program is
 * built twice, with and without CONFIG_DEBUG_VM, as zbud would ship.
 *
 * A reference model follows every call.  It knows which zpages share a
 * page (from the handles), keeps the LRU order and the free space of
 * every page that holds one zpage, and so predicts exactly: the errno of
 * each alloc, the page best fit must choose and where in it the zpage
 * goes, which handles reclaim evicts in which order, and what it
 * returns; which pair compaction must pick (by free-space class), where
 * the zpage goes, that a refused zpage's partner moves the other way, and
 * whether a free queues the work, by zbud's rule (see free_zobj()).
 * After every operation it compares the pool's page count and zpage
 * count, and the bytes of every zpage the operation touched; every
 * 100,000 operations and at the end it checks every byte of every live
 * zpage and the allocator's internal lists.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>
#include "harness.h"
#include "test.h"
#include "zalloc.h"

/* Built with -DPAGE_SHIFT=16 and 18 too, as for 64 and 256 KiB pages. */
#ifndef PAGE_SHIFT
#define PAGE_SHIFT	12
#endif
#define PAGE		(1UL << PAGE_SHIFT)
/* zbud's unit: 8 bytes, 16 with 256 KiB pages. */
#define UNIT		(PAGE_SHIFT > 16 ? 16 : 8)
#define UNITS		(PAGE / UNIT)
#define ARENA_PAGES	(1UL << 16)
#define MAX_LIVE	8192
#define FULL_CHECK	100000

/* Under CONFIG_DEBUG_VM zbud records its pages in an xarray. */
#ifdef CONFIG_DEBUG_VM
#define XA_TRACKS_PAGES	true
#else
#define XA_TRACKS_PAGES	false
#endif

enum { FIRST, LAST };

struct zobj {
	unsigned long handle;
	unsigned int size;
	uint32_t seed;
	unsigned int slot;		/* index in model.live */
};

struct mpage {
	struct zobj *side[2];
	struct list_head lru;		/* model LRU, most recent first */
	bool present;
	bool isolated;			/* taken by reclaim, or a move */
};

static const struct zalloc *const z = &zalloc_zbud;

static struct {
	uint64_t rng;
	unsigned long seed;
	unsigned long op;
	void *pool;
	struct mpage *pages;		/* one per arena page */
	struct list_head lru;
	unsigned long npages;
	struct zobj *live[MAX_LIVE];
	unsigned int nlive;
	unsigned int target;		/* live zpages the mix steers to */
	unsigned int singles[UNITS + 1];	/* pages by free units */
	uint64_t single_map[UNITS / 64 + 1];
	unsigned long counts[8];	/* operations done, by kind */
	unsigned long reclaims;		/* past reclaim's argument checks */
	unsigned long reclaimed;	/* pages reclaim freed */
	unsigned long evict_failures;
	bool compaction;		/* zbud.compaction */
	struct zobj *pinned;		/* mapped: a move must refuse it */
	unsigned int reserved;		/* a move's destination side */
	unsigned long compacted;	/* pages compaction freed */
	unsigned long bytes_moved;
	unsigned long move_failures;
	unsigned long moves_run;	/* moves in the current compaction */
	unsigned long moves_failed;	/* of those, refused */
	bool merge_failed;		/* a pair that neither zpage left */
	bool merge_emptied;		/* a pair a free took a zpage of */
	struct mpage *back_src;		/* after a refusal, the move the */
	struct mpage *back_dst;		/* other way that must come next */
	unsigned long kicks;		/* frees that queued compaction */
	unsigned long kicks_skipped;	/* pairable frees that did not */
	/* zbud's inputs to that decision, see free_zobj() */
	unsigned long lone_small;	/* singles with half a page free */
	unsigned long allocs_since;	/* since compaction last ran */
	unsigned long frees_since;	/* frees that left a listed single */
} m;

#define MCHECK(cond) do {						\
	if (!(cond))							\
		model_fail(__LINE__, #cond);				\
} while (0)

static void __attribute__((noreturn)) model_fail(int line, const char *what)
{
	test_note("op %lu of SEED=%lu failed", m.op, m.seed);
	test_fail(__FILE__, line, "%s", what);
}

static uint64_t rnd(void)
{
	uint64_t x = (m.rng += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static unsigned long below(unsigned long n)
{
	return rnd() % n;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* Zpage contents: 8-byte words derived from the zpage's seed. */
static uint64_t word(uint32_t seed, size_t k)
{
	uint64_t x = (seed + 1ULL) * 0x9e3779b97f4a7c15ULL ^
		     k * 0xd6e8feb86659fd93ULL;

	return x ^ (x >> 29);
}

static void fill(struct zobj *o)
{
	uint64_t *p = z->map(m.pool, o->handle), w;
	size_t k, words = o->size / 8;

	for (k = 0; k < words; k++)
		p[k] = word(o->seed, k);
	w = word(o->seed, k);
	memcpy(p + k, &w, o->size % 8);
	z->unmap(m.pool, o->handle);
}

static void verify(const struct zobj *o)
{
	const uint64_t *p = z->map(m.pool, o->handle);
	size_t k, words = o->size / 8;
	uint64_t w;

	for (k = 0; k < words; k++)
		if (p[k] != word(o->seed, k))
			break;
	w = word(o->seed, k);
	MCHECK(k == words && !memcmp(p + k, &w, o->size % 8));
	z->unmap(m.pool, o->handle);
}

static struct mpage *mpage(unsigned long handle)
{
	unsigned long i = (handle - (unsigned long)arena_map.base) / PAGE;

	MCHECK(i < ARENA_PAGES);
	return &m.pages[i];
}

static unsigned long mpage_addr(const struct mpage *pg)
{
	return (unsigned long)arena_map.base + (pg - m.pages) * PAGE;
}

static unsigned int units(unsigned int size)
{
	return (size + UNIT - 1) / UNIT;
}

static unsigned int used_units(const struct mpage *pg)
{
	return (pg->side[FIRST] ? units(pg->side[FIRST]->size) : 0) +
	       (pg->side[LAST] ? units(pg->side[LAST]->size) : 0);
}

static unsigned int count(const struct mpage *pg)
{
	return !!pg->side[FIRST] + !!pg->side[LAST];
}

/* The free-space index of pages that hold one zpage. */
static void single_update(struct mpage *pg, int delta)
{
	unsigned int free = UNITS - used_units(pg);

	if (count(pg) != 1 || !free || pg->isolated)
		return;
	m.singles[free] += delta;
	if (free >= UNITS / 2)
		m.lone_small += delta;
	if (m.singles[free])
		m.single_map[free / 64] |= 1ULL << (free % 64);
	else
		m.single_map[free / 64] &= ~(1ULL << (free % 64));
}

/* The least free space of a one-zpage page that holds @u units, or 0. */
static unsigned int best_fit(unsigned int u)
{
	unsigned int w = u / 64;
	uint64_t bits = m.single_map[w] & (~0ULL << (u % 64));

	while (!bits && ++w <= UNITS / 64)
		bits = m.single_map[w];
	return bits ? w * 64 + __builtin_ctzll(bits) : 0;
}

/* The class of the one-zpage pages with the most free space, or 0. */
static unsigned int max_single(void)
{
	int w;

	for (w = UNITS / 64; w >= 0; w--)
		if (m.single_map[w])
			return w * 64 + 63 - __builtin_clzll(m.single_map[w]);
	return 0;
}

/*
 * The class of the page with the least free space that holds the zpage
 * of @pg, a listed one-zpage page of class @free, other than @pg; or 0.
 */
static unsigned int fit_beside(unsigned int free)
{
	unsigned int c;

	for (c = UNITS - free; c <= UNITS; c++)
		if (m.singles[c] > (c == free))
			return c;
	return 0;
}

/* Whether two listed one-zpage pages fit in one: compaction has work. */
static bool pair_exists(void)
{
	unsigned int free = max_single();

	return free && fit_beside(free);
}

static void live_add(struct zobj *o)
{
	o->slot = m.nlive;
	m.live[m.nlive++] = o;
}

static void live_del(struct zobj *o)
{
	struct zobj *last = m.live[--m.nlive];

	last->slot = o->slot;
	m.live[o->slot] = last;
}

/* Takes @o out of the model after the allocator freed it. */
static void model_forget(struct zobj *o)
{
	struct mpage *pg = mpage(o->handle);
	int side = pg->side[FIRST] == o ? FIRST : LAST;

	MCHECK(pg->side[side] == o);
	single_update(pg, -1);
	pg->side[side] = NULL;
	live_del(o);
	if (m.pinned == o)
		m.pinned = NULL;
	free(o);
	if (pg->isolated)
		return;		/* the reclaimer decides about the page */
	if (!count(pg)) {
		list_del(&pg->lru);
		pg->present = false;
		m.npages--;
	} else {
		single_update(pg, 1);
	}
}

static struct zobj *buddy_of(const struct zobj *o)
{
	struct mpage *pg = mpage(o->handle);

	return pg->side[pg->side[FIRST] == o ? LAST : FIRST];
}

/*
 * zbud's rule for queueing compaction, from the overview in mm/zbud.c:
 * a free queues it once the lone zpages of at most half a page are more
 * than 1/LONE_SHARE of the pool's pages, and not while the pool drains
 * (fewer than one allocation per DRAIN_RATIO frees), both counted since
 * compaction last ran.  The values are the documented ones, not zbud's
 * macros, so that a change to them shows here.
 */
#define LONE_SHARE	512
#define DRAIN_RATIO	8

/* zbud counts afresh as each run starts, before any move. */
static void compaction_runs(void)
{
	if (!m.compaction)
		return;
	m.allocs_since = 0;
	m.frees_since = 0;
}

/*
 * Frees @o and checks that the free queued compaction exactly when it
 * left a listed page with one zpage, compaction has work (two listed
 * lone zpages fit in one page) and zbud's rule above says it is worth
 * running.
 */
static void free_zobj(struct zobj *o)
{
	struct zobj *buddy = buddy_of(o);
	struct mpage *pg = mpage(o->handle);
	unsigned long pending = harness_work_pending();
	unsigned long queued = harness_work_queued();
	bool single, pairable, kick;

	verify(o);
	z->free(m.pool, o->handle);
	model_forget(o);
	single = pg->present && !pg->isolated && count(pg) == 1;
	m.frees_since += single;
	pairable = single && m.compaction && !pending && pair_exists();
	kick = pairable && m.lone_small * LONE_SHARE > m.npages &&
	       m.frees_since <= m.allocs_since * DRAIN_RATIO;
	MCHECK(harness_work_queued() - queued == kick);
	m.kicks += kick;
	m.kicks_skipped += pairable && !kick;
	if (buddy)
		verify(buddy);
}

static unsigned int random_size(void)
{
	unsigned int r = below(1000);

	if (r < 10)
		return 0;
	if (r < 25)
		return PAGE + 1 + below(16);
	if (r < 35)
		return PAGE;
	if (r < 450)
		return 1 + below(PAGE);
	if (r < 800)
		return 800 + below(2400);
	return 1 + below(600);
}

/* Places a new zpage in the model and checks where the allocator put it. */
static void model_place(struct zobj *o, unsigned int fit)
{
	struct mpage *pg = mpage(o->handle);
	unsigned long addr = mpage_addr(pg);
	unsigned int u = units(o->size);

	MCHECK(o->handle % UNIT == 0);
	if (!fit) {
		MCHECK(!pg->present);
		MCHECK(o->handle == addr);
		pg->present = true;
		pg->isolated = false;
		pg->side[FIRST] = o;
		m.npages++;
	} else {
		MCHECK(pg->present && !pg->isolated && count(pg) == 1);
		MCHECK(UNITS - used_units(pg) == fit);
		single_update(pg, -1);
		if (pg->side[FIRST]) {
			MCHECK(o->handle == addr + PAGE - u * UNIT);
			pg->side[LAST] = o;
		} else {
			MCHECK(o->handle == addr);
			pg->side[FIRST] = o;
		}
		list_del(&pg->lru);
	}
	list_add(&pg->lru, &m.lru);
	single_update(pg, 1);
}

static void check_counts(void);

static void op_alloc(void)
{
	unsigned int size = random_size(), fit = 0;
	unsigned int gfp = ZALLOC_GFP_KERNEL;
	unsigned long handle, page_fails, xa_fails;
	bool inject_page = chance(3), inject_xa = XA_TRACKS_PAGES && chance(1);
	int want = 0, err;
	struct zobj *o;

	if (chance(1))
		gfp |= ZALLOC_GFP_HIGHMEM;
	if (!size || (gfp & ZALLOC_GFP_HIGHMEM))
		want = -EINVAL;
	else if (size > PAGE)
		want = -ENOSPC;
	else
		fit = best_fit(units(size));
	if (!want && !fit && (inject_page || inject_xa))
		want = -ENOMEM;
	fail_page_alloc.times = inject_page;
	fail_xa_insert.times = inject_xa && !inject_page;
	page_fails = fail_page_alloc.failures;
	xa_fails = fail_xa_insert.failures;

	err = z->alloc(m.pool, size, gfp, &handle);

	/* An injected failure is used exactly when a new page is needed. */
	MCHECK(fail_page_alloc.failures - page_fails ==
	       (want == -ENOMEM && inject_page));
	MCHECK(fail_xa_insert.failures - xa_fails ==
	       (want == -ENOMEM && !inject_page));
	fail_knob_reset(&fail_page_alloc);
	fail_knob_reset(&fail_xa_insert);
	MCHECK(err == want);
	if (err)
		return;
	m.allocs_since++;
	MCHECK(m.nlive < MAX_LIVE);
	o = malloc(sizeof(*o));
	MCHECK(o);
	o->handle = handle;
	o->size = size;
	o->seed = rnd();
	model_place(o, fit);
	live_add(o);
	fill(o);
	if (buddy_of(o))
		verify(buddy_of(o));
}

/* A random live zpage that is on neither busy page, or NULL. */
static struct zobj *pick(const struct mpage *busy, const struct mpage *busy2)
{
	struct mpage *pg;
	struct zobj *o;
	int tries;

	for (tries = 0; tries < 4 && m.nlive; tries++) {
		o = m.live[below(m.nlive)];
		pg = mpage(o->handle);
		/* Nor a page that a move holds, when reclaim runs in it. */
		if (pg != busy && pg != busy2 && !pg->isolated)
			return o;
	}
	return NULL;
}

static void op_free(const struct mpage *busy, const struct mpage *busy2)
{
	struct zobj *o = pick(busy, busy2);

	if (o)
		free_zobj(o);
}

static void op_map(const struct mpage *busy, const struct mpage *busy2)
{
	struct zobj *o = pick(busy, busy2);

	if (!o)
		return;
	verify(o);
	o->seed = rnd();
	fill(o);
}

/*
 * What the running reclaim is expected to do next: the model follows it
 * callback by callback.
 */
static struct {
	struct mpage *cur;		/* page being evicted, or NULL */
	struct mpage *failed;		/* first page put back, or NULL */
	unsigned int tried;		/* pages isolated so far */
	unsigned long tries;		/* at most: retries, or pool pages */
	bool freed;			/* a page was emptied */
	bool locked;			/* a callback ran under a spinlock */
} rc;

/* The page nearest the LRU tail that no move holds, or NULL. */
static struct mpage *lru_tail(void)
{
	struct mpage *pg;

	list_for_each_entry_reverse(pg, &m.lru, lru)
		if (!pg->isolated)
			return pg;
	return NULL;
}

/* The first callback for a page: it must be the LRU tail. */
static struct mpage *reclaim_isolate(unsigned long handle)
{
	struct mpage *tail = lru_tail();

	MCHECK(tail && rc.tried < rc.tries);
	MCHECK(mpage(handle) == tail);
	/* Once the first page that failed is back at the tail, it stops. */
	MCHECK(tail != rc.failed);
	single_update(tail, -1);
	list_del_init(&tail->lru);
	tail->isolated = true;
	rc.tried++;
	return tail;
}

static void reclaim_putback(struct mpage *pg)
{
	pg->isolated = false;
	list_add(&pg->lru, &m.lru);
	single_update(pg, 1);
}

/*
 * Writeback allocates memory, and reclaim can store into the same pool
 * meanwhile: an operation from inside evict or move, on any page but
 * the busy ones.
 */
static void nested_op(const struct mpage *busy, const struct mpage *busy2)
{
	unsigned int r = below(3);

	if (r == 0)
		op_alloc();
	else if (r == 1)
		op_free(busy, busy2);
	else
		op_map(busy, busy2);
	check_counts();
	m.counts[4]++;
}

static int model_evict(void *pool, unsigned long handle)
{
	struct mpage *pg = rc.cur;
	struct zobj *o, *other;
	int side;

	rc.locked |= shim_locks_held != 0;
	MCHECK(!rc.freed);
	if (!pg) {
		pg = reclaim_isolate(handle);
		rc.cur = pg;
		side = pg->side[FIRST] ? FIRST : LAST;
	} else {
		/* Only after a successful first side comes the last. */
		MCHECK(mpage(handle) == pg && !pg->side[FIRST]);
		side = LAST;
	}
	o = pg->side[side];
	MCHECK(o && o->handle == handle);
	verify(o);
	if (chance(10))
		nested_op(pg, NULL);
	other = side == FIRST ? pg->side[LAST] : NULL;
	if (other && chance(25)) {
		free_zobj(other);
		other = NULL;
	}
	if (chance(30)) {
		rc.cur = NULL;
		if (!rc.failed)
			rc.failed = pg;
		reclaim_putback(pg);
		m.evict_failures++;
		return -EBUSY;
	}
	z->free(pool, handle);
	model_forget(o);
	if (!other) {
		/* Empty: the reclaimer frees it and returns 0. */
		rc.cur = NULL;
		rc.freed = true;
		pg->present = false;
		pg->isolated = false;
		m.npages--;
	}
	return 0;
}

static void op_reclaim(void)
{
	unsigned int retries = chance(3) ? 0 : 1 + below(4);
	bool empty = list_empty(&m.lru), held = !empty && !lru_tail();
	int err, want;

	m.counts[6] += held;

	memset(&rc, 0, sizeof(rc));
	rc.tries = min_t(unsigned long, retries, m.npages);
	err = z->reclaim(m.pool, retries);
	MCHECK(!rc.locked);
	MCHECK(!rc.cur);
	if (!retries || empty)
		want = -EINVAL;
	else
		want = rc.freed ? 0 : -EAGAIN;
	MCHECK(err == want);
	/* Failed pages go back to the head: it stops on seeing the first. */
	if (want == -EAGAIN && !held)
		MCHECK(rc.tried == rc.tries || lru_tail() == rc.failed);
	/* Moves hold every page: nothing tried, try again. */
	if (want == -EINVAL || held)
		MCHECK(rc.tried == 0);
	else
		m.reclaims++;
	m.reclaimed += !err;
}

/* Ends a move's hold on @pg: it keeps its LRU place, or goes if empty. */
static void move_putback(struct mpage *pg)
{
	pg->isolated = false;
	if (count(pg)) {
		single_update(pg, 1);
		return;
	}
	list_del(&pg->lru);
	pg->present = false;
	m.npages--;
}

/* A move holds @pg: off the free-space lists, on the LRU. */
static void isolate(struct mpage *pg)
{
	single_update(pg, -1);
	pg->isolated = true;
}

/*
 * Ends a move's isolation of both pages, done or refused, in zbud's
 * order: the pair's destination first, which is @src on a move back.
 */
static void move_done(struct mpage *src, struct mpage *dst, bool back)
{
	move_putback(back ? src : dst);
	move_putback(back ? dst : src);
}

/*
 * Checks a move the other way after a refused one: the zpage of the
 * page the refused zpage was to go to moves beside the refused one.
 */
static void check_back(struct mpage *src, struct mpage *dst)
{
	MCHECK(src == m.back_src && dst == m.back_dst);
	MCHECK(src->isolated && dst->isolated);
	MCHECK(count(src) == 1 && count(dst) == 1);
	m.back_src = NULL;
	m.back_dst = NULL;
}

/* Checks the move compaction must pick first, and isolates its pages. */
static void check_pick(struct mpage *src, struct mpage *dst)
{
	unsigned int free = max_single(), fit;

	MCHECK(free && src->present && !src->isolated && count(src) == 1);
	MCHECK(UNITS - used_units(src) == free);
	fit = fit_beside(free);
	MCHECK(fit && dst != src && dst->present && !dst->isolated &&
	       count(dst) == 1 && UNITS - used_units(dst) == fit);
	isolate(dst);
	isolate(src);
}

/*
 * The move callback: compaction must move the zpage of a page in the
 * class with the most free space to the free side of a page in the
 * class of its best fit, or after a refusal that one's zpage the other
 * way.  The model copies and repoints, or refuses.
 */
static int model_move(void *pool, unsigned long old, unsigned long new)
{
	struct mpage *src = mpage(old), *dst = mpage(new);
	bool back = m.back_src;
	int from, to, err = 0;
	struct zobj *o;
	unsigned int u;

	MCHECK(!shim_locks_held);
	MCHECK(m.compaction && !m.reserved);
	if (back)
		check_back(src, dst);
	else
		check_pick(src, dst);
	from = src->side[FIRST] ? FIRST : LAST;
	o = src->side[from];
	MCHECK(o->handle == old);
	u = units(o->size);
	to = dst->side[FIRST] ? LAST : FIRST;
	MCHECK(u <= UNITS - used_units(dst));
	MCHECK(new == mpage_addr(dst) + (to == FIRST ? 0 : PAGE - u * UNIT));
	m.reserved = 1;
	m.moves_run++;
	verify(o);
	if (chance(10))
		nested_op(src, dst);
	/* Reclaim steps over the held pages, which keep their LRU places. */
	if (chance(10)) {
		op_reclaim();
		m.counts[7]++;
	}
	if (chance(10))
		free_zobj(dst->side[!to]);
	if (o == m.pinned || chance(10)) {
		if (chance(30)) {
			free_zobj(o);
			err = -ENOENT;
		} else {
			err = -EBUSY;
		}
	}
	m.reserved = 0;
	if (err) {
		m.move_failures++;
		m.moves_failed++;
		if (!back && count(src) == 1 && count(dst) == 1) {
			m.back_src = dst;
			m.back_dst = src;
			return err;
		}
		/* zbud goes on only if a page of the pair is empty. */
		if (count(src) && count(dst))
			m.merge_failed = true;
		else
			m.merge_emptied = true;
		move_done(src, dst, back);
		return err;
	}
	memcpy((void *)new, (void *)old, o->size);
	o->handle = new;
	src->side[from] = NULL;
	dst->side[to] = o;
	verify(o);
	move_done(src, dst, back);
	MCHECK(!src->present);
	m.compacted++;
	m.bytes_moved += u * UNIT;
	return 0;
}

/*
 * Compaction, directly or from the work item, sometimes with a zpage
 * pinned; or zbud.compaction switched.  Unless both zpages of a pair
 * were refused and stayed, no two lone zpages fit in one page
 * afterwards, even if frees emptied pages of pairs it picked.
 */
static void op_compact(void)
{
	unsigned int r = below(100);
	unsigned long ret = 0;
	bool pairs = pair_exists();

	if (r < 3 || (!m.compaction && r < 50)) {
		m.compaction = !m.compaction;
		MCHECK(!harness_param_set("zbud.compaction",
					  m.compaction ? "Y" : "N"));
		return;
	}
	m.pinned = chance(20) && m.nlive ? m.live[below(m.nlive)] : NULL;
	m.moves_run = 0;
	m.moves_failed = 0;
	m.merge_failed = false;
	m.merge_emptied = false;
	if (r < 70) {
		compaction_runs();
		ret = z->compact(m.pool);
		MCHECK(ret == m.moves_run - m.moves_failed);
		MCHECK(!m.compaction || m.merge_failed || m.merge_emptied ||
		       !pairs || ret);
	} else {
		/* A free in a move may queue the work again: a new run. */
		while (harness_work_pending()) {
			compaction_runs();
			MCHECK(harness_run_one_work());
		}
	}
	m.pinned = NULL;
	MCHECK(!m.back_src);
	if (!m.compaction)
		MCHECK(m.moves_run == 0);
	else if (!m.merge_failed && (r < 70 || m.moves_run))
		MCHECK(!pair_exists());
}

static unsigned long counter(const char *name)
{
	unsigned long value = 0;

	MCHECK(!z->stat(m.pool, name, &value));
	return value;
}

/* After every operation. */
static void check_counts(void)
{
	MCHECK(z->pool_pages(m.pool) == m.npages);
	MCHECK(z->pool_pages(m.pool) <= m.nlive + m.reserved);
	MCHECK(counter("zpages") == m.nlive + m.reserved);
}

/* Every FULL_CHECK operations and at the end. */
static void check_everything(void)
{
	unsigned long full = 0, bytes = 0, i;
	char why[160];

	for (i = 0; i < m.nlive; i++) {
		struct zobj *o = m.live[i];

		verify(o);
		bytes += units(o->size) * UNIT;
		full += !!buddy_of(o);
	}
	if (z->check(m.pool, why, sizeof(why))) {
		test_note("%s", why);
		MCHECK(!"the allocator's lists agree with its counters");
	}
	MCHECK(counter("pages") == m.npages);
	MCHECK(counter("pages_full") == full / 2);
	MCHECK(counter("pages_single") == m.npages - full / 2);
	MCHECK(counter("bytes") == bytes);
	MCHECK(counter("reclaim_attempts") == m.reclaims);
	MCHECK(counter("reclaim_successes") == m.reclaimed);
	MCHECK(counter("evict_failures") == m.evict_failures);
	MCHECK(counter("pages_compacted") == m.compacted);
	MCHECK(counter("bytes_moved") == m.bytes_moved);
	MCHECK(counter("move_failures") == m.move_failures);
}

/* Steers the live count: long phases of growth, shrinkage and drains. */
static void pick_target(void)
{
	static const unsigned int targets[] = { 3000, 200, 6000, 0, 1500 };

	if (m.op % 150000 == 0)
		m.target = targets[(m.op / 150000) % 5];
}

static void one_op(void)
{
	unsigned int r = below(100), grow = m.nlive < m.target ? 55 : 20;

	pick_target();
	if (r < grow) {
		op_alloc();
		m.counts[0]++;
	} else if (r < 75) {
		op_free(NULL, NULL);
		m.counts[1]++;
	} else if (r < 90) {
		op_map(NULL, NULL);
		m.counts[2]++;
	} else if (r < 96) {
		op_reclaim();
		m.counts[3]++;
	} else {
		op_compact();
		m.counts[5]++;
	}
	check_counts();
}

static void model_setup(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	m.seed = test_env_ulong("SEED", (ts.tv_sec * 1000003UL) ^
				ts.tv_nsec ^ getpid());
	m.rng = m.seed;
	INIT_LIST_HEAD(&m.lru);
	m.pages = calloc(ARENA_PAGES, sizeof(*m.pages));
	MCHECK(m.pages);
	m.pool = z->create_movable(model_evict, model_move);
	m.compaction = true;
	MCHECK(!harness_param_set("zbud.compaction", "Y"));
	MCHECK(m.pool);
	MCHECK(arena_map.pages == ARENA_PAGES);
}

TEST(model_random)
{
	unsigned long ops = test_env_ulong("MODEL_OPS",
					   PAGE_SHIFT > 16 ? 50000 :
					   PAGE_SHIFT != 12 ? 200000 :
					   XA_TRACKS_PAGES ? 2000000 : 500000);

	model_setup();
	test_note("SEED=%lu MODEL_OPS=%lu", m.seed, ops);
	for (m.op = 0; m.op < ops; m.op++) {
		one_op();
		if (m.op % FULL_CHECK == FULL_CHECK - 1)
			check_everything();
	}
	check_everything();
	test_note("%lu allocs, %lu frees, %lu maps, %lu reclaims",
		  m.counts[0], m.counts[1], m.counts[2], m.counts[3]);
	test_note("%lu operations from inside evict or move", m.counts[4]);
	test_note("%lu compactions: %lu pages freed, %lu bytes moved, %lu moves refused",
		  m.counts[5], m.compacted, m.bytes_moved, m.move_failures);
	test_note("%lu frees queued compaction, %lu pairable ones did not",
		  m.kicks, m.kicks_skipped);
	test_note("%lu reclaims from inside a move, %lu of all reclaims found every page held",
		  m.counts[7], m.counts[6]);
	test_note("alloc_page %lu (%lu failed), xa_insert %lu (%lu failed)",
		  fail_page_alloc.calls, fail_page_alloc.failures,
		  fail_xa_insert.calls, fail_xa_insert.failures);
	while (m.nlive)
		free_zobj(m.live[m.nlive - 1]);
	MCHECK(!harness_param_set("zbud.compaction", "Y"));
	check_counts();
	MCHECK(m.npages == 0);
	z->destroy(m.pool);
	free(m.pages);
}

int main(int argc, char **argv)
{
	arena_init(ARENA_PAGES);
	return test_main(argc, argv);
}
