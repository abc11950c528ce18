/* dnn_graph: small builders over cuDNN's backend descriptor API (cudnn_graph.h), enough for the SDPA graph of
 * attention_cudnn.c: tensors, matmul / pointwise / reduction operations, and an execution plan from the engine
 * heuristics. Every descriptor made is recorded in a dnn_descs, which frees them all at once. */
#ifndef WP_DNN_GRAPH_H
#define WP_DNN_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <cudnn.h>

typedef cudnnBackendDescriptor_t dnn_desc;

enum { DNN_MAX_DESCS = 96 }; /* a graph (~30), two heuristics and up to 16 tried plans */
typedef struct {
    dnn_desc d[DNN_MAX_DESCS];
    int n;
} dnn_descs;

/* A 4-D tensor. is_virtual: an intermediate that never reaches memory (the fused engine keeps it on chip). */
cudnnStatus_t dnn_tensor(dnn_descs *all, dnn_desc *out, int64_t uid, cudnnDataType_t dt, const int64_t dim[4],
                         const int64_t stride[4], int is_virtual);
/* A 1-element fp32 scalar passed by host pointer in the variant pack (the attention scale), 1-D as
 * cudnn-frontend describes scalars. */
cudnnStatus_t dnn_scalar(dnn_descs *all, dnn_desc *out, int64_t uid);
/* c = a b over the last two dimensions, batched over the first two; fp32 compute. */
cudnnStatus_t dnn_matmul(dnn_descs *all, dnn_desc *op, dnn_desc a, dnn_desc b, dnn_desc c);
/* y = mode(x) or mode(x, b) (b NULL for unary modes), broadcasting b; fp32 math. */
cudnnStatus_t dnn_pointwise(dnn_descs *all, dnn_desc *op, cudnnPointwiseMode_t mode, dnn_desc x, dnn_desc b,
                            dnn_desc y);
/* y = reduce(x) over the dimensions where y has size 1; fp32 compute. */
cudnnStatus_t dnn_reduction(dnn_descs *all, dnn_desc *op, cudnnReduceTensorOp_t mode, dnn_desc x, dnn_desc y);
/* The unified SDPA forward operation (cuDNN >= 9.13.1): o = softmax(scale q k^T) v over (B, H, L, D) tensors. */
cudnnStatus_t dnn_sdpa_forward(dnn_descs *all, dnn_desc *op, dnn_desc q, dnn_desc k, dnn_desc v, dnn_desc o,
                               dnn_desc scale);
/* Operation graph of ops, then the first engine configuration (heuristic mode A, then the fallback list) whose
 * execution plan finalizes. On failure, why holds cuDNN's reason. */
cudnnStatus_t dnn_plan(dnn_descs *all, cudnnHandle_t h, dnn_desc *ops, int nops, dnn_desc *plan, int64_t *workspace,
                       char *why, size_t whylen);
void dnn_descs_free(dnn_descs *all);

#endif
