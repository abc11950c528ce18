/* The runner against diffusers (issue #4's acceptance): tests/reference/runner holds a tiny two-expert model saved by
 * diffusers (fp32 shards and a bf16 file), inputs, and what diffusers' WanTransformer3DModel and
 * UniPCMultistepScheduler computed from them on a GPU (make_reference.py). This test loads the same files through
 * the runner and checks
 *   (a) one forward per expert at a given timestep, and
 *   (b) the 8-step loop with both experts, classifier-free guidance and the UniPC update (its timesteps exactly,
 *       its latents after every step, reported, and the final latents, asserted),
 * and (c) that the offload modes (model with pageable memory, layerwise with pinned memory, prefetch 1 and 2)
 * change nothing: the same loop gives bit-identical latents;
 * by ||out - ref|| / ||ref||: fp32 mode <= 1e-4 (fp32 everywhere, no TF32 on either side: what is left is the order
 * of fp32 sums, ~1e-6, amplified by the loop), bf16 mode <= 2e-2 (bf16 activations round at 4e-3 per op; both
 * sides round at the same points but accumulate in different orders). Every attention path present is tested.
 * Exits 77 (skipped) without a GPU. usage: test_runner_reference REFERENCE_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime_api.h>
#include "dit.h"
#include "inputs.h"
#include "loop.h"
#include "offload.h"

#define ERRLEN 1024
#define FP32_TOL 1e-4
#define BF16_TOL 2e-2

static int failures;
static char refdir[2048];

static void die(const char *what, const char *err) {
    fprintf(stderr, "test_runner_reference: %s: %s\n", what, err);
    exit(1);
}

static const char *ref_path(const char *name) {
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", refdir, name);
    return buf;
}

static double rel_error(const float *out, const wp_st_tensor *ref, size_t n, double *max_abs) {
    if (ref->nbytes != n * sizeof(float) || ref->dtype != WP_ST_F32) return INFINITY;
    float *r = malloc(n * sizeof *r);
    wp_convert_to_f32(r, ref->data, WP_ST_F32, n);
    double num = 0, den = 0;
    *max_abs = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)out[i] - r[i];
        if (isnan(out[i])) d = INFINITY;
        num += d * d;
        den += (double)r[i] * r[i];
        if (fabs(d) > *max_abs) *max_abs = fabs(d);
    }
    free(r);
    return sqrt(num / den);
}

static void check(const char *what, const float *out, const wp_safetensors *ref, const char *key, size_t n,
                  double tol, int assert_it) {
    const wp_st_tensor *t = wp_st_find(ref, key);
    if (!t) {
        printf("FAIL %-34s reference has no \"%s\"\n", what, key);
        failures++;
        return;
    }
    double max_abs = 0, rel = rel_error(out, t, n, &max_abs);
    int ok = rel <= tol;
    printf("%s %-34s rel %.3e (tol %.0e)  max|d| %.3e  [%s]\n", !assert_it ? "INFO" : ok ? "PASS" : "FAIL", what,
           rel, tol, max_abs, key);
    if (assert_it && !ok) failures++;
}

typedef struct step_check {
    const wp_safetensors *ref;
    const char *prec;
    size_t n;
    double tol;
    float *host;
} step_check;

static int on_step(const wp_loop_step_info *s, const float *latents, void *user) {
    step_check *c = user;
    cudaMemcpy(c->host, latents, c->n * sizeof(float), cudaMemcpyDeviceToHost);
    char key[64], what[96];
    snprintf(key, sizeof key, "%s.latents.%d", c->prec, s->index);
    snprintf(what, sizeof what, "%s loop step %d (t=%g, %s)", c->prec, s->index, s->timestep,
             wp_expert_name(s->expert));
    check(what, c->host, c->ref, key, c->n, c->tol, 0); /* per step: to locate a divergence */
    return 0;
}

