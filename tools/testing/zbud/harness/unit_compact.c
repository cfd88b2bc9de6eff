// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of zbud's compaction: which zpage moves where, the
 * counters, a move that fails or frees zpages meanwhile, the work item
 * a free queues, the debugfs file "compact", zpool's shrink and destroy.
 * Linked into asan/unit with unit.c.
 *
 * The user here keeps a table of objects.  Its move callback finds the
 * object at the old handle, refuses it while it is mapped, and otherwise
 * copies it and repoints the table, as zswap does; a test may hook the
 * callback to free, allocate or fail meanwhile.  Every object's bytes
 * derive from its own seed, so that they can be checked wherever the
 * object moved.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/debugfs.h>
#include <linux/moduleparam.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/zpool.h>
#include "harness.h"
#include "test.h"
#include "zalloc.h"

#define PAGE		4096UL
#define GFP		ZALLOC_GFP_KERNEL
#define MAX_OBJS	32
#define MAX_MOVES	16

static const struct zalloc *const z = &zalloc_zbud;

struct obj {
	unsigned long handle;
	size_t size;
	uint32_t seed;
	bool live;
	bool mapped;		/* the user's pin: move must refuse */
};

struct move_rec {
	unsigned long old, new;
	int ret;
};

/* A move hook returns the callback's result, or 1 to move as usual. */
typedef int (*move_hook_t)(struct obj *o, unsigned long old,
			   unsigned long new);

static struct {
	void *pool;
	struct obj objs[MAX_OBJS];
	unsigned int nobjs;
	struct move_rec log[MAX_MOVES];
	unsigned int calls;
	unsigned int moves;
	unsigned int evicts;
	bool busy;		/* the evict callback refuses every zpage */
	unsigned int refused;	/* evicts it refused */
	bool locked;		/* a callback ran under a spinlock */
	move_hook_t hook;
	struct obj *victim;	/* what a hook frees */
	struct obj *extra;	/* what a hook allocates */
	int entered, go;	/* handshake with a blocked move (atomic) */
	bool zpool;		/* made by the zpool driver */
} u;

static unsigned long page_of(unsigned long handle)
{
	return handle & ~(PAGE - 1);
}

static size_t round8(size_t size)
{
	return (size + 7) & ~7UL;
}

static uint8_t byte(uint32_t seed, size_t i)
{
	return (uint8_t)(seed * 0x9e3779b1U + i * 0x3b + (i >> 8));
}

static void obj_fill(struct obj *o)
{
	uint8_t *p = z->map(u.pool, o->handle);
	size_t i;

	for (i = 0; i < o->size; i++)
		p[i] = byte(o->seed, i);
	z->unmap(u.pool, o->handle);
}

static bool obj_intact(const struct obj *o)
{
	const uint8_t *p = z->map(u.pool, o->handle);
	size_t i;

	for (i = 0; i < o->size && p[i] == byte(o->seed, i); i++)
		;
	z->unmap(u.pool, o->handle);
	return i == o->size;
}

static struct obj *ualloc(size_t size)
{
	struct obj *o;
	int err;

	if (u.nobjs == MAX_OBJS)
		test_fail(__FILE__, __LINE__, "too many objects");
	o = &u.objs[u.nobjs];
	err = z->alloc(u.pool, size, GFP, &o->handle);
	if (err)
		test_fail(__FILE__, __LINE__, "alloc(%zu): %d", size, err);
	o->size = size;
	o->seed = 0x1234567 + 7919 * u.nobjs++;
	o->live = true;
	o->mapped = false;
	obj_fill(o);
	return o;
}

static void ufree(struct obj *o)
{
	if (!o->live)
		test_fail(__FILE__, __LINE__, "freeing a dead object");
	o->live = false;
	z->free(u.pool, o->handle);
}

static struct obj *obj_at(unsigned long handle)
{
	unsigned int i;

	for (i = 0; i < u.nobjs; i++)
		if (u.objs[i].live && u.objs[i].handle == handle)
			return &u.objs[i];
	return NULL;
}

/* Copy and repoint, as zswap's move does. */
static int do_move(struct obj *o, unsigned long new)
{
	memcpy((void *)new, (void *)o->handle, o->size);
	o->handle = new;
	u.moves++;
	return 0;
}

