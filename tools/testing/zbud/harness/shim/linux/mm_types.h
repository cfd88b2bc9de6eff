/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * struct page as Linux 6.1 lays it out on x86_64.  Only the union members
 * that zbud and the arena name are spelled out, but every word sits at the
 * offset it has in the kernel, so zbud's overlay static_asserts test the
 * real layout.  The harness build defines CONFIG_MEMCG, as distribution
 * kernels do, which makes the struct 64 bytes.
 */
#ifndef _LINUX_MM_TYPES_H
#define _LINUX_MM_TYPES_H

#include <linux/types.h>
#include <linux/list.h>

struct address_space;

typedef unsigned long pgoff_t;

struct page {
	unsigned long flags;
	union {
		struct {	/* page cache, anonymous and zbud pages */
			union {
				struct list_head lru;
				struct {
					void *__filler;
					unsigned int mlock_count;
				};
				struct list_head buddy_list;
				struct list_head pcp_list;
			};
			struct address_space *mapping;
			pgoff_t index;
			unsigned long private;
		};
		struct {	/* tail pages of a compound page */
			unsigned long compound_head;	/* bit 0 set */
			unsigned char compound_dtor;
			unsigned char compound_order;
			atomic_t compound_mapcount;
			atomic_t compound_pincount;
			unsigned int compound_nr;
			unsigned long _private_1;
		};
		struct {	/* the largest member, struct rcu_head aside */
			unsigned long __union_words[5];
		};
	};
	union {
		atomic_t _mapcount;
		unsigned int page_type;
	};
	atomic_t _refcount;
#ifdef CONFIG_MEMCG
	unsigned long memcg_data;
#endif
} __attribute__((__aligned__(2 * sizeof(unsigned long))));

#ifdef CONFIG_MEMCG
static_assert(sizeof(struct page) == 64, "6.1 x86_64 struct page size");
#endif
static_assert(__builtin_offsetof(struct page, _refcount) == 52,
	      "6.1 x86_64 offset of _refcount");

#endif /* _LINUX_MM_TYPES_H */
