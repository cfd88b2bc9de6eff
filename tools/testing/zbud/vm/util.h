/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the test VM's /init, /bin/workload and the pressure
 * guest (pressure/guest.c).  Every line they print starts with "zbudvm: "
 * so that the host can find it in the console log.
 */
#ifndef ZBUDVM_UTIL_H
#define ZBUDVM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ZSWAP_DEBUGFS	"/sys/kernel/debug/zswap/"
#define SWAP_PAGE	4096
/* Every swap device gets it, so that swap pages go to each in turn. */
#define SWAP_PRIO	1
#define SWAP_NAME_MAX	128	/* a device name in /proc/swaps, with its NUL */

void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write @val to the file @path; say why and return -1 if that fails. */
int write_file(const char *path, const char *val);

/* Read the first number in the file @path into @val; 0 or -1. */
int read_number(const char *path, unsigned long long *val);

/* The counter @key of /proc/vmstat ("pswpin", say); 0 if it is not there. */
unsigned long long read_vmstat(const char *key);

/* Read the first line of @path, without its newline, into @buf. */
int read_line(const char *path, char *buf, size_t size);

/* Sleep @ms milliseconds. */
void sleep_ms(unsigned int ms);

/* Seconds on the monotonic clock. */
double now(void);

/* zswap's debugfs counter @name ("stored_pages", say); 0 if unreadable. */
unsigned long long zswap_counter(const char *name);

/*
 * Call @fn with each swap device that /proc/swaps lists and the KiB in use
 * on it, until @fn returns non-zero; return that, or -1 if /proc/swaps
 * cannot be read.  @dev holds fewer than SWAP_NAME_MAX bytes and lives
 * only for the call.
 */
int for_each_swap(int (*fn)(const char *dev, long long used, void *arg),
		  void *arg);

/* Enable swap on @dev, whose header is written, at SWAP_PRIO; 0 or -1. */
int swap_on(const char *dev);

/* Write a version 1 swap header on @dev, as mkswap(8) does, and enable it. */
int swap_setup(const char *dev);

/*
 * Print "@prefix.NAME=VALUE" for each one-line file NAME in @dir, and
 * recurse into its directories.
 */
void dump_dir(const char *dir, const char *prefix);

/* Kill the child @pid, if there is one (@pid > 0), and reap it. */
void stop_child(pid_t pid);

#endif /* ZBUDVM_UTIL_H */
