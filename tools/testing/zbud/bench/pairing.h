/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ZBUD_BENCH_PAIRING_H
#define ZBUD_BENCH_PAIRING_H

#include <stddef.h>

/*
 * The fewest pages of @capacity bytes that hold the @n objects of @sizes
 * with at most two objects per page, each size rounded up to @align.
 * Sorts @sizes in place.
 */
size_t pairing_bound(unsigned int *sizes, size_t n, unsigned int align,
		     unsigned int capacity);

#endif /* ZBUD_BENCH_PAIRING_H */
