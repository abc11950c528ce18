// attention_wgmma.cu: the Hopper attention kernel (sm_90a; bf16 in/out, head_dim 64 or 128), FlashAttention-3
// style: each block owns 128 query rows of one head and walks the keys in tiles of 128.
//  - Two warpgroups of 64 query rows each; every thread also copies its share of the K and V tiles with cp.async,
//    one tile ahead, into 3 shared-memory stages. An mbarrier per stage says "full" (cp.async.mbarrier.arrive: all
//    256 threads' copies have landed) and another "empty" (all 256 threads are done reading it), so the warpgroups
//    never wait for each other at a block-wide barrier, only for data.
//  - Per tile: S = Q K^T on the tensor cores (wgmma, Q and K from shared memory); the online softmax on S in
//    registers (fp32, exp2 with the scale folded in); P rounded to bf16 and fed from registers as the A operand of
//    O += P V (wgmma, V read transposed from shared memory). The product P V of tile t-1 is issued together with S
//    of tile t, so the softmax of tile t runs while the tensor cores finish P V. Scores never leave registers.
// Rows past Lq or Lk load as zeros; keys past Lk are masked to -inf before the softmax.
#include <cuda_bf16.h>
#include <math.h>
#include "attention_impl.h"
#include "attention_wgmma_ops.cuh"

#define WG_ROWS 64                    // query rows per warpgroup: the wgmma M
#define TILE 128                      // query rows per block (2 warpgroups) and keys per K/V tile
#define STAGES 3                      // K/V tile stages: tile t-1 (V still read), t (computed), t+1 (loading)
#define THREADS 256                   // two warpgroups (a ninth, producer warp would cap registers at 168)

template <int D> struct AttnSmem {
    static constexpr uint32_t tile_bytes = TILE * D * 2;                  // one 128-row bf16 tile
    static constexpr uint32_t barriers = (1 + 2 * STAGES) * tile_bytes;   // offset: after Q and the (K, V) stages
    static constexpr uint32_t total = barriers + (1 + 2 * STAGES) * 8 + 1024; // + Q/full/empty mbarriers, alignment
};

