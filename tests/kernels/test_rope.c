// test_rope: rope_forward against an independent double reference of diffusers' WanRotaryPosEmbed + apply_rotary_emb:
// frequencies per axis of the table split (t, h, w) = (hd - 2*2*(hd/6), 2*(hd/6), 2*(hd/6)), positions per column from
// the forward split (hd - 2*(hd/3), hd/3, hd/3), cos of pair k at column 2k and sin at column 2k+1, cos/sin in double
// rounded to float as diffusers' buffers. head_dims 6, 16, 64, 96, 128, 130 (16, 64, 130 have hd % 6 == 4, where the
// two splits disagree), grids up to the full (21, 45, 80) with a sequence-parallel shard offset.
// Tolerances: kcheck.h (fp32 1e-5 with atol 1e-5: two products and a sum of values |x| < 2; bf16 one ulp).
#include <math.h>
#include "kcheck.h"

// The axis position a column takes in diffusers' forward.
static int pos_of(int c, int hd, int f, int h, int w) {
    int s1 = hd / 3, s0 = hd - 2 * s1;
    return c < s0 ? f : c < s0 + s1 ? h : w;
}

// The frequency of column c in diffusers' table (built per axis with its own dim, repeat-interleaved).
static double freq_of(int c, int hd) {
    int hw = 2 * (hd / 6), t = hd - 2 * hw, dim, local;
    if (c < t) dim = t, local = c;
    else if (c < t + hw) dim = hw, local = c - t;
    else dim = hw, local = c - t - hw;
    return pow(10000.0, -(double)(local / 2 * 2) / dim);
}

typedef struct {
    int heads, hd, F, H, W;
    long tok0;
    int L;
} rope_case;

static void run_case(uint64_t *seed, rope_case rc, wp_dtype dt, int check_in_place) {
    size_t n = (size_t)rc.L * rc.heads * rc.hd;
    float *x = kc_xmalloc(n * 4), *out = kc_xmalloc(n * 4);
    double *ref = kc_xmalloc(n * 8);
    kc_fill(seed, x, n, -2.0f, 2.0f);
    kc_round(x, n, dt);
    for (int i = 0; i < rc.L; i++) {
        long g = rc.tok0 + i;
        int w = (int)(g % rc.W), h = (int)(g / rc.W % rc.H), f = (int)(g / ((long)rc.W * rc.H));
        for (int hh = 0; hh < rc.heads; hh++)
            for (int k = 0; k < rc.hd / 2; k++) {
                size_t o = ((size_t)i * rc.heads + hh) * rc.hd + 2 * k;
                double c = (float)cos(pos_of(2 * k, rc.hd, f, h, w) * freq_of(2 * k, rc.hd));
                double s = (float)sin(pos_of(2 * k + 1, rc.hd, f, h, w) * freq_of(2 * k + 1, rc.hd));
                ref[o] = x[o] * c - x[o + 1] * s;
                ref[o + 1] = x[o] * s + x[o + 1] * c;
            }
    }
    int max_pos = rc.F > rc.H ? rc.F : rc.H;
    if (rc.W > max_pos) max_pos = rc.W;
    float *ct = kc_xmalloc((size_t)max_pos * rc.hd * 4), *st = kc_xmalloc((size_t)max_pos * rc.hd * 4);
    if (rope_table_fill(ct, st, rc.hd, max_pos, 10000.0) != 0) {
        fprintf(stderr, "rope_table_fill refused head_dim %d\n", rc.hd);
        exit(1);
    }
    float *dct = kc_upload(ct, (size_t)max_pos * rc.hd, WP_F32), *dst = kc_upload(st, (size_t)max_pos * rc.hd, WP_F32);
    void *dx = kc_upload(x, n, dt), *dout = kc_alloc_poisoned(n, dt);
    CUDA_CHECK(rope_forward(dout, dx, dct, dst, max_pos, rc.L, rc.heads, rc.hd, rc.F, rc.H, rc.W, rc.tok0, dt, 0));
    kc_download(out, dout, n, dt);
    char what[128];
    snprintf(what, sizeof what, "rope %s hd=%d heads=%d grid=%dx%dx%d tok=%ld+%d", kc_dtname(dt), rc.hd, rc.heads,
             rc.F, rc.H, rc.W, rc.tok0, rc.L);
    kc_compare(what, out, ref, n, KC_ATOL(dt), KC_RTOL(dt));
    if (check_in_place) {
        CUDA_CHECK(rope_forward(dx, dx, dct, dst, max_pos, rc.L, rc.heads, rc.hd, rc.F, rc.H, rc.W, rc.tok0, dt, 0));
        kc_same(what, dx, dout, n * kc_size(dt));
    }
    CUDA_CHECK(cudaFree(dx));
    CUDA_CHECK(cudaFree(dout));
    CUDA_CHECK(cudaFree(dct));
    CUDA_CHECK(cudaFree(dst));
    free(x), free(out), free(ref), free(ct), free(st);
}

int main(void) {
    kc_require_gpu();
    static const rope_case cases[] = {
        {1, 6, 1, 1, 1, 0, 1},        {2, 16, 2, 3, 4, 0, 24},      {3, 64, 3, 4, 5, 0, 60},
        {2, 96, 4, 4, 4, 5, 50},      {2, 130, 2, 3, 3, 0, 18},     {4, 128, 5, 6, 8, 0, 240},
        {40, 128, 21, 6, 8, 0, 1008}, {10, 128, 21, 45, 80, 18900, 18900},
    };
    int nc = (int)(sizeof cases / sizeof cases[0]);
    uint64_t seed = 0x409eu;
    for (int dt = WP_F32; dt <= WP_BF16; dt++)
        for (int c = 0; c < nc; c++) run_case(&seed, cases[c], (wp_dtype)dt, c == nc - 1);
    // Argument checks: odd head_dim, a grid past the table, a shard past the grid.
    float *d = NULL;
    CUDA_CHECK(cudaMalloc((void **)&d, 4096));
    int refused = rope_forward(d, d, d, d, 4, 1, 1, 7, 1, 1, 1, 0, WP_F32, 0) == cudaErrorInvalidValue &&
                  rope_forward(d, d, d, d, 4, 1, 1, 8, 5, 1, 1, 0, WP_F32, 0) == cudaErrorInvalidValue &&
                  rope_forward(d, d, d, d, 4, 2, 1, 8, 1, 1, 1, 0, WP_F32, 0) == cudaErrorInvalidValue;
    CUDA_CHECK(cudaFree(d));
    printf("RESULT %-48s %s\n", "rope argument checks", refused ? "PASS" : "FAIL");
    int rc = kc_finish("test_kernel_rope");
    return rc || !refused;
}
