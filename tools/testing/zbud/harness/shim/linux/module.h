/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Module glue.  module_init() and module_exit() give the including
 * translation unit two fixed names, harness_module_init and
 * harness_module_exit, which its zalloc instance hands to the tests.
 */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <linux/init.h>
#include <linux/printk.h>

struct module;

#define THIS_MODULE		((struct module *)0)
#define EXPORT_SYMBOL(sym)		extern typeof(sym) sym
#define EXPORT_SYMBOL_GPL(sym)	extern typeof(sym) sym
#define MODULE_LICENSE(license)
#define MODULE_AUTHOR(author)
#define MODULE_DESCRIPTION(description)
#define MODULE_ALIAS(alias)

#define module_init(fn)							\
	static int (*const harness_module_init)(void) = fn
#define module_exit(fn)							\
	static void (*const harness_module_exit)(void) = fn

#endif /* _LINUX_MODULE_H */
