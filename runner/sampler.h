/* sampler.h: the scheduler update of the denoising loop, on the GPU: UniPC multistep (flow prediction, order 2,
 * bh2, predictor + corrector, lower order at the start and at the end; diffusers' UniPCMultistepScheduler with
 * use_flow_sigmas, which Wan's and SGLang's FlowUniPC copy) for the wan, sglang and diffusers-unipc samplers, and
 * flow-match Euler for diffusers-euler. The sigmas come from schedule/ (the same code as `wanprof schedule`), with
 * the final sigma 0 that every one of them appends. Coefficients are computed on the host in float32, as the
 * references compute them with 0-dim float32 tensors (schedule/unipc.c plans each step). */
#ifndef WP_RUNNER_SAMPLER_H
#define WP_RUNNER_SAMPLER_H

#include "schedule.h"
#include "unipc.h"
#include "wpkernels.h"

typedef struct wp_sampler_state wp_sampler_state;

/* steps: the schedule (p->steps entries); n: latent elements. 0, or -1 with err filled. */
int wp_sampler_create(wp_sampler_state **out, const wp_schedule_params *p, const wp_schedule_step *steps, long n,
                      char *err, size_t errlen);
void wp_sampler_destroy(wp_sampler_state *s);
/* Step i (called for i = 0, 1, ... in order): latents (fp32, device, in/out) <- the scheduler's update with
 * model_out (the guided flow prediction, of dtype dt). Enqueued on stream. 0, or -1 with err filled. */
int wp_sampler_step(wp_sampler_state *s, int i, const void *model_out, wp_dtype dt, float *latents,
                    cudaStream_t stream, char *err, size_t errlen);


#endif