// This thread's share of copying rows [r0, r0 + TILE) of head h of a (L, heads, D) tensor into a swizzled tile; rows
// from `valid` on are zeros. Thread i always copies 16-byte chunk i % (D/8) of rows i / (D/8) + k * (256 / (D/8)):
// 8 row steps that keep row % 8 and so the swizzle, hence one address each for shared and global memory plus strides.
template <int D>
static __device__ __forceinline__ void load_tile(uint32_t tile, const __nv_bfloat16 *g, long r0, long valid,
                                                 size_t stride, int h) {
    constexpr int CHUNKS = D / 8, ROW_STEP = THREADS / CHUNKS, PASSES = TILE / ROW_STEP;
    const int c = threadIdx.x % CHUNKS, r = threadIdx.x / CHUNKS;
    const uint32_t dst = tile + sw128_offset(r, c, TILE);
    const __nv_bfloat16 *src = g + (size_t)(r0 + r) * stride + (size_t)h * D + c * 8;
    const size_t src_step = (size_t)ROW_STEP * stride;
    if (valid >= TILE) {
#pragma unroll
        for (int i = 0; i < PASSES; i++) cp_async16(dst + i * ROW_STEP * 128, src + i * src_step, 16);
    } else {
#pragma unroll
        for (int i = 0; i < PASSES; i++) {
            bool in = r + i * ROW_STEP < valid;
            cp_async16(dst + i * ROW_STEP * 128, in ? src + i * src_step : g, in ? 16 : 0);
        }
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

// Online softmax, first half, for one tile. s holds this thread's scores (accumulator layout: s[4c], s[4c+1] in row
// r0 and s[4c+2], s[4c+3] in row r0 + 8, columns 8c + 2 (lane % 4) + {0, 1}); the 4 lanes of a quad share a row.
// m: running max of scale*log2(e)*score per row; l: this thread's part of the running sum. Turns s into the weights
// exp2(scale_log2 s - m) and returns in corr the factor the output accumulated so far must be scaled by.
static __device__ __forceinline__ void softmax_weights(float (&s)[TILE / 2], float (&m)[2], float (&l)[2],
                                                       float (&corr)[2], int valid, float scale_log2) {
    const int lane = threadIdx.x & 31;
    if (valid < TILE) {
#pragma unroll
        for (int c = 0; c < TILE / 8; c++) {
            int col = 8 * c + 2 * (lane & 3);
            if (col >= valid) s[4 * c] = s[4 * c + 2] = -INFINITY;
            if (col + 1 >= valid) s[4 * c + 1] = s[4 * c + 3] = -INFINITY;
        }
    }
#pragma unroll
    for (int r = 0; r < 2; r++) {
        float mx4[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY}; // four chains, not one 32 long
#pragma unroll
        for (int c = 0; c < TILE / 8; c++)
            mx4[c & 3] = fmaxf(mx4[c & 3], fmaxf(s[4 * c + 2 * r], s[4 * c + 2 * r + 1]));
        float mx = fmaxf(fmaxf(mx4[0], mx4[1]), fmaxf(mx4[2], mx4[3]));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
        mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
        float m_new = fmaxf(m[r], mx * scale_log2); // every row has a valid key in every tile: m_new is finite
        corr[r] = fast_exp2(m[r] - m_new);          // 0 on the first tile (m = -inf)
        m[r] = m_new;
        float sum4[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
        for (int c = 0; c < TILE / 8; c++) {
            s[4 * c + 2 * r] = fast_exp2(fmaf(s[4 * c + 2 * r], scale_log2, -m_new));
            s[4 * c + 2 * r + 1] = fast_exp2(fmaf(s[4 * c + 2 * r + 1], scale_log2, -m_new));
            sum4[c & 3] += s[4 * c + 2 * r] + s[4 * c + 2 * r + 1];
        }
        l[r] = l[r] * corr[r] + ((sum4[0] + sum4[1]) + (sum4[2] + sum4[3]));
    }
}

// Online softmax, second half, once no product is accumulating into o: rescales o by corr and rounds the weights to
// the bf16 A operand of P V. The accumulator layout of S is wgmma's A register layout: keys 16kk .. 16kk+15 are
// s chunks 2kk and 2kk+1.
template <int D>
static __device__ __forceinline__ void rescale_and_pack(float (&o)[D / 2], uint32_t (&p)[TILE / 16][4],
                                                        const float (&s)[TILE / 2], const float (&corr)[2]) {
#pragma unroll
    for (int c = 0; c < D / 8; c++) {
        o[4 * c] *= corr[0], o[4 * c + 1] *= corr[0];
        o[4 * c + 2] *= corr[1], o[4 * c + 3] *= corr[1];
    }
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

// Shared memory: Q tile, STAGES x (K tile, V tile), then the mbarriers: Q full, STAGES full, STAGES empty.
struct AttnLayout {
    uint32_t q, bars;
    __device__ uint32_t k(int stage, uint32_t tile_bytes) const { return q + (1 + 2 * stage) * tile_bytes; }
    __device__ uint32_t q_full() const { return bars; }
    __device__ uint32_t full(int stage) const { return bars + 8 * (1 + stage); }
    __device__ uint32_t empty(int stage) const { return bars + 8 * (1 + STAGES + stage); }
};

// Tile t of K and V into stage t % STAGES, once every thread has released the tile that stage held (t - STAGES).
template <int D>
static __device__ __forceinline__ void load_kv(const AttnLayout &sm, const __nv_bfloat16 *k, const __nv_bfloat16 *v,
                                               int t, int Lk, size_t stride, int h) {
    constexpr uint32_t TB = AttnSmem<D>::tile_bytes;
    const int stage = t % STAGES;
    if (t >= STAGES) mbar_wait(sm.empty(stage), (uint32_t)(t / STAGES - 1) & 1u);
    const long j0 = (long)t * TILE;
    load_tile<D>(sm.k(stage, TB), k, j0, Lk - j0, stride, h);
    load_tile<D>(sm.k(stage, TB) + TB, v, j0, Lk - j0, stride, h);
    cp_async_mbar_arrive(sm.full(stage));
}

// One thread of a warpgroup: loads its share, and computes its warpgroup's 64 query rows against all key tiles.
template <int D>
static __device__ void attend(const AttnLayout &sm, __nv_bfloat16 *out, const __nv_bfloat16 *q,
                              const __nv_bfloat16 *k, const __nv_bfloat16 *v, long q0, int Lq, int Lk, size_t stride,
                              int h, int ntiles, float scale_log2) {
    constexpr uint32_t TB = AttnSmem<D>::tile_bytes;
    const int wg = threadIdx.x >> 7, warp = (threadIdx.x >> 5) & 3, lane = threadIdx.x & 31;
    float o[D / 2], s[TILE / 2], m[2] = {-INFINITY, -INFINITY}, l[2] = {0.0f, 0.0f}, corr[2];
    uint32_t p[TILE / 16][4];
#pragma unroll
    for (int i = 0; i < D / 2; i++) o[i] = 0.0f;

    load_tile<D>(sm.q, q, q0, Lq - q0, stride, h);
    cp_async_mbar_arrive(sm.q_full());
    load_kv<D>(sm, k, v, 0, Lk, stride, h);
    mbar_wait(sm.q_full(), 0);
    mbar_wait(sm.full(0), 0);
    fence_proxy_async(); // the cp.async writes, complete, are read next by wgmma (the async proxy)
    scores<D>(s, sm.q, sm.k(0, TB), wg);
    if (ntiles > 1) load_kv<D>(sm, k, v, 1, Lk, stride, h);
    wgmma_wait<0>();
    fence_regs(s);
    softmax_weights(s, m, l, corr, Lk, scale_log2);
    rescale_and_pack<D>(o, p, s, corr);
    for (int t = 1; t < ntiles; t++) {
        const int stage = t % STAGES, prev = (t - 1) % STAGES;
        mbar_wait(sm.full(stage), (uint32_t)(t / STAGES) & 1u);
        fence_proxy_async();
        scores<D>(s, sm.q, sm.k(stage, TB), wg);     // S(t) = Q K(t)^T
        accumulate_pv<D>(o, p, sm.k(prev, TB) + TB); // O += P(t-1) V(t-1), queued behind it
        if (t + 1 < ntiles) load_kv<D>(sm, k, v, t + 1, Lk, stride, h);
        wgmma_wait<1>(); // S(t) done; P V may still run
        fence_regs(s);
        softmax_weights(s, m, l, corr, Lk - t * TILE, scale_log2);
        wgmma_wait<0>();
        fence_regs(o);
        fence_regs(p);
        mbar_arrive(sm.empty(prev)); // this thread no longer reads K(t-1), V(t-1)
        rescale_and_pack<D>(o, p, s, corr);
    }
    accumulate_pv<D>(o, p, sm.k((ntiles - 1) % STAGES, TB) + TB);
    wgmma_wait<0>();
    fence_regs(o);
    store_out<D>(out, o, l, q0 + wg * WG_ROWS + warp * 16 + (lane >> 2), Lq, stride, h);
}

template <int D>
__global__ void __launch_bounds__(THREADS, 1)
    attention_wgmma_kernel(__nv_bfloat16 *out, const __nv_bfloat16 *q, const __nv_bfloat16 *k,
                           const __nv_bfloat16 *v, int Lq, int Lk, int heads, float scale_log2) {
    extern __shared__ uint8_t smem_raw[];
    AttnLayout sm;
    sm.q = ((uint32_t)__cvta_generic_to_shared(smem_raw) + 1023u) & ~1023u; // 128-byte swizzle atoms: 1024-aligned
    sm.bars = sm.q + AttnSmem<D>::barriers;
    const int h = blockIdx.y;
    const long q0 = (long)blockIdx.x * TILE;
    const size_t stride = (size_t)heads * D;
    const int ntiles = (Lk + TILE - 1) / TILE;
    if (threadIdx.x == 0) {
        mbar_init(sm.q_full(), THREADS); // one arrival per thread (cp.async.mbarrier.arrive.noinc) per phase
        for (int st = 0; st < STAGES; st++) {
            mbar_init(sm.full(st), THREADS);
            mbar_init(sm.empty(st), THREADS);
        }
    }
    __syncthreads(); // the only block-wide barrier: the mbarriers exist
    attend<D>(sm, out, q, k, v, q0, Lq, Lk, stride, h, ntiles, scale_log2);
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
