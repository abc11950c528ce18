// test_attention: attention_forward (and attention_forward_with, to reach each kernel) against a CPU reference in
// double computed from the same rounded inputs. Shapes: tiny and odd lengths (1, 7, 333, 1000: not multiples of the
// 128-row tiles), head_dim 64 and 128 in bf16, other head dims in fp32, Wan cross-attention (4096 x 512 keys), and the
// full self-attention problem (75,600 x 75,600, 10 heads, head_dim 128) checked on 96 query rows (first, middle and
// last 32; the last include the ragged tile) while every output element is checked to be written (finite).
//
// Tolerances, |out - ref| <= atol + rtol * |ref|, with vmax = max |v|:
//  bf16: rtol 8e-3 (kcheck.h: one bf16 ulp at the bottom of a binade; the store rounds once by at most half an ulp)
//    and atol 2^-9 * vmax: the tensor-core product P V takes P rounded to bf16 (relative error <= 2^-9 per weight,
//    as in FlashAttention), which moves the output by at most 2^-9 * sum_j p_j |v_j| / l <= 2^-9 * vmax whatever
//    |ref| is; q, k, v are exact bf16 values in both computations.
//  fp32: rtol 1e-5 and atol (2e-5 + 2^-22 sqrt(Lk)) * vmax: a score's fp32 rounding (~1e-6 absolute for |score| up
//    to ~10) becomes the same relative error in its weight exp(s - m), and the running sums of Lk fp32 terms gather
//    rounding errors that grow like sqrt(Lk) ulps (2^-24 each) on random data; factor 4 of margin on that.
#include <math.h>
#include <string.h>
#include "kcheck.h"

static int other_failures; // argument checks and the written-outputs check (kc_compare counts the rest)

// ref (n_rows, heads, D) for the query rows `rows`: one pass over k and one over v per head for all rows at once.
static void reference(double *ref, const float *q, const float *k, const float *v, const long *rows, int n_rows, int Lk,
                      int heads, int D, double scale) {
    const size_t stride = (size_t)heads * D;
    double *s = kc_xmalloc((size_t)n_rows * Lk * 8); // (n_rows, Lk) scores, then weights
    double *acc = kc_xmalloc((size_t)n_rows * D * 8), *sum = kc_xmalloc((size_t)n_rows * 8);
    for (int h = 0; h < heads; h++) {
        for (long j = 0; j < Lk; j++) {
            const float *kj = k + j * stride + (size_t)h * D;
            for (int r = 0; r < n_rows; r++) {
                const float *qi = q + rows[r] * stride + (size_t)h * D;
                double dot[4] = {0, 0, 0, 0}; // four chains: D is a multiple of 8
                for (int d = 0; d < D; d += 4)
                    for (int u = 0; u < 4; u++) dot[u] += (double)qi[d + u] * kj[d + u];
                s[(size_t)r * Lk + j] = scale * ((dot[0] + dot[1]) + (dot[2] + dot[3]));
            }
        }
        for (int r = 0; r < n_rows; r++) {
            double *sr = s + (size_t)r * Lk, mx = -INFINITY;
            for (long j = 0; j < Lk; j++) mx = sr[j] > mx ? sr[j] : mx;
            sum[r] = 0;
            for (long j = 0; j < Lk; j++) sum[r] += (sr[j] = exp(sr[j] - mx));
        }
        memset(acc, 0, (size_t)n_rows * D * 8);
        for (long j = 0; j < Lk; j++) {
            const float *vj = v + j * stride + (size_t)h * D;
            for (int r = 0; r < n_rows; r++) {
                double p = s[(size_t)r * Lk + j], *a = acc + (size_t)r * D;
                for (int d = 0; d < D; d++) a[d] += p * vj[d];
            }
        }
        for (int r = 0; r < n_rows; r++)
            for (int d = 0; d < D; d++) ref[((size_t)r * heads + h) * D + d] = acc[(size_t)r * D + d] / sum[r];
    }
    free(s), free(acc), free(sum);
}

// Query rows to check: all when Lq <= 512, else the first, middle and last 32.
static int rows_to_check(long *rows, int Lq) {
    if (Lq <= 512) {
        for (int i = 0; i < Lq; i++) rows[i] = i;
        return Lq;
    }
    for (int i = 0; i < 32; i++) rows[i] = i, rows[32 + i] = Lq / 2 - 16 + i, rows[64 + i] = Lq - 32 + i;
    return 96;
}

