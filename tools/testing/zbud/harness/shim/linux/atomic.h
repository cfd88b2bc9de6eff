/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atomic_t operations over the compiler's __atomic builtins, which
 * ThreadSanitizer understands (tools/include's x86 versions are inline
 * assembly it cannot see).  atomic_t itself comes from linux/types.h.
 */
#ifndef _LINUX_ATOMIC_H
#define _LINUX_ATOMIC_H

#include <linux/types.h>

#define ATOMIC_INIT(i)	{ (i) }

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}

static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}

static inline int atomic_add_return(int i, atomic_t *v)
{
	return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

static inline int atomic_sub_return(int i, atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST);
}

#define atomic_inc_return(v)	atomic_add_return(1, v)
#define atomic_dec_return(v)	atomic_sub_return(1, v)
#define atomic_inc(v)		((void)atomic_add_return(1, v))
#define atomic_dec(v)		((void)atomic_sub_return(1, v))
#define atomic_add(i, v)	((void)atomic_add_return(i, v))
#define atomic_sub(i, v)	((void)atomic_sub_return(i, v))
#define atomic_dec_and_test(v)	(atomic_sub_return(1, v) == 0)

#endif /* _LINUX_ATOMIC_H */
