// gemm.c: wp_linear through cuBLASLt, one cached plan (descriptors + heuristic's algorithm) per shape.
//
// cuBLASLt is column-major. Row-major y (M, N) is column-major y^T (N, M), and y^T = W x^T: W (N, K) row-major is
// column-major (K, N), used transposed (op(A) = T); x (M, K) row-major is column-major (K, M), used as is. So A = W,
// B = x, D = y, all with leading dimension = their row length, and the bias runs along D's rows (N): "TN", the
// layout Hopper's GEMM kernels prefer. The epilogue adds the bias to the fp32 accumulator, then GELU, then rounds
// once. Its bias must have D's type: a bf16 GEMM gets the fp32 bias rounded to bf16 on the stream first
// (bias_bf16.cu; cuBLASLt refused CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE = CUDA_R_32F with bf16 D), as torch does when
// the model is cast to bf16.
#include <stdint.h>
#include <string.h>
#include "linalg_internal.h"

// Largest power of two (up to 256) dividing the address: cuBLASLt assumes 256-byte aligned operands unless told.
static int pointer_alignment(const void *p) {
    uintptr_t a = (uintptr_t)p;
    int align = 256;
    while (align > 1 && (a % (uintptr_t)align) != 0) align /= 2;
    return align;
}

static void plan_free(struct wp_gemm_plan *p) {
    if (!p->used) return;
    cublasLtMatrixLayoutDestroy(p->w_layout);
    cublasLtMatrixLayoutDestroy(p->x_layout);
    cublasLtMatrixLayoutDestroy(p->y_layout);
    cublasLtMatmulDescDestroy(p->op);
    memset(p, 0, sizeof *p);
}

void wp_gemm_plans_free(wp_linalg *la) {
    for (int i = 0; i < WP_GEMM_PLANS; i++) plan_free(&la->gemm[i]);
}

static int plan_matches(const struct wp_gemm_plan *p, const struct wp_gemm_plan *key) {
    return p->used && p->M == key->M && p->N == key->N && p->K == key->K && p->gelu == key->gelu &&
           p->has_bias == key->has_bias && p->dt == key->dt && p->align_x == key->align_x &&
           p->align_w == key->align_w && p->align_y == key->align_y;
}

#define LT_TRY(call, what)                                                                                          \
    do {                                                                                                           \
        cublasStatus_t s_ = (call);                                                                                \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                                         \
            wp_linalg_fail(la, "wp_linear %dx%dx%d: %s: %s", p->M, p->N, p->K, what, cublasLtGetStatusString(s_)); \
            return (int)s_;                                                                                        \
        }                                                                                                          \
    } while (0)

// Fills p's descriptors for its key fields (the caller frees p on failure).
static int plan_describe(wp_linalg *la, struct wp_gemm_plan *p) {
    cudaDataType_t io = p->dt == WP_BF16 ? CUDA_R_16BF : CUDA_R_32F;
    LT_TRY(cublasLtMatmulDescCreate(&p->op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "matmul descriptor");
    cublasOperation_t transa = CUBLAS_OP_T, transb = CUBLAS_OP_N;
    LT_TRY(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_TRANSA, &transa, sizeof transa), "TRANSA");
    LT_TRY(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_TRANSB, &transb, sizeof transb), "TRANSB");
    cublasLtEpilogue_t epi = p->gelu ? (p->has_bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU)
                                     : (p->has_bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT);
    LT_TRY(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi), "EPILOGUE");
    LT_TRY(cublasLtMatrixLayoutCreate(&p->w_layout, io, (uint64_t)p->K, (uint64_t)p->N, p->K), "W layout");
    LT_TRY(cublasLtMatrixLayoutCreate(&p->x_layout, io, (uint64_t)p->K, (uint64_t)p->M, p->K), "x layout");
    LT_TRY(cublasLtMatrixLayoutCreate(&p->y_layout, io, (uint64_t)p->N, (uint64_t)p->M, p->N), "y layout");
    return 0;
}

// Asks the heuristic for the best algorithm that fits the workspace and the operands' alignment.
static int plan_choose_algo(wp_linalg *la, struct wp_gemm_plan *p) {
    cublasLtMatmulPreference_t pref = NULL;
    LT_TRY(cublasLtMatmulPreferenceCreate(&pref), "preference");
    size_t ws = WP_GEMM_WORKSPACE;
    uint32_t ax = (uint32_t)p->align_x, aw = (uint32_t)p->align_w, ay = (uint32_t)p->align_y;
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws);
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &aw, sizeof aw);
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &ax, sizeof ax);
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &ay, sizeof ay);
    cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &ay, sizeof ay);
    cublasLtMatmulHeuristicResult_t result;
    int found = 0;
    cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(la->lt, p->op, p->w_layout, p->x_layout, p->y_layout,
                                                      p->y_layout, pref, 1, &result, &found);
    cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS || found == 0)
        return wp_linalg_fail(la, "wp_linear %dx%dx%d %s%s%s: cuBLASLt has no algorithm (%s)", p->M, p->N, p->K,
                              p->dt == WP_BF16 ? "bf16" : "fp32", p->has_bias ? " +bias" : "",
                              p->gelu ? " +gelu" : "", s != CUBLAS_STATUS_SUCCESS ? cublasLtGetStatusString(s) : "none found");
    p->algo = result.algo;
    return 0;
}