static void check_timesteps(const wp_loop_params *p, const wp_safetensors *ref, const char *prec) {
    char key[64];
    snprintf(key, sizeof key, "%s.timesteps", prec);
    const wp_st_tensor *t = wp_st_find(ref, key);
    wp_schedule_step steps[64];
    if (!t || t->nbytes != (size_t)p->schedule.steps * 4 || p->schedule.steps > 64) {
        printf("FAIL %s timesteps: reference \"%s\" missing or of another length\n", prec, key);
        failures++;
        return;
    }
    float ts[64];
    wp_convert_to_f32(ts, t->data, t->dtype, (size_t)p->schedule.steps);
    wp_schedule_compute(&p->schedule, steps);
    int same = 1;
    for (int i = 0; i < p->schedule.steps; i++) same &= (float)steps[i].timestep == ts[i];
    printf("%s %s timesteps equal diffusers' (%d steps)\n", same ? "PASS" : "FAIL", prec, p->schedule.steps);
    if (!same) failures++;
}

static void load_experts(wp_dit *m, wp_dit_expert experts[2]) {
    char err[ERRLEN];
    const char *dirs[2] = {"tiny/transformer", "tiny/transformer_2"};
    for (int k = 0; k < 2; k++) {
        wp_weights *w;
        if (wp_weights_open(ref_path(dirs[k]), &w, err, ERRLEN) || wp_dit_expert_load(m, &experts[k], w, err, ERRLEN))
            die(dirs[k], err);
        wp_weights_close(w);
    }
}

static void loop_params(const wp_model_config *cfg, wp_loop_params *p) {
    memset(p, 0, sizeof *p);
    wp_schedule_params_default(&p->schedule);
    p->schedule.sampler = WP_SAMPLER_DIFFUSERS_UNIPC;
    p->schedule.steps = 8;
    p->schedule.shift = cfg->flow_shift;
    p->schedule.boundary = cfg->boundary_ratio;
    p->guidance[0] = cfg->guidance[0], p->guidance[1] = cfg->guidance[1];
}

/* (c): the loop again under an offload mode; its final latents must equal `expect` bit for bit. */
static void check_offload(const wp_model_config *cfg, wp_dit *m, const wp_offload_options *o, const float *expect,
                          size_t n, const char *what) {
    char err[ERRLEN];
    wp_dit_expert experts[2];
    load_experts(m, experts);
    wp_offload *off;
    if (wp_offload_create(&off, m, o, experts, 2, err, ERRLEN)) die("offload", err);
    wp_runner_inputs in = {0};
    if (wp_inputs_shape_from_file(ref_path("inputs.safetensors"), cfg, &in, err, ERRLEN) ||
        wp_inputs_upload(&in, ref_path("inputs.safetensors"), cfg, wp_dit_dtype(m), 0, err, ERRLEN))
        die("inputs", err);
    wp_loop_params p;
    loop_params(cfg, &p);
    p.ctx_cond = in.ctx_cond, p.ctx_uncond = in.ctx_uncond;
    if (wp_denoise(m, experts, &p, in.latents, err, ERRLEN)) die(what, err);
    float *got = malloc(n * sizeof *got);
    cudaMemcpy(got, in.latents, n * sizeof *got, cudaMemcpyDeviceToHost);
    wp_offload_stats st;
    wp_offload_get_stats(off, &st);
    int same = memcmp(got, expect, n * sizeof *got) == 0;
    printf("%s %-34s final latents %s the resident run's (%ld H2D, %ld D2H copies, %d switches)\n",
           same ? "PASS" : "FAIL", what, same ? "bit-identical to" : "DIFFER from", st.h2d_copies, st.d2h_copies,
           st.switches);
    if (!same) failures++;
    free(got);
    wp_inputs_free(&in);
    wp_offload_destroy(off);
    wp_dit_expert_free(&experts[0]);
    wp_dit_expert_free(&experts[1]);
}

