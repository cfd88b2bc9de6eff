// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection and pfn walkers for the workload; see stress.h.
 *
 * fail_page_alloc is limited to tasks that set make-it-fail, and to
 * allocations that may not sleep in reclaim (ignore-gfp-wait): that spares
 * the workload's own page faults and hits zswap's zpool_malloc(), whose
 * gfp mask has no __GFP_DIRECT_RECLAIM.  Its "times" knob counts down once
 * per injected failure, which tells how many there were.
 *
 * A kpagecount entry that reads as a huge number is a page whose
 * page_type was taken for a mapcount; zbud keeps its sizes in page_type,
 * so the walker counts such pfns ("odd") and the host fails on any.
 *
 * Turning a second swap device off and on again, as the child does when
 * given one, has swapoff read back every page the device holds, from
 * zswap or the disk, and then zswap drop the device's tree, while zswap's
 * writeback and zbud's compaction work on the device's entries: the
 * callbacks find an entry from the swap slot written in its zpage, and
 * must not use a tree that swapoff has freed.  While it is on, swap
 * slots come from both devices in turn, since they share a priority.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress.h"
#include "util.h"

#define FAIL_DIR	"/sys/kernel/debug/fail_page_alloc/"
#define FAIL_TIMES	100000000
#define STRINGIFY(x)	#x
#define STR(x)		STRINGIFY(x)
#define WALK_CHUNK	512
#define MAX_MAPCOUNT	(1ULL << 30)

static pid_t stress_pid;
static volatile sig_atomic_t stress_stopping;

struct swap_cycles {
	unsigned long long done;	/* swapoffs that succeeded */
	unsigned long long used;	/* of which with pages on the device */
	unsigned long long errors;
};

/*
 * Set fail_page_alloc up to fail @percent of the page allocations of
 * order @min_order and up, of tasks that set make-it-fail; with
 * @sleeping false, only those that may not sleep in reclaim.
 */
static int inject_set(unsigned int percent, const char *min_order,
		      bool sleeping)
{
	const char *const knobs[][2] = {
		{ "task-filter", "Y" },
		{ "ignore-gfp-wait", sleeping ? "N" : "Y" },
		{ "ignore-gfp-highmem", "N" }, { "min-order", min_order },
		{ "verbose", "0" }, { "interval", "1" },
		{ "times", STR(FAIL_TIMES) },
	};
	char path[128], val[16];
	size_t i;

	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), FAIL_DIR "%s", knobs[i][0]);
		if (write_file(path, knobs[i][1]))
			return -1;
	}
	snprintf(val, sizeof(val), "%u", percent);
	if (write_file(FAIL_DIR "probability", val))
		return -1;
	say("inject percent=%u min_order=%s", percent, min_order);
	return 0;
}

int inject_start(unsigned int percent)
{
	if (inject_set(percent, "0", false))
		return -1;
	return write_file("/proc/self/make-it-fail", "1");
}

int inject_high_orders(void)
{
	return inject_set(100, "1", true);
}

void inject_stop(const char *what)
{
	unsigned long long left;

	write_file("/proc/self/make-it-fail", "0");
	write_file(FAIL_DIR "probability", "0");
	if (read_number(FAIL_DIR "times", &left) || left > FAIL_TIMES)
		say("inject error: cannot read " FAIL_DIR "times");
	else
		say("inject %s failures=%llu", what, FAIL_TIMES - left);
}

/*
 * Read a whole /proc/kpage* file and return its number of entries, or -1;
 * count in @odd, unless it is NULL, the entries too large for a mapcount.
 */
static long long walk(const char *path, unsigned long long *odd)
{
	uint64_t buf[WALK_CHUNK];
	long long n = 0;
	ssize_t got;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; odd && i < got / 8; i++)
			*odd += buf[i] >= MAX_MAPCOUNT;
		n += got / 8;
	}
	close(fd);
	return got < 0 ? -1 : n;
}

