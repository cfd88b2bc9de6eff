/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tools/include's bitmap.h, which also gives find_next_bit() and friends
 * over tools/lib/find_bit.c, plus find_last_bit(), which tools lacks.
 */
#ifndef __LINUX_BITMAP_H
#define __LINUX_BITMAP_H

#include_next <linux/bitmap.h>

/* The highest set bit below @size, or @size if there is none. */
static inline unsigned long find_last_bit(const unsigned long *addr,
					  unsigned long size)
{
	unsigned long i = BITS_TO_LONGS(size), word;

	while (i--) {
		word = addr[i];
		if (i == size / BITS_PER_LONG && size % BITS_PER_LONG)
			word &= (1UL << (size % BITS_PER_LONG)) - 1;
		if (word)
			return i * BITS_PER_LONG + __fls(word);
	}
	return size;
}

#endif /* __LINUX_BITMAP_H */
