/* loop.h: the denoising loop of WanPipeline.__call__ (diffusers pipelines/wan/pipeline_wan.py) on one GPU: per step,
 * the expert the schedule picks (t >= boundary * 1000: the high-noise one), a conditional and an unconditional
 * forward, classifier-free guidance with that expert's scale, and the scheduler update. Latents are fp32 throughout
 * (the pipeline keeps them fp32 and casts the model input to the model's dtype). */
#ifndef WP_RUNNER_LOOP_H
#define WP_RUNNER_LOOP_H

#include "dit.h"
#include "schedule.h"

typedef struct wp_loop_step_info {
    int index, steps;
    double timestep;
    wp_expert expert;
    double guidance;
    double seconds; /* wall time of the step, measured after synchronising its work */
} wp_loop_step_info;

/* Called after each step; returns 0 to go on. latents: the device latents after the step. */
typedef int (*wp_loop_step_fn)(const wp_loop_step_info *info, const float *latents, void *user);

typedef struct wp_loop_params {
    wp_schedule_params schedule;
    double guidance[2];   /* per expert: high-noise, low-noise */
    const void *ctx_cond;   /* (text_tokens, text_dim) of the model's dtype, device */
    const void *ctx_uncond;
    wp_loop_step_fn on_step; /* may be NULL */
    void *user;
} wp_loop_params;

/* Runs the loop over latents (fp32, device, in/out). experts[0] high-noise, experts[1] low-noise. 0, or -1 + err. */
int wp_denoise(wp_dit *m, const wp_dit_expert experts[2], const wp_loop_params *p, float *latents, char *err,
               size_t errlen);

/* One conditional forward (no guidance, no scheduler): latents (fp32, device) is replaced by the model's output at
 * timestep, in fp32. The model input is cast to the model's dtype as the pipeline does. */
int wp_forward_once(wp_dit *m, const wp_dit_expert *e, float *latents, float timestep, const void *ctx, char *err,
                    size_t errlen);

#endif