static const char *impl_name(wp_attn_impl impl) {
    return impl == WP_ATTN_WGMMA ? "wgmma" : impl == WP_ATTN_SIMT ? "simt" : "auto";
}

// One shape. q_spread: q and k uniform in [-q_spread, q_spread) (sqrt(3): unit variance, scores of std ~1; larger
// makes the softmax peaky and the running max move often); v uniform in [-1, 1).
static void run_case(uint64_t *seed, int Lq, int Lk, int heads, int D, wp_dtype dt, wp_attn_impl impl,
                     float q_spread) {
    const size_t nq = (size_t)Lq * heads * D, nk = (size_t)Lk * heads * D;
    float *q = kc_xmalloc(nq * 4), *k = kc_xmalloc(nk * 4), *v = kc_xmalloc(nk * 4), *out = kc_xmalloc(nq * 4);
    kc_fill(seed, q, nq, -q_spread, q_spread);
    kc_fill(seed, k, nk, -q_spread, q_spread);
    kc_fill(seed, v, nk, -1.0f, 1.0f);
    kc_round(q, nq, dt), kc_round(k, nk, dt), kc_round(v, nk, dt);
    float vmax = 0;
    for (size_t i = 0; i < nk; i++) vmax = fabsf(v[i]) > vmax ? fabsf(v[i]) : vmax;
    const float scale = 1.0f / sqrtf((float)D);

    void *dq = kc_upload(q, nq, dt), *dk = kc_upload(k, nk, dt), *dv = kc_upload(v, nk, dt);
    void *dout = kc_alloc_poisoned(nq, dt);
    CUDA_CHECK(attention_forward_with(impl, dout, dq, dk, dv, Lq, Lk, heads, D, scale, dt, 0));
    kc_download(out, dout, nq, dt);

    long rows[512];
    int n_rows = rows_to_check(rows, Lq);
    const size_t row_elems = (size_t)heads * D;
    double *ref = kc_xmalloc(n_rows * row_elems * 8);
    float *got = kc_xmalloc(n_rows * row_elems * 4);
    reference(ref, q, k, v, rows, n_rows, Lk, heads, D, scale);
    for (int r = 0; r < n_rows; r++) memcpy(got + r * row_elems, out + rows[r] * row_elems, row_elems * 4);
    char what[96];
    snprintf(what, sizeof what, "attn %s %s Lq=%d Lk=%d h=%d d=%d%s", impl_name(impl), kc_dtname(dt), Lq, Lk, heads,
             D, n_rows < Lq ? " (96 rows)" : "");
    double atol = dt == WP_BF16 ? ldexp(vmax, -9) : (2e-5 + ldexp(sqrt((double)Lk), -22)) * vmax;
    kc_compare(what, got, ref, n_rows * row_elems, atol, dt == WP_BF16 ? KC_BF16_RTOL : KC_F32_RTOL);
    if (n_rows < Lq) { // the rows not compared must at least be written: the poison is NaN
        size_t unwritten = 0;
        for (size_t i = 0; i < nq; i++) unwritten += !isfinite(out[i]);
        other_failures += unwritten > 0;
        printf("RESULT %-48s all %zu outputs finite (written): %s (%zu not)\n", what, nq, unwritten ? "FAIL" : "PASS",
               unwritten);
    }
    CUDA_CHECK(cudaFree(dq));
    CUDA_CHECK(cudaFree(dk));
    CUDA_CHECK(cudaFree(dv));
    CUDA_CHECK(cudaFree(dout));
    free(q), free(k), free(v), free(out), free(ref), free(got);
}

// Unsupported shapes and arguments must be refused with cudaErrorInvalidValue, before any launch.
static void expect_invalid(const char *what, void *p, int Lq, int Lk, int heads, int D, wp_dtype dt,
                           wp_attn_impl impl) {
    cudaError_t e = attention_forward_with(impl, p, p, p, p, Lq, Lk, heads, D, 0.1f, dt, 0);
    int ok = e == cudaErrorInvalidValue;
    other_failures += !ok;
    printf("RESULT %-48s refused with cudaErrorInvalidValue: %s (%s)\n", what, ok ? "PASS" : "FAIL",
           cudaGetErrorName(e));
}

