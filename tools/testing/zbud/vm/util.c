// SPDX-License-Identifier: GPL-2.0-only
/* Helpers shared by the test VM's programs; see util.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("zbudvm: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f) {
		say("open %s: %s", path, strerror(errno));
		return -1;
	}
	err = fputs(val, f) < 0;
	err |= fclose(f) != 0;	/* sysfs and debugfs report errors here */
	if (err) {
		say("write '%s' to %s: %s", val, path, strerror(errno));
		return -1;
	}
	return 0;
}

int read_number(const char *path, unsigned long long *val)
{
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%llu", val);
	fclose(f);
	return n == 1 ? 0 : -1;
}

unsigned long long read_vmstat(const char *key)
{
	unsigned long long v, found = 0;
	size_t len = strlen(key);
	char line[128];
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ' ' &&
		    sscanf(line + len, "%llu", &v) == 1)
			found = v;
	fclose(f);
	return found;
}

int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int err;

	if (!f)
		return -1;
	err = !fgets(buf, size, f);
	fclose(f);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err ? -1 : 0;
}

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned long long zswap_counter(const char *name)
{
	char path[256];
	unsigned long long v = 0;

	snprintf(path, sizeof(path), ZSWAP_DEBUGFS "%s", name);
	read_number(path, &v);
	return v;
}

void stop_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

_Static_assert(SWAP_NAME_MAX == 128, "for_each_swap() reads %127s");

int for_each_swap(int (*fn)(const char *dev, long long used, void *arg),
		  void *arg)
{
	char line[256], name[SWAP_NAME_MAX];
	long long size, used;
	FILE *f = fopen("/proc/swaps", "r");
	int ret = 0;

	if (!f)
		return -1;
	/* The heading's "Size" is no number, so it is skipped. */
	while (!ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %*s %lld %lld", name, &size, &used) == 3)
			ret = fn(name, used, arg);
	fclose(f);
	return ret;
}

int swap_on(const char *dev)
{
	int prio = SWAP_FLAG_PREFER | (SWAP_PRIO << SWAP_FLAG_PRIO_SHIFT);

	if (swapon(dev, prio)) {
		say("swapon %s: %s", dev, strerror(errno));
		return -1;
	}
	return 0;
}

int swap_setup(const char *dev)
{
	static unsigned char page[SWAP_PAGE];
	uint32_t hdr[3];
	uint64_t bytes;
	int fd;

	fd = open(dev, O_RDWR);
	if (fd < 0) {
		say("swap device %s: %s", dev, strerror(errno));
		return -1;
	}
	if (ioctl(fd, BLKGETSIZE64, &bytes)) {
		say("swap device %s: %s", dev, strerror(errno));
		close(fd);
		return -1;
	}
	hdr[0] = 1;				/* version */
	hdr[1] = bytes / SWAP_PAGE - 1;		/* last usable page */
	hdr[2] = 0;				/* no bad pages */
	memcpy(page + 1024, hdr, sizeof(hdr));
	memcpy(page + SWAP_PAGE - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, SWAP_PAGE, 0) != SWAP_PAGE || fsync(fd)) {
		say("writing swap header to %s: %s", dev, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (swap_on(dev))
		return -1;
	say("swap on %s, %llu MiB", dev, (unsigned long long)(bytes >> 20));
	return 0;
}

void dump_dir(const char *dir, const char *prefix)
{
	char path[512], name[512], val[128];
	struct dirent *de;
	struct stat sb;
	DIR *d = opendir(dir);
	FILE *f;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(name, sizeof(name), "%s.%s", prefix, de->d_name);
		if (stat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode)) {
			dump_dir(path, name);
			continue;
		}
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(val, sizeof(val), f)) {
			val[strcspn(val, "\n")] = 0;
			say("%s=%s", name, val);
		}
		fclose(f);
	}
	closedir(d);
}
