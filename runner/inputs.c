/* inputs.c: the loop's inputs (see inputs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime_api.h>
#include "dit_internal.h"
#include "inputs.h"
#include "ops.h"

/* Random streams of the inputs: far from the weights' (one per tensor index, below 2^32). */
#define INPUT_STREAM_BASE (1ull << 40)

/* The shape of t without a leading batch of 1, if it has `want` dims after that; -1 otherwise. */
static int unbatched(const wp_st_tensor *t, int want, int64_t *dims) {
    int skip = t->ndim == want + 1 && t->shape[0] == 1;
    if (t->ndim - skip != want) return -1;
    for (int d = 0; d < want; d++) dims[d] = t->shape[d + skip];
    return 0;
}

static const wp_st_tensor *need(const wp_safetensors *st, const char *path, const char *name, char *err,
                                size_t errlen) {
    const wp_st_tensor *t = wp_st_find(st, name);
    if (!t) wp_dit_fail(err, errlen, "%s: no tensor \"%s\"", path, name);
    else if (t->dtype == WP_ST_OTHER)
        wp_dit_fail(err, errlen, "%s: tensor \"%s\" is not F32, BF16 or F16", path, name), t = NULL;
    return t;
}

static int read_shapes(const wp_safetensors *st, const char *path, const wp_model_config *cfg, wp_runner_inputs *in,
                       char *err, size_t errlen) {
    const wp_st_tensor *lat = need(st, path, "latents", err, errlen);
    const wp_st_tensor *pos = lat ? need(st, path, "prompt_embeds", err, errlen) : NULL;
    const wp_st_tensor *neg = pos ? need(st, path, "negative_prompt_embeds", err, errlen) : NULL;
    if (!neg) return -1;
    int64_t l[4], p[2], n[2];
    if (unbatched(lat, 4, l)) return wp_dit_fail(err, errlen, "%s: \"latents\" must be (1, C, F, H, W)", path);
    if (unbatched(pos, 2, p) || unbatched(neg, 2, n) || p[0] != n[0] || p[1] != n[1])
        return wp_dit_fail(err, errlen, "%s: prompt_embeds and negative_prompt_embeds must both be (1, T, text_dim)",
                           path);
    if (p[1] != cfg->text_dim)
        return wp_dit_fail(err, errlen, "%s: prompt_embeds have width %lld, the model's text_dim is %d", path,
                           (long long)p[1], cfg->text_dim);
    for (int d = 0; d < 4; d++)
        if (l[d] > (1 << 20)) return wp_dit_fail(err, errlen, "%s: \"latents\" dimension %lld too large", path,
                                                 (long long)l[d]);
    if (p[0] > (1 << 20)) return wp_dit_fail(err, errlen, "%s: %lld text tokens: too many", path, (long long)p[0]);
    in->C = (int)l[0], in->F = (int)l[1], in->H = (int)l[2], in->W = (int)l[3], in->text_tokens = (int)p[0];
    return 0;
}

int wp_inputs_shape_from_file(const char *path, const wp_model_config *cfg, wp_runner_inputs *in, char *err,
                              size_t errlen) {
    wp_safetensors *st;
    if (wp_st_open(path, &st, err, errlen)) return -1;
    int rc = read_shapes(st, path, cfg, in, err, errlen);
    wp_st_close(st);
    return rc;
}

/* Converts t on the host to dt and copies it to dev. */
static int upload_tensor(void *dev, const wp_st_tensor *t, wp_dtype dt, size_t n, char *err, size_t errlen) {
    void *host = malloc(n * wp_dtype_size(dt));
    if (!host) return wp_dit_fail(err, errlen, "out of host memory");
    if (dt == WP_F32)
        wp_convert_to_f32(host, t->data, t->dtype, n);
    else
        wp_convert_to_bf16(host, t->data, t->dtype, n);
    int rc = wp_dit_cuda(cudaMemcpy(dev, host, n * wp_dtype_size(dt), cudaMemcpyHostToDevice), t->name, err, errlen);
    free(host);
    return rc;
}

int wp_inputs_upload(wp_runner_inputs *in, const char *path, const wp_model_config *cfg, wp_dtype dt, uint64_t seed,
                     char *err, size_t errlen) {
    size_t nlat = (size_t)in->C * in->F * in->H * in->W, nctx = (size_t)in->text_tokens * cfg->text_dim;
    if (wp_dit_cuda(cudaMalloc((void **)&in->latents, nlat * 4), "cudaMalloc (latents)", err, errlen) ||
        wp_dit_cuda(cudaMalloc(&in->ctx_cond, nctx * wp_dtype_size(dt)), "cudaMalloc (text)", err, errlen) ||
        wp_dit_cuda(cudaMalloc(&in->ctx_uncond, nctx * wp_dtype_size(dt)), "cudaMalloc (text)", err, errlen))
        return -1;
    if (!path) {
        uint64_t id = INPUT_STREAM_BASE;
        int rc = wp_dit_cuda(randn_fill(in->latents, (long)nlat, seed, id, 0.0f, 1.0f, WP_F32, 0), "random latents",
                             err, errlen);
        if (rc == 0) rc = wp_dit_cuda(randn_fill(in->ctx_cond, (long)nctx, seed, id + 1, 0.0f, 1.0f, dt, 0),
                                      "random text", err, errlen);
        if (rc == 0) rc = wp_dit_cuda(randn_fill(in->ctx_uncond, (long)nctx, seed, id + 2, 0.0f, 1.0f, dt, 0),
                                      "random text", err, errlen);
        if (rc == 0) rc = wp_dit_cuda(cudaDeviceSynchronize(), "random inputs", err, errlen);
        return rc;
    }
    wp_safetensors *st;
    if (wp_st_open(path, &st, err, errlen)) return -1;
    int rc = upload_tensor(in->latents, wp_st_find(st, "latents"), WP_F32, nlat, err, errlen);
    if (rc == 0) rc = upload_tensor(in->ctx_cond, wp_st_find(st, "prompt_embeds"), dt, nctx, err, errlen);
    if (rc == 0) rc = upload_tensor(in->ctx_uncond, wp_st_find(st, "negative_prompt_embeds"), dt, nctx, err, errlen);
    wp_st_close(st);
    return rc;
}

void wp_inputs_free(wp_runner_inputs *in) {
    cudaFree(in->latents);
    cudaFree(in->ctx_cond);
    cudaFree(in->ctx_uncond);
    in->latents = NULL, in->ctx_cond = in->ctx_uncond = NULL;
}
