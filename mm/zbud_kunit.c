// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for zbud, the allocator that stores up to two compressed
 * pages ("zpages") in one page.
 *
 * Every case gets a fresh pool from zt_init().  The test keeps its own
 * record of each live zpage (handle, size, data pattern) so that the evict
 * callback, the frees done by the cases and zt_exit() agree on who owns a
 * handle: whoever clears "live" under ctx->lock is the one that frees it.
 * The move callback, for compaction, repoints a live record under the same
 * lock, so a record's handle is read there too.  zt_exit() checks every
 * surviving zpage's data, frees it and expects the pool to be empty.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/zbud.h>
#include <linux/zpool.h>

/* zpool's API is not exported to modules in 6.1, only to built-in code. */
#define ZT_HAVE_ZPOOL \
	(IS_ENABLED(CONFIG_ZPOOL) && IS_BUILTIN(CONFIG_ZBUD_KUNIT_TEST))
/* Only built-in code can reach zbud.compaction through __start___param. */
#define ZT_HAVE_PARAM \
	(IS_BUILTIN(CONFIG_ZBUD) && IS_BUILTIN(CONFIG_ZBUD_KUNIT_TEST))

#define ZT_MAX_OBJS	512
#define ZT_LOG		16
#define ZT_HALF		(PAGE_SIZE / 2)
/* A size picked for 4 KiB pages, at the same share of a larger page. */
#define ZT_4K(size)	((size) * (PAGE_SIZE / 4096))
/*
 * zbud's unit, as its design gives it: 8 bytes, and 16 on pages over
 * 64 KiB, where a page has too many 8-byte units for struct page.
 */
#define ZT_UNIT		(PAGE_SHIFT > 16 ? 16 : 8)

/*
 * @pinned and @refs are the test user's view of a zpage in use: mapped
 * by a sleeping mapper, or held by a load in flight.  The move callback
 * refuses such a zpage, as zswap refuses an entry it does not hold alone.
 */
struct zt_obj {
	unsigned long handle;
	size_t size;
	u32 seed;
	bool live;
	bool zpool;
	bool pinned;
	unsigned int refs;
};

/* A thread that holds a zpage (maps it, or loads it) until released. */
struct zt_user {
	struct zt_ctx *ctx;
	unsigned int slot;
	u32 seed;			/* what the mapper writes, mapped */
	struct completion holding, release, done;
	bool ok;
};

struct zt_ctx {
	struct list_head node;
	struct kunit *test;
	struct zbud_pool *pool;
	struct zpool *zpool;

	spinlock_t lock;		/* objs[], log[], nr_log */
	struct zt_obj *objs;
	unsigned int nr_used;		/* slots handed out by zt_alloc() */
	unsigned long log[ZT_LOG];	/* handles passed to evict, in order */
	unsigned int nr_log;

	/* knobs for the evict callback */
	unsigned long fail_handle;	/* evict of this handle returns -EBUSY */
	bool free_buddy;		/* evict also frees the other zpage */
	bool evict_sleeps;		/* widen race windows */
	bool stale_ok;			/* racing frees may beat evict */
	unsigned long race_handle;	/* evict waits for zt_racer() */
	struct completion race_go, race_done;
	struct task_struct *racer;	/* joined by zt_exit() */
	unsigned long nest_handle;	/* evict of it reclaims, nested */
	int nest_ret;			/* what that reclaim returned */

	atomic_t evict_calls;
	atomic_t evicted;
	atomic_t stale;
	atomic_t bad_data;
	bool stop;

	/* knobs for the move callback */
	bool move_sleeps;		/* widen race windows */
	unsigned int move_frees_old;	/* the next N moves free @old, fail */
	bool move_races;		/* move waits for zt_racer() */
	bool move_frozen;		/* every move fails */
	bool move_turns_off;		/* the next move turns compaction off */
	bool move_reclaims;		/* the next move reclaims, nested */
	struct { unsigned long old, new; } mlog[ZT_LOG];
	unsigned int nr_mlog;		/* moves logged, under ctx->lock */
	atomic_t move_calls;
	atomic_t moved;
	atomic_t move_busy;		/* refused: pinned or referenced */
	atomic_t move_stale;		/* refused: @old not a live zpage */
	atomic_t bad_move;		/* @new overlaps or is misplaced */
	atomic_long_t bytes_moved;

	char name[16];			/* the pool's debugfs directory */
	const struct kernel_param *compaction;	/* zbud.compaction, if set */
	bool compaction_was;
	struct zt_user *user;		/* joined by zt_exit() */
};

/* Lets the evict callbacks, which only get a pool, find their test. */
static DEFINE_SPINLOCK(zt_ctxs_lock);
static LIST_HEAD(zt_ctxs);

static struct zt_ctx *zt_find(const void *pool)
{
	struct zt_ctx *ctx, *found = NULL;

	spin_lock(&zt_ctxs_lock);
	list_for_each_entry(ctx, &zt_ctxs, node) {
		if ((void *)ctx->pool == pool || (void *)ctx->zpool == pool) {
			found = ctx;
			break;
		}
	}
	spin_unlock(&zt_ctxs_lock);
	return found;
}

static unsigned long zt_page(unsigned long handle)
{
	return handle & PAGE_MASK;
}

/* The bytes that a zpage of @size takes: zbud stores whole units. */
static size_t zt_stored(size_t size)
{
	return round_up(size, ZT_UNIT);
}

/* Where the second zpage of @page must start. */
static unsigned long zt_right(unsigned long page, size_t size)
{
	return page + PAGE_SIZE - zt_stored(size);
}

static u8 zt_byte(u32 seed, size_t i)
{
	return (u8)(seed + i * 7 + (i >> 8));
}

static void zt_fill(unsigned long handle, size_t size, u32 seed)
{
	u8 *p = (u8 *)handle;
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = zt_byte(seed, i);
}

static bool zt_intact(unsigned long handle, size_t size, u32 seed)
{
	const u8 *p = (const u8 *)handle;
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != zt_byte(seed, i))
			return false;
	return true;
}

/* Caller holds ctx->lock. */
static struct zt_obj *zt_lookup(struct zt_ctx *ctx, unsigned long handle)
{
	unsigned int i;

	for (i = 0; i < ZT_MAX_OBJS; i++)
		if (ctx->objs[i].live && ctx->objs[i].handle == handle)
			return &ctx->objs[i];
	return NULL;
}

/* Caller holds ctx->lock. */
static struct zt_obj *zt_lookup_buddy(struct zt_ctx *ctx, unsigned long handle)
{
	unsigned int i;
	struct zt_obj *obj;

	for (i = 0; i < ZT_MAX_OBJS; i++) {
		obj = &ctx->objs[i];
		if (obj->live && obj->handle != handle &&
		    zt_page(obj->handle) == zt_page(handle))
			return obj;
	}
	return NULL;
}

/*
 * Common part of both evict callbacks: log the call and take ownership of
 * @handle.  Returns 0 if the caller now owns @handle and must free it.
 */
static int zt_claim_for_evict(struct zt_ctx *ctx, unsigned long handle)
{
	struct zt_obj *obj;
	int ret = 0;

	atomic_inc(&ctx->evict_calls);
	if (ctx->evict_sleeps)
		usleep_range(10, 50);

	spin_lock(&ctx->lock);
	if (ctx->nr_log < ZT_LOG)
		ctx->log[ctx->nr_log++] = handle;
	obj = zt_lookup(ctx, handle);
	if (handle == ctx->fail_handle) {
		ret = -EBUSY;
	} else if (!obj) {
		atomic_inc(&ctx->stale);
		ret = -ENOENT;
	} else {
		if (!zt_intact(handle, obj->size, obj->seed))
			atomic_inc(&ctx->bad_data);
		obj->live = false;
	}
	spin_unlock(&ctx->lock);
	return ret;
}

/* Lets zt_racer() run while zbud has the racer's zpage isolated. */
static void zt_let_racer_run(struct zt_ctx *ctx)
{
	complete(&ctx->race_go);
	wait_for_completion_timeout(&ctx->race_done, 10 * HZ);
}

static int zt_evict(struct zbud_pool *pool, unsigned long handle)
{
	struct zt_ctx *ctx = zt_find(pool);
	struct zt_obj *buddy = NULL;
	int ret;

	if (!ctx)
		return -EINVAL;
	if (handle == ctx->race_handle)
		zt_let_racer_run(ctx);
	if (handle == ctx->nest_handle) {
		ctx->nest_handle = 0;
		ctx->nest_ret = zbud_reclaim_page(pool, ZT_LOG);
	}
	ret = zt_claim_for_evict(ctx, handle);
	if (ret)
		return ret;

	if (ctx->free_buddy) {
		spin_lock(&ctx->lock);
		buddy = zt_lookup_buddy(ctx, handle);
		if (buddy)
			buddy->live = false;
		spin_unlock(&ctx->lock);
	}
	if (buddy)
		zbud_free(pool, buddy->handle);
	zbud_free(pool, handle);
	atomic_inc(&ctx->evicted);
	return 0;
}

static const struct zbud_ops zt_ops = {
	.evict = zt_evict,
};

static const struct zbud_ops zt_no_evict_ops = {
	.evict = NULL,
};

/*
 * Caller holds ctx->lock.  Compaction puts @obj beside the lone zpage of
 * another page, at that page's free end, over no live zpage.
 */
static bool zt_move_target_ok(struct zt_ctx *ctx, struct zt_obj *obj,
			      unsigned long new)
{
	unsigned long page = zt_page(new);
	struct zt_obj *o;
	unsigned int i;

	if (page == zt_page(obj->handle))
		return false;
	if (new != page && new != zt_right(page, obj->size))
		return false;
	for (i = 0; i < ZT_MAX_OBJS; i++) {
		o = &ctx->objs[i];
		if (o != obj && o->live && o->handle < new + obj->size &&
		    new < o->handle + o->size)
			return false;
	}
	return true;
}

static void zt_release(struct zt_ctx *ctx, struct zt_obj *obj);

static int zt_param_write(const struct kernel_param *kp, bool on)
{
	int ret;

	kernel_param_lock(kp->mod);
	ret = kp->ops->set(on ? "Y" : "N", kp);
	kernel_param_unlock(kp->mod);
	return ret;
}

/*
 * The test user's move: under ctx->lock, copy a live zpage that nobody
 * holds to @new and repoint its record there; refuse a zpage that is
 * pinned, referenced or not live (freed, or not yet stored).
 */
static int zt_move(struct zt_ctx *ctx, unsigned long old, unsigned long new)
{
	struct zt_obj *obj, *dead = NULL;
	int ret = 0;

	atomic_inc(&ctx->move_calls);
	if (READ_ONCE(ctx->move_frozen))
		return -EAGAIN;
	if (ctx->move_turns_off) {
		ctx->move_turns_off = false;
		zt_param_write(ctx->compaction, false);
	}
	if (ctx->move_reclaims) {
		ctx->move_reclaims = false;
		ctx->nest_ret = zbud_reclaim_page(ctx->pool, ZT_LOG);
	}
	if (ctx->move_races)
		zt_let_racer_run(ctx);
	if (ctx->move_sleeps)
		usleep_range(10, 50);

	spin_lock(&ctx->lock);
	if (ctx->nr_mlog < ZT_LOG) {
		ctx->mlog[ctx->nr_mlog].old = old;
		ctx->mlog[ctx->nr_mlog].new = new;
		ctx->nr_mlog++;
	}
	obj = zt_lookup(ctx, old);
	if (!obj) {
		atomic_inc(&ctx->move_stale);
		ret = -ENOENT;
	} else if (obj->pinned || obj->refs) {
		atomic_inc(&ctx->move_busy);
		ret = -EBUSY;
	} else if (ctx->move_frees_old) {
		ctx->move_frees_old--;
		obj->live = false;
		dead = obj;
		ret = -ENOENT;
	} else {
		if (!zt_intact(old, obj->size, obj->seed))
			atomic_inc(&ctx->bad_data);
		if (!zt_move_target_ok(ctx, obj, new))
			atomic_inc(&ctx->bad_move);
		memcpy((void *)new, (void *)old, obj->size);
		obj->handle = new;
		atomic_inc(&ctx->moved);
		atomic_long_add(zt_stored(obj->size), &ctx->bytes_moved);
	}
	spin_unlock(&ctx->lock);
	if (dead)
		zt_release(ctx, dead);
	return ret;
}

