/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spinlock_t as an error-checking pthread mutex, so that ThreadSanitizer
 * sees real locking, and a recursive lock or the unlock of a lock this
 * thread does not hold is reported (as a lock error) instead of hanging.
 * Each thread counts the locks it holds; a blocking allocation while that
 * count is not zero is what the kernel calls sleeping in atomic context.
 *
 * With HARNESS_FAST_LOCKS (for timing only) it is a plain test-and-set
 * lock without those checks, closer to a kernel spinlock's cost.
 */
#ifndef __LINUX_SPINLOCK_H
#define __LINUX_SPINLOCK_H

#include <errno.h>
#include <pthread.h>
#include <linux/compiler.h>
#include "harness.h"

#ifdef HARNESS_FAST_LOCKS
typedef struct spinlock {
	harness_lock_t raw;
} spinlock_t;

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->raw.locked = 0;
}

static inline void spin_lock(spinlock_t *lock)
{
	harness_lock(&lock->raw);
	shim_locks_held++;
}

static inline void spin_unlock(spinlock_t *lock)
{
	shim_locks_held--;
	harness_unlock(&lock->raw);
}
#else
typedef struct spinlock {
	pthread_mutex_t mutex;
} spinlock_t;

void spin_lock_init(spinlock_t *lock);

static inline void spin_lock(spinlock_t *lock)
{
	if (unlikely(pthread_mutex_lock(&lock->mutex)))
		shim_lock_error("spin_lock: recursion or bad lock");
	shim_locks_held++;
}

static inline void spin_unlock(spinlock_t *lock)
{
	if (unlikely(pthread_mutex_unlock(&lock->mutex)))
		shim_lock_error("spin_unlock: lock not held");
	shim_locks_held--;
}
#endif /* HARNESS_FAST_LOCKS */

#endif /* __LINUX_SPINLOCK_H */
