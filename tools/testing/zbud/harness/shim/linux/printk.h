/* SPDX-License-Identifier: GPL-2.0-only */
/* pr_*() for the harness: printed only when HARNESS_VERBOSE is set. */
#ifndef __KERNEL_PRINTK__
#define __KERNEL_PRINTK__

#include <stdio.h>
#include "harness.h"

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define shim_printk(level, fmt, ...) do {				\
	if (shim_verbose())						\
		fprintf(stderr, level pr_fmt(fmt), ##__VA_ARGS__);	\
} while (0)

#define pr_err(fmt, ...)	shim_printk("err: ", fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...)	shim_printk("warn: ", fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	shim_printk("info: ", fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...)	shim_printk("debug: ", fmt, ##__VA_ARGS__)

#endif /* __KERNEL_PRINTK__ */
