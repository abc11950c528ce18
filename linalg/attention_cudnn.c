// attention_cudnn.c: wp_attention_cudnn through cuDNN 9's backend graph API, built the two ways cudnn-frontend's SDPA
// node builds it, the first that gets an engine kept:
//  1. "unified" (cuDNN >= 9.13.1, the frontend's first choice): one SDPA_FWD operation on Q, K, V, O and the scale.
//  2. "composite" (any cuDNN 9): S = Q K^T (bmm1) -> S * scale -> softmax as max / sub / exp / sum / div ->
//     O = P V (bmm2), plus the softmax statistics max + log(sum) as a virtual tensor, as the frontend of cuDNN 9.14's
//     time (v1.14) built it; its flash engine rejects the graph without them ("Dropout set of ops not configured
//     correctly", seen on the H200).
// Q, O: (1, H, Lq, D) and K, V: (1, H, Lk, D) with the strides of our token-major (L, H, D) rows; the composite graph
// takes K as K^T: (1, H, D, Lk), the same memory with the last two strides swapped. Intermediates are virtual fp32
// tensors, kept on chip by the fused engine, except the probabilities P: the backend wants bmm2's A in the i/o type
// (bf16), as the frontend notes. The scale is a by-value scalar, so one plan serves any scale.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dnn_graph.h"
#include "linalg_internal.h"

enum { SDPA_PLANS = 16 };
enum { UID_Q = 1, UID_K, UID_V, UID_O, UID_SCALE, UID_VIRTUAL = 100 };

struct sdpa_plan {
    int used, Lq, Lk, heads, head_dim;
    dnn_descs descs; // the graph and plan descriptors, kept alive while the plan is
    dnn_desc plan;
    int64_t workspace;
};

struct wp_sdpa_state {
    cudnnHandle_t h;
    struct sdpa_plan plans[SDPA_PLANS];
    int next_evict;
    void *workspace; // grows to the largest plan's need
    int64_t workspace_bytes;
    int probe; // wp_attention_cudnn_available: -1 not yet asked, 0 no, 1 yes
};

void wp_sdpa_free(struct wp_sdpa_state *s) {
    if (!s) return;
    for (int i = 0; i < SDPA_PLANS; i++) dnn_descs_free(&s->plans[i].descs);
    if (s->workspace) cudaFree(s->workspace);
    if (s->h) cudnnDestroy(s->h);
    free(s);
}

// The cuDNN state, created at first use (cudnnCreate loads cuDNN's sub-libraries: slow, and not every run needs it).
static struct wp_sdpa_state *sdpa_state(wp_linalg *la) {
    if (la->sdpa) return la->sdpa;
    struct wp_sdpa_state *s = calloc(1, sizeof *s);
    if (!s) return wp_linalg_fail(la, "cuDNN attention: out of host memory"), NULL;
    cudnnStatus_t st = cudnnCreate(&s->h);
    if (st != CUDNN_STATUS_SUCCESS) {
        wp_linalg_fail(la, "cuDNN attention: cudnnCreate: %s (cuDNN %zu at run time, built against %d)",
                       cudnnGetErrorString(st), cudnnGetVersion(), CUDNN_VERSION);
        free(s);
        return NULL;
    }
    s->probe = -1;
    la->sdpa = s;
    return s;
}

