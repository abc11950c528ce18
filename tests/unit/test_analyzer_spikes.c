/* test_analyzer_spikes.c: median / MAD baseline, the spike threshold and ordinals (the timeline: test_timeline.c). */
#include "check.h"
#include "fmt.h"
#include "spikes.h"

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
    return check_done();
}
