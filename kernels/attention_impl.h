/* attention_impl.h: the kernels behind attention_forward (attention.cu validates the arguments and picks one).
 * Both take arguments already checked: pointers non-NULL, Lq, Lk, heads >= 1, head_dim supported by the kernel. */
#ifndef WP_ATTENTION_IMPL_H
#define WP_ATTENTION_IMPL_H

#include "wpkernels.h"

/* Portable kernel (sm_90 SASS + compute_90 PTX): one warp per (query, head), fp32 online softmax. fp32 or bf16 in/out,
 * any head_dim <= 256 that is a multiple of 8. Slow: the fp32 verification mode and the fallback off Hopper. */
cudaError_t attention_simt_launch(void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                                  int head_dim, float scale, wp_dtype dt, cudaStream_t stream);

/* Hopper kernel (sm_90a only: wgmma): bf16, head_dim 64 or 128, all four pointers 16-byte aligned. Launch it only on
 * a device of compute capability 9.0 (it has no code for any other). */
cudaError_t attention_wgmma_launch(void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                                   int head_dim, float scale, cudaStream_t stream);

#endif
