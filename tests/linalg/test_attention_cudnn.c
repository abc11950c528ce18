// test_attention_cudnn: wp_attention_cudnn against softmax(scale q k^T) v in double, from the same bf16 inputs:
// a long self-attention (18,900 tokens, 256 query rows checked), the Wan cross-attention (4096 x 512 text tokens,
// 40 heads), odd lengths with head_dim 64, and a long head_dim 64 case. q, k ~ U(-3, 3) so the softmax is peaked
// (score std ~3) and the output is of order 0.1-1: a wrong row, head or key shows far above the tolerance.
// Outputs are poisoned (NaN) first and every element is checked to be finite.
//
// Tolerance (|out - ref| <= atol + rtol |ref|): atol 2^-8 = 3.9e-3, the worst case of rounding the probabilities
// to bf16 before the P V product (cuDNN does: relative 2^-8, bf16's unit roundoff, each, times |v| <= 1, summed with
// weights that add to 1); rtol 8e-3 for the one rounding of the output to bf16 (kcheck.h). Scores, exponentials and
// sums are fp32. (On the H200 the largest error was 0.42 of the 2^-9 bound used before this one was derived right.)
#include <math.h>
#include "kcheck.h"
#include "wplinalg.h"

typedef struct {
    const char *name;
    int Lq, Lk, heads, head_dim, rows_checked; // rows_checked 0: all
} acase;

// out_row[h*D + d] for query row i, in double.
static void reference_row(const float *q, const float *k, const float *v, int i, int Lk, int H, int D, double scale,
                          double *out_row, double *score) {
    for (int h = 0; h < H; h++) {
        const float *qi = q + ((size_t)i * H + h) * D;
        double mx = -INFINITY, sum = 0;
        for (int j = 0; j < Lk; j++) {
            const float *kj = k + ((size_t)j * H + h) * D;
            double s = 0;
            for (int d = 0; d < D; d++) s += (double)qi[d] * kj[d];
            score[j] = s * scale;
            if (score[j] > mx) mx = score[j];
        }
        for (int j = 0; j < Lk; j++) sum += (score[j] = exp(score[j] - mx));
        for (int d = 0; d < D; d++) out_row[h * D + d] = 0;
        for (int j = 0; j < Lk; j++) {
            const float *vj = v + ((size_t)j * H + h) * D;
            double p = score[j] / sum;
            for (int d = 0; d < D; d++) out_row[h * D + d] += p * vj[d];
        }
    }
}

static void run_case(wp_linalg *la, uint64_t *seed, const acase *c) {
    const int H = c->heads, D = c->head_dim, W = H * D;
    size_t nq = (size_t)c->Lq * W, nk = (size_t)c->Lk * W;
    float *q = kc_xmalloc(nq * 4), *k = kc_xmalloc(nk * 4), *v = kc_xmalloc(nk * 4), *out = kc_xmalloc(nq * 4);
    kc_fill(seed, q, nq, -3.0f, 3.0f);
    kc_fill(seed, k, nk, -3.0f, 3.0f);
    kc_fill(seed, v, nk, -1.0f, 1.0f);
    kc_round(q, nq, WP_BF16), kc_round(k, nk, WP_BF16), kc_round(v, nk, WP_BF16);
    void *dq = kc_upload(q, nq, WP_BF16), *dk = kc_upload(k, nk, WP_BF16), *dv = kc_upload(v, nk, WP_BF16);
    void *dout = kc_alloc_poisoned(nq, WP_BF16);
    double scale = 1.0 / sqrt((double)D);
    char what[160];
    snprintf(what, sizeof what, "attention %s Lq=%d Lk=%d h=%d d=%d", c->name, c->Lq, c->Lk, H, D);
    int rc = wp_attention_cudnn(la, dout, dq, dk, dv, c->Lq, c->Lk, H, D, (float)scale, 0);
    if (rc != 0) printf("  %s: wp_attention_cudnn returned %d: %s\n", what, rc, wp_linalg_error(la));
    kc_download(out, dout, nq, WP_BF16);
    size_t bad = 0;
    for (size_t i = 0; i < nq; i++) bad += !isfinite(out[i]);
    double zero = 0;
    float flag = bad ? NAN : 0.0f;
    char w2[200];
    snprintf(w2, sizeof w2, "%s all written", what);
    kc_compare(w2, &flag, &zero, 1, 0, 0);
    int nrows = c->rows_checked && c->rows_checked < c->Lq ? c->rows_checked : c->Lq;
    float *got = kc_xmalloc((size_t)nrows * W * 4);
    double *ref = kc_xmalloc((size_t)nrows * W * 8), *score = kc_xmalloc((size_t)c->Lk * 8);
    for (int r = 0; r < nrows; r++) {
        int i = nrows == c->Lq ? r : (int)((long)r * (c->Lq - 1) / (nrows - 1));
        reference_row(q, k, v, i, c->Lk, H, D, scale, ref + (size_t)r * W, score);
        for (int j = 0; j < W; j++) got[(size_t)r * W + j] = out[(size_t)i * W + j];
    }
    kc_compare(what, got, ref, (size_t)nrows * W, 1.0 / 256, 8e-3);
    CUDA_CHECK(cudaFree(dq));
    CUDA_CHECK(cudaFree(dk));
    CUDA_CHECK(cudaFree(dv));
    CUDA_CHECK(cudaFree(dout));
    free(q), free(k), free(v), free(out), free(got), free(ref), free(score);
}

// A shape cuDNN is not asked to run (head_dim 96) returns -1 with a message, so the caller can fall back.
static void check_refusal(wp_linalg *la) {
    void *d = kc_alloc_poisoned(96 * 4, WP_BF16);
    int rc = wp_attention_cudnn(la, d, d, d, d, 1, 1, 1, 96, 1.0f, 0);
    printf("  refusal head_dim=96: %d (%s)\n", rc, wp_linalg_error(la));
    float got = (float)rc;
    double want = -1;
    kc_compare("attention refuses head_dim 96 with -1", &got, &want, 1, 0, 0);
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
    int avail = wp_attention_cudnn_available(la);
    printf("cuDNN attention available: %d %s\n", avail, avail ? "" : wp_linalg_error(la));
    float got = (float)avail;
    double want = 1;
    kc_compare("cuDNN attention available", &got, &want, 1, 0, 0);
    static const acase cases[] = {
        {"long self", 18900, 18900, 3, 128, 256},
        {"cross", 4096, 512, 40, 128, 128},
        {"odd", 333, 777, 5, 64, 0},
        {"long d64", 4099, 4099, 2, 64, 128},
    };
    uint64_t seed = 0xa77e57u;
    if (avail)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(la, &seed, &cases[i]);
    check_refusal(la);
    wp_linalg_destroy(la);
    return kc_finish("test_linalg_attention_cudnn");
}
