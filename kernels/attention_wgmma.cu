// attention_wgmma.cu: the Hopper attention kernel (sm_90a; bf16 in/out, head_dim 64 or 128), FlashAttention style:
// each block owns 128 query rows of one head, two warpgroups of 64 rows each; it walks the keys in tiles of 128.
// Per tile: S = Q K^T on the tensor cores (wgmma, Q and K from shared memory), the online softmax on S in registers
// (fp32, exp2 with the scale folded in), P rounded to bf16 and fed from registers as the A operand of O += P V
// (wgmma, V from shared memory read transposed). The score matrix never leaves registers. K and V tiles are loaded
// with cp.async into two stages, so tile t+1 streams in while tile t is computed; rows past Lq or Lk load as zeros
// and the keys past Lk are masked to -inf before the softmax.
#include <cuda_bf16.h>
#include <math.h>
#include "attention_impl.h"
#include "attention_wgmma_ops.cuh"

#define WG_ROWS 64  // query rows per warpgroup: the wgmma M
#define TILE 128    // query rows per block (2 warpgroups) and keys per K/V tile
#define THREADS 256 // two warpgroups

template <int D> struct AttnSmem {
    static constexpr uint32_t tile_bytes = TILE * D * 2;                     // one 128-row bf16 tile
    static constexpr uint32_t total = 5 * tile_bytes + 1024;                 // Q, 2 x (K, V), 1024-byte alignment slack
};

// Copies rows [r0, r0 + TILE) of head h of a (L, heads, D) tensor into a swizzled tile; rows from `valid` on are zeros.
template <int D>
static __device__ __forceinline__ void load_tile(uint32_t tile, const __nv_bfloat16 *g, long r0, long valid,
                                                 size_t stride, int h) {
    constexpr int CHUNKS = D / 8; // 16-byte chunks per row
#pragma unroll
    for (int id = threadIdx.x; id < TILE * CHUNKS; id += THREADS) {
        int r = id / CHUNKS, c = id % CHUNKS;
        bool in = r < valid;
        const __nv_bfloat16 *src = in ? g + (size_t)(r0 + r) * stride + (size_t)h * D + c * 8 : g;
        cp_async16(tile + sw128_offset(r, c, TILE), src, in ? 16 : 0);
    }
}

// S (this warpgroup's 64 rows x 128 keys) = Q K^T, K = D in steps of 16.
template <int D> static __device__ __forceinline__ void scores(float (&s)[TILE / 2], uint32_t sq, uint32_t sk, int wg) {
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < D / 16; kk++) {
        uint32_t block = (uint32_t)(kk >> 2) * TILE * 128, step = (uint32_t)(kk & 3) * 32;
        wgmma_ss_m64n128(s, smem_desc(sq + block + wg * WG_ROWS * 128 + step, 16, 1024),
                         smem_desc(sk + block + step, 16, 1024), kk > 0);
    }
    wgmma_commit();
}

// O (64 x D) += P V: P from registers (k = 16 keys per step), V (TILE keys x D) read MN-major.
template <int D>
static __device__ __forceinline__ void accumulate_pv(float (&o)[D / 2], const uint32_t (&p)[TILE / 16][4], uint32_t sv) {
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < TILE / 16; kk++) {
        uint64_t desc = smem_desc(sv + kk * 16 * 128, TILE * 128, 1024);
        if constexpr (D == 128)
            wgmma_rs_m64n128_tb(o, p[kk], desc);
        else
            wgmma_rs_m64n64_tb(o, p[kk], desc);
    }
    wgmma_commit();
}

