// SPDX-License-Identifier: GPL-2.0-only
/*
 * /bin/pressure: the guest side of `make pressure`, run by /init
 * (zbudvm.mode=pressure) once swap is on /dev/vda.
 *
 * First a probe times page faults that load a page from zswap and faults
 * that read it from the (throttled) swap disk, and prints both and their
 * ratio.  Then each job runs in its own cgroup v2 whose memory.max forces
 * it to swap, while a sampler prints zswap's debugfs counters,
 * /proc/vmstat's pswpin and pswpout and the swap disk's requests
 * (reads and writes completed, from its block stat) every sample_ms:
 *   compile  mounts the toolchain disk /dev/vdb (pressure/mkimage.sh)
 *            read-only on /tc, tmpfs on /tc/out and /tc/tmp, chroots
 *            there and runs make -jN in /w/obj (with /w/spawnfix.so
 *            preloaded, see spawnfix.c); then prints the sha256 of each
 *            object it built, for the host to compare;
 *   slide    /bin/workload mode=slide: a hot window that moves over a
 *            larger region, every page checked.
 * If neither the swap disk nor zswap stores or loads a page for 30
 * samples while a job runs, the sampler prints the kernel stack of each
 * blocked task ("zbudvm: stall: ...") and goes on; after 120 samples
 * it reboots the guest, which ends the run.
 *
 * Arguments, KEY=VALUE:
 *   jobs=compile,slide   which jobs, in order ("none": the probe alone)
 *   cc_mib=N    memory.max of the compile job (default 96)
 *   make_j=N    make -jN (default 4)
 *   slide_mib=N memory.max of the slide job (default 128)
 *   region=N window=N steps=N start=N seed=N   passed to the slide workload
 *   probe_mib=N pages the probe times, per kind (default 8 MiB)
 *   probe_reps=N  probe N times, report the medians (default 1, at most 9)
 *   sample_ms=N (default 1000)
 *   sched=NAME  the swap disk's I/O scheduler (default: the kernel's)
 * Output lines start with "zbudvm: "; the program exits non-zero if a
 * job failed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define PAGE		4096
#define ZSWAP_ENABLED	"/sys/module/zswap/parameters/enabled"
#define PAGE_CLUSTER	"/proc/sys/vm/page-cluster"
#define CGROOT		"/sys/fs/cgroup"
#define TC		"/tc"
#define CORPUS		"/dev/vdc"
#define SWAP_STAT	"/sys/block/vda/stat"
#define SWAP_SCHED	"/sys/block/vda/queue/scheduler"
/* Samples without swap traffic after which a job counts as stalled */
#define STALL_SAMPLES	30
/* ... and after which the guest gives up and reboots, ending the run */
#define STALL_GIVE_UP	(4 * STALL_SAMPLES)

static const char *jobs = "compile,slide";
static const char *sched;
static unsigned long cc_mib = 96, make_j = 4, slide_mib = 128;
static unsigned long region = 500, window = 200, steps = 8, seed = 1;
static unsigned long start;
static unsigned long probe_mib = 8, probe_reps = 1, sample_ms = 1000;

static int make_cgroup(const char *name, unsigned long mib);
static void enter_cgroup(const char *name);

/*
 * Requests the swap disk completed, reads plus writes, and in @writes the
 * writes: pages merged into one request count once, as they do for the
 * disk's throttle.
 */
static unsigned long long swap_requests(unsigned long long *writes)
{
	unsigned long long rd = 0, wr = 0, skip;
	FILE *f = fopen(SWAP_STAT, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu %llu %llu %llu %llu", &rd, &skip, &skip, &skip,
		   &wr) != 5)
		rd = wr = 0;
	fclose(f);
	*writes = wr;
	return rd + wr;
}

/*
 * Prints one sample line, and leaves in @traffic the pswpin, pswpout and
 * stored_pages it printed.
 */
