// test_linear: wp_linear against a CPU reference in double (same rounded inputs), fp32 and bf16, with and without
// bias, at a tiny shape, odd sizes, and the Wan linears at full K and N (M sliced or rows sampled): self-attention
// 5120 -> 5120 on 18,900 tokens, FFN up 5120 -> 13824 + GELU and down 13824 -> 5120, the text embedder 4096 -> 5120
// + GELU on 512 tokens, the time embedder 256 -> 5120 and time_proj 5120 -> 30720 on one row, proj_out 5120 -> 64.
// Outputs are poisoned (NaN) first and every element is checked to be finite; the reference is computed for up to
// 32 rows spread over M (first and last included).
//
// Tolerances, per element, with S = sum_k |x_k W_k| + |bias|, the size of the terms summed, which is what the fp32
// accumulation error scales with, acc = x . W and pre = acc + bias (u = 2^-8, bf16's unit roundoff):
//  fp32: |out - ref| <= 2e-6 S + 2e-6 |ref|. An fp32 dot product of random terms errs by about eps sqrt(K) |partial
//    sum|, under 1e-7 S here; TF32 (10-bit inputs) would err by about 5e-4 S / sqrt(K) per element, 1e-5 S and more
//    at the maxima for these K, so the bound also proves that no TF32 was used.
//  bf16: |out - ref| <= 1e-5 S (fp32 accumulation of exact bf16 products, any split-K order) + 8e-3 |ref| (the one
//    rounding of the output to bf16, as kcheck.h explains), and with a bias + 4.4e-3 (|acc| + |bias|): wp_linear
//    rounds the bias to bf16, and cuBLASLt's epilogue may round the product to bf16 before adding it (the odd shape,
//    K = 99, erred so on the H200): u relative on each addend, times GELU's slope <= 1.13.
//  GELU, both: + 1e-5 |pre|: the epilogue's fp32 tanh is approximate (seen: 4.8e-6 at pre = -1.28, fp32). The erf
//    GELU differs from the tanh one by up to 4.7e-4 where |pre| ~ 2, 20 times this term, so the fp32 cases also
//    show that the epilogue computes the tanh form (printed as info).
// The comparison runs on err / bound (kc_compare with atol 1), after the first mismatches are printed in real units.
#include <math.h>
#include <string.h>
#include "kcheck.h"
#include "wplinalg.h"

static double gelu_tanh(double v) { return 0.5 * v * (1.0 + tanh(sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v))); }
static double gelu_erf(double v) { return 0.5 * v * (1.0 + erf(v / sqrt(2.0))); }

typedef struct {
    const char *name;
    int M, N, K, gelu;
} lcase;

enum { MAX_ROWS = 32 };

// Rows checked: all when M <= MAX_ROWS, else MAX_ROWS spread evenly from the first to the last.
static int pick_rows(int M, int *rows) {
    int n = M <= MAX_ROWS ? M : MAX_ROWS;
    for (int i = 0; i < n; i++) rows[i] = n == M ? i : (int)((long)i * (M - 1) / (n - 1));
    return n;
}

// acc[i*N + n] = x[rows[i]] . W[n], mag = sum |x_k W_k|, in double; n outer so W's row stays in cache.
static void reference_dots(const float *x, const float *W, const int *rows, int nrows, int N, int K, double *acc,
                           double *mag) {
    for (int n = 0; n < N; n++) {
        const float *w = W + (size_t)n * K;
        for (int i = 0; i < nrows; i++) {
            const float *xr = x + (size_t)rows[i] * K;
            double s = 0, a = 0;
            for (int k = 0; k < K; k++) {
                double p = (double)xr[k] * w[k];
                s += p;
                a += fabs(p);
            }
            acc[(size_t)i * N + n] = s;
            mag[(size_t)i * N + n] = a;
        }
    }
}

