/* exact_ops.h: the known operations of collector_exact.cu, shared with its checker (check_exact.c). Sizes are distinct
 * (odd offsets) so each copy and memset can be recognised by its byte count alone. */
#ifndef EXACT_OPS_H
#define EXACT_OPS_H

#define EXACT_KERNELS 5                            /* exact_kernel, grid 1..5 x 128 threads, inside exact:inner */
#define EXACT_DRIVER_GRID 6                        /* exact_kernel once more, launched with cuLaunchKernel as cuBLAS,
                                                      cuDNN and Triton launch theirs, also inside exact:inner */
#define EXACT_H2D_PAGEABLE_SYNC (1048576 + 1)      /* cudaMemcpy HtoD from pageable memory */
#define EXACT_H2D_PINNED_SYNC (2 * 1048576 + 2)    /* cudaMemcpy HtoD from pinned memory */
#define EXACT_H2D_PINNED_ASYNC (3 * 1048576 + 3)   /* cudaMemcpyAsync HtoD from pinned memory */
#define EXACT_D2H_PAGEABLE_SYNC (1048576 + 4)      /* cudaMemcpy DtoH to pageable memory */
#define EXACT_D2H_PINNED_ASYNC (2 * 1048576 + 5)   /* cudaMemcpyAsync DtoH to pinned memory */
#define EXACT_D2D_ASYNC (4 * 1048576 + 6)          /* cudaMemcpyAsync DtoD */
#define EXACT_H2D_PAGEABLE_ASYNC (524288 + 7)      /* cudaMemcpyAsync HtoD from pageable memory */
#define EXACT_MEMSET_SYNC (1048576 + 8)            /* cudaMemset, value 0x5a */
#define EXACT_MEMSET_ASYNC (262144 + 9)            /* cudaMemsetAsync, value 0 */
#define EXACT_ALLOC_BYTES (8 * 1048576 + 512)      /* cudaMalloc + cudaFree inside exact:outer */
#define EXACT_MAX_BYTES (8 * 1048576)              /* host and device buffers */
#define EXACT_OUTER_PAYLOAD 42                     /* int64 payload of exact:outer */
#define EXACT_INNER_PAYLOAD 2.5                    /* double payload of exact:inner (nested in exact:outer) */
#define EXACT_MARK_PAYLOAD 7                       /* uint64 payload of the mark exact:mark */
#define EXACT_LOOP_KERNELS 4                       /* kernels per "iter" range in --loop mode */
#define EXACT_LOOP_COPY (65536 + 11)               /* the HtoD copy of each loop iteration */

#endif
