// attention.cu: attention_forward: checks the arguments and picks the kernel: the sm_90a wgmma kernel for bf16 on a
// device of compute capability 9.0 (the only one it has code for), the portable SIMT kernel otherwise (fp32 mode,
// other GPUs, or pointers not 16-byte aligned).
#include <stdint.h>
#include "attention_impl.h"

#ifndef WP_NO_SM90A
static bool on_sm90(void) {
    int dev = 0, major = 0, minor = 0;
    if (cudaGetDevice(&dev) != cudaSuccess ||
        cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev) != cudaSuccess ||
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev) != cudaSuccess)
        return false;
    return major == 9 && minor == 0;
}

static bool aligned16(const void *p) { return ((uintptr_t)p & 15u) == 0; }
#endif

extern "C" cudaError_t attention_forward_with(wp_attn_impl impl, void *out, const void *q, const void *k,
                                              const void *v, int Lq, int Lk, int heads, int head_dim, float scale,
                                              wp_dtype dt, cudaStream_t stream) {
    if (!out || !q || !k || !v || Lq < 1 || Lk < 1 || heads < 1) return cudaErrorInvalidValue;
    if (dt == WP_BF16) {
        if (head_dim != 64 && head_dim != 128) return cudaErrorInvalidValue;
    } else if (dt == WP_F32) {
        if (head_dim < 8 || head_dim > 256 || head_dim % 8 != 0) return cudaErrorInvalidValue;
    } else {
        return cudaErrorInvalidValue;
    }
#ifdef WP_NO_SM90A // built without sm_90a (CMAKE_CUDA_ARCHITECTURES without 90): no wgmma kernel to launch
    if (impl == WP_ATTN_WGMMA) return cudaErrorInvalidValue;
#else
    bool wgmma_ok = dt == WP_BF16 && on_sm90() && aligned16(out) && aligned16(q) && aligned16(k) && aligned16(v);
    if (impl == WP_ATTN_WGMMA && !wgmma_ok) return cudaErrorInvalidValue;
    if (impl == WP_ATTN_WGMMA || (impl == WP_ATTN_AUTO && wgmma_ok))
        return attention_wgmma_launch(out, q, k, v, Lq, Lk, heads, head_dim, scale, stream);
#endif
    if (impl != WP_ATTN_AUTO && impl != WP_ATTN_SIMT) return cudaErrorInvalidValue;
    return attention_simt_launch(out, q, k, v, Lq, Lk, heads, head_dim, scale, dt, stream);
}

extern "C" cudaError_t attention_forward(void *out, const void *q, const void *k, const void *v, int Lq, int Lk,
                                         int heads, int head_dim, float scale, wp_dtype dt, cudaStream_t stream) {
    return attention_forward_with(WP_ATTN_AUTO, out, q, k, v, Lq, Lk, heads, head_dim, scale, dt, stream);
}
