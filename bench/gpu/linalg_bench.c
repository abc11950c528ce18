// linalg_bench: times wplinalg at the Wan 14B block's full shapes on one GPU and prints one line per measurement,
// read by linalg_bench.py (which times PyTorch on the same shapes and compares):
//   LINEAR <name> <count> <M> <N> <K> <gelu> <ms per call> <TFLOP/s>
//   ATTN <Lq> <Lk> <heads> <head_dim> <ms per call> <TFLOP/s>
// Inputs are uniform random bf16 (data changes power draw, so not zeros); every linear has its bias, as in Wan.
// usage: linalg_bench [linear] [attention]   (both when none is named)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wplinalg.h"

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                                                        \
            fprintf(stderr, __VA_ARGS__);                                                                          \
            fprintf(stderr, "\n");                                                                                 \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)
#define CUDA_OK(call) CHECK((call) == cudaSuccess, "%s failed", #call)

enum { PATTERN = 1 << 24 }; // random bf16 values repeated to fill large buffers (32 MiB, past any cache line reuse)
static uint16_t *pattern;

static void pattern_init(void) {
    pattern = malloc(PATTERN * sizeof *pattern);
    CHECK(pattern, "out of host memory");
    uint64_t s = 0x5eedu;
    for (int i = 0; i < PATTERN; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        float f = (float)((s >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f; // U(-1, 1)
        uint32_t u;
        memcpy(&u, &f, 4);
        pattern[i] = (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }
}

static void *device_random_bf16(size_t n) {
    void *d = NULL;
    CUDA_OK(cudaMalloc(&d, n * 2));
    for (size_t off = 0; off < n; off += PATTERN) {
        size_t len = n - off < PATTERN ? n - off : PATTERN;
        CUDA_OK(cudaMemcpy((char *)d + off * 2, pattern, len * 2, cudaMemcpyHostToDevice));
    }
    return d;
}

static float *device_bias(int n) {
    float *h = malloc((size_t)n * 4), *d = NULL;
    CHECK(h, "out of host memory");
    for (int i = 0; i < n; i++) h[i] = 0.01f * (float)((i * 37) % 101 - 50);
    CUDA_OK(cudaMalloc((void **)&d, (size_t)n * 4));
    CUDA_OK(cudaMemcpy(d, h, (size_t)n * 4, cudaMemcpyHostToDevice));
    free(h);
    return d;
}

typedef struct {
    const char *name;
    int count, M, N, K, gelu;
} shape;

// Mean ms per call over iters calls after warm calls, timed with events around the whole batch.
static double time_linear(wp_linalg *la, const shape *s, int warm, int iters) {
    void *x = device_random_bf16((size_t)s->M * s->K), *W = device_random_bf16((size_t)s->N * s->K), *y = NULL;
    float *b = device_bias(s->N);
    CUDA_OK(cudaMalloc(&y, (size_t)s->M * s->N * 2));
    cudaEvent_t t0, t1;
    CUDA_OK(cudaEventCreate(&t0));
    CUDA_OK(cudaEventCreate(&t1));
    for (int i = 0; i < warm + iters; i++) {
        if (i == warm) CUDA_OK(cudaEventRecord(t0, 0));
        int rc = wp_linear(la, y, x, W, b, s->M, s->N, s->K, s->gelu, WP_BF16, 0);
        CHECK(rc == 0, "wp_linear %s: %s", s->name, wp_linalg_error(la));
    }
    CUDA_OK(cudaEventRecord(t1, 0));
    CUDA_OK(cudaEventSynchronize(t1));
    float ms = 0;
    CUDA_OK(cudaEventElapsedTime(&ms, t0, t1));
    cudaFree(x), cudaFree(W), cudaFree(y), cudaFree(b);
    cudaEventDestroy(t0), cudaEventDestroy(t1);
    return ms / iters;
}

static void bench_linears(wp_linalg *la) {
    // One Wan 14B block on 18,900 tokens (one GPU's share of 75,600 at 4-way sequence parallelism), text of 512 tokens.
    static const shape shapes[] = {
        {"self_qkvo", 4, 18900, 5120, 5120, 0}, {"cross_q_o", 2, 18900, 5120, 5120, 0},
        {"cross_k_v", 2, 512, 5120, 5120, 0},   {"ffn_up_gelu", 1, 18900, 13824, 5120, 1},
        {"ffn_down", 1, 18900, 5120, 13824, 0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const shape *s = &shapes[i];
        double ms = time_linear(la, s, 5, 30);
        double tflops = 2.0 * s->M * s->N * s->K / (ms * 1e-3) / 1e12;
        printf("LINEAR %s %d %d %d %d %d %.4f %.1f\n", s->name, s->count, s->M, s->N, s->K, s->gelu, ms, tflops);
        fflush(stdout);
    }
}

static void bench_attention(wp_linalg *la, int L, int heads, int hd, int iters) {
    size_t n = (size_t)L * heads * hd;
    void *q = device_random_bf16(n), *k = device_random_bf16(n), *v = device_random_bf16(n), *o = NULL;
    CUDA_OK(cudaMalloc(&o, n * 2));
    float scale = 1.0f / sqrtf((float)hd);
    CHECK(wp_attention_cudnn(la, o, q, k, v, L, L, heads, hd, scale, 0) == 0, "%s", wp_linalg_error(la)); // plan
    CUDA_OK(cudaDeviceSynchronize());
    cudaEvent_t t0, t1;
    CUDA_OK(cudaEventCreate(&t0));
    CUDA_OK(cudaEventCreate(&t1));
    CUDA_OK(cudaEventRecord(t0, 0));
    for (int i = 0; i < iters; i++)
        CHECK(wp_attention_cudnn(la, o, q, k, v, L, L, heads, hd, scale, 0) == 0, "%s", wp_linalg_error(la));
    CUDA_OK(cudaEventRecord(t1, 0));
    CUDA_OK(cudaEventSynchronize(t1));
    float ms = 0;
    CUDA_OK(cudaEventElapsedTime(&ms, t0, t1));
    ms /= iters;
    double tflops = 4.0 * L * (double)L * hd * heads / (ms * 1e-3) / 1e12;
    printf("ATTN %d %d %d %d %.3f %.1f\n", L, L, heads, hd, ms, tflops);
    fflush(stdout);
    cudaFree(q), cudaFree(k), cudaFree(v), cudaFree(o);
    cudaEventDestroy(t0), cudaEventDestroy(t1);
}

int main(int argc, char **argv) {
    int linear = argc < 2, attention = argc < 2;
    for (int i = 1; i < argc; i++) {
        linear |= strcmp(argv[i], "linear") == 0;
        attention |= strcmp(argv[i], "attention") == 0;
    }
    char err[256];
    wp_linalg *la = NULL;
    CHECK(wp_linalg_create(&la, err, sizeof err) == 0, "%s", err);
    struct cudaDeviceProp p;
    CUDA_OK(cudaGetDeviceProperties(&p, 0));
    printf("DEVICE %s\n", p.name);
    pattern_init();
    if (linear) bench_linears(la);
    if (attention) bench_attention(la, 75600, 10, 128, 3);
    wp_linalg_destroy(la);
    free(pattern);
    return 0;
}
