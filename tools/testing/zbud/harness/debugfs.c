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
	unsigned long *value;		/* NULL for a directory */
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

static struct dentry *create(const char *name, struct dentry *parent,
			     unsigned long *value)
{
	struct dentry *dir = parent_or_root(parent), *d;

	if (IS_ERR(parent) || (parent && parent->value))
		return ERR_PTR(-ENOENT);
	if (strlen(name) >= sizeof(d->name))
		return ERR_PTR(-ENAMETOOLONG);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return ERR_PTR(-ENOMEM);
	strcpy(d->name, name);
	INIT_LIST_HEAD(&d->children);
	d->value = value;
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
	return create(name, parent, NULL);
}

void debugfs_create_ulong(const char *name, umode_t mode,
			  struct dentry *parent, unsigned long *value)
{
	create(name, parent, value);
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

unsigned long debugfs_entries(void)
{
	unsigned long n;

	pthread_mutex_lock(&debugfs_lock);
	n = entries;
	pthread_mutex_unlock(&debugfs_lock);
	return n;
}
