// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks spread() on shuffled runs of 0..n-1, where the median and the
 * tenths are known.  Exits non-zero on a mismatch; selftest.sh counts it
 * as one test.
 */
#include <stdio.h>
#include <stdlib.h>

#include "spread.h"

static int bad;

static void expect(unsigned int n, double mid, double lo, double hi)
{
	double v[200], m, l, h;
	unsigned int i, j;

	for (i = 0; i < n; i++)
		v[i] = i;
	/* A fixed shuffle: spread() must sort. */
	for (i = n - 1; i > 0; i--) {
		double t = v[i];

		j = (i * 7919u + 13) % (i + 1);
		v[i] = v[j];
		v[j] = t;
	}
	spread(v, n, &m, &l, &h);
	if (m != mid || l != lo || h != hi) {
		printf("spread of 0..%u: %g, %g-%g, want %g, %g-%g\n", n - 1,
		       m, l, h, mid, lo, hi);
		bad = 1;
	}
}

int main(void)
{
	expect(1, 0, 0, 0);
	expect(2, 0.5, 0, 1);
	expect(5, 2, 0, 4);
	expect(9, 4, 0, 8);
	expect(10, 4.5, 1, 8);
	expect(100, 49.5, 10, 89);
	expect(101, 50, 10, 90);
	printf("spread: %s\n", bad ? "FAILED" : "7 cases right");
	return bad;
}
