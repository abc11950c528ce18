/* wpkernels: the elementwise and normalisation operations of a Wan block (diffusers WanTransformer3DModel), one
 * operation per .cu file, each with a CPU reference test in tests/kernels/. Correct first: simple kernels, fp32 math.
 *
 * Conventions: tensors are row-major and contiguous; shapes are given in comments, e.g. (L, D) = L tokens of D channels.
 * Activations are bf16 or fp32 (wp_dtype); per-channel parameters (modulation, norm weights, gates) are always fp32
 * (diffusers keeps scale_shift_table and the modulation in fp32; a bf16 norm weight converts to fp32 exactly).
 * Statistics and all arithmetic are fp32; bf16 outputs are rounded to nearest even once, at the store.
 * Every launcher enqueues on `stream` and returns cudaSuccess, cudaErrorInvalidValue for bad arguments, or the
 * launch error (cudaGetLastError). Launchers never synchronise. */
#ifndef WP_KERNELS_H
#define WP_KERNELS_H

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { WP_F32 = 0, WP_BF16 = 1 } wp_dtype;

/* LayerNorm over D without affine parameters, then modulation: out = norm(x) * (1 + scale) + shift.
 * out, x: (L, D) of dt (out may equal x); scale, shift: (D) fp32. eps: 1e-6 in Wan. */
cudaError_t layernorm_modulate_forward(void *out, const void *x, const float *scale, const float *shift, int L, int D,
                                       float eps, wp_dtype dt, cudaStream_t stream);

/* Affine LayerNorm over D: out = norm(x) * weight + bias (the cross-attention norm2). weight, bias: (D) fp32. */
cudaError_t layernorm_affine_forward(void *out, const void *x, const float *weight, const float *bias, int L, int D,
                                     float eps, wp_dtype dt, cudaStream_t stream);

/* RMSNorm over the full D (all heads: "rms_norm_across_heads"): out = x / sqrt(mean(x^2) + eps) * weight.
 * out, x: (L, D) of dt (out may equal x); weight: (D) fp32. */
cudaError_t rmsnorm_forward(void *out, const void *x, const float *weight, int L, int D, float eps, wp_dtype dt,
                            cudaStream_t stream);

/* 3D RoPE tables, as diffusers' WanRotaryPosEmbed buffers freqs_cos/freqs_sin: (max_pos, head_dim) fp32, host memory.
 * Columns [0, t) use the frame frequencies of dim t, then h, then w, with h = w = 2 * (head_dim / 6), t = head_dim - h - w;
 * frequency j of an axis of dim d is theta^(-2j/d), each repeated for the two columns of a pair; computed in double and
 * rounded to float. Returns 0, or -1 when head_dim is odd or < 6. */
int rope_table_fill(float *cos_tab, float *sin_tab, int head_dim, int max_pos, double theta);

/* Rotates interleaved pairs (x[2k], x[2k+1]) of q or k: out = (x0 c - x1 s, x0 s + x1 c).
 * out, x: (L, heads, head_dim) of dt (out may equal x); cos_tab, sin_tab: (max_pos, head_dim) fp32 on the device.
 * Token i of this slice is token tok0 + i of the (F, H, W) patch grid (row-major: w fastest), so a sequence-parallel
 * shard passes its offset. Like diffusers' forward, a column's position comes from the split
 * (head_dim - 2*(head_dim/3), head_dim/3, head_dim/3), which differs from the table's split when head_dim % 6 == 4;
 * the cosine of pair k is read at column 2k and the sine at column 2k+1. Needs max(F, H, W) <= max_pos. */
cudaError_t rope_forward(void *out, const void *x, const float *cos_tab, const float *sin_tab, int max_pos, int L,
                         int heads, int head_dim, int F, int H, int W, long tok0, wp_dtype dt, cudaStream_t stream);

/* GELU with the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). out, x: (n) of dt; in place ok. */
cudaError_t gelu_tanh_forward(void *out, const void *x, long n, wp_dtype dt, cudaStream_t stream);

