// SPDX-License-Identifier: GPL-2.0-only
/*
 * zbud_replay - replay a trace of compressed page sizes into each zpool
 *
 * Test scaffolding for tools/testing/zbud, not part of the zbud series:
 * the VM pipeline copies this file into its test kernel as built-in code,
 * because 6.1 does not export zpool_create_pool() to modules.
 *
 * Write a trace, one compressed size per line with '#' comments, to
 * /sys/kernel/debug/zbud_replay/trace.  Opening .../result replays it into
 * every zpool type the kernel has, one after the other, and reading it
 * returns one line per type:
 *
 *	<type> stored=N rejected=N pages=N density_x1000=N alloc_ns=N free_ns=N
 *		corrupt=N
 *
 * zbud_replay.only=<type> on the kernel command line limits the replay to
 * that one type.
 *
 * The replay follows zswap and tools/testing/zbud/zbud_bench: an object is
 * the size plus zswap's 8-byte header on evictable pools (zsmalloc is not
 * evictable in 6.1, so it gets none).  The first half of the trace fills
 * the pool; for each later size a uniformly random live object is freed
 * first.  A size that any type refuses is skipped for all of them, so all
 * store the same objects.  Each object is filled with a pattern of its
 * own when stored and checked when freed; corrupt= counts those that came
 * back changed.  Timings, of zpool_malloc() and zpool_free() alone, are
 * for ratios within one boot.
 */

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_buf.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/zpool.h>

#define REPLAY_HDR	8
#define REPLAY_MAX	(PAGE_SIZE + 2 * REPLAY_HDR)
#define REPLAY_SEED	0x2545f4914f6cdd1dULL

static const char * const replay_types[] = { "zbud", "z3fold", "zsmalloc" };

static char *replay_only;
module_param_named(only, replay_only, charp, 0444);
MODULE_PARM_DESC(only, "replay into this zpool type alone");

/* A live object: its handle, length and the seed of its pattern. */
struct replay_obj {
	unsigned long handle;
	unsigned int len;
	u32 seed;
};

struct replay_result {
	unsigned long stored;
	unsigned long corrupt;
	unsigned long rejected;
	u64 pages;
	u64 alloc_ns;
	u64 free_ns;
	unsigned long allocs;
	unsigned long frees;
};

static DEFINE_MUTEX(replay_lock);
static unsigned int *replay_sizes;
static size_t replay_len, replay_cap;
static char replay_line[16];
static size_t replay_line_len;
static bool replay_bad_input;

static int replay_evict(struct zpool *pool, unsigned long handle)
{
	return -EBUSY;	/* never asked: the replay does not shrink */
}

static const struct zpool_ops replay_zpool_ops = {
	.evict = replay_evict,
};

