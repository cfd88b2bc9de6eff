// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency test, built with ThreadSanitizer.  Two workers allocate,
 * free, and map-verify-rewrite zpages in their own slots while two more
 * threads reclaim.  The evict callback writes a zpage "back" (verifies
 * it) and frees it, taking it from its owner.
 *
 * Ownership, all under the test's own lock: a slot is EMPTY, LIVE or BUSY
 * (its owner is mapping it).  owners[] finds the slot of a published
 * handle.  A worker publishes a handle only after filling it, and before
 * freeing or mapping one it unpublishes it or marks it BUSY; the evict
 * callback takes only a LIVE, published handle and refuses (-EBUSY) any
 * other, which is what zswap does with an entry it cannot write back;
 * it also refuses one in eight at random.  A handle it does not know at
 * all is stale (its owner freed it after reclaim took the page, or has
 * not published it yet) and must still be one that zbud_alloc() gave
 * out: each is logged and checked against every handle ever published.
 * Whoever takes a handle copies what it needs under the lock, so no
 * zpage or slot is touched by two threads without the lock between.
 *
 * For this series' zbud a compaction thread runs zbud_compact() too, and
 * a worker thread runs the work item that frees queue.  The move
 * callback respects the same ownership: it moves only a LIVE, published
 * zpage (refusing a BUSY one, which its owner has mapped, with -EBUSY,
 * and an unknown one with -ENOENT), verifies it, copies it and
 * repoints its slot and owners[] under the test's lock; the owner
 * verifies the copy when it next maps or frees the zpage.  Owners read a
 * slot's handle only after taking the slot under the lock, so they
 * always see where the zpage is now.  The compaction thread starts once
 * the work item has moved a zpage.
 *
 * At the end every count must agree: allocations = frees + evictions,
 * moves = pages_compacted, refusals = move_failures, and the pool is
 * empty once the workers free what is left; the work item must have
 * moved zpages.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/workqueue.h>
#include "harness.h"
#include "test.h"
#include "zalloc.h"

#define PAGE		4096UL
#define ARENA_PAGES	(1UL << 14)
#define WORKERS		2
#define RECLAIMERS	2
#define SLOTS		512
#define GRANULES	(ARENA_PAGES * PAGE / 8)
#define STALE_LOG	4096

enum slot_state { EMPTY, LIVE, BUSY };

struct slot {
	enum slot_state state;
	unsigned long handle;
	unsigned int size;
	uint32_t seed;
};

struct worker {
	pthread_t thread;
	uint64_t rng;
	unsigned long ops;
	struct slot slots[SLOTS];
	unsigned long allocs, frees, maps, failures;
};

/*
 * The published handles of each page; a page holds at most two zpages,
 * so two entries do, and a third would be a bad handle.
 */
struct owner {
	unsigned long handle;
	struct slot *slot;
};