static int user_move(void *pool, unsigned long old, unsigned long new)
{
	struct obj *o = obj_at(old);
	int ret = 1;

	if (shim_locks_held)
		u.locked = true;
	if (u.hook)
		ret = u.hook(o, old, new);
	if (ret == 1) {
		if (!o)
			ret = -ENOENT;
		else if (o->mapped)
			ret = -EBUSY;
		else
			ret = do_move(o, new);
	}
	if (u.calls < MAX_MOVES) {
		u.log[u.calls].old = old;
		u.log[u.calls].new = new;
		u.log[u.calls].ret = ret;
	}
	u.calls++;
	return ret;
}

static int user_evict(void *pool, unsigned long handle)
{
	struct obj *o = obj_at(handle);

	if (shim_locks_held)
		u.locked = true;
	if (!o || !obj_intact(o))
		return -ENOENT;
	if (u.busy) {
		u.refused++;
		return -EBUSY;
	}
	u.evicts++;
	ufree(o);
	return 0;
}

static void user_reset(void *pool)
{
	memset(&u, 0, sizeof(u));
	u.pool = pool;
	CHECK_EQ(harness_param_set("zbud.compaction", "Y"), 0);
}

static void *user_pool(zalloc_evict_t evict)
{
	void *pool = z->create_movable(evict, user_move);

	CHECK(pool);
	user_reset(pool);
	return pool;
}

static void all_ok(void)
{
	char why[160];
	unsigned int i;

	for (i = 0; i < u.nobjs; i++)
		if (u.objs[i].live && !obj_intact(&u.objs[i]))
			test_fail(__FILE__, __LINE__, "object %u corrupted", i);
	if (z->check(u.pool, why, sizeof(why)))
		test_fail(__FILE__, __LINE__, "%s", why);
	CHECK(!u.locked);
}

static void user_done(void)
{
	unsigned int i;

	all_ok();
	for (i = 0; i < u.nobjs; i++)
		if (u.objs[i].live)
			ufree(&u.objs[i]);
	CHECK_EQ(z->pool_pages(u.pool), 0);
	if (u.zpool)
		z->zpool_driver->destroy(u.pool);
	else
		z->destroy(u.pool);
}

static unsigned long counter(const char *name)
{
	unsigned long value;

	if (z->stat(u.pool, name, &value))
		test_fail(__FILE__, __LINE__, "no debugfs file %s", name);
	return value;
}

/*
 * One page per size, each holding only its zpage on the first side:
 * every page is filled with a filler right after, so that the next
 * size cannot pair with it, then the fillers go, first to last.
 */
static void make_lone(struct obj **out, const size_t *sizes, unsigned int n)
{
	unsigned long pages = z->pool_pages(u.pool);
	struct obj *filler[MAX_OBJS];
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[i] = ualloc(sizes[i]);
		CHECK_EQ(out[i]->handle, page_of(out[i]->handle));
		filler[i] = ualloc(PAGE - round8(sizes[i]));
		CHECK_EQ(page_of(filler[i]->handle), out[i]->handle);
	}
	for (i = 0; i < n; i++)
		ufree(filler[i]);
	CHECK_EQ(z->pool_pages(u.pool), pages + n);
}

/* The handle the free last side of @o's page gets for @size bytes. */
static unsigned long beside(const struct obj *o, size_t size)
{
	return page_of(o->handle) + PAGE - round8(size);
}

