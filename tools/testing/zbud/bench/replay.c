// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replay engine of zbud_bench.
 *
 * Each trace size becomes a zpage of size + ZSWAP_HEADER_SIZE bytes, as in
 * zswap_frontswap_store() of 6.1 with an evictable pool.  A size that any
 * allocator refuses (zswap counts those as reject_compress_poor) is dropped
 * for all of them, so that they all hold the same zpages.  The first half
 * of the remaining sizes fills the pool; each size after that first frees
 * a uniformly random live zpage, as a swap-in or invalidate would, and
 * then stores itself.  The schedule comes from a fixed seed and does not
 * depend on the allocator, so every allocator sees the same operations.
 *
 * Timing: each measurement replays the schedule twice in a row.  The
 * first run brackets every call with clock_gettime(), the second times
 * chunks of about a thousand calls as a whole.  Runs are repeated, in
 * rotating order, after one untimed warm-up run each; small traces are
 * repeated more, and the repeats are shared out among the CPUs the bench
 * may run on, a block each.  Per chunk the fastest run is kept, which
 * filters out preemption on a busy machine and a slow CPU.  A bracket
 * costs about as much as a call here, so its cost is taken as the
 * difference of the two kinds of run and removed: alloc_ns and free_ns
 * then add up to total_ns, the batch time per zpage stored and freed.
 *
 * Compaction (zbud+compact): zbud_free() queues a work item when it
 * leaves a zpage alone in a page that fits beside another, and a kworker
 * runs it later, without the pool lock.  Here the worker runs right
 * after each free, in the replaying thread: the work, the moves and
 * their copies are timed as part of the replay, and bracketed on their
 * own as move_ns, so alloc_ns + free_ns + move_ns add up to total_ns.
 * With --work-every N (bench_work_every) the worker's turn comes after
 * every Nth free instead, as if frees came faster than a kworker runs,
 * and once more at the end of the churn, followed by zbud_compact(), as
 * a policy that catches up when the pool goes quiet would: that measures
 * what batching the moves would save in time and cost in pages.
 * The user is the replay: its handle table is the slot array, and a
 * reverse map from handle to slot, written after each alloc, lets the
 * move callback find the slot to repoint, as zswap finds its entry from
 * the swap entry at the start of the zpage.  The callback copies the
 * zpage's bytes, header included, to the new handle.  zswap writes that
 * header and its entry on every store, whatever the pool, so every row
 * writes the reverse map, and every row looks for work after each free:
 * the bookkeeping costs the same in each and the rows differ only in
 * what the allocator does.
 *
 * Every allocator's warm-up run also checks the pool's lists against
 * its counters after the churn, and that every slot still holds the tag
 * written into its zpage when it was stored, so a move that copied or
 * repointed wrongly fails the replay.
 */
#define _GNU_SOURCE	/* sched_setaffinity() */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "mover.h"
#include "spread.h"
#include "pairing.h"
#include "replay.h"

#define REPLAY_SEED	0x7a6275645f62656eULL	/* "zbud_ben" */
#define MAX_ALLOCS	8

/* The operations every allocator replays. */
struct schedule {
	unsigned int *objs;	/* zpage sizes, header included, in order */
	size_t n;		/* stores: fill plus churn */
	size_t fill;		/* live zpages after the fill and throughout */
	size_t *victims;	/* per churn store, the slot freed first */
};

static uint64_t rng_state;

/*
 * The user of a pool: a zswap stand-in.  slots[] holds a handle per live
 * zpage, as zswap's entries do; rmap[] maps a handle back to its slot.
 */
struct user {
	struct bench_user bu;
	const struct zalloc *z;
	void *pool;
	unsigned long *slots;	/* handle table */
	unsigned int *lens;	/* zpage size per slot */
	uint32_t *rmap;		/* slot per handle; see rmap_index() */
	size_t nslots;
	size_t nrmap;
	unsigned int page_shift;
	unsigned long moves;	/* moves the user made */
	unsigned long moved;	/* their bytes, rounded as zbud counts them */
	unsigned long refused;	/* moves the user refused */
};

/* zbud sizes zpages in eight-byte units with 4 KiB pages. */
#define ZBUD_UNIT	8
/* A 4-byte tag at the start of each zpage, in its zswap header. */
#define TAG_BYTES	4