static void sample(const char *job, double t0, unsigned long long traffic[3])
{
	static const char *const rejects[] = {
		"reject_compress_poor", "reject_alloc_fail",
		"reject_kmemcache_fail", "reject_reclaim_fail", NULL };
	unsigned long long rej = 0, requests, writes = 0;
	int i;

	for (i = 0; rejects[i]; i++)
		rej += zswap_counter(rejects[i]);
	requests = swap_requests(&writes);
	traffic[0] = read_vmstat("pswpin");
	traffic[1] = read_vmstat("pswpout");
	traffic[2] = zswap_counter("stored_pages");
	say("sample job=%s t=%.1f pool_bytes=%llu stored=%llu pswpin=%llu pswpout=%llu swap_requests=%llu swap_writes=%llu written_back=%llu pool_limit_hit=%llu rejects=%llu",
	    job, now() - t0, zswap_counter("pool_total_size"), traffic[2],
	    traffic[0], traffic[1], requests, writes,
	    zswap_counter("written_back_pages"),
	    zswap_counter("pool_limit_hit"), rej);
}

/*
 * Prints the kernel stack of each task in uninterruptible sleep
 * (/proc/PID/stack, which needs CONFIG_STACKTRACE and root).
 */
static void show_blocked(void)
{
	DIR *dir = opendir("/proc");
	char path[64], line[512], *comm, *end;
	struct dirent *de;
	unsigned long pid;
	FILE *f;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		pid = strtoul(de->d_name, &end, 10);
		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
		if (read_line(path, line, sizeof(line)))
			continue;
		/* pid (comm) state ...: comm may hold spaces and parens */
		comm = strchr(line, '(');
		end = strrchr(line, ')');
		if (!comm || !end || end < comm || strncmp(end, ") D", 3))
			continue;
		*end = '\0';
		say("stall: pid %lu (%s) is blocked in:", pid, comm + 1);
		snprintf(path, sizeof(path), "/proc/%lu/stack", pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			say("stall:   %s", line);
		}
		if (f)
			fclose(f);
	}
	closedir(dir);
}

/*
 * Samples the job's counters until killed.  When pswpin, pswpout and
 * zswap's stored_pages have all stood still for STALL_SAMPLES samples in
 * a row, which no run that finished has come near (4 at most), the job
 * is most likely stuck: show where its blocked tasks wait, once per
 * stall, so that the console log says what a hung guest was doing.  If
 * it is still stuck STALL_GIVE_UP samples in, reboot, which ends QEMU
 * (-no-reboot) and fails the run at once instead of at its timeout.
 */
static pid_t start_sampler(const char *job, double t0)
{
	unsigned long long now[3], last[3] = { 0 };
	unsigned int still = 0;
	pid_t pid = fork();

	if (pid)
		return pid;
	for (;;) {
		sample(job, t0, now);
		still = memcmp(now, last, sizeof(now)) ? 0 : still + 1;
		memcpy(last, now, sizeof(now));
		if (still == STALL_SAMPLES) {
			say("stall: job=%s no swap traffic for %u samples",
			    job, still);
			show_blocked();
		}
		if (still == STALL_GIVE_UP) {
			say("stall: job=%s still stuck, rebooting", job);
			reboot(RB_AUTOBOOT);
		}
		sleep_ms(sample_ms);
	}
}

/*
 * Reclaim what cgroup @name holds; memory.reclaim says EAGAIN when it
 * got less than asked, which is expected here.
 */
