/* test_schedule.c: the four sampler schedules against golden lists from an independent Python implementation
 * (tests/reference/schedule_golden.py, itself checked against the real diffusers/Wan/SGLang code on the GPU machine
 * by tests/reference/schedule_reference.py), the switch-step table of shared/wan22.md, and bad parameters. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "diag.h"
#include "schedule.h"

static wp_schedule_params params(wp_sampler sampler, int steps, double shift)
{
    wp_schedule_params p;
    wp_schedule_params_default(&p);
    p.sampler = sampler;
    p.steps = steps;
    p.shift = shift;
    return p;
}

static int first_low(wp_sampler sampler, int steps, double shift)
{
    wp_schedule_params p = params(sampler, steps, shift);
    return wp_schedule_first_low(&p);
}

/* Compares one golden line: SAMPLER STEPS SHIFT FIRST_LOW, STEPS timesteps, STEPS sigmas (float32 values). */
static int check_golden_line(char *line, wp_schedule_step *st)
{
    char *save, *tok = strtok_r(line, " \n", &save);
    wp_schedule_params p;
    wp_schedule_params_default(&p);
    if (!tok || wp_sampler_parse(tok, &p.sampler) != 0)
        return -1;
    p.steps = atoi(strtok_r(NULL, " \n", &save));
    p.shift = strtod(strtok_r(NULL, " \n", &save), NULL);
    int want_low = atoi(strtok_r(NULL, " \n", &save));
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_OK);
    CHECK_EQ_INT(wp_schedule_first_low(&p), want_low);
    int bad = 0;
    for (int i = 0; i < 2 * p.steps; i++) {
        tok = strtok_r(NULL, " \n", &save);
        if (!tok)
            return -1;
        float want = (float)strtod(tok, NULL);
        double got = i < p.steps ? st[i].timestep : st[i - p.steps].sigma;
        if ((float)got != want || got != (double)(float)got) {
            if (bad++ < 3)
                fprintf(stderr, "golden mismatch: %s %d steps shift %g, %s[%d]: got %.9g want %.9g\n",
                        wp_sampler_name(p.sampler), p.steps, p.shift, i < p.steps ? "timestep" : "sigma",
                        i % p.steps, got, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
    return 0;
}

static void test_golden(void)
{
    FILE *f = fopen(check_fixture("schedule_golden.txt"), "r");
    CHECK(f != NULL);
    if (!f)
        return;
    static char line[1 << 16];
    static wp_schedule_step st[1024];
    int lines = 0;
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#')
            continue;
        CHECK_EQ_INT(check_golden_line(line, st), 0);
        lines++;
    }
    fclose(f);
    CHECK(lines >= 200); /* 4 samplers x 6 step counts x 10 shifts */
}

/* shared/wan22.md: first low-noise index for 27 steps, boundary 0.875, shifts 1 2 3 5 8 12. */
static void test_switch_table(void)
{
    static const double shifts[6] = {1, 2, 3, 5, 8, 12};
    static const int want[WP_SAMPLER_COUNT][6] = {
        [WP_SAMPLER_WAN] = {4, 6, 9, 12, 15, 18},
        [WP_SAMPLER_SGLANG] = {4, 6, 9, 12, 15, 18},
        [WP_SAMPLER_DIFFUSERS_UNIPC] = {4, 7, 9, 12, 15, 18},
        [WP_SAMPLER_DIFFUSERS_EULER] = {4, 6, 8, 11, 14, 17}, /* one step earlier for shift 3..12 */
    };
    for (int s = 0; s < WP_SAMPLER_COUNT; s++)
        for (int k = 0; k < 6; k++)
            CHECK_EQ_INT(first_low((wp_sampler)s, 27, shifts[k]), want[s][k]);
}

/* Shift 12, 27 steps: the last high-noise step sits exactly on the boundary (875.74 truncated to 875). */
static void test_tie(void)
{
    wp_schedule_params p = params(WP_SAMPLER_WAN, 27, 12.0);
    wp_schedule_step st[27];
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_OK);
    CHECK_EQ_INT(st[17].timestep_int, 875);
    CHECK(st[17].timestep == 875.0);
    CHECK(st[17].timestep_raw > 875.0 && st[17].timestep_raw < 876.0);
    CHECK(st[17].expert == WP_EXPERT_HIGH_NOISE);
    CHECK(st[18].expert == WP_EXPERT_LOW_NOISE);
    CHECK_EQ_INT(st[0].timestep_int, 999); /* sigma_max 0.999 shifted: 999.9 */
    /* diffusers' UniPC starts at sigma 1 - 1e-6: timestep 999, not 1000 */
    p.sampler = WP_SAMPLER_DIFFUSERS_UNIPC;
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_OK);
    CHECK_EQ_INT(st[0].timestep_int, 999);
    CHECK_NEAR(st[0].timestep_raw, 999.999, 1e-9);
    /* Euler keeps float timesteps and starts at 1000 */
    p.sampler = WP_SAMPLER_DIFFUSERS_EULER;
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_OK);
    CHECK(st[0].timestep == 1000.0);
    CHECK(st[1].timestep != floor(st[1].timestep));
}