#define G_TRY(call)                                                                                                \
    do {                                                                                                           \
        cudnnStatus_t s_ = (call);                                                                                 \
        if (s_ != CUDNN_STATUS_SUCCESS) {                                                                          \
            char last_[200] = "";                                                                                  \
            cudnnGetLastErrorString(last_, sizeof last_);                                                          \
            snprintf(why, whylen, "%s: %s %s", #call, cudnnGetErrorString(s_), last_);                              \
            return s_;                                                                                             \
        }                                                                                                          \
    } while (0)

// The token-major strides of a (1, H, L, D) view of (L, H, D) rows.
static void token_major(int64_t L, int64_t H, int64_t D, int64_t dim[4], int64_t stride[4]) {
    const int64_t d[4] = {1, H, L, D}, st[4] = {L * H * D, D, H * D, 1};
    memcpy(dim, d, sizeof d);
    memcpy(stride, st, sizeof st);
}

// The unified graph: one SDPA_FWD operation.
static cudnnStatus_t sdpa_build_unified(cudnnHandle_t h, struct sdpa_plan *p, char *why, size_t whylen) {
    const int64_t H = p->heads, D = p->head_dim;
    int64_t q_dim[4], q_stride[4], kv_dim[4], kv_stride[4];
    token_major(p->Lq, H, D, q_dim, q_stride);
    token_major(p->Lk, H, D, kv_dim, kv_stride);
    dnn_descs *all = &p->descs;
    dnn_desc q, k, v, o, scale, op;
    G_TRY(dnn_tensor(all, &q, UID_Q, CUDNN_DATA_BFLOAT16, q_dim, q_stride, 0));
    G_TRY(dnn_tensor(all, &k, UID_K, CUDNN_DATA_BFLOAT16, kv_dim, kv_stride, 0));
    G_TRY(dnn_tensor(all, &v, UID_V, CUDNN_DATA_BFLOAT16, kv_dim, kv_stride, 0));
    G_TRY(dnn_tensor(all, &o, UID_O, CUDNN_DATA_BFLOAT16, q_dim, q_stride, 0));
    G_TRY(dnn_scalar(all, &scale, UID_SCALE));
    G_TRY(dnn_sdpa_forward(all, &op, q, k, v, o, scale));
    return dnn_plan(all, h, &op, 1, &p->plan, &p->workspace, why, whylen);
}

// The composite graph: matmul, scale, softmax (with statistics) and matmul operations.
static cudnnStatus_t sdpa_build_composite(cudnnHandle_t h, struct sdpa_plan *p, char *why, size_t whylen) {
    const int64_t H = p->heads, D = p->head_dim, Lq = p->Lq, Lk = p->Lk;
    int64_t q_dim[4], q_stride[4], v_dim[4], v_stride[4];
    token_major(Lq, H, D, q_dim, q_stride);
    token_major(Lk, H, D, v_dim, v_stride);
    const int64_t kt_dim[4] = {1, H, D, Lk}, kt_stride[4] = {Lk * H * D, D, 1, H * D};
    const int64_t s_dim[4] = {1, H, Lq, Lk}, s_stride[4] = {H * Lq * Lk, Lq * Lk, Lk, 1};
    const int64_t row_dim[4] = {1, H, Lq, 1}, row_stride[4] = {H * Lq, Lq, 1, 1};
    const cudnnDataType_t bf16 = CUDNN_DATA_BFLOAT16, f32 = CUDNN_DATA_FLOAT;
    dnn_descs *all = &p->descs;
    dnn_desc q, kt, v, o, scale, s, s_scaled, row_max, s_shifted, e, row_sum, log_sum, stats, prob, ops[10];
    int64_t uid = UID_VIRTUAL;
    G_TRY(dnn_tensor(all, &q, UID_Q, bf16, q_dim, q_stride, 0));
    G_TRY(dnn_tensor(all, &kt, UID_K, bf16, kt_dim, kt_stride, 0));
    G_TRY(dnn_tensor(all, &v, UID_V, bf16, v_dim, v_stride, 0));
    G_TRY(dnn_tensor(all, &o, UID_O, bf16, q_dim, q_stride, 0));
    G_TRY(dnn_scalar(all, &scale, UID_SCALE));
    G_TRY(dnn_tensor(all, &s, uid++, f32, s_dim, s_stride, 1));
    G_TRY(dnn_tensor(all, &s_scaled, uid++, f32, s_dim, s_stride, 1));
    G_TRY(dnn_tensor(all, &row_max, uid++, f32, row_dim, row_stride, 1));
    G_TRY(dnn_tensor(all, &s_shifted, uid++, f32, s_dim, s_stride, 1));
    G_TRY(dnn_tensor(all, &e, uid++, f32, s_dim, s_stride, 1));
    G_TRY(dnn_tensor(all, &row_sum, uid++, f32, row_dim, row_stride, 1));
    G_TRY(dnn_tensor(all, &log_sum, uid++, f32, row_dim, row_stride, 1));
    G_TRY(dnn_tensor(all, &stats, uid++, f32, row_dim, row_stride, 1));
    G_TRY(dnn_tensor(all, &prob, uid++, bf16, s_dim, s_stride, 1)); // bmm2's A must have the i/o type
    G_TRY(dnn_matmul(all, &ops[0], q, kt, s));
    G_TRY(dnn_pointwise(all, &ops[1], CUDNN_POINTWISE_MUL, s, scale, s_scaled));
    G_TRY(dnn_reduction(all, &ops[2], CUDNN_REDUCE_TENSOR_MAX, s_scaled, row_max));
    G_TRY(dnn_pointwise(all, &ops[3], CUDNN_POINTWISE_SUB, s_scaled, row_max, s_shifted));
    G_TRY(dnn_pointwise(all, &ops[4], CUDNN_POINTWISE_EXP, s_shifted, NULL, e));
    G_TRY(dnn_reduction(all, &ops[5], CUDNN_REDUCE_TENSOR_ADD, e, row_sum));
    G_TRY(dnn_pointwise(all, &ops[6], CUDNN_POINTWISE_LOG, row_sum, NULL, log_sum));
    G_TRY(dnn_pointwise(all, &ops[7], CUDNN_POINTWISE_ADD, row_max, log_sum, stats));
    G_TRY(dnn_pointwise(all, &ops[8], CUDNN_POINTWISE_DIV, e, row_sum, prob));
    G_TRY(dnn_matmul(all, &ops[9], prob, v, o));
    return dnn_plan(all, h, ops, 10, &p->plan, &p->workspace, why, whylen);
}

// Unified first where this cuDNN has it, then composite; why gets both reasons when neither finds an engine.
static cudnnStatus_t sdpa_build(cudnnHandle_t h, struct sdpa_plan *p, char *why, size_t whylen) {
    char why_unified[400] = "not tried (needs cuDNN 9.13.1)", why_composite[400] = "";
    if (cudnnGetVersion() >= 91301) {
        if (sdpa_build_unified(h, p, why_unified, sizeof why_unified) == CUDNN_STATUS_SUCCESS) return CUDNN_STATUS_SUCCESS;
        dnn_descs_free(&p->descs);
    }
    cudnnStatus_t s = sdpa_build_composite(h, p, why_composite, sizeof why_composite);
    if (s != CUDNN_STATUS_SUCCESS)
        snprintf(why, whylen, "unified SDPA: %.300s | composite SDPA: %.300s", why_unified, why_composite);
    return s;
}

// The cached plan for the shape, built on first use; NULL with la->err set when cuDNN has no engine for it.
static struct sdpa_plan *sdpa_plan_get(wp_linalg *la, struct wp_sdpa_state *st, int Lq, int Lk, int heads, int hd) {
    for (int i = 0; i < SDPA_PLANS; i++) {
        struct sdpa_plan *p = &st->plans[i];
        if (p->used && p->Lq == Lq && p->Lk == Lk && p->heads == heads && p->head_dim == hd) return p;
    }
    int slot = -1;
    for (int i = 0; i < SDPA_PLANS && slot < 0; i++)
        if (!st->plans[i].used) slot = i;
    if (slot < 0) { // full: queued work may still use the victim's plan
        slot = st->next_evict;
        st->next_evict = (slot + 1) % SDPA_PLANS;
        cudaDeviceSynchronize();
        dnn_descs_free(&st->plans[slot].descs);
    }
    struct sdpa_plan *p = &st->plans[slot];
    *p = (struct sdpa_plan){.Lq = Lq, .Lk = Lk, .heads = heads, .head_dim = hd};
    char why[700] = "";
    if (sdpa_build(st->h, p, why, sizeof why) != CUDNN_STATUS_SUCCESS) {
        dnn_descs_free(&p->descs);
        p->used = 0;
        wp_linalg_fail(la, "cuDNN attention Lq=%d Lk=%d heads=%d head_dim=%d: %s (cuDNN %zu)", Lq, Lk, heads, hd, why,
                       cudnnGetVersion());
        return NULL;
    }
    p->used = 1;
    return p;
}

static int workspace_reserve(wp_linalg *la, struct wp_sdpa_state *st, int64_t bytes) {
    if (bytes <= st->workspace_bytes) return 0;
    if (st->workspace) cudaFree(st->workspace); // cudaFree waits for queued work that may still use it
    st->workspace = NULL;
    st->workspace_bytes = 0;
    cudaError_t e = cudaMalloc(&st->workspace, (size_t)bytes);
    if (e != cudaSuccess)
        return wp_linalg_fail(la, "cuDNN attention: workspace of %lld bytes: %s", (long long)bytes, cudaGetErrorString(e));
    st->workspace_bytes = bytes;
    return 0;
}

static int execute(wp_linalg *la, struct wp_sdpa_state *st, struct sdpa_plan *p, void *const ptrs[5],
                   cudaStream_t stream) {
    static const int64_t uids[5] = {UID_Q, UID_K, UID_V, UID_O, UID_SCALE};
    if (workspace_reserve(la, st, p->workspace) != 0) return -1;
    dnn_descs pack_descs = {.n = 0};
    dnn_desc pack;
    cudnnStatus_t s = cudnnBackendCreateDescriptor(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR, &pack);
    if (s == CUDNN_STATUS_SUCCESS) pack_descs.d[pack_descs.n++] = pack;
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, 5, uids);
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, 5, ptrs);
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnBackendSetAttribute(pack, CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &st->workspace);
    if (s == CUDNN_STATUS_SUCCESS) s = cudnnBackendFinalize(pack);
    if (s == CUDNN_STATUS_SUCCESS) s = cudnnSetStream(st->h, stream);
    if (s == CUDNN_STATUS_SUCCESS) s = cudnnBackendExecute(st->h, p->plan, pack);
    dnn_descs_free(&pack_descs);
    if (s != CUDNN_STATUS_SUCCESS) {
        char last[256] = "";
        cudnnGetLastErrorString(last, sizeof last);
        return wp_linalg_fail(la, "cuDNN attention: execute: %s %s", cudnnGetErrorString(s), last);
    }
    return 0;
}

