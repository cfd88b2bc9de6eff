/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A debugfs tree in memory.  Directories, unsigned long files and files
 * with their own file_operations are kept so that tests can read and
 * write what a user would under /sys/kernel/debug; a name that exists
 * already gives ERR_PTR(-EEXIST) and a failed allocation (the
 * fail_kmalloc knob) ERR_PTR(-ENOMEM), as in 6.1.  Every call accepts an error or NULL parent.
 */
#ifndef _DEBUGFS_H_
#define _DEBUGFS_H_

#include <linux/types.h>
#include <linux/err.h>
#include <linux/fs.h>

typedef unsigned short umode_t;

struct dentry;

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
void debugfs_create_ulong(const char *name, umode_t mode,
			  struct dentry *parent, unsigned long *value);
struct dentry *debugfs_create_file(const char *name, umode_t mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops);
void debugfs_remove_recursive(struct dentry *dentry);
#define debugfs_remove	debugfs_remove_recursive
struct dentry *debugfs_lookup(const char *name, struct dentry *parent);

/* Harness only: read a file; -ENOENT if @dentry is not a ulong file. */
int debugfs_read_ulong(struct dentry *dentry, unsigned long *value);
/*
 * Harness only: open(2), write(2) and close(2) on a file made by
 * debugfs_create_file(); what the write returned, or -ENOENT if @dentry
 * is no such file, -EINVAL if it has no write method.
 */
ssize_t debugfs_write(struct dentry *dentry, const char *buf, size_t len);
/* Harness only: entries that exist now, to catch leaks. */
unsigned long debugfs_entries(void);

#endif /* _DEBUGFS_H_ */
