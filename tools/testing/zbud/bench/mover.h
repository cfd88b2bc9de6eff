/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zbud_bench's compacting pool: this series' zbud created the way zswap
 * creates it, through the zpool driver with a move callback, so that
 * zbud_free() queues compaction; and the worker side that runs the work
 * zbud queued.  mover.c is built with the harness's kernel headers; this
 * header needs none.
 */
#ifndef ZBUD_BENCH_MOVER_H
#define ZBUD_BENCH_MOVER_H

/*
 * The pool's user.  @move copies the zpage at @old to @new and makes the
 * user's reference name @new, or returns an error and leaves @new unused,
 * as zbud_ops.move does; it runs without the pool lock.
 */
struct bench_user {
	int (*move)(struct bench_user *user, unsigned long old,
		    unsigned long new);
};

/*
 * A pool of zalloc_zbud whose move callback calls @user->move, and whose
 * evict callback refuses (the bench never reclaims).  Use zalloc_zbud's
 * alloc, free, map, pool_pages, check and stat on it; destroy it with
 * mover_destroy().  NULL if it could not be created.
 */
void *mover_create(struct bench_user *user);
void mover_destroy(void *pool);

/*
 * Runs the work items queued so far in this thread, as a kworker would
 * run them, with no lock held; returns how many ran.
 */
unsigned long mover_run_work(void);

#endif /* ZBUD_BENCH_MOVER_H */