/* Compacts every zbud pool through its debugfs file; returns how many. */
static unsigned int zbud_compact_all(void)
{
	unsigned int done = 0;
	glob_t g;
	size_t i;

	if (glob("/sys/kernel/debug/zbud/*/compact", 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++)
		done += !write_file(g.gl_pathv[i], "1");
	globfree(&g);
	return done;
}

struct swap_find {
	const char *dev;
	long long used;
};

static int swap_match(const char *dev, long long used, void *arg)
{
	struct swap_find *find = arg;

	if (strcmp(dev, find->dev))
		return 0;
	find->used = used;
	return 1;
}

/* The KiB in use on the swap device @dev, or -1 if it is not on. */
static long long swap_used(const char *dev)
{
	struct swap_find find = { dev, -1 };

	for_each_swap(swap_match, &find);
	return find.used;
}

/* Turns @dev off; true if it went off. */
static bool swap_off_counted(const char *dev, struct swap_cycles *c)
{
	long long used = swap_used(dev);

	if (swapoff(dev)) {
		/* stress_stop()'s SIGTERM: stress_loop() turns it off after. */
		if (errno != EINTR) {
			say("stress error: swapoff %s: %s", dev, strerror(errno));
			c->errors++;
		}
		return false;
	}
	c->done++;
	c->used += used > 0;
	return true;
}

static void stress_signal(int sig)
{
	(void)sig;
	stress_stopping = 1;
}

static void stress_loop(const char *swap2)
{
	unsigned long long walks = 0, loaded = 0, odd = 0, compactions = 0;
	unsigned long long zbud_compacts = 0, read_errors = 0;
	unsigned long long stored;
	long long flags = 0, counts = 0;
	struct swap_cycles cycles = { 0 };

	while (!stress_stopping) {
		compactions += !write_file("/proc/sys/vm/compact_memory", "1");
		zbud_compacts += zbud_compact_all();
		if (!read_number("/sys/kernel/debug/zswap/stored_pages",
				 &stored) && stored)
			loaded++;
		flags = walk("/proc/kpageflags", NULL);
		counts = walk("/proc/kpagecount", &odd);
		if (flags < 0 || counts < 0) {
			say("stress error: reading /proc/kpage*: %s",
			    strerror(errno));
			read_errors++;
			break;
		}
		walks++;
		/* After an error the device may be off for good: stop. */
		if (swap2 && !cycles.errors &&
		    swap_off_counted(swap2, &cycles) && swap_on(swap2))
			cycles.errors++;
		sleep_ms(200);
	}
	/*
	 * The teardown counts what zswap keeps once swap is off (init turns
	 * off any device still on, too).  Not a cycle: the workload is over.
	 */
	if (swap2 && swap_used(swap2) >= 0 && swapoff(swap2)) {
		say("stress error: swapoff %s: %s", swap2, strerror(errno));
		cycles.errors++;
	}
	say("stress walks=%llu walks_with_pool=%llu compactions=%llu zbud_compacts=%llu pfns=%lld odd_counts=%llu read_errors=%llu",
	    walks, loaded, compactions, zbud_compacts, counts, odd,
	    read_errors);
	if (swap2)
		say("stress swapoffs=%llu swapoffs_used=%llu swap_errors=%llu",
		    cycles.done, cycles.used, cycles.errors);
}

/*
 * SIGTERM stays blocked until the child has its handler, so that a stop
 * right after the start still gets the report and the final swapoff; and
 * the child stops too if the workload dies without stress_stop().
 */
int stress_start(const char *swap2)
{
	pid_t parent = getpid();
	sigset_t term, old;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	stress_pid = fork();
	if (stress_pid == 0) {
		signal(SIGTERM, stress_signal);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (getppid() != parent)
			stress_stopping = 1;
		stress_loop(swap2);
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (stress_pid < 0) {
		say("stress error: fork: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void stress_stop(void)
{
	if (stress_pid <= 0)
		return;
	kill(stress_pid, SIGTERM);
	waitpid(stress_pid, NULL, 0);
	stress_pid = 0;
}