// The cached plan for key, built on first use; NULL with la->err set when cuBLASLt cannot do it.
static struct wp_gemm_plan *plan_get(wp_linalg *la, const struct wp_gemm_plan *key, int *status) {
    for (int i = 0; i < WP_GEMM_PLANS; i++)
        if (plan_matches(&la->gemm[i], key)) return &la->gemm[i];
    int slot = -1;
    for (int i = 0; i < WP_GEMM_PLANS && slot < 0; i++)
        if (!la->gemm[i].used) slot = i;
    if (slot < 0) { // full: the victim's descriptors may still be read by queued work, so wait for the device
        slot = la->gemm_next_evict;
        la->gemm_next_evict = (slot + 1) % WP_GEMM_PLANS;
        cudaDeviceSynchronize();
        plan_free(&la->gemm[slot]);
    }
    struct wp_gemm_plan *p = &la->gemm[slot];
    *p = *key;
    p->used = 1;
    *status = plan_describe(la, p);
    if (*status == 0) *status = plan_choose_algo(la, p);
    if (*status != 0) {
        plan_free(p);
        return NULL;
    }
    return p;
}

// la->bias_bf16 = bias rounded to bf16, enqueued on stream (the buffer grows to the largest N seen).
static int bias_bf16_prepare(wp_linalg *la, const float *bias, int N, cudaStream_t stream) {
    if (N > la->bias_bf16_len) {
        if (la->bias_bf16) cudaFree(la->bias_bf16); // waits for queued GEMMs still reading it
        la->bias_bf16_len = 0;
        cudaError_t e = cudaMalloc(&la->bias_bf16, (size_t)N * 2);
        if (e != cudaSuccess) {
            la->bias_bf16 = NULL;
            return wp_linalg_fail(la, "wp_linear: bf16 bias buffer of %d: %s", N, cudaGetErrorString(e));
        }
        la->bias_bf16_len = N;
    }
    cudaError_t e = wp_bias_to_bf16(la->bias_bf16, bias, N, stream);
    return e == cudaSuccess ? 0 : wp_linalg_fail(la, "wp_linear: bias to bf16: %s", cudaGetErrorString(e));
}

int wp_linear(wp_linalg *la, void *y, const void *x, const void *W, const float *bias, int M, int N, int K, int gelu,
              wp_dtype dt, cudaStream_t stream) {
    if (!la) return -1;
    la->err[0] = '\0';
    if (!y || !x || !W || M <= 0 || N <= 0 || K <= 0 || (dt != WP_F32 && dt != WP_BF16))
        return wp_linalg_fail(la, "wp_linear: bad arguments (M=%d N=%d K=%d dt=%d, y/x/W must be non-NULL)", M, N,
                              K, (int)dt);
    if (y == x) return wp_linalg_fail(la, "wp_linear: y may not alias x");
    struct wp_gemm_plan key = {.M = M, .N = N, .K = K, .gelu = gelu != 0, .has_bias = bias != NULL, .dt = dt,
                               .align_x = pointer_alignment(x), .align_w = pointer_alignment(W),
                               .align_y = pointer_alignment(y)};
    int status = 0;
    struct wp_gemm_plan *p = plan_get(la, &key, &status);
    if (!p) return status;
    const void *epilogue_bias = bias;
    if (bias && dt == WP_BF16) {
        if (bias_bf16_prepare(la, bias, N, stream) != 0) return -1;
        epilogue_bias = la->bias_bf16;
    }
    if (bias)
        LT_TRY(cublasLtMatmulDescSetAttribute(p->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &epilogue_bias,
                                              sizeof epilogue_bias),
               "BIAS_POINTER");
    const float one = 1.0f, zero = 0.0f;
    LT_TRY(cublasLtMatmul(la->lt, p->op, &one, W, p->w_layout, x, p->x_layout, &zero, y, p->y_layout, y, p->y_layout,
                          &p->algo, la->workspace, WP_GEMM_WORKSPACE, stream),
           "cublasLtMatmul");
    return 0;
}
