// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of mm/zbud.c through struct zalloc, and a smoke test of the
 * 6.1 baseline.  Built with CONFIG_DEBUG_VM, AddressSanitizer and UBSan.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <linux/zpool.h>
#include "harness.h"
#include "test.h"
#include "zalloc.h"

#define PAGE		4096UL
#define GFP		ZALLOC_GFP_KERNEL

static const struct zalloc *const z = &zalloc_zbud;

static unsigned long page_of(unsigned long handle)
{
	return handle & ~(PAGE - 1);
}

/* Where the last zpage of @size sits in the page of @handle. */
static unsigned long last_slot(unsigned long handle, size_t size)
{
	return page_of(handle) + PAGE - ((size + 7) & ~7UL);
}

static uint8_t pattern(unsigned long seed, size_t i)
{
	return (uint8_t)(seed * 0x9e3779b1UL + i * 0x3b + (i >> 8));
}

static void fill(const struct zalloc *a, void *pool, unsigned long handle,
		 size_t size)
{
	uint8_t *p = a->map(pool, handle);
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = pattern(handle, i);
	a->unmap(pool, handle);
}

static bool intact(const struct zalloc *a, void *pool, unsigned long handle,
		   size_t size)
{
	uint8_t *p = a->map(pool, handle);
	size_t i;

	for (i = 0; i < size && p[i] == pattern(handle, i); i++)
		;
	a->unmap(pool, handle);
	return i == size;
}

static unsigned long alloc_fill(const struct zalloc *a, void *pool,
				size_t size)
{
	unsigned long handle = 0;
	int err = a->alloc(pool, size, GFP, &handle);

	if (err)
		test_fail(__FILE__, __LINE__, "%s: alloc(%zu): %d", a->name,
			  size, err);
	fill(a, pool, handle, size);
	return handle;
}

static void pool_ok(const struct zalloc *a, void *pool)
{
	char why[160];

	if (a->check && a->check(pool, why, sizeof(why)))
		test_fail(__FILE__, __LINE__, "%s: %s", a->name, why);
}

static unsigned long counter(void *pool, const char *name)
{
	unsigned long value;

	if (z->stat(pool, name, &value))
		test_fail(__FILE__, __LINE__, "no debugfs file %s", name);
	return value;
}

/*
 * The evict callback of the reclaim tests follows a script, one step per
 * call: succeed (free the handle), fail, and optionally free another
 * handle first, as an evict that writes back both buddies would.
 */
enum evict_action { EVICT_OK, EVICT_FAIL };

struct evict_step {
	enum evict_action action;
	unsigned long free_first;	/* a handle to free before, or 0 */
};

static struct {
	const struct zalloc *a;
	const struct evict_step *script;
	unsigned int steps;
	unsigned int calls;
	unsigned long seen[16];
	bool locked;		/* called with a spinlock held */
} ev;

static int scripted_evict(void *pool, unsigned long handle)
{
	struct evict_step step = { EVICT_OK, 0 };

	if (shim_locks_held)
		ev.locked = true;
	if (ev.calls < ev.steps)
		step = ev.script[ev.calls];
	if (ev.calls < 16)
		ev.seen[ev.calls] = handle;
	ev.calls++;
	if (step.free_first)
		ev.a->free(pool, step.free_first);
	if (step.action == EVICT_FAIL)
		return -EBUSY;
	ev.a->free(pool, handle);
	return 0;
}

static void *evict_pool(const struct zalloc *a,
			const struct evict_step *script, unsigned int steps)
{
	void *pool;

	memset(&ev, 0, sizeof(ev));
	ev.a = a;
	ev.script = script;
	ev.steps = steps;
	pool = a->create(scripted_evict);
	CHECK(pool);
	return pool;
}

TEST(first_left_last_right)
{
	void *pool = z->create(NULL);
	unsigned long a, b;

	CHECK(pool);
	a = alloc_fill(z, pool, 100);
	b = alloc_fill(z, pool, 203);
	CHECK_EQ(a, page_of(a));
	CHECK_EQ(b, last_slot(a, 203));
	CHECK_EQ(z->pool_pages(pool), 1);
	CHECK(intact(z, pool, a, 100) && intact(z, pool, b, 203));
	/* The freed first side is reused first side. */
	z->free(pool, a);
	a = alloc_fill(z, pool, 3000);
	CHECK_EQ(a, page_of(b));
	CHECK(intact(z, pool, a, 3000) && intact(z, pool, b, 203));
	pool_ok(z, pool);
	z->free(pool, a);
	z->free(pool, b);
	CHECK_EQ(z->pool_pages(pool), 0);
	z->destroy(pool);
}

