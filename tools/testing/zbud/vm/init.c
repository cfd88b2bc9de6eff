// SPDX-License-Identifier: GPL-2.0-only
/*
 * /init of the zbud test VM.
 *
 * It mounts the pseudo filesystems, and then acts on zbudvm.mode= from
 * the kernel command line:
 *   kunit     nothing to do: built-in KUnit has already run, so reboot;
 *   workload  turn /dev/vda into swap and run /bin/workload, passing
 *             every other zbudvm.KEY=VALUE to it as KEY=VALUE; then, if
 *             zswap runs on this zbud, the teardown below;
 *   debug     the same, but the switch of the teardown happens while
 *             every page allocation above order 0 fails; then the
 *             replay below, whose pools must take their debugfs
 *             directories with them when destroyed; and last a kmemleak
 *             scan;
 *   replay    feed each .txt file in /traces to the kernel's zbud_replay
 *             debugfs files and print its results;
 *   pressure  as workload, but run /bin/pressure (../pressure/guest.c,
 *             in the initramfs that pressure/run.sh makes), without the
 *             teardown.
 * The teardown switches zswap's compressor, which makes a new pool, and
 * turns swap off, which frees every zswap entry: the old pool must then
 * be destroyed, leaving one zbud pool (the new one), and it must be
 * empty.  6.1's zswap leaks a pool reference when a store finds the
 * pool full while its shrink work is still queued, and such a pool
 * lives on; a burst of stores into a pool whose limit is 0 comes first,
 * so that the teardown meets that case in every run, not only when the
 * workload happened to.
 * Userspace lines start with "zbudvm: " so the host can find them.  The
 * guest has no ACPI power-off; it reboots and QEMU runs with -no-reboot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "stress.h"
#include "util.h"

#define SWAP_DEV	"/dev/vda"
#define MAX_ARGS	32
#define ZBUD_DEBUGFS	"/sys/kernel/debug/zbud"
#define KMEMLEAK	"/sys/kernel/debug/kmemleak"
#define ZSWAP_COMPRESSOR	"/sys/module/zswap/parameters/compressor"
#define ZSWAP_ZPOOL	"/sys/module/zswap/parameters/zpool"
#define ZSWAP_MAX_POOL	"/sys/module/zswap/parameters/max_pool_percent"
#define ZSWAP_LIMIT_HIT	ZSWAP_DEBUGFS "pool_limit_hit"
#define SAMPLE_MS	1000
#define BURST_PAGES	2048
#define TEARDOWN_WAIT	20	/* seconds for a pool's release work */
#define SLAB_DIR	"/sys/kernel/slab"
#define REPLAY_DIR	"/sys/kernel/debug/zbud_replay/"
#define TRACE_DIR	"/traces"
#define MAX_LEAK_LINES	60

