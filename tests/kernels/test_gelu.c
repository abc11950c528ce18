// test_gelu: gelu_tanh_forward against the tanh formula in double, fp32 and bf16, inputs over [-6, 6) (both tails),
// up to the FFN's full-size slice (1024 x 13824). Tolerances: kcheck.h.
#include <math.h>
#include "kcheck.h"

static void run_case(uint64_t *seed, long n, wp_dtype dt, int check_in_place) {
    float *x = kc_xmalloc(n * 4), *out = kc_xmalloc(n * 4);
    double *ref = kc_xmalloc(n * 8);
    kc_fill(seed, x, n, -6.0f, 6.0f);
    kc_round(x, n, dt);
    for (long i = 0; i < n; i++) {
        double v = x[i];
        ref[i] = 0.5 * v * (1.0 + tanh(sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
    }
    void *dx = kc_upload(x, n, dt), *dout = kc_alloc_poisoned(n, dt);
    CUDA_CHECK(gelu_tanh_forward(dout, dx, n, dt, 0));
    kc_download(out, dout, n, dt);
    char what[96];
    snprintf(what, sizeof what, "gelu_tanh %s n=%ld", kc_dtname(dt), n);
    kc_compare(what, out, ref, n, KC_ATOL(dt), KC_RTOL(dt));
    if (check_in_place) {
        CUDA_CHECK(gelu_tanh_forward(dx, dx, n, dt, 0));
        kc_same(what, dx, dout, n * kc_size(dt));
    }
    CUDA_CHECK(cudaFree(dx));
    CUDA_CHECK(cudaFree(dout));
    free(x), free(out), free(ref);
}

int main(void) {
    kc_require_gpu();
    static const long sizes[] = {1, 7, 1000, 65537, 1024L * 13824};
    int ns = (int)(sizeof sizes / sizeof sizes[0]);
    uint64_t seed = 0x6e1u;
    for (int dt = WP_F32; dt <= WP_BF16; dt++)
        for (int s = 0; s < ns; s++) run_case(&seed, sizes[s], (wp_dtype)dt, s == ns - 1);
    return kc_finish("test_kernel_gelu");
}
