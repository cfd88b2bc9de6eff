/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * WARN*() and BUG*() for the harness.  A warning whose condition holds is
 * counted every time, "once" or not: the kernel prints only the first,
 * but the tests assert how often each path was taken.  BUG() aborts, as
 * the kernel would stop.
 */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <stdio.h>
#include <stdlib.h>
#include <linux/compiler.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include "harness.h"

#define WARN(condition, format...) ({					\
	bool __warn_cond = !!(condition);				\
	if (unlikely(__warn_cond))					\
		shim_warn(__FILE__, __LINE__, format);			\
	unlikely(__warn_cond);						\
})
#define WARN_ONCE(condition, format...)	WARN(condition, format)
#define WARN_ON(condition)	WARN(condition, "WARN_ON(%s)\n", #condition)
#define WARN_ON_ONCE(condition)	WARN_ON(condition)

#undef BUG_ON
#undef BUG
#define BUG() do {							\
	fprintf(stderr, "BUG at %s:%d\n", __FILE__, __LINE__);		\
	abort();							\
} while (0)
#define BUG_ON(condition) do {						\
	if (unlikely(condition))					\
		BUG();							\
} while (0)

#ifdef CONFIG_DEBUG_VM
#define VM_BUG_ON(condition)	BUG_ON(condition)
#define VM_WARN_ON(condition)	WARN_ON(condition)
#else
#define VM_BUG_ON(condition)	BUILD_BUG_ON_INVALID(condition)
#define VM_WARN_ON(condition)	BUILD_BUG_ON_INVALID(condition)
#endif

#endif /* _LINUX_BUG_H */
