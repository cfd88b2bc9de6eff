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
 * repeated more.  Per chunk the fastest run is kept, which filters out
 * preemption on a busy machine.  A bracket costs about as much as a call
 * here, so its cost is taken as the difference of the two kinds of run
 * and removed: alloc_ns and free_ns then add up to total_ns, the batch
 * time per zpage stored and freed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
			pool = bench_allocs[a]->create(bench_no_evict);
			if (!pool) {
				fprintf(stderr, "zbud_bench: %s: cannot create a pool\n",
					bench_allocs[a]->name);
				return -1;
			}
			if (bench_allocs[a]->alloc(pool, obj, BENCH_GFP, &handle))
				refused[obj] |= 1U << a;
			else
				bench_allocs[a]->free(pool, handle);
			bench_allocs[a]->destroy(pool);
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
	size_t pages;
};

struct chunker {
	struct run *r;
	int bracket;
	size_t c;		/* current chunk */
	size_t calls;		/* calls in it so far */
	uint64_t start;
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

static int timed_alloc(struct chunker *ck, const struct zalloc *ba,
		       void *pool, unsigned int size, unsigned long *handle)
{
	uint64_t t0;
	int err;

	if (!ck->bracket)
		return ba->alloc(pool, size, BENCH_GFP, handle);
	t0 = now_ns();
	err = ba->alloc(pool, size, BENCH_GFP, handle);
	ck->r->alloc[ck->c] += now_ns() - t0;
	return err;
}

static void timed_free(struct chunker *ck, const struct zalloc *ba,
		       void *pool, unsigned long handle)
{
	uint64_t t0;

	if (!ck->bracket) {
		ba->free(pool, handle);
		return;
	}
	t0 = now_ns();
	ba->free(pool, handle);
	ck->r->free[ck->c] += now_ns() - t0;
}

static int replay_failed(const struct zalloc *ba, unsigned int obj,
			 int err)
{
	fprintf(stderr, "zbud_bench: %s: alloc of %u bytes failed during replay (%d)\n",
		ba->name, obj, err);
	return -1;
}

/*
 * One replay of @s into a fresh pool, adding its times to @r.  With
 * @bracket each call is timed on its own as well.  The pool is emptied at
 * the end, which is timed too: every zpage is allocated and freed once.
 */
static int run_once(const struct zalloc *ba, const struct schedule *s,
		    unsigned long *slots, int bracket, struct run *r)
{
	struct chunker ck = { .r = r, .bracket = bracket };
	size_t i, k, v;
	void *pool;
	int err;

	pool = ba->create(bench_no_evict);
	if (!pool) {
		fprintf(stderr, "zbud_bench: %s: cannot create a pool\n",
			ba->name);
		return -1;
	}
	chunk_begin(&ck);
	for (i = 0; i < s->fill; i++) {
		err = timed_alloc(&ck, ba, pool, s->objs[i], &slots[i]);
		if (err)
			return replay_failed(ba, s->objs[i], err);
		chunk_step(&ck, 1);
	}
	chunk_end(&ck);
	chunk_begin(&ck);
	for (k = s->fill; k < s->n; k++) {
		v = s->victims[k];
		timed_free(&ck, ba, pool, slots[v]);
		err = timed_alloc(&ck, ba, pool, s->objs[k], &slots[v]);
		if (err)
			return replay_failed(ba, s->objs[k], err);
		chunk_step(&ck, 2);
	}
	chunk_end(&ck);
	r->pages = ba->pool_pages(pool);
	chunk_begin(&ck);
	for (i = 0; i < s->fill; i++) {
		timed_free(&ck, ba, pool, slots[i]);
		chunk_step(&ck, 1);
	}
	chunk_end(&ck);
	if (ba->pool_pages(pool)) {
		fprintf(stderr, "zbud_bench: %s: %llu pages left after freeing every zpage\n",
			ba->name,
			(unsigned long long)ba->pool_pages(pool));
		ba->destroy(pool);
		return -1;
	}
	ba->destroy(pool);
	return 0;
}

static int run_alloc(struct run *r, size_t chunks)
{
	r->batch = calloc(3 * chunks, sizeof(*r->batch));
	r->alloc = r->batch + chunks;
	r->free = r->alloc + chunks;
	return r->batch ? 0 : -1;
}

/*
 * Per chunk, the fastest of the batch runs, and the bracketed run whose
 * brackets add up to the least.  The brackets cost about as much as a
 * call here; their cost per call is the difference between the two
 * totals, and taking it out splits the batch time into allocs and frees.
 */
static void summarize(const struct run *runs, unsigned int reps,
		      size_t chunks, const struct schedule *s,
		      struct replay_result *res)
{
	double batch = 0, alloc = 0, fr = 0, over, calls = s->n;
	unsigned int rep, best;
	size_t c;

