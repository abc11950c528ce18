// gelu.cu: GELU with the tanh approximation (torch gelu(approximate="tanh"), the FFN's and the text embedder's act).
#include "common.cuh"

#define GELU_THREADS 256

template <typename T>
__global__ void gelu_tanh_kernel(T *out, const T *x, long n) {
    const float k_beta = 0.7978845608028654f; // sqrt(2 / pi)
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
        float v = ld(x + i);
        st(out + i, 0.5f * v * (1.0f + tanhf(k_beta * (v + 0.044715f * v * v * v))));
    }
}

extern "C" cudaError_t gelu_tanh_forward(void *out, const void *x, long n, wp_dtype dt, cudaStream_t stream) {
    if (!out || !x || n < 0 || (dt != WP_F32 && dt != WP_BF16)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    unsigned grid = grid_for(n, GELU_THREADS);
    if (dt == WP_F32)
        gelu_tanh_kernel<<<grid, GELU_THREADS, 0, stream>>>((float *)out, (const float *)x, n);
    else
        gelu_tanh_kernel<<<grid, GELU_THREADS, 0, stream>>>((__nv_bfloat16 *)out, (const __nv_bfloat16 *)x, n);
    return cudaGetLastError();
}
