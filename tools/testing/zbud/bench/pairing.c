// SPDX-License-Identifier: GPL-2.0-only
/*
 * pairing-bound: a lower bound on the pages that any allocator storing at
 * most two objects per page needs for a given live set, whatever order the
 * objects came in.  pages = n - (most disjoint pairs whose sizes fit).
 *
 * Two pointers over the sorted sizes find the most pairs.  Let L be the
 * largest size and S the smallest.  If L + S does not fit, L fits with no
 * object and stays alone in every solution.  If it does fit, some optimal
 * solution pairs L with S: take any optimal one; if L and S are both
 * alone, pairing them adds a pair, so that cannot happen; if one of them
 * is alone, moving it in beside the other's partner still fits (S is the
 * smallest, L + S fits); if L sits with y and S with x, then (L, S) and
 * (x, y) both fit, since x <= L gives x + y <= L + y.  Either way L and S
 * are removed and the same argument applies to the rest.
 */
#include <stdlib.h>

#include "pairing.h"

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a;
	unsigned int y = *(const unsigned int *)b;

	return (x > y) - (x < y);
}

size_t pairing_bound(unsigned int *sizes, size_t n, unsigned int align,
		     unsigned int capacity)
{
	size_t i, lo, hi, pairs = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		sizes[i] = (sizes[i] + align - 1) / align * align;
	qsort(sizes, n, sizeof(*sizes), cmp_uint);
	lo = 0;
	hi = n - 1;
	while (lo < hi) {
		if (sizes[lo] + sizes[hi] <= capacity) {
			pairs++;
			lo++;
		}
		hi--;
	}
	return n - pairs;
}
