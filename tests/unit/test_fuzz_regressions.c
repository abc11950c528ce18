/* test_fuzz_regressions.c: every input a fuzz target crashed on (tests/fixtures/fuzz_regressions/) replayed through
 * the same harness code the fuzzer ran (the fuzz/ target sources, included here), in every build: the plain one, and ASan+UBSan under
 * scripts/sanitize.sh. A fixture's name says which target it is for: chrome-* (flags byte + Chrome trace), sqlite-*
 * (flags byte + database file; findings of fuzz_sqlite_sql are kept as the database the SQL produced),
 * schedule-* (flags byte + raw schedule parameters). Replaying must not crash, and findings also get a check of the
 * contract they broke. */
#define LLVMFuzzerTestOneInput fuzz_chrome_one
#include "../../fuzz/fuzz_chrome.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_sqlite_one
#define LLVMFuzzerInitialize fuzz_sqlite_init
#include "../../fuzz/fuzz_sqlite.c"
#undef LLVMFuzzerTestOneInput
#undef LLVMFuzzerInitialize
#include "../../fuzz/fuzz_schedule_lib.h"

#include "check.h"

#include <dirent.h>

#define REQUIRE(cond, what)                                                                                          \
    do {                                                                                                             \
        if (!(cond))                                                                                                 \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, what);                                                \
        CHECK(cond);                                                                                                 \
    } while (0)

/* chrome-deviceprops-huge-totalglobalmem (fuzz_chrome, 2026-11-22): Kineto deviceProperties with
 * "totalGlobalMem": 1501098803250109880320 (1.5e21): core/chrome_top.c:28 casts the cJSON double to uint64_t
 * (undefined; clang UBSan: "1.5011e+21 is outside the range of representable values of type 'unsigned long'"); the
 * same lines cast "id", "computeMajor", "computeMinor", "numSms" to uint32/int32 unchecked. Seen only with
 * float-cast-overflow on (clang's -fsanitize=undefined has it; gcc's does not): replayed here for crashes, and caught
 * by `CC=clang WP_ASAN_BUILD_DIR=build-asan-clang bash scripts/sanitize.sh`. Fixed by 7856f7b (out-of-range numbers
 * become defaults). */

static uint8_t *load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* schedule-* findings of fuzz_schedule, both diffusers-euler with parameters wp_schedule_params_check accepts:
 *   schedule-euler-vanishing-shift-nan: shift 1.3e-284 (anything below about 1e-8 does it, as --shift or as the
 *     --switch-at scan's --shift-min): timesteps are NaN, then cast to int64 (undefined; UBSan: schedule.c:169 "-nan
 *     is outside the range of representable values of type 'long'"); `wanprof schedule` prints "-nan".
 *     schedule-euler-invert-tiny-shift-min-nan is the same through wp_schedule_invert's scan (shift_min 1.2e-10).
 *   schedule-euler-tiny-shift-negative-sigma: shift 3.1e-5, T 29160, 40 steps: sigma[0] = -0.17 (timestep -4952)
 *     then 34.3, 16.7, ...: not monotone, outside [0, T], "first low-noise step" 0 although steps 1..39 are
 *     high-noise (shift 1e-3: timestep[0] = 1013 > T = 1000). float32 rounding of sigma_max near 1 under the double
 *     shift; the reference likely computes the same, so the fix is a lower limit on the shift.
 * Fixed by 191a666 (shifts below WP_SCHEDULE_MIN_SHIFT = 0.01 are refused): the replays check the refusal.
 * The contract: accepted parameters give finite timesteps in [0, T], non-increasing. */
static int check_schedule_contract(const uint8_t *data, size_t len)
{
    fuzz_schedule_in in = fuzz_schedule_decode(data + 1, len - 1);
    wp_schedule_params p = {(wp_sampler)in.sampler, in.steps, in.shift, in.boundary, in.train_steps};
    if (wp_schedule_params_check(&p) || p.steps > 4096)
        return 1;
    wp_schedule_step *steps = malloc(sizeof(*steps) * (size_t)p.steps);
    int finite = wp_schedule_compute(&p, steps) == WP_OK;
    for (int i = 0; finite && i < p.steps; i++)
        finite = isfinite(steps[i].timestep) && steps[i].timestep >= 0 && steps[i].timestep <= p.train_steps &&
                 (i == 0 || steps[i].timestep <= steps[i - 1].timestep);
    free(steps);
    char what[200];
    snprintf(what, sizeof(what),
             "schedule: shift %g (sampler %d, T %d) accepted but gives timesteps that are not finite, in [0, T] "
             "and non-increasing",
             in.shift, in.sampler, in.train_steps);
    REQUIRE(finite, what);
    if (!finite) { /* still open: the library calls alone (no crash), without the harness's consistency aborts */
        wp_schedule_step one;
        wp_shift_range r[4];
        int count;
        wp_schedule_step_at(&p, 0, &one);
        wp_schedule_first_low(&p);
        wp_schedule_invert(&p, 0, WP_SCHEDULE_INVERT_MIN, WP_SCHEDULE_INVERT_MAX, r, 4, &count);
    }
    return finite;
}

static void replay(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    size_t len = 0;
    uint8_t *data = load(path, &len);
    CHECK(data != NULL);
    if (!data)
        return;
    printf("replay %s (%zu bytes)\n", name, len);
    fflush(stdout);
    if (strncmp(name, "chrome-", 7) == 0) {
        fuzz_chrome_one(data, len);
    } else if (strncmp(name, "sqlite-", 7) == 0) {
        fuzz_sqlite_one(data, len);
    } else if (strncmp(name, "schedule-", 9) == 0 && len > 1 && (data[0] & 1)) {
        if (check_schedule_contract(data, len))
            fuzz_schedule_library(data + 1, len - 1);
    } else {
        fprintf(stderr, "%s: no replay for this name (chrome-*, sqlite-*, schedule-*)\n", name);
        check_failed++;
    }
    check_passed++; /* it did not crash */
    free(data);
}

int main(void)
{
    const char *dir = check_fixture("fuzz_regressions");
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            replay(dir, e->d_name);
            n++;
        }
    if (d)
        closedir(d);
    CHECK(n >= 1);
    return check_done();
}
