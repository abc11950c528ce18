// dnn_graph.c: see dnn_graph.h. Attribute names and types follow cudnn_graph.h (cuDNN 9 backend API).
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "dnn_graph.h"

#define DNN_TRY(call)                                                                                                \
    do {                                                                                                           \
        cudnnStatus_t s_ = (call);                                                                                 \
        if (s_ != CUDNN_STATUS_SUCCESS) return s_;                                                                 \
    } while (0)

static cudnnStatus_t make(dnn_descs *all, dnn_desc *out, cudnnBackendDescriptorType_t type) {
    if (all->n == DNN_MAX_DESCS) return CUDNN_STATUS_INTERNAL_ERROR;
    DNN_TRY(cudnnBackendCreateDescriptor(type, out));
    all->d[all->n++] = *out;
    return CUDNN_STATUS_SUCCESS;
}

static cudnnStatus_t set(dnn_desc d, cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t n,
                         const void *value) {
    return cudnnBackendSetAttribute(d, name, type, n, value);
}

cudnnStatus_t dnn_tensor(dnn_descs *all, dnn_desc *out, int64_t uid, cudnnDataType_t dt, const int64_t dim[4],
                         const int64_t stride[4], int is_virtual) {
    const int64_t alignment = 16; // bf16 rows of heads*head_dim: 16-byte vector loads
    bool virt = is_virtual != 0;
    DNN_TRY(make(all, out, CUDNN_BACKEND_TENSOR_DESCRIPTOR));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &dt));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, dim));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4, stride));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &virt));
    return cudnnBackendFinalize(*out);
}

cudnnStatus_t dnn_scalar(dnn_descs *all, dnn_desc *out, int64_t uid) {
    const int64_t one = 1, alignment = 16;
    const cudnnDataType_t f32 = CUDNN_DATA_FLOAT;
    bool virt = false, byval = true;
    DNN_TRY(make(all, out, CUDNN_BACKEND_TENSOR_DESCRIPTOR));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &uid));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &f32));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 1, &one));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 1, &one));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_IS_VIRTUAL, CUDNN_TYPE_BOOLEAN, 1, &virt));
    DNN_TRY(set(*out, CUDNN_ATTR_TENSOR_IS_BY_VALUE, CUDNN_TYPE_BOOLEAN, 1, &byval));
    return cudnnBackendFinalize(*out);
}

cudnnStatus_t dnn_matmul(dnn_descs *all, dnn_desc *op, dnn_desc a, dnn_desc b, dnn_desc c) {
    dnn_desc mm;
    cudnnDataType_t f32 = CUDNN_DATA_FLOAT;
    DNN_TRY(make(all, &mm, CUDNN_BACKEND_MATMUL_DESCRIPTOR));
    DNN_TRY(set(mm, CUDNN_ATTR_MATMUL_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &f32));
    DNN_TRY(cudnnBackendFinalize(mm));
    DNN_TRY(make(all, op, CUDNN_BACKEND_OPERATION_MATMUL_DESCRIPTOR));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_MATMUL_ADESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &a));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_MATMUL_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &b));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_MATMUL_CDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &c));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_MATMUL_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &mm));
    return cudnnBackendFinalize(*op);
}

cudnnStatus_t dnn_pointwise(dnn_descs *all, dnn_desc *op, cudnnPointwiseMode_t mode, dnn_desc x, dnn_desc b,
                            dnn_desc y) {
    dnn_desc pw;
    cudnnDataType_t f32 = CUDNN_DATA_FLOAT;
    DNN_TRY(make(all, &pw, CUDNN_BACKEND_POINTWISE_DESCRIPTOR));
    DNN_TRY(set(pw, CUDNN_ATTR_POINTWISE_MODE, CUDNN_TYPE_POINTWISE_MODE, 1, &mode));
    DNN_TRY(set(pw, CUDNN_ATTR_POINTWISE_MATH_PREC, CUDNN_TYPE_DATA_TYPE, 1, &f32));
    DNN_TRY(cudnnBackendFinalize(pw));
    DNN_TRY(make(all, op, CUDNN_BACKEND_OPERATION_POINTWISE_DESCRIPTOR));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_POINTWISE_PW_DESCRIPTOR, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &pw));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_POINTWISE_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x));
    if (b) DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_POINTWISE_BDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &b));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_POINTWISE_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y));
    return cudnnBackendFinalize(*op);
}

cudnnStatus_t dnn_reduction(dnn_descs *all, dnn_desc *op, cudnnReduceTensorOp_t mode, dnn_desc x, dnn_desc y) {
    dnn_desc red;
    cudnnDataType_t f32 = CUDNN_DATA_FLOAT;
    DNN_TRY(make(all, &red, CUDNN_BACKEND_REDUCTION_DESCRIPTOR));
    DNN_TRY(set(red, CUDNN_ATTR_REDUCTION_OPERATOR, CUDNN_TYPE_REDUCTION_OPERATOR_TYPE, 1, &mode));
    DNN_TRY(set(red, CUDNN_ATTR_REDUCTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &f32));
    DNN_TRY(cudnnBackendFinalize(red));
    DNN_TRY(make(all, op, CUDNN_BACKEND_OPERATION_REDUCTION_DESCRIPTOR));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_REDUCTION_XDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &x));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_REDUCTION_YDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &y));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_REDUCTION_DESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &red));
    return cudnnBackendFinalize(*op);
}

