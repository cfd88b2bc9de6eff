// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory-pressure workload for the zbud test VM, run by /init.
 *
 * It fills an anonymous working set larger than the VM's RAM with pages
 * copied from a corpus of real files (a raw disk made by mkcorpus.sh), so
 * that zswap sees the compressed sizes real data has.  Every page is
 * stamped with its index, a generation and a checksum.  The set is then
 * walked in random order (verifying, and rewriting a quarter of the pages
 * with new content) and in sequential order (verifying), which forces
 * swap-out, swap-in and zswap writeback.  Stale or damaged data shows up
 * as a wrong stamp or checksum.
 *
 * Arguments, all KEY=VALUE:
 *   fill=MiB       size of the working set (default 400)
 *   seed=N         picks corpus pages and the random order (default 1)
 *   corpus=PATH    the corpus disk (default /dev/vdb)
 *   inject=PERCENT fail that share of the allocations fail_page_alloc
 *                  covers (stress.c; default 0, off)
 *   stress=1       compact memory and walk /proc/kpage* all along
 *   swap2=DEV      with stress=1, also enable swap on DEV, at the first
 *                  device's priority so that swap pages alternate between
 *                  them, and turn it off and on all along (stress.c)
 *   mode=slide     instead of the random and sequential passes, a hot
 *                  window of window=MiB (default 200) that moves by half
 *                  its size over the working set, wrapping around, for
 *                  steps=N (default 8) steps; each step walks its window
 *                  once in random order, verifying every page and
 *                  rewriting one in eight.  So the half of a window that
 *                  the next one shares, swapped out while the first half
 *                  was walked, is read again soon.  A sequential pass
 *                  then checks every page.
 *   start=MiB      where the first window of mode=slide begins (default
 *                  0: the pages the fill wrote, and swapped out, first)
 *
 * The report lines start with "zbudvm: " and are KEY=VALUE pairs.  Each
 * pass and slide step line gives its seconds and pswpin, the pages it
 * read from the swap disk, so that a run shows which step a pool's
 * choice of pages helped.  The program exits 1 if any page is corrupt,
 * 3 if the passes did not verify exactly the pages they visit (two per
 * page, or each window's pages and then every page, with mode=slide).
 * The checksum is taken from the workload's own copy of the data, and
 * its bookkeeping (generations, pages found bad) is locked in memory,
 * so that neither goes through the zswap it tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stress.h"
#include "util.h"

#define PAGE		4096
#define MAX_REPORTS	10
/* 1 TiB: the page count, in 32 bits, then fits with room to spare. */
#define MAX_FILL_MIB	(1UL << 20)

struct stamp {
	uint32_t index;
	uint32_t gen;
	uint64_t sum;
};

static unsigned long fill_mib = 400;
static uint64_t seed = 1;
static const char *corpus_path = "/dev/vdb";
static unsigned int inject_percent;
static bool stress;
static const char *swap2;
static bool slide;
static unsigned long window_mib = 200, steps = 8, start_mib;

static int corpus_fd;
static uint64_t corpus_pages;
static unsigned char *set;
static uint32_t npages;
/*
 * The current generation of each page: 32 bits, so that no run rewrites
 * a page often enough for a stale copy to carry the current stamp.
 */
static uint32_t *gens;
static uint8_t *bad;		/* pages found corrupt at least once */
static uint64_t written, verified, corrupt;

static void die(const char *what)
{
	say("workload error: %s: %s", what, strerror(errno));
	/* The child turns the second swap device off as it stops. */
	stress_stop();
	exit(2);
}

/* Pages in @mib MiB: fill= is at most 1 TiB, and the rest at most fill=. */
static uint32_t mib_pages(unsigned long mib)
{
	return mib * (1024 * 1024 / PAGE);
}

/* splitmix64: a good 64-bit mix, cheap enough for every page. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t checksum(const unsigned char *page)
{
	const uint64_t *w = (const uint64_t *)page;
	uint64_t h = seed;
	size_t i;

	for (i = sizeof(struct stamp) / 8; i < PAGE / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL + (h >> 29);
	return mix(h);
}

/*
 * The sum is taken from a copy the workload holds, not from the page
 * itself, which could be swapped out and back wrong in between.
 */
static void write_page(uint32_t i)
{
	static uint64_t buf[PAGE / 8];
	unsigned char *page = set + (size_t)i * PAGE;
	uint64_t src = mix(seed ^ ((uint64_t)gens[i] << 32 | i)) %
		       corpus_pages;
	struct stamp st = { .index = i, .gen = gens[i] };

	if (pread(corpus_fd, buf, PAGE, src * PAGE) != PAGE)
		die("reading the corpus");
	st.sum = checksum((unsigned char *)buf);
	memcpy(buf, &st, sizeof(st));
	memcpy(page, buf, PAGE);
	written++;
}

static void verify_page(uint32_t i)
{
	unsigned char *page = set + (size_t)i * PAGE;
	struct stamp st;

	memcpy(&st, page, sizeof(st));
	verified++;
	if (st.index == i && st.gen == gens[i] && st.sum == checksum(page))
		return;
	if (!bad[i]) {
		bad[i] = 1;
		corrupt++;
	}
	if (corrupt <= MAX_REPORTS)
		say("corrupt page=%u found index=%u gen=%u want gen=%u sum_ok=%d",
		    i, st.index, st.gen, gens[i], st.sum == checksum(page));
}

static void pass_fill(void)
{
	uint32_t i;

	for (i = 0; i < npages; i++)
		write_page(i);
}

/*
 * Shuffle @order (n page numbers) with the generator state @r, then
 * verify each page in that order and rewrite about one in @rewrite of
 * them, picked by @pick.  Frees @order.
 */
static void visit_shuffled(uint32_t *order, uint32_t n, uint64_t r,
			   uint64_t pick, unsigned int rewrite)
{
	uint32_t i, j, t;

	for (i = n - 1; i > 0; i--) {
		r = mix(r);
		j = r % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		verify_page(order[i]);
		if (mix(pick + order[i]) % rewrite == 0) {
			gens[order[i]]++;
			write_page(order[i]);
		}
	}
	free(order);
}

/* Visit every page once in a seeded random order; rewrite a quarter. */
static void pass_random(void)
{
	uint32_t *order = malloc(sizeof(*order) * npages);
	uint32_t i;

	if (!order)
		die("malloc");
	for (i = 0; i < npages; i++)
		order[i] = i;
	visit_shuffled(order, npages, seed, seed, 4);
}

/*
 * Walk the pages of window @w, [w * window / 2, w * window / 2 + window)
 * modulo the set, in a random order; rewrite an eighth.
 */
static void slide_step(uint32_t w)
{
	uint32_t wpages = mib_pages(window_mib), start, i;
	uint32_t *order = malloc(sizeof(*order) * wpages);
	uint64_t r = mix(seed ^ ((uint64_t)w << 40));

	if (!order)
		die("malloc");
	start = ((uint64_t)w * (wpages / 2) + mib_pages(start_mib)) % npages;
	for (i = 0; i < wpages; i++)
		order[i] = (start + i) % npages;
	visit_shuffled(order, wpages, r, r, 8);
}

/* Where a pass or a slide step started, for its report line. */
struct mark {
	uint64_t corrupt;
	unsigned long long pswpin;	/* all readers of the swap disk */
	double t;
};

static void mark_start(struct mark *m)
{
	m->corrupt = corrupt;
	m->pswpin = read_vmstat("pswpin");
	m->t = now();
}

/* "WHAT corrupt=N seconds=S pswpin=N", counted since @m. */
static void say_since(const char *what, const struct mark *m)
{
	say("%s corrupt=%llu seconds=%.1f pswpin=%llu", what,
	    (unsigned long long)(corrupt - m->corrupt), now() - m->t,
	    read_vmstat("pswpin") - m->pswpin);
}

static void pass_slide(void)
{
	struct mark m;
	char what[32];
	uint32_t w;

	for (w = 0; w < steps; w++) {
		mark_start(&m);
		slide_step(w);
		snprintf(what, sizeof(what), "slide step=%u", w);
		say_since(what, &m);
	}
}

static void pass_sequential(void)
{
	uint32_t i;

	for (i = 0; i < npages; i++)
		verify_page(i);
}

/* Ask for everything to be swapped out, so the next pass swaps it in. */
static void pass_pageout(void)
{
	if (madvise(set, (size_t)npages * PAGE, MADV_PAGEOUT))
		say("madvise(MADV_PAGEOUT): %s", strerror(errno));
}

static void run_pass(const char *name, void (*fn)(void))
{
	struct mark m;
	char what[32];

	mark_start(&m);
	fn();
	snprintf(what, sizeof(what), "pass %s", name);
	say_since(what, &m);
}

/*
 * Print the lines of FILE that start with one of the given keys as
 * "PREFIX.KEY=VALUE", turning "Name:   12 kB" into "Name_kB=12".
 */
static void dump_lines(const char *file, const char *prefix,
		       const char *const *keys)
{
	char line[256], key[64];
	unsigned long long val;
	FILE *f = fopen(file, "r");
	int k;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		for (k = 0; keys[k]; k++) {
			if (strncmp(line, keys[k], strlen(keys[k])) ||
			    sscanf(line, "%63[^: ]%*[: ]%llu", key, &val) != 2)
				continue;
			say("%s.%s%s=%llu", prefix, key,
			    strstr(line, " kB") ? "_kB" : "", val);
		}
	}
	fclose(f);
}

