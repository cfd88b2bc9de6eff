// SPDX-License-Identifier: GPL-2.0-only
/*
 * Checks pairing_bound() against an exhaustive search on small random
 * sets.  Exits non-zero on a mismatch.  Its summary does not use the
 * "N passed, N failed" form: selftest.sh counts this as one test.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pairing.h"

#define MAX_N	10
#define CAP	64

/* The most disjoint pairs of s[0..n) (unused where used[i] is 0). */
static unsigned int max_pairs(const unsigned int *s, int n, int *used)
{
	unsigned int best = 0, got;
	int i, j;

	for (i = 0; i < n && used[i]; i++)
		;
	if (i == n)
		return 0;
	used[i] = 1;
	best = max_pairs(s, n, used);		/* i stays alone */
	for (j = i + 1; j < n; j++) {
		if (used[j] || s[i] + s[j] > CAP)
			continue;
		used[j] = 1;
		got = 1 + max_pairs(s, n, used);
		used[j] = 0;
		if (got > best)
			best = got;
	}
	used[i] = 0;
	return best;
}

int main(void)
{
	unsigned int s[MAX_N], r[MAX_N];
	int used[MAX_N] = { 0 };
	int pass = 0, fail = 0, round, n, i;
	size_t want, got;

	srand(1);
	for (round = 0; round < 20000; round++) {
		n = rand() % (MAX_N + 1);
		for (i = 0; i < n; i++) {
			s[i] = 1 + rand() % CAP;
			r[i] = (s[i] + 7) / 8 * 8;
		}
		want = n - max_pairs(r, n, used);
		got = pairing_bound(s, n, 8, CAP);
		if (want == got) {
			pass++;
		} else {
			fail++;
			if (fail < 5)
				printf("pairing: n=%d want %zu got %zu\n", n,
				       want, got);
		}
	}
	printf("pairing: %d random sets, %d mismatches\n", pass + fail,
	       fail);
	return !!fail;
}
