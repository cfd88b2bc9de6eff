// SPDX-License-Identifier: GPL-2.0-only
/* The in-memory debugfs of shim/linux/debugfs.h. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/slab.h>

struct dentry {
	char name[64];
	struct list_head children;
	struct list_head sibling;
	unsigned long *value;		/* a ulong file's */
	const struct file_operations *fops;	/* another file's */
	void *data;			/* ... and its inode's i_private */
};

static struct dentry root = {
	.children = LIST_HEAD_INIT(root.children),
};

static pthread_mutex_t debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long entries;

static struct dentry *parent_or_root(struct dentry *parent)
{
	return parent ? parent : &root;
}

static struct dentry *find_child(struct dentry *dir, const char *name)
{
	struct dentry *d;

	list_for_each_entry(d, &dir->children, sibling)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

static bool is_dir(const struct dentry *d)
{
	return !d->value && !d->fops;
}

static struct dentry *create(const char *name, struct dentry *parent,
			     unsigned long *value,
			     const struct file_operations *fops, void *data)
{
	struct dentry *dir = parent_or_root(parent), *d;

	if (IS_ERR(parent) || (parent && !is_dir(parent)))
		return ERR_PTR(-ENOENT);
	if (strlen(name) >= sizeof(d->name))
		return ERR_PTR(-ENAMETOOLONG);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	strcpy(d->name, name);
	INIT_LIST_HEAD(&d->children);
	d->value = value;
	d->fops = fops;
	d->data = data;
	pthread_mutex_lock(&debugfs_lock);
	if (find_child(dir, name)) {
		pthread_mutex_unlock(&debugfs_lock);
		kfree(d);
		return ERR_PTR(-EEXIST);
	}
	list_add_tail(&d->sibling, &dir->children);
	entries++;
	pthread_mutex_unlock(&debugfs_lock);
	return d;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return create(name, parent, NULL, NULL, NULL);
}

void debugfs_create_ulong(const char *name, umode_t mode,
			  struct dentry *parent, unsigned long *value)
{
	create(name, parent, value, NULL, NULL);
}

struct dentry *debugfs_create_file(const char *name, umode_t mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	static const struct file_operations empty;

	return create(name, parent, NULL, fops ? fops : &empty, data);
}

static void remove_tree(struct dentry *d)
{
	struct dentry *child, *next;

	list_for_each_entry_safe(child, next, &d->children, sibling)
		remove_tree(child);
	list_del(&d->sibling);
	entries--;
	kfree(d);
}

void debugfs_remove_recursive(struct dentry *dentry)
{
	if (IS_ERR_OR_NULL(dentry))
		return;
	pthread_mutex_lock(&debugfs_lock);
	remove_tree(dentry);
	pthread_mutex_unlock(&debugfs_lock);
}

struct dentry *debugfs_lookup(const char *name, struct dentry *parent)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return NULL;
	pthread_mutex_lock(&debugfs_lock);
	d = find_child(parent_or_root(parent), name);
	pthread_mutex_unlock(&debugfs_lock);
	return d;
}

int debugfs_read_ulong(struct dentry *dentry, unsigned long *value)
{
	if (IS_ERR_OR_NULL(dentry) || !dentry->value)
		return -ENOENT;
	*value = *dentry->value;
	return 0;
}

ssize_t debugfs_write(struct dentry *dentry, const char *buf, size_t len)
{
	struct inode inode;
	struct file file = { 0 };
	ssize_t ret;

	if (IS_ERR_OR_NULL(dentry) || !dentry->fops)
		return -ENOENT;
	if (!dentry->fops->write)
		return -EINVAL;
	inode.i_private = dentry->data;
	file.f_op = dentry->fops;
	if (file.f_op->open) {
		ret = file.f_op->open(&inode, &file);
		if (ret)
			return ret;
	}
	ret = file.f_op->write(&file, buf, len, &file.f_pos);
	if (file.f_op->release)
		file.f_op->release(&inode, &file);
	return ret;
}

unsigned long debugfs_entries(void)
{
	unsigned long n;

	pthread_mutex_lock(&debugfs_lock);
	n = entries;
	pthread_mutex_unlock(&debugfs_lock);
	return n;
}
