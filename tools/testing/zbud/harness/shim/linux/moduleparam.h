/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Module parameters.  module_param_named() registers the variable, at
 * program start, under "<KBUILD_MODNAME>.<name>" (as zbud.compaction on
 * the kernel command line), and harness_param_set() writes it as a
 * write to /sys/module/<module>/parameters/<name> would.  Only the types
 * zbud uses are parsed: bool, int and uint.
 */
#ifndef _LINUX_MODULE_PARAMS_H
#define _LINUX_MODULE_PARAMS_H

#include <linux/types.h>

/* Harness only: registers @var; see harness_param_set(). */
void harness_param_register(const char *name, const char *type, void *var);

/*
 * Harness only: parses @val as the parameter's type and stores it:
 * 0; -ENOENT for an unknown name, -EINVAL for a value it rejects.
 */
int harness_param_set(const char *name, const char *val);

#define module_param_named(name, value, type, perm)			\
	static void __attribute__((constructor))			\
	__harness_param_##name(void)					\
	{								\
		harness_param_register(KBUILD_MODNAME "." #name, #type,	\
				       &(value));			\
	}
#define module_param(name, type, perm)					\
	module_param_named(name, name, type, perm)
#define MODULE_PARM_DESC(name, desc)

#endif /* _LINUX_MODULE_PARAMS_H */