static int zt_zbud_move(struct zbud_pool *pool, unsigned long old,
			unsigned long new)
{
	struct zt_ctx *ctx = zt_find(pool);

	return ctx ? zt_move(ctx, old, new) : -EINVAL;
}

static const struct zbud_ops zt_move_ops = {
	.evict = zt_evict,
	.move = zt_zbud_move,
};

static int zt_init(struct kunit *test)
{
	struct zt_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	/* KUnit runs zt_exit() even when this fails: let it see how far. */
	test->priv = ctx;
	ctx->objs = kunit_kcalloc(test, ZT_MAX_OBJS, sizeof(*ctx->objs),
				  GFP_KERNEL);
	if (!ctx->objs)
		return -ENOMEM;
	ctx->pool = zbud_create_pool(GFP_KERNEL, &zt_ops);
	if (!ctx->pool)
		return -ENOMEM;
	ctx->test = test;
	spin_lock_init(&ctx->lock);
	atomic_set(&ctx->evict_calls, 0);
	atomic_set(&ctx->evicted, 0);
	atomic_set(&ctx->stale, 0);
	atomic_set(&ctx->bad_data, 0);
	atomic_set(&ctx->move_calls, 0);
	atomic_set(&ctx->moved, 0);
	atomic_set(&ctx->move_busy, 0);
	atomic_set(&ctx->move_stale, 0);
	atomic_set(&ctx->bad_move, 0);
	atomic_long_set(&ctx->bytes_moved, 0);

	spin_lock(&zt_ctxs_lock);
	list_add(&ctx->node, &zt_ctxs);
	spin_unlock(&zt_ctxs_lock);
	return 0;
}

static void zt_release(struct zt_ctx *ctx, struct zt_obj *obj)
{
#if ZT_HAVE_ZPOOL
	if (obj->zpool) {
		zpool_free(ctx->zpool, obj->handle);
		return;
	}
#endif
	zbud_free(ctx->pool, obj->handle);
}

static void zt_need_param(struct kunit *test)
{
	if (!ZT_HAVE_PARAM)
		kunit_skip(test, "needs zbud and the test built in");
}

/* Sets zbud.compaction; zt_exit() puts back what it was. */
static void zt_set_compaction(struct kunit *test, bool on)
{
#if ZT_HAVE_PARAM
	struct zt_ctx *ctx = test->priv;
	const struct kernel_param *kp;

	for (kp = __start___param; !ctx->compaction && kp < __stop___param;
	     kp++) {
		if (strcmp(kp->name, "zbud.compaction"))
			continue;
		KUNIT_ASSERT_PTR_EQ(test, kp->ops, &param_ops_bool);
		ctx->compaction_was = READ_ONCE(*(bool *)kp->arg);
		ctx->compaction = kp;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, ctx->compaction,
				  "no parameter zbud.compaction");
	KUNIT_ASSERT_EQ(test, zt_param_write(ctx->compaction, on), 0);
#else
	zt_need_param(test);
#endif
}

static void zt_restore_compaction(struct zt_ctx *ctx)
{
	if (ctx->compaction)
		zt_param_write(ctx->compaction, ctx->compaction_was);
}

/* Waits, at most @ms, for the pool to hold @pages pages. */
static bool zt_wait_pages(struct zbud_pool *pool, u64 pages, unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (zbud_get_pool_size(pool) != pages) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(500, 1000);
	}
	return true;
}

static void zt_exit(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *obj;
	unsigned int i;
	bool live;

	/* zt_init() failed: it made no pool and listed nothing. */
	if (!ctx || !ctx->pool)
		return;
	/* A racer whose callback never came still waits: let it go. */
	if (ctx->racer) {
		complete(&ctx->race_go);
		kthread_stop(ctx->racer);
		put_task_struct(ctx->racer);
	}
	/* A case that stopped early may have left a user holding a zpage. */
	if (ctx->user) {
		complete(&ctx->user->release);
		wait_for_completion(&ctx->user->done);
	}
	for (i = 0; i < ZT_MAX_OBJS; i++) {
		obj = &ctx->objs[i];
		/* Claimed under the lock: a move may repoint it till then. */
		spin_lock(&ctx->lock);
		live = obj->live;
		obj->live = false;
		spin_unlock(&ctx->lock);
		if (!live)
			continue;
		KUNIT_EXPECT_TRUE_MSG(test,
				      zt_intact(obj->handle, obj->size,
						obj->seed),
				      "zpage %u (size %zu) corrupted", i,
				      obj->size);
		zt_release(ctx, obj);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_data), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_move), 0);
	if (!ctx->stale_ok)
		KUNIT_EXPECT_EQ(test, atomic_read(&ctx->stale), 0);
	/* A compaction that the frees queued puts its pages back soon. */
	KUNIT_EXPECT_TRUE_MSG(test, zt_wait_pages(ctx->pool, 0, 5000),
			      "%llu pages left", zbud_get_pool_size(ctx->pool));
	zt_restore_compaction(ctx);

	spin_lock(&zt_ctxs_lock);
	list_del(&ctx->node);
	spin_unlock(&zt_ctxs_lock);
#if ZT_HAVE_ZPOOL
	if (ctx->zpool) {
		KUNIT_EXPECT_EQ(test, zpool_get_total_size(ctx->zpool), 0);
		zpool_destroy_pool(ctx->zpool);
	}
#endif
	zbud_destroy_pool(ctx->pool);
}

/* Records a new live zpage; the caller has already filled its data. */
static void zt_track(struct kunit *test, unsigned long handle, size_t size,
		     u32 seed, bool zpool)
{
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *obj;

	KUNIT_ASSERT_LT(test, ctx->nr_used, ZT_MAX_OBJS);
	obj = &ctx->objs[ctx->nr_used++];
	spin_lock(&ctx->lock);
	obj->handle = handle;
	obj->size = size;
	obj->seed = seed;
	obj->zpool = zpool;
	obj->live = true;
	spin_unlock(&ctx->lock);
}

/* Allocates, checks alignment, fills and tracks one zpage. */
static unsigned long zt_alloc(struct kunit *test, size_t size)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long handle = 0;
	u32 seed = ctx->nr_used * 13 + 1;
	int ret;

	ret = zbud_alloc(ctx->pool, size, GFP_KERNEL, &handle);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "zbud_alloc(%zu)", size);
	KUNIT_ASSERT_NE(test, handle, 0UL);
	KUNIT_ASSERT_TRUE_MSG(test, IS_ALIGNED(handle, 8),
			      "handle %lx for size %zu not 8-byte aligned",
			      handle, size);
	KUNIT_ASSERT_LE(test, handle - zt_page(handle) + zt_stored(size),
			PAGE_SIZE);
	zt_fill(handle, size, seed);
	zt_track(test, handle, size, seed, false);
	return handle;
}

static void zt_free(struct kunit *test, unsigned long handle)
{
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *obj;

	spin_lock(&ctx->lock);
	obj = zt_lookup(ctx, handle);
	if (obj)
		obj->live = false;
	spin_unlock(&ctx->lock);
	KUNIT_ASSERT_NOT_NULL_MSG(test, obj, "freeing untracked %lx", handle);
	KUNIT_EXPECT_TRUE(test, zt_intact(handle, obj->size, obj->seed));
	zt_release(ctx, obj);
}

static bool zt_is_live(struct zt_ctx *ctx, unsigned long handle)
{
	bool live;

	spin_lock(&ctx->lock);
	live = zt_lookup(ctx, handle);
	spin_unlock(&ctx->lock);
	return live;
}

static u64 zt_pages(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;

	return zbud_get_pool_size(ctx->pool);
}

/* Swaps the case's empty pool for one created with @ops. */
static void zt_replace_pool(struct kunit *test, const struct zbud_ops *ops)
{
	struct zt_ctx *ctx = test->priv;
	struct zbud_pool *pool;

	KUNIT_ASSERT_EQ(test, zt_pages(test), 0);
	pool = zbud_create_pool(GFP_KERNEL, ops);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	spin_lock(&zt_ctxs_lock);
	swap(ctx->pool, pool);
	spin_unlock(&zt_ctxs_lock);
	zbud_destroy_pool(pool);
}

static void zt_expect_log(struct kunit *test, const unsigned long *want,
			  unsigned int nr)
{
	struct zt_ctx *ctx = test->priv;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, ctx->nr_log, nr);
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_EQ_MSG(test, ctx->log[i], want[i],
				    "evict call %u", i);
}

/* ---- placement ---- */

static void zbud_first_handle_page_aligned(struct kunit *test)
{
	unsigned long h;

	h = zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, h, zt_page(h));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

static void zbud_second_handle_right_justified(struct kunit *test)
{
	unsigned long a, b, c, d;

	a = zt_alloc(test, 100);
	b = zt_alloc(test, 200);
	KUNIT_EXPECT_EQ(test, a, zt_page(a));
	KUNIT_EXPECT_EQ(test, b, zt_right(zt_page(a), 200));

	/* Odd sizes: the right zpage still starts on a unit. */
	c = zt_alloc(test, PAGE_SIZE - 1000);
	d = zt_alloc(test, 13);
	KUNIT_EXPECT_NE(test, zt_page(c), zt_page(a));
	KUNIT_EXPECT_EQ(test, c, zt_page(c));
	KUNIT_EXPECT_EQ(test, d, zt_page(c) + PAGE_SIZE - 16);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
}

static void zbud_handles_8_byte_aligned(struct kunit *test)
{
	unsigned long h, left = 0;
	size_t size;

	/* Sizes 1, 2, 3, ... pair up as (1, 2), (3, 4), ... */
	for (size = 1; size <= 64; size++) {
		h = zt_alloc(test, size);
		if (size % 2) {
			KUNIT_EXPECT_EQ(test, h, zt_page(h));
			left = h;
		} else {
			KUNIT_EXPECT_EQ(test, h, zt_right(left, size));
		}
	}
	KUNIT_EXPECT_EQ(test, zt_pages(test), 32);
}

/*
 * The mappings point where the layout puts each zpage, and the first ends
 * where its buddy starts: filling all of it leaves the buddy as it was.
 */
static void zbud_map_points_at_zpage(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b, page;
	void *p, *q;

	a = zt_alloc(test, ZT_HALF);
	b = zt_alloc(test, ZT_HALF - 3);
	page = zt_page(a);
	KUNIT_ASSERT_EQ(test, zt_page(b), page);
	p = zbud_map(ctx->pool, a);
	q = zbud_map(ctx->pool, b);
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)page);
	KUNIT_EXPECT_PTR_EQ(test, q, (void *)zt_right(page, ZT_HALF - 3));
	KUNIT_EXPECT_PTR_EQ(test, p + ZT_HALF, q);
	zt_fill((unsigned long)p, ZT_HALF, ~ctx->objs[0].seed);
	zbud_unmap(ctx->pool, a);
	zbud_unmap(ctx->pool, b);
	KUNIT_EXPECT_TRUE(test, zt_intact(b, ZT_HALF - 3, ctx->objs[1].seed));
	zt_fill(a, ZT_HALF, ctx->objs[0].seed);
}

