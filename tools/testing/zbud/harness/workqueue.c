// SPDX-License-Identifier: GPL-2.0-only
/*
 * The work items of shim/linux/workqueue.h: one queue for every
 * workqueue, run by harness_run_work() in the calling thread or by the
 * worker thread of harness_workqueue_start().
 */
#include <pthread.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include "harness.h"

struct workqueue_struct {
	const char *name;
};

static struct workqueue_struct system_wq_struct = { "events" };
static struct workqueue_struct unbound_wq_struct = { "events_unbound" };
struct workqueue_struct *system_wq = &system_wq_struct;
struct workqueue_struct *system_unbound_wq = &unbound_wq_struct;

/* A work a thread is running now, on that thread's stack. */
struct running {
	struct work_struct *work;
	pthread_t owner;
	struct list_head entry;
};

static pthread_mutex_t wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_cond = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(wq_pending);
static LIST_HEAD(wq_running);
static unsigned long wq_pending_nr, wq_queued_nr, wq_cancel_waiting_nr;
static pthread_t wq_worker;
static bool wq_worker_on, wq_worker_stop;
static __thread bool wq_in_work;

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	bool queued = false;

	pthread_mutex_lock(&wq_lock);
	if (!work->pending) {
		work->pending = true;
		list_add_tail(&work->entry, &wq_pending);
		__atomic_add_fetch(&wq_pending_nr, 1, __ATOMIC_RELEASE);
		wq_queued_nr++;
		queued = true;
		pthread_cond_broadcast(&wq_cond);
	}
	pthread_mutex_unlock(&wq_lock);
	return queued;
}

static bool work_running(struct work_struct *work)
{
	struct running *r;

	list_for_each_entry(r, &wq_running, entry)
		if (r->work == work)
			return true;
	return false;
}

static void work_dequeue(struct work_struct *work)
{
	list_del_init(&work->entry);
	work->pending = false;
	__atomic_sub_fetch(&wq_pending_nr, 1, __ATOMIC_RELAXED);
}

/*
 * As in the kernel, the work stays marked pending, but off the queue,
 * while cancel_work_sync() waits for it: a running instance that queues
 * it again is refused, so that it is idle for good once this returns.
 */
bool cancel_work_sync(struct work_struct *work)
{
	bool was_pending;

	pthread_mutex_lock(&wq_lock);
	was_pending = work->pending && !list_empty(&work->entry);
	if (was_pending)
		work_dequeue(work);
	work->pending = true;
	if (work_running(work)) {
		wq_cancel_waiting_nr++;
		do
			pthread_cond_wait(&wq_cond, &wq_lock);
		while (work_running(work));
		wq_cancel_waiting_nr--;
	}
	work->pending = false;
	pthread_mutex_unlock(&wq_lock);
	return was_pending;
}

/*
 * Takes the first pending work that no thread runs now and runs it,
 * unlocked; returns false if there was none.  Called with wq_lock held.
 * After the work function returns, @work may have been freed: only
 * the running record, which is ours, is touched.
 */
static bool run_one(void)
{
	struct running r;
	struct work_struct *work;
	int held = shim_locks_held;

	list_for_each_entry(work, &wq_pending, entry) {
		if (work_running(work))
			continue;
		work_dequeue(work);
		r.work = work;
		r.owner = pthread_self();
		list_add(&r.entry, &wq_running);
		pthread_mutex_unlock(&wq_lock);
		if (held)
			shim_lock_error("work run with a spinlock held");
		wq_in_work = true;
		work->func(work);
		wq_in_work = false;
		if (shim_locks_held != held)
			shim_lock_error("work function left a spinlock held");
		pthread_mutex_lock(&wq_lock);
		list_del(&r.entry);
		pthread_cond_broadcast(&wq_cond);
		return true;
	}
	return false;
}

/*
 * The unlocked look first: zbud_bench calls this after every free, and a
 * kernel pays nothing when no work was queued.  A work queued by another
 * thread meanwhile is left for the next call.
 */
unsigned long harness_run_work(void)
{
	unsigned long n = 0;

	if (!__atomic_load_n(&wq_pending_nr, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&wq_lock);
	while (run_one())
		n++;
	pthread_mutex_unlock(&wq_lock);
	return n;
}

bool harness_run_one_work(void)
{
	bool ran;

	pthread_mutex_lock(&wq_lock);
	ran = run_one();
	pthread_mutex_unlock(&wq_lock);
	return ran;
}

static unsigned long wq_read(const unsigned long *counter)
{
	unsigned long n;

	pthread_mutex_lock(&wq_lock);
	n = *counter;
	pthread_mutex_unlock(&wq_lock);
	return n;
}

bool harness_in_work(void)
{
	return wq_in_work;
}

unsigned long harness_work_pending(void)
{
	return wq_read(&wq_pending_nr);
}

unsigned long harness_work_queued(void)
{
	return wq_read(&wq_queued_nr);
}

unsigned long harness_cancel_waiting(void)
{
	return wq_read(&wq_cancel_waiting_nr);
}

bool harness_work_discard(void)
{
	struct work_struct *work, *next;
	struct running *r, *rnext;
	bool worker_on;

	pthread_mutex_lock(&wq_lock);
	/* A CHECK that failed in a work function longjmp()ed past its end. */
	list_for_each_entry_safe(r, rnext, &wq_running, entry)
		if (pthread_equal(r->owner, pthread_self()))
			list_del(&r->entry);
	list_for_each_entry_safe(work, next, &wq_pending, entry)
		if (!work_running(work))
			work_dequeue(work);
	pthread_cond_broadcast(&wq_cond);
	worker_on = wq_worker_on;
	pthread_mutex_unlock(&wq_lock);
	return worker_on;
}

static void *worker(void *arg)
{
	pthread_mutex_lock(&wq_lock);
	while (!wq_worker_stop) {
		if (!run_one())
			pthread_cond_wait(&wq_cond, &wq_lock);
	}
	pthread_mutex_unlock(&wq_lock);
	return NULL;
}

void harness_workqueue_start(void)
{
	pthread_mutex_lock(&wq_lock);
	if (wq_worker_on)
		shim_lock_error("harness_workqueue_start: already started");
	wq_worker_on = true;
	wq_worker_stop = false;
	pthread_mutex_unlock(&wq_lock);
	if (pthread_create(&wq_worker, NULL, worker, NULL))
		shim_lock_error("harness_workqueue_start: no thread");
}

/* Stops the worker once it is idle; works still pending stay pending. */
void harness_workqueue_stop(void)
{
	pthread_mutex_lock(&wq_lock);
	wq_worker_stop = true;
	pthread_cond_broadcast(&wq_cond);
	pthread_mutex_unlock(&wq_lock);
	pthread_join(wq_worker, NULL);
	wq_worker_on = false;
}