TEST(compact_pairs_smallest_with_best_fit)
{
	static const size_t sizes[] = { 500, 3500, 1500, 2500, 3000 };
	struct obj *o[5];
	unsigned long h500, h1500;

	user_pool(NULL);
	make_lone(o, sizes, 5);
	h500 = o[0]->handle;
	h1500 = o[2]->handle;
	/*
	 * 500 is the smallest; 3500 has the least room that holds it, less
	 * than 3000's.  Then 1500 goes beside 2500, and 3000 stays alone.
	 */
	CHECK_EQ(z->compact(u.pool), 2);
	CHECK_EQ(u.calls, 2);
	CHECK_EQ(u.log[0].old, h500);
	CHECK_EQ(u.log[0].new, beside(o[1], 500));
	CHECK_EQ(u.log[1].old, h1500);
	CHECK_EQ(u.log[1].new, beside(o[3], 1500));
	CHECK_EQ(o[0]->handle, beside(o[1], 500));
	CHECK_EQ(o[2]->handle, beside(o[3], 1500));
	CHECK_EQ(z->pool_pages(u.pool), 3);
	CHECK_EQ(counter("pages_full"), 2);
	CHECK_EQ(counter("pages_single"), 1);
	all_ok();
	/* Nothing pairs any more. */
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(u.calls, 2);
	user_done();
}

TEST(compact_counters_exact)
{
	static const size_t sizes[] = { 500, 3500, 1500, 2500 };
	struct obj *o[4];

	user_pool(NULL);
	make_lone(o, sizes, 4);
	CHECK_EQ(counter("pages_compacted"), 0);
	CHECK_EQ(counter("bytes_moved"), 0);
	CHECK_EQ(counter("move_failures"), 0);
	/* A pair whose zpages are both refused ends the run. */
	o[0]->mapped = true;
	o[1]->mapped = true;
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(u.calls, 2);
	CHECK_EQ(counter("pages_compacted"), 0);
	CHECK_EQ(counter("bytes_moved"), 0);
	CHECK_EQ(counter("move_failures"), 2);
	CHECK_EQ(counter("pages"), 4);
	CHECK_EQ(counter("zpages"), 4);
	/* The smallest refused, its best fit moves beside it instead. */
	o[1]->mapped = false;
	CHECK_EQ(z->compact(u.pool), 2);
	CHECK_EQ(u.calls, 5);
	CHECK_EQ(u.log[2].ret, -EBUSY);
	CHECK_EQ(o[1]->handle, beside(o[0], 3500));
	CHECK_EQ(o[2]->handle, beside(o[3], 1500));
	o[0]->mapped = false;
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(counter("pages_compacted"), 2);
	CHECK_EQ(counter("bytes_moved"), 3504 + 1504);
	CHECK_EQ(counter("move_failures"), 3);
	CHECK_EQ(counter("pages"), 2);
	CHECK_EQ(counter("pages_full"), 2);
	CHECK_EQ(counter("pages_single"), 0);
	CHECK_EQ(counter("zpages"), 4);
	CHECK_EQ(counter("bytes"), 504 + 3504 + 1504 + 2504);
	user_done();
}

TEST(compact_off_without_move_or_param)
{
	static const size_t sizes[] = { 500, 3500 };
	unsigned long queued;
	struct obj *o[2];

	/* A pool without a move callback. */
	user_reset(z->create(NULL));
	CHECK(u.pool);
	queued = harness_work_queued();
	make_lone(o, sizes, 2);
	CHECK_EQ(harness_work_queued(), queued);
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(z->pool_pages(u.pool), 2);
	user_done();

	/* zbud.compaction=N */
	user_pool(NULL);
	CHECK_EQ(harness_param_set("zbud.compaction", "N"), 0);
	make_lone(o, sizes, 2);
	CHECK_EQ(harness_work_queued(), queued);
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(u.calls, 0);
	CHECK_EQ(z->pool_pages(u.pool), 2);
	CHECK_EQ(harness_param_set("zbud.compaction", "Y"), 0);
	CHECK_EQ(z->compact(u.pool), 1);
	CHECK_EQ(z->pool_pages(u.pool), 1);
	CHECK_EQ(harness_param_set("zbud.nonsense", "Y"), -ENOENT);
	CHECK_EQ(harness_param_set("zbud.compaction", "maybe"), -EINVAL);
	user_done();
}

