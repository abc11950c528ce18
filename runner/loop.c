/* loop.c: the denoising loop (see loop.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"
#include "loop.h"
#include "marks.h"
#include "offload.h"
#include "ops.h"
#include "sampler.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct loop_buffers {
    void *input, *cond, *uncond; /* (latent) of the model's dtype */
} loop_buffers;

static void buffers_free(loop_buffers *b) {
    cudaFree(b->input);
    cudaFree(b->cond);
    cudaFree(b->uncond);
}

/* The expert changes at this step. With the model offload the swap itself is the range "expert switch: ..."
 * (offload.c); otherwise no weights move, and this mark still tells the analyzer where the switch fell. */
static void mark_switch(const wp_dit *m, wp_expert from, wp_expert to) {
    if (wp_offload_moves_experts(m->off)) return;
    char text[96];
    snprintf(text, sizeof text, "expert switch: %s -> %s (no weights move)", wp_expert_name(from), wp_expert_name(to));
    wp_mark_instant(text);
}

static int one_step(wp_dit *m, const wp_dit_expert *e, const wp_loop_params *p, const wp_schedule_step *st, int i,
                    wp_sampler_state *sampler, loop_buffers *b, float *latents, char *err, size_t errlen) {
    long n = wp_dit_latent_elems(m);
    float t = (float)st->timestep;
    double g = p->guidance[st->expert];
    if (wp_dit_cuda(cast_forward(b->input, m->dt, latents, WP_F32, n, m->stream), "latent cast", err, errlen))
        return -1;
    const wp_dist *d = wp_dit_dist(m);
    int split = d && d->cfg_parallel == 2; /* CFG-parallel: this rank's group runs one of the two forwards */
    for (int which = 0; which < 2; which++) {
        if (split && which != d->group) continue;
        wp_mark_push(which == 0 ? "forward cond" : "forward uncond", -1);
        int rc = wp_dit_forward(m, e, which == 0 ? b->cond : b->uncond, b->input, t,
                                which == 0 ? p->ctx_cond : p->ctx_uncond, err, errlen);
        wp_mark_pop();
        if (rc) return -1;
    }
    if (split && wp_dist_cfg_exchange(d, d->group == 0 ? b->uncond : b->cond, d->group == 0 ? b->cond : b->uncond,
                                      (size_t)n, m->dt, m->stream))
        return wp_dit_fail(err, errlen, "CFG-parallel exchange failed");
    if (wp_dit_cuda(cfg_combine_forward(b->cond, b->cond, b->uncond, (float)g, n, m->dt, m->stream), "guidance",
                    err, errlen))
        return -1;
    return wp_sampler_step(sampler, i, b->cond, m->dt, latents, m->stream, err, errlen);
}

int wp_denoise(wp_dit *m, const wp_dit_expert experts[2], const wp_loop_params *p, float *latents, char *err,
               size_t errlen) {
    const wp_schedule_params *sp = &p->schedule;
    const char *bad = wp_schedule_params_check(sp);
    if (bad) return wp_dit_fail(err, errlen, "schedule: %s", bad);
    wp_schedule_step *steps = malloc((size_t)sp->steps * sizeof *steps);
    if (!steps) return wp_dit_fail(err, errlen, "out of host memory");
    wp_schedule_compute(sp, steps);
    long n = wp_dit_latent_elems(m);
    size_t bytes = (size_t)n * wp_dtype_size(m->dt);
    loop_buffers b = {0};
    wp_sampler_state *sampler = NULL;
    int rc = wp_dit_cuda(cudaMalloc(&b.input, bytes), "cudaMalloc (loop)", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaMalloc(&b.cond, bytes), "cudaMalloc (loop)", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaMalloc(&b.uncond, bytes), "cudaMalloc (loop)", err, errlen);
    if (rc == 0) rc = wp_sampler_create(&sampler, sp, steps, n, err, errlen);
    for (int i = 0; rc == 0 && i < sp->steps; i++) {
        double t0 = now_seconds();
        const wp_dit_expert *e = &experts[steps[i].expert];
        char mark[128]; /* "step N" first: the analyzer's default step pattern; the payload is N */
        snprintf(mark, sizeof mark, "step %d (t=%g, %s, guidance %g)", i, steps[i].timestep,
                 wp_expert_name(steps[i].expert), p->guidance[steps[i].expert]);
        wp_mark_push(mark, i);
        if (i > 0 && steps[i].expert != steps[i - 1].expert) mark_switch(m, steps[i - 1].expert, steps[i].expert);
        rc = one_step(m, e, p, &steps[i], i, sampler, &b, latents, err, errlen);
        if (rc == 0) rc = wp_dit_cuda(cudaStreamSynchronize(m->stream), "denoising step", err, errlen);
        wp_mark_pop();
        if (rc == 0 && p->on_step) {
            wp_loop_step_info info = {i, sp->steps, steps[i].timestep, steps[i].expert, p->guidance[steps[i].expert],
                                      now_seconds() - t0};
            if (p->on_step(&info, latents, p->user) != 0) rc = wp_dit_fail(err, errlen, "stopped at step %d", i);
        }
    }
    wp_sampler_destroy(sampler);
    buffers_free(&b);
    free(steps);
    return rc;
}

int wp_forward_once(wp_dit *m, const wp_dit_expert *e, float *latents, float timestep, const void *ctx, char *err,
                    size_t errlen) {
    long n = wp_dit_latent_elems(m);
    size_t bytes = (size_t)n * wp_dtype_size(m->dt);
    void *input = NULL, *output = NULL;
    int rc = wp_dit_cuda(cudaMalloc(&input, bytes), "cudaMalloc (forward)", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaMalloc(&output, bytes), "cudaMalloc (forward)", err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cast_forward(input, m->dt, latents, WP_F32, n, m->stream), "latent cast", err,
                                  errlen);
    if (rc == 0) rc = wp_dit_forward(m, e, output, input, timestep, ctx, err, errlen);
    if (rc == 0) rc = wp_dit_cuda(cast_forward(latents, WP_F32, output, m->dt, n, m->stream), "output cast", err,
                                  errlen);
    if (rc == 0) rc = wp_dit_cuda(cudaStreamSynchronize(m->stream), "forward", err, errlen);
    cudaFree(input);
    cudaFree(output);
    return rc;
}
