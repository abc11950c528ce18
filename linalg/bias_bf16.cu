// bias_bf16.cu: the one kernel of wplinalg. cuBLASLt's bf16 GEMMs take their epilogue bias only in bf16 (an fp32
// bias with bf16 output was refused, CUBLAS_STATUS_INVALID_VALUE, on cuBLAS 13.0 / H200), so wp_linear rounds the
// caller's fp32 bias to bf16 (nearest even, as torch's .to(bfloat16)) on the stream, just before the GEMM.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

__global__ void bias_to_bf16_kernel(__nv_bfloat16 *out, const float *in, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = __float2bfloat16_rn(in[i]);
}

extern "C" cudaError_t wp_bias_to_bf16(void *out, const float *in, int n, cudaStream_t stream) {
    const int threads = 256;
    bias_to_bf16_kernel<<<(n + threads - 1) / threads, threads, 0, stream>>>((__nv_bfloat16 *)out, in, n);
    return cudaGetLastError();
}
