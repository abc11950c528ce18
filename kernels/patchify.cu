// patchify.cu: the layout changes around the patch embedding (Conv3d with kernel = stride = patch) and proj_out.
// Pure copies: every output element is one input element, so the GPU result must equal the reference bit for bit.
#include <stdint.h>
#include "common.cuh"

#define PATCH_THREADS 256

struct patch_geom {
    int C, F, H, W, pt, ph, pw;
};

// tokens (F'H'W', C*P) <- latent (C, F, H, W); feature k = c*P + (it*ph + ih)*pw + iw (Conv3d weight order).
template <typename E>
__global__ void patchify_kernel(E *tokens, const E *latent, patch_geom g, long n) {
    int P = g.pt * g.ph * g.pw, K = g.C * P, Hp = g.H / g.ph, Wp = g.W / g.pw;
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
        long tok = i / K;
        int k = (int)(i % K), c = k / P, r = k % P;
        int it = r / (g.ph * g.pw), ih = r / g.pw % g.ph, iw = r % g.pw;
        int wq = (int)(tok % Wp), hq = (int)(tok / Wp % Hp), fq = (int)(tok / ((long)Wp * Hp));
        long src = (((long)c * g.F + fq * g.pt + it) * g.H + hq * g.ph + ih) * g.W + wq * g.pw + iw;
        tokens[i] = latent[src];
    }
}

// latent (C, F, H, W) <- tokens (F'H'W', P*C); feature k = ((it*ph + ih)*pw + iw)*C + c (diffusers' unpatchify).
template <typename E>
__global__ void unpatchify_kernel(E *latent, const E *tokens, patch_geom g, long n) {
    int P = g.pt * g.ph * g.pw, K = g.C * P, Hp = g.H / g.ph, Wp = g.W / g.pw;
    for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
        int w = (int)(i % g.W), h = (int)(i / g.W % g.H), f = (int)(i / ((long)g.W * g.H) % g.F);
        int c = (int)(i / ((long)g.W * g.H * g.F));
        long tok = ((long)(f / g.pt) * Hp + h / g.ph) * Wp + w / g.pw;
        int k = (((f % g.pt) * g.ph + h % g.ph) * g.pw + w % g.pw) * g.C + c;
        latent[i] = tokens[tok * K + k];
    }
}

static int geom_ok(patch_geom g) {
    return g.C > 0 && g.F > 0 && g.H > 0 && g.W > 0 && g.pt > 0 && g.ph > 0 && g.pw > 0 && g.F % g.pt == 0 &&
           g.H % g.ph == 0 && g.W % g.pw == 0;
}

static cudaError_t patch_launch(void *dst, const void *src, patch_geom g, wp_dtype dt, int inverse,
                                cudaStream_t stream) {
    if (!dst || !src || !geom_ok(g) || (dt != WP_F32 && dt != WP_BF16)) return cudaErrorInvalidValue;
    long n = (long)g.C * g.F * g.H * g.W;
    unsigned grid = grid_for(n, PATCH_THREADS);
    if (dt == WP_F32 && !inverse)
        patchify_kernel<<<grid, PATCH_THREADS, 0, stream>>>((uint32_t *)dst, (const uint32_t *)src, g, n);
    else if (dt == WP_F32)
        unpatchify_kernel<<<grid, PATCH_THREADS, 0, stream>>>((uint32_t *)dst, (const uint32_t *)src, g, n);
    else if (!inverse)
        patchify_kernel<<<grid, PATCH_THREADS, 0, stream>>>((uint16_t *)dst, (const uint16_t *)src, g, n);
    else
        unpatchify_kernel<<<grid, PATCH_THREADS, 0, stream>>>((uint16_t *)dst, (const uint16_t *)src, g, n);
    return cudaGetLastError();
}

extern "C" cudaError_t patchify_forward(void *tokens, const void *latent, int C, int F, int H, int W, int pt, int ph,
                                        int pw, wp_dtype dt, cudaStream_t stream) {
    patch_geom g = {C, F, H, W, pt, ph, pw};
    return patch_launch(tokens, latent, g, dt, 0, stream);
}

extern "C" cudaError_t unpatchify_forward(void *latent, const void *tokens, int C, int F, int H, int W, int pt, int ph,
                                          int pw, wp_dtype dt, cudaStream_t stream) {
    patch_geom g = {C, F, H, W, pt, ph, pw};
    return patch_launch(latent, tokens, g, dt, 1, stream);
}
