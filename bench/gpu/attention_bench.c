// attention_bench: times attention_forward (bf16, the kernel attention_forward picks) on the Wan shapes and prints one
// line per shape: "ours <name> Lq Lk heads head_dim ms TFLOP/s" with FLOPs = 4 Lq Lk head_dim heads (the two
// products; softmax not counted), the convention FlashAttention and the issue use. Inputs: seeded uniform values in
// [-1.7, 1.7) (unit variance, as after the RMSNorm of q and k), one buffer set sized for the largest shape.
// usage: attention_bench [iterations]   (default 10, after 2 warm-up runs; mean of the timed runs)
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cuda_runtime_api.h>
#include "wpkernels.h"

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        cudaError_t e_ = (call);                                                                                   \
        if (e_ != cudaSuccess) {                                                                                   \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_));                \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

typedef struct {
    const char *name;
    int Lq, Lk, heads, head_dim;
} bench_shape;

static const bench_shape shapes[] = {
    {"self_full", 75600, 75600, 10, 128}, // Wan 14B 720p self-attention, 40 heads split 4 ways
    {"cross", 75600, 512, 10, 128},       // cross-attention to 512 text tokens
    {"self_8k", 8192, 8192, 10, 128},
    {"self_d64", 32768, 32768, 10, 64},
};

// Seeded bf16 values in [-1.7, 1.7): the top 16 bits of an fp32 (truncation is fine for timing data).
static void *random_bf16(size_t n, uint64_t seed) {
    uint16_t *h = malloc(n * 2);
    if (!h) exit(1);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        float f = -1.7f + 3.4f * (float)((seed >> 40) * (1.0 / 16777216.0));
        uint32_t u;
        memcpy(&u, &f, 4);
        h[i] = (uint16_t)(u >> 16);
    }
    void *d = NULL;
    CHECK(cudaMalloc(&d, n * 2));
    CHECK(cudaMemcpy(d, h, n * 2, cudaMemcpyHostToDevice));
    free(h);
    return d;
}

int main(int argc, char **argv) {
    int iters = argc > 1 ? atoi(argv[1]) : 10;
    if (iters < 1) iters = 1;
    struct cudaDeviceProp prop;
    CHECK(cudaGetDeviceProperties(&prop, 0));
    printf("device %s sm_%d%d %d SMs\n", prop.name, prop.major, prop.minor, prop.multiProcessorCount);
    size_t most = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t n = (size_t)shapes[s].Lq * shapes[s].heads * shapes[s].head_dim;
        most = n > most ? n : most;
    }
    void *q = random_bf16(most, 1), *k = random_bf16(most, 2), *v = random_bf16(most, 3), *out = NULL;
    CHECK(cudaMalloc(&out, most * 2));
    cudaEvent_t t0, t1;
    CHECK(cudaEventCreate(&t0));
    CHECK(cudaEventCreate(&t1));
    printf("%-4s %-10s %6s %6s %5s %8s %10s %9s\n", "who", "shape", "Lq", "Lk", "heads", "head_dim", "ms", "TFLOP/s");
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const bench_shape *b = &shapes[s];
        float scale = 1.0f / sqrtf((float)b->head_dim);
        for (int i = 0; i < 2; i++)
            CHECK(attention_forward(out, q, k, v, b->Lq, b->Lk, b->heads, b->head_dim, scale, WP_BF16, 0));
        CHECK(cudaEventRecord(t0, 0));
        for (int i = 0; i < iters; i++)
            CHECK(attention_forward(out, q, k, v, b->Lq, b->Lk, b->heads, b->head_dim, scale, WP_BF16, 0));
        CHECK(cudaEventRecord(t1, 0));
        CHECK(cudaEventSynchronize(t1));
        float ms = 0;
        CHECK(cudaEventElapsedTime(&ms, t0, t1));
        ms /= iters;
        double flops = 4.0 * b->Lq * (double)b->Lk * b->head_dim * b->heads;
        printf("%-4s %-10s %6d %6d %5d %8d %10.3f %9.1f\n", "ours", b->name, b->Lq, b->Lk, b->heads, b->head_dim, ms,
               flops / (ms * 1e-3) / 1e12);
    }
    CHECK(cudaFree(q));
    CHECK(cudaFree(k));
    CHECK(cudaFree(v));
    CHECK(cudaFree(out));
    return 0;
}
