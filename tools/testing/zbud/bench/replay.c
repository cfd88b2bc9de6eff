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
 * Timing: each call is bracketed by clock_gettime() and the mean cost of
 * an empty bracket, measured in the same process, is subtracted.  That
 * overhead is as large as a call, so the per-call means are estimates;
 * total_ns times a second, unbracketed run of the same schedule as one
 * batch, which is the better number for comparing allocators.  After one
 * untimed warm-up run each, runs are repeated in rotating order and each
 * allocator keeps its median.
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

/* The mean cost of an empty now_ns() bracket, lowest of a few tries. */
static double clock_overhead(void)
{
	double best = 1e9;
	int round, i;

	for (round = 0; round < 5; round++) {
		uint64_t sum = 0, t0;

		for (i = 0; i < 100000; i++) {
			t0 = now_ns();
			sum += now_ns() - t0;
		}
		if ((double)sum / i < best)
			best = (double)sum / i;
	}
	return best;
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
			pool = bench_allocs[a]->create();
			if (!pool) {
				fprintf(stderr, "zbud_bench: %s: cannot create a pool\n",
					bench_allocs[a]->name);
				return -1;
			}
			if (bench_allocs[a]->alloc(pool, obj, &handle))
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

struct run {
	uint64_t alloc_ns, free_ns, total_ns;
	size_t pages;
};

static int replay_failed(const struct bench_alloc *ba, unsigned int obj,
			 int err)
{
	fprintf(stderr, "zbud_bench: %s: alloc of %u bytes failed during replay (%d)\n",
		ba->name, obj, err);
	return -1;
}

/*
 * One replay of @s into a fresh pool.  With @bracket each call is timed
 * on its own; without, the whole replay is one batch.  The pool is
 * emptied at the end, which is timed too: every zpage is allocated and
 * freed exactly once.
 */
static int run_once(const struct bench_alloc *ba, const struct schedule *s,
		    unsigned long *slots, int bracket, struct run *r)
{
	uint64_t t0, t1, start;
	size_t i, k, v;
	void *pool;
	int err;

	memset(r, 0, sizeof(*r));
	pool = ba->create();
	if (!pool) {
		fprintf(stderr, "zbud_bench: %s: cannot create a pool\n",
			ba->name);
		return -1;
	}
	start = now_ns();
	for (i = 0; i < s->fill; i++) {
		t0 = bracket ? now_ns() : 0;
		err = ba->alloc(pool, s->objs[i], &slots[i]);
		t1 = bracket ? now_ns() : 0;
		if (err)
			return replay_failed(ba, s->objs[i], err);
		r->alloc_ns += t1 - t0;
	}
	for (k = s->fill; k < s->n; k++) {
		v = s->victims[k];
		t0 = bracket ? now_ns() : 0;
		ba->free(pool, slots[v]);
		t1 = bracket ? now_ns() : 0;
		r->free_ns += t1 - t0;
		t0 = bracket ? now_ns() : 0;
		err = ba->alloc(pool, s->objs[k], &slots[v]);
		t1 = bracket ? now_ns() : 0;
		if (err)
			return replay_failed(ba, s->objs[k], err);
		r->alloc_ns += t1 - t0;
	}
	t0 = now_ns();
	r->pages = ba->pages(pool);
	start += now_ns() - t0;		/* reading the size is not a call */
	for (i = 0; i < s->fill; i++) {
		t0 = bracket ? now_ns() : 0;
		ba->free(pool, slots[i]);
		t1 = bracket ? now_ns() : 0;
		r->free_ns += t1 - t0;
	}
	r->total_ns = now_ns() - start;
	if (ba->pages(pool)) {
		fprintf(stderr, "zbud_bench: %s: %lu pages left after freeing every zpage\n",
			ba->name, ba->pages(pool));
		ba->destroy(pool);
		return -1;
	}
	ba->destroy(pool);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double median(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Fills in the timing fields of @res from @reps runs per allocator. */
static int time_allocs(const struct schedule *s, unsigned int reps,
		       unsigned long *slots, struct replay_result *res)
{
	uint64_t *al = calloc((size_t)reps * MAX_ALLOCS * 3, sizeof(*al));
	uint64_t *fr = al + (size_t)reps * MAX_ALLOCS;
	uint64_t *tot = fr + (size_t)reps * MAX_ALLOCS;
	double over = clock_overhead();
	unsigned int rep;
	size_t i, a, calls;
	struct run r;
	int ret = -1;

	if (!al) {
		fprintf(stderr, "zbud_bench: out of memory\n");
		return -1;
	}
	/* A warm-up run each, so that no allocator pays for cold arena pages. */
	for (a = 0; a < bench_nr_allocs; a++) {
		if (run_once(bench_allocs[a], s, slots, 0, &r))
			goto out;
		res[a].pages = r.pages;
	}
	for (rep = 0; rep < reps; rep++) {
		/* Rotate the order so that none always runs first. */
		for (i = 0; i < bench_nr_allocs; i++) {
			a = (i + rep) % bench_nr_allocs;
			if (run_once(bench_allocs[a], s, slots, 1, &r))
				goto out;
			if (r.pages != res[a].pages) {
				fprintf(stderr, "zbud_bench: %s: pages differ between identical runs\n",
					bench_allocs[a]->name);
				goto out;
			}
			res[a].pages = r.pages;
			al[a * reps + rep] = r.alloc_ns;
			fr[a * reps + rep] = r.free_ns;
			if (run_once(bench_allocs[a], s, slots, 0, &r))
				goto out;
			tot[a * reps + rep] = r.total_ns;
		}
	}
	for (a = 0; a < bench_nr_allocs; a++) {
		calls = s->n ? s->n : 1;
		res[a].alloc_ns = median(al + a * reps, reps) / calls - over;
		res[a].free_ns = median(fr + a * reps, reps) / calls - over;
		if (res[a].alloc_ns < 0)
			res[a].alloc_ns = 0;
		if (res[a].free_ns < 0)
			res[a].free_ns = 0;
		res[a].total_ns = median(tot + a * reps, reps);
	}
	ret = 0;
out:
	free(al);
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
