// linalg.c: wp_linalg's life cycle and error message (see wplinalg.h). The work is in gemm.c and attention_cudnn.c.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "linalg_internal.h"

int wp_linalg_fail(wp_linalg *la, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(la->err, sizeof la->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int create_fail(char *err, size_t errlen, wp_linalg *la, const char *what, const char *why) {
    if (errlen) snprintf(err, errlen, "wp_linalg_create: %s: %s", what, why);
    wp_linalg_destroy(la);
    return -1;
}

int wp_linalg_create(wp_linalg **out, char *err, size_t errlen) {
    *out = NULL;
    wp_linalg *la = calloc(1, sizeof *la);
    if (!la) return create_fail(err, errlen, NULL, "calloc", "out of host memory");
    cublasStatus_t s = cublasLtCreate(&la->lt);
    if (s != CUBLAS_STATUS_SUCCESS) return create_fail(err, errlen, la, "cublasLtCreate", cublasLtGetStatusString(s));
    cudaError_t e = cudaMalloc(&la->workspace, WP_GEMM_WORKSPACE);
    if (e != cudaSuccess) return create_fail(err, errlen, la, "cudaMalloc(workspace)", cudaGetErrorString(e));
    *out = la;
    return 0;
}

void wp_linalg_destroy(wp_linalg *la) {
    if (!la) return;
    cudaDeviceSynchronize(); // queued GEMMs and attention may still read the workspace and plans
    wp_gemm_plans_free(la);
    wp_sdpa_free(la->sdpa);
    if (la->bias_bf16) cudaFree(la->bias_bf16);
    if (la->workspace) cudaFree(la->workspace);
    if (la->lt) cublasLtDestroy(la->lt);
    free(la);
}

const char *wp_linalg_error(const wp_linalg *la) { return la ? la->err : "wp_linalg is NULL"; }
