// SPDX-License-Identifier: GPL-2.0-only
/*
 * /init of the zbud test VM.
 *
 * It mounts the pseudo filesystems, and then acts on zbudvm.mode= from
 * the kernel command line:
 *   kunit     nothing to do: built-in KUnit has already run, so reboot;
 *   workload  turn /dev/vda into swap and run /bin/workload, passing
 *             every other zbudvm.KEY=VALUE to it as KEY=VALUE.
 * Userspace lines start with "zbudvm: " so the host can find them.  The
 * guest has no ACPI power-off; it reboots and QEMU runs with -no-reboot.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define SWAP_DEV	"/dev/vda"
#define SWAP_PAGE	4096
#define MAX_ARGS	32

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("zbudvm: ");
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	va_end(ap);
}

/* Never return: a dead init would panic the guest and hide the cause. */
static void finish(int status)
{
	say("init done status=%d", status);
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

/* Write a version 1 swap header, as mkswap(8) does, and enable swap. */
static int setup_swap(const char *dev)
{
	static unsigned char page[SWAP_PAGE];
	uint32_t hdr[3];
	uint64_t bytes;
	int fd;

	fd = open(dev, O_RDWR);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		say("swap device %s: %s", dev, strerror(errno));
		return -1;
	}
	hdr[0] = 1;				/* version */
	hdr[1] = bytes / SWAP_PAGE - 1;		/* last usable page */
	hdr[2] = 0;				/* no bad pages */
	memcpy(page + 1024, hdr, sizeof(hdr));
	memcpy(page + SWAP_PAGE - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, SWAP_PAGE, 0) != SWAP_PAGE || fsync(fd)) {
		say("writing swap header to %s: %s", dev, strerror(errno));
		return -1;
	}
	close(fd);
	if (swapon(dev, 0)) {
		say("swapon %s: %s", dev, strerror(errno));
		return -1;
	}
	say("swap on %s, %llu MiB", dev, (unsigned long long)(bytes >> 20));
	return 0;
}

/* Split /proc/cmdline into the mode and the workload's arguments. */
static const char *parse_cmdline(char *buf, size_t len, char **argv)
{
	const char *mode = "";
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
	}
	argv[argc] = NULL;
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

int main(void)
{
	static char cmdline[4096];
	char *argv[MAX_ARGS] = { "/bin/workload" };
	const char *mode;

	if (do_mount("proc", "/proc") || do_mount("sysfs", "/sys") ||
	    do_mount("devtmpfs", "/dev") ||
	    do_mount("debugfs", "/sys/kernel/debug"))
		finish(1);
	mode = parse_cmdline(cmdline, sizeof(cmdline), argv);
	say("init mode=%s", mode);

	if (!strcmp(mode, "kunit"))
		finish(0);
	if (!strcmp(mode, "workload")) {
		if (setup_swap(SWAP_DEV))
			finish(1);
		finish(run(argv) ? 1 : 0);
	}
	say("unknown mode '%s'", mode);
	finish(1);
}