/* Two entries per page: the first and the last zpage of the page. */
static size_t rmap_index(const struct user *u, unsigned long handle)
{
	unsigned long off = handle - (unsigned long)arena_map.base;

	return (off >> u->page_shift) * 2 +
	       !!(off & ((1UL << u->page_shift) - 1));
}

static void user_stored(struct user *u, size_t slot, unsigned int len)
{
	u->lens[slot] = len;
	u->rmap[rmap_index(u, u->slots[slot])] = slot;
}

/*
 * zbud's move callback: refuse a handle the user does not hold (zswap
 * refuses one whose entry went away or is busy), else copy the zpage
 * and point the slot at its new place.
 */
static int user_move(struct bench_user *bu, unsigned long old,
		     unsigned long new)
{
	struct user *u = (struct user *)bu;
	size_t slot = u->rmap[rmap_index(u, old)];
	unsigned int len;
	void *src, *dst;

	if (slot >= u->nslots || u->slots[slot] != old) {
		u->refused++;
		return -EBUSY;
	}
	len = u->lens[slot];
	src = u->z->map(u->pool, old);
	dst = u->z->map(u->pool, new);
	memcpy(dst, src, len);
	u->z->unmap(u->pool, new);
	u->z->unmap(u->pool, old);
	u->slots[slot] = new;
	u->rmap[rmap_index(u, new)] = slot;
	u->moves++;
	u->moved += (len + ZBUD_UNIT - 1) / ZBUD_UNIT * ZBUD_UNIT;
	return 0;
}

/*
 * zswap's pools are evictable, so the pools here get a callback too; the
 * bench never reclaims, so it is never called.
 */
static int bench_no_evict(void *pool, unsigned long handle)
{
	return -EBUSY;
}

