// ops.cu: the runner's small device operations (see ops.h for what each mirrors in diffusers).
#include "ops.h"
#include "../kernels/common.cuh"

#define OPS_THREADS 256

#define FOR_EACH(i, n) for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < (n); i += (long)gridDim.x * blockDim.x)

// Rounds v as a tensor of T stores it: what one torch op on a T tensor leaves behind.
template <typename T> static __device__ __forceinline__ float round_to(float v) {
    T t;
    st(&t, v);
    return ld(&t);
}

template <typename T> __global__ void silu_kernel(T *out, const T *x, long n) {
    FOR_EACH(i, n) {
        float v = ld(x + i);
        st(out + i, v / (1.0f + expf(-v)));
    }
}

__global__ void fill_kernel(float *dst, float v, long n) {
    FOR_EACH(i, n) dst[i] = v;
}

// One unit T (16 bytes when C and the pointers allow, else 1 byte) per thread: (a, b, c) -> (b, a, c).
template <typename T> __global__ void permute021_kernel(T *out, const T *in, long A, long B, long C) {
    FOR_EACH(i, A * B * C) {
        long c = i % C, ab = i / C, b = ab % B, a = ab / B;
        out[(b * A + a) * C + c] = in[i];
    }
}

template <typename D, typename S> __global__ void cast_kernel(D *dst, const S *src, long n) {
    FOR_EACH(i, n) st(dst + i, ld(src + i));
}

template <typename T> __global__ void table_add_kernel(float *out, const float *table, const T *x, long n) {
    FOR_EACH(i, n) out[i] = table[i] + ld(x + i);
}

template <typename T> __global__ void cfg_kernel(T *out, const T *cond, const T *uncond, float g, long n) {
    FOR_EACH(i, n) {
        float u = ld(uncond + i);
        float d = round_to<T>(ld(cond + i) - u);
        float e = round_to<T>(g * d);
        st(out + i, u + e);
    }
}

template <typename T> __global__ void flow_x0_kernel(float *x0, const float *sample, const T *m, float sigma, long n) {
    FOR_EACH(i, n) x0[i] = sample[i] - round_to<T>(sigma * ld(m + i));
}

__global__ void unipc_kernel(float *out, const float *x, const float *m0, const float *m1, const float *mt, float cx,
                             float cm, float cb, float rk, float rho_d1, float rho_t, long n) {
    FOR_EACH(i, n) {
        float base = cx * x[i] - cm * m0[i];
        if (!m1 && !mt) {
            out[i] = base;
            continue;
        }
        float acc = 0.0f;
        if (m1) acc = rho_d1 * ((m1[i] - m0[i]) / rk);
        if (mt) acc = acc + rho_t * (mt[i] - m0[i]);
        out[i] = base - cb * acc;
    }
}

template <typename T>
__global__ void euler_kernel(float *out, const float *sample, const T *m, float dsigma, long n) {
    FOR_EACH(i, n) out[i] = sample[i] + round_to<T>(dsigma * ld(m + i));
}

