/* hist.h: memcpy histograms: duration, size and achieved bandwidth in log2 buckets, split by direction and host
 * memory kind (pageable / pinned / device), with counts over fixed duration thresholds. */
#ifndef WP_HIST_H
#define WP_HIST_H

#include "run.h"
#include "stepstats.h"

#define WP_HIST_BUCKETS 64
#define WP_HIST_GROUPS (WP_DIR_COUNT * WP_HMEM_COUNT)

typedef enum wp_hist_metric {
    WP_HIST_DURATION = 0, /* bucket b: [2^b, 2^(b+1)) ns */
    WP_HIST_SIZE = 1,     /* bucket b: [2^b, 2^(b+1)) bytes */
    WP_HIST_BANDWIDTH = 2,/* bucket b: [2^b, 2^(b+1)) bytes/s */
    WP_HIST_METRICS
} wp_hist_metric;

typedef struct wp_hist_group {
    uint64_t count, bytes;
    int64_t ns;
    uint64_t over_10us, over_100us, over_1ms;
    uint64_t buckets[WP_HIST_METRICS][WP_HIST_BUCKETS];
} wp_hist_group;

typedef struct wp_hist {
    wp_hist_group groups[WP_HIST_GROUPS]; /* index dir * WP_HMEM_COUNT + hmem */
    wp_hist_group all;
} wp_hist;

/* Adds proc's copies that start in [start, end) to h (call wp_hist_clear first). */
void wp_hist_clear(wp_hist *h);
void wp_hist_add_range(wp_hist *h, const wp_run *r, uint32_t proc, int64_t start, int64_t end);
/* The bucket of a value (>= 1), and its bounds. */
int wp_hist_bucket(double v);
double wp_hist_bucket_lo(int b);
/* "HtoD pageable" style name of group g. */
void wp_hist_group_name(int g, char *buf, size_t len);
/* Unit-bearing label of bucket b of metric m ("1 us", "4 MB", "8 GB/s": its lower bound). */
void wp_hist_bucket_label(wp_hist_metric m, int b, char *buf, size_t len);
const char *wp_hist_metric_name(wp_hist_metric m); /* "duration", "size", "bandwidth" */
/* First and last non-empty bucket of metric m over all groups; returns 0 when all are empty. */
int wp_hist_span(const wp_hist *h, wp_hist_metric m, int *lo, int *hi);

#endif