static u64 replay_rand(u64 *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

static int replay_push(unsigned int size)
{
	unsigned int *grown;

	if (replay_len == replay_cap) {
		replay_cap = max_t(size_t, 4096, 2 * replay_cap);
		grown = kvrealloc(replay_sizes, replay_len * sizeof(*grown),
				  replay_cap * sizeof(*grown), GFP_KERNEL);
		if (!grown)
			return -ENOMEM;
		replay_sizes = grown;
	}
	replay_sizes[replay_len++] = size;
	return 0;
}

static int replay_end_line(void)
{
	unsigned int size;
	int err = 0;

	replay_line[replay_line_len] = '\0';
	if (replay_line_len && replay_line[0] != '#') {
		if (kstrtouint(strim(replay_line), 10, &size) ||
		    size > REPLAY_MAX)
			replay_bad_input = true;
		else
			err = replay_push(size);
	}
	replay_line_len = 0;
	return err;
}

static int replay_take_char(char c)
{
	if (c == '\n')
		return replay_end_line();
	if (replay_line_len < sizeof(replay_line) - 1)
		replay_line[replay_line_len++] = c;
	else if (replay_line[0] != '#')
		replay_bad_input = true;
	return 0;
}

static ssize_t trace_write(struct file *file, const char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	char buf[256];
	size_t done, i, n;
	int err = 0;

	mutex_lock(&replay_lock);
	for (done = 0; done < count && !err; done += n) {
		n = min(count - done, sizeof(buf));
		if (copy_from_user(buf, ubuf + done, n)) {
			err = -EFAULT;
			break;
		}
		for (i = 0; i < n && !err; i++)
			err = replay_take_char(buf[i]);
	}
	mutex_unlock(&replay_lock);
	return err ? err : count;
}

static int trace_open(struct inode *inode, struct file *file)
{
	mutex_lock(&replay_lock);
	replay_len = 0;
	replay_line_len = 0;
	replay_bad_input = false;
	mutex_unlock(&replay_lock);
	return 0;
}

static int trace_release(struct inode *inode, struct file *file)
{
	mutex_lock(&replay_lock);
	if (replay_line_len)
		replay_end_line();
	mutex_unlock(&replay_lock);
	return 0;
}

static struct zpool *replay_pool(const char *type)
{
	return zpool_create_pool(type, "zbud_replay", GFP_KERNEL,
				 &replay_zpool_ops);
}

static size_t replay_obj(struct zpool *pool, unsigned int size)
{
	return size + (zpool_evictable(pool) ? REPLAY_HDR : 0);
}

/* Marks in @refused each trace size that @type will not store. */
static int replay_probe(const char *type, unsigned long *refused)
{
	struct zpool *pool = replay_pool(type);
	unsigned long handle;
	size_t i;

	if (!pool)
		return -ENOMEM;
	for (i = 0; i < replay_len; i++) {
		unsigned int size = replay_sizes[i];

		if (test_bit(size, refused))
			continue;
		if (zpool_malloc(pool, replay_obj(pool, size), GFP_KERNEL,
				 &handle))
			__set_bit(size, refused);
		else
			zpool_free(pool, handle);
		cond_resched();
	}
	zpool_destroy_pool(pool);
	return 0;
}

static u64 replay_word(u32 seed, size_t k)
{
	return (seed + k) * 0x9e3779b97f4a7c15ULL;
}

/* Writes @obj's pattern, or with @check compares it; false if it differs. */
static bool replay_pattern(struct zpool *pool, const struct replay_obj *obj,
			   bool check)
{
	u8 *p = zpool_map_handle(pool, obj->handle,
				 check ? ZPOOL_MM_RO : ZPOOL_MM_WO);
	bool same = true;
	size_t k, n;
	u64 w;

	for (k = 0; k < obj->len; k += n) {
		n = min_t(size_t, sizeof(w), obj->len - k);
		w = replay_word(obj->seed, k);
		if (!check)
			memcpy(p + k, &w, n);
		else if (memcmp(p + k, &w, n))
			same = false;
	}
	zpool_unmap_handle(pool, obj->handle);
	return same;
}

static int replay_store(struct zpool *pool, unsigned int size,
			struct replay_obj *obj, struct replay_result *res)
{
	u64 start = ktime_get_ns();
	int err;

	obj->len = replay_obj(pool, size);
	obj->seed = res->allocs;
	err = zpool_malloc(pool, obj->len, GFP_KERNEL, &obj->handle);
	res->alloc_ns += ktime_get_ns() - start;
	res->allocs++;
	if (!err)
		replay_pattern(pool, obj, false);
	return err;
}

static void replay_drop(struct zpool *pool, const struct replay_obj *obj,
			struct replay_result *res)
{
	u64 start;

	res->corrupt += !replay_pattern(pool, obj, true);
	start = ktime_get_ns();
	zpool_free(pool, obj->handle);
	res->free_ns += ktime_get_ns() - start;
	res->frees++;
}

static int replay_run(struct zpool *pool, const unsigned long *refused,
		      struct replay_obj *live, struct replay_result *res)
{
	size_t i, nlive = 0, fill = replay_len / 2;
	u64 rng = REPLAY_SEED;
	int err = 0;

	for (i = 0; i < replay_len && !err; i++) {
		unsigned int size = replay_sizes[i];

		if (test_bit(size, refused))
			continue;
		if (i >= fill && nlive) {
			u64 victim;

			/* A plain % would need libgcc on 32-bit kernels. */
			div64_u64_rem(replay_rand(&rng), nlive, &victim);
			replay_drop(pool, &live[victim], res);
			live[victim] = live[--nlive];
		}
		err = replay_store(pool, size, &live[nlive], res);
		if (!err)
			nlive++;
		cond_resched();
	}
	res->stored = nlive;
	res->pages = zpool_get_total_size(pool) / PAGE_SIZE;
	while (nlive) {
		nlive--;
		res->corrupt += !replay_pattern(pool, &live[nlive], true);
		zpool_free(pool, live[nlive].handle);
	}
	return err;
}

static unsigned long replay_count(const unsigned long *refused)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < replay_len; i++)
		n += test_bit(replay_sizes[i], refused);
	return n;
}