/* Gated residual add, in place: x = x + gate * y, fp32 math, one rounding at the store. x, y: (L, D) of dt;
 * gate: (D) fp32, or NULL for a plain add (the cross-attention residual). */
cudaError_t gated_residual_forward(void *x, const void *y, const float *gate, long L, int D, wp_dtype dt,
                                   cudaStream_t stream);

/* Sinusoidal timestep embedding, diffusers get_timestep_embedding(flip_sin_to_cos=True, downscale_freq_shift=0,
 * max_period=10000): out[b] = (cos(t_b f_0..f_{h-1}), sin(t_b f_0..f_{h-1})), h = dim/2, f_j = exp(-ln(1e4) j / h)
 * with diffusers' fp32 rounding of the exponent, of f_j and of the argument t_b * f_j. out: (B, dim) fp32, dim even;
 * t: (B) fp32 on the device. */
cudaError_t timestep_embedding_forward(float *out, const float *t, int B, int dim, cudaStream_t stream);

/* Patchify, the gather before patch_embedding's Conv3d as a GEMM: latent (C, F, H, W) -> tokens (F/pt * H/ph * W/pw,
 * C*pt*ph*pw), tokens in (f, h, w) order, features in the Conv3d weight order (c, it, ih, iw). */
cudaError_t patchify_forward(void *tokens, const void *latent, int C, int F, int H, int W, int pt, int ph, int pw,
                             wp_dtype dt, cudaStream_t stream);

/* Unpatchify, after proj_out: tokens (F/pt * H/ph * W/pw, pt*ph*pw*C) -> latent (C, F, H, W), features in diffusers'
 * order (it, ih, iw, c) (reshape(..., p_t, p_h, p_w, C) then permute(0, 7, 1, 4, 2, 5, 3, 6)). */
cudaError_t unpatchify_forward(void *latent, const void *tokens, int C, int F, int H, int W, int pt, int ph, int pw,
                               wp_dtype dt, cudaStream_t stream);

/* ---- Attention (attention.cu, attention_wgmma.cu, attention_simt.cu) ---- */

/* Fused attention without a score matrix in memory (flash-style online softmax): for each head h and query i,
 * out[i,h,:] = sum_j softmax_j(scale * q[i,h,:] . k[j,h,:]) v[j,h,:]. No mask, not causal.
 * q, out: (Lq, heads, head_dim); k, v: (Lk, heads, head_dim); token-major as the linears produce them, rows of
 * `heads*head_dim` elements (contiguous). dt WP_BF16: bf16 in/out, fp32 softmax and accumulation on tensor cores;
 * head_dim 64 or 128 (the Wan shapes), any Lq, Lk >= 1. dt WP_F32: fp32 everywhere (verification mode; no TF32),
 * any head_dim <= 256 that is a multiple of 8. Returns cudaErrorInvalidValue for unsupported shapes.
 * bf16 on compute capability 9.0 runs the sm_90a wgmma kernel (P is rounded to bf16 before P V, as in
 * FlashAttention); elsewhere, and for pointers not 16-byte aligned, the portable SIMT kernel (slow). */
cudaError_t attention_forward(void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                              int head_dim, float scale, wp_dtype dt, cudaStream_t stream);

/* Which kernel attention_forward_with runs: AUTO is attention_forward's choice; SIMT forces the portable kernel (any
 * GPU, fp32 or bf16); WGMMA forces the Hopper kernel and returns cudaErrorInvalidValue where it cannot run (not bf16,
 * not compute capability 9.0, pointers not 16-byte aligned). For tests and benchmarks that compare the kernels. */
typedef enum { WP_ATTN_AUTO = 0, WP_ATTN_SIMT = 1, WP_ATTN_WGMMA = 2 } wp_attn_impl;
cudaError_t attention_forward_with(wp_attn_impl impl, void *out, const void *q, const void *k, const void *v, int Lq,
                                   int Lk, int heads, int head_dim, float scale, wp_dtype dt, cudaStream_t stream);

#ifdef __cplusplus
}
#endif
#endif