// Online softmax step for one tile. s holds this thread's scores (accumulator layout: s[4c], s[4c+1] in row r0 and
// s[4c+2], s[4c+3] in row r0 + 8, columns 8c + 2 (lane % 4) + {0, 1}); the 4 lanes of a quad share a row.
// m: running max of scale*log2(e)*score per row; l: this thread's part of the running sum. Rescales o, writes P.
template <int D>
static __device__ __forceinline__ void softmax_step(float (&s)[TILE / 2], float (&o)[D / 2], uint32_t (&p)[TILE / 16][4],
                                                    float (&m)[2], float (&l)[2], int valid, float scale_log2) {
    const int lane = threadIdx.x & 31;
    if (valid < TILE) {
#pragma unroll
        for (int c = 0; c < TILE / 8; c++) {
            int col = 8 * c + 2 * (lane & 3);
            if (col >= valid) s[4 * c] = s[4 * c + 2] = -INFINITY;
            if (col + 1 >= valid) s[4 * c + 1] = s[4 * c + 3] = -INFINITY;
        }
    }
    float corr[2];
#pragma unroll
    for (int r = 0; r < 2; r++) {
        float mx = -INFINITY;
#pragma unroll
        for (int c = 0; c < TILE / 8; c++) mx = fmaxf(mx, fmaxf(s[4 * c + 2 * r], s[4 * c + 2 * r + 1]));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
        float m_new = fmaxf(m[r], mx * scale_log2); // every row has a valid key in every tile: m_new is finite
        corr[r] = fast_exp2(m[r] - m_new);          // 0 on the first tile (m = -inf)
        m[r] = m_new;
        float sum = 0.0f;
#pragma unroll
        for (int c = 0; c < TILE / 8; c++) {
            s[4 * c + 2 * r] = fast_exp2(fmaf(s[4 * c + 2 * r], scale_log2, -m_new));
            s[4 * c + 2 * r + 1] = fast_exp2(fmaf(s[4 * c + 2 * r + 1], scale_log2, -m_new));
            sum += s[4 * c + 2 * r] + s[4 * c + 2 * r + 1];
        }
        l[r] = l[r] * corr[r] + sum;
    }
#pragma unroll
    for (int c = 0; c < D / 8; c++) {
        o[4 * c] *= corr[0], o[4 * c + 1] *= corr[0];
        o[4 * c + 2] *= corr[1], o[4 * c + 3] *= corr[1];
    }
    // The accumulator layout of S is the register layout of wgmma's A operand: keys 16kk .. 16kk+15 are s chunks 2kk
    // and 2kk+1.
#pragma unroll
    for (int kk = 0; kk < TILE / 16; kk++) {
        p[kk][0] = pack_bf16x2(s[8 * kk], s[8 * kk + 1]);
        p[kk][1] = pack_bf16x2(s[8 * kk + 2], s[8 * kk + 3]);
        p[kk][2] = pack_bf16x2(s[8 * kk + 4], s[8 * kk + 5]);
        p[kk][3] = pack_bf16x2(s[8 * kk + 6], s[8 * kk + 7]);
    }
}

// out rows of this thread (r0 = block row + 16 warp + lane / 4, and r0 + 8) = o / l, rounded to bf16.
template <int D>
static __device__ __forceinline__ void store_out(__nv_bfloat16 *out, float (&o)[D / 2], float (&l)[2], long r0, int Lq,
                                                 size_t stride, int h) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int r = 0; r < 2; r++) {
        float sum = l[r];
        sum += __shfl_xor_sync(0xffffffffu, sum, 1);
        sum += __shfl_xor_sync(0xffffffffu, sum, 2);
        float inv = 1.0f / sum;
        long row = r0 + 8 * r;
        if (row >= Lq) continue;
        __nv_bfloat16 *dst = out + (size_t)row * stride + (size_t)h * D + 2 * (lane & 3);
#pragma unroll
        for (int c = 0; c < D / 8; c++)
            *reinterpret_cast<uint32_t *>(dst + 8 * c) = pack_bf16x2(o[4 * c + 2 * r] * inv, o[4 * c + 2 * r + 1] * inv);
    }
}

