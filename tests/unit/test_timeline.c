/* test_timeline.c: the GPU activity timeline answers exactly from its intervals, and its memory and time follow the
 * events, not their timestamps: an hour-long and a day-long kernel, work at INT64_MAX, a window spanning the whole
 * int64 range, several devices of one process, Kineto's device pseudo-processes aliased to their host process. */
#include <limits.h>

#include "check.h"
#include "timeline.h"

#define MS 1000000LL

/* 1 ms of compute, a 2 ms gap, 1 ms of copy half under compute (proc 3); NCCL on proc 9, device 1. */
static void basics(void)
{
    wp_timeline *t = wp_timeline_new();
    wp_timeline_add(t, 3, 0, WP_ACT_COMPUTE, 1 * MS, 2 * MS);
    wp_timeline_add(t, 3, 0, WP_ACT_COPY, 4 * MS, 5 * MS);
    wp_timeline_add(t, 3, 0, WP_ACT_COMPUTE, 4500000, 5 * MS);
    wp_timeline_add(t, 3, 0, WP_ACT_COMPUTE, 1200000, 1800000); /* overlaps the first: counted once */
    wp_timeline_add(t, 9, 1, WP_ACT_NCCL, 1 * MS, 1500000);
    CHECK_EQ_INT(wp_timeline_finish(t), 0);
    wp_busy q;
    wp_timeline_query(t, 3, 0, 6 * MS, &q);
    CHECK_EQ_INT(q.compute, 1500000);
    CHECK_EQ_INT(q.copy, 1 * MS);
    CHECK_EQ_INT(q.nccl, 0);
    CHECK_EQ_INT(q.busy, 2 * MS);
    CHECK_EQ_INT(q.idle, 4 * MS);
    CHECK_EQ_INT(q.max_idle, 2 * MS);
    CHECK_EQ_INT(q.last_busy_end, 5 * MS);
    CHECK_NEAR(wp_timeline_compute_fraction(t, 3, 4 * MS, 5 * MS), 0.5, 1e-12);
    wp_timeline_query(t, 3, 1500000, 4200000, &q); /* clipped at both ends */
    CHECK_EQ_INT(q.compute, 500000);
    CHECK_EQ_INT(q.copy, 200000);
    CHECK_EQ_INT(q.max_idle, 2 * MS);
    CHECK_EQ_INT(q.last_busy_end, 4200000);
    wp_timeline_query(t, 3, 2 * MS, 4 * MS, &q); /* the gap alone */
    CHECK_EQ_INT(q.busy, 0);
    CHECK_EQ_INT(q.max_idle, 2 * MS);
    CHECK_EQ_INT(q.last_busy_end, INT64_MIN);
    wp_timeline_query(t, 3, 0, 6 * MS, &q);
    CHECK_EQ_INT(q.nccl, 0); /* proc 9's NCCL is not proc 3's */
    wp_timeline_query(t, 9, 0, 6 * MS, &q);
    CHECK_EQ_INT(q.nccl, 500000);
    CHECK_EQ_INT(q.compute, 500000); /* NCCL counts as compute too */
    wp_timeline_free(t);
}

/* Kineto's GPU pseudo-process 9 aliased to host process 3: its work is 3's, 9 sees nothing. */
static void aliases(void)
{
    wp_timeline *t = wp_timeline_new();
    wp_timeline_add(t, 3, 0, WP_ACT_COMPUTE, 1 * MS, 2 * MS);
    wp_timeline_add(t, 9, 1, WP_ACT_NCCL, 1 * MS, 1500000);
    wp_timeline_add(t, 10, 2, WP_ACT_COMPUTE, 3 * MS, 7 * MS);
    CHECK_EQ_INT(wp_timeline_alias(t, 9, 3), 0);
    CHECK_EQ_INT(wp_timeline_alias(t, 10, 3), 0);
    CHECK_EQ_INT(wp_timeline_finish(t), 0);
    wp_busy q;
    wp_timeline_query(t, 3, 0, 8 * MS, &q);
    CHECK_EQ_INT(q.nccl, 500000);
    CHECK_EQ_INT(q.compute, 4 * MS);  /* the busiest device (2), not the sum of the three */
    CHECK_EQ_INT(q.max_idle, 1 * MS); /* gaps are where no device works: 0-1, 2-3 and 7-8 ms */
    CHECK_EQ_INT(q.last_busy_end, 7 * MS);
    wp_timeline_query(t, 9, 0, 8 * MS, &q);
    CHECK_EQ_INT(q.busy, 0);
    wp_timeline_free(t);
}

/* A day-long kernel and one ending at INT64_MAX: exact figures, a few hundred bytes, no walk over their length. */
static void extreme_times(void)
{
    const int64_t day = 86400LL * 1000000000LL;
    wp_timeline *t = wp_timeline_new();
    wp_timeline_add(t, 1, 0, WP_ACT_COMPUTE, 0, day);
    wp_timeline_add(t, 1, 0, WP_ACT_COPY, INT64_MAX - 30000, INT64_MAX);
    wp_timeline_add(t, 1, 0, WP_ACT_COMPUTE, INT64_MIN, INT64_MIN + 10);
    wp_timeline_add(t, 1, 0, WP_ACT_COMPUTE, 5, 5); /* empty: ignored */
    CHECK_EQ_INT(wp_timeline_finish(t), 0);
    CHECK(wp_timeline_bytes(t) < 4096);
    wp_busy q;
    wp_timeline_query(t, 1, day / 2, INT64_MAX, &q);
    CHECK_EQ_INT(q.compute, day / 2);
    CHECK_EQ_INT(q.copy, 30000);
    CHECK_EQ_INT(q.last_busy_end, INT64_MAX);
    CHECK_EQ_INT(q.max_idle, INT64_MAX - 30000 - day);
    wp_timeline_query(t, 1, INT64_MIN, INT64_MAX, &q); /* the whole range: longer than INT64_MAX, clamped */
    CHECK_EQ_INT(q.busy, day + 30000 + 10);
    CHECK_EQ_INT(q.idle, INT64_MAX);
    CHECK_EQ_INT(q.max_idle, INT64_MAX - 9); /* from INT64_MIN + 10 to 0 */
    CHECK_NEAR(wp_timeline_compute_fraction(t, 1, 0, day), 1.0, 1e-12);
    CHECK_NEAR(wp_timeline_compute_fraction(t, 1, INT64_MIN, INT64_MAX), (day + 10) / 18446744073709551615.0, 1e-15);
    wp_timeline_free(t);
}

int main(void)
{
    basics();
    aliases();
    extreme_times();
    return check_done();
}
