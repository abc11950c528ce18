// rmsnorm.cu: RMSNorm over the full hidden dim of q or k (torch.nn.RMSNorm(heads * head_dim), "rms_norm_across_heads"),
// fp32 statistics, out = x * rsqrt(mean(x^2) + eps) * weight. One block per token.
#include "common.cuh"

#define RMS_THREADS 256

template <typename T>
__global__ void rmsnorm_kernel(T *out, const T *x, const float *w, int D, float eps) {
    const T *xr = x + (size_t)blockIdx.x * D; // (D)
    T *orow = out + (size_t)blockIdx.x * D;   // (D)
    float s = 0.0f;
    for (int i = threadIdx.x; i < D; i += blockDim.x) {
        float v = ld(xr + i);
        s += v * v;
    }
    float r = rsqrtf(block_sum(s) / (float)D + eps);
    for (int i = threadIdx.x; i < D; i += blockDim.x) st(orow + i, ld(xr + i) * r * w[i]);
}

extern "C" cudaError_t rmsnorm_forward(void *out, const void *x, const float *weight, int L, int D, float eps,
                                       wp_dtype dt, cudaStream_t stream) {
    if (!out || !x || !weight || L < 0 || D <= 0 || (dt != WP_F32 && dt != WP_BF16)) return cudaErrorInvalidValue;
    if (L == 0) return cudaSuccess;
    if (dt == WP_F32)
        rmsnorm_kernel<<<L, RMS_THREADS, 0, stream>>>((float *)out, (const float *)x, weight, D, eps);
    else
        rmsnorm_kernel<<<L, RMS_THREADS, 0, stream>>>((__nv_bfloat16 *)out, (const __nv_bfloat16 *)x, weight, D, eps);
    return cudaGetLastError();
}
