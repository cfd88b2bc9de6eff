// SPDX-License-Identifier: GPL-2.0-only
/* zbud_bench's spread of per-rep ratios, see spread.h. */
#include <stdlib.h>

#include "spread.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void spread(double *v, unsigned int n, double *mid, double *lo, double *hi)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*mid = (v[(n - 1) / 2] + v[n / 2]) / 2;
	*lo = v[n / 10];
	*hi = v[n - 1 - n / 10];
}
