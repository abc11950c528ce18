/* The UniPC plans (schedule/unipc.c) against diffusers, without a GPU: tests/reference/runner/loop.safetensors holds,
 * for diffusers' 8-step loop (shift 3), the guided noise prediction the scheduler received at every step and the
 * latents it returned. Feeding the same predictions through our plans, applied here in float32 in the reference's
 * operation order, must give the same latents at every step: ||ours - diffusers|| / ||diffusers|| <= 1e-6 (pure
 * fp32 vector arithmetic; what can differ is an ulp in logf/expm1f of the coefficients). The sigmas of
 * wp_schedule_compute must equal the scheduler's exactly. Also: the plan's structure (corrector from step 1, order
 * 1 at the first and last steps, the final update returning x0). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "schedule.h"
#include "unipc.h"
#include "wpmodel.h"

#define STEPS 8
#define TOL 1e-6

static const wp_st_tensor *need(const wp_safetensors *st, const char *name) {
    const wp_st_tensor *t = wp_st_find(st, name);
    if (!t || t->dtype != WP_ST_F32) {
        fprintf(stderr, "reference tensor %s missing or not F32\n", name);
        exit(1);
    }
    return t;
}

static float *as_floats(const wp_st_tensor *t, size_t *n) {
    *n = t->nbytes / 4;
    float *v = malloc(t->nbytes);
    wp_convert_to_f32(v, t->data, WP_ST_F32, *n);
    return v;
}

static double rel(const float *a, const float *b, size_t n) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - b[i];
        num += d * d;
        den += (double)b[i] * b[i];
    }
    return sqrt(num / den);
}

static void combine(float *out, const float *x, const float *m0, const float *m1, const float *mt,
                    const wp_unipc_coef *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float base = c->cx * x[i] - c->cm * m0[i];
        if (!m1 && !mt) {
            out[i] = base;
            continue;
        }
        float acc = 0.0f;
        if (m1) acc = c->rho_d1 * ((m1[i] - m0[i]) / c->rk);
        if (mt) acc = acc + c->rho_t * (mt[i] - m0[i]);
        out[i] = base - c->cb * acc;
    }
}

static void test_plan_structure(const float *sig) {
    wp_unipc_plan p;
    wp_unipc_plan_step(sig, STEPS, 0, &p);
    CHECK(p.corrector == 0 && p.order == 1);
    wp_unipc_plan_step(sig, STEPS, 1, &p);
    CHECK(p.corrector == 1 && p.corrector_order == 1 && p.order == 2);
    wp_unipc_plan_step(sig, STEPS, 2, &p);
    CHECK(p.corrector_order == 2 && p.order == 2);
    CHECK(fabsf(p.pred.rho_d1 - 0.5f) == 0.0f);
    wp_unipc_plan_step(sig, STEPS, STEPS - 1, &p);
    /* lower_order_final: order 1 to sigma 0, where alpha_t = 1 and h_phi_1 = -1: the update is x0 itself */
    CHECK(p.order == 1 && p.pred.cx == 0.0f && p.pred.cm == -1.0f);
}

int main(void) {
    char path[4096], ipath[4096], err[512];
    snprintf(path, sizeof path, "%s", check_fixture("../reference/runner/loop.safetensors"));
    snprintf(ipath, sizeof ipath, "%s", check_fixture("../reference/runner/inputs.safetensors"));
    wp_safetensors *loop, *inputs;
    if (wp_st_open(path, &loop, err, sizeof err) || wp_st_open(ipath, &inputs, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    size_t n, ns;
    float *sig_ref = as_floats(need(loop, "schedule.sigmas"), &ns);
    CHECK(ns == STEPS + 1);
    wp_schedule_params sp;
    wp_schedule_params_default(&sp);
    sp.sampler = WP_SAMPLER_DIFFUSERS_UNIPC, sp.steps = STEPS, sp.shift = 3.0;
    wp_schedule_step steps[STEPS];
    CHECK(wp_schedule_compute(&sp, steps) == 0);
    float sig[STEPS + 1];
    for (int i = 0; i < STEPS; i++) sig[i] = (float)steps[i].sigma;
    sig[STEPS] = 0.0f;
    for (int i = 0; i <= STEPS; i++) CHECK(sig[i] == sig_ref[i]);
    test_plan_structure(sig);

    float *x = as_floats(need(inputs, "latents"), &n);
    float *hist[3], *last = malloc(n * 4);
    for (int k = 0; k < 3; k++) hist[k] = malloc(n * 4);
    for (int i = 0; i < STEPS; i++) {
        char key[64];
        size_t nm;
        snprintf(key, sizeof key, "fp32.noise_pred.%d", i);
        float *m = as_floats(need(loop, key), &nm);
        CHECK(nm == n);
        wp_unipc_plan p;
        wp_unipc_plan_step(sig, STEPS, i, &p);
        float *x0 = hist[2];
        for (size_t e = 0; e < n; e++) x0[e] = x[e] - sig[i] * m[e];
        if (p.corrector) combine(x, last, hist[1], p.corrector_order == 2 ? hist[0] : NULL, x0, &p.corr, n);
        float *oldest = hist[0];
        hist[0] = hist[1], hist[1] = x0, hist[2] = oldest;
        memcpy(last, x, n * 4);
        combine(x, x, hist[1], p.order == 2 ? hist[0] : NULL, NULL, &p.pred, n);
        snprintf(key, sizeof key, "fp32.latents.%d", i);
        size_t nr;
        float *ref = as_floats(need(loop, key), &nr);
        double r = rel(x, ref, n);
        printf("step %d (t %.0f, order %d, corrector %d): rel %.2e\n", i, steps[i].timestep, p.order,
               p.corrector_order, r);
        CHECK(r <= TOL);
        free(ref);
        free(m);
    }
    for (int k = 0; k < 3; k++) free(hist[k]);
    free(last);
    free(x);
    free(sig_ref);
    wp_st_close(loop);
    wp_st_close(inputs);
    return check_done();
}