/* splitmix64: small, fast and good enough to pick victims. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound), without modulo bias (Lemire's method). */
static uint64_t rng_below(uint64_t bound)
{
	unsigned __int128 m = (unsigned __int128)rng_next() * bound;
	uint64_t low = (uint64_t)m, threshold;

	if (low < bound) {
		threshold = -bound % bound;
		while (low < threshold) {
			m = (unsigned __int128)rng_next() * bound;
			low = (uint64_t)m;
		}
	}
	return m >> 64;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Tries each distinct zpage size once in a fresh pool of every allocator.
 * refused[size] gets bit i set when allocator i refuses that size.
 */
static int probe_refusals(const struct trace *t, unsigned char *refused,
			  unsigned char *seen)
{
	unsigned long handle;
	size_t i, a;
	void *pool;

	for (i = 0; i < t->n; i++) {
		unsigned int obj = t->sizes[i] + ZSWAP_HEADER_SIZE;

		if (seen[obj])
			continue;
		seen[obj] = 1;
		for (a = 0; a < bench_nr_allocs; a++) {
			pool = bench_allocs[a].z->create(bench_no_evict);
			if (!pool) {
				fprintf(stderr, "zbud_bench: %s: cannot create a pool\n",
					bench_allocs[a].name);
				return -1;
			}
			if (bench_allocs[a].z->alloc(pool, obj, BENCH_GFP, &handle))
				refused[obj] |= 1U << a;
			else
				bench_allocs[a].z->free(pool, handle);
			bench_allocs[a].z->destroy(pool);
		}
	}
	return 0;
}

static int build_schedule(const struct trace *t, struct schedule *s,
			  struct replay_result *res)
{
	size_t nsizes = TRACE_MAX_SIZE + ZSWAP_HEADER_SIZE + 1;
	unsigned char *refused = calloc(nsizes, 1);
	unsigned char *seen = calloc(nsizes, 1);
	size_t i, a, k;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	s->objs = malloc(t->n * sizeof(*s->objs));
	s->victims = malloc(t->n * sizeof(*s->victims));
	if (!refused || !seen || !s->objs || !s->victims) {
		fprintf(stderr, "zbud_bench: out of memory\n");
		goto out;
	}
	if (probe_refusals(t, refused, seen))
		goto out;
	for (i = 0; i < t->n; i++) {
		unsigned int obj = t->sizes[i] + ZSWAP_HEADER_SIZE;

		for (a = 0; a < bench_nr_allocs; a++)
			res[a].rejected += !!(refused[obj] & (1U << a));
		if (!refused[obj])
			s->objs[s->n++] = obj;
	}
	/* Rounded up, so that churn always has a zpage to free. */
	s->fill = s->n - s->n / 2;
	rng_state = REPLAY_SEED;
	for (k = s->fill; k < s->n; k++)
		s->victims[k] = rng_below(s->fill);
	ret = 0;
out:
	free(refused);
	free(seen);
	return ret;
}

static void free_schedule(struct schedule *s)
{
	free(s->objs);
	free(s->victims);
}

/* The zpage sizes live at the end of the schedule, by slot. */
static unsigned int *final_live(const struct schedule *s)
{
	unsigned int *live = malloc((s->fill + 1) * sizeof(*live));
	size_t k;

	if (!live)
		return NULL;
	memcpy(live, s->objs, s->fill * sizeof(*live));
	for (k = s->fill; k < s->n; k++)
		live[s->victims[k]] = s->objs[k];
	return live;
}

/*
 * Timing is kept per chunk of about CHUNK_CALLS consecutive calls.  A
 * chunk is the same work in every run, so its fastest run is the one no
 * other process or interrupt got in the way of.
 */
#define CHUNK_CALLS	1024
/* Small traces get more runs, up to this many, to time enough calls. */
#define MIN_CALLS	400000
#define MAX_REPS	100

/* One run's times, per chunk. */
struct run {
	uint64_t *batch;	/* the chunk timed as a whole */
	uint64_t *alloc;	/* sum of the bracketed allocs in the chunk */
	uint64_t *free;		/* sum of the bracketed frees in the chunk */
	uint64_t *move;		/* sum of the bracketed work runs */
	size_t pages;		/* pool pages after the churn */
	size_t brackets;	/* bracketed calls, of every kind */
	size_t work_brackets;	/* of which worker turns */
	unsigned long stats[3];	/* see stat_names */
	unsigned long works;	/* work items run */
};

/* zbud's compaction counters, read from its debugfs files. */
static const char *const stat_names[] = {
	"pages_compacted", "bytes_moved", "move_failures",
};

struct chunker {
	struct run *r;
	int bracket;
	size_t c;		/* current chunk */
	size_t calls;		/* calls in it so far */
	uint64_t start;
	unsigned long frees;	/* frees so far, for bench_work_every */
};

static size_t nr_chunks(const struct schedule *s)
{
	/* Fill, churn and teardown each end with a partial chunk. */
	return 6 + 2 * s->n / CHUNK_CALLS;
}

static void chunk_begin(struct chunker *ck)
{
	ck->calls = 0;
	ck->start = now_ns();
}

static void chunk_end(struct chunker *ck)
{
	ck->r->batch[ck->c++] += now_ns() - ck->start;
}

/* Counts a call, and closes the chunk when it is full. */
static void chunk_step(struct chunker *ck, unsigned int calls)
{
	ck->calls += calls;
	if (ck->calls >= CHUNK_CALLS) {
		chunk_end(ck);
		chunk_begin(ck);
	}
}

static int timed_alloc(struct chunker *ck, const struct zalloc *z,
		       void *pool, unsigned int size, unsigned long *handle)
{
	uint64_t t0;
	int err;

	if (!ck->bracket)
		return z->alloc(pool, size, BENCH_GFP, handle);
	t0 = now_ns();
	err = z->alloc(pool, size, BENCH_GFP, handle);
	ck->r->alloc[ck->c] += now_ns() - t0;
	ck->r->brackets++;
	return err;
}

static void timed_free(struct chunker *ck, const struct zalloc *z,
		       void *pool, unsigned long handle)
{
	uint64_t t0;

	if (!ck->bracket) {
		z->free(pool, handle);
		return;
	}
	t0 = now_ns();
	z->free(pool, handle);
	ck->r->free[ck->c] += now_ns() - t0;
	ck->r->brackets++;
}

/*
 * A kworker's turn: run what frees queued, then, for the catch-up at the
 * end of the churn (@z set), compact @pool fully.
 */
static void work_turn(struct chunker *ck, const struct zalloc *z, void *pool)
{
	ck->r->works += mover_run_work();
	if (z)
		z->compact(pool);
}

static void timed_turn(struct chunker *ck, const struct zalloc *z,
		       void *pool)
{
	uint64_t t0;

	if (!ck->bracket) {
		work_turn(ck, z, pool);
		return;
	}
	t0 = now_ns();
	work_turn(ck, z, pool);
	ck->r->move[ck->c] += now_ns() - t0;
	ck->r->brackets++;
	ck->r->work_brackets++;
}

/* After a free: the worker's turn comes every bench_work_every frees. */
static void timed_work(struct chunker *ck)
{
	if (++ck->frees % bench_work_every == 0)
		timed_turn(ck, NULL, NULL);
}

static int replay_failed(const struct bench_alloc *ba, unsigned int obj,
			 int err)
{
	fprintf(stderr, "zbud_bench: %s: alloc of %u bytes failed during replay (%d)\n",
		ba->name, obj, err);
	return -1;
}

/* Writes the slot's tag into its new zpage (warm-up runs only). */
static void tag_store(struct user *u, size_t slot)
{
	uint32_t tag = slot;

	memcpy(u->z->map(u->pool, u->slots[slot]), &tag, TAG_BYTES);
	u->z->unmap(u->pool, u->slots[slot]);
}

/* Every slot's zpage holds its tag, and the pool's lists are sound. */
static int verify_pool(const struct bench_alloc *ba, struct user *u)
{
	char why[256];
	uint32_t tag;
	size_t i;

	if (ba->z->check && ba->z->check(u->pool, why, sizeof(why))) {
		fprintf(stderr, "zbud_bench: %s: pool inconsistent after the churn: %s\n",
			ba->name, why);
		return -1;
	}
	for (i = 0; i < u->nslots; i++) {
		memcpy(&tag, u->z->map(u->pool, u->slots[i]), TAG_BYTES);
		u->z->unmap(u->pool, u->slots[i]);
		if (tag != i) {
			fprintf(stderr, "zbud_bench: %s: slot %zu holds the data of slot %u after the churn\n",
				ba->name, i, tag);
			return -1;
		}
	}
	return 0;
}

static void *pool_create(const struct bench_alloc *ba, struct user *u)
{
	if (ba->compact)
		return mover_create(&u->bu);
	return ba->z->create(bench_no_evict);
}

static void pool_destroy(const struct bench_alloc *ba, void *pool)
{
	if (ba->compact)
		mover_destroy(pool);
	else
		ba->z->destroy(pool);
}

/* The compaction counters, read before the pool goes. */
static int read_stats(const struct bench_alloc *ba, struct user *u,
		      struct run *r)
{
	size_t i;

	for (i = 0; i < sizeof(stat_names) / sizeof(stat_names[0]); i++) {
		if (ba->z->stat(u->pool, stat_names[i], &r->stats[i])) {
			fprintf(stderr, "zbud_bench: %s: no %s counter\n",
				ba->name, stat_names[i]);
			return -1;
		}
	}
	/* What zbud counted must be what its user did. */
	if (r->stats[0] != u->moves || r->stats[1] != u->moved ||
	    r->stats[2] != u->refused) {
		fprintf(stderr, "zbud_bench: %s: zbud counted %lu pages compacted, %lu bytes moved, %lu failed moves; the user made %lu moves of %lu bytes and refused %lu\n",
			ba->name, r->stats[0], r->stats[1], r->stats[2],
			u->moves, u->moved, u->refused);
		return -1;
	}
	return 0;
}

/*
 * One replay of @s into a fresh pool, adding its times to @r.  With
 * @bracket each call is timed on its own as well; with @verify (untimed
 * runs) zpages are tagged and checked.  The pool is emptied at the end,
 * which is timed too: every zpage is allocated and freed once.
 */
static int run_once(const struct bench_alloc *ba, const struct schedule *s,
		    struct user *u, int bracket, int verify, struct run *r)
{
	struct chunker ck = { .r = r, .bracket = bracket };
	const struct zalloc *z = ba->z;
	unsigned long *slots = u->slots;
	int compact = ba->compact;
	size_t i, k, v;
	void *pool;
	int err;

	u->moves = u->moved = u->refused = 0;
	pool = pool_create(ba, u);
	if (!pool) {
		fprintf(stderr, "zbud_bench: %s: cannot create a pool\n",
			ba->name);
		return -1;
	}
	u->pool = pool;
	chunk_begin(&ck);
	for (i = 0; i < s->fill; i++) {
		err = timed_alloc(&ck, z, pool, s->objs[i], &slots[i]);
		if (err)
			return replay_failed(ba, s->objs[i], err);
		user_stored(u, i, s->objs[i]);
		if (verify)
			tag_store(u, i);
		chunk_step(&ck, 1);
	}
	chunk_end(&ck);
	chunk_begin(&ck);
	for (k = s->fill; k < s->n; k++) {
		v = s->victims[k];
		timed_free(&ck, z, pool, slots[v]);
		timed_work(&ck);
		err = timed_alloc(&ck, z, pool, s->objs[k], &slots[v]);
		if (err)
			return replay_failed(ba, s->objs[k], err);
		user_stored(u, v, s->objs[k]);
		if (verify)
			tag_store(u, v);
		chunk_step(&ck, 2);
	}
	if (compact && bench_work_every > 1)
		timed_turn(&ck, z, pool);
	chunk_end(&ck);
	r->pages = z->pool_pages(pool);
	if (verify && verify_pool(ba, u))
		return -1;
	chunk_begin(&ck);
	for (i = 0; i < s->fill; i++) {
		timed_free(&ck, z, pool, slots[i]);
		timed_work(&ck);
		chunk_step(&ck, 1);
	}
	chunk_end(&ck);
	if (z->pool_pages(pool)) {
		fprintf(stderr, "zbud_bench: %s: %llu pages left after freeing every zpage\n",
			ba->name, (unsigned long long)z->pool_pages(pool));
		pool_destroy(ba, pool);
		return -1;
	}
	if (compact && read_stats(ba, u, r))
		return -1;
	pool_destroy(ba, pool);
	return 0;
}

static int run_alloc(struct run *r, size_t chunks)
{
	memset(r, 0, sizeof(*r));
	r->batch = calloc(4 * chunks, sizeof(*r->batch));
	r->alloc = r->batch + chunks;
	r->free = r->alloc + chunks;
	r->move = r->free + chunks;
	return r->batch ? 0 : -1;
}

/* Zeroes the times of @r, keeping its arrays. */
static void run_clear(struct run *r, size_t chunks)
{
	memset(r->batch, 0, 4 * chunks * sizeof(*r->batch));
	memset(r->stats, 0, sizeof(r->stats));
	r->brackets = 0;
	r->work_brackets = 0;
	r->works = 0;
}

/*
 * Per chunk, the fastest of the batch runs, and the bracketed run whose
 * brackets add up to the least.  The brackets cost about as much as a
 * call here; their cost per bracket is the difference between the two
 * totals, and taking it out splits the batch time into allocs, frees and
 * work runs.
 */
static void summarize(const struct run *runs, unsigned int reps,
		      size_t chunks, const struct schedule *s,
		      struct replay_result *res)
{
	double batch = 0, alloc = 0, fr = 0, mv = 0, over, calls = s->n;
	double per_call = (double)runs[0].brackets / calls;
	unsigned int rep, best;
	size_t c;

	for (c = 0; c < chunks; c++) {
		uint64_t t = runs[0].batch[c];

		best = 0;
		for (rep = 1; rep < reps; rep++) {
			const struct run *a = &runs[rep], *b = &runs[best];

			if (a->batch[c] < t)
				t = a->batch[c];
			if (a->alloc[c] + a->free[c] + a->move[c] <
			    b->alloc[c] + b->free[c] + b->move[c])
				best = rep;
		}
		batch += t;
		alloc += runs[best].alloc[c];
		fr += runs[best].free[c];
		mv += runs[best].move[c];
	}
	/*
	 * Each zpage is allocated and freed once: per_call is 2, plus the
	 * worker's turns per zpage (1 unless --work-every).
	 */
	over = (alloc + fr + mv - batch) / (per_call * calls);
	res->total_ns = batch / calls;
	res->alloc_ns = alloc / calls - over;
	res->free_ns = fr / calls - over;
	res->move_ns = (mv - over * runs[0].work_brackets) / calls;
	/*
	 * The overhead is an average over every bracket, and most move
	 * brackets time no work: a share below it reads 0, and the free
	 * it followed keeps the difference, so that the sum still holds.
	 * A pool that never queues work keeps only the look for it, which
	 * goes to the free as well.
	 */
	if (res->move_ns < 0 || !res->compact) {
		res->free_ns += res->move_ns;
		res->move_ns = 0;
	}
}

static uint64_t batch_total(const struct run *r, size_t chunks)
{
	uint64_t t = 0;
	size_t c;

	for (c = 0; c < chunks; c++)
		t += r->batch[c];
	return t;
}

/*
 * The per-chunk minimum of summarize() is one figure with no spread.  The
 * runs of a rep are neighbours in time and on one CPU, so the ratio
 * within each rep cancels what slowed the whole rep; the spread of those
 * ratios says whether a difference is larger than the noise.
 */
static int paired_ratios(const struct run *runs, unsigned int reps,
			 size_t chunks, struct replay_result *res)
{
	double *ratio = malloc(reps * sizeof(*ratio));
	size_t a, base;
	unsigned int rep;

	if (!ratio)
		return -1;
	for (base = 0; base < bench_nr_allocs; base++)
		if (!strcmp(bench_allocs[base].name, BENCH_BASELINE))
			break;
	for (a = 0; base < bench_nr_allocs && a < bench_nr_allocs; a++) {
		for (rep = 0; rep < reps; rep++)
			ratio[rep] =
				(double)batch_total(&runs[a * reps + rep], chunks) /
				batch_total(&runs[base * reps + rep], chunks);
		spread(ratio, reps, &res[a].run_mid, &res[a].run_lo,
		       &res[a].run_hi);
		res[a].runs = reps;
	}
	free(ratio);
	return 0;
}

/*
 * Moves the replaying thread to the CPU whose turn rep @rep of @reps is,
 * among @cpus, those it was allowed at the start.  The vCPUs of a virtual
 * machine need not run at the same speed: on the 2-vCPU machines this
 * bench runs on, one replayed the same trace at half the speed of the
 * other for as long as the process stayed there, so the times depended on
 * where the scheduler put it.  Each CPU gets a block of consecutive reps,
 * so that each chunk's fastest run comes from the fastest CPU; moving at
 * every rep instead left every run with cold caches.
 */
static void pin_rep(const cpu_set_t *cpus, unsigned int rep,
		    unsigned int reps)
{
	int n = CPU_COUNT(cpus), cpu, k = (unsigned long)rep * n / reps;
	cpu_set_t one;

	for (cpu = 0; n && cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, cpus) || k--)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		return;
	}
}

