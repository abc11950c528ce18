// test_timestep: timestep_embedding_forward against (a) a double reference that rounds the exponent, the frequency
// and the argument to fp32 where diffusers' get_timestep_embedding does (atol 2e-6: then only sinf/cosf's 2 ulp
// remain), and (b) the exact formula in double, cos(t * 10000^(-j/half)) then sin (atol 2.5e-4: the fp32 argument
// t * f_j carries up to 2 ulp of 1000, 1.2e-4, which diffusers has too). dim 256 (Wan's freq_dim) and others;
// timesteps 0, 1, 875, 999, 1000, fractional and random in [0, 1000).
#include <math.h>
#include "kcheck.h"

static void run_case(uint64_t *seed, int B, int dim) {
    int half = dim / 2;
    size_t n = (size_t)B * dim;
    float *t = kc_xmalloc(B * 4), *out = kc_xmalloc(n * 4);
    double *ref = kc_xmalloc(n * 8), *exact = kc_xmalloc(n * 8);
    static const float fixed[] = {0.0f, 1.0f, 875.0f, 999.0f, 1000.0f, 0.5f, 437.25f};
    kc_fill(seed, t, B, 0.0f, 1000.0f);
    for (int b = 0; b < B && b < 7; b++) t[b] = fixed[b];
    for (int b = 0; b < B; b++)
        for (int j = 0; j < half; j++) {
            float e = -9.210340371976184f * (float)j;
            e = e / (float)half;
            float f = (float)exp((double)e);
            float arg = t[b] * f;
            ref[(size_t)b * dim + j] = cos((double)arg);
            ref[(size_t)b * dim + half + j] = sin((double)arg);
            double xa = (double)t[b] * exp(-log(10000.0) * j / half);
            exact[(size_t)b * dim + j] = cos(xa);
            exact[(size_t)b * dim + half + j] = sin(xa);
        }
    float *dt_ = kc_upload(t, B, WP_F32), *dout = kc_alloc_poisoned(n, WP_F32);
    CUDA_CHECK(timestep_embedding_forward(dout, dt_, B, dim, 0));
    kc_download(out, dout, n, WP_F32);
    char what[96];
    snprintf(what, sizeof what, "timestep_embedding fp32 B=%d dim=%d", B, dim);
    kc_compare(what, out, ref, n, 2e-6, 0);
    snprintf(what, sizeof what, "timestep_embedding vs exact B=%d dim=%d", B, dim);
    kc_compare(what, out, exact, n, 2.5e-4, 0);
    CUDA_CHECK(cudaFree(dt_));
    CUDA_CHECK(cudaFree(dout));
    free(t), free(out), free(ref), free(exact);
}

int main(void) {
    kc_require_gpu();
    uint64_t seed = 0x7153u;
    run_case(&seed, 1, 2);
    run_case(&seed, 3, 10);
    run_case(&seed, 64, 256);
    run_case(&seed, 2, 320);
    return kc_finish("test_kernel_timestep");
}