/* UBSan checks the aligned 8-byte stores; the CHECK the handles. */
TEST(every_handle_8_byte_aligned)
{
	static unsigned long handles[PAGE + 1];
	void *pool = z->create(NULL);
	size_t size;

	CHECK(pool);
	for (size = 1; size <= PAGE; size++) {
		uint64_t *p;

		handles[size] = alloc_fill(z, pool, size);
		CHECK_EQ(handles[size] % 8, 0);
		p = z->map(pool, handles[size]);
		*(volatile uint64_t *)p = *p;
		z->unmap(pool, handles[size]);
	}
	pool_ok(z, pool);
	for (size = 1; size <= PAGE; size++) {
		CHECK(intact(z, pool, handles[size], size));
		z->free(pool, handles[size]);
	}
	CHECK_EQ(z->pool_pages(pool), 0);
	z->destroy(pool);
}

/* Whether zpages of @first and @second bytes end up in one page. */
static bool share(size_t first, size_t second)
{
	void *pool = z->create(NULL);
	unsigned long a, b;
	bool shared;

	CHECK(pool);
	a = alloc_fill(z, pool, first);
	b = alloc_fill(z, pool, second);
	shared = page_of(a) == page_of(b);
	CHECK_EQ(z->pool_pages(pool), shared ? 1 : 2);
	CHECK(intact(z, pool, a, first) && intact(z, pool, b, second));
	z->free(pool, b);
	z->free(pool, a);
	z->destroy(pool);
	return shared;
}

TEST(pairing_boundary)
{
	CHECK(share(2048, 2048));
	CHECK(!share(2048, 2049));
	CHECK(share(2044, 2044));	/* 2048 + 2048 after rounding */
	CHECK(share(2041, 2048));
	CHECK(!share(2049, 2041));	/* 2056 + 2048 */
	CHECK(share(1, 4088));
	CHECK(!share(1, 4089));
	CHECK(!share(4096, 1));
	CHECK(!share(1, 4096));
}

TEST(best_fit_among_pages)
{
	void *pool = z->create(NULL);
	unsigned long p1000, p500, p1500, h;

	CHECK(pool);
	p1000 = page_of(alloc_fill(z, pool, PAGE - 1000));
	p500 = page_of(alloc_fill(z, pool, PAGE - 500));
	p1500 = page_of(alloc_fill(z, pool, PAGE - 1500));
	CHECK_EQ(z->pool_pages(pool), 3);
	h = alloc_fill(z, pool, 400);
	CHECK_EQ(page_of(h), p500);
	h = alloc_fill(z, pool, 1000);
	CHECK_EQ(page_of(h), p1000);
	h = alloc_fill(z, pool, 1200);
	CHECK_EQ(page_of(h), p1500);
	CHECK_EQ(z->pool_pages(pool), 3);
	alloc_fill(z, pool, 8);
	CHECK_EQ(z->pool_pages(pool), 4);
	pool_ok(z, pool);
	expect_warnings(1);	/* destroyed with zpages in it */
	z->destroy(pool);
}

/*
 * The review's case: the most recently used page has room for a fat
 * zpage, but another page fits it better.  Best fit must win.
 */
TEST(fat_zpage_goes_to_best_fit_not_lru_head)
{
	void *pool = z->create(NULL);
	unsigned long snug, head, fat;

	CHECK(pool);
	snug = page_of(alloc_fill(z, pool, 2100));	/* 1992 bytes free */
	/* 2096 bytes free and the LRU head */
	head = page_of(alloc_fill(z, pool, 2000));
	CHECK(snug != head);
	fat = alloc_fill(z, pool, 1992);
	CHECK_EQ(page_of(fat), snug);
	CHECK_EQ(z->pool_pages(pool), 2);
	pool_ok(z, pool);
	expect_warnings(1);
	z->destroy(pool);
}