static void report(double seconds)
{
	static const char *const meminfo[] = {
		"MemTotal:", "SwapTotal:", "SwapFree:", "SwapCached:", "Zswap",
		NULL };
	static const char *const vmstat[] = { "pswpin ", "pswpout ", "zswpin ",
					      "zswpout ", NULL };

	say("result pages=%u written=%llu verified=%llu corrupt=%llu seconds=%.1f",
	    npages, (unsigned long long)written,
	    (unsigned long long)verified, (unsigned long long)corrupt,
	    seconds);
	dump_dir("/sys/module/zswap/parameters", "param");
	dump_dir("/sys/kernel/debug/zswap", "zswap");
	dump_dir("/sys/kernel/debug/zbud", "zbud");
	dump_lines("/proc/meminfo", "meminfo", meminfo);
	dump_lines("/proc/vmstat", "vmstat", vmstat);
}

/* Every pass verifies each page it visits once: this many in all. */
static uint64_t expected_verified(void)
{
	return slide ? steps * (uint64_t)mib_pages(window_mib) + npages :
		       2ULL * npages;
}

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "fill=", 5))
			fill_mib = strtoul(argv[i] + 5, NULL, 0);
		else if (!strncmp(argv[i], "seed=", 5))
			seed = strtoull(argv[i] + 5, NULL, 0);
		else if (!strncmp(argv[i], "corpus=", 7))
			corpus_path = argv[i] + 7;
		else if (!strncmp(argv[i], "inject=", 7))
			inject_percent = strtoul(argv[i] + 7, NULL, 0);
		else if (!strncmp(argv[i], "stress=", 7))
			stress = strtoul(argv[i] + 7, NULL, 0);
		else if (!strncmp(argv[i], "swap2=", 6))
			swap2 = argv[i] + 6;
		else if (!strcmp(argv[i], "mode=slide"))
			slide = true;
		else if (!strncmp(argv[i], "window=", 7))
			window_mib = strtoul(argv[i] + 7, NULL, 0);
		else if (!strncmp(argv[i], "steps=", 6))
			steps = strtoul(argv[i] + 6, NULL, 0);
		else if (!strncmp(argv[i], "start=", 6))
			start_mib = strtoul(argv[i] + 6, NULL, 0);
		else
			say("ignoring unknown argument '%s'", argv[i]);
	}
	if (!fill_mib || fill_mib > MAX_FILL_MIB || inject_percent > 100 ||
	    (swap2 && !stress) ||
	    (slide && (!window_mib || window_mib > fill_mib || !steps ||
		       start_mib >= fill_mib))) {
		errno = EINVAL;
		die("fill= must be from 1 to 1048576, inject= at most 100, swap2= only with stress=1, window= from 1 to fill=, steps= > 0, start= below fill=");
	}
}

