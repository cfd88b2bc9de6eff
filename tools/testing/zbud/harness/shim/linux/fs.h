/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The corner of the VFS a debugfs file needs: struct file_operations,
 * and struct inode and struct file as far as simple_open() uses them.
 * debugfs_write() in shim/linux/debugfs.h opens, writes and releases a
 * file through its file_operations, as a write(2) would.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <sys/types.h>
#include <linux/types.h>
#include <linux/compiler.h>

struct module;

struct inode {
	void *i_private;
};

struct file {
	void *private_data;
	loff_t f_pos;
	const struct file_operations *f_op;
};

struct file_operations {
	struct module *owner;
	loff_t (*llseek)(struct file *file, loff_t offset, int whence);
	ssize_t (*read)(struct file *file, char __user *buf, size_t len,
			loff_t *ppos);
	ssize_t (*write)(struct file *file, const char __user *buf,
			 size_t len, loff_t *ppos);
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
};

static inline int simple_open(struct inode *inode, struct file *file)
{
	if (inode->i_private)
		file->private_data = inode->i_private;
	return 0;
}

static inline loff_t noop_llseek(struct file *file, loff_t offset,
				 int whence)
{
	return file->f_pos;
}

#endif /* _LINUX_FS_H */