TEST(alloc_errors_leave_pool_unchanged)
{
	void *pool = z->create(NULL);
	unsigned long a, h;

	CHECK(pool);
	a = alloc_fill(z, pool, 3000);
	CHECK_EQ(z->alloc(pool, 0, GFP, &h), -EINVAL);
	CHECK_EQ(z->alloc(pool, PAGE + 1, GFP, &h), -ENOSPC);
	CHECK_EQ(z->alloc(pool, 100, GFP | ZALLOC_GFP_HIGHMEM, &h), -EINVAL);
	CHECK_EQ(z->alloc(pool, 0, GFP | ZALLOC_GFP_HIGHMEM, &h), -EINVAL);

	fail_page_alloc.times = 1;
	CHECK_EQ(z->alloc(pool, 2000, GFP, &h), -ENOMEM);
	CHECK_EQ(fail_page_alloc.times, 0);
	fail_xa_insert.times = 1;
	CHECK_EQ(z->alloc(pool, 2000, GFP, &h), -ENOMEM);
	CHECK_EQ(fail_xa_insert.times, 0);
	CHECK_EQ(z->pool_pages(pool), 1);
	CHECK_EQ(counter(pool, "zpages"), 1);
	CHECK(intact(z, pool, a, 3000));
	pool_ok(z, pool);

	/* A zpage that fits an existing page needs no new page. */
	fail_page_alloc.times = 1;
	h = alloc_fill(z, pool, 1000);
	CHECK_EQ(fail_page_alloc.times, 1);
	CHECK_EQ(page_of(h), page_of(a));
	fail_knob_reset(&fail_page_alloc);
	z->free(pool, a);
	z->free(pool, h);
	CHECK_EQ(z->pool_pages(pool), 0);
	z->destroy(pool);
}

TEST(page_freed_with_its_last_zpage)
{
	void *pool = z->create(NULL);
	unsigned long base = arena_pages_in_use(), a, b;

	CHECK(pool);
	a = alloc_fill(z, pool, 1500);
	b = alloc_fill(z, pool, 1500);
	CHECK_EQ(page_of(a), page_of(b));
	CHECK_EQ(arena_pages_in_use(), base + 1);
	z->free(pool, a);
	CHECK_EQ(z->pool_pages(pool), 1);
	CHECK(intact(z, pool, b, 1500));
	z->free(pool, b);
	CHECK_EQ(z->pool_pages(pool), 0);
	CHECK_EQ(arena_pages_in_use(), base);
	z->destroy(pool);
}

static void reclaim_lru_order(const struct zalloc *a)
{
	void *pool = evict_pool(a, NULL, 0);
	unsigned long h[3];
	int i;

	for (i = 0; i < 3; i++)
		h[i] = alloc_fill(a, pool, 3000);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(a->reclaim(pool, 1), 0);
		CHECK_EQ(ev.calls, i + 1);
		CHECK_EQ(ev.seen[i], h[i]);
		CHECK_EQ(a->pool_pages(pool), 2 - i);
	}
	CHECK_EQ(a->reclaim(pool, 1), -EINVAL);
	CHECK(!ev.locked);
	a->destroy(pool);
}

TEST(reclaim_takes_lru_tail)
{
	reclaim_lru_order(z);
}

TEST(reclaim_takes_lru_tail_61)
{
	reclaim_lru_order(&zalloc_zbud61);
}

/* A page that receives a zpage moves to the LRU head. */
TEST(alloc_moves_page_to_lru_head)
{
	void *pool = evict_pool(z, NULL, 0);
	unsigned long old, young, buddy;

	old = alloc_fill(z, pool, 3000);
	young = alloc_fill(z, pool, 2000);
	buddy = alloc_fill(z, pool, 1000);	/* best fit: old's page */
	CHECK_EQ(page_of(buddy), page_of(old));
	CHECK_EQ(z->reclaim(pool, 1), 0);
	CHECK_EQ(ev.calls, 1);
	CHECK_EQ(ev.seen[0], young);
	CHECK_EQ(z->reclaim(pool, 1), 0);
	CHECK_EQ(ev.calls, 3);
	CHECK_EQ(ev.seen[1], old);
	CHECK_EQ(ev.seen[2], buddy);
	CHECK_EQ(z->pool_pages(pool), 0);
	z->destroy(pool);
}

