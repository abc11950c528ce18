/* stats.c: see stats.h. */
#include "stats.h"

#include <stdlib.h>
#include <time.h>

double cal_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int double_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

cal_spread cal_spread_of(double *samples, int n)
{
    qsort(samples, (size_t)n, sizeof(double), double_cmp);
    double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
    return (cal_spread){.median = median, .min = samples[0], .max = samples[n - 1], .count = n};
}