TEST(compact_failed_move_leaves_no_trace)
{
	static const size_t sizes[] = { 500, 3500 };
	unsigned long old, new;
	struct obj *o[2];

	user_pool(NULL);
	make_lone(o, sizes, 2);
	old = o[0]->handle;
	/* Each way is refused: the smaller first, then the larger. */
	o[0]->mapped = true;
	o[1]->mapped = true;
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(u.calls, 2);
	CHECK_EQ(u.log[0].ret, -EBUSY);
	CHECK_EQ(u.log[1].old, o[1]->handle);
	CHECK_EQ(u.log[1].new, beside(o[0], 3500));
	CHECK_EQ(u.log[1].ret, -EBUSY);
	CHECK_EQ(counter("move_failures"), 2);
	new = u.log[0].new;
	CHECK_EQ(new, beside(o[1], 500));
	CHECK_EQ(o[0]->handle, old);
	CHECK_EQ(counter("pages"), 2);
	CHECK_EQ(counter("pages_full"), 0);
	CHECK_EQ(counter("zpages"), 2);
	CHECK_EQ(counter("bytes"), 504 + 3504);
	all_ok();
	/* The side it would have moved to is not live. */
	expect_warnings(1);
	z->free(u.pool, new);
	CHECK_EQ(test_warnings(), 1);
	CHECK_EQ(counter("zpages"), 2);
	/* Both pages are back in their lists: an unmapped zpage moves. */
	o[0]->mapped = false;
	o[1]->mapped = false;
	CHECK_EQ(z->compact(u.pool), 1);
	CHECK_EQ(o[0]->handle, new);
	CHECK_EQ(z->pool_pages(u.pool), 1);
	user_done();
}

static int hook_free_old(struct obj *o, unsigned long old, unsigned long new)
{
	ufree(o);
	return -ENOENT;
}

static int hook_move_then_free(struct obj *o, unsigned long old,
			       unsigned long new)
{
	do_move(o, new);
	ufree(o);
	return 0;
}

TEST(compact_move_frees_old_handle)
{
	static const size_t sizes[] = { 500, 3500 };
	struct obj *o[2];

	/* The zpage is freed under the move, which then fails. */
	user_pool(NULL);
	make_lone(o, sizes, 2);
	u.hook = hook_free_old;
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(u.calls, 1);
	CHECK(!o[0]->live);
	CHECK_EQ(counter("pages"), 1);
	CHECK_EQ(counter("zpages"), 1);
	CHECK_EQ(counter("bytes"), 3504);
	CHECK_EQ(counter("move_failures"), 1);
	CHECK_EQ(counter("pages_compacted"), 0);
	user_done();

	/* The zpage moves and is freed at once, from its new handle. */
	user_pool(NULL);
	make_lone(o, sizes, 2);
	u.hook = hook_move_then_free;
	CHECK_EQ(z->compact(u.pool), 1);
	CHECK_EQ(counter("pages"), 1);
	CHECK_EQ(counter("zpages"), 1);
	CHECK_EQ(counter("pages_single"), 1);
	CHECK_EQ(counter("pages_compacted"), 1);
	CHECK_EQ(counter("bytes_moved"), 504);
	user_done();
}

static int hook_free_old_first(struct obj *o, unsigned long old,
			       unsigned long new)
{
	return u.calls ? 1 : hook_free_old(o, old, new);
}

TEST(compact_goes_on_after_a_free)
{
	static const size_t sizes[] = { 500, 3500, 1000, 3000 };
	struct obj *o[4];

	/*
	 * 500 would go beside 3500, but is freed under its move, which
	 * fails: its page is empty, and 1000 still goes beside 3000.
	 */
	user_pool(NULL);
	make_lone(o, sizes, 4);
	u.hook = hook_free_old_first;
	CHECK_EQ(z->compact(u.pool), 1);
	CHECK_EQ(u.calls, 2);
	CHECK_EQ(u.log[1].ret, 0);
	CHECK_EQ(o[2]->handle, beside(o[3], 1000));
	CHECK_EQ(counter("pages"), 2);
	CHECK_EQ(counter("pages_full"), 1);
	CHECK_EQ(counter("move_failures"), 1);
	CHECK_EQ(counter("pages_compacted"), 1);
	all_ok();
	user_done();
}

static int hook_free_victim(struct obj *o, unsigned long old,
			    unsigned long new)
{
	ufree(u.victim);
	return 1;
}

static int hook_free_victim_fail(struct obj *o, unsigned long old,
				 unsigned long new)
{
	ufree(u.victim);
	return -EBUSY;
}