TEST(evict_failure_requeues_at_head)
{
	static const struct evict_step script[] = { { EVICT_FAIL } };
	void *pool = evict_pool(z, script, 1);
	unsigned long a, b;

	a = alloc_fill(z, pool, 3000);
	b = alloc_fill(z, pool, 3000);
	CHECK_EQ(z->reclaim(pool, 1), -EAGAIN);
	CHECK_EQ(ev.calls, 1);
	CHECK_EQ(ev.seen[0], a);
	CHECK_EQ(z->pool_pages(pool), 2);
	CHECK_EQ(counter(pool, "evict_failures"), 1);
	CHECK(intact(z, pool, a, 3000));
	pool_ok(z, pool);
	/* a went to the head, so b is the tail now. */
	CHECK_EQ(z->reclaim(pool, 1), 0);
	CHECK_EQ(ev.seen[1], b);
	CHECK_EQ(z->reclaim(pool, 1), 0);
	CHECK_EQ(ev.seen[2], a);
	CHECK_EQ(z->pool_pages(pool), 0);
	CHECK_EQ(counter(pool, "reclaim_successes"), 2);
	z->destroy(pool);
}

TEST(reclaim_retries_the_next_page)
{
	static const struct evict_step script[] = {
		{ EVICT_FAIL }, { EVICT_FAIL }, { EVICT_OK },
	};
	void *pool = evict_pool(z, script, 3);
	unsigned long a, b, c;

	a = alloc_fill(z, pool, 3000);
	b = alloc_fill(z, pool, 3000);
	c = alloc_fill(z, pool, 3000);
	CHECK_EQ(z->reclaim(pool, 2), -EAGAIN);
	CHECK_EQ(ev.calls, 2);
	CHECK_EQ(ev.seen[0], a);
	CHECK_EQ(ev.seen[1], b);
	CHECK_EQ(z->reclaim(pool, 3), 0);
	CHECK_EQ(ev.seen[2], c);
	CHECK_EQ(z->pool_pages(pool), 2);
	pool_ok(z, pool);
	z->free(pool, a);
	z->free(pool, b);
	z->destroy(pool);
}

/*
 * The first page that failed is freed while reclaim goes on, so it never
 * comes back to the tail to end the walk: the tries stop at the pages
 * the pool had, not at @retries.
 */
TEST(reclaim_stops_when_the_first_failed_page_is_gone)
{
	struct evict_step script[] = {
		{ EVICT_FAIL }, { EVICT_FAIL }, { EVICT_FAIL }, { EVICT_FAIL },
	};
	void *pool = evict_pool(z, script, 4);
	unsigned long a, b, c;

	a = alloc_fill(z, pool, 3000);
	b = alloc_fill(z, pool, 3000);
	c = alloc_fill(z, pool, 3000);
	script[1].free_first = a;
	CHECK_EQ(z->reclaim(pool, 8), -EAGAIN);
	CHECK_EQ(ev.calls, 3);
	CHECK_EQ(ev.seen[0], a);
	CHECK_EQ(ev.seen[1], b);
	CHECK_EQ(ev.seen[2], c);
	CHECK_EQ(z->pool_pages(pool), 2);
	pool_ok(z, pool);
	z->free(pool, b);
	z->free(pool, c);
	z->destroy(pool);
}

/* Both sides are evicted, first side first, with the lock dropped. */
TEST(reclaim_evicts_both_buddies)
{
	void *pool = evict_pool(z, NULL, 0);
	unsigned long first, last;

	first = alloc_fill(z, pool, 1000);
	last = alloc_fill(z, pool, 1000);
	CHECK_EQ(page_of(first), page_of(last));
	CHECK_EQ(z->reclaim(pool, 1), 0);
	CHECK_EQ(ev.calls, 2);
	CHECK_EQ(ev.seen[0], first);
	CHECK_EQ(ev.seen[1], last);
	CHECK(!ev.locked);
	CHECK_EQ(z->pool_pages(pool), 0);
	z->destroy(pool);
}

/* The evict of the first buddy writes back the last one too. */
TEST(evict_frees_the_other_buddy)
{
	struct evict_step script[1] = { { EVICT_OK } };
	void *pool = evict_pool(z, script, 1);
	unsigned long first, last;

	first = alloc_fill(z, pool, 1000);
	last = alloc_fill(z, pool, 1000);
	script[0].free_first = last;
	CHECK_EQ(z->reclaim(pool, 1), 0);
	CHECK_EQ(ev.calls, 1);
	CHECK_EQ(ev.seen[0], first);
	CHECK_EQ(z->pool_pages(pool), 0);
	z->destroy(pool);
}

