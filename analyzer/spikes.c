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

double wp_median(const double *v, int n)
{
    if (n <= 0)
        return 0;
    double *c = malloc((size_t)n * sizeof(*c));
    if (!c)
        return v[0];
    memcpy(c, v, (size_t)n * sizeof(*c));
    qsort(c, (size_t)n, sizeof(*c), cmp_double);
    double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
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
