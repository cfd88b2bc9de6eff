// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud_bench's compacting pool, see mover.h.  zswap creates its pool with
 * zpool_create_pool(), which calls the driver's create with zswap's
 * zpool_ops; zbud takes the move callback from there.  The zpool pointer
 * zbud hands back to the callbacks is the bench's user: nothing else
 * reads it.  Built with the harness's flags, for struct zpool_ops and the
 * work queue of the shims.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/workqueue.h>
#include <linux/zpool.h>
#include "zalloc.h"
#include "mover.h"

static int mover_evict(struct zpool *zpool, unsigned long handle)
{
	return -EBUSY;
}

static int mover_move(struct zpool *zpool, unsigned long old,
		      unsigned long new)
{
	struct bench_user *user = (struct bench_user *)zpool;

	return user->move(user, old, new);
}

static const struct zpool_ops mover_ops = {
	.evict = mover_evict,
	.move = mover_move,
};

void *mover_create(struct bench_user *user)
{
	struct zpool_driver *driver = zalloc_zbud.zpool_driver;

	return driver->create(NULL, GFP_KERNEL, &mover_ops,
			      (struct zpool *)user);
}

void mover_destroy(void *pool)
{
	zalloc_zbud.zpool_driver->destroy(pool);
}

unsigned long mover_run_work(void)
{
	return harness_run_work();
}
