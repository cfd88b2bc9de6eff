/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Work items without kernel threads.  queue_work() only marks the work
 * pending (it may be called under a spinlock, and never runs the work
 * itself); work runs when a test calls harness_run_work(), or on the
 * worker thread that harness_workqueue_start() starts.  As in the
 * kernel, a work is queued at most once at a time, is pending again if
 * queued while it runs, never runs on two threads at once, and
 * cancel_work_sync() takes it off the queue and waits until it is not
 * running.  Work functions run with no spinlock held.
 */
#ifndef _LINUX_WORKQUEUE_H
#define _LINUX_WORKQUEUE_H

#include <linux/types.h>
#include <linux/list.h>

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
	struct list_head entry;	/* on the queue while pending */
	bool pending;
};

struct workqueue_struct;
extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;

#define INIT_WORK(work, fn) do {					\
	(work)->func = (fn);						\
	INIT_LIST_HEAD(&(work)->entry);					\
	(work)->pending = false;					\
} while (0)

/* Returns false if @work was pending already. */
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
/* Returns true if @work was pending. */
bool cancel_work_sync(struct work_struct *work);

static inline bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

/* Harness only: runs the pending works in this thread; returns how many. */
unsigned long harness_run_work(void);
/* Harness only: runs the first pending work; returns false if none. */
bool harness_run_one_work(void);
/* Harness only: works pending now. */
unsigned long harness_work_pending(void);
/*
 * Harness only, after a failed test: drops the pending works, which may
 * name a pool the test never destroyed, and the record of a work this
 * thread was running when a CHECK failed in it.  Returns true if the
 * worker thread is still on: it may be stuck in the test's work.
 */
bool harness_work_discard(void);
/* Harness only: true while this thread runs a work function. */
bool harness_in_work(void);
/* Harness only: works queued since the program started. */
unsigned long harness_work_queued(void);
/* Harness only: threads in cancel_work_sync() waiting for a running work. */
unsigned long harness_cancel_waiting(void);
/* Harness only: a worker thread runs pending works until stopped. */
void harness_workqueue_start(void);
void harness_workqueue_stop(void);

#endif /* _LINUX_WORKQUEUE_H */
