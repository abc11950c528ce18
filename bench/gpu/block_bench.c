/* block_bench: the time of one Wan block forward through the runner, at the full model's shapes, for the comparison
 * with PyTorch (block_bench.py runs diffusers' own WanTransformer3DModel on the same shapes; block_bench.sh runs
 * both). A block's time is measured as t(forward with 2 layers) - t(forward with 1 layer), so the embedders and the
 * head (the same on both sides) cancel. Random weights and inputs (the speed does not depend on the values).
 * usage: block_bench CONFIG C,F,H,W TEXT_TOKENS ITERS own|cudnn
 * prints one line: layers1_ms=... layers2_ms=... block_ms=... attention=... tokens=... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime_api.h>
#include "dit.h"
#include "inputs.h"
#include "loop.h"

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

static void die(const char *what, const char *err) {
    fprintf(stderr, "block_bench: %s: %s\n", what, err);
    exit(1);
}

/* Median milliseconds of one forward with `layers` blocks. */
static float time_forward(wp_model_config cfg, int layers, const wp_dit_shape *shape, int iters,
                          wp_attention_path path, const char **attention) {
    char err[1024];
    cfg.layers = layers;
    wp_dit *m;
    wp_dit_expert e;
    wp_runner_inputs in = {shape->C, shape->F, shape->H, shape->W, shape->text_tokens, NULL, NULL, NULL};
    if (wp_dit_create(&m, &cfg, shape, WP_BF16, path, NULL, err, sizeof err)) die("wp_dit_create", err);
    *attention = wp_dit_attention_name(m);
    if (wp_dit_expert_random(m, &e, 1, err, sizeof err)) die("weights", err);
    if (wp_inputs_upload(&in, NULL, &cfg, WP_BF16, 1, err, sizeof err)) die("inputs", err);
    size_t bytes = (size_t)wp_dit_latent_elems(m) * 2;
    void *lat, *out;
    if (cudaMalloc(&lat, bytes) || cudaMalloc(&out, bytes)) die("cudaMalloc", "out of device memory");
    cudaMemset(lat, 0, bytes);
    cudaStream_t s = wp_dit_stream(m);
    cudaEvent_t a, b;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    float *ms = calloc((size_t)iters, sizeof *ms);
    for (int i = -2; i < iters; i++) { /* two warm-up forwards: plans, heuristics, lazy module loads */
        cudaEventRecord(a, s);
        if (wp_dit_forward(m, &e, out, lat, 500.0f, in.ctx_cond, err, sizeof err)) die("forward", err);
        cudaEventRecord(b, s);
        cudaEventSynchronize(b);
        if (i >= 0) cudaEventElapsedTime(&ms[i], a, b);
    }
    qsort(ms, (size_t)iters, sizeof *ms, cmp_float);
    float median = ms[iters / 2];
    free(ms);
    cudaFree(lat);
    cudaFree(out);
    wp_inputs_free(&in);
    wp_dit_expert_free(&e);
    wp_dit_destroy(m);
    return median;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: block_bench CONFIG C,F,H,W TEXT_TOKENS ITERS own|cudnn\n");
        return 2;
    }
    char err[1024];
    wp_model_config cfg;
    if (wp_model_config_load(argv[1], &cfg, err, sizeof err)) die(argv[1], err);
    wp_dit_shape shape;
    if (sscanf(argv[2], "%d,%d,%d,%d", &shape.C, &shape.F, &shape.H, &shape.W) != 4) die(argv[2], "not C,F,H,W");
    shape.text_tokens = atoi(argv[3]);
    int iters = atoi(argv[4]);
    wp_attention_path path = strcmp(argv[5], "cudnn") == 0 ? WP_ATTENTION_CUDNN : WP_ATTENTION_OWN;
    if (iters < 1) die(argv[4], "ITERS must be >= 1");
    const char *attention = "";
    float t1 = time_forward(cfg, 1, &shape, iters, path, &attention);
    float t2 = time_forward(cfg, 2, &shape, iters, path, &attention);
    int tokens = shape.F / cfg.patch[0] * (shape.H / cfg.patch[1]) * (shape.W / cfg.patch[2]);
    printf("impl=wanprof attention=%s tokens=%d layers1_ms=%.3f layers2_ms=%.3f block_ms=%.3f\n", attention, tokens,
           t1, t2, t2 - t1);
    return 0;
}
