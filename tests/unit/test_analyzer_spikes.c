/* test_analyzer_spikes.c: median / MAD baseline, the spike threshold, ordinals and the binned timeline. */
#include "check.h"
#include "fmt.h"
#include "spikes.h"
#include "timeline.h"

int main(void)
{
    double v[] = {9.0, 1.0, 1.1, 0.9, 1.0, 1.2, 1.0, 5.0};
    CHECK_NEAR(wp_median(v, 8), 1.05, 1e-12);
    wp_baseline b;
    wp_baseline_compute(v, 8, 1, 3.5, 0.10, &b); /* skips the warm-up 9.0 */
    CHECK_EQ_INT(b.n, 7);
    CHECK_NEAR(b.median, 1.0, 1e-12);
    CHECK_NEAR(b.mad, 0.1, 1e-12);
    CHECK_NEAR(b.threshold, 1.0 + 3.5 * 1.4826 * 0.1, 1e-9);
    double flat[] = {2, 2, 2, 2, 2};
    wp_baseline_compute(flat, 5, 1, 3.5, 0.10, &b); /* MAD 0: the relative floor decides */
    CHECK_NEAR(b.threshold, 2.2, 1e-12);
    char o[16];
    CHECK_EQ_STR(wp_ordinal(1, o, sizeof(o)), "1st");
    CHECK_EQ_STR(wp_ordinal(10, o, sizeof(o)), "10th");
    CHECK_EQ_STR(wp_ordinal(12, o, sizeof(o)), "12th");
    CHECK_EQ_STR(wp_ordinal(22, o, sizeof(o)), "22nd");
    CHECK_EQ_STR(wp_ordinal(103, o, sizeof(o)), "103rd");
    wp_timeline *t = wp_timeline_new();
    /* 1 ms of compute, then a 2 ms gap, then 1 ms of copy half under compute */
    wp_timeline_add(t, 3, 0, WP_ACT_COMPUTE, 1000000, 2000000);
    wp_timeline_add(t, 3, 0, WP_ACT_COPY, 4000000, 5000000);
    wp_timeline_add(t, 3, 0, WP_ACT_COMPUTE, 4500000, 5000000);
    wp_timeline_add(t, 9, 1, WP_ACT_NCCL, 1000000, 1500000); /* another process: invisible to proc 3 until aliased */
    wp_busy q;
    wp_timeline_query(t, 3, 0, 6000000, &q);
    CHECK_EQ_INT(q.compute, 1500000);
    CHECK_EQ_INT(q.copy, 1000000);
    CHECK_EQ_INT(q.nccl, 0);
    CHECK_NEAR(q.busy, 2000000, 1);
    CHECK_EQ_INT(q.max_idle, 2000000);
    CHECK_EQ_INT(q.last_busy_end, 5000000);
    CHECK_NEAR(wp_timeline_compute_fraction(t, 3, 4000000, 5000000), 0.5, 1e-9);
    wp_timeline_alias(t, 9, 3);
    wp_timeline_query(t, 3, 0, 6000000, &q);
    CHECK_EQ_INT(q.nccl, 500000);
    wp_timeline_free(t);
    return check_done();
}