/* ... and then fails: the page goes back, holding only the first. */
TEST(evict_frees_the_other_buddy_then_fails)
{
	struct evict_step script[1] = { { EVICT_FAIL } };
	void *pool = evict_pool(z, script, 1);
	unsigned long first, last, h;

	first = alloc_fill(z, pool, 1000);
	last = alloc_fill(z, pool, 1000);
	script[0].free_first = last;
	CHECK_EQ(z->reclaim(pool, 1), -EAGAIN);
	CHECK_EQ(z->pool_pages(pool), 1);
	CHECK(intact(z, pool, first, 1000));
	pool_ok(z, pool);
	/* The page is back in its free-space bucket. */
	h = alloc_fill(z, pool, PAGE - 1000);
	CHECK_EQ(page_of(h), page_of(first));
	z->free(pool, first);
	z->free(pool, h);
	z->destroy(pool);
}

/* The second evict of a page fails after the first succeeded. */
TEST(evict_of_last_buddy_fails)
{
	static const struct evict_step script[] = {
		{ EVICT_OK }, { EVICT_FAIL },
	};
	void *pool = evict_pool(z, script, 2);
	unsigned long first, last, h;

	first = alloc_fill(z, pool, 1000);
	last = alloc_fill(z, pool, 1000);
	CHECK_EQ(z->reclaim(pool, 1), -EAGAIN);
	CHECK_EQ(ev.calls, 2);
	CHECK_EQ(ev.seen[0], first);
	CHECK_EQ(ev.seen[1], last);
	CHECK_EQ(z->pool_pages(pool), 1);
	CHECK(intact(z, pool, last, 1000));
	pool_ok(z, pool);
	h = alloc_fill(z, pool, PAGE - 1000);
	CHECK_EQ(h, page_of(last));
	CHECK(intact(z, pool, last, 1000) && intact(z, pool, h, PAGE - 1000));
	z->free(pool, h);
	z->free(pool, last);
	z->destroy(pool);
}

TEST(reclaim_einval)
{
	void *plain = z->create(NULL), *pool = evict_pool(z, NULL, 0);
	unsigned long h;

	CHECK(plain);
	CHECK_EQ(z->reclaim(pool, 1), -EINVAL);	/* empty */
	h = alloc_fill(z, plain, 100);
	CHECK_EQ(z->reclaim(plain, 1), -EINVAL);	/* no evict */
	z->free(plain, h);
	h = alloc_fill(z, pool, 100);
	CHECK_EQ(z->reclaim(pool, 0), -EINVAL);	/* no retries */
	CHECK_EQ(ev.calls, 0);
	CHECK_EQ(z->pool_pages(pool), 1);
	z->free(pool, h);
	z->destroy(pool);
	z->destroy(plain);
}

/*
 * A bad free changes nothing; the first of a pool warns, and only that
 * one, so that a user's bug cannot flood the log.
 */
static void bad_free(void *pool, unsigned long bad, unsigned long live,
		     size_t live_size)
{
	unsigned long pages = z->pool_pages(pool);

	z->free(pool, bad);
	CHECK_EQ(test_warnings(), 1);
	CHECK_EQ(z->pool_pages(pool), pages);
	if (live)
		CHECK(intact(z, pool, live, live_size));
	pool_ok(z, pool);
}

TEST(double_free_is_caught)
{
	void *pool = z->create(NULL);
	unsigned long a, b, c;

	CHECK(pool);
	a = alloc_fill(z, pool, 1000);
	b = alloc_fill(z, pool, 1000);
	z->free(pool, a);
	bad_free(pool, a, b, 1000);		/* first side, page live */
	a = alloc_fill(z, pool, 500);
	z->free(pool, b);
	bad_free(pool, b, a, 500);		/* last side, page live */
	c = alloc_fill(z, pool, 4000);
	z->free(pool, c);
	bad_free(pool, c, a, 500);		/* page gone */
	CHECK_EQ(counter(pool, "zpages"), 1);
	expect_warnings(1);
	z->free(pool, a);
	z->destroy(pool);
}