static int replay_one(const char *type, const unsigned long *any,
		      const unsigned long *own, struct replay_obj *live,
		      struct seq_buf *out)
{
	struct replay_result res = { .rejected = replay_count(own) };
	struct zpool *pool = replay_pool(type);
	int err;

	if (!pool)
		return -ENOMEM;
	err = replay_run(pool, any, live, &res);
	zpool_destroy_pool(pool);
	if (err)
		return err;
	seq_buf_printf(out, "%s stored=%lu rejected=%lu pages=%llu", type,
		       res.stored, res.rejected, res.pages);
	seq_buf_printf(out, " density_x1000=%llu alloc_ns=%llu free_ns=%llu",
		       res.pages ? div64_u64(res.stored * 1000ULL, res.pages) : 0,
		       res.allocs ? div64_u64(res.alloc_ns, res.allocs) : 0,
		       res.frees ? div64_u64(res.free_ns, res.frees) : 0);
	seq_buf_printf(out, " corrupt=%lu\n", res.corrupt);
	return 0;
}

static bool replay_wanted(const char *type)
{
	if (replay_only && *replay_only && strcmp(type, replay_only))
		return false;
	return zpool_has_pool((char *)type);
}

#define REPLAY_TYPES	ARRAY_SIZE(replay_types)
#define REPLAY_LONGS	BITS_TO_LONGS(REPLAY_MAX + 1)

/* Probes every type, then replays the sizes none refuses into each. */
static int replay_all(unsigned long *maps, struct replay_obj *live,
		      struct seq_buf *out)
{
	unsigned long *any = maps + REPLAY_TYPES * REPLAY_LONGS;
	size_t t;
	int err;

	for (t = 0; t < REPLAY_TYPES; t++) {
		if (!replay_wanted(replay_types[t]))
			continue;
		err = replay_probe(replay_types[t], maps + t * REPLAY_LONGS);
		if (err)
			return err;
		bitmap_or(any, any, maps + t * REPLAY_LONGS, REPLAY_MAX + 1);
	}
	for (t = 0; t < REPLAY_TYPES; t++) {
		if (!replay_wanted(replay_types[t]))
			continue;
		err = replay_one(replay_types[t], any, maps + t * REPLAY_LONGS,
				 live, out);
		if (err)
			return err;
	}
	return 0;
}

static int replay_report(struct seq_buf *out)
{
	struct replay_obj *live;
	unsigned long *maps;
	int err = -ENOMEM;

	if (replay_bad_input || !replay_len)
		return -EINVAL;
	maps = bitmap_zalloc((REPLAY_TYPES + 1) * REPLAY_LONGS * BITS_PER_LONG,
			     GFP_KERNEL);
	live = kvmalloc_array(replay_len, sizeof(*live), GFP_KERNEL);
	if (maps && live)
		err = replay_all(maps, live, out);
	kvfree(live);
	bitmap_free(maps);
	return err;
}

static int result_open(struct inode *inode, struct file *file)
{
	struct seq_buf *out;
	char *buf;
	int err;

	out = kmalloc(sizeof(*out), GFP_KERNEL);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!out || !buf) {
		err = -ENOMEM;
		goto fail;
	}
	seq_buf_init(out, buf, PAGE_SIZE);
	mutex_lock(&replay_lock);
	err = replay_report(out);
	mutex_unlock(&replay_lock);
	if (err)
		goto fail;
	file->private_data = out;
	return 0;
fail:
	kfree(buf);
	kfree(out);
	return err;
}

static ssize_t result_read(struct file *file, char __user *ubuf,
			   size_t count, loff_t *ppos)
{
	struct seq_buf *out = file->private_data;

	return simple_read_from_buffer(ubuf, count, ppos, out->buffer,
				       seq_buf_used(out));
}

static int result_release(struct inode *inode, struct file *file)
{
	struct seq_buf *out = file->private_data;

	kfree(out->buffer);
	kfree(out);
	return 0;
}

static const struct file_operations trace_fops = {
	.owner = THIS_MODULE,
	.open = trace_open,
	.write = trace_write,
	.release = trace_release,
};

static const struct file_operations result_fops = {
	.owner = THIS_MODULE,
	.open = result_open,
	.read = result_read,
	.release = result_release,
};

static int __init zbud_replay_init(void)
{
	struct dentry *dir = debugfs_create_dir("zbud_replay", NULL);

	debugfs_create_file("trace", 0200, dir, NULL, &trace_fops);
	debugfs_create_file("result", 0400, dir, NULL, &result_fops);
	return 0;
}
late_initcall(zbud_replay_init);
