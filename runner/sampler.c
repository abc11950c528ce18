/* sampler.c: UniPC (bh2) and flow-match Euler updates; see sampler.h. Line references are to diffusers'
 * schedulers/scheduling_unipc_multistep.py (multistep_uni_p_bh_update, multistep_uni_c_bh_update, step). */
#include <stdio.h>
#include <stdlib.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"
#include "ops.h"
#include "sampler.h"

struct wp_sampler_state {
    wp_sampler kind;
    int steps;
    float *sigmas;   /* steps + 1, the last 0 (final_sigmas_type "zero") */
    long n;
    float *x0[3];    /* model outputs as x0 predictions: [older, newer] in use, one spare */
    float *last_sample;
};

int wp_sampler_create(wp_sampler_state **out, const wp_schedule_params *p, const wp_schedule_step *steps, long n,
                      char *err, size_t errlen) {
    *out = NULL;
    wp_sampler_state *s = calloc(1, sizeof *s);
    if (!s || !(s->sigmas = malloc(((size_t)p->steps + 1) * sizeof *s->sigmas))) {
        free(s);
        return wp_dit_fail(err, errlen, "out of host memory");
    }
    s->kind = p->sampler;
    s->steps = p->steps;
    s->n = n;
    for (int i = 0; i < p->steps; i++) s->sigmas[i] = (float)steps[i].sigma;
    s->sigmas[p->steps] = 0.0f;
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++)
        rc = wp_dit_cuda(cudaMalloc((void **)&s->x0[k], (size_t)n * sizeof(float)), "cudaMalloc (sampler)", err, errlen);
    if (rc == 0)
        rc = wp_dit_cuda(cudaMalloc((void **)&s->last_sample, (size_t)n * sizeof(float)), "cudaMalloc (sampler)", err,
                     errlen);
    if (rc) {
        wp_sampler_destroy(s);
        return -1;
    }
    *out = s;
    return 0;
}

void wp_sampler_destroy(wp_sampler_state *s) {
    if (!s) return;
    for (int k = 0; k < 3; k++) cudaFree(s->x0[k]);
    cudaFree(s->last_sample);
    free(s->sigmas);
    free(s);
}

static int unipc_step(wp_sampler_state *s, int i, const void *model_out, wp_dtype dt, float *latents,
                      cudaStream_t stream, char *err, size_t errlen) {
    long n = s->n;
    wp_unipc_plan p;
    wp_unipc_plan_step(s->sigmas, s->steps, i, &p);
    float *x0 = s->x0[2]; /* convert_model_output into the spare buffer */
    if (wp_dit_cuda(flow_x0_forward(x0, latents, model_out, s->sigmas[i], n, dt, stream), "UniPC x0", err, errlen))
        return -1;
    if (p.corrector) {
        const wp_unipc_coef *c = &p.corr;
        if (wp_dit_cuda(unipc_combine_forward(latents, s->last_sample, s->x0[1], p.corrector_order == 2 ? s->x0[0] : NULL,
                                          x0, c->cx, c->cm, c->cb, c->rk, c->rho_d1, c->rho_t, n, stream),
                    "UniPC corrector", err, errlen))
            return -1;
    }
    float *oldest = s->x0[0]; /* model_outputs shift left; the oldest buffer becomes the spare */
    s->x0[0] = s->x0[1];
    s->x0[1] = x0;
    s->x0[2] = oldest;
    if (wp_dit_cuda(cudaMemcpyAsync(s->last_sample, latents, (size_t)n * sizeof(float), cudaMemcpyDeviceToDevice,
                                stream),
                "UniPC last_sample", err, errlen))
        return -1;
    const wp_unipc_coef *c = &p.pred;
    return wp_dit_cuda(unipc_combine_forward(latents, latents, s->x0[1], p.order == 2 ? s->x0[0] : NULL, NULL, c->cx,
                                         c->cm, c->cb, c->rk, c->rho_d1, 0.0f, n, stream),
                   "UniPC predictor", err, errlen);
}

int wp_sampler_step(wp_sampler_state *s, int i, const void *model_out, wp_dtype dt, float *latents,
                    cudaStream_t stream, char *err, size_t errlen) {
    if (i < 0 || i >= s->steps) return wp_dit_fail(err, errlen, "sampler step %d out of 0..%d", i, s->steps - 1);
    if (s->kind == WP_SAMPLER_DIFFUSERS_EULER) {
        float dsigma = s->sigmas[i + 1] - s->sigmas[i];
        return wp_dit_cuda(euler_step_forward(latents, latents, model_out, dsigma, s->n, dt, stream), "Euler step", err,
                       errlen);
    }
    return unipc_step(s, i, model_out, dt, latents, stream, err, errlen);
}