TEST(compact_move_frees_destination_zpage)
{
	static const size_t sizes[] = { 500, 3500 };
	struct obj *o[2];

	/* The move succeeds: the destination keeps the moved zpage. */
	user_pool(NULL);
	make_lone(o, sizes, 2);
	u.victim = o[1];
	u.hook = hook_free_victim;
	CHECK_EQ(z->compact(u.pool), 1);
	CHECK_EQ(o[0]->handle, u.log[0].new);
	CHECK_EQ(page_of(o[0]->handle), page_of(o[1]->handle));
	CHECK_EQ(counter("pages"), 1);
	CHECK_EQ(counter("zpages"), 1);
	CHECK_EQ(counter("pages_single"), 1);
	CHECK_EQ(counter("bytes"), 504);
	all_ok();
	/* The moved zpage is freeable where it went. */
	ufree(o[0]);
	CHECK_EQ(counter("pages"), 0);
	user_done();

	/* The move fails: the destination is empty and goes. */
	user_pool(NULL);
	make_lone(o, sizes, 2);
	u.victim = o[1];
	u.hook = hook_free_victim_fail;
	CHECK_EQ(z->compact(u.pool), 0);
	CHECK_EQ(counter("pages"), 1);
	CHECK_EQ(counter("zpages"), 1);
	CHECK_EQ(counter("bytes"), 504);
	CHECK_EQ(counter("move_failures"), 1);
	all_ok();
	user_done();
}

static int hook_alloc_and_free(struct obj *o, unsigned long old,
			       unsigned long new)
{
	/* Best fit would take the source's free side were it listed. */
	u.extra = ualloc(2500);
	/* This leaves a lone zpage that fits nowhere listed. */
	ufree(u.victim);
	return 1;
}

TEST(compact_move_allocs_and_frees_elsewhere)
{
	static const size_t sizes[] = { 500, 3500, 2000 };
	unsigned long src, dst;
	struct obj *o[3], *big;

	user_pool(NULL);
	big = ualloc(3000);
	u.victim = ualloc(1000);
	CHECK_EQ(page_of(u.victim->handle), page_of(big->handle));
	make_lone(o, sizes, 3);
	src = page_of(o[0]->handle);
	dst = page_of(o[1]->handle);
	u.hook = hook_alloc_and_free;
	CHECK_EQ(z->compact(u.pool), 1);
	CHECK_EQ(u.calls, 1);
	CHECK_EQ(u.log[0].old, src);
	CHECK(page_of(u.extra->handle) != src);
	CHECK(page_of(u.extra->handle) != dst);
	CHECK_EQ(page_of(o[0]->handle), dst);
	/* 3500+500, and 3000, 2000 and 2500 alone: no two fit. */
	CHECK_EQ(counter("pages"), 4);
	CHECK_EQ(counter("pages_full"), 1);
	CHECK_EQ(counter("pages_compacted"), 1);
	all_ok();
	user_done();
}

TEST(free_queues_compaction_only_when_pairable)
{
	static const size_t big[] = { 3000, 3000 };
	unsigned long queued = harness_work_queued();
	struct obj *o[2], *a, *b, *fa, *fb;

	user_pool(NULL);
	/* Two lone 3000s do not fit in one page. */
	make_lone(o, big, 2);
	CHECK_EQ(harness_work_queued(), queued);
	CHECK_EQ(harness_work_pending(), 0);
	/* A free that empties a page queues nothing either. */
	ufree(o[0]);
	ufree(o[1]);
	CHECK_EQ(harness_work_queued(), queued);
	/* 500 fits beside 3500: the second free queues the work. */
	a = ualloc(3500);
	fa = ualloc(PAGE - 3504);
	b = ualloc(500);
	fb = ualloc(PAGE - 504);
	ufree(fa);
	CHECK_EQ(harness_work_queued(), queued);
	ufree(fb);
	CHECK_EQ(harness_work_queued(), queued + 1);
	CHECK_EQ(harness_work_pending(), 1);
	CHECK_EQ(u.calls, 0);
	/* The work compacts, with no lock held. */
	CHECK_EQ(harness_run_work(), 1);
	CHECK_EQ(u.calls, 1);
	CHECK_EQ(u.moves, 1);
	CHECK_EQ(b->handle, beside(a, 500));
	CHECK_EQ(z->pool_pages(u.pool), 1);
	CHECK_EQ(harness_work_pending(), 0);
	user_done();
}

