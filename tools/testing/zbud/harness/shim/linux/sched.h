/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cond_resched_lock() as the kernel may take it at any call: it drops
 * the lock, lets other threads run and takes the lock again, so that a
 * caller that trusts state from before the call is caught.
 *
 * With HARNESS_FAST_LOCKS (for timing only, as in zbud_bench) both behave
 * as the kernel's do when no task waits for the CPU or the lock: they
 * return 0 and keep the lock.  A system call per compaction move would
 * otherwise be most of what the bench times.
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <sched.h>
#include <linux/spinlock.h>

#ifdef HARNESS_FAST_LOCKS
static inline int cond_resched_lock(spinlock_t *lock)
{
	return 0;
}

static inline int cond_resched(void)
{
	return 0;
}
#else
static inline int cond_resched_lock(spinlock_t *lock)
{
	spin_unlock(lock);
	sched_yield();
	spin_lock(lock);
	return 1;
}

static inline int cond_resched(void)
{
	sched_yield();
	return 1;
}
#endif /* HARNESS_FAST_LOCKS */

#endif /* _LINUX_SCHED_H */
