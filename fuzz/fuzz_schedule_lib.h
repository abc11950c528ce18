/* fuzz_schedule_lib.h: the library half of fuzz_schedule (raw parameters straight into schedule.h), shared with
 * tests/unit/test_fuzz_regressions.c, which replays its findings without the CLI. Aborts when a contract is broken. */
#ifndef WP_FUZZ_SCHEDULE_LIB_H
#define WP_FUZZ_SCHEDULE_LIB_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"

/* The parameters a raw input holds (little-endian, zero-padded when short). */
typedef struct fuzz_schedule_in {
    int32_t sampler, steps, train_steps, first_low;
    double shift, boundary, shift_min, shift_max;
} fuzz_schedule_in;

static inline fuzz_schedule_in fuzz_schedule_decode(const uint8_t *data, size_t size)
{
    fuzz_schedule_in in;
    memset(&in, 0, sizeof(in));
    memcpy(&in, data, size < sizeof(in) ? size : sizeof(in));
    return in;
}

static inline void fuzz_schedule_library(const uint8_t *data, size_t size)
{
    fuzz_schedule_in in = fuzz_schedule_decode(data, size);
    wp_schedule_params p = {(wp_sampler)in.sampler, in.steps, in.shift, in.boundary, in.train_steps};
    if (wp_schedule_params_check(&p)) {
        if (wp_schedule_compute(&p, NULL) == WP_OK || wp_schedule_first_low(&p) >= 0)
            abort(); /* rejected parameters must be rejected everywhere */
        return;
    }
    if (p.steps > 1000) /* as `wanprof schedule --switch-at` allows: the inversion's cost grows with the steps */
        p.steps = 1 + p.steps % 1000; /* keeps one input fast; the limits themselves are the unit tests' */
    wp_schedule_step *steps = malloc(sizeof(*steps) * (size_t)p.steps);
    if (wp_schedule_compute(&p, steps) != WP_OK)
        abort();
    int first_low = wp_schedule_first_low(&p);
    if (first_low < 0 || first_low > p.steps)
        abort();
    /* "The first low-noise step" only splits a monotone schedule (tiny shifts once gave diffusers-euler a negative
     * first sigma: tests/fixtures/fuzz_regressions/schedule-euler-tiny-shift-negative-sigma), so the split is checked
     * only then. */
    int monotone = 1;
    for (int i = 1; i < p.steps; i++)
        monotone &= steps[i].timestep <= steps[i - 1].timestep;
    for (int i = 0; i < p.steps; i++) {
        wp_schedule_step one;
        if (wp_schedule_step_at(&p, i, &one) != WP_OK || memcmp(&one.timestep, &steps[i].timestep, sizeof(double)))
            abort(); /* step_at(i) must equal compute()[i] */
        if (monotone && (i < first_low) != (steps[i].expert == WP_EXPERT_HIGH_NOISE))
            abort();
    }
    free(steps);
    wp_shift_range ranges[8];
    int count = 0;
    int want = in.first_low < 0 ? 0 : in.first_low % (p.steps + 1);
    if (wp_schedule_invert(&p, want, in.shift_min, in.shift_max, ranges, 8, &count) == WP_OK)
        for (int i = 0; i < count && i < 8; i++)
            if (!(ranges[i].lo <= ranges[i].hi))
                abort();
}

#endif