static struct {
	const struct zalloc *z;
	void *pool;
	pthread_mutex_t lock;
	struct owner owners[ARENA_PAGES][2];
	unsigned long evicted;		/* under lock */
	unsigned long refused;		/* under lock */
	unsigned long stale;		/* under lock */
	unsigned long stale_log[STALE_LOG];	/* under lock */
	uint64_t published[GRANULES / 64];	/* under lock */
	bool stop;			/* under lock */
	unsigned long moved;		/* under lock */
	unsigned long moved_by_work;	/* under lock */
	unsigned long moved_bytes;	/* under lock */
	unsigned long move_refused;	/* under lock */
	unsigned long bad_data, bad_handle, locked_evicts;	/* atomic */
} t = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static uint64_t rnd(uint64_t *state)
{
	uint64_t x = (*state += 0x9e3779b97f4a7c15ULL);

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct owner *owners_of(unsigned long handle)
{
	unsigned long i = (handle - (unsigned long)arena_map.base) / PAGE;

	if (i >= ARENA_PAGES) {
		__atomic_fetch_add(&t.bad_handle, 1, __ATOMIC_RELAXED);
		i = 0;
	}
	return t.owners[i];
}

static struct slot *owner_find(unsigned long handle)
{
	struct owner *o = owners_of(handle);

	return o[0].handle == handle ? o[0].slot :
	       o[1].handle == handle ? o[1].slot : NULL;
}

static void owner_set(unsigned long handle, struct slot *slot)
{
	struct owner *o = owners_of(handle);
	int i = o[0].handle == handle ? 0 : o[1].handle == handle ? 1 :
		!o[0].slot ? 0 : !o[1].slot ? 1 : -1;

	if (i < 0) {
		__atomic_fetch_add(&t.bad_handle, 1, __ATOMIC_RELAXED);
		return;
	}
	o[i].handle = slot ? handle : 0;
	o[i].slot = slot;
}

static unsigned long granule(unsigned long handle)
{
	return (handle - (unsigned long)arena_map.base) / 8 % GRANULES;
}

static void mark_published(unsigned long handle)
{
	t.published[granule(handle) / 64] |= 1ULL << granule(handle) % 64;
}

/* Stale handles that zbud_alloc() never gave out. */
static unsigned long unknown_stale(void)
{
	unsigned long i, g, bad = 0;

	for (i = 0; i < t.stale && i < STALE_LOG; i++) {
		g = granule(t.stale_log[i]);
		bad += !(t.published[g / 64] & 1ULL << g % 64);
	}
	return bad;
}

static uint8_t pattern(uint32_t seed, size_t i)
{
	return (uint8_t)(seed + i * 0x9d + (i >> 7));
}

static void fill(unsigned long handle, unsigned int size, uint32_t seed)
{
	uint8_t *p = t.z->map(t.pool, handle);
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = pattern(seed, i);
	t.z->unmap(t.pool, handle);
}

static void verify(unsigned long handle, unsigned int size, uint32_t seed)
{
	const uint8_t *p = t.z->map(t.pool, handle);
	size_t i;

	for (i = 0; i < size; i++) {
		if (p[i] != pattern(seed, i)) {
			__atomic_fetch_add(&t.bad_data, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	t.z->unmap(t.pool, handle);
}

/* Only reclaimer threads call evict. */
static __thread uint64_t evict_rng = 7;

static int evict(void *pool, unsigned long handle)
{
	bool refuse = rnd(&evict_rng) % 8 == 0;
	struct slot *s;
	unsigned int size;
	uint32_t seed;

	if (shim_locks_held)
		__atomic_fetch_add(&t.locked_evicts, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&t.lock);
	s = owner_find(handle);
	if (!s) {
		if (t.stale < STALE_LOG)
			t.stale_log[t.stale] = handle;
		t.stale++;
		pthread_mutex_unlock(&t.lock);
		return -ENOENT;
	}
	if (refuse || s->state != LIVE || s->handle != handle) {
		t.refused++;
		pthread_mutex_unlock(&t.lock);
		return -EBUSY;
	}
	owner_set(handle, NULL);
	s->state = EMPTY;
	size = s->size;
	seed = s->seed;
	t.evicted++;
	pthread_mutex_unlock(&t.lock);
	verify(handle, size, seed);
	t.z->free(pool, handle);
	return 0;
}

/*
 * Compaction moves a zpage: only a LIVE one that is published, which
 * its owner cannot take meanwhile, since taking needs the lock held here.
 */
static int move(void *pool, unsigned long old, unsigned long new)
{
	struct slot *s;

	if (shim_locks_held)
		__atomic_fetch_add(&t.locked_evicts, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&t.lock);
	s = owner_find(old);
	if (!s || s->state != LIVE || s->handle != old) {
		t.move_refused++;
		pthread_mutex_unlock(&t.lock);
		return s ? -EBUSY : -ENOENT;
	}
	verify(old, s->size, s->seed);
	/* The copy is checked where its owner maps or frees it. */
	memcpy((void *)new, (void *)old, s->size);
	owner_set(old, NULL);
	s->handle = new;
	owner_set(new, s);
	mark_published(new);
	t.moved++;
	t.moved_by_work += harness_in_work();
	t.moved_bytes += (s->size + 7) & ~7UL;
	pthread_mutex_unlock(&t.lock);
	return 0;
}

static void worker_alloc(struct worker *w, struct slot *s)
{
	unsigned int size = 1 + rnd(&w->rng) % t.z->max_size;
	uint32_t seed = rnd(&w->rng);
	unsigned long handle;

	if (t.z->alloc(t.pool, size, ZALLOC_GFP_KERNEL, &handle)) {
		w->failures++;
		return;
	}
	fill(handle, size, seed);
	pthread_mutex_lock(&t.lock);
	s->handle = handle;
	s->size = size;
	s->seed = seed;
	s->state = LIVE;
	owner_set(handle, s);
	mark_published(handle);
	pthread_mutex_unlock(&t.lock);
	w->allocs++;
}

/* Takes a LIVE slot back from the evict callback's reach. */
static bool worker_take(struct slot *s, enum slot_state to)
{
	bool live;

	pthread_mutex_lock(&t.lock);
	live = s->state == LIVE;
	if (live) {
		s->state = to;
		if (to == EMPTY)
			owner_set(s->handle, NULL);
	}
	pthread_mutex_unlock(&t.lock);
	return live;
}

static void worker_free(struct worker *w, struct slot *s)
{
	if (!worker_take(s, EMPTY))
		return;
	verify(s->handle, s->size, s->seed);
	t.z->free(t.pool, s->handle);
	w->frees++;
}

static void worker_map(struct worker *w, struct slot *s)
{
	uint32_t seed = rnd(&w->rng);

	if (!worker_take(s, BUSY))
		return;
	verify(s->handle, s->size, s->seed);
	fill(s->handle, s->size, seed);
	pthread_mutex_lock(&t.lock);
	s->seed = seed;
	s->state = LIVE;
	pthread_mutex_unlock(&t.lock);
	w->maps++;
}

static enum slot_state slot_state(struct slot *s)
{
	enum slot_state state;

	pthread_mutex_lock(&t.lock);
	state = s->state;
	pthread_mutex_unlock(&t.lock);
	return state;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned long i;

	for (i = 0; i < w->ops; i++) {
		struct slot *s = &w->slots[rnd(&w->rng) % SLOTS];
		unsigned int r = rnd(&w->rng) % 100;

		if (slot_state(s) == EMPTY)
			worker_alloc(w, s);
		else if (r < 60)
			worker_free(w, s);
		else
			worker_map(w, s);
	}
	return NULL;
}

static bool stopping(void)
{
	bool stop;

	pthread_mutex_lock(&t.lock);
	stop = t.stop;
	pthread_mutex_unlock(&t.lock);
	return stop;
}

struct reclaimer {
	pthread_t thread;
	uint64_t rng;
	unsigned long reclaims, reclaimed;
};

struct compactor {
	pthread_t thread;
	unsigned long runs, freed;
};

static bool work_has_moved(void)
{
	bool moved;

	pthread_mutex_lock(&t.lock);
	moved = t.moved_by_work > 0;
	pthread_mutex_unlock(&t.lock);
	return moved;
}

/*
 * Compacts until the workers stop, once the work item has moved a zpage:
 * from the start, this thread could take every pair before the work that
 * frees queue ever runs, on a busy machine.
 */
static void *compactor_main(void *arg)
{
	struct compactor *c = arg;

	while (!stopping()) {
		if (work_has_moved()) {
			c->runs++;
			c->freed += t.z->compact(t.pool);
		}
		sched_yield();
	}
	return NULL;
}

static void *reclaimer_main(void *arg)
{
	struct reclaimer *r = arg;

	evict_rng = r->rng;
	while (!stopping()) {
		r->reclaims++;
		if (!t.z->reclaim(t.pool, 1 + rnd(&r->rng) % 4))
			r->reclaimed++;
		if (rnd(&r->rng) % 4 == 0)
			sched_yield();
	}
	return NULL;
}

static void start_threads(struct worker *workers, struct reclaimer *rec,
			  struct compactor *c, unsigned long ops)
{
	int i;

	if (c) {
		harness_workqueue_start();
		CHECK(!pthread_create(&c->thread, NULL, compactor_main, c));
	}
	for (i = 0; i < RECLAIMERS; i++) {
		rec[i].rng = 100 + i;
		CHECK(!pthread_create(&rec[i].thread, NULL, reclaimer_main,
				      &rec[i]));
	}
	for (i = 0; i < WORKERS; i++) {
		workers[i].rng = i + 1;
		workers[i].ops = ops;
		CHECK(!pthread_create(&workers[i].thread, NULL, worker_main,
				      &workers[i]));
	}
}

static void stop_threads(struct worker *workers, struct reclaimer *rec,
			 struct compactor *c)
{
	int i;

	for (i = 0; i < WORKERS; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_mutex_lock(&t.lock);
	t.stop = true;
	pthread_mutex_unlock(&t.lock);
	for (i = 0; i < RECLAIMERS; i++)
		pthread_join(rec[i].thread, NULL);
	if (c) {
		pthread_join(c->thread, NULL);
		harness_workqueue_stop();
	}
}

static unsigned long counter(const char *name)
{
	unsigned long value = 0;

	CHECK(!t.z->stat(t.pool, name, &value));
	return value;
}

static void run(const struct zalloc *z, unsigned long ops)
{
	static struct worker workers[WORKERS];
	struct reclaimer rec[RECLAIMERS] = { };
	struct compactor comp = { }, *c = z->compact ? &comp : NULL;
	unsigned long queued = harness_work_queued();
	unsigned long allocs = 0, frees = 0, reclaims = 0, reclaimed = 0;
	unsigned long i, j;
	char why[160];

	memset(workers, 0, sizeof(workers));
	t.z = z;
	t.evicted = 0;
	t.refused = 0;
	t.stale = 0;
	t.moved = 0;
	t.moved_by_work = 0;
	t.moved_bytes = 0;
	t.move_refused = 0;
	memset(t.published, 0, sizeof(t.published));
	t.stop = false;
	t.pool = c ? z->create_movable(evict, move) : z->create(evict);
	CHECK(t.pool);
	start_threads(workers, rec, c, ops);
	stop_threads(workers, rec, c);

	CHECK(!z->check(t.pool, why, sizeof(why)));
	for (i = 0; i < RECLAIMERS; i++) {
		reclaims += rec[i].reclaims;
		reclaimed += rec[i].reclaimed;
	}
	for (i = 0; i < WORKERS; i++) {
		for (j = 0; j < SLOTS; j++)
			worker_free(&workers[i], &workers[i].slots[j]);
		allocs += workers[i].allocs;
		frees += workers[i].frees;
	}
	test_note("%s: %lu allocs, %lu frees, %lu evictions (%lu refused, %lu stale)",
		  z->name, allocs, frees, t.evicted, t.refused, t.stale);
	test_note("%s: %lu of %lu reclaims freed a page", z->name, reclaimed,
		  reclaims);
	CHECK_EQ(allocs, frees + t.evicted);
	CHECK_EQ(z->pool_pages(t.pool), 0);
	CHECK_EQ(t.bad_data, 0);
	CHECK_EQ(t.bad_handle, 0);
	CHECK_EQ(t.locked_evicts, 0);
	CHECK_EQ(unknown_stale(), 0);
	CHECK(reclaimed > 0 && t.evicted > 0);
	if (c) {
		test_note("%s: %lu zpages moved (%lu bytes, %lu by the work), %lu refused",
			  z->name, t.moved, t.moved_bytes, t.moved_by_work,
			  t.move_refused);
		test_note("%s: %lu compactions freed %lu pages, %lu works queued",
			  z->name, c->runs, c->freed,
			  harness_work_queued() - queued);
		CHECK_EQ(counter("pages_compacted"), t.moved);
		CHECK_EQ(counter("bytes_moved"), t.moved_bytes);
		CHECK_EQ(counter("move_failures"), t.move_refused);
		CHECK(c->freed <= t.moved);
		CHECK(harness_work_queued() > queued);
		CHECK(t.moved_by_work > 0);
	}
	z->destroy(t.pool);
}

static unsigned long thread_ops(void)
{
	return test_env_ulong("THREAD_OPS", 100000);
}

TEST(threads_zbud)
{
	run(&zalloc_zbud, thread_ops());
}

TEST(threads_zbud61)
{
	run(&zalloc_zbud61, thread_ops() / 4);
}

int main(int argc, char **argv)
{
	arena_init(ARENA_PAGES);
	return test_main(argc, argv);
}