static void zbud_pair_fills_page_exactly(struct kunit *test)
{
	static const size_t lefts[] = { 8, 1000, 2048, 3000, 4088 };
	unsigned long a, b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lefts); i++) {
		size_t l = ZT_4K(lefts[i]);

		a = zt_alloc(test, l);
		b = zt_alloc(test, PAGE_SIZE - l);
		KUNIT_EXPECT_EQ_MSG(test, zt_page(b), zt_page(a),
				    "%zu + %zu must share", l, PAGE_SIZE - l);
		KUNIT_EXPECT_EQ(test, b, zt_right(zt_page(a), PAGE_SIZE - l));
		KUNIT_EXPECT_EQ(test, zt_pages(test), i + 1);
	}
}

static void zbud_one_byte_over_does_not_pair(struct kunit *test)
{
	unsigned long a, b;

	/* A page holding all but one unit has no room for a byte more. */
	a = zt_alloc(test, PAGE_SIZE - ZT_UNIT);
	b = zt_alloc(test, ZT_UNIT + 1);
	KUNIT_EXPECT_NE(test, zt_page(b), zt_page(a));
	KUNIT_EXPECT_EQ(test, b, zt_page(b));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	zt_free(test, a);
	zt_free(test, b);
	KUNIT_ASSERT_EQ(test, zt_pages(test), 0);

	a = zt_alloc(test, ZT_HALF);
	b = zt_alloc(test, ZT_HALF + 1);
	KUNIT_EXPECT_NE(test, zt_page(b), zt_page(a));
	KUNIT_EXPECT_EQ(test, b, zt_page(b));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
}

static void zbud_rounding_to_units(struct kunit *test)
{
	unsigned long a, b, c, d, e;

	/* Rounded up to units, this is a full page: not even 1 byte fits. */
	a = zt_alloc(test, PAGE_SIZE - ZT_UNIT + 1);
	b = zt_alloc(test, 1);
	KUNIT_EXPECT_NE(test, zt_page(b), zt_page(a));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	zt_free(test, a);
	zt_free(test, b);
	KUNIT_ASSERT_EQ(test, zt_pages(test), 0);

	/* 2044 rounds to 2048: two of them still share. */
	a = zt_alloc(test, ZT_HALF - 4);
	b = zt_alloc(test, ZT_HALF - 4);
	KUNIT_EXPECT_EQ(test, zt_page(b), zt_page(a));
	KUNIT_EXPECT_EQ(test, b, zt_right(zt_page(a), ZT_HALF - 4));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);

	/* 2049 rounds to 2056, and 2056 + 2048 > 4096, in either order. */
	c = zt_alloc(test, ZT_HALF + 1);
	d = zt_alloc(test, ZT_HALF - 1);
	KUNIT_EXPECT_NE(test, zt_page(d), zt_page(c));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
	e = zt_alloc(test, ZT_HALF + 1);
	KUNIT_EXPECT_NE(test, zt_page(e), zt_page(d));
	KUNIT_EXPECT_NE(test, zt_page(e), zt_page(c));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 4);
}

static void zbud_full_page_alone(struct kunit *test)
{
	unsigned long a, b, c;

	a = zt_alloc(test, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, a, zt_page(a));
	b = zt_alloc(test, 1);
	KUNIT_EXPECT_NE(test, zt_page(b), zt_page(a));
	KUNIT_EXPECT_EQ(test, b, zt_page(b));
	c = zt_alloc(test, PAGE_SIZE);
	KUNIT_EXPECT_NE(test, zt_page(c), zt_page(a));
	KUNIT_EXPECT_NE(test, zt_page(c), zt_page(b));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
}

/* Pages each holding one zpage of PAGE_SIZE - free[i]; all > half. */
static void zt_make_pages(struct kunit *test, const size_t *free,
			  unsigned long *pages, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		pages[i] = zt_alloc(test, PAGE_SIZE - free[i]);
		KUNIT_ASSERT_EQ(test, pages[i], zt_page(pages[i]));
		KUNIT_ASSERT_EQ(test, zt_pages(test), i + 1);
	}
}

static void zbud_best_fit_many_pages(struct kunit *test)
{
	/* Created in this order, so the LRU head is the 1104 page. */
	static const size_t free[] = { 1504, 608, 2000, 1104 };
	static const struct {
		size_t size;
		unsigned int page;
	} reqs[] = {
		{ 1400, 0 },	/* fits 1504 and 2000 */
		{ 1100, 3 },	/* fits 1104 and 2000: exact fit */
		{ 608, 1 },	/* fits 608 and 2000: exact fit */
		{ 1500, 2 },	/* only 2000 is left */
	};
	unsigned long pages[ARRAY_SIZE(free)], h;
	unsigned int i;

	zt_make_pages(test, free, pages, ARRAY_SIZE(free));
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		h = zt_alloc(test, reqs[i].size);
		KUNIT_EXPECT_EQ_MSG(test, h,
				    zt_right(pages[reqs[i].page], reqs[i].size),
				    "request %zu went to the wrong page",
				    reqs[i].size);
	}
	KUNIT_EXPECT_EQ(test, zt_pages(test), ARRAY_SIZE(free));
}

static void zbud_best_fit_exact(struct kunit *test)
{
	/* Free space one unit apart; the looser page is the LRU head. */
	static const size_t free[] = { 1104, 1104 + ZT_UNIT };
	unsigned long pages[2], h;

	zt_make_pages(test, free, pages, 2);
	h = zt_alloc(test, 1100);	/* 1104: both fit, 1104 is best */
	KUNIT_EXPECT_EQ(test, h, zt_right(pages[0], 1100));
	h = zt_alloc(test, 1105);	/* a unit more: only the looser page */
	KUNIT_EXPECT_EQ(test, h, zt_right(pages[1], 1105));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
}

static void zbud_best_fit_tie_most_recent(struct kunit *test)
{
	static const size_t free[] = { 1104, 1104 };
	unsigned long pages[3], h, hb;

	zt_make_pages(test, free, pages, 2);
	/* Equal free space: the page that entered the class last wins. */
	hb = zt_alloc(test, 500);
	KUNIT_EXPECT_EQ(test, hb, zt_right(pages[1], 500));

	pages[2] = zt_alloc(test, PAGE_SIZE - 1104);
	KUNIT_ASSERT_EQ(test, zt_pages(test), 3);
	h = zt_alloc(test, 500);
	KUNIT_EXPECT_EQ(test, h, zt_right(pages[2], 500));

	/* Freeing a buddy puts pages[1] back into the class, newest. */
	zt_free(test, hb);
	h = zt_alloc(test, 500);
	KUNIT_EXPECT_EQ(test, h, zt_right(pages[1], 500));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
}

/*
 * The review of zbud v11: a fat zpage must go where it fits best, not
 * into the page at the LRU head just because that page has room.
 */
static void zbud_fat_zpage_skips_lru_head(struct kunit *test)
{
	unsigned long a, big, small, fat, fat2;

	a = zt_alloc(test, ZT_HALF - 64);		/* page A */
	big = zt_alloc(test, ZT_HALF + 128);		/* page B */
	KUNIT_ASSERT_NE(test, zt_page(big), zt_page(a));
	small = zt_alloc(test, 64);			/* best fit: B */
	KUNIT_ASSERT_EQ(test, zt_page(small), zt_page(big));
	zt_free(test, big);
	/* B is the LRU head, holding 64 bytes; A has 64 more than half free. */
	KUNIT_ASSERT_EQ(test, zt_pages(test), 2);

	fat = zt_alloc(test, ZT_HALF + 32);
	KUNIT_EXPECT_NE(test, zt_page(fat), zt_page(small));
	KUNIT_EXPECT_EQ(test, fat, zt_right(zt_page(a), ZT_HALF + 32));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);

	/* ...and B still has room for the next fat one. */
	fat2 = zt_alloc(test, ZT_HALF + 32);
	KUNIT_EXPECT_EQ(test, fat2, zt_page(small));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
}

/* ---- freeing and accounting ---- */

static void zbud_free_releases_page(struct kunit *test)
{
	unsigned long a, b;

	/* Left buddy freed first. */
	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 3000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));
	zt_free(test, a);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	zt_free(test, b);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);

	/* Right buddy freed first. */
	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 3000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));
	zt_free(test, b);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	zt_free(test, a);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);

	/* A lone zpage. */
	a = zt_alloc(test, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	zt_free(test, a);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

static void zbud_free_slot_reused(struct kunit *test)
{
	unsigned long a, b, h;

	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 2000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));

	/* The left slot is free: the next zpage must start the page. */
	zt_free(test, a);
	h = zt_alloc(test, 2096);
	KUNIT_EXPECT_EQ(test, h, zt_page(b));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);

	/* The right slot is free: the next zpage ends the page. */
	zt_free(test, b);
	h = zt_alloc(test, 2000);
	KUNIT_EXPECT_EQ(test, h, zt_right(zt_page(a), 2000));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

static void zbud_pool_size_accounting(struct kunit *test)
{
	unsigned long big[16], small[16], full;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
	for (i = 0; i < 16; i++) {
		big[i] = zt_alloc(test, ZT_HALF + ZT_UNIT);
		KUNIT_EXPECT_EQ(test, zt_pages(test), i + 1);
	}
	for (i = 0; i < 16; i++) {
		small[i] = zt_alloc(test, ZT_HALF - ZT_UNIT);
		KUNIT_EXPECT_EQ(test, zt_pages(test), 16);
	}
	full = zt_alloc(test, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 17);
	for (i = 0; i < 16; i++) {
		zt_free(test, big[i]);
		KUNIT_EXPECT_EQ(test, zt_pages(test), 17);
	}
	zt_free(test, full);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 16);
	for (i = 0; i < 16; i++) {
		zt_free(test, small[i]);
		KUNIT_EXPECT_EQ(test, zt_pages(test), 15 - i);
	}
}

/*
 * No two live zpages may overlap, and no page may be empty.  Returns the
 * number of pages that hold two of them.
 */
static unsigned int zt_check_layout(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	struct zt_obj *x, *y;
	unsigned int i, j, live = 0, shared = 0;
	u64 pages = zt_pages(test);

	for (i = 0; i < ctx->nr_used; i++) {
		x = &ctx->objs[i];
		if (!x->live)
			continue;
		live++;
		KUNIT_EXPECT_TRUE(test, zt_intact(x->handle, x->size, x->seed));
		for (j = i + 1; j < ctx->nr_used; j++) {
			y = &ctx->objs[j];
			if (!y->live)
				continue;
			KUNIT_EXPECT_TRUE_MSG(test,
					      x->handle + x->size <= y->handle ||
					      y->handle + y->size <= x->handle,
					      "zpages %u and %u overlap", i, j);
			shared += zt_page(x->handle) == zt_page(y->handle);
		}
		/* A full check under KASAN outlasts RCU's stall timeout. */
		cond_resched();
	}
	/* No page is empty, and two zpages that share one are one page. */
	KUNIT_EXPECT_EQ(test, pages, live - shared);
	return shared;
}

static void zbud_data_survives_churn(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	struct rnd_state rnd;
	struct zt_obj *obj;
	unsigned int i, slot;
	u32 r;

	prandom_seed_state(&rnd, 0x7a627564);
	/* Grow to a few hundred zpages, freeing a third on the way. */
	for (i = 0; i < ZT_MAX_OBJS; i++) {
		r = prandom_u32_state(&rnd);
		zt_alloc(test, 1 + r % PAGE_SIZE);
		if (r % 3 == 0) {
			slot = (r >> 12) % ctx->nr_used;
			obj = &ctx->objs[slot];
			if (obj->live)
				zt_free(test, obj->handle);
		}
		if (i % 64 == 63)
			zt_check_layout(test);
	}
	zt_check_layout(test);

	/* Free every other survivor, then check the rest once more. */
	for (i = 0; i < ctx->nr_used; i += 2)
		if (ctx->objs[i].live)
			zt_free(test, ctx->objs[i].handle);
	zt_check_layout(test);
}

/* ---- bad input ---- */