static void argument_checks(void) {
    void *p = NULL;
    CUDA_CHECK(cudaMalloc(&p, 1 << 20));
    expect_invalid("args bf16 head_dim 96", p, 4, 4, 1, 96, WP_BF16, WP_ATTN_AUTO);
    expect_invalid("args bf16 head_dim 256", p, 4, 4, 1, 256, WP_BF16, WP_ATTN_AUTO);
    expect_invalid("args fp32 head_dim 12", p, 4, 4, 1, 12, WP_F32, WP_ATTN_AUTO);
    expect_invalid("args fp32 head_dim 264", p, 4, 4, 1, 264, WP_F32, WP_ATTN_AUTO);
    expect_invalid("args fp32 head_dim 0", p, 4, 4, 1, 0, WP_F32, WP_ATTN_AUTO);
    expect_invalid("args Lq 0", p, 0, 4, 1, 64, WP_BF16, WP_ATTN_AUTO);
    expect_invalid("args Lk 0", p, 4, 0, 1, 64, WP_BF16, WP_ATTN_AUTO);
    expect_invalid("args heads 0", p, 4, 4, 0, 64, WP_BF16, WP_ATTN_AUTO);
    expect_invalid("args wgmma forced for fp32", p, 4, 4, 1, 64, WP_F32, WP_ATTN_WGMMA);
    expect_invalid("args wgmma forced, q not 16-byte aligned", (char *)p + 2, 4, 4, 1, 64, WP_BF16, WP_ATTN_WGMMA);
    expect_invalid("args NULL pointer", NULL, 4, 4, 1, 64, WP_BF16, WP_ATTN_AUTO);
    expect_invalid("args dtype 7", p, 4, 4, 1, 64, (wp_dtype)7, WP_ATTN_AUTO);
    CUDA_CHECK(cudaFree(p));
}

// usage: test_kernel_attention [small]   (small: without the two 75,600-key cases, for compute-sanitizer)
int main(int argc, char **argv) {
    const int small = argc > 1 && strcmp(argv[1], "small") == 0;
    kc_require_gpu();
    int major = 0;
    CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0));
    uint64_t seed = 0xa77e2u;
    const float unit = 1.7320508f, peaky = 4.0f;
    // {Lq, Lk, heads, head_dim}
    static const int bf16_shapes[][4] = {{1, 1, 1, 64},     {7, 7, 2, 128},    {1, 333, 3, 64},   {333, 1000, 3, 128},
                                         {1000, 333, 2, 64}, {129, 257, 2, 128}, {4096, 512, 10, 128}};
    static const int f32_shapes[][4] = {{1, 1, 1, 8},       {7, 7, 2, 40},    {333, 1000, 3, 72}, {100, 257, 2, 256},
                                        {129, 300, 2, 64}, {64, 4096, 2, 128}, {50, 75600, 1, 128}};
    const int nb = (int)(sizeof bf16_shapes / sizeof bf16_shapes[0]), nf = (int)(sizeof f32_shapes / sizeof f32_shapes[0]);
    for (int i = 0; i < nb; i++) {
        const int *s = bf16_shapes[i];
        run_case(&seed, s[0], s[1], s[2], s[3], WP_BF16, WP_ATTN_AUTO, unit);
        if (i == 3 || i == 4) run_case(&seed, s[0], s[1], s[2], s[3], WP_BF16, WP_ATTN_AUTO, peaky);
        if (s[0] * (long)s[1] <= 400000) run_case(&seed, s[0], s[1], s[2], s[3], WP_BF16, WP_ATTN_SIMT, unit);
    }
    for (int i = 0; i < nf; i++) {
        const int *s = f32_shapes[i];
        if (small && s[1] > 10000) continue;
        run_case(&seed, s[0], s[1], s[2], s[3], WP_F32, WP_ATTN_AUTO, i == 2 ? peaky : unit);
    }
    // The Wan self-attention, full size: 40 heads after a 4-way Ulysses split = 10 per GPU. Hopper only: the
    // portable kernel would take minutes.
    if (major == 9 && !small)
        run_case(&seed, 75600, 75600, 10, 128, WP_BF16, WP_ATTN_AUTO, unit);
    else
        printf("note: not compute capability 9.0: the auto cases ran the portable kernel; full-size case skipped\n");
    argument_checks();
    int rc = kc_finish("test_kernel_attention");
    if (other_failures) printf("test_kernel_attention: %d argument or written-output checks failed\n", other_failures);
    return rc || other_failures;
}