static void check_finite(const char *what, const float *y, size_t n) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += !isfinite(y[i]);
    double zero = 0;
    float flag = bad ? NAN : 0.0f; // one kc_compare so a NaN left in an unchecked row fails the test
    char w[240];
    snprintf(w, sizeof w, "%s all %zu outputs written", what, n);
    kc_compare(w, &flag, &zero, 1, 0, 0);
}

static void run_variant(wp_linalg *la, const lcase *c, wp_dtype dt, int with_bias, const float *bias, void *dx,
                        void *dW, float *dbias, const int *rows, int nrows, const double *acc, const double *mag) {
    size_t ny = (size_t)c->M * c->N;
    void *dy = kc_alloc_poisoned(ny, dt);
    int rc = wp_linear(la, dy, dx, dW, with_bias ? dbias : NULL, c->M, c->N, c->K, c->gelu, dt, 0);
    char what[160];
    snprintf(what, sizeof what, "linear %s %s %dx%dx%d%s%s", c->name, kc_dtname(dt), c->M, c->N, c->K,
             with_bias ? " +bias" : "", c->gelu ? " +gelu" : "");
    if (rc != 0) {
        printf("  %s: wp_linear returned %d: %s\n", what, rc, wp_linalg_error(la));
        double zero = 0;
        float nan = NAN;
        kc_compare(what, &nan, &zero, 1, 0, 0);
        CUDA_CHECK(cudaFree(dy));
        return;
    }
    size_t n = (size_t)nrows * c->N;
    float *y = kc_xmalloc(ny * 4), *got = kc_xmalloc(n * 4), *normalized = kc_xmalloc(n * 4);
    double *ref = kc_xmalloc(n * 8), *ref_erf = kc_xmalloc(n * 8), *zero = kc_xmalloc(n * 8);
    memset(zero, 0, n * 8);
    kc_download(y, dy, ny, dt);
    check_finite(what, y, ny);
    size_t shown = 0;
    for (int i = 0; i < nrows; i++)
        for (int k = 0; k < c->N; k++) {
            size_t j = (size_t)i * c->N + k;
            double b = with_bias ? bias[k] : 0, pre = acc[j] + b, S = mag[j] + fabs(b);
            ref[j] = c->gelu ? gelu_tanh(pre) : pre;
            ref_erf[j] = c->gelu ? gelu_erf(pre) : pre;
            got[j] = y[(size_t)rows[i] * c->N + k];
            double bound = dt == WP_F32 ? 2e-6 * S + 2e-6 * fabs(ref[j])
                                        : 1e-5 * S + 8e-3 * fabs(ref[j]) + (with_bias ? 4.4e-3 * (fabs(acc[j]) + fabs(b)) : 0);
            if (c->gelu) bound += 1e-5 * fabs(pre);
            normalized[j] = (float)((got[j] - ref[j]) / bound);
            if (!(fabs(normalized[j]) <= 1) && shown++ < 3)
                printf("  MISMATCH %s row %d col %d: got %.9g want %.9g (acc %.6g bias %.6g, |diff| %.3g > %.3g)\n", what,
                       rows[i], k, got[j], ref[j], acc[j], b, fabs(got[j] - ref[j]), bound);
        }
    char norm_what[200];
    snprintf(norm_what, sizeof norm_what, "%s err/bound", what);
    kc_compare(norm_what, normalized, zero, n, 1.0, 0.0);
    if (c->gelu && dt == WP_F32) {
        double d_erf = 0, d_tanh = 0;
        for (size_t j = 0; j < n; j++) {
            d_erf = fmax(d_erf, fabs(got[j] - ref_erf[j]));
            d_tanh = fmax(d_tanh, fabs(got[j] - ref[j]));
        }
        printf("  info %s: max |out - tanh GELU ref| = %.3g, max |out - erf GELU ref| = %.3g\n", what, d_tanh, d_erf);
    }
    free(normalized), free(zero);
    free(y), free(got), free(ref), free(ref_erf);
    CUDA_CHECK(cudaFree(dy));
}