cudnnStatus_t dnn_sdpa_forward(dnn_descs *all, dnn_desc *op, dnn_desc q, dnn_desc k, dnn_desc v, dnn_desc o,
                               dnn_desc scale) {
    DNN_TRY(make(all, op, CUDNN_BACKEND_OPERATION_SDPA_FWD_DESCRIPTOR));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_SDPA_FWD_QDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &q));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_SDPA_FWD_KDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &k));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_SDPA_FWD_VDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &v));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_SDPA_FWD_ODESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &o));
    DNN_TRY(set(*op, CUDNN_ATTR_OPERATION_SDPA_FWD_SCALEDESC, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &scale));
    return cudnnBackendFinalize(*op);
}

static void why_set(char *why, size_t whylen, const char *step, cudnnStatus_t s) {
    char last[256] = "";
    cudnnGetLastErrorString(last, sizeof last);
    snprintf(why, whylen, "%s: %s%s%s", step, cudnnGetErrorString(s), last[0] ? ": " : "", last);
}

// Tries the engine configurations of one heuristic mode in its order; 1 when a plan finalized.
static int plan_from_heuristic(dnn_descs *all, cudnnHandle_t h, dnn_desc graph, cudnnBackendHeurMode_t mode,
                               dnn_desc *plan, char *why, size_t whylen) {
    dnn_desc heur;
    cudnnStatus_t s = make(all, &heur, CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
    if (s == CUDNN_STATUS_SUCCESS) s = set(heur, CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &graph);
    if (s == CUDNN_STATUS_SUCCESS) s = set(heur, CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode);
    if (s == CUDNN_STATUS_SUCCESS) s = cudnnBackendFinalize(heur);
    int64_t count = 0;
    if (s == CUDNN_STATUS_SUCCESS)
        s = cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &count, NULL);
    if (s != CUDNN_STATUS_SUCCESS) {
        why_set(why, whylen, "engine heuristic", s);
        return 0;
    }
    dnn_desc cfgs[8];
    if (count > 8) count = 8;
    for (int64_t i = 0; i < count; i++)
        if (make(all, &cfgs[i], CUDNN_BACKEND_ENGINECFG_DESCRIPTOR) != CUDNN_STATUS_SUCCESS) count = i;
    int64_t got = 0;
    s = cudnnBackendGetAttribute(heur, CUDNN_ATTR_ENGINEHEUR_RESULTS, CUDNN_TYPE_BACKEND_DESCRIPTOR, count, &got, cfgs);
    if (s != CUDNN_STATUS_SUCCESS || got == 0) {
        why_set(why, whylen, "engine heuristic: no engine configuration", s);
        return 0;
    }
    for (int64_t i = 0; i < got; i++) {
        if (make(all, plan, CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR) != CUDNN_STATUS_SUCCESS) return 0;
        s = set(*plan, CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &h);
        if (s == CUDNN_STATUS_SUCCESS)
            s = set(*plan, CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &cfgs[i]);
        if (s == CUDNN_STATUS_SUCCESS) s = cudnnBackendFinalize(*plan);
        if (s == CUDNN_STATUS_SUCCESS) return 1;
        why_set(why, whylen, "execution plan", s); // kept if no later configuration works
    }
    return 0;
}

cudnnStatus_t dnn_plan(dnn_descs *all, cudnnHandle_t h, dnn_desc *ops, int nops, dnn_desc *plan, int64_t *workspace,
                       char *why, size_t whylen) {
    dnn_desc graph;
    cudnnStatus_t s = make(all, &graph, CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
    if (s == CUDNN_STATUS_SUCCESS) s = set(graph, CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, nops, ops);
    if (s == CUDNN_STATUS_SUCCESS) s = set(graph, CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &h);
    if (s == CUDNN_STATUS_SUCCESS) s = cudnnBackendFinalize(graph);
    if (s != CUDNN_STATUS_SUCCESS) {
        why_set(why, whylen, "operation graph", s);
        return s;
    }
    if (!plan_from_heuristic(all, h, graph, CUDNN_HEUR_MODE_A, plan, why, whylen) &&
        !plan_from_heuristic(all, h, graph, CUDNN_HEUR_MODE_FALLBACK, plan, why, whylen))
        return CUDNN_STATUS_NOT_SUPPORTED;
    int64_t n = 0;
    s = cudnnBackendGetAttribute(*plan, CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE, CUDNN_TYPE_INT64, 1, &n, workspace);
    if (s != CUDNN_STATUS_SUCCESS) why_set(why, whylen, "workspace size", s);
    return s;
}

void dnn_descs_free(dnn_descs *all) {
    for (int i = all->n - 1; i >= 0; i--) cudnnBackendDestroyDescriptor(all->d[i]);
    all->n = 0;
}
