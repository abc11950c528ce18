/* What the files of wplinalg share: the wp_linalg struct and the error setter. Not installed; not an API. */
#ifndef WP_LINALG_INTERNAL_H
#define WP_LINALG_INTERNAL_H

#include <cublasLt.h>
#include "wplinalg.h"

enum { WP_GEMM_PLANS = 64 };         /* distinct linear shapes a model uses: a Wan forward has about ten */
#define WP_GEMM_WORKSPACE (64u << 20) /* cuBLASLt's Hopper kernels want 32 MiB+ for split-K and stream-K */

/* One cached linear: the shape and pointer alignments it was chosen for, its descriptors and algorithm. */
struct wp_gemm_plan {
    int used, M, N, K, gelu, has_bias;
    wp_dtype dt;
    int align_x, align_w, align_y; /* bytes, powers of two up to 256: the heuristic depends on them */
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t w_layout, x_layout, y_layout;
    cublasLtMatmulAlgo_t algo;
};

struct wp_sdpa_state; /* attention_cudnn.c: the cuDNN handle and plans (opaque here, so cudnn.h stays optional) */

struct wp_linalg {
    cublasLtHandle_t lt;
    void *workspace; /* WP_GEMM_WORKSPACE bytes of device memory, for cuBLASLt */
    struct wp_gemm_plan gemm[WP_GEMM_PLANS];
    int gemm_next_evict; /* round-robin victim once the cache is full */
    void *bias_bf16; /* the bf16 copy of the current bf16 linear's bias (bias_bf16.cu) */
    int bias_bf16_len;
    struct wp_sdpa_state *sdpa;
    char err[512];
};

/* printf-style message into la->err; returns -1 so callers can `return wp_linalg_fail(...)`. */
int wp_linalg_fail(wp_linalg *la, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* out (n) bf16 = in (n) fp32 rounded to nearest even, enqueued on stream (bias_bf16.cu). */
cudaError_t wp_bias_to_bf16(void *out, const float *in, int n, cudaStream_t stream);
/* Frees the GEMM plans' descriptors (gemm.c) and the cuDNN state (attention_cudnn.c). */
void wp_gemm_plans_free(wp_linalg *la);
void wp_sdpa_free(struct wp_sdpa_state *s);

#endif