static void open_corpus(void)
{
	uint64_t bytes;
	struct stat sb;

	corpus_fd = open(corpus_path, O_RDONLY);
	if (corpus_fd < 0 || fstat(corpus_fd, &sb))
		die(corpus_path);
	bytes = sb.st_size;
	if (S_ISBLK(sb.st_mode) && ioctl(corpus_fd, BLKGETSIZE64, &bytes))
		die(corpus_path);
	corpus_pages = bytes / PAGE;
	if (!corpus_pages) {
		errno = EINVAL;
		die("empty corpus");
	}
}

int main(int argc, char **argv)
{
	double t0;

	parse_args(argc, argv);
	open_corpus();
	/* Before the working set exists, so the child shares none of it. */
	if (swap2 && swap_setup(swap2))
		exit(2);
	if (stress && stress_start(swap2))
		exit(2);
	if (inject_percent && inject_start(inject_percent))
		die("inject_start");
	npages = mib_pages(fill_mib);
	gens = calloc(npages, sizeof(*gens));
	bad = calloc(npages, 1);
	set = mmap(NULL, (size_t)npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!gens || !bad || set == MAP_FAILED)
		die("allocating the working set");
	/* The bookkeeping must not go through the zswap under test. */
	if (mlock(gens, npages * sizeof(*gens)) || mlock(bad, npages))
		die("mlock");
	say("workload fill=%luMiB pages=%u seed=%llu corpus_pages=%llu",
	    fill_mib, npages, (unsigned long long)seed,
	    (unsigned long long)corpus_pages);

	t0 = now();
	run_pass("fill", pass_fill);
	if (slide) {
		run_pass("slide", pass_slide);
	} else {
		run_pass("random", pass_random);
		run_pass("pageout", pass_pageout);
	}
	/*
	 * The stress child turns the second swap disk off as it stops,
	 * which swaps its pages in: the sequential pass checks them too.
	 */
	stress_stop();
	run_pass("sequential", pass_sequential);
	if (inject_percent)
		inject_stop("workload");
	report(now() - t0);
	if (verified != expected_verified()) {
		say("workload error: verified %llu pages, not %llu",
		    (unsigned long long)verified,
		    (unsigned long long)expected_verified());
		return 3;
	}
	return corrupt ? 1 : 0;
}