/* Never return: a dead init would panic the guest and hide the cause. */
static void finish(int status)
{
	say("init done status=%d", status);
	/* The checks read that line: let the UART send it before the end. */
	tcdrain(STDOUT_FILENO);
	sync();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static int do_mount(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) && errno != EBUSY) {
		say("mount %s on %s: %s", type, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Split /proc/cmdline into the mode and the workload's arguments.  With
 * more arguments than argv holds the mode is "" (unknown): a workload
 * must not run without some of its settings.
 */
static const char *parse_cmdline(char *buf, size_t len, char **argv)
{
	const char *mode = "";
	bool toomany = false;
	int argc = 1;
	char *tok;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f || !fgets(buf, len, f))
		return mode;
	fclose(f);
	for (tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n")) {
		if (strncmp(tok, "zbudvm.", 7))
			continue;
		tok += 7;
		if (!strncmp(tok, "mode=", 5))
			mode = tok + 5;
		else if (argc < MAX_ARGS - 1)
			argv[argc++] = tok;
		else
			toomany = true;
	}
	argv[argc] = NULL;
	if (toomany) {
		say("more than %d zbudvm.* arguments", MAX_ARGS - 2);
		return "";
	}
	return mode;
}

static int run(char **argv)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		execv(argv[0], argv);
		say("exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		say("running %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		say("%s killed by signal %d", argv[0], WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

static int workload(char **argv)
{
	if (swap_setup(SWAP_DEV))
		return 1;
	return run(argv) ? 1 : 0;
}

/*
 * In a child, print zswap's pool size and stored pages and the pages read
 * from swap once a second, for make vm's plot, until killed.  Locked in
 * memory, so that the pressure it samples does not stall it.
 */
static pid_t start_sampler(void)
{
	double t0 = now();
	pid_t pid = fork();

	if (pid)
		return pid;
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		say("mlockall: %s", strerror(errno));
	for (;;) {
		say("sample t=%.1f pool_bytes=%llu stored=%llu pswpin=%llu",
		    now() - t0, zswap_counter("pool_total_size"),
		    zswap_counter("stored_pages"), read_vmstat("pswpin"));
		sleep_ms(SAMPLE_MS);
	}
}

/* The number of entries in @dir other than . and .., or -1. */
static int count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * Counts the zbud pools in debugfs and sums the sizes they hold into
 * @left; @unread counts the counters that could not be read.
 */
static int zbud_pools(unsigned long long *left, int *unread)
{
	static const char *const keys[] = { "pages", "zpages", "bytes" };
	unsigned long long val;
	char path[512];
	struct dirent *de;
	int k, pools = 0;
	DIR *d;

	*left = 0;
	*unread = 0;
	d = opendir(ZBUD_DEBUGFS);
	if (!d) {
		say("open %s: %s", ZBUD_DEBUGFS, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		pools++;
		for (k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), ZBUD_DEBUGFS "/%s/%s",
				 de->d_name, keys[k]);
			if (read_number(path, &val)) {
				say("cannot read %s", path);
				(*unread)++;
			} else {
				*left += val;
			}
		}
	}
	closedir(d);
	return pools;
}

static int first_swap(const char *dev, long long used, void *arg)
{
	(void)used;
	snprintf(arg, SWAP_NAME_MAX, "%s", dev);
	return 1;
}

/* Turns off every swap device, the workload's second one too if left on. */
static int swap_off_all(void)
{
	char dev[SWAP_NAME_MAX];
	int found;

	while ((found = for_each_swap(first_swap, dev)) == 1) {
		if (swapoff(dev)) {
			say("swapoff %s: %s", dev, strerror(errno));
			return 1;
		}
	}
	if (found < 0)
		say("cannot read /proc/swaps: %s", strerror(errno));
	return found < 0;
}

/*
 * With swap off no zswap entry is left, so only zswap's current pool may
 * remain, empty: every older one is released once its last entry goes,
 * by work that waits for an RCU grace period first.
 */
static int swap_off(void)
{
	unsigned long long left = 0;
	int pools = -1, unread = 0, waited;

	if (swap_off_all())
		return 1;
	for (waited = 0; waited <= TEARDOWN_WAIT; waited++) {
		pools = zbud_pools(&left, &unread);
		if (pools <= 1)
			break;
		sleep(1);
	}
	say("swapoff zbud_left=%llu pools=%d unread=%d", left, pools, unread);
	return left != 0 || pools != 1 || unread != 0;
}

/* Only this series' zbud has a debugfs directory to count pools by. */
static bool zswap_on_our_zbud(void)
{
	char zpool[32] = "";
	struct stat sb;

	read_line(ZSWAP_ZPOOL, zpool, sizeof(zpool));
	return !strcmp(zpool, "zbud") && !stat(ZBUD_DEBUGFS, &sb);
}

/*
 * Page out BURST_PAGES pages while zswap's pool limit is 0: once a page is
 * in the pool, a store finds it full and asks for the shrink work, and on
 * 6.1 many do while that work is still queued.  The pages compress well
 * and are not same-filled, so that they do go into the pool.  The series'
 * zswap counts one limit hit in the burst (it then keeps rejecting until
 * the pool can accept again), 6.1's one for each store that found the
 * pool full.
 */
static int full_pool_burst(void)
{
	size_t len = (size_t)BURST_PAGES * SWAP_PAGE, off;
	unsigned long long hits0 = 0, hits = 0;
	char limit[16] = "";
	char *p;
	int err;

	if (read_line(ZSWAP_MAX_POOL, limit, sizeof(limit)) ||
	    read_number(ZSWAP_LIMIT_HIT, &hits0))
		return 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		say("mmap %zu bytes: %s", len, strerror(errno));
		return 1;
	}
	for (off = 0; off < len; off += 32)
		snprintf(p + off, 32, "burst page %06zu line %04zu",
			 off / SWAP_PAGE, off % SWAP_PAGE / 32);
	err = write_file(ZSWAP_MAX_POOL, "0");
	if (!err && madvise(p, len, MADV_PAGEOUT)) {
		say("madvise(MADV_PAGEOUT): %s", strerror(errno));
		err = 1;
	}
	err |= write_file(ZSWAP_MAX_POOL, limit);
	err |= read_number(ZSWAP_LIMIT_HIT, &hits);
	munmap(p, len);
	say("burst pages=%d limit_hits=%llu", BURST_PAGES, hits - hits0);
	return err != 0;
}

/* Switch to lz4, or to lzo from lz4: zswap makes a new pool. */
static int switch_compressor(void)
{
	char now[32] = "";
	const char *to;

	read_line(ZSWAP_COMPRESSOR, now, sizeof(now));
	to = strcmp(now, "lz4") ? "lz4" : "lzo";
	if (write_file(ZSWAP_COMPRESSOR, to))
		return 1;
	read_line(ZSWAP_COMPRESSOR, now, sizeof(now));
	say("switch compressor=%s ok=%d", now, !strcmp(now, to));
	return strcmp(now, to) != 0;
}

static int teardown(void)
{
	if (!zswap_on_our_zbud()) {
		say("teardown skipped: zswap is not on this series' zbud");
		return 0;
	}
	return full_pool_burst() | switch_compressor() | swap_off();
}

/*
 * Give back every slab cache's free slabs, so that an allocation that
 * needs a slab of order 1 or more must get a new one.
 */
static void shrink_slabs(void)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(SLAB_DIR);

	if (!d) {
		say("open %s: %s", SLAB_DIR, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SLAB_DIR "/%s/shrink", de->d_name);
		write_file(path, "1");
	}
	closedir(d);
}