static __host__ __device__ __forceinline__ uint64_t splitmix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// A uniform in (0, 1]: 53 random bits, never 0, so the logarithm is finite.
static __device__ __forceinline__ double uniform_open0(uint64_t bits) {
    return ((double)(bits >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

template <typename T>
__global__ void randn_kernel(T *p, long n, uint64_t key, float mean, float std) {
    FOR_EACH(i, n) {
        double u1 = uniform_open0(splitmix64(key ^ (2 * (uint64_t)i)));
        double u2 = uniform_open0(splitmix64(key ^ (2 * (uint64_t)i + 1)));
        double z = sqrt(-2.0 * log(u1)) * cospi(2.0 * u2);
        st(p + i, mean + std * (float)z);
    }
}

static int bad_dtype(wp_dtype dt) { return dt != WP_F32 && dt != WP_BF16; }

extern "C" cudaError_t silu_forward(void *out, const void *x, long n, wp_dtype dt, cudaStream_t stream) {
    if (!out || !x || n < 0 || bad_dtype(dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    if (dt == WP_F32)
        silu_kernel<<<grid_for(n, OPS_THREADS), OPS_THREADS, 0, stream>>>((float *)out, (const float *)x, n);
    else
        silu_kernel<<<grid_for(n, OPS_THREADS), OPS_THREADS, 0, stream>>>((__nv_bfloat16 *)out,
                                                                          (const __nv_bfloat16 *)x, n);
    return cudaGetLastError();
}

extern "C" cudaError_t fill_forward(float *dst, float v, long n, cudaStream_t stream) {
    if (!dst || n < 0) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    fill_kernel<<<grid_for(n, OPS_THREADS), OPS_THREADS, 0, stream>>>(dst, v, n);
    return cudaGetLastError();
}

extern "C" cudaError_t permute021_forward(void *out, const void *in, long A, long B, size_t C,
                                          cudaStream_t stream) {
    if (!out || !in || A < 0 || B < 0) return cudaErrorInvalidValue;
    long n = A * B * (long)C;
    if (n == 0) return cudaSuccess;
    if (C % 16 == 0 && (uintptr_t)out % 16 == 0 && (uintptr_t)in % 16 == 0)
        permute021_kernel<<<grid_for(n / 16, OPS_THREADS), OPS_THREADS, 0, stream>>>((uint4 *)out, (const uint4 *)in, A,
                                                                                      B, (long)C / 16);
    else
        permute021_kernel<<<grid_for(n, OPS_THREADS), OPS_THREADS, 0, stream>>>((unsigned char *)out,
                                                                                (const unsigned char *)in, A, B,
                                                                                (long)C);
    return cudaGetLastError();
}

extern "C" cudaError_t cast_forward(void *dst, wp_dtype dst_dt, const void *src, wp_dtype src_dt, long n,
                                   cudaStream_t stream) {
    if (!dst || !src || n < 0 || bad_dtype(dst_dt) || bad_dtype(src_dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    if (dst_dt == src_dt)
        return cudaMemcpyAsync(dst, src, (size_t)n * (dst_dt == WP_F32 ? 4 : 2), cudaMemcpyDeviceToDevice, stream);
    unsigned grid = grid_for(n, OPS_THREADS);
    if (dst_dt == WP_BF16)
        cast_kernel<<<grid, OPS_THREADS, 0, stream>>>((__nv_bfloat16 *)dst, (const float *)src, n);
    else
        cast_kernel<<<grid, OPS_THREADS, 0, stream>>>((float *)dst, (const __nv_bfloat16 *)src, n);
    return cudaGetLastError();
}

extern "C" cudaError_t table_add_forward(float *out, const float *table, const void *x, long n, wp_dtype dt,
                                        cudaStream_t stream) {
    if (!out || !table || !x || n < 0 || bad_dtype(dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    unsigned grid = grid_for(n, OPS_THREADS);
    if (dt == WP_F32)
        table_add_kernel<<<grid, OPS_THREADS, 0, stream>>>(out, table, (const float *)x, n);
    else
        table_add_kernel<<<grid, OPS_THREADS, 0, stream>>>(out, table, (const __nv_bfloat16 *)x, n);
    return cudaGetLastError();
}

extern "C" cudaError_t cfg_combine_forward(void *out, const void *cond, const void *uncond, float g, long n,
                                          wp_dtype dt, cudaStream_t stream) {
    if (!out || !cond || !uncond || n < 0 || bad_dtype(dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    unsigned grid = grid_for(n, OPS_THREADS);
    if (dt == WP_F32)
        cfg_kernel<<<grid, OPS_THREADS, 0, stream>>>((float *)out, (const float *)cond, (const float *)uncond, g, n);
    else
        cfg_kernel<<<grid, OPS_THREADS, 0, stream>>>((__nv_bfloat16 *)out, (const __nv_bfloat16 *)cond,
                                                     (const __nv_bfloat16 *)uncond, g, n);
    return cudaGetLastError();
}

extern "C" cudaError_t flow_x0_forward(float *x0, const float *sample, const void *model_out, float sigma, long n,
                                      wp_dtype dt, cudaStream_t stream) {
    if (!x0 || !sample || !model_out || n < 0 || bad_dtype(dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    unsigned grid = grid_for(n, OPS_THREADS);
    if (dt == WP_F32)
        flow_x0_kernel<<<grid, OPS_THREADS, 0, stream>>>(x0, sample, (const float *)model_out, sigma, n);
    else
        flow_x0_kernel<<<grid, OPS_THREADS, 0, stream>>>(x0, sample, (const __nv_bfloat16 *)model_out, sigma, n);
    return cudaGetLastError();
}

extern "C" cudaError_t unipc_combine_forward(float *out, const float *x, const float *m0, const float *m1,
                                            const float *mt, float cx, float cm, float cb, float rk, float rho_d1,
                                            float rho_t, long n, cudaStream_t stream) {
    if (!out || !x || !m0 || n < 0) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    unipc_kernel<<<grid_for(n, OPS_THREADS), OPS_THREADS, 0, stream>>>(out, x, m0, m1, mt, cx, cm, cb, rk, rho_d1,
                                                                       rho_t, n);
    return cudaGetLastError();
}

extern "C" cudaError_t euler_step_forward(float *out, const float *sample, const void *model_out, float dsigma,
                                         long n, wp_dtype dt, cudaStream_t stream) {
    if (!out || !sample || !model_out || n < 0 || bad_dtype(dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    unsigned grid = grid_for(n, OPS_THREADS);
    if (dt == WP_F32)
        euler_kernel<<<grid, OPS_THREADS, 0, stream>>>(out, sample, (const float *)model_out, dsigma, n);
    else
        euler_kernel<<<grid, OPS_THREADS, 0, stream>>>(out, sample, (const __nv_bfloat16 *)model_out, dsigma, n);
    return cudaGetLastError();
}

extern "C" cudaError_t randn_fill(void *p, long n, uint64_t seed, uint64_t stream_id, float mean, float std,
                                 wp_dtype dt, cudaStream_t stream) {
    if (!p || n < 0 || bad_dtype(dt)) return cudaErrorInvalidValue;
    if (n == 0) return cudaSuccess;
    // Mixing the stream id through the hash keeps the streams of neighbouring tensors unrelated.
    uint64_t key = splitmix64(seed) ^ splitmix64(stream_id + 0x632be59bd9b4e019ull);
    unsigned grid = grid_for(n, OPS_THREADS);
    if (dt == WP_F32)
        randn_kernel<<<grid, OPS_THREADS, 0, stream>>>((float *)p, n, key, mean, std);
    else
        randn_kernel<<<grid, OPS_THREADS, 0, stream>>>((__nv_bfloat16 *)p, n, key, mean, std);
    return cudaGetLastError();
}