/* A bad call must leave the pool as it was: one page, 100 bytes used. */
static void zt_expect_untouched(struct kunit *test, unsigned long first)
{
	unsigned long h;

	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	h = zt_alloc(test, PAGE_SIZE - zt_stored(100));
	KUNIT_EXPECT_EQ(test, h,
			zt_right(zt_page(first), PAGE_SIZE - zt_stored(100)));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

static void zbud_alloc_size_zero(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long first, h = 0;

	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, 0, GFP_KERNEL, &h),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
	first = zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, 0, GFP_KERNEL, &h),
			-EINVAL);
	zt_expect_untouched(test, first);
}

static void zbud_alloc_too_big(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long first, h = 0;

	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, PAGE_SIZE + 1, GFP_KERNEL,
					 &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
	first = zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, PAGE_SIZE + 1, GFP_KERNEL,
					 &h), -ENOSPC);
	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, 2 * PAGE_SIZE, GFP_KERNEL,
					 &h), -ENOSPC);
	/* Must not wrap around when rounded up to a unit. */
	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, SIZE_MAX, GFP_KERNEL, &h),
			-ENOSPC);
	zt_expect_untouched(test, first);
}

static void zbud_alloc_highmem(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long first, h = 0;

	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, 100,
					 GFP_KERNEL | __GFP_HIGHMEM, &h),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
	first = zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, 100, GFP_HIGHUSER, &h),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zbud_alloc(ctx->pool, 100,
					 GFP_KERNEL | __GFP_HIGHMEM, &h),
			-EINVAL);
	zt_expect_untouched(test, first);
}

/* ---- reclaim ---- */

static int zt_reclaim(struct kunit *test, unsigned int retries)
{
	struct zt_ctx *ctx = test->priv;

	return zbud_reclaim_page(ctx->pool, retries);
}

static void zbud_reclaim_lru_order(struct kunit *test)
{
	static const size_t free[] = { 1104, 992, 896 };
	unsigned long p[3], h;

	zt_make_pages(test, free, p, 3);
	/* Only p[0] has room: receiving a zpage moves it to the LRU head. */
	h = zt_alloc(test, 1000);
	KUNIT_ASSERT_EQ(test, h, zt_right(p[0], 1000));

	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
	zt_expect_log(test, (unsigned long []){ p[1], p[2], p[0], h }, 4);
}

static void zbud_reclaim_both_buddies(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 3000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	zt_expect_log(test, (unsigned long []){ a, b }, 2);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, a));
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, b));
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evicted), 2);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

static void zbud_reclaim_single_buddy(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 3000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));
	zt_free(test, a);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	zt_expect_log(test, (unsigned long []){ b }, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evicted), 1);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

/* Two zpages of more than half a page, each in a page of its own. */
static void zt_alloc_two_pages(struct kunit *test, unsigned long *a,
			       unsigned long *b)
{
	*a = zt_alloc(test, ZT_HALF + 8);
	*b = zt_alloc(test, ZT_HALF + 8);
	KUNIT_ASSERT_NE(test, zt_page(*b), zt_page(*a));
}

static void zbud_reclaim_evict_failure_requeues(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	zt_alloc_two_pages(test, &a, &b);

	ctx->fail_handle = a;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), -EAGAIN);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	KUNIT_EXPECT_TRUE(test, zt_is_live(ctx, a));

	/* a's page went back to the head, so b's page is the tail now. */
	ctx->fail_handle = 0;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
	zt_expect_log(test, (unsigned long []){ a, b, a }, 3);
}

static void zbud_reclaim_retries_next_page(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	zt_alloc_two_pages(test, &a, &b);

	ctx->fail_handle = a;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 2), 0);
	zt_expect_log(test, (unsigned long []){ a, b }, 2);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_TRUE(test, zt_is_live(ctx, a));
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, b));

	/* Only the failing page is left: it is tried once, not three times. */
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 3), -EAGAIN);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_TRUE(test, zt_is_live(ctx, a));
	zt_expect_log(test, (unsigned long []){ a, b, a }, 3);
	ctx->fail_handle = 0;
}

/*
 * While a's evict runs, its page is off the LRU, and a reclaim nested in
 * that callback finds only b's page, which fails: it tries that page
 * once, not once for each page the pool holds.
 */
static void zbud_reclaim_skips_isolated_page(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	zt_alloc_two_pages(test, &a, &b);

	ctx->fail_handle = b;
	ctx->nest_handle = a;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	KUNIT_EXPECT_EQ(test, ctx->nest_ret, -EAGAIN);
	zt_expect_log(test, (unsigned long []){ b, a }, 2);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_TRUE(test, zt_is_live(ctx, b));
	ctx->fail_handle = 0;
}

static void zbud_reclaim_partial_failure(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 3000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));

	/* First buddy goes, second refuses: the page stays with b. */
	ctx->fail_handle = b;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, a));
	KUNIT_EXPECT_TRUE(test, zt_is_live(ctx, b));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);

	ctx->fail_handle = 0;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	zt_expect_log(test, (unsigned long []){ a, b, b }, 3);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

static void zbud_reclaim_evict_frees_buddy(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 3000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));

	/* Evicting a also frees b; reclaim must not evict b again. */
	ctx->free_buddy = true;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	zt_expect_log(test, (unsigned long []){ a }, 1);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, b));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

/*
 * Frees ctx->race_handle from another thread while reclaim has its page
 * isolated and the evict callback waits.
 */
static int zt_racer(void *data)
{
	struct zt_ctx *ctx = data;
	struct zt_obj *obj;

	if (!wait_for_completion_timeout(&ctx->race_go, 10 * HZ))
		return -ETIMEDOUT;
	spin_lock(&ctx->lock);
	obj = zt_lookup(ctx, ctx->race_handle);
	if (obj)
		obj->live = false;
	spin_unlock(&ctx->lock);
	if (obj)
		zbud_free(ctx->pool, ctx->race_handle);
	complete(&ctx->race_done);
	return 0;
}

/* Starts zt_racer() on ctx->race_handle, set by the caller. */
static void zt_run_racer(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	struct task_struct *task;

	init_completion(&ctx->race_go);
	init_completion(&ctx->race_done);
	task = kthread_create(zt_racer, ctx, "zbud_kunit_racer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	/* Before it runs: it may time out and exit before zt_exit(). */
	get_task_struct(task);
	ctx->racer = task;
	wake_up_process(task);
}

/*
 * Another thread frees a zpage between reclaim isolating its page and
 * the evict callback: the callback finds it gone and fails, and the page
 * goes back to the LRU with its buddy, which the next reclaim evicts.
 */
static void zbud_free_races_evict(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, b;

	a = zt_alloc(test, 1000);
	b = zt_alloc(test, 1000);
	KUNIT_ASSERT_EQ(test, zt_page(b), zt_page(a));
	ctx->race_handle = a;
	ctx->stale_ok = true;
	zt_run_racer(test);

	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->stale), 1);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, a));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	ctx->race_handle = 0;
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	zt_expect_log(test, (unsigned long []){ a, b }, 2);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

static void zbud_reclaim_no_ops(struct kunit *test)
{
	zt_replace_pool(test, NULL);
	zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

static void zbud_reclaim_no_evict(struct kunit *test)
{
	zt_replace_pool(test, &zt_no_evict_ops);
	zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

static void zbud_reclaim_zero_retries(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;

	zt_alloc(test, 100);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evict_calls), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

static void zbud_reclaim_empty_pool(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long h;

	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), -EINVAL);
	/* Empty again after its only page went away. */
	h = zt_alloc(test, 100);
	zt_free(test, h);
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evict_calls), 0);
}

/* ---- zpool ---- */

/*
 * The value behind /sys/kernel/debug/zbud/<pool>/<name>: debugfs keeps a
 * counter file's variable in its inode.
 */
static unsigned long zt_counter(struct kunit *test, const char *pool,
				const char *name)
{
	struct dentry *root, *dir, *file = NULL;
	unsigned long value = ULONG_MAX;

	root = debugfs_lookup("zbud", NULL);
	dir = debugfs_lookup(pool, root);
	if (!IS_ERR_OR_NULL(dir))
		file = debugfs_lookup(name, dir);
	if (!IS_ERR_OR_NULL(file))
		value = *(unsigned long *)d_inode(file)->i_private;
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR_OR_NULL(file), "no zbud/%s/%s",
			       pool, name);
	dput(file);
	dput(dir);
	dput(root);
	return value;
}

struct zt_counts {
	unsigned long pages, pages_full, pages_single, zpages, bytes;
	unsigned long reclaim_attempts, reclaim_successes, evict_failures;
	unsigned long pages_compacted, bytes_moved, move_failures;
};

#define ZT_COUNTER(name)	{ #name, offsetof(struct zt_counts, name) }
static const struct {
	const char *name;
	size_t offset;
} zt_counter_files[] = {
	ZT_COUNTER(pages), ZT_COUNTER(pages_full), ZT_COUNTER(pages_single),
	ZT_COUNTER(zpages), ZT_COUNTER(bytes), ZT_COUNTER(reclaim_attempts),
	ZT_COUNTER(reclaim_successes), ZT_COUNTER(evict_failures),
	ZT_COUNTER(pages_compacted), ZT_COUNTER(bytes_moved),
	ZT_COUNTER(move_failures),
};

static void zt_expect_counts(struct kunit *test, const char *pool,
			     const struct zt_counts *want)
{
	const char *name;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zt_counter_files); i++) {
		name = zt_counter_files[i].name;
		KUNIT_EXPECT_EQ_MSG(test, zt_counter(test, pool, name),
				    *(unsigned long *)((void *)want +
					zt_counter_files[i].offset),
				    "zbud/%s/%s", pool, name);
	}
}

#if ZT_HAVE_ZPOOL
static int zt_zpool_evict(struct zpool *zpool, unsigned long handle)
{
	struct zt_ctx *ctx = zt_find(zpool);
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = zt_claim_for_evict(ctx, handle);
	if (ret)
		return ret;
	zpool_free(zpool, handle);
	atomic_inc(&ctx->evicted);
	return 0;
}

static const struct zpool_ops zt_zpool_ops = {
	.evict = zt_zpool_evict,
};

static unsigned long zt_zpool_alloc(struct kunit *test, size_t size)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long handle = 0;
	u32 seed = ctx->nr_used * 13 + 1;
	void *p;

	KUNIT_ASSERT_EQ(test, zpool_malloc(ctx->zpool, size, GFP_KERNEL,
					   &handle), 0);
	p = zpool_map_handle(ctx->zpool, handle, ZPOOL_MM_WO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zt_fill((unsigned long)p, size, seed);
	zpool_unmap_handle(ctx->zpool, handle);
	zt_track(test, handle, size, seed, true);
	return handle;
}

/* Gives the case a zbud zpool named @name, which zt_exit() destroys. */
static struct zpool *zt_use_zpool_ops(struct kunit *test, const char *name,
				      const struct zpool_ops *ops)
{
	struct zt_ctx *ctx = test->priv;
	struct zpool *zpool;

	KUNIT_ASSERT_TRUE(test, zpool_has_pool("zbud"));
	zpool = zpool_create_pool("zbud", name, GFP_KERNEL, ops);
	KUNIT_ASSERT_NOT_NULL(test, zpool);
	spin_lock(&zt_ctxs_lock);
	ctx->zpool = zpool;
	spin_unlock(&zt_ctxs_lock);
	return zpool;
}

static struct zpool *zt_use_zpool(struct kunit *test, const char *name)
{
	return zt_use_zpool_ops(test, name, &zt_zpool_ops);
}