TEST(free_queues_compaction_when_the_fit_has_more_room)
{
	struct obj *a, *b, *fa, *fb;
	unsigned long queued = harness_work_queued();

	user_pool(NULL);
	/*
	 * a, of more than half a page, is left with less room than b (496
	 * bytes), which fits beside it, though no page has exactly b's
	 * room.  b is the one lone zpage of at most half a page, so the
	 * free of a's buddy must find that fit to queue the work.
	 */
	a = ualloc(PAGE / 2 + 56);
	fa = ualloc(PAGE / 2 - 56);
	b = ualloc(496);
	fb = ualloc(PAGE - 496);
	ufree(fb);
	CHECK_EQ(harness_work_queued(), queued);
	ufree(fa);
	CHECK_EQ(harness_work_queued(), queued + 1);
	CHECK_EQ(harness_run_work(), 1);
	CHECK_EQ(z->pool_pages(u.pool), 1);
	CHECK_EQ(page_of(a->handle), page_of(b->handle));
	user_done();
}

/* zswap's side: zpool_ops with move, through the zpool driver. */
static int zpool_user_move(struct zpool *zpool, unsigned long old,
			   unsigned long new)
{
	return user_move(u.pool, old, new);
}

static int zpool_user_evict(struct zpool *zpool, unsigned long handle)
{
	return user_evict(u.pool, handle);
}

static const struct zpool_ops zpool_movable = {
	.evict = zpool_user_evict,
	.move = zpool_user_move,
};

static const struct zpool_ops zpool_unmovable = {
	.evict = zpool_user_evict,
};

static void *zpool_user_pool(const char *name, const struct zpool_ops *ops)
{
	void *pool = z->zpool_driver->create(name, GFP, ops,
					     (struct zpool *)ops);

	CHECK(pool);
	user_reset(pool);
	u.zpool = true;
	return pool;
}

TEST(debugfs_compact_writes)
{
	static const size_t sizes[] = { 500, 3500, 1500, 2500 };
	struct dentry *dir, *file;
	struct obj *o[4];

	zpool_user_pool("zswapc", &zpool_movable);
	dir = debugfs_lookup("zswapc", debugfs_lookup("zbud", NULL));
	file = debugfs_lookup("compact", dir);
	CHECK(file);
	/* Write-only: it is no counter. */
	CHECK(z->stat(u.pool, "compact", &(unsigned long){ 0 }));
	make_lone(o, sizes, 4);
	CHECK_EQ(debugfs_write(file, "1\n", 2), 2);
	CHECK_EQ(u.moves, 2);
	CHECK_EQ(counter("pages"), 2);
	CHECK_EQ(counter("pages_compacted"), 2);
	/* Nothing left to do is no error. */
	CHECK_EQ(debugfs_write(file, "1\n", 2), 2);
	CHECK_EQ(u.calls, 2);
	user_done();
	CHECK(!debugfs_lookup("zswapc", debugfs_lookup("zbud", NULL)));
}

TEST(zpool_shrink_compacts_before_evicting)
{
	static const size_t sizes[] = { 500, 3500, 1500, 2500 };
	unsigned int reclaimed = 0;
	struct obj *o[4];

	zpool_user_pool("zswapm", &zpool_movable);
	make_lone(o, sizes, 4);
	CHECK_EQ(z->zpool_driver->shrink(u.pool, 1, &reclaimed), 0);
	CHECK_EQ(reclaimed, 1);
	CHECK_EQ(u.moves, 1);
	CHECK_EQ(u.evicts, 0);
	CHECK_EQ(counter("pages"), 3);
	/* One more compaction, then writeback for the third page. */
	CHECK_EQ(z->zpool_driver->shrink(u.pool, 2, &reclaimed), 0);
	CHECK_EQ(reclaimed, 2);
	CHECK_EQ(u.moves, 2);
	CHECK_EQ(u.evicts, 2);
	CHECK_EQ(counter("pages"), 1);
	CHECK_EQ(counter("reclaim_successes"), 1);
	CHECK(!u.locked);
	user_done();

	/* Without a move callback shrink writes back at once. */
	zpool_user_pool("zswapu", &zpool_unmovable);
	make_lone(o, sizes, 4);
	CHECK_EQ(z->zpool_driver->shrink(u.pool, 1, &reclaimed), 0);
	CHECK_EQ(reclaimed, 1);
	CHECK_EQ(u.calls, 0);
	CHECK_EQ(u.evicts, 1);
	CHECK_EQ(counter("pages"), 3);
	user_done();
}