/* Fills in pages, the counters and the timing fields of @res. */
static int time_allocs(const struct schedule *s, unsigned int reps,
		       struct user *u, struct replay_result *res)
{
	size_t chunks = nr_chunks(s), i, a;
	struct run *runs, warm = { 0 };
	unsigned int rep;
	cpu_set_t cpus;
	int ret = -1;

	if (!s->n)		/* every size refused: nothing to time */
		return 0;
	if (2 * s->n * reps < MIN_CALLS)
		reps = (MIN_CALLS + 2 * s->n - 1) / (2 * s->n);
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	if (sched_getaffinity(0, sizeof(cpus), &cpus))
		CPU_ZERO(&cpus);
	runs = calloc((size_t)reps * MAX_ALLOCS, sizeof(*runs));
	if (!runs || run_alloc(&warm, chunks))
		goto nomem;
	for (i = 0; i < (size_t)reps * bench_nr_allocs; i++)
		if (run_alloc(&runs[i], chunks))
			goto nomem;
	/*
	 * A warm-up run each, so that no allocator pays for cold arena
	 * pages; it checks the pool and the data as well.
	 */
	for (a = 0; a < bench_nr_allocs; a++) {
		u->z = bench_allocs[a].z;
		run_clear(&warm, chunks);
		if (run_once(&bench_allocs[a], s, u, 0, 1, &warm))
			goto out;
		res[a].pages = warm.pages;
		res[a].pages_compacted = warm.stats[0];
		res[a].bytes_moved = warm.stats[1];
		res[a].move_failures = warm.stats[2];
		res[a].works_run = warm.works;
	}
	for (rep = 0; rep < reps; rep++) {
		pin_rep(&cpus, rep, reps);
		/* Rotate the order so that none always runs first. */
		for (i = 0; i < bench_nr_allocs; i++) {
			const struct bench_alloc *ba;
			struct run *r;

			a = (i + rep) % bench_nr_allocs;
			ba = &bench_allocs[a];
			r = &runs[a * reps + rep];
			u->z = ba->z;
			run_clear(&warm, chunks);
			/* Bracketed and batch runs land in separate fields. */
			if (run_once(ba, s, u, 1, 0, &warm) ||
			    run_once(ba, s, u, 0, 0, r))
				goto out;
			memcpy(r->alloc, warm.alloc, chunks * sizeof(*r->alloc));
			memcpy(r->free, warm.free, chunks * sizeof(*r->free));
			memcpy(r->move, warm.move, chunks * sizeof(*r->move));
			r->brackets = warm.brackets;
			r->work_brackets = warm.work_brackets;
			if (warm.pages != res[a].pages ||
			    r->pages != res[a].pages ||
			    warm.stats[1] != res[a].bytes_moved ||
			    r->stats[1] != res[a].bytes_moved) {
				fprintf(stderr, "zbud_bench: %s: pages or moves differ between identical runs\n",
					ba->name);
				goto out;
			}
		}
	}
	for (a = 0; a < bench_nr_allocs; a++)
		summarize(runs + a * reps, reps, chunks, s, &res[a]);
	if (paired_ratios(runs, reps, chunks, res))
		goto nomem;
	ret = 0;
	goto out;
nomem:
	fprintf(stderr, "zbud_bench: out of memory\n");
out:
	/* Back to the CPUs it had, after a failed run as well. */
	if (CPU_COUNT(&cpus))
		sched_setaffinity(0, sizeof(cpus), &cpus);
	for (i = 0; runs && i < (size_t)reps * MAX_ALLOCS; i++)
		free(runs[i].batch);
	free(runs);
	free(warm.batch);
	return ret;
}

