// residual.cu: the block's residual adds, x = x + gate * y in fp32 (diffusers: (x.float() + y * gate).type_as(x)),
// and x = x + y for the ungated cross-attention residual.
#include "common.cuh"

#define RES_THREADS 256

template <typename T>
__global__ void gated_residual_kernel(T *x, const T *y, const float *gate, long n, int D) {
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
        float g = gate ? gate[i % D] : 1.0f;
        st(x + i, ld(x + i) + g * ld(y + i));
    }
}

extern "C" cudaError_t gated_residual_forward(void *x, const void *y, const float *gate, long L, int D, wp_dtype dt,
                                              cudaStream_t stream) {
    if (!x || !y || L < 0 || D <= 0 || (dt != WP_F32 && dt != WP_BF16)) return cudaErrorInvalidValue;
    long n = L * D;
    if (n == 0) return cudaSuccess;
    unsigned grid = grid_for(n, RES_THREADS);
    if (dt == WP_F32)
        gated_residual_kernel<<<grid, RES_THREADS, 0, stream>>>((float *)x, (const float *)y, gate, n, D);
    else
        gated_residual_kernel<<<grid, RES_THREADS, 0, stream>>>((__nv_bfloat16 *)x, (const __nv_bfloat16 *)y, gate,
                                                                n, D);
    return cudaGetLastError();
}
