/* wplinalg: the Wan block's matrix work through NVIDIA's libraries: the linears (torch.nn.Linear) through cuBLASLt,
 * with the bias and GELU in the GEMM's epilogue, and fused (flash) attention through cuDNN's backend graph API.
 * Host C, plus one tiny kernel (the bf16 bias rounding). One wp_linalg per device holds the handles, the GEMM
 * workspace and the plans cached per shape; it is not thread-safe, and calls on several streams at once must not
 * share one (the workspace and the bf16 bias buffer are shared). Tensors are row-major and contiguous, as in
 * wpkernels.h; shapes in comments, e.g. (M, K). */
#ifndef WP_LINALG_H
#define WP_LINALG_H

#include <stddef.h>
#include <cuda_runtime_api.h>
#include "wpkernels.h" /* wp_dtype */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wp_linalg wp_linalg; /* per-device handles, workspace, cached plans/heuristics */

/* Creates the cuBLASLt handle and workspace on the current device (cuDNN starts lazily, at the first attention
 * call). Returns 0, or -1 with the reason in err (errlen bytes, may be 0). */
int wp_linalg_create(wp_linalg **out, char *err, size_t errlen);
/* Frees everything; NULL is ignored. Synchronises the device first (plans may still be in use by queued work). */
void wp_linalg_destroy(wp_linalg *la);

/* y = x W^T (+ bias) (then GELU-tanh if gelu), as torch.nn.Linear: x (M, K), W (N, K) as PyTorch stores Linear
 * weights, bias (N) fp32 or NULL, y (M, N); y may not alias x.
 * dt WP_BF16: bf16 x/W/y, fp32 accumulate, bias and GELU in the cuBLASLt epilogue, one rounding at the store; the
 *   epilogue takes a bf16 bias only, so the fp32 bias is rounded to bf16 (nearest even) on the stream first, as in a
 *   torch model cast to bf16 (exact for biases that came from a bf16 checkpoint).
 * dt WP_F32: fp32 with fp32 compute and no TF32 (CUBLAS_COMPUTE_32F; the verification mode).
 * Returns 0, a cublasStatus_t (> 0), or -1 for bad arguments or no algorithm; the message is in wp_linalg_error.
 * Enqueues on stream; never synchronises. */
int wp_linear(wp_linalg *la, void *y, const void *x, const void *W, const float *bias, int M, int N, int K, int gelu,
              wp_dtype dt, cudaStream_t stream);

/* cuDNN fused attention (flash, cuDNN 9 backend graph): out = softmax(scale q k^T) v per head.
 * q, out (Lq, heads, head_dim); k, v (Lk, heads, head_dim): token-major rows of heads*head_dim, bf16 only, pointers
 * 16-byte aligned; non-causal, no mask. A plan is built once per (Lq, Lk, heads, head_dim) and cached.
 * Returns 0, or -1 when cuDNN cannot run this shape (message in wp_linalg_error): the caller falls back to
 * its own kernel. Enqueues on stream. */
int wp_attention_cudnn(wp_linalg *la, void *out, const void *q, const void *k, const void *v, int Lq, int Lk,
                       int heads, int head_dim, float scale, cudaStream_t stream);
/* 1 when cuDNN is present and has an SDPA engine for a probe shape (256 x 256, 2 heads of 128), else 0. */
int wp_attention_cudnn_available(wp_linalg *la);

/* The last error's message ("" when none); valid until the next call on la. */
const char *wp_linalg_error(const wp_linalg *la);

#ifdef __cplusplus
}
#endif
#endif
