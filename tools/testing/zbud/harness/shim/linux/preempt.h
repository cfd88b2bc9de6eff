/* SPDX-License-Identifier: GPL-2.0-only */
/* zbud 6.1 includes this but uses nothing from it. */
#ifndef __LINUX_PREEMPT_H
#define __LINUX_PREEMPT_H

#include "harness.h"

#define in_atomic()	(shim_locks_held != 0)

#endif /* __LINUX_PREEMPT_H */
