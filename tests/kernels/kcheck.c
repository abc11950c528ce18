// kcheck.c: see kcheck.h.
#include "kcheck.h"

#include <math.h>
#include <string.h>

static int failures;
static int checks;

void kc_require_gpu(void) {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        printf("SKIP: no usable CUDA GPU here (%s); the kernel tests run on the GPU machine (bench/gpu/kernels.sh)\n",
               e != cudaSuccess ? cudaGetErrorString(e) : "0 devices");
        exit(77);
    }
    struct cudaDeviceProp p;
    CUDA_CHECK(cudaGetDeviceProperties(&p, 0));
    printf("device: %s (sm_%d%d, %d SMs)\n", p.name, p.major, p.minor, p.multiProcessorCount);
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void kc_fill(uint64_t *state, float *v, size_t n, float lo, float hi) {
    for (size_t i = 0; i < n; i++) v[i] = lo + (hi - lo) * (float)((splitmix(state) >> 40) * (1.0 / 16777216.0));
}

static uint16_t f2bf(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static float bf2f(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

const char *kc_dtname(wp_dtype dt) { return dt == WP_BF16 ? "bf16" : "fp32"; }
size_t kc_size(wp_dtype dt) { return dt == WP_BF16 ? 2 : 4; }

void *kc_xmalloc(size_t bytes) {
    void *p = malloc(bytes ? bytes : 1);
    if (!p) {
        fprintf(stderr, "out of host memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

void kc_round(float *v, size_t n, wp_dtype dt) {
    if (dt == WP_BF16)
        for (size_t i = 0; i < n; i++) v[i] = bf2f(f2bf(v[i]));
}

void *kc_upload(const float *v, size_t n, wp_dtype dt) {
    void *d = NULL;
    CUDA_CHECK(cudaMalloc(&d, n * kc_size(dt) + 1));
    if (dt == WP_F32) {
        CUDA_CHECK(cudaMemcpy(d, v, n * 4, cudaMemcpyHostToDevice));
        return d;
    }
    uint16_t *h = kc_xmalloc(n * 2);
    for (size_t i = 0; i < n; i++) h[i] = f2bf(v[i]);
    CUDA_CHECK(cudaMemcpy(d, h, n * 2, cudaMemcpyHostToDevice));
    free(h);
    return d;
}

void *kc_alloc_poisoned(size_t n, wp_dtype dt) {
    void *d = NULL;
    CUDA_CHECK(cudaMalloc(&d, n * kc_size(dt) + 1));
    CUDA_CHECK(cudaMemset(d, 0xff, n * kc_size(dt) + 1));
    return d;
}

void kc_download(float *dst, const void *dev, size_t n, wp_dtype dt) {
    CUDA_CHECK(cudaDeviceSynchronize());
    if (dt == WP_F32) {
        CUDA_CHECK(cudaMemcpy(dst, dev, n * 4, cudaMemcpyDeviceToHost));
        return;
    }
    uint16_t *h = kc_xmalloc(n * 2);
    CUDA_CHECK(cudaMemcpy(h, dev, n * 2, cudaMemcpyDeviceToHost));
    for (size_t i = 0; i < n; i++) dst[i] = bf2f(h[i]);
    free(h);
}

size_t kc_compare(const char *what, const float *out, const double *ref, size_t n, double atol, double rtol) {
    size_t bad = 0;
    double max_abs = 0, max_ratio = 0, num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)out[i] - ref[i]), bound = atol + rtol * fabs(ref[i]);
        num += d * d;
        den += ref[i] * ref[i];
        if (d > max_abs || d != d) max_abs = d;
        if (d / bound > max_ratio || d != d) max_ratio = d / bound;
        if (!(d <= bound)) {
            if (bad < 5) printf("  MISMATCH %s [%zu]: got %.9g want %.9g (|diff| %.3g > %.3g)\n", what, i, out[i],
                                ref[i], d, bound);
            bad++;
        }
    }
    checks++;
    if (bad) failures++;
    printf("RESULT %-48s n=%-10zu max_abs=%-10.3g err/tol=%-7.3f rel_l2=%-10.3g atol=%g rtol=%g %s", what, n,
           max_abs, max_ratio, den > 0 ? sqrt(num / den) : sqrt(num), atol, rtol, bad ? "FAIL" : "PASS");
    if (bad) printf(" (%zu mismatches)", bad);
    printf("\n");
    return bad;
}

int kc_same(const char *what, const void *a, const void *b, size_t bytes) {
    unsigned char *ha = kc_xmalloc(bytes), *hb = kc_xmalloc(bytes);
    CUDA_CHECK(cudaDeviceSynchronize());
    CUDA_CHECK(cudaMemcpy(ha, a, bytes, cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemcpy(hb, b, bytes, cudaMemcpyDeviceToHost));
    int same = memcmp(ha, hb, bytes) == 0;
    free(ha);
    free(hb);
    checks++;
    if (!same) failures++;
    printf("RESULT %-48s bytes=%-10zu in place == out of place, bit for bit: %s\n", what, bytes, same ? "PASS" : "FAIL");
    return same;
}

int kc_finish(const char *test) {
    printf("%s: %d checks, %d failed\n", test, checks, failures);
    return failures ? 1 : 0;
}
