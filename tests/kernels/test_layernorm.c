// test_layernorm: layernorm_modulate_forward (norm1/norm3/norm_out) and layernorm_affine_forward (norm2) against a
// two-pass double reference, fp32 and bf16 activations, tiny to full-size (D = 5120, L up to 4096) shapes.
// Tolerances: KC_F32_* / KC_BF16_* in kcheck.h (fp32 ~1e-5 relative; bf16 one ulp, 8e-3 relative).
#include <math.h>
#include <string.h>
#include "kcheck.h"

static void reference(double *ref, const float *x, const float *a, const float *b, int L, int D, int modulate) {
    for (int r = 0; r < L; r++) {
        const float *xr = x + (size_t)r * D;
        double mean = 0, var = 0;
        for (int i = 0; i < D; i++) mean += xr[i];
        mean /= D;
        for (int i = 0; i < D; i++) var += (xr[i] - mean) * (xr[i] - mean);
        double rstd = 1.0 / sqrt(var / D + 1e-6);
        for (int i = 0; i < D; i++) {
            double n = (xr[i] - mean) * rstd;
            ref[(size_t)r * D + i] = modulate ? n * (1.0 + a[i]) + b[i] : n * a[i] + b[i];
        }
    }
}

static void run_case(uint64_t *seed, int L, int D, wp_dtype dt, int modulate, int check_in_place) {
    size_t n = (size_t)L * D;
    float *x = kc_xmalloc(n * 4), *a = kc_xmalloc(D * 4), *b = kc_xmalloc(D * 4), *out = kc_xmalloc(n * 4);
    double *ref = kc_xmalloc(n * 8);
    for (int r = 0; r < L; r++) { // rows with their own offset and spread: exercises the two-pass variance
        float off, spread;
        kc_fill(seed, &off, 1, -3.0f, 3.0f);
        kc_fill(seed, &spread, 1, 0.2f, 2.0f);
        kc_fill(seed, x + (size_t)r * D, D, off - spread, off + spread);
    }
    kc_round(x, n, dt);
    if (modulate) { // scale around 0, shift around 0 (scale_shift_table + time_proj)
        kc_fill(seed, a, D, -0.5f, 0.5f);
        kc_fill(seed, b, D, -1.0f, 1.0f);
    } else {
        kc_fill(seed, a, D, 0.5f, 1.5f);
        kc_fill(seed, b, D, -1.0f, 1.0f);
    }
    reference(ref, x, a, b, L, D, modulate);
    void *dx = kc_upload(x, n, dt), *dout = kc_alloc_poisoned(n, dt);
    float *da = kc_upload(a, D, WP_F32), *db = kc_upload(b, D, WP_F32);
    if (modulate)
        CUDA_CHECK(layernorm_modulate_forward(dout, dx, da, db, L, D, 1e-6f, dt, 0));
    else
        CUDA_CHECK(layernorm_affine_forward(dout, dx, da, db, L, D, 1e-6f, dt, 0));
    kc_download(out, dout, n, dt);
    char what[96];
    snprintf(what, sizeof what, "layernorm_%s %s L=%d D=%d", modulate ? "modulate" : "affine", kc_dtname(dt), L, D);
    kc_compare(what, out, ref, n, KC_ATOL(dt), KC_RTOL(dt));
    if (check_in_place) {
        if (modulate)
            CUDA_CHECK(layernorm_modulate_forward(dx, dx, da, db, L, D, 1e-6f, dt, 0));
        else
            CUDA_CHECK(layernorm_affine_forward(dx, dx, da, db, L, D, 1e-6f, dt, 0));
        kc_same(what, dx, dout, n * kc_size(dt));
    }
    CUDA_CHECK(cudaFree(dx));
    CUDA_CHECK(cudaFree(dout));
    CUDA_CHECK(cudaFree(da));
    CUDA_CHECK(cudaFree(db));
    free(x), free(a), free(b), free(out), free(ref);
}

int main(void) {
    kc_require_gpu();
    static const int shapes[][2] = {{1, 7}, {3, 64}, {5, 1000}, {33, 5120}, {1024, 5120}, {4096, 5120}};
    int ns = (int)(sizeof shapes / sizeof shapes[0]);
    uint64_t seed = 0x1a7e12u;
    for (int dt = WP_F32; dt <= WP_BF16; dt++)
        for (int modulate = 1; modulate >= 0; modulate--)
            for (int s = 0; s < ns; s++)
                run_case(&seed, shapes[s][0], shapes[s][1], (wp_dtype)dt, modulate, s == ns - 1);
    return kc_finish("test_kernel_layernorm");
}
