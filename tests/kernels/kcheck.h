/* kcheck: helpers for the wpkernels GPU tests: skip without a GPU, seeded inputs rounded to the tested precision,
 * poisoned outputs, and the comparison |out - ref| <= atol + rtol * |ref| against a CPU reference in double. */
#ifndef WP_KCHECK_H
#define WP_KCHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cuda_runtime_api.h>
#include "wpkernels.h"

#define CUDA_CHECK(call)                                                                                          \
    do {                                                                                                           \
        cudaError_t e_ = (call);                                                                                   \
        if (e_ != cudaSuccess) {                                                                                   \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_));                \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

/* Exits 77 (ctest: skipped) with a one-line reason when no CUDA device is usable; prints the device otherwise. */
void kc_require_gpu(void);
/* Seeded uniform floats in [lo, hi), never all zeros. */
void kc_fill(uint64_t *state, float *v, size_t n, float lo, float hi);
/* Rounds v in place to the values dt can hold (bf16: nearest even), so the reference sees what the GPU reads. */
void kc_round(float *v, size_t n, wp_dtype dt);
/* cudaMalloc + copy of v converted to dt; free with cudaFree. */
void *kc_upload(const float *v, size_t n, wp_dtype dt);
/* n elements of dt, every byte 0xFF (NaN in fp32 and bf16), so unwritten elements fail the comparison. */
void *kc_alloc_poisoned(size_t n, wp_dtype dt);
/* Copies n elements of dt back from the device (synchronises; checks the device's sticky error too). */
void kc_download(float *dst, const void *dev, size_t n, wp_dtype dt);
/* Compares, prints one RESULT line (max abs error, max error/bound, ||out-ref||/||ref||) and the first mismatches;
 * counts a failure. NaN never passes. Returns the number of mismatching elements. */
size_t kc_compare(const char *what, const float *out, const double *ref, size_t n, double atol, double rtol);
/* Same bytes on the device? (in-place runs must match out-of-place runs bit for bit); counts a failure if not. */
int kc_same(const char *what, const void *a, const void *b, size_t bytes);
/* Exit status of the test: 1 if any comparison failed. Prints a summary line. */
int kc_finish(const char *test);
const char *kc_dtname(wp_dtype dt);
size_t kc_size(wp_dtype dt);
void *kc_xmalloc(size_t bytes);

/* Tolerances (|out - ref| <= atol + rtol * |ref|, ref in double from the same rounded inputs):
 *  fp32 output: rtol 1e-5, atol 1e-5. fp32 rounding is 6e-8 relative per operation; a 5120-long fp32 sum or a
 *    tanhf/rsqrtf (2 ulp) stays near 1e-6; 1e-5 leaves a margin yet catches any indexing or formula error.
 *  bf16 output: rtol 8e-3 (2^-7, one bf16 ulp at the bottom of a binade: the single rounding at the store costs half
 *    an ulp, and the fp32 result can sit on the other side of a rounding midpoint), atol 1e-5 for the fp32 error of
 *    results that cancel to near zero. */
#define KC_F32_RTOL 1e-5
#define KC_F32_ATOL 1e-5
#define KC_BF16_RTOL 8e-3
#define KC_BF16_ATOL 1e-5
#define KC_RTOL(dt) ((dt) == WP_BF16 ? KC_BF16_RTOL : KC_F32_RTOL)
#define KC_ATOL(dt) ((dt) == WP_BF16 ? KC_BF16_ATOL : KC_F32_ATOL)

#endif