static void run_precision(const wp_model_config *cfg, wp_dtype dt, wp_attention_path path,
                          const wp_safetensors *fwd_ref, const wp_safetensors *loop_ref) {
    char err[ERRLEN];
    const char *prec = dt == WP_F32 ? "fp32" : "bf16";
    double tol = dt == WP_F32 ? FP32_TOL : BF16_TOL;
    wp_runner_inputs in = {0};
    if (wp_inputs_shape_from_file(ref_path("inputs.safetensors"), cfg, &in, err, ERRLEN)) die("inputs", err);
    wp_dit_shape shape = {in.C, in.F, in.H, in.W, in.text_tokens};
    wp_dit *m;
    if (wp_dit_create(&m, cfg, &shape, dt, path, NULL, err, ERRLEN)) {
        if (path == WP_ATTENTION_CUDNN) {
            printf("SKIP %s with cuDNN attention: %s\n", prec, err);
            return;
        }
        die("wp_dit_create", err);
    }
    printf("---- %s, attention %s\n", prec, wp_dit_attention_name(m));
    wp_dit_expert experts[2];
    load_experts(m, experts);
    size_t n = (size_t)wp_dit_latent_elems(m);
    float *host = malloc(n * sizeof *host);
    const int forward_t[2] = {900, 500};
    const char *names[2] = {"transformer", "transformer_2"};
    for (int k = 0; k < 2; k++) { /* (a) one forward per expert */
        if (wp_inputs_upload(&in, ref_path("inputs.safetensors"), cfg, dt, 0, err, ERRLEN) ||
            wp_forward_once(m, &experts[k], in.latents, (float)forward_t[k], in.ctx_cond, err, ERRLEN))
            die("forward", err);
        cudaMemcpy(host, in.latents, n * sizeof *host, cudaMemcpyDeviceToHost);
        char key[64], what[64];
        snprintf(key, sizeof key, "%s.%s.t%d", prec, names[k], forward_t[k]);
        snprintf(what, sizeof what, "%s forward %s t=%d", prec, names[k], forward_t[k]);
        check(what, host, fwd_ref, key, n, tol, 1);
        wp_inputs_free(&in);
    }
    /* (b) the loop, as make_reference.py runs it: diffusers-unipc, 8 steps, the model's shift, boundary, guidance */
    wp_loop_params p;
    loop_params(cfg, &p);
    check_timesteps(&p, loop_ref, prec);
    if (wp_inputs_upload(&in, ref_path("inputs.safetensors"), cfg, dt, 0, err, ERRLEN)) die("inputs", err);
    step_check sc = {loop_ref, prec, n, tol, host};
    p.ctx_cond = in.ctx_cond, p.ctx_uncond = in.ctx_uncond, p.on_step = on_step, p.user = &sc;
    if (wp_denoise(m, experts, &p, in.latents, err, ERRLEN)) die("loop", err);
    cudaMemcpy(host, in.latents, n * sizeof *host, cudaMemcpyDeviceToHost);
    char key[64], what[64];
    snprintf(key, sizeof key, "%s.final", prec);
    snprintf(what, sizeof what, "%s loop final latents", prec);
    check(what, host, loop_ref, key, n, tol, 1);
    wp_inputs_free(&in);
    wp_dit_expert_free(&experts[0]);
    wp_dit_expert_free(&experts[1]);
    if (dt == WP_F32) {
        const wp_offload_options modes[] = {{WP_OFFLOAD_MODEL, 0, 1, 0}, {WP_OFFLOAD_LAYERWISE, 1, 1, 0},
                                            {WP_OFFLOAD_LAYERWISE, 0, 2, 1}};
        const char *names[] = {"fp32 offload model, pageable", "fp32 offload layerwise, pinned, p1",
                               "fp32 offload layerwise, p2, layer-sync"};
        for (int k = 0; k < 3; k++) check_offload(cfg, m, &modes[k], host, n, names[k]);
    }
    free(host);
    wp_dit_destroy(m);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_runner_reference REFERENCE_DIR\n");
        return 2;
    }
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        printf("SKIP: no CUDA device\n");
        return 77;
    }
    snprintf(refdir, sizeof refdir, "%s", argv[1]);
    char err[ERRLEN];
    wp_model_config cfg;
    if (wp_model_config_load(ref_path("tiny"), &cfg, err, ERRLEN)) die("config", err);
    wp_safetensors *fwd_ref, *loop_ref;
    if (wp_st_open(ref_path("forward.safetensors"), &fwd_ref, err, ERRLEN)) die("forward reference", err);
    if (wp_st_open(ref_path("loop.safetensors"), &loop_ref, err, ERRLEN)) die("loop reference", err);
    run_precision(&cfg, WP_F32, WP_ATTENTION_OWN, fwd_ref, loop_ref);
    run_precision(&cfg, WP_BF16, WP_ATTENTION_OWN, fwd_ref, loop_ref);
    run_precision(&cfg, WP_BF16, WP_ATTENTION_CUDNN, fwd_ref, loop_ref);
    wp_st_close(fwd_ref);
    wp_st_close(loop_ref);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