int wp_attention_cudnn(wp_linalg *la, void *out, const void *q, const void *k, const void *v, int Lq, int Lk,
                       int heads, int head_dim, float scale, cudaStream_t stream) {
    if (!la) return -1;
    la->err[0] = '\0';
    if (!out || !q || !k || !v || Lq <= 0 || Lk <= 0 || heads <= 0 || (head_dim != 64 && head_dim != 128))
        return wp_linalg_fail(la, "cuDNN attention: bad arguments (Lq=%d Lk=%d heads=%d head_dim=%d: head_dim 64 or 128)",
                              Lq, Lk, heads, head_dim);
    if (((uintptr_t)out | (uintptr_t)q | (uintptr_t)k | (uintptr_t)v) % 16 != 0)
        return wp_linalg_fail(la, "cuDNN attention: q, k, v and out must be 16-byte aligned");
    struct wp_sdpa_state *st = sdpa_state(la);
    if (!st) return -1;
    struct sdpa_plan *p = sdpa_plan_get(la, st, Lq, Lk, heads, head_dim);
    if (!p) return -1;
    void *const ptrs[5] = {(void *)q, (void *)k, (void *)v, out, &scale};
    return execute(la, st, p, ptrs, stream);
}

int wp_attention_cudnn_available(wp_linalg *la) {
    if (!la) return 0;
    struct wp_sdpa_state *st = sdpa_state(la);
    if (!st) return 0;
    if (st->probe < 0) st->probe = sdpa_plan_get(la, st, 256, 256, 2, 128) != NULL;
    return st->probe;
}
