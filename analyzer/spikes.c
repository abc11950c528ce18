/* spikes.c: median / MAD baseline (see spikes.h). */
#include "spikes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Puts the k-th smallest of c[0..n) at c[k], smaller ones before it, larger after (quickselect: linear on average; a
 * median is asked per field per step count, and 128k steps made sorting the visible cost). Pivots come from the
 * middle; after 64 rounds the rest is sorted, so crafted step times cannot make it quadratic. */
static void select_kth(double *c, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    for (int round = 0; lo < hi; round++) {
        if (round == 64) {
            qsort(c + lo, hi - lo + 1, sizeof(*c), cmp_double);
            return;
        }
        double pivot = c[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) { /* Hoare partition: [lo, j] <= pivot <= [i, hi] */
            while (c[i] < pivot)
                i++;
            while (c[j] > pivot)
                j--;
            if (i <= j) {
                swap(&c[i], &c[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* The smallest of c[from..n). */
static double min_from(const double *c, size_t from, size_t n)
{
    double m = c[from];
    for (size_t i = from + 1; i < n; i++)
        m = c[i] < m ? c[i] : m;
    return m;
}

double wp_median(const double *v, int n)
{
    if (n <= 0)
        return 0;
    double *c = malloc((size_t)n * sizeof(*c));
    if (!c)
        return v[0];
    memcpy(c, v, (size_t)n * sizeof(*c));
    size_t half = (size_t)n / 2;
    select_kth(c, (size_t)n, n % 2 ? half : half - 1);
    double m = n % 2 ? c[half] : 0.5 * (c[half - 1] + min_from(c, half, (size_t)n));
    free(c);
    return m;
}

void wp_baseline_compute(const double *v, int n, int first, double k_mad, double min_rel, wp_baseline *b)
{
    memset(b, 0, sizeof(*b));
    if (first >= n)
        first = 0; /* one step only: it is its own baseline */
    int m = n - first;
    if (m <= 0)
        return;
    b->n = m;
    b->median = wp_median(v + first, m);
    double *dev = malloc((size_t)m * sizeof(*dev));
    if (dev) {
        for (int i = 0; i < m; i++)
            dev[i] = fabs(v[first + i] - b->median);
        b->mad = wp_median(dev, m);
        free(dev);
    }
    double by_mad = k_mad * WP_MAD_SCALE * b->mad, by_rel = min_rel * b->median;
    b->threshold = b->median + (by_mad > by_rel ? by_mad : by_rel);
}