int replay_trace(const struct trace *t, unsigned int reps,
		 struct replay_result *res)
{
	struct replay_result *pb = &res[bench_nr_allocs];
	struct user u = { .bu.move = user_move };
	unsigned int *live = NULL;
	struct schedule s;
	size_t a;
	int ret = -1;

	if (bench_nr_allocs > MAX_ALLOCS || !reps)
		return -1;
	memset(res, 0, (bench_nr_allocs + 1) * sizeof(*res));
	if (build_schedule(t, &s, res))
		goto out;
	u.nslots = s.fill;
	u.page_shift = __builtin_ctz(bench_page_size);
	u.nrmap = 2 * arena_map.pages;
	u.slots = malloc((s.fill + 1) * sizeof(*u.slots));
	u.lens = malloc((s.fill + 1) * sizeof(*u.lens));
	/* Zero pages until touched: only the arena's used part costs. */
	u.rmap = calloc(u.nrmap, sizeof(*u.rmap));
	live = final_live(&s);
	if (!u.slots || !u.lens || !u.rmap || !live) {
		fprintf(stderr, "zbud_bench: out of memory\n");
		goto out;
	}
	for (a = 0; a < bench_nr_allocs; a++) {
		res[a].alloc = bench_allocs[a].name;
		res[a].stored = s.n;
		res[a].live = s.fill;
		res[a].timed = 1;
		res[a].compact = bench_allocs[a].compact;
	}
	if (time_allocs(&s, reps, &u, res))
		goto out;
	pb->alloc = "pairing-bound";
	pb->stored = s.n;
	pb->live = s.fill;
	pb->pages = pairing_bound(live, s.fill, ZBUD_UNIT, bench_page_size);
	ret = 0;
out:
	free(live);
	free(u.slots);
	free(u.lens);
	free(u.rmap);
	free_schedule(&s);
	return ret;
}
