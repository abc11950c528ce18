/* inputs.h: the loop's inputs on the device: the initial latents (fp32) and the two text contexts (the model's
 * dtype), read from a safetensors file or generated from a seed. */
#ifndef WP_RUNNER_INPUTS_H
#define WP_RUNNER_INPUTS_H

#include "dit.h"

typedef struct wp_runner_inputs {
    int C, F, H, W, text_tokens;
    float *latents;               /* device fp32 (C, F, H, W) */
    void *ctx_cond, *ctx_uncond;  /* device (text_tokens, text_dim) of dt */
} wp_runner_inputs;

/* Reads the shapes (and the tensors) of path: "latents" (1, C, F, H, W) or (C, F, H, W), "prompt_embeds" and
 * "negative_prompt_embeds" (1, T, text_dim) or (T, text_dim). Shapes only: in->latents etc. stay NULL until
 * wp_inputs_upload. 0 or -1 + err naming the file and tensor. */
int wp_inputs_shape_from_file(const char *path, const wp_model_config *cfg, wp_runner_inputs *in, char *err,
                              size_t errlen);
/* Allocates and fills the device tensors: from path when given, else N(0, 1) from seed. */
int wp_inputs_upload(wp_runner_inputs *in, const char *path, const wp_model_config *cfg, wp_dtype dt, uint64_t seed,
                     char *err, size_t errlen);
void wp_inputs_free(wp_runner_inputs *in);

#endif
