/* ops.h: the runner's own small device operations, those of the diffusers forward and pipeline that are not Wan block
 * kernels (kernels/wpkernels.h): activations and casts around the condition embedder, the modulation sum,
 * classifier-free guidance and the scheduler updates, and seeded random fills. Each mirrors the dtype of each
 * intermediate in diffusers (bf16 tensors round after every torch op), because the bf16 mode is checked against it.
 * Launchers enqueue on `stream`, never synchronise, and return the launch error. n counts elements. */
#ifndef WP_RUNNER_OPS_H
#define WP_RUNNER_OPS_H

#include <stdint.h>
#include "wpkernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out = x * sigmoid(x) (nn.SiLU), fp32 math, rounded to dt once; in place ok. */
cudaError_t silu_forward(void *out, const void *x, long n, wp_dtype dt, cudaStream_t stream);
/* dst[0..n) = v (fp32): a scalar for a kernel that reads it from the device, without a host copy (a pageable
 * cudaMemcpyAsync would synchronise the stream first). */
cudaError_t fill_forward(float *dst, float v, long n, cudaStream_t stream);
/* out (B, A, C bytes) = in (A, B, C bytes) with the first two axes swapped: the packing around Ulysses'
 * all-to-all. out must not alias in. */
cudaError_t permute021_forward(void *out, const void *in, long A, long B, size_t C, cudaStream_t stream);
/* Converts n elements between fp32 and bf16 (round to nearest even); same dtype is a copy. */
cudaError_t cast_forward(void *dst, wp_dtype dst_dt, const void *src, wp_dtype src_dt, long n, cudaStream_t stream);
/* out = table + float(x): the fp32 modulation, scale_shift_table + temb.float() (out, table fp32; x of dt). */
cudaError_t table_add_forward(float *out, const float *table, const void *x, long n, wp_dtype dt,
                              cudaStream_t stream);
/* Classifier-free guidance as WanPipeline writes it, noise = uncond + g * (cond - uncond), each torch op rounded to
 * dt (bf16: three roundings). out may equal cond or uncond. */
cudaError_t cfg_combine_forward(void *out, const void *cond, const void *uncond, float g, long n, wp_dtype dt,
                                cudaStream_t stream);
/* UniPC's convert_model_output for flow prediction: x0 = sample - sigma * model_out (the product rounded to the
 * model's dt, as a 0-dim fp32 tensor times a bf16 tensor is bf16; the difference fp32). x0, sample fp32. */
cudaError_t flow_x0_forward(float *x0, const float *sample, const void *model_out, float sigma, long n, wp_dtype dt,
                            cudaStream_t stream);
/* The UniPC bh2 predictor/corrector combination (diffusers multistep_uni_p_bh_update / multistep_uni_c_bh_update with
 * predict_x0), in fp32 and in its operation order:
 *   x_t_ = cx * x - cm * m0
 *   acc  = rho_d1 * ((m1 - m0) / rk)      when m1 (the older model output) is given, else 0
 *   acc  = acc + rho_t * (mt - m0)        when mt (the corrector's new model output) is given
 *   out  = x_t_ - cb * acc                when m1 or mt is given, else x_t_
 * cx = sigma_t / sigma_s0, cm = alpha_t * h_phi_1, cb = alpha_t * B_h. out may alias x. */
cudaError_t unipc_combine_forward(float *out, const float *x, const float *m0, const float *m1, const float *mt,
                                  float cx, float cm, float cb, float rk, float rho_d1, float rho_t, long n,
                                  cudaStream_t stream);
/* Flow-match Euler (diffusers FlowMatchEulerDiscreteScheduler.step): out = sample + dsigma * model_out, the product
 * rounded to the model's dt, the sum fp32. out may alias sample. */
cudaError_t euler_step_forward(float *out, const float *sample, const void *model_out, float dsigma, long n,
                               wp_dtype dt, cudaStream_t stream);
/* Fills n elements with mean + std * N(0,1), a pure function of (seed, stream_id, index) (counter-based hash and
 * Box-Muller), so the same weights come out on any GPU and any launch configuration. */
cudaError_t randn_fill(void *p, long n, uint64_t seed, uint64_t stream_id, float mean, float std, wp_dtype dt,
                       cudaStream_t stream);

#ifdef __cplusplus
}
#endif
#endif