static void zbud_zpool_path(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned int reclaimed = 0;
	unsigned long h[3];
	struct zpool *zpool;
	void *p;

	zpool = zt_use_zpool(test, "zbud_kunit");
	KUNIT_EXPECT_STREQ(test, zpool_get_type(zpool), "zbud");
	KUNIT_EXPECT_TRUE(test, zpool_evictable(zpool));
	KUNIT_EXPECT_EQ(test, zpool_get_total_size(zpool), 0);

	/* h[0] and h[1] fill the LRU tail page; h[2] gets a page alone. */
	h[0] = zt_zpool_alloc(test, ZT_HALF + ZT_UNIT);
	h[1] = zt_zpool_alloc(test, ZT_HALF - ZT_UNIT);
	h[2] = zt_zpool_alloc(test, ZT_HALF + 2 * ZT_UNIT);
	KUNIT_EXPECT_EQ(test, zpool_get_total_size(zpool), 2 * PAGE_SIZE);

	p = zpool_map_handle(zpool, h[1], ZPOOL_MM_RO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zt_intact((unsigned long)p, ZT_HALF - ZT_UNIT,
					  ctx->objs[1].seed));
	zpool_unmap_handle(zpool, h[1]);

	KUNIT_EXPECT_EQ(test, zpool_shrink(zpool, 1, &reclaimed), 0);
	KUNIT_EXPECT_EQ(test, reclaimed, 1U);
	zt_expect_log(test, h, 2);
	KUNIT_EXPECT_EQ(test, zpool_get_total_size(zpool), PAGE_SIZE);

	reclaimed = 0;
	KUNIT_EXPECT_EQ(test, zpool_shrink(zpool, 1, &reclaimed), 0);
	KUNIT_EXPECT_EQ(test, reclaimed, 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evicted), 3);
	KUNIT_EXPECT_EQ(test, zpool_get_total_size(zpool), 0);
}

/* Each of the pool's debugfs counters, through a failed and a good evict. */
static void zbud_debugfs_counters(struct kunit *test)
{
	static const char name[] = "zbud_kunit_counters";
	struct zt_ctx *ctx = test->priv;
	struct zt_counts want = { 0 };
	struct zpool *zpool;
	unsigned long h[3];

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_DEBUG_FS");
	zpool = zt_use_zpool(test, name);
	zt_expect_counts(test, name, &want);

	/* h[0] and h[1] share the LRU tail page; h[2] is alone. */
	h[0] = zt_zpool_alloc(test, ZT_HALF + ZT_UNIT);
	h[1] = zt_zpool_alloc(test, ZT_HALF - ZT_UNIT);
	h[2] = zt_zpool_alloc(test, ZT_HALF + 1);
	want = (struct zt_counts){ .pages = 2, .pages_full = 1,
				   .pages_single = 1, .zpages = 3,
				   .bytes = 3 * ZT_HALF + ZT_UNIT };
	zt_expect_counts(test, name, &want);

	/* The tail page's evict fails; the next page goes instead. */
	ctx->fail_handle = h[0];
	KUNIT_EXPECT_EQ(test, zpool_shrink(zpool, 1, NULL), 0);
	want = (struct zt_counts){ .pages = 1, .pages_full = 1, .zpages = 2,
				   .bytes = 2 * ZT_HALF,
				   .reclaim_attempts = 1,
				   .reclaim_successes = 1,
				   .evict_failures = 1 };
	zt_expect_counts(test, name, &want);

	ctx->fail_handle = 0;
	KUNIT_EXPECT_EQ(test, zpool_shrink(zpool, 1, NULL), 0);
	want = (struct zt_counts){ .reclaim_attempts = 2,
				   .reclaim_successes = 2,
				   .evict_failures = 1 };
	zt_expect_counts(test, name, &want);
}

/*
 * Under CONFIG_DEBUG_VM a double free and a handle that is no zpage's are
 * caught: the pool is left as it was.  The first bad free of a pool draws
 * one warning, which the project's test runs expect from this case alone.
 */
static void zbud_bad_free_is_caught(struct kunit *test)
{
	static const char name[] = "zbud_kunit_bad_free";
	struct zt_ctx *ctx = test->priv;
	struct zt_counts want = { 0 };
	struct zpool *zpool;
	unsigned long a, b;

	if (!IS_ENABLED(CONFIG_DEBUG_VM) || !IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_DEBUG_VM and CONFIG_DEBUG_FS");
	/* Built in only (ZT_HAVE_ZPOOL), so panic_on_warn is in reach. */
	if (panic_on_warn)
		kunit_skip(test, "it warns, and panic_on_warn is set");
	zpool = zt_use_zpool(test, name);
	a = zt_zpool_alloc(test, 100);
	b = zt_zpool_alloc(test, 200);
	spin_lock(&ctx->lock);
	zt_lookup(ctx, a)->live = false;
	spin_unlock(&ctx->lock);
	zpool_free(zpool, a);

	zpool_free(zpool, a);
	zpool_free(zpool, b + 8);
	want = (struct zt_counts){ .pages = 1, .pages_single = 1,
				   .zpages = 1, .bytes = zt_stored(200) };
	zt_expect_counts(test, name, &want);
	KUNIT_EXPECT_TRUE(test, zt_intact(b, 200, ctx->objs[1].seed));
}
#else
static void zbud_zpool_path(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_ZPOOL and a built-in test");
}

static void zbud_debugfs_counters(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_ZPOOL and a built-in test");
}

static void zbud_bad_free_is_caught(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_ZPOOL and a built-in test");
}
#endif

/* ---- concurrency ---- */

#define ZT_WORKERS	2
#define ZT_ITERS	1500

/*
 * A race loop ends after its iterations or ZT_RACE_SECS, whichever comes
 * first: a kernel slowed by its checkers (KASAN, DEBUG_PAGEALLOC and
 * lockdep under TCG) races for fewer rounds instead of failing on time.
 * A thread still running after twice as long fails the case, which then
 * waits for it: a thread that truly hangs is left to KUnit's timeout.
 */
#define ZT_RACE_SECS	60
#define ZT_RACE_WAIT	(2 * ZT_RACE_SECS * HZ)

/* Whether a race loop that began at @start may run another round. */
static bool zt_race_on(struct zt_ctx *ctx, unsigned long start)
{
	return !READ_ONCE(ctx->stop) &&
	       time_before(jiffies, start + ZT_RACE_SECS * HZ);
}

struct zt_worker {
	struct zt_ctx *ctx;
	struct completion done;
	unsigned int first, nr;		/* slots this worker allocates into */
	u64 seed;
	unsigned int allocs, frees, reclaims, reclaimed, errors;
};

static void zt_worker_alloc(struct zt_worker *w, struct zt_obj *obj, u32 r)
{
	struct zt_ctx *ctx = w->ctx;
	size_t size = 1 + (r >> 8) % PAGE_SIZE;
	unsigned long handle;

	if (zbud_alloc(ctx->pool, size, GFP_KERNEL, &handle)) {
		w->errors++;
		return;
	}
	if (!IS_ALIGNED(handle, 8))
		w->errors++;
	zt_fill(handle, size, r);
	spin_lock(&ctx->lock);
	obj->handle = handle;
	obj->size = size;
	obj->seed = r;
	obj->live = true;
	spin_unlock(&ctx->lock);
	w->allocs++;
}

static void zt_worker_free(struct zt_worker *w, struct zt_obj *obj)
{
	struct zt_ctx *ctx = w->ctx;
	bool mine;

	spin_lock(&ctx->lock);
	mine = obj->live;
	obj->live = false;
	spin_unlock(&ctx->lock);
	if (!mine)
		return;		/* evicted under us */
	if (!zt_intact(obj->handle, obj->size, obj->seed))
		atomic_inc(&ctx->bad_data);
	zbud_free(ctx->pool, obj->handle);
	w->frees++;
}

static void zt_worker_reclaim(struct zt_worker *w)
{
	int ret = zbud_reclaim_page(w->ctx->pool, 2);

	w->reclaims++;
	if (!ret)
		w->reclaimed++;
	else if (ret != -EAGAIN && ret != -EINVAL)
		w->errors++;
}

static int zt_worker_fn(void *data)
{
	struct zt_worker *w = data;
	struct zt_ctx *ctx = w->ctx;
	unsigned long start = jiffies;
	struct rnd_state rnd;
	struct zt_obj *obj;
	unsigned int i;
	bool live;
	u32 r;

	prandom_seed_state(&rnd, w->seed);
	for (i = 0; i < ZT_ITERS && zt_race_on(ctx, start); i++) {
		r = prandom_u32_state(&rnd);
		if (r % 5 == 0) {
			zt_worker_reclaim(w);
		} else {
			obj = &ctx->objs[w->first + (r >> 4) % w->nr];
			spin_lock(&ctx->lock);
			live = obj->live;
			spin_unlock(&ctx->lock);
			/* Only this worker makes its slots live again. */
			if (live)
				zt_worker_free(w, obj);
			else
				zt_worker_alloc(w, obj, r);
		}
		if (i % 16 == 15)
			usleep_range(20, 100);
		else
			cond_resched();
	}
	kthread_complete_and_exit(&w->done, 0);
}

/*
 * Workers allocate, free and reclaim at random in one pool; the data, the
 * accounting and the layout must hold.  A free that beats an evict to its
 * zpage happens here only by chance (the "raced" count), so
 * zbud_free_races_evict makes one happen.
 */
static void zbud_concurrent_alloc_free_reclaim(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	struct task_struct *task;
	struct zt_worker *w;
	unsigned int i, live = 0, started = 0;
	unsigned int allocs = 0, frees = 0, reclaimed = 0, errors = 0;
	u64 pages;

	w = kunit_kcalloc(test, ZT_WORKERS, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	ctx->evict_sleeps = true;
	ctx->stale_ok = true;
	ctx->nr_used = ZT_MAX_OBJS;	/* slots are handed out below */

	for (i = 0; i < ZT_WORKERS; i++) {
		w[i].ctx = ctx;
		w[i].first = i * (ZT_MAX_OBJS / ZT_WORKERS);
		w[i].nr = ZT_MAX_OBJS / ZT_WORKERS;
		w[i].seed = 0x5eed0000 + i;
		init_completion(&w[i].done);
		task = kthread_run(zt_worker_fn, &w[i], "zbud_kunit/%u", i);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
		if (IS_ERR(task))
			break;
		started++;
	}
	for (i = 0; i < started; i++) {
		if (!wait_for_completion_timeout(&w[i].done, ZT_RACE_WAIT)) {
			WRITE_ONCE(ctx->stop, true);
			KUNIT_FAIL(test, "worker %u timed out", i);
			wait_for_completion(&w[i].done);
		}
		allocs += w[i].allocs;
		frees += w[i].frees;
		reclaimed += w[i].reclaimed;
		errors += w[i].errors;
	}
	KUNIT_ASSERT_EQ(test, started, ZT_WORKERS);

	for (i = 0; i < ZT_MAX_OBJS; i++)
		live += ctx->objs[i].live;
	pages = zt_pages(test);
	kunit_info(test, "%u allocs, %u frees, %d evicted (%d raced), %u pages reclaimed, %u live in %llu pages\n",
		   allocs, frees, atomic_read(&ctx->evicted),
		   atomic_read(&ctx->stale), reclaimed, live, pages);

	KUNIT_EXPECT_EQ(test, errors, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_data), 0);
	KUNIT_EXPECT_GT(test, reclaimed, 0U);
	zt_check_layout(test);

	for (i = 0; i < ZT_MAX_OBJS; i++)
		if (ctx->objs[i].live)
			zt_free(test, ctx->objs[i].handle);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 0);
}

/* ---- compaction ---- */

#define ZT_MAX_POOL_ID	10000
#define ZT_LONE_MAX	8

/*
 * Names the case's pool: zbud_create_pool() calls it zbud/pool<N>/ in
 * debugfs, and the data of that directory's "compact" file is the pool.
 */