TEST(foreign_handles_are_caught)
{
	void *pool = z->create(NULL), *other = z->create(NULL);
	unsigned long mine, theirs, outside, last;
	uint64_t *buf = malloc(64);

	CHECK(pool && other && buf);
	mine = alloc_fill(z, pool, 1000);
	theirs = alloc_fill(z, other, 1000);
	outside = (unsigned long)buf;
	bad_free(pool, theirs, mine, 1000);
	CHECK(intact(z, other, theirs, 1000));
	bad_free(pool, outside, mine, 1000);
	bad_free(pool, 0, mine, 1000);
	bad_free(pool, mine + 4, mine, 1000);	/* misaligned */
	bad_free(pool, mine + 8, mine, 1000);	/* no zpage starts there */
	bad_free(pool, page_of(mine) + PAGE - 1000, mine, 1000);
	last = alloc_fill(z, pool, 1000);
	bad_free(pool, last + 8, last, 1000);	/* inside a live zpage */
	bad_free(pool, last - 8, last, 1000);
	expect_warnings(1);
	z->free(pool, last);
	z->free(pool, mine);
	z->free(other, theirs);
	CHECK_EQ(z->pool_pages(pool) + z->pool_pages(other), 0);
	z->destroy(pool);
	z->destroy(other);
	free(buf);
}

/*
 * A free unlinks a page from its free-space list before it frees it; a
 * destroy frees pages still on one, whose links are in index and private.
 */
TEST(destroy_frees_leftover_pages)
{
	void *pool = z->create(NULL);
	unsigned long base = arena_pages_in_use(), lone[2];

	CHECK(pool);
	alloc_fill(z, pool, 1000);
	alloc_fill(z, pool, 1000);
	lone[0] = alloc_fill(z, pool, 3000);
	lone[1] = alloc_fill(z, pool, 3000);
	CHECK_EQ(arena_pages_in_use(), base + 3);
	/* One list: the head page's next names the other. */
	CHECK(!arena_page_words_clear(lone[0]));
	CHECK(!arena_page_words_clear(lone[1]));
	z->destroy(pool);
	CHECK_EQ(test_warnings(), 1);
	expect_warnings(1);
	CHECK_EQ(arena_pages_in_use(), base);
	/* Nothing of zbud's is left in the freed pages' struct page. */
	CHECK(arena_page_words_clear(lone[0]));
	CHECK(arena_page_words_clear(lone[1]));
}

TEST(create_pool_out_of_memory)
{
	fail_kmalloc.times = 1;
	CHECK(!z->create(NULL));
	CHECK_EQ(fail_kmalloc.times, 0);
}

/*
 * zswap creates its pools with a mask that cannot reclaim.  Creation must
 * still work when memory is short and such a mask gets no page: the pool's
 * page of free-space lists must be asked for with one that can.
 */
TEST(create_pool_when_pages_need_reclaim)
{
	void *pool;

	shim_no_page_without_reclaim = true;
	pool = z->zpool_driver->create("zswap9", ZALLOC_GFP_ZSWAP, NULL, NULL);
	shim_no_page_without_reclaim = false;
	CHECK(pool);
	z->zpool_driver->destroy(pool);
}

/*
 * Debugfs is best effort: a pool whose directory or files could not be
 * made works the same, and its destruction leaves nothing behind.
 */
TEST(pool_works_without_debugfs)
{
	unsigned long skip, value;

	/*
	 * kmalloc() is called for the pool, its lists (which fall back to
	 * vmalloc), the debugfs directory and then each file.
	 */
	for (skip = 1; skip <= 4; skip++) {
		void *pool;
		unsigned long h;

		fail_kmalloc.skip = skip;
		fail_kmalloc.times = 1;
		pool = z->create(NULL);
		fail_knob_reset(&fail_kmalloc);
		CHECK(pool);
		if (skip == 2)
			CHECK_EQ(z->stat(pool, "pages", &value), -ENOENT);
		h = alloc_fill(z, pool, 100);
		CHECK_EQ(z->pool_pages(pool), 1);
		z->free(pool, h);
		z->destroy(pool);
	}
}

TEST(debugfs_counters)
{
	void *pool = z->create(NULL);
	unsigned long a, b, c;

	CHECK(pool);
	a = alloc_fill(z, pool, 1000);
	b = alloc_fill(z, pool, 1001);
	c = alloc_fill(z, pool, 3000);
	CHECK_EQ(counter(pool, "pages"), 2);
	CHECK_EQ(counter(pool, "pages_full"), 1);
	CHECK_EQ(counter(pool, "pages_single"), 1);
	CHECK_EQ(counter(pool, "zpages"), 3);
	CHECK_EQ(counter(pool, "bytes"), 1000 + 1008 + 3000);
	z->free(pool, b);
	CHECK_EQ(counter(pool, "pages_full"), 0);
	CHECK_EQ(counter(pool, "pages_single"), 2);
	CHECK_EQ(counter(pool, "bytes"), 4000);
	z->free(pool, a);
	z->free(pool, c);
	CHECK_EQ(counter(pool, "pages"), 0);
	CHECK_EQ(counter(pool, "bytes"), 0);
	z->destroy(pool);
}