/*
 * zswap creates its pool from a parameter write, with a gfp mask that
 * cannot sleep in reclaim; creating a zbud pool must not need a
 * high-order page, which fragmentation can make impossible to get.
 */
static int pool_switch(void)
{
	int fail = open("/proc/self/make-it-fail", O_WRONLY);
	int comp = open(ZSWAP_COMPRESSOR, O_WRONLY);
	char now[32] = "";
	int err = 1;

	/*
	 * While this task fails high-order allocations it cannot even look
	 * a path up (names_cache objects need order 1 under KASAN), so the
	 * files are opened first and only written in between.
	 */
	if (fail >= 0 && comp >= 0 && !inject_high_orders()) {
		shrink_slabs();
		if (write(fail, "1", 1) == 1) {
			err = write(comp, "lz4", 3) != 3;
			if (err)
				say("switching to lz4: %s", strerror(errno));
			if (write(fail, "0", 1) != 1)
				say("make-it-fail stays set: %s", strerror(errno));
		}
	}
	if (fail >= 0)
		close(fail);
	if (comp >= 0)
		close(comp);
	inject_stop("poolswitch");
	read_line(ZSWAP_COMPRESSOR, now, sizeof(now));
	say("poolswitch compressor=%s ok=%d", now, !err && !strcmp(now, "lz4"));
	return err || strcmp(now, "lz4");
}