static void zt_find_name(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	struct dentry *root, *dir, *file;
	bool found = false;
	int id;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_DEBUG_FS");
	root = debugfs_lookup("zbud", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(root));
	for (id = 1; !found && id < ZT_MAX_POOL_ID; id++) {
		snprintf(ctx->name, sizeof(ctx->name), "pool%d", id);
		dir = debugfs_lookup(ctx->name, root);
		if (IS_ERR_OR_NULL(dir))
			continue;
		file = debugfs_lookup("compact", dir);
		if (!IS_ERR_OR_NULL(file)) {
			found = d_inode(file)->i_private == ctx->pool;
			dput(file);
		}
		dput(dir);
	}
	dput(root);
	KUNIT_ASSERT_TRUE_MSG(test, found, "no zbud/pool<N>/compact for the pool");
}

/* Swaps the case's pool for one whose user moves zpages. */
static void zt_use_move_pool(struct kunit *test)
{
	/* Not left to the default: the machine may boot with it off. */
	if (ZT_HAVE_PARAM)
		zt_set_compaction(test, true);
	zt_replace_pool(test, &zt_move_ops);
	zt_find_name(test);
}

static unsigned long zt_handle(struct zt_ctx *ctx, unsigned int slot)
{
	unsigned long handle;

	spin_lock(&ctx->lock);
	handle = ctx->objs[slot].handle;
	spin_unlock(&ctx->lock);
	return handle;
}

/*
 * Stops compaction and waits for any in flight to end: new compactions
 * do nothing and every move fails, so a compaction ends at its next
 * move, and zbud counts each move, done or failed, before it drops the
 * pool lock for the last time.
 */
static void zt_quiesce(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long end = jiffies + 10 * HZ, done;
	int calls;

	zt_set_compaction(test, false);
	WRITE_ONCE(ctx->move_frozen, true);
	do {
		calls = atomic_read(&ctx->move_calls);
		msleep(20);
		done = zt_counter(test, ctx->name, "pages_compacted") +
		       zt_counter(test, ctx->name, "move_failures");
	} while ((done != (unsigned long)calls ||
		  calls != atomic_read(&ctx->move_calls)) &&
		 time_before(jiffies, end));
	KUNIT_EXPECT_EQ_MSG(test, done, (unsigned long)calls,
			    "a compaction is still running");
	msleep(20);
}

/*
 * Makes lone zpages of @sizes, each first in a page of its own, and
 * returns their slots in @slots.  Each comes with a filler that fills
 * its page, and the fillers are freed with compaction off, so that no
 * work runs; compaction is on again when it returns.
 */
static void zt_make_lone(struct kunit *test, const size_t *sizes,
			 unsigned int *slots, unsigned int nr)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long h, fill[ZT_LONE_MAX];
	u64 pages = zt_pages(test);
	unsigned int i;

	KUNIT_ASSERT_LE(test, nr, ZT_LONE_MAX);
	zt_set_compaction(test, false);
	for (i = 0; i < nr; i++) {
		slots[i] = ctx->nr_used;
		h = zt_alloc(test, sizes[i]);
		KUNIT_ASSERT_EQ(test, h, zt_page(h));
		fill[i] = zt_alloc(test, PAGE_SIZE - zt_stored(sizes[i]));
		KUNIT_ASSERT_EQ(test, zt_page(fill[i]), zt_page(h));
	}
	for (i = 0; i < nr; i++)
		zt_free(test, fill[i]);
	zt_set_compaction(test, true);
	KUNIT_ASSERT_EQ(test, zt_pages(test), pages + nr);
}

/* The smallest lone zpage moves beside its best fit, until none fits. */
static void zbud_compact_pairs_lone_zpages(struct kunit *test)
{
	/*
	 * In 4 KiB units: 1000 goes beside 3000 (not 2500), 1090 beside
	 * 2500; 3500 stays.
	 */
	static const size_t sizes[] = { ZT_4K(3000), ZT_4K(1000),
					ZT_4K(1090), ZT_4K(2500), ZT_4K(3500) };
	struct zt_ctx *ctx = test->priv;
	unsigned long h[ARRAY_SIZE(sizes)], bytes = 0;
	unsigned int s[ARRAY_SIZE(sizes)], i;
	struct zt_counts want;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		h[i] = zt_handle(ctx, s[i]);
		bytes += zt_stored(sizes[i]);
	}

	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 2UL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->moved), 2);
	KUNIT_ASSERT_EQ(test, ctx->nr_mlog, 2U);
	KUNIT_EXPECT_EQ(test, ctx->mlog[0].old, h[1]);
	KUNIT_EXPECT_EQ(test, ctx->mlog[0].new, zt_right(h[0], sizes[1]));
	KUNIT_EXPECT_EQ(test, ctx->mlog[1].old, h[2]);
	KUNIT_EXPECT_EQ(test, ctx->mlog[1].new, zt_right(h[3], sizes[2]));
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[1]), zt_right(h[0], sizes[1]));
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[2]), zt_right(h[3], sizes[2]));
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[0]), h[0]);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[3]), h[3]);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[4]), h[4]);
	zt_check_layout(test);
	want = (struct zt_counts){ .pages = 3, .pages_full = 2,
				   .pages_single = 1, .zpages = 5,
				   .bytes = bytes, .pages_compacted = 2,
				   .bytes_moved = zt_stored(sizes[1]) +
						  zt_stored(sizes[2]) };
	zt_expect_counts(test, ctx->name, &want);

	/* Only the 3500 is alone now: there is nothing more to do. */
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 2);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
}

/* Rounded up to units, two lone zpages must add up to a page. */
static void zbud_compact_sizes_must_fit(struct kunit *test)
{
	/* With 4 KiB pages, 2056 + 2048 and 2048 + 4088 are too much... */
	static const size_t sizes[] = { ZT_HALF + ZT_UNIT,
					ZT_HALF - ZT_UNIT + 1,
					PAGE_SIZE - ZT_UNIT };
	/* ...but 2056 + 2040 is exactly a page. */
	static const size_t exact[] = { ZT_HALF + ZT_UNIT,
					ZT_HALF - ZT_UNIT };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)], i;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
	zt_check_layout(test);

	/* A new zpage would pair at once: start again from nothing. */
	zt_set_compaction(test, false);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		zt_free(test, zt_handle(ctx, s[i]));
	zt_make_lone(test, exact, s, ARRAY_SIZE(exact));
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[1]),
			zt_right(zt_handle(ctx, s[0]), ZT_HALF - ZT_UNIT));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	zt_check_layout(test);
}

/* A pool whose user cannot move zpages is not compacted. */
static void zbud_compact_no_move_callback(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];

	/* No move callback: a zbud that tried to move would crash. */
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	/* Nor does a free that leaves a pairable lone zpage move anything. */
	zt_free(test, zt_alloc(test, 50));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	zt_check_layout(test);
}

/* zbud.compaction=N: nothing moves, until it is on again. */
static void zbud_compact_param_off(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	unsigned long h[ARRAY_SIZE(sizes)];

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	h[0] = zt_handle(ctx, s[0]);
	h[1] = zt_handle(ctx, s[1]);
	zt_set_compaction(test, false);
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 0);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[0]), h[0]);

	zt_set_compaction(test, true);
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[0]), zt_right(h[1], 1000));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

/* Compaction turned off during a run stops it before the next move. */
static void zbud_compact_param_off_midway(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000, 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	ctx->move_turns_off = true;
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 1);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 3);
	zt_check_layout(test);
}

/* Starts @fn on the zpage in slot @slot; returns once @fn holds it. */
static struct zt_user *zt_start_user(struct kunit *test, int (*fn)(void *),
				     unsigned int slot)
{
	struct zt_ctx *ctx = test->priv;
	struct task_struct *task;
	struct zt_user *u;

	u = kunit_kzalloc(test, sizeof(*u), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, u);
	u->ctx = ctx;
	u->slot = slot;
	u->seed = ctx->objs[slot].seed ^ 0x5a5a5a5a;
	init_completion(&u->holding);
	init_completion(&u->release);
	init_completion(&u->done);
	task = kthread_run(fn, u, "zbud_kunit_user");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	ctx->user = u;
	KUNIT_ASSERT_TRUE(test,
			  wait_for_completion_timeout(&u->holding, 10 * HZ));
	return u;
}

static void zt_stop_user(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;

	complete(&ctx->user->release);
	wait_for_completion(&ctx->user->done);
	ctx->user = NULL;
}

/*
 * Maps the zpage and sleeps with it mapped, as a store that compresses
 * into it may; once released, writes new data through the mapping.
 */
static int zt_mapper(void *data)
{
	struct zt_user *u = data;
	struct zt_ctx *ctx = u->ctx;
	struct zt_obj *obj = &ctx->objs[u->slot];
	unsigned long handle;
	void *p;

	spin_lock(&ctx->lock);
	obj->pinned = true;
	handle = obj->handle;
	spin_unlock(&ctx->lock);
	p = zbud_map(ctx->pool, handle);
	complete(&u->holding);
	wait_for_completion_timeout(&u->release, 60 * HZ);
	zt_fill((unsigned long)p, obj->size, u->seed);
	zbud_unmap(ctx->pool, handle);
	spin_lock(&ctx->lock);
	obj->seed = u->seed;
	obj->pinned = false;
	spin_unlock(&ctx->lock);
	kthread_complete_and_exit(&u->done, 0);
}

/*
 * Makes two lone zpages of @sizes and starts @fn holding the one at
 * @held, the smaller, whose move is then refused: compaction moves the
 * other beside it instead.
 */
static struct zt_user *zt_compact_around(struct kunit *test,
					 const size_t *sizes,
					 unsigned int *s, unsigned long *h,
					 int (*fn)(void *data),
					 unsigned int held)
{
	struct zt_ctx *ctx = test->priv;
	unsigned int other = !held;
	struct zt_user *u;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, 2);
	h[0] = zt_handle(ctx, s[0]);
	h[1] = zt_handle(ctx, s[1]);
	u = zt_start_user(test, fn, s[held]);

	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_busy), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->moved), 1);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[held]), h[held]);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[other]),
			zt_right(h[held], sizes[other]));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	return u;
}

/*
 * A sleeping mapper holds the smallest lone zpage: its move is refused
 * and counted, and the other zpage moves into its page, away from the
 * mapped bytes.
 */
static void zbud_compact_refuses_mapped(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	unsigned long h[ARRAY_SIZE(sizes)];
	struct zt_counts want;

	zt_compact_around(test, sizes, s, h, zt_mapper, 0);
	want = (struct zt_counts){ .pages = 1, .pages_full = 1, .zpages = 2,
				   .bytes = zt_stored(1000) + zt_stored(3000),
				   .pages_compacted = 1,
				   .bytes_moved = zt_stored(3000),
				   .move_failures = 1 };
	zt_expect_counts(test, ctx->name, &want);

	/* The mapper's late write must not reach the zpage moved beside it. */
	zt_stop_user(test);
	zt_check_layout(test);
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 2);
}

/*
 * Holds a reference to the zpage, as a load does, and reads it in two
 * halves with a pause between; u->ok says whether it read its data.
 */
static int zt_loader(void *data)
{
	struct zt_user *u = data;
	struct zt_ctx *ctx = u->ctx;
	struct zt_obj *obj = &ctx->objs[u->slot];
	size_t half = obj->size / 2;
	unsigned long handle;
	u8 *buf, *p;

	buf = kmalloc(obj->size, GFP_KERNEL);
	spin_lock(&ctx->lock);
	obj->refs++;
	handle = obj->handle;
	spin_unlock(&ctx->lock);
	p = zbud_map(ctx->pool, handle);
	if (buf)
		memcpy(buf, p, half);
	complete(&u->holding);
	wait_for_completion_timeout(&u->release, 60 * HZ);
	if (buf) {
		memcpy(buf + half, p + half, obj->size - half);
		u->ok = zt_intact((unsigned long)buf, obj->size, obj->seed);
	}
	zbud_unmap(ctx->pool, handle);
	kfree(buf);
	spin_lock(&ctx->lock);
	obj->refs--;
	spin_unlock(&ctx->lock);
	kthread_complete_and_exit(&u->done, 0);
}

