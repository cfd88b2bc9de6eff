/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reliability run's extras for the workload: page-allocation
 * failures injected into the workload's own non-sleeping allocations
 * (which include zswap's stores into the zpool), and a child process that
 * compacts memory, reads /proc/kpageflags and /proc/kpagecount across
 * every pfn while the pool holds pages, and turns a second swap device
 * off and on.
 */
#ifndef ZBUDVM_STRESS_H
#define ZBUDVM_STRESS_H

/* Fail @percent of this task's allocations that fail_page_alloc covers. */
int inject_start(unsigned int percent);
/*
 * Set up failing every allocation above order 0, sleeping or not, of a
 * task that writes 1 to /proc/self/make-it-fail; the caller does that.
 */
int inject_high_orders(void);
/* Stop injecting; report "inject WHAT failures=N". */
void inject_stop(const char *what);

/*
 * Start the compaction and pfn-walk child; if @swap2 is not NULL, it also
 * turns that swap device off and on again each round, and off at the end.
 */
int stress_start(const char *swap2);
/* Stop it; it reports "stress walks=N ...". */
void stress_stop(void);

#endif /* ZBUDVM_STRESS_H */