template <int D>
__global__ void __launch_bounds__(THREADS, 1)
    attention_wgmma_kernel(__nv_bfloat16 *out, const __nv_bfloat16 *q, const __nv_bfloat16 *k,
                           const __nv_bfloat16 *v, int Lq, int Lk, int heads, float scale_log2) {
    extern __shared__ uint8_t smem_raw[];
    constexpr uint32_t TB = AttnSmem<D>::tile_bytes;
    const uint32_t sq = ((uint32_t)__cvta_generic_to_shared(smem_raw) + 1023u) & ~1023u; // Q, then stages (K, V) x 2
    const int h = blockIdx.y, wg = threadIdx.x >> 7, warp = (threadIdx.x >> 5) & 3, lane = threadIdx.x & 31;
    const long q0 = (long)blockIdx.x * TILE;
    const size_t stride = (size_t)heads * D;
    const int ntiles = (Lk + TILE - 1) / TILE;

    // cp.async groups, in order: {Q, K0}, {V0}, then per tile t: {K(t+1)}, {V(t+1)} (empty on the last tile), so
    // "at most 3 pending" means K(t) has landed and "at most 2" means V(t) has.
    load_tile<D>(sq, q, q0, Lq - q0, stride, h);
    load_tile<D>(sq + TB, k, 0, Lk, stride, h);
    cp_async_commit();
    load_tile<D>(sq + 2 * TB, v, 0, Lk, stride, h);
    cp_async_commit();

    float o[D / 2];
#pragma unroll
    for (int i = 0; i < D / 2; i++) o[i] = 0.0f;
    float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f};
    for (int t = 0; t < ntiles; t++) {
        const uint32_t sk = sq + TB + (uint32_t)(t & 1) * 2 * TB, sv = sk + TB;
        if (t + 1 < ntiles) { // into the other stage, free since the barrier that ended tile t-1
            const uint32_t nk = sq + TB + (uint32_t)((t + 1) & 1) * 2 * TB;
            long j1 = (long)(t + 1) * TILE;
            load_tile<D>(nk, k, j1, Lk - j1, stride, h);
            cp_async_commit();
            load_tile<D>(nk + TB, v, j1, Lk - j1, stride, h);
        } else {
            cp_async_commit();
        }
        cp_async_commit();

        cp_async_wait<3>();
        fence_proxy_async();
        __syncthreads();
        float s[TILE / 2];
        scores<D>(s, sq, sk, wg);
        wgmma_wait<0>();
        fence_regs(s);

        uint32_t p[TILE / 16][4];
        softmax_step<D>(s, o, p, m, l, Lk - t * TILE, scale_log2);

        cp_async_wait<2>();
        fence_proxy_async();
        __syncthreads();
        accumulate_pv<D>(o, p, sv);
        wgmma_wait<0>();
        fence_regs(o);
        __syncthreads(); // every warpgroup is done with this stage before tile t+1 refills it
    }
    store_out<D>(out, o, l, q0 + wg * WG_ROWS + warp * 16 + (lane >> 2), Lq, stride, h);
}

template <int D>
static cudaError_t launch(void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                          float scale, cudaStream_t stream) {
    const int smem = (int)AttnSmem<D>::total;
    cudaError_t e = cudaFuncSetAttribute(attention_wgmma_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
    if (e != cudaSuccess) return e;
    dim3 grid((unsigned)((Lq + TILE - 1) / TILE), (unsigned)heads);
    attention_wgmma_kernel<D><<<grid, THREADS, smem, stream>>>(
        (__nv_bfloat16 *)out, (const __nv_bfloat16 *)q, (const __nv_bfloat16 *)k, (const __nv_bfloat16 *)v, Lq, Lk,
        heads, scale * 1.4426950408889634f);
    return cudaGetLastError();
}

cudaError_t attention_wgmma_launch(void *out, const void *q, const void *k, const void *v, int Lq, int Lk, int heads,
                                   int head_dim, float scale, cudaStream_t stream) {
    if (heads > 65535) return cudaErrorInvalidValue;
    if (head_dim == 128) return launch<128>(out, q, k, v, Lq, Lk, heads, scale, stream);
    if (head_dim == 64) return launch<64>(out, q, k, v, Lq, Lk, heads, scale, stream);
    return cudaErrorInvalidValue;
}