/*
 * A load in flight holds the smallest lone zpage: its move fails, the
 * other zpage moves instead, and the load reads its data whole.
 */
static void zbud_compact_refuses_loading(struct kunit *test)
{
	static const size_t sizes[] = { 3000, 800 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	unsigned long h[ARRAY_SIZE(sizes)];
	struct zt_counts want;
	struct zt_user *u;

	u = zt_compact_around(test, sizes, s, h, zt_loader, 1);
	zt_stop_user(test);
	KUNIT_EXPECT_TRUE_MSG(test, u->ok, "the load read bad data");

	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	zt_check_layout(test);
	want = (struct zt_counts){ .pages = 1, .pages_full = 1, .zpages = 2,
				   .bytes = zt_stored(3000) + zt_stored(800),
				   .pages_compacted = 1,
				   .bytes_moved = zt_stored(3000),
				   .move_failures = 1 };
	zt_expect_counts(test, ctx->name, &want);
}

/*
 * The move callback finds that the zpage went away (an invalidation,
 * say) and frees it itself: the emptied page is freed, the destination
 * is as it was, and the pool adds up.
 */
static void zbud_compact_move_frees_old(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	unsigned long h[ARRAY_SIZE(sizes)], n;
	struct zt_counts want;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	h[0] = zt_handle(ctx, s[0]);
	h[1] = zt_handle(ctx, s[1]);
	ctx->move_frees_old = 1;
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 1);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, h[0]));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	want = (struct zt_counts){ .pages = 1, .pages_single = 1,
				   .zpages = 1, .bytes = zt_stored(3000),
				   .move_failures = 1 };
	zt_expect_counts(test, ctx->name, &want);

	/* The 3000's page has its free end back, for a new zpage. */
	n = zt_alloc(test, 1096);
	KUNIT_EXPECT_EQ(test, n, zt_right(h[1], 1096));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
}

/*
 * A merge leaves the LRU order alone: the page that takes the moved zpage
 * keeps its place, where a page that receives a new zpage goes to the
 * head; and a reclaim meanwhile steps over the two pages the move holds.
 */
static void zbud_compact_keeps_lru_place(struct kunit *test)
{
	/* The 1000 moves beside the 3000, whose page is the LRU tail. */
	static const size_t sizes[] = { 3000, 1000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	unsigned long h[ARRAY_SIZE(sizes)], p, q;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	p = zt_alloc(test, PAGE_SIZE);
	q = zt_alloc(test, PAGE_SIZE);
	h[0] = zt_handle(ctx, s[0]);
	ctx->move_reclaims = true;
	ctx->nest_ret = 1;
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	h[1] = zt_handle(ctx, s[1]);
	KUNIT_EXPECT_EQ(test, h[1], zt_right(h[0], 1000));
	KUNIT_EXPECT_EQ(test, ctx->nest_ret, 0);

	/* p went from inside the move; the merged page is still the tail. */
	KUNIT_EXPECT_EQ(test, zt_reclaim(test, 1), 0);
	zt_expect_log(test, (unsigned long []){ p, h[0], h[1] }, 3);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	KUNIT_EXPECT_TRUE(test, zt_is_live(ctx, q));
}

/*
 * A reclaim while a move holds every page on the LRU evicts nothing and
 * asks to be tried again, not told that the pool has nothing to evict.
 */
static void zbud_compact_holds_all_from_reclaim(struct kunit *test)
{
	static const size_t sizes[] = { 3000, 1000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	ctx->move_reclaims = true;
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	KUNIT_EXPECT_EQ(test, ctx->nest_ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, ctx->nr_log, 0U);
	KUNIT_EXPECT_EQ(test, zt_counter(test, ctx->name, "reclaim_attempts"),
			0UL);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

/*
 * A refused move whose zpage a free took meanwhile leaves its page empty:
 * that pair is gone, so compaction goes on to the next one.
 */
static void zbud_compact_goes_on_after_free(struct kunit *test)
{
	/* 500 would go beside 3500 and is freed; 1000 goes beside 3000. */
	static const size_t sizes[] = { ZT_4K(500), ZT_4K(3500),
					ZT_4K(1000), ZT_4K(3000) };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	struct zt_counts want;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, ARRAY_SIZE(sizes));
	ctx->move_frees_old = 1;
	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_calls), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->moved), 1);
	zt_check_layout(test);
	want = (struct zt_counts){ .pages = 2, .pages_full = 1,
				   .pages_single = 1, .zpages = 3,
				   .bytes = zt_stored(sizes[1]) +
					    zt_stored(sizes[2]) +
					    zt_stored(sizes[3]),
				   .pages_compacted = 1,
				   .bytes_moved = zt_stored(sizes[2]),
				   .move_failures = 1 };
	zt_expect_counts(test, ctx->name, &want);
}

/*
 * Makes two lone zpages of @sizes and starts zt_racer() on the zpage
 * @victim, to free it while the next move callback waits.
 */
static void zt_start_racer(struct kunit *test, const size_t *sizes,
			   unsigned int *s, unsigned int victim)
{
	struct zt_ctx *ctx = test->priv;

	zt_use_move_pool(test);
	zt_make_lone(test, sizes, s, 2);
	ctx->race_handle = zt_handle(ctx, s[victim]);
	ctx->move_races = true;
	zt_run_racer(test);
}

/*
 * Another thread frees the zpage being moved while the callback runs:
 * the callback finds it gone and fails, and its page is freed.
 */
static void zbud_compact_free_old_during_move(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	struct zt_counts want;
	unsigned long h;

	zt_start_racer(test, sizes, s, 0);
	h = zt_handle(ctx, s[1]);

	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 0UL);
	ctx->move_races = false;
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->move_stale), 1);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, ctx->race_handle));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	want = (struct zt_counts){ .pages = 1, .pages_single = 1,
				   .zpages = 1, .bytes = zt_stored(3000),
				   .move_failures = 1 };
	zt_expect_counts(test, ctx->name, &want);
	KUNIT_EXPECT_EQ(test, zt_alloc(test, 1096), zt_right(h, 1096));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

/*
 * Another thread frees the destination's zpage while the callback runs,
 * and the move succeeds: the page the zpage left is freed, and the one
 * it went to holds it alone, with the right side free.
 */
static void zbud_compact_free_dst_during_move(struct kunit *test)
{
	static const size_t sizes[] = { 1000, 3000 };
	struct zt_ctx *ctx = test->priv;
	unsigned int s[ARRAY_SIZE(sizes)];
	struct zt_counts want;
	unsigned long h;

	zt_start_racer(test, sizes, s, 1);
	h = zt_handle(ctx, s[1]);

	KUNIT_EXPECT_EQ(test, zbud_compact(ctx->pool), 1UL);
	ctx->move_races = false;
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, h));
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, s[0]), zt_right(h, 1000));
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
	want = (struct zt_counts){ .pages = 1, .pages_single = 1,
				   .zpages = 1, .bytes = zt_stored(1000),
				   .pages_compacted = 1,
				   .bytes_moved = zt_stored(1000) };
	zt_expect_counts(test, ctx->name, &want);
	zt_check_layout(test);

	/* The first side is free: a zpage that fits goes there. */
	KUNIT_EXPECT_EQ(test, zt_alloc(test, 3096), h);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 1);
}

#define ZT_CITERS	1500
#define ZT_CSLOTS	256

struct zt_cthread {
	struct zt_ctx *ctx;
	struct completion done;
	u64 seed;
	unsigned int allocs, frees, freed, errors;
};

/* Frees the zpage in @obj if it is live, or allocates one there. */
static void zt_churn_one(struct zt_cthread *t, struct zt_obj *obj, u32 r)
{
	struct zt_ctx *ctx = t->ctx;
	size_t size = 1 + (r >> 8) % PAGE_SIZE;
	unsigned long handle;
	bool live;

	/* Claimed under the lock: a move repoints it until then. */
	spin_lock(&ctx->lock);
	live = obj->live;
	obj->live = false;
	handle = obj->handle;
	spin_unlock(&ctx->lock);
	if (live) {
		if (!zt_intact(handle, obj->size, obj->seed))
			atomic_inc(&ctx->bad_data);
		zbud_free(ctx->pool, handle);
		t->frees++;
		return;
	}
	if (zbud_alloc(ctx->pool, size, GFP_KERNEL, &handle)) {
		t->errors++;
		return;
	}
	zt_fill(handle, size, r);
	spin_lock(&ctx->lock);
	obj->handle = handle;
	obj->size = size;
	obj->seed = r;
	obj->live = true;
	spin_unlock(&ctx->lock);
	t->allocs++;
}

static int zt_churn_fn(void *data)
{
	struct zt_cthread *t = data;
	struct zt_ctx *ctx = t->ctx;
	unsigned long start = jiffies;
	struct rnd_state rnd;
	unsigned int i;
	u32 r;

	prandom_seed_state(&rnd, t->seed);
	for (i = 0; i < ZT_CITERS && zt_race_on(ctx, start); i++) {
		r = prandom_u32_state(&rnd);
		zt_churn_one(t, &ctx->objs[(r >> 4) % ZT_CSLOTS], r);
		if (i % 16 == 15)
			usleep_range(20, 100);
		else
			cond_resched();
	}
	WRITE_ONCE(ctx->stop, true);
	kthread_complete_and_exit(&t->done, 0);
}

static int zt_compact_fn(void *data)
{
	struct zt_cthread *t = data;

	while (!READ_ONCE(t->ctx->stop)) {
		t->freed += zbud_compact(t->ctx->pool);
		usleep_range(50, 200);
	}
	kthread_complete_and_exit(&t->done, 0);
}

static int zt_reclaim_fn(void *data)
{
	struct zt_cthread *t = data;
	int ret;

	while (!READ_ONCE(t->ctx->stop)) {
		ret = zbud_reclaim_page(t->ctx->pool, 2);
		if (!ret)
			t->freed++;
		else if (ret != -EAGAIN && ret != -EINVAL)
			t->errors++;
		usleep_range(100, 300);
	}
	kthread_complete_and_exit(&t->done, 0);
}

/*
 * Reclaim, compaction (a thread and the work that frees queue) and
 * allocations and frees run at once; the evict and move callbacks both
 * work under ctx->lock.  Each live zpage must hold its data where its
 * record says, and zbud's counters must agree with the records.
 */
