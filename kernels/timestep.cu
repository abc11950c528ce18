// timestep.cu: the sinusoidal timestep embedding of the condition embedder (diffusers Timesteps(256,
// flip_sin_to_cos=True, downscale_freq_shift=0)). diffusers computes it in fp32: exponent = fp32(-ln 1e4) * j / half,
// f_j = exp(exponent), arg = t * f_j, all rounded to fp32; we round at the same places so the arguments match bit for
// bit (f_j via a double exp rounded once, i.e. correctly rounded), then take full-precision sinf/cosf.
#include "common.cuh"

#define TS_THREADS 128

__global__ void timestep_embedding_kernel(float *out, const float *t, int B, int half) {
    int b = blockIdx.y;
    for (int j = threadIdx.x + blockIdx.x * blockDim.x; j < half; j += gridDim.x * blockDim.x) {
        float e = __fdiv_rn(__fmul_rn(-9.210340371976184f, (float)j), (float)half); // -ln(10000) * j / half
        float f = (float)exp((double)e);
        float arg = __fmul_rn(t[b], f);
        out[(size_t)b * 2 * half + j] = cosf(arg);        // (B, dim): cos first (flip_sin_to_cos)
        out[(size_t)b * 2 * half + half + j] = sinf(arg); // then sin
    }
}

extern "C" cudaError_t timestep_embedding_forward(float *out, const float *t, int B, int dim, cudaStream_t stream) {
    if (!out || !t || B < 0 || B > 65535 || dim <= 0 || dim % 2) return cudaErrorInvalidValue;
    if (B == 0) return cudaSuccess;
    int half = dim / 2;
    dim3 grid((half + TS_THREADS - 1) / TS_THREADS, B);
    timestep_embedding_kernel<<<grid, TS_THREADS, 0, stream>>>(out, t, B, half);
    return cudaGetLastError();
}