/* step_at and first_low agree with compute; timesteps never increase; experts switch once. */
static void test_consistency(void)
{
    static wp_schedule_step st[200], one;
    static const int steps[] = {1, 2, 3, 8, 27, 40, 50, 200};
    static const double shifts[] = {0.2, 1, 3, 12, 40};
    for (int s = 0; s < WP_SAMPLER_COUNT; s++)
        for (size_t a = 0; a < sizeof(steps) / sizeof(steps[0]); a++)
            for (size_t b = 0; b < sizeof(shifts) / sizeof(shifts[0]); b++) {
                wp_schedule_params p = params((wp_sampler)s, steps[a], shifts[b]);
                CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_OK);
                int fl = p.steps, bad = 0;
                for (int i = 0; i < p.steps; i++) {
                    CHECK_EQ_INT(wp_schedule_step_at(&p, i, &one), WP_OK);
                    bad += memcmp(&one, &st[i], sizeof(one)) != 0;
                    bad += i > 0 && st[i].timestep > st[i - 1].timestep;
                    bad += i > 0 && st[i].expert < st[i - 1].expert;
                    if (st[i].expert == WP_EXPERT_LOW_NOISE && fl == p.steps)
                        fl = i;
                }
                CHECK_EQ_INT(bad, 0);
                CHECK_EQ_INT(wp_schedule_first_low(&p), fl);
            }
    /* boundary 0: every step is high-noise; boundary 1: only t >= 1000 (Euler's first step) */
    wp_schedule_params p = params(WP_SAMPLER_WAN, 27, 3);
    p.boundary = 0;
    CHECK_EQ_INT(wp_schedule_first_low(&p), 27);
    p.boundary = 1;
    CHECK_EQ_INT(wp_schedule_first_low(&p), 0);
    p.sampler = WP_SAMPLER_DIFFUSERS_EULER;
    CHECK_EQ_INT(wp_schedule_first_low(&p), 1);
}

/* The range found for first_low K is bracketed: K at lo and just below hi, not just below lo nor at hi. */
static void check_edges(wp_sampler s, int steps, int k, const wp_shift_range *r)
{
    if (!r->lo_at_limit) {
        CHECK_EQ_INT(first_low(s, steps, r->lo), k);
        CHECK(first_low(s, steps, nextafter(r->lo, 0)) != k);
    }
    if (!r->hi_at_limit) {
        CHECK(first_low(s, steps, r->hi) != k);
        CHECK_EQ_INT(first_low(s, steps, nextafter(r->hi, 0)), k);
    }
}