/*
 * kmemleak reports only objects older than 5 s, hence the wait, and only
 * those whose checksum did not change since the scan before, hence the
 * two scans: in the first every object counts as changed.
 */
static int leak_scan(void)
{
	char line[256];
	int leaks = 0, lines = 0;
	FILE *f;

	sleep_ms(6000);
	if (write_file(KMEMLEAK, "scan") || write_file(KMEMLEAK, "scan"))
		return 1;
	f = fopen(KMEMLEAK, "r");
	if (!f) {
		say("open %s: %s", KMEMLEAK, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		leaks += !strncmp(line, "unreferenced object", 19);
		line[strcspn(line, "\n")] = '\0';
		if (lines++ < MAX_LEAK_LINES)
			say("kmemleak: %s", line);
	}
	fclose(f);
	say("kmemleak leaks=%d", leaks);
	return leaks != 0;
}

/* Copy the file @path into the debugfs file @dst. */
static int copy_to(const char *path, const char *dst)
{
	int in = open(path, O_RDONLY), out = open(dst, O_WRONLY);
	char buf[4096];
	ssize_t n = -1;

	if (in >= 0 && out >= 0)
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, n) != n) {
				n = -1;
				break;
			}
	if (n < 0)
		say("copying %s to %s: %s", path, dst, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) && n == 0) {
		say("writing %s: %s", dst, strerror(errno));
		n = -1;
	}
	return n < 0;
}

static int replay_one(const char *name)
{
	char path[512], line[256];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), TRACE_DIR "/%s", name);
	if (copy_to(path, REPLAY_DIR "trace"))
		return 1;
	f = fopen(REPLAY_DIR "result", "r");
	if (!f) {
		say("replay of %s: %s", name, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) && ++n) {
		line[strcspn(line, "\n")] = '\0';
		say("replay trace=%s %s", name, line);
	}
	fclose(f);
	return n == 0;
}

static int is_trace(const struct dirent *de)
{
	size_t len = strlen(de->d_name);

	return len > 4 && !strcmp(de->d_name + len - 4, ".txt");
}

/* Replay every trace; the pools it made must leave no debugfs behind. */
static int replay(void)
{
	int pools = count_entries(ZBUD_DEBUGFS);
	struct dirent **names;
	int i, n, err = 0;

	n = scandir(TRACE_DIR, &names, is_trace, alphasort);
	if (n <= 0) {
		say("no traces in %s", TRACE_DIR);
		return 1;
	}
	for (i = 0; i < n; i++) {
		err |= replay_one(names[i]->d_name);
		free(names[i]);
	}
	free(names);
	pools = count_entries(ZBUD_DEBUGFS) - pools;
	say("replay pools_left=%d", pools);
	return err || pools;
}

int main(void)
{
	static char cmdline[4096];
	char *argv[MAX_ARGS] = { "/bin/workload" };
	const char *mode;
	int status;

	if (do_mount("proc", "/proc") || do_mount("sysfs", "/sys") ||
	    do_mount("devtmpfs", "/dev") ||
	    do_mount("debugfs", "/sys/kernel/debug"))
		finish(1);
	mode = parse_cmdline(cmdline, sizeof(cmdline), argv);
	say("init mode=%s", mode);

	if (!strcmp(mode, "kunit"))
		finish(0);
	if (!strcmp(mode, "workload")) {
		pid_t sampler = start_sampler();

		status = workload(argv);
		stop_child(sampler);
		finish(status | teardown());
	}
	if (!strcmp(mode, "pressure")) {
		argv[0] = "/bin/pressure";
		finish(workload(argv));
	}
	if (!strcmp(mode, "debug")) {
		status = workload(argv);
		status |= pool_switch();
		status |= swap_off();
		status |= replay();
		finish(status | leak_scan());
	}
	if (!strcmp(mode, "replay"))
		finish(replay());
	say("unknown mode '%s'", mode);
	finish(1);
}
