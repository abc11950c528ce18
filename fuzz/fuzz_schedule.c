/* fuzz_schedule.c: the schedule calculator's options. Flags byte, then:
 *   bit 0 clear: `wanprof schedule` arguments, one per line (--sampler, --steps, --shift, --switch-at, ...), through
 *                the command's own parser and output;
 *   bit 0 set:   raw parameters for the library (sampler, steps, train steps as 32-bit integers, shift, boundary,
 *                shift_min, shift_max as doubles, first_low), checked with wp_schedule_params_check, then computed
 *                and inverted, and every step cross-checked against wp_schedule_step_at and wp_schedule_first_low. */
#include "fuzz_argv.h"
#include "fuzz_schedule_lib.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        fuzz_schedule_library(data + 1, size - 1);
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
