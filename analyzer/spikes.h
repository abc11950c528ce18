/* spikes.h: a robust baseline of step times (median and MAD) and the test for a spike. */
#ifndef WP_SPIKES_H
#define WP_SPIKES_H

#define WP_MAD_SCALE 1.4826 /* MAD * this estimates the standard deviation of normal data */

typedef struct wp_baseline {
    double median;    /* of the steps it was computed over (same unit as the input) */
    double mad;       /* median absolute deviation, unscaled */
    double threshold; /* a step above this is a spike */
    int n;            /* steps it was computed over */
} wp_baseline;

/* Baseline of v[first..n): median, MAD, and threshold = median + max(k_mad * 1.4826 * MAD, min_rel * median).
 * k_mad: e.g. 3.5; min_rel: minimum relative excess, e.g. 0.10. */
void wp_baseline_compute(const double *v, int n, int first, double k_mad, double min_rel, wp_baseline *b);
/* Median of v[0..n) (copies; v untouched); 0 for n == 0. */
double wp_median(const double *v, int n);

#endif