/* zswap's view: the zpool driver, with writeback through zpool_ops. */
static void *zpool_pool;
static struct zpool_driver *zpool_drv;
static unsigned int zpool_evicts;

static int zpool_evict(struct zpool *zpool, unsigned long handle)
{
	zpool_evicts++;
	zpool_drv->free(zpool_pool, handle);
	return 0;
}

static void zpool_roundtrip(const struct zalloc *a)
{
	static const struct zpool_ops ops = { .evict = zpool_evict };
	unsigned int reclaimed = 0;
	unsigned long h1, h2;
	char *p;
	int i;

	zpool_drv = a->zpool_driver;
	CHECK(zpool_find_driver("zbud"));
	zpool_pool = zpool_drv->create("zswap0", GFP, &ops,
				       (struct zpool *)&ops);
	CHECK(zpool_pool);
	CHECK_EQ(zpool_drv->malloc(zpool_pool, 3000, GFP, &h1), 0);
	CHECK_EQ(zpool_drv->malloc(zpool_pool, 3000, GFP, &h2), 0);
	p = zpool_drv->map(zpool_pool, h1, ZPOOL_MM_WO);
	memset(p, 0x5a, 3000);
	zpool_drv->unmap(zpool_pool, h1);
	p = zpool_drv->map(zpool_pool, h2, ZPOOL_MM_WO);
	memset(p, 0xa5, 3000);
	zpool_drv->unmap(zpool_pool, h2);
	p = zpool_drv->map(zpool_pool, h1, ZPOOL_MM_RO);
	for (i = 0; i < 3000 && p[i] == 0x5a; i++)
		;
	zpool_drv->unmap(zpool_pool, h1);
	CHECK_EQ(i, 3000);
	CHECK_EQ(zpool_drv->total_size(zpool_pool), 2 * PAGE);
	zpool_evicts = 0;
	CHECK_EQ(zpool_drv->shrink(zpool_pool, 1, &reclaimed), 0);
	CHECK_EQ(reclaimed, 1);
	CHECK_EQ(zpool_evicts, 1);
	zpool_drv->free(zpool_pool, h2);
	CHECK_EQ(zpool_drv->total_size(zpool_pool), 0);
	CHECK_EQ(zpool_drv->shrink(zpool_pool, 1, &reclaimed), -EINVAL);
	CHECK_EQ(reclaimed, 0);
	zpool_drv->destroy(zpool_pool);
}

TEST(zpool_driver)
{
	zpool_roundtrip(z);
}

TEST(zpool_driver_61)
{
	zpool_roundtrip(&zalloc_zbud61);
}

/* The 6.1 baseline works in this harness: alloc, map, free, reclaim. */
TEST(baseline_61_smoke)
{
	const struct zalloc *a = &zalloc_zbud61;
	void *pool = evict_pool(a, NULL, 0);
	unsigned long h[6];
	size_t size[6] = { 1, 100, 1000, 1800, 2000, a->max_size };
	int i;

	for (i = 0; i < 6; i++)
		h[i] = alloc_fill(a, pool, size[i]);
	pool_ok(a, pool);
	for (i = 0; i < 6; i++)
		CHECK(intact(a, pool, h[i], size[i]));
	CHECK_EQ(a->alloc(pool, a->max_size + 1, GFP, &h[0]), -ENOSPC);
	a->free(pool, h[2]);
	a->free(pool, h[5]);
	pool_ok(a, pool);
	while (a->pool_pages(pool))
		CHECK_EQ(a->reclaim(pool, 8), 0);
	CHECK_EQ(ev.calls, 4);
	CHECK(!ev.locked);
	a->destroy(pool);
}

int main(int argc, char **argv)
{
	int ret;

	zalloc_zbud.module_init();
	zalloc_zbud61.module_init();
	ret = test_main(argc, argv);
	zalloc_zbud61.module_exit();
	zalloc_zbud.module_exit();
	return ret;
}