static void test_invert(void)
{
    wp_shift_range r[8];
    int n = -1;
    wp_schedule_params p = params(WP_SAMPLER_WAN, 27, 0);
    CHECK_EQ_INT(wp_schedule_invert(&p, 9, 0.1, 100, r, 8, &n), WP_OK); /* --switch-at 10 */
    CHECK_EQ_INT(n, 1);
    CHECK_NEAR(r[0].lo, 2.96, 0.01);
    CHECK_NEAR(r[0].hi, 3.51, 0.01);
    CHECK(r[0].lo <= 3 && 3 < r[0].hi);
    CHECK(!r[0].lo_at_limit && !r[0].hi_at_limit);
    check_edges(WP_SAMPLER_WAN, 27, 9, &r[0]);
    CHECK_EQ_INT(wp_schedule_invert(&p, 18, 0.1, 100, r, 8, &n), WP_OK); /* --switch-at 19 */
    CHECK_EQ_INT(n, 1);
    CHECK(r[0].lo <= 12 && 12 < r[0].hi);
    check_edges(WP_SAMPLER_WAN, 27, 18, &r[0]);
    /* every sampler: the range for each table entry holds its shift, and the ranges tile the scan */
    static const double shifts[6] = {1, 2, 3, 5, 8, 12};
    for (int s = 0; s < WP_SAMPLER_COUNT; s++) {
        p.sampler = (wp_sampler)s;
        for (int k = 0; k < 6; k++) {
            int fl = first_low(p.sampler, 27, shifts[k]);
            CHECK_EQ_INT(wp_schedule_invert(&p, fl, 0.1, 100, r, 8, &n), WP_OK);
            CHECK_EQ_INT(n, 1);
            CHECK(r[0].lo <= shifts[k] && shifts[k] < r[0].hi);
            check_edges(p.sampler, 27, fl, &r[0]);
        }
        double prev_hi = 0.1;
        for (int fl = 0; fl <= 27; fl++) {
            CHECK_EQ_INT(wp_schedule_invert(&p, fl, 0.1, 100, r, 8, &n), WP_OK);
            CHECK(n <= 1);
            if (n == 1) {
                CHECK(r[0].lo == prev_hi);
                prev_hi = r[0].hi;
            }
        }
        CHECK(prev_hi == 100);
    }
    /* at the limits: shift 0.1 switches at index 1 (t 990, then 716), index 0 needs t < 875 at once: unreachable;
     * nothing reaches "never" below 100 */
    p.sampler = WP_SAMPLER_WAN;
    CHECK_EQ_INT(wp_schedule_invert(&p, 1, 0.1, 100, r, 8, &n), WP_OK);
    CHECK_EQ_INT(n, 1);
    CHECK(r[0].lo_at_limit && r[0].lo == 0.1);
    CHECK_EQ_INT(wp_schedule_invert(&p, 0, 0.1, 100, r, 8, &n), WP_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(wp_schedule_invert(&p, 27, 0.1, 100, r, 8, &n), WP_OK);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(wp_schedule_invert(&p, 26, 0.1, 100, NULL, 0, &n), WP_OK); /* counting only */
    CHECK_EQ_INT(n, 1);
}

static void test_known_shifts(void)
{
    const wp_known_shift *k;
    int n = wp_schedule_known_shifts(&k);
    CHECK(n >= 3);
    for (int i = 1; i < n; i++)
        CHECK(k[i].shift > k[i - 1].shift);
    wp_shift_range r[2];
    int count = 0;
    wp_schedule_params p = params(WP_SAMPLER_WAN, 27, 0);
    CHECK_EQ_INT(wp_schedule_invert(&p, 9, 0.1, 100, r, 2, &count), WP_OK); /* the step-10 switch */
    const wp_known_shift *hit = wp_schedule_known_shift_in(&r[0]);
    CHECK(hit != NULL && hit->shift == 3.0 && strstr(hit->where, "480P") != NULL);
    CHECK_EQ_INT(wp_schedule_invert(&p, 18, 0.1, 100, r, 2, &count), WP_OK); /* the configured 19th step */
    hit = wp_schedule_known_shift_in(&r[0]);
    CHECK(hit != NULL && hit->shift == 12.0);
    CHECK_EQ_INT(wp_schedule_invert(&p, 14, 0.1, 100, r, 2, &count), WP_OK); /* between 5 and 8: none */
    CHECK(wp_schedule_known_shift_in(&r[0]) == NULL);
    wp_shift_range edge = {.lo = 2, .hi = 3, .hi_at_limit = 0};
    CHECK(wp_schedule_known_shift_in(&edge) == NULL); /* hi excluded */
    edge.hi_at_limit = 1;
    CHECK(wp_schedule_known_shift_in(&edge) != NULL); /* ... unless it is the scan's end */
    CHECK(wp_schedule_known_shift_in(NULL) == NULL);
}

static void test_bad_input(void)
{
    wp_schedule_step st[4];
    wp_schedule_params p = params(WP_SAMPLER_WAN, 0, 12);
    CHECK(wp_schedule_params_check(&p) != NULL); /* steps 0 */
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_ERR_USAGE);
    CHECK_EQ_INT(wp_schedule_first_low(&p), WP_ERR_USAGE);
    p = params(WP_SAMPLER_WAN, 4, -1);
    CHECK(wp_schedule_params_check(&p) != NULL); /* negative shift */
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_ERR_USAGE);
    p.shift = 0;
    CHECK(wp_schedule_params_check(&p) != NULL);
    p.shift = NAN;
    CHECK(wp_schedule_params_check(&p) != NULL);
    p.shift = INFINITY;
    CHECK(wp_schedule_params_check(&p) != NULL);
    p.shift = 0.009; /* under WP_SCHEDULE_MIN_SHIFT: FlowMatchEuler's float32 sigmas go negative or NaN down there */
    CHECK(wp_schedule_params_check(&p) != NULL);
    p.shift = WP_SCHEDULE_MIN_SHIFT;
    CHECK(wp_schedule_params_check(&p) == NULL);
    p = params(WP_SAMPLER_WAN, 4, 3);
    p.boundary = 1.5;
    CHECK(wp_schedule_params_check(&p) != NULL);
    p.boundary = NAN;
    CHECK(wp_schedule_params_check(&p) != NULL);
    p = params(WP_SAMPLER_WAN, 4, 3);
    p.train_steps = 0;
    CHECK(wp_schedule_params_check(&p) != NULL);
    p = params(WP_SAMPLER_COUNT, 4, 3); /* unknown sampler */
    CHECK(wp_schedule_params_check(&p) != NULL);
    CHECK_EQ_INT(wp_schedule_compute(&p, st), WP_ERR_USAGE);
    p = params(WP_SAMPLER_WAN, 4, 3);
    CHECK(wp_schedule_params_check(&p) == NULL);
    CHECK_EQ_INT(wp_schedule_step_at(&p, 4, st), WP_ERR_USAGE);
    CHECK_EQ_INT(wp_schedule_step_at(&p, -1, st), WP_ERR_USAGE);
    int n = 0;
    wp_shift_range r[2];
    CHECK_EQ_INT(wp_schedule_invert(&p, 5, 0.1, 100, r, 2, &n), WP_ERR_USAGE); /* first_low > steps */
    CHECK_EQ_INT(wp_schedule_invert(&p, -1, 0.1, 100, r, 2, &n), WP_ERR_USAGE);
    CHECK_EQ_INT(wp_schedule_invert(&p, 1, 0, 100, r, 2, &n), WP_ERR_USAGE);
    CHECK_EQ_INT(wp_schedule_invert(&p, 1, 5, 4, r, 2, &n), WP_ERR_USAGE);
}