static void zbud_compact_races_reclaim(struct kunit *test)
{
	static int (* const fns[])(void *) = {
		zt_churn_fn, zt_compact_fn, zt_reclaim_fn,
	};
	struct zt_ctx *ctx = test->priv;
	unsigned int i, live = 0, started = 0, errors = 0, shared;
	unsigned long bytes = 0;
	struct task_struct *task;
	struct zt_counts got = { 0 };
	struct zt_cthread *t;

	/* zt_quiesce() needs zbud.compaction: skip now, not after racing. */
	zt_need_param(test);
	zt_use_move_pool(test);
	t = kunit_kcalloc(test, ARRAY_SIZE(fns), sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	ctx->evict_sleeps = true;
	ctx->move_sleeps = true;
	ctx->stale_ok = true;
	ctx->nr_used = ZT_CSLOTS;	/* zt_churn_fn() hands slots out */

	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		t[i].ctx = ctx;
		t[i].seed = 0xc0ac0000 + i;
		init_completion(&t[i].done);
		task = kthread_run(fns[i], &t[i], "zbud_kunit_c/%u", i);
		KUNIT_EXPECT_FALSE(test, IS_ERR(task));
		if (IS_ERR(task)) {
			WRITE_ONCE(ctx->stop, true);
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++) {
		if (!wait_for_completion_timeout(&t[i].done, ZT_RACE_WAIT)) {
			WRITE_ONCE(ctx->stop, true);
			KUNIT_FAIL(test, "thread %u timed out", i);
			wait_for_completion(&t[i].done);
		}
		errors += t[i].errors;
	}
	KUNIT_ASSERT_EQ(test, started, (unsigned int)ARRAY_SIZE(fns));

	/* No compaction may run while the counters are read. */
	zt_quiesce(test);

	for (i = 0; i < ZT_CSLOTS; i++) {
		if (!ctx->objs[i].live)
			continue;
		live++;
		bytes += zt_stored(ctx->objs[i].size);
	}
	kunit_info(test, "%u allocs, %u frees, %d evicted (%d raced), %d moved of %d (%d busy, %d stale), %u compacted by the thread, %u reclaimed, %u live in %llu pages\n",
		   t[0].allocs, t[0].frees, atomic_read(&ctx->evicted),
		   atomic_read(&ctx->stale), atomic_read(&ctx->moved),
		   atomic_read(&ctx->move_calls), atomic_read(&ctx->move_busy),
		   atomic_read(&ctx->move_stale), t[1].freed, t[2].freed,
		   live, zt_pages(test));

	KUNIT_EXPECT_EQ(test, errors, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_data), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->bad_move), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&ctx->moved), 0);
	KUNIT_EXPECT_GT(test, t[2].freed, 0U);
	shared = zt_check_layout(test);

	for (i = 0; i < ARRAY_SIZE(zt_counter_files); i++)
		*(unsigned long *)((void *)&got + zt_counter_files[i].offset) =
			zt_counter(test, ctx->name, zt_counter_files[i].name);
	KUNIT_EXPECT_EQ(test, got.zpages, (unsigned long)live);
	KUNIT_EXPECT_EQ(test, got.bytes, bytes);
	/* The counters against the pairs the records show. */
	KUNIT_EXPECT_EQ(test, got.pages, (unsigned long)(live - shared));
	KUNIT_EXPECT_EQ(test, got.pages_full, (unsigned long)shared);
	KUNIT_EXPECT_EQ(test, got.pages_single,
			(unsigned long)(live - 2 * shared));
	KUNIT_EXPECT_EQ(test, got.pages_compacted,
			(unsigned long)atomic_read(&ctx->moved));
	KUNIT_EXPECT_EQ(test, got.bytes_moved,
			(unsigned long)atomic_long_read(&ctx->bytes_moved));
	KUNIT_EXPECT_EQ(test, got.move_failures,
			(unsigned long)(atomic_read(&ctx->move_calls) -
					atomic_read(&ctx->moved)));
	KUNIT_EXPECT_GE(test, got.pages_compacted, (unsigned long)t[1].freed);
}

/*
 * A free that leaves a lone zpage that fits beside another queues
 * compaction, which frees a page soon.  b takes more than half a page, so
 * a is the one lone zpage of at most half a page, and the free must find
 * a fit for it.  (Whether a free that leaves nothing to pair queues the
 * work is the harness's to check: here it would move nothing either way.)
 */
static void zbud_compact_work_after_free(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, fa, b, fb;
	struct zt_counts want;

	zt_use_move_pool(test);
	a = zt_alloc(test, 1000);
	fa = zt_alloc(test, PAGE_SIZE - zt_stored(1000));
	b = zt_alloc(test, ZT_HALF + 8);
	fb = zt_alloc(test, PAGE_SIZE - zt_stored(ZT_HALF + 8));
	KUNIT_ASSERT_EQ(test, zt_page(fa), a);
	KUNIT_ASSERT_EQ(test, zt_page(fb), b);

	/* a is alone, and no lone zpage fits beside it. */
	zt_free(test, fa);
	KUNIT_EXPECT_EQ(test, zt_pages(test), 2);

	/* Now a fits beside b. */
	zt_free(test, fb);
	KUNIT_EXPECT_TRUE_MSG(test, zt_wait_pages(ctx->pool, 1, 5000),
			      "the work did not free a page");
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->moved), 1);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, 0), zt_right(b, 1000));
	zt_check_layout(test);
	want = (struct zt_counts){ .pages = 1, .pages_full = 1, .zpages = 2,
				   .bytes = zt_stored(1000) +
					    zt_stored(ZT_HALF + 8),
				   .pages_compacted = 1,
				   .bytes_moved = zt_stored(1000) };
	zt_expect_counts(test, ctx->name, &want);
}

/*
 * The free leaves a zpage of at most half a page alone in its class; its
 * partner is a smaller lone zpage, in a class with more free space, and
 * the work must find it there.
 */
static void zbud_compact_work_smaller_partner(struct kunit *test)
{
	struct zt_ctx *ctx = test->priv;
	unsigned long a, fa, b, fb;

	zt_use_move_pool(test);
	a = zt_alloc(test, 1000);
	fa = zt_alloc(test, PAGE_SIZE - zt_stored(1000));
	b = zt_alloc(test, 2000);
	fb = zt_alloc(test, PAGE_SIZE - zt_stored(2000));
	KUNIT_ASSERT_EQ(test, zt_page(fa), a);
	KUNIT_ASSERT_EQ(test, zt_page(fb), b);
	zt_free(test, fa);
	zt_free(test, fb);
	KUNIT_EXPECT_TRUE_MSG(test, zt_wait_pages(ctx->pool, 1, 5000),
			      "the free of b's buddy queued no compaction");
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, 0), zt_right(b, 1000));
	zt_check_layout(test);
}

#if ZT_HAVE_ZPOOL
static int zt_zpool_move(struct zpool *zpool, unsigned long old,
			 unsigned long new)
{
	struct zt_ctx *ctx = zt_find(zpool);

	return ctx ? zt_move(ctx, old, new) : -EINVAL;
}

static const struct zpool_ops zt_zpool_move_ops = {
	.evict = zt_zpool_evict,
	.move = zt_zpool_move,
};

/* zpool's shrink pairs lone zpages before it writes anything back. */
static void zbud_compact_before_shrink(struct kunit *test)
{
	static const char name[] = "zbud_kunit_compact";
	struct zt_ctx *ctx = test->priv;
	unsigned int reclaimed = 0;
	unsigned long a, b, fa, fb;
	struct zt_counts want;
	struct zpool *zpool;

	if (!IS_ENABLED(CONFIG_DEBUG_FS))
		kunit_skip(test, "needs CONFIG_DEBUG_FS");
	zpool = zt_use_zpool_ops(test, name, &zt_zpool_move_ops);
	zt_set_compaction(test, false);
	a = zt_zpool_alloc(test, 1000);
	fa = zt_zpool_alloc(test, PAGE_SIZE - zt_stored(1000));
	b = zt_zpool_alloc(test, 3000);
	fb = zt_zpool_alloc(test, PAGE_SIZE - zt_stored(3000));
	zt_free(test, fa);
	zt_free(test, fb);
	zt_set_compaction(test, true);
	KUNIT_ASSERT_EQ(test, zpool_get_total_size(zpool), 2 * PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, zpool_shrink(zpool, 1, &reclaimed), 0);
	KUNIT_EXPECT_EQ(test, reclaimed, 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evict_calls), 0);
	KUNIT_EXPECT_EQ(test, zt_handle(ctx, 0), zt_right(b, 1000));
	KUNIT_EXPECT_EQ(test, zpool_get_total_size(zpool), PAGE_SIZE);
	want = (struct zt_counts){ .pages = 1, .pages_full = 1, .zpages = 2,
				   .bytes = zt_stored(1000) + zt_stored(3000),
				   .pages_compacted = 1,
				   .bytes_moved = zt_stored(1000) };
	zt_expect_counts(test, name, &want);

	/* Nothing is left to pair: the next shrink writes back. */
	reclaimed = 0;
	KUNIT_EXPECT_EQ(test, zpool_shrink(zpool, 1, &reclaimed), 0);
	KUNIT_EXPECT_EQ(test, reclaimed, 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->evicted), 2);
	KUNIT_EXPECT_EQ(test, zpool_get_total_size(zpool), 0);
	KUNIT_EXPECT_FALSE(test, zt_is_live(ctx, a));
}
#else
static void zbud_compact_before_shrink(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_ZPOOL and a built-in test");
}
#endif

static struct kunit_case zbud_test_cases[] = {
	KUNIT_CASE(zbud_first_handle_page_aligned),
	KUNIT_CASE(zbud_second_handle_right_justified),
	KUNIT_CASE(zbud_handles_8_byte_aligned),
	KUNIT_CASE(zbud_map_points_at_zpage),
	KUNIT_CASE(zbud_pair_fills_page_exactly),
	KUNIT_CASE(zbud_one_byte_over_does_not_pair),
	KUNIT_CASE(zbud_rounding_to_units),
	KUNIT_CASE(zbud_full_page_alone),
	KUNIT_CASE(zbud_best_fit_many_pages),
	KUNIT_CASE(zbud_best_fit_exact),
	KUNIT_CASE(zbud_best_fit_tie_most_recent),
	KUNIT_CASE(zbud_fat_zpage_skips_lru_head),
	KUNIT_CASE(zbud_free_releases_page),
	KUNIT_CASE(zbud_free_slot_reused),
	KUNIT_CASE(zbud_pool_size_accounting),
	KUNIT_CASE(zbud_data_survives_churn),
	KUNIT_CASE(zbud_alloc_size_zero),
	KUNIT_CASE(zbud_alloc_too_big),
	KUNIT_CASE(zbud_alloc_highmem),
	KUNIT_CASE(zbud_reclaim_lru_order),
	KUNIT_CASE(zbud_reclaim_both_buddies),
	KUNIT_CASE(zbud_reclaim_single_buddy),
	KUNIT_CASE(zbud_reclaim_evict_failure_requeues),
	KUNIT_CASE(zbud_reclaim_retries_next_page),
	KUNIT_CASE(zbud_reclaim_skips_isolated_page),
	KUNIT_CASE(zbud_reclaim_partial_failure),
	KUNIT_CASE(zbud_reclaim_evict_frees_buddy),
	KUNIT_CASE(zbud_free_races_evict),
	KUNIT_CASE(zbud_reclaim_no_ops),
	KUNIT_CASE(zbud_reclaim_no_evict),
	KUNIT_CASE(zbud_reclaim_zero_retries),
	KUNIT_CASE(zbud_reclaim_empty_pool),
	KUNIT_CASE(zbud_zpool_path),
	KUNIT_CASE(zbud_debugfs_counters),
	KUNIT_CASE(zbud_bad_free_is_caught),
	KUNIT_CASE(zbud_concurrent_alloc_free_reclaim),
	KUNIT_CASE(zbud_compact_pairs_lone_zpages),
	KUNIT_CASE(zbud_compact_sizes_must_fit),
	KUNIT_CASE(zbud_compact_no_move_callback),
	KUNIT_CASE(zbud_compact_param_off),
	KUNIT_CASE(zbud_compact_param_off_midway),
	KUNIT_CASE(zbud_compact_refuses_mapped),
	KUNIT_CASE(zbud_compact_refuses_loading),
	KUNIT_CASE(zbud_compact_move_frees_old),
	KUNIT_CASE(zbud_compact_keeps_lru_place),
	KUNIT_CASE(zbud_compact_holds_all_from_reclaim),
	KUNIT_CASE(zbud_compact_goes_on_after_free),
	KUNIT_CASE(zbud_compact_free_old_during_move),
	KUNIT_CASE(zbud_compact_free_dst_during_move),
	KUNIT_CASE(zbud_compact_races_reclaim),
	KUNIT_CASE(zbud_compact_work_after_free),
	KUNIT_CASE(zbud_compact_work_smaller_partner),
	KUNIT_CASE(zbud_compact_before_shrink),
	{}
};

static struct kunit_suite zbud_test_suite = {
	.name = "zbud",
	.init = zt_init,
	.exit = zt_exit,
	.test_cases = zbud_test_cases,
};

kunit_test_suite(zbud_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for the zbud compressed page allocator");
