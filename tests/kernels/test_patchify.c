// test_patchify: patchify_forward and unpatchify_forward against loops written from diffusers' tensor ops
// (Conv3d weight order c, it, ih, iw then flatten(2).transpose(1, 2); unpatchify's reshape(F', H', W', pt, ph, pw, C)
// and permute(0, 7, 1, 4, 2, 5, 3, 6)). Pure copies: tolerance 0, every element bit for bit, fp32 and bf16,
// up to the full latent (16, 21, 90, 160), plus a patch (2, 3, 2) to exercise the general index arithmetic.
#include "kcheck.h"

typedef struct {
    int C, F, H, W, pt, ph, pw;
} pcase;

static void run_case(uint64_t *seed, pcase p, wp_dtype dt) {
    size_t n = (size_t)p.C * p.F * p.H * p.W;
    int Fp = p.F / p.pt, Hp = p.H / p.ph, Wp = p.W / p.pw, P = p.pt * p.ph * p.pw, K = p.C * P;
    float *lat = kc_xmalloc(n * 4), *tok = kc_xmalloc(n * 4), *out = kc_xmalloc(n * 4);
    double *ref_tok = kc_xmalloc(n * 8), *ref_lat = kc_xmalloc(n * 8);
    kc_fill(seed, lat, n, -3.0f, 3.0f);
    kc_fill(seed, tok, n, -3.0f, 3.0f);
    kc_round(lat, n, dt);
    kc_round(tok, n, dt);
    for (int fq = 0; fq < Fp; fq++)
        for (int hq = 0; hq < Hp; hq++)
            for (int wq = 0; wq < Wp; wq++)
                for (int c = 0; c < p.C; c++)
                    for (int it = 0; it < p.pt; it++)
                        for (int ih = 0; ih < p.ph; ih++)
                            for (int iw = 0; iw < p.pw; iw++) {
                                size_t t = ((size_t)fq * Hp + hq) * Wp + wq;
                                size_t src = (((size_t)c * p.F + fq * p.pt + it) * p.H + hq * p.ph + ih) * p.W +
                                             wq * p.pw + iw;
                                int kin = c * P + (it * p.ph + ih) * p.pw + iw;  // patchify feature
                                int kout = ((it * p.ph + ih) * p.pw + iw) * p.C + c; // unpatchify feature
                                ref_tok[t * K + kin] = lat[src];
                                ref_lat[src] = tok[t * K + kout];
                            }
    void *dlat = kc_upload(lat, n, dt), *dtok = kc_upload(tok, n, dt);
    void *dout_tok = kc_alloc_poisoned(n, dt), *dout_lat = kc_alloc_poisoned(n, dt);
    CUDA_CHECK(patchify_forward(dout_tok, dlat, p.C, p.F, p.H, p.W, p.pt, p.ph, p.pw, dt, 0));
    CUDA_CHECK(unpatchify_forward(dout_lat, dtok, p.C, p.F, p.H, p.W, p.pt, p.ph, p.pw, dt, 0));
    char what[128];
    kc_download(out, dout_tok, n, dt);
    snprintf(what, sizeof what, "patchify %s (%d,%d,%d,%d) p=(%d,%d,%d)", kc_dtname(dt), p.C, p.F, p.H, p.W, p.pt,
             p.ph, p.pw);
    kc_compare(what, out, ref_tok, n, 0, 0);
    kc_download(out, dout_lat, n, dt);
    snprintf(what, sizeof what, "unpatchify %s (%d,%d,%d,%d) p=(%d,%d,%d)", kc_dtname(dt), p.C, p.F, p.H, p.W, p.pt,
             p.ph, p.pw);
    kc_compare(what, out, ref_lat, n, 0, 0);
    CUDA_CHECK(cudaFree(dlat));
    CUDA_CHECK(cudaFree(dtok));
    CUDA_CHECK(cudaFree(dout_tok));
    CUDA_CHECK(cudaFree(dout_lat));
    free(lat), free(tok), free(out), free(ref_tok), free(ref_lat);
}

int main(void) {
    kc_require_gpu();
    static const pcase cases[] = {
        {1, 1, 2, 2, 1, 2, 2}, {3, 2, 4, 6, 1, 2, 2}, {16, 5, 8, 12, 1, 2, 2},
        {4, 4, 6, 6, 2, 3, 2}, {16, 21, 90, 160, 1, 2, 2},
    };
    uint64_t seed = 0x9a7cu;
    for (int dt = WP_F32; dt <= WP_BF16; dt++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) run_case(&seed, cases[c], (wp_dtype)dt);
    return kc_finish("test_kernel_patchify");
}