static void run_case(wp_linalg *la, uint64_t *seed, const lcase *c, wp_dtype dt) {
    size_t nx = (size_t)c->M * c->K, nw = (size_t)c->N * c->K;
    float *x = kc_xmalloc(nx * 4), *W = kc_xmalloc(nw * 4), *bias = kc_xmalloc((size_t)c->N * 4);
    float a = 3.0f / sqrtf((float)c->K); // W ~ U(-a, a): outputs of order 1, where GELU bends
    kc_fill(seed, x, nx, -1.0f, 1.0f);
    kc_fill(seed, W, nw, -a, a);
    kc_fill(seed, bias, c->N, -1.0f, 1.0f); // fp32 always: the bias is an fp32 vector in both modes
    kc_round(x, nx, dt);
    kc_round(W, nw, dt);
    int rows[MAX_ROWS], nrows = pick_rows(c->M, rows);
    double *acc = kc_xmalloc((size_t)nrows * c->N * 8), *mag = kc_xmalloc((size_t)nrows * c->N * 8);
    reference_dots(x, W, rows, nrows, c->N, c->K, acc, mag);
    void *dx = kc_upload(x, nx, dt), *dW = kc_upload(W, nw, dt);
    float *dbias = kc_upload(bias, c->N, WP_F32);
    for (int with_bias = 0; with_bias <= 1; with_bias++)
        run_variant(la, c, dt, with_bias, bias, dx, dW, dbias, rows, nrows, acc, mag);
    CUDA_CHECK(cudaFree(dx));
    CUDA_CHECK(cudaFree(dW));
    CUDA_CHECK(cudaFree(dbias));
    free(x), free(W), free(bias), free(acc), free(mag);
}

// The contract's refusals: bad sizes and aliasing return -1 with a message, enqueue nothing.
static void check_refusals(wp_linalg *la) {
    void *d = kc_alloc_poisoned(64, WP_F32);
    int bad_size = wp_linear(la, d, (char *)d + 128, d, NULL, 0, 4, 4, 0, WP_F32, 0);
    printf("  refusal M=0: %d (%s)\n", bad_size, wp_linalg_error(la));
    int alias = wp_linear(la, d, d, (char *)d + 128, NULL, 2, 2, 2, 0, WP_F32, 0);
    printf("  refusal y == x: %d (%s)\n", alias, wp_linalg_error(la));
    double want = -1;
    float got[2] = {(float)bad_size, (float)alias};
    double refs[2] = {want, want};
    kc_compare("linear refuses M=0 and y == x with -1", got, refs, 2, 0, 0);
    CUDA_CHECK(cudaFree(d));
}

int main(void) {
    kc_require_gpu();
    char err[256];
    wp_linalg *la = NULL;
    if (wp_linalg_create(&la, err, sizeof err) != 0) {
        printf("FAIL: %s\n", err);
        return 1;
    }
    static const lcase cases[] = {
        {"tiny", 3, 5, 7, 0},
        {"odd", 37, 131, 99, 0},
        {"gelu formula", 64, 64, 16, 1},
        {"self-attn q", 18900, 5120, 5120, 0},
        {"ffn up", 2053, 13824, 5120, 1},
        {"ffn down", 2053, 5120, 13824, 0},
        {"text embedder", 512, 5120, 4096, 1},
        {"time embedder", 1, 5120, 256, 0},
        {"time_proj", 1, 30720, 5120, 0},
        {"proj_out", 18900, 64, 5120, 0},
    };
    uint64_t seed = 0x11a1u;
    check_refusals(la);
    for (int dt = WP_F32; dt <= WP_BF16; dt++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(la, &seed, &cases[i], (wp_dtype)dt);
    wp_linalg_destroy(la);
    return kc_finish("test_linalg_linear");
}