static void reclaim_all(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), CGROOT "/%s/memory.reclaim", name);
	fd = open(path, O_WRONLY);
	if (fd < 0 || (write(fd, "1G", 2) < 0 && errno != EAGAIN))
		say("reclaim in %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* splitmix64, as in workload.c. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @n sorted values: the mean of the middle two if @n is even. */
static double median(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Fill @n pages with corpus data, page them out, then fault them back
 * in a random order; return the mean fault time in microseconds.  The
 * mean, not the median: QEMU's throttle lets requests through in bursts,
 * so most reads are quick and a few wait long.
 */
static double time_faults(int corpus, size_t n, const char *kind)
{
	unsigned char *mem = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double *t = calloc(n, sizeof(*t)), sum = 0;
	uint32_t *order = calloc(n, sizeof(*order));
	unsigned long long in0, out0;
	volatile unsigned char sink;
	size_t i, j, k;
	uint32_t x;

	if (mem == MAP_FAILED || !t || !order) {
		say("probe: no memory");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		if (pread(corpus, mem + i * PAGE, PAGE,
			  (off_t)(mix(seed + i) % 4096) * PAGE) != PAGE)
			memset(mem + i * PAGE, (int)i, PAGE / 2);
		mem[i * PAGE] = (unsigned char)i;	/* never all same */
		order[i] = i;
	}
	for (i = n - 1; i > 0; i--) {
		j = mix(seed ^ i) % (i + 1);
		x = order[i];
		order[i] = order[j];
		order[j] = x;
	}
	out0 = read_vmstat("pswpout");
	if (madvise(mem, n * PAGE, MADV_PAGEOUT))
		say("probe: madvise(MADV_PAGEOUT): %s", strerror(errno));
	/*
	 * A page written to the disk stays in the swap cache, where a fault
	 * would find it: once the writes are done, reclaim it.
	 */
	sync();
	sleep_ms(1000);
	reclaim_all("probe");
	in0 = read_vmstat("pswpin");
	for (i = 0; i < n; i++) {
		double t1 = now();

		k = order[i];
		sink = mem[k * PAGE + 1];
		t[i] = (now() - t1) * 1e6;
		sum += t[i];
	}
	(void)sink;
	qsort(t, n, sizeof(*t), cmp_double);
	say("probe kind=%s pages=%zu mean_us=%.1f median_us=%.1f p10_us=%.1f p90_us=%.1f pswpout=%llu pswpin=%llu",
	    kind, n, sum / n, median(t, n), t[n / 10], t[n * 9 / 10],
	    read_vmstat("pswpout") - out0, read_vmstat("pswpin") - in0);
	munmap(mem, n * PAGE);
	free(t);
	free(order);
	return sum / n;
}

/*
 * The cost of a fault that loads from zswap against one that reads the
 * swap disk: the same pages, paged out with zswap on and then off, one
 * page per read (page-cluster 0) for the time of the probe.  Returns
 * non-zero if zswap or the cgroup could not be set back: the jobs after
 * it would not measure what they should.
 */
static int probe(void)
{
	int err = 0;

	size_t n = probe_mib << 8;
	char cluster[16] = "3";
	double z[9], d[9], zm, dm;
	unsigned long r, reps = probe_reps < 1 ? 1 :
				probe_reps > 9 ? 9 : probe_reps;
	int corpus = open(CORPUS, O_RDONLY);

	if (make_cgroup("probe", 1024))
		return 1;
	enter_cgroup("probe");
	read_line(PAGE_CLUSTER, cluster, sizeof(cluster));
	err |= write_file(PAGE_CLUSTER, "0") != 0;
	for (r = 0; r < reps; r++) {
		z[r] = time_faults(corpus, n, "zswap");
		err |= write_file(ZSWAP_ENABLED, "N") != 0;
		d[r] = time_faults(corpus, n, "disk");
		err |= write_file(ZSWAP_ENABLED, "Y") != 0;
	}
	err |= write_file(PAGE_CLUSTER, cluster) != 0;
	if (corpus >= 0)
		close(corpus);
	qsort(z, reps, sizeof(z[0]), cmp_double);
	qsort(d, reps, sizeof(d[0]), cmp_double);
	zm = median(z, reps);
	dm = median(d, reps);
	say("probe zswap_load_us=%.1f swap_read_us=%.1f ratio=%.1f reps=%lu",
	    zm, dm, zm > 0 ? dm / zm : 0, reps);
	err |= write_file(CGROOT "/cgroup.procs", "0") != 0;
	return err;
}

static int mount_at(const char *src, const char *dir, const char *type,
		    unsigned long flags)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, flags, NULL) && errno != EBUSY) {
		say("mount %s on %s: %s", type, dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Make cgroup @name with memory.max @mib MiB; returns 0 or -1. */
static int make_cgroup(const char *name, unsigned long mib)
{
	char path[256], val[32];

	snprintf(path, sizeof(path), CGROOT "/%s", name);
	if (mkdir(path, 0755) && errno != EEXIST) {
		say("mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), CGROOT "/%s/memory.max", name);
	snprintf(val, sizeof(val), "%lu", mib << 20);
	return write_file(path, val);
}

static void enter_cgroup(const char *name)
{
	char path[256], pid[32];

	snprintf(path, sizeof(path), CGROOT "/%s/cgroup.procs", name);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file(path, pid))
		exit(126);
}

/* Print each line of the cgroup file @file of job @name. */
static void print_cgroup_file(const char *name, const char *file)
{
	char path[256], line[128];
	FILE *f;

	snprintf(path, sizeof(path), CGROOT "/%s/%s", name, file);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		say("cgroup job=%s %s", name, strtok(line, "\n"));
	if (f)
		fclose(f);
}

/*
 * The guest's CPU time so far, in USER_HZ ticks, from /proc/stat: user
 * (nice included), system (irq and softirq included), idle and iowait.
 * Unlike the job's cpu.stat it counts the kworkers that write back and
 * compact for zswap.
 */
struct cpu_ticks {
	unsigned long long user, system, idle, iowait;
};

static void read_cpu_ticks(struct cpu_ticks *t)
{
	unsigned long long v[7] = { 0 };
	char line[256];

	if (read_line("/proc/stat", line, sizeof(line)) ||
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		say("cannot read the cpu line of /proc/stat");
	t->user = v[0] + v[1];
	t->system = v[2] + v[5] + v[6];
	t->idle = v[3];
	t->iowait = v[4];
}

static void print_cpu_ticks(const char *job, const struct cpu_ticks *t0)
{
	long hz = sysconf(_SC_CLK_TCK);
	struct cpu_ticks t;

	read_cpu_ticks(&t);
	say("cpu job=%s user_s=%.2f system_s=%.2f idle_s=%.2f iowait_s=%.2f",
	    job, (double)(t.user - t0->user) / hz,
	    (double)(t.system - t0->system) / hz,
	    (double)(t.idle - t0->idle) / hz,
	    (double)(t.iowait - t0->iowait) / hz);
}

/*
 * Run @argv in cgroup @job, chrooted to @root if not NULL, with the
 * sampler running; print the job's wall time and status.
 */
static int run_job(const char *job, const char *root, char *const argv[],
		   char *const envp[])
{
	double t0 = now();
	unsigned long long traffic[3];
	struct cpu_ticks ticks;
	pid_t sampler, pid;
	int status;

	read_cpu_ticks(&ticks);
	sampler = start_sampler(job, t0);
	pid = fork();
	if (pid == 0) {
		enter_cgroup(job);
		if (root && (chroot(root) || chdir("/w/obj"))) {
			say("chroot %s: %s", root, strerror(errno));
			_exit(126);
		}
		execve(argv[0], argv, envp);
		say("exec %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		say("job %s: %s", job, strerror(errno));
		stop_child(sampler);
		return -1;
	}
	stop_child(sampler);
	sample(job, t0, traffic);
	status = WIFEXITED(status) ? WEXITSTATUS(status) :
		 128 + WTERMSIG(status);
	say("job name=%s status=%d seconds=%.1f", job, status, now() - t0);
	print_cpu_ticks(job, &ticks);
	print_cgroup_file(job, "memory.events");
	print_cgroup_file(job, "cpu.stat");
	return status;
}

/* Print "obj SUM NAME" for each object the compile job built. */
static int checksums(void)
{
	char line[512];
	int fd[2], n = 0, status;
	pid_t pid;
	FILE *f;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		if (chroot(TC) || chdir("/out"))
			_exit(126);
		/* The names come from the reference list: a missing object
		 * shows up as a line short. */
		execl("/bin/sh", "sh", "-c",
		      "cut -c67- /w/ref.sha256 2>/dev/null | "
		      "while read -r o; do "
		      "[ -f \"$o\" ] && sha256sum \"$o\"; done", NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		say("obj %s", strtok(line, "\n"));
		n++;
	}
	if (f)
		fclose(f);
	waitpid(pid, &status, 0);
	say("objects built=%d", n);
	return 0;
}

static int compile(void)
{
	char jarg[32];
	char *argv[] = { "/usr/bin/make", "-s", jarg, "OUT=/out", NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", "TMPDIR=/tmp", "LC_ALL=C",
			 "LD_PRELOAD=/w/spawnfix.so", NULL };
	int err;

	snprintf(jarg, sizeof(jarg), "-j%lu", make_j);
	if (mount_at("/dev/vdb", TC, "ext2", MS_RDONLY) ||
	    mount_at("tmpfs", TC "/out", "tmpfs", 0) ||
	    mount_at("tmpfs", TC "/tmp", "tmpfs", 0) ||
	    mount_at("proc", TC "/proc", "proc", 0) ||
	    mount_at("devtmpfs", TC "/dev", "devtmpfs", 0) ||
	    make_cgroup("compile", cc_mib))
		return -1;
	err = run_job("compile", TC, argv, envp);
	checksums();
	return err;
}

static int slide(void)
{
	char *envp[] = { "PATH=/bin", NULL };
	char a[5][32];
	char *argv[] = { "/bin/workload", "mode=slide", a[0], a[1], a[2],
			 a[3], a[4], "corpus=" CORPUS, NULL };

	snprintf(a[0], sizeof(a[0]), "fill=%lu", region);
	snprintf(a[1], sizeof(a[1]), "window=%lu", window);
	snprintf(a[2], sizeof(a[2]), "steps=%lu", steps);
	snprintf(a[3], sizeof(a[3]), "seed=%lu", seed);
	snprintf(a[4], sizeof(a[4]), "start=%lu", start);
	if (make_cgroup("slide", slide_mib))
		return -1;
	return run_job("slide", NULL, argv, envp);
}

static void parse_args(int argc, char **argv)
{
	static const struct {
		const char *key;
		unsigned long *val;
	} knobs[] = {
		{ "cc_mib=", &cc_mib }, { "make_j=", &make_j },
		{ "slide_mib=", &slide_mib }, { "region=", &region },
		{ "window=", &window }, { "steps=", &steps },
		{ "start=", &start },
		{ "seed=", &seed }, { "probe_mib=", &probe_mib },
		{ "probe_reps=", &probe_reps },
		{ "sample_ms=", &sample_ms },
	};
	size_t k, len;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "jobs=", 5)) {
			jobs = argv[i] + 5;
			continue;
		}
		if (!strncmp(argv[i], "sched=", 6)) {
			sched = argv[i] + 6;
			continue;
		}
		for (k = 0; k < sizeof(knobs) / sizeof(knobs[0]); k++) {
			len = strlen(knobs[k].key);
			if (!strncmp(argv[i], knobs[k].key, len)) {
				*knobs[k].val = strtoul(argv[i] + len, NULL, 0);
				break;
			}
		}
		if (k == sizeof(knobs) / sizeof(knobs[0]))
			say("ignoring unknown argument '%s'", argv[i]);
	}
}

/*
 * The scheduler decides whether writes queued apart (zswap's writeback)
 * can still merge: "none", the default for a multi-queue disk such as
 * this one or an NVMe drive, merges only with the last request queued.
 */
static int set_scheduler(void)
{
	char line[128];

	if (sched && write_file(SWAP_SCHED, sched))
		return -1;
	if (read_line(SWAP_SCHED, line, sizeof(line)))
		return -1;
	say("swap disk scheduler: %s", line);
	return 0;
}

int main(int argc, char **argv)
{
	char *list, *job, *pos;
	int err = 0;

	parse_args(argc, argv);
	/* run.sh checks that a row's zswap parameters took. */
	dump_dir("/sys/module/zswap/parameters", "param");
	if (mount_at("cgroup2", CGROOT, "cgroup2", 0) ||
	    write_file(CGROOT "/cgroup.subtree_control", "+memory") ||
	    set_scheduler())
		return 1;
	if (probe_mib)
		err |= probe();
	list = strdup(jobs);
	/* strtok_r: the jobs themselves use strtok(). */
	for (job = strtok_r(list, ",", &pos); job;
	     job = strtok_r(NULL, ",", &pos)) {
		if (!strcmp(job, "compile")) {
			err |= compile() != 0;
		} else if (!strcmp(job, "slide")) {
			err |= slide() != 0;
		} else if (strcmp(job, "none")) {
			say("unknown job '%s'", job);
			err = 1;
		}
	}
	free(list);
	say("pressure done status=%d", err);
	return err;
}
