/* fuzz_schedule.c: the schedule calculator's options. Flags byte, then:
 *   bit 0 clear: `wanprof schedule` arguments, one per line (--sampler, --steps, --shift, --switch-at, ...), through
 *                the command's own parser and output;
 *   bit 0 set:   raw parameters for the library (sampler, steps, train steps as 32-bit integers, shift, boundary,
 *                shift_min, shift_max as doubles, first_low), checked with wp_schedule_params_check, then computed
 *                and inverted, and every step cross-checked against wp_schedule_step_at and wp_schedule_first_low. */
#include "fuzz_argv.h"

#include <math.h>
#include <stdio.h>

#include "schedule.h"

static void library(const uint8_t *data, size_t size)
{
    struct {
        int32_t sampler, steps, train_steps, first_low;
        double shift, boundary, shift_min, shift_max;
    } in;
    memset(&in, 0, sizeof(in));
    memcpy(&in, data, size < sizeof(in) ? size : sizeof(in));
    wp_schedule_params p = {(wp_sampler)in.sampler, in.steps, in.shift, in.boundary, in.train_steps};
    if (wp_schedule_params_check(&p)) {
        if (wp_schedule_compute(&p, NULL) == WP_OK || wp_schedule_first_low(&p) >= 0)
            abort(); /* rejected parameters must be rejected everywhere */
        return;
    }
    if (p.steps > 4096)
        p.steps = 1 + p.steps % 4096; /* keeps one input fast; the limits themselves are the unit tests' */
    wp_schedule_step *steps = malloc(sizeof(*steps) * (size_t)p.steps);
    if (wp_schedule_compute(&p, steps) != WP_OK)
        abort();
    int first_low = wp_schedule_first_low(&p);
    if (first_low < 0 || first_low > p.steps)
        abort();
    for (int i = 0; i < p.steps; i++) {
        wp_schedule_step one;
        if (wp_schedule_step_at(&p, i, &one) != WP_OK || memcmp(&one.timestep, &steps[i].timestep, sizeof(double)))
            abort(); /* step_at(i) must equal compute()[i] */
        if ((i < first_low) != (steps[i].expert == WP_EXPERT_HIGH_NOISE) && isfinite(steps[i].timestep))
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        library(data + 1, size - 1);
        return 0;
    }
    fuzz_argv f;
    if (fuzz_argv_split(&f, "schedule", data + 1, size - 1) != 0)
        return 0;
    int rc = fuzz_argv_run(wp_command_find("schedule"), &f);
    if (rc != EXIT_OK && rc != EXIT_BAD_INPUT && rc != EXIT_USAGE)
        abort();
    fuzz_argv_free(&f);
    fflush(stdout);
    return 0;
}