	for (c = 0; c < chunks; c++) {
		uint64_t t = runs[0].batch[c];

		best = 0;
		for (rep = 1; rep < reps; rep++) {
			const struct run *a = &runs[rep], *b = &runs[best];

			if (a->batch[c] < t)
				t = a->batch[c];
			if (a->alloc[c] + a->free[c] < b->alloc[c] + b->free[c])
				best = rep;
		}
		batch += t;
		alloc += runs[best].alloc[c];
		fr += runs[best].free[c];
	}
	over = (alloc + fr - batch) / (2 * calls);
	res->total_ns = batch / calls;
	res->alloc_ns = alloc / calls - over;
	res->free_ns = fr / calls - over;
}

/* Fills in pages and the timing fields of @res. */
static int time_allocs(const struct schedule *s, unsigned int reps,
		       unsigned long *slots, struct replay_result *res)
{
	size_t chunks = nr_chunks(s), i, a;
	struct run *runs, warm = { 0 };
	unsigned int rep;
	int ret = -1;

	if (!s->n)		/* every size refused: nothing to time */
		return 0;
	if (2 * s->n * reps < MIN_CALLS)
		reps = (MIN_CALLS + 2 * s->n - 1) / (2 * s->n);
	if (reps > MAX_REPS)
		reps = MAX_REPS;
	runs = calloc((size_t)reps * MAX_ALLOCS, sizeof(*runs));
	if (!runs || run_alloc(&warm, chunks))
		goto nomem;
	for (i = 0; i < (size_t)reps * bench_nr_allocs; i++)
		if (run_alloc(&runs[i], chunks))
			goto nomem;
	/* A warm-up run each, so that no allocator pays for cold arena pages. */
	for (a = 0; a < bench_nr_allocs; a++) {
		if (run_once(bench_allocs[a], s, slots, 0, &warm))
			goto out;
		res[a].pages = warm.pages;
	}
	for (rep = 0; rep < reps; rep++) {
		/* Rotate the order so that none always runs first. */
		for (i = 0; i < bench_nr_allocs; i++) {
			struct run *r;

			a = (i + rep) % bench_nr_allocs;
			r = &runs[a * reps + rep];
			/* Bracketed and batch runs land in separate fields. */
			if (run_once(bench_allocs[a], s, slots, 1, &warm) ||
			    run_once(bench_allocs[a], s, slots, 0, r))
				goto out;
			memcpy(r->alloc, warm.alloc, chunks * sizeof(*r->alloc));
			memcpy(r->free, warm.free, chunks * sizeof(*r->free));
			memset(warm.batch, 0, 3 * chunks * sizeof(*warm.batch));
			if (warm.pages != res[a].pages ||
			    r->pages != res[a].pages) {
				fprintf(stderr, "zbud_bench: %s: pages differ between identical runs\n",
					bench_allocs[a]->name);
				goto out;
			}
		}
	}
	for (a = 0; a < bench_nr_allocs; a++)
		summarize(runs + a * reps, reps, chunks, s, &res[a]);
	ret = 0;
	goto out;
nomem:
	fprintf(stderr, "zbud_bench: out of memory\n");
out:
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
	unsigned long *slots = NULL;
	unsigned int *live = NULL;
	struct schedule s;
	size_t a;
	int ret = -1;

	if (bench_nr_allocs > MAX_ALLOCS || !reps)
		return -1;
	memset(res, 0, (bench_nr_allocs + 1) * sizeof(*res));
	if (build_schedule(t, &s, res))
		goto out;
	slots = malloc((s.fill + 1) * sizeof(*slots));
	live = final_live(&s);
	if (!slots || !live) {
		fprintf(stderr, "zbud_bench: out of memory\n");
		goto out;
	}
	for (a = 0; a < bench_nr_allocs; a++) {
		res[a].alloc = bench_allocs[a]->name;
		res[a].stored = s.n;
		res[a].live = s.fill;
		res[a].timed = 1;
	}
	if (time_allocs(&s, reps, slots, res))
		goto out;
	pb->alloc = "pairing-bound";
	pb->stored = s.n;
	pb->live = s.fill;
	pb->pages = pairing_bound(live, s.fill, 8, bench_page_size);
	ret = 0;
out:
	free(live);
	free(slots);
	free_schedule(&s);
	return ret;
}
