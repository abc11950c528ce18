// rope.cu: Wan's 3D rotary embedding on q or k (diffusers WanRotaryPosEmbed + WanAttnProcessor.apply_rotary_emb).
// The table is built once on the host in double (as diffusers builds its buffers in float64) and read per column.
#include <math.h>
#include "common.cuh"

#define ROPE_THREADS 256

extern "C" int rope_table_fill(float *cos_tab, float *sin_tab, int head_dim, int max_pos, double theta) {
    if (head_dim < 6 || head_dim % 2 || max_pos < 1 || !cos_tab || !sin_tab) return -1;
    int hw = 2 * (head_dim / 6);
    int dims[3] = {head_dim - 2 * hw, hw, hw}; // t, h, w: as the table is built (WanRotaryPosEmbed.__init__)
    int col0 = 0;
    for (int a = 0; a < 3; a++) {
        for (int c = 0; c < dims[a]; c++) {
            double freq = 1.0 / pow(theta, (double)(2 * (c / 2)) / dims[a]); // repeat_interleave(2)
            for (int p = 0; p < max_pos; p++) {
                cos_tab[(size_t)p * head_dim + col0 + c] = (float)cos(p * freq);
                sin_tab[(size_t)p * head_dim + col0 + c] = (float)sin(p * freq);
            }
        }
        col0 += dims[a];
    }
    return 0;
}

// Position of column c of the token at (f, h, w): the forward's split (head_dim - 2*(head_dim/3), /3, /3).
static __device__ __forceinline__ int rope_pos(int c, int s0, int s1, int f, int h, int w) {
    return c < s0 ? f : c < s0 + s1 ? h : w;
}

// One thread per pair; reads both elements before writing them, so out may equal x.
template <typename T>
__global__ void rope_kernel(T *out, const T *x, const float *cos_tab, const float *sin_tab, long n_pairs, int heads,
                            int head_dim, int H, int W, long tok0) {
    int half = head_dim / 2, s1 = head_dim / 3, s0 = head_dim - 2 * s1;
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n_pairs; i += (long)gridDim.x * blockDim.x) {
        int k = (int)(i % half);
        long g = tok0 + i / half / heads; // token index in the (F, H, W) grid
        int w = (int)(g % W), h = (int)(g / W % H), f = (int)(g / ((long)W * H));
        int c0 = 2 * k, c1 = 2 * k + 1;
        float c = cos_tab[(size_t)rope_pos(c0, s0, s1, f, h, w) * head_dim + c0];
        float s = sin_tab[(size_t)rope_pos(c1, s0, s1, f, h, w) * head_dim + c1];
        float x0 = ld(x + 2 * i), x1 = ld(x + 2 * i + 1);
        st(out + 2 * i, x0 * c - x1 * s);
        st(out + 2 * i + 1, x0 * s + x1 * c);
    }
}

extern "C" cudaError_t rope_forward(void *out, const void *x, const float *cos_tab, const float *sin_tab, int max_pos,
                                    int L, int heads, int head_dim, int F, int H, int W, long tok0, wp_dtype dt,
                                    cudaStream_t stream) {
    if (!out || !x || !cos_tab || !sin_tab || L < 0 || heads <= 0 || head_dim < 6 || head_dim % 2 || F <= 0 ||
        H <= 0 || W <= 0 || tok0 < 0 || tok0 + L > (long)F * H * W || F > max_pos || H > max_pos || W > max_pos ||
        (dt != WP_F32 && dt != WP_BF16))
        return cudaErrorInvalidValue;
    long n_pairs = (long)L * heads * (head_dim / 2);
    if (n_pairs == 0) return cudaSuccess;
    unsigned grid = grid_for(n_pairs, ROPE_THREADS);
    if (dt == WP_F32)
        rope_kernel<<<grid, ROPE_THREADS, 0, stream>>>((float *)out, (const float *)x, cos_tab, sin_tab, n_pairs,
                                                        heads, head_dim, H, W, tok0);
    else
        rope_kernel<<<grid, ROPE_THREADS, 0, stream>>>((__nv_bfloat16 *)out, (const __nv_bfloat16 *)x, cos_tab,
                                                        sin_tab, n_pairs, heads, head_dim, H, W, tok0);
    return cudaGetLastError();
}
