/* stats.h: the clock every measurement reads, and the spread of a repeated measurement (median, min, max and the
 * number of samples), so every figure wanprof-calibrate reports says how much it moved between repeats. */
#ifndef WP_CAL_STATS_H
#define WP_CAL_STATS_H

typedef struct cal_spread {
    double median, min, max;
    int count; /* samples the three figures summarise */
} cal_spread;

/* Monotonic seconds. */
double cal_now_s(void);

/* Summarises samples[0..n) (n >= 1; the array is sorted in place). */
cal_spread cal_spread_of(double *samples, int n);

#endif
