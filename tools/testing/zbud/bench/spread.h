/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ZBUD_BENCH_SPREAD_H
#define ZBUD_BENCH_SPREAD_H

/*
 * Sorts the @n values of @v (n > 0) and gives their median in *@mid and
 * the middle 80% of them as *@lo to *@hi: without the lowest and the
 * highest tenth, n / 10 values each, so all of them below ten values.
 */
void spread(double *v, unsigned int n, double *mid, double *lo, double *hi);

#endif /* ZBUD_BENCH_SPREAD_H */