static void test_names(void)
{
    for (int s = 0; s < WP_SAMPLER_COUNT; s++) {
        wp_sampler got = WP_SAMPLER_COUNT;
        CHECK(wp_sampler_name((wp_sampler)s) != NULL && wp_sampler_describe((wp_sampler)s) != NULL);
        CHECK_EQ_INT(wp_sampler_parse(wp_sampler_name((wp_sampler)s), &got), 0);
        CHECK_EQ_INT(got, s);
    }
    CHECK_EQ_STR(wp_sampler_name(WP_SAMPLER_WAN), "wan");
    CHECK_EQ_STR(wp_sampler_name(WP_SAMPLER_SGLANG), "sglang");
    CHECK_EQ_STR(wp_sampler_name(WP_SAMPLER_DIFFUSERS_UNIPC), "diffusers-unipc");
    CHECK_EQ_STR(wp_sampler_name(WP_SAMPLER_DIFFUSERS_EULER), "diffusers-euler");
    CHECK(wp_sampler_name(WP_SAMPLER_COUNT) == NULL);
    wp_sampler got = WP_SAMPLER_SGLANG;
    CHECK_EQ_INT(wp_sampler_parse("unipc", &got), -1);
    CHECK_EQ_INT(wp_sampler_parse("WAN", &got), -1);
    CHECK_EQ_INT(wp_sampler_parse(NULL, &got), -1);
    CHECK_EQ_INT(got, WP_SAMPLER_SGLANG);
    CHECK_EQ_STR(wp_expert_name(WP_EXPERT_HIGH_NOISE), "high-noise");
    CHECK_EQ_STR(wp_expert_name(WP_EXPERT_LOW_NOISE), "low-noise");
}

int main(void)
{
    test_golden();
    test_switch_table();
    test_tie();
    test_consistency();
    test_invert();
    test_known_shifts();
    test_bad_input();
    test_names();
    return check_done();
}