/*
 * zswap's shrink asks for one page at a time; zbud tries eight LRU pages
 * for it before it gives up, however many the pool holds, so that a
 * pool whose zpages are all busy does not cost a walk of every page.
 */
TEST(zpool_shrink_tries_eight_pages)
{
	unsigned int reclaimed = 1, i;

	zpool_user_pool("zswapb", &zpool_unmovable);
	for (i = 0; i < 10; i++)
		ualloc(PAGE / 2 + 8);
	CHECK_EQ(counter("pages"), 10);
	u.busy = true;
	CHECK_EQ(z->zpool_driver->shrink(u.pool, 1, &reclaimed), -EAGAIN);
	CHECK_EQ(reclaimed, 0);
	CHECK_EQ(u.refused, 8);
	CHECK_EQ(counter("reclaim_attempts"), 1);
	CHECK_EQ(counter("pages"), 10);
	u.busy = false;
	CHECK_EQ(z->zpool_driver->shrink(u.pool, 1, &reclaimed), 0);
	CHECK_EQ(reclaimed, 1);
	CHECK_EQ(u.evicts, 1);
	user_done();
}

TEST(destroy_cancels_queued_work)
{
	static const size_t sizes[] = { 3500, 500 };
	struct obj *o[2];

	user_pool(NULL);
	make_lone(o, sizes, 2);
	CHECK_EQ(harness_work_pending(), 1);
	ufree(o[0]);
	ufree(o[1]);
	z->destroy(u.pool);
	CHECK_EQ(harness_work_pending(), 0);
	/* Nothing is left to run on the freed pool. */
	CHECK_EQ(harness_run_work(), 0);
	CHECK_EQ(u.calls, 0);
}

static int hook_block(struct obj *o, unsigned long old, unsigned long new)
{
	__atomic_store_n(&u.entered, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&u.go, __ATOMIC_ACQUIRE))
		usleep(1000);
	return 1;
}

static int destroy_done;

static void *destroyer(void *pool)
{
	z->destroy(pool);
	__atomic_store_n(&destroy_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

TEST(destroy_waits_for_running_work)
{
	static const size_t sizes[] = { 3500, 500 };
	struct obj *o[2];
	pthread_t thread;

	user_pool(NULL);
	make_lone(o, sizes, 2);
	CHECK_EQ(harness_work_pending(), 1);
	u.hook = hook_block;
	destroy_done = 0;
	harness_workqueue_start();
	while (!__atomic_load_n(&u.entered, __ATOMIC_ACQUIRE))
		usleep(1000);
	/* The pool still holds its zpages: destroy warns and frees them. */
	expect_warnings(1);
	CHECK(!pthread_create(&thread, NULL, destroyer, u.pool));
	/*
	 * Either the destroyer reaches the wait or, wrongly, returns while
	 * the work runs: no time bound, so a busy machine cannot fail it.
	 * A destroyer stuck elsewhere hangs the test, which check.sh's
	 * HARNESS_TIMEOUT then fails.
	 */
	while (!harness_cancel_waiting() &&
	       !__atomic_load_n(&destroy_done, __ATOMIC_ACQUIRE))
		usleep(1000);
	CHECK_EQ(harness_cancel_waiting(), 1);
	CHECK(!__atomic_load_n(&destroy_done, __ATOMIC_ACQUIRE));
	__atomic_store_n(&u.go, 1, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	harness_workqueue_stop();
	CHECK_EQ(u.moves, 1);
	CHECK_EQ(harness_work_pending(), 0);
}
