/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cond_resched_lock() as the kernel may take it at any call: it drops
 * the lock, lets other threads run and takes the lock again, so that a
 * caller that trusts state from before the call is caught.
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <sched.h>
#include <linux/spinlock.h>

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

#endif /* _LINUX_SCHED_H */
