// attention_simt.cu: the portable attention kernel: one warp per (query row, head) walks all keys with an online
// softmax in fp32 (running max m, running sum l, output rescaled by exp(m_old - m_new) when the max grows).
// Lane t holds columns t, t+32, ... of q and of the output (head_dim <= 256: at most 8 per lane). No tensor cores and
// no shared memory: it is the fp32 verification mode and the fallback where the sm_90a kernel cannot run.
#include <math.h>
#include "attention_impl.h"
#include "common.cuh"

#define SIMT_WARPS 4 // query rows per block
#define SIMT_COLS 8  // columns per lane: head_dim <= 8 * 32

template <typename T>
__global__ void __launch_bounds__(SIMT_WARPS * 32)
    attention_simt_kernel(T *out, const T *q, const T *k, const T *v, int Lq, int Lk, int heads, int D, float scale) {
    const int lane = threadIdx.x & 31;
    const long row = (long)blockIdx.x * SIMT_WARPS + (threadIdx.x >> 5);
    if (row >= Lq) return;
    const size_t stride = (size_t)heads * D; // elements per token in q, k, v, out
    const size_t col0 = (size_t)blockIdx.y * D;
    float qv[SIMT_COLS], o[SIMT_COLS];
#pragma unroll
    for (int u = 0; u < SIMT_COLS; u++) {
        int d = lane + 32 * u;
        qv[u] = d < D ? ld(q + row * stride + col0 + d) : 0.0f;
        o[u] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;
    for (long j = 0; j < Lk; j++) {
        const T *kr = k + j * stride + col0, *vr = v + j * stride + col0;
        float s = 0.0f;
#pragma unroll
        for (int u = 0; u < SIMT_COLS; u++)
            if (lane + 32 * u < D) s = fmaf(qv[u], ld(kr + lane + 32 * u), s);
        // Butterfly sum: every lane ends with the same bits (each step adds the same two values, in either order).
        for (int off = 16; off > 0; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
        s *= scale;
        float m_new = fmaxf(m, s);
        float corr = expf(m - m_new); // 0 for the first key (m = -inf)
        float p = expf(s - m_new);
        l = l * corr + p;
#pragma unroll
        for (int u = 0; u < SIMT_COLS; u++)
            if (lane + 32 * u < D) o[u] = fmaf(p, ld(vr + lane + 32 * u), o[u] * corr);
        m = m_new;
    }
    const float inv_l = 1.0f / l;
#pragma unroll
    for (int u = 0; u < SIMT_COLS; u++)
        if (lane + 32 * u < D) st(out + row * stride + col0 + lane + 32 * u, o[u] * inv_l);
}

cudaError_t attention_simt_launch(void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                                  int head_dim, float scale, wp_dtype dt, cudaStream_t stream) {
    if (head_dim > 32 * SIMT_COLS || heads > 65535) return cudaErrorInvalidValue;
    dim3 grid((unsigned)((Lq + SIMT_WARPS - 1) / SIMT_WARPS), (unsigned)heads);
    if (dt == WP_F32)
        attention_simt_kernel<<<grid, SIMT_WARPS * 32, 0, stream>>>((float *)out, (const float *)q, (const float *)k,
                                                                    (const float *)v, Lq, Lk, heads, head_dim, scale);
    else
        attention_simt_kernel<<<grid, SIMT_WARPS * 32, 0, stream>>>(
            (__nv_bfloat16 *)out, (const __nv_bfloat16 *)q, (const __nv_bfloat16 *)k, (const __nv_bfloat16 *)v, Lq,
            Lk, heads, head_dim, scale);
    return cudaGetLastError();
}
