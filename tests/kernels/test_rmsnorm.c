// test_rmsnorm: rmsnorm_forward (norm_q / norm_k over all heads, D = heads * head_dim) against a double reference,
// fp32 and bf16, tiny to full-size (D = 5120, L up to 4096). Tolerances: kcheck.h.
#include <math.h>
#include "kcheck.h"

static void run_case(uint64_t *seed, int L, int D, wp_dtype dt, int check_in_place) {
    size_t n = (size_t)L * D;
    float *x = kc_xmalloc(n * 4), *w = kc_xmalloc(D * 4), *out = kc_xmalloc(n * 4);
    double *ref = kc_xmalloc(n * 8);
    for (int r = 0; r < L; r++) {
        float spread;
        kc_fill(seed, &spread, 1, 0.05f, 4.0f); // rows of very different magnitude
        kc_fill(seed, x + (size_t)r * D, D, -spread, spread);
    }
    kc_round(x, n, dt);
    kc_fill(seed, w, D, 0.5f, 1.5f);
    for (int r = 0; r < L; r++) {
        const float *xr = x + (size_t)r * D;
        double ms = 0;
        for (int i = 0; i < D; i++) ms += (double)xr[i] * xr[i];
        double rr = 1.0 / sqrt(ms / D + 1e-6);
        for (int i = 0; i < D; i++) ref[(size_t)r * D + i] = xr[i] * rr * w[i];
    }
    void *dx = kc_upload(x, n, dt), *dout = kc_alloc_poisoned(n, dt);
    float *dw = kc_upload(w, D, WP_F32);
    CUDA_CHECK(rmsnorm_forward(dout, dx, dw, L, D, 1e-6f, dt, 0));
    kc_download(out, dout, n, dt);
    char what[96];
    snprintf(what, sizeof what, "rmsnorm %s L=%d D=%d", kc_dtname(dt), L, D);
    kc_compare(what, out, ref, n, KC_ATOL(dt), KC_RTOL(dt));
    if (check_in_place) {
        CUDA_CHECK(rmsnorm_forward(dx, dx, dw, L, D, 1e-6f, dt, 0));
        kc_same(what, dx, dout, n * kc_size(dt));
    }
    CUDA_CHECK(cudaFree(dx));
    CUDA_CHECK(cudaFree(dout));
    CUDA_CHECK(cudaFree(dw));
    free(x), free(w), free(out), free(ref);
}

int main(void) {
    kc_require_gpu();
    static const int shapes[][2] = {{1, 8}, {3, 128}, {7, 1000}, {33, 5120}, {1024, 5120}, {4096, 5120}};
    int ns = (int)(sizeof shapes / sizeof shapes[0]);
    uint64_t seed = 0x5e12u;
    for (int dt = WP_F32; dt <= WP_BF16; dt++)
        for (int s = 0; s < ns; s++) run_case(&seed, shapes[s][0], shapes[s][1], (wp_dtype)dt, s == ns - 1);
    return kc_finish("test_kernel_rmsnorm");
}
