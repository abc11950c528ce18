/* cuda_check.h: wanprof-calibrate stops at the first failed CUDA call, naming the call and where it was: a figure
 * measured after an error would be wrong. */
#ifndef WP_CAL_CUDA_CHECK_H
#define WP_CAL_CUDA_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#include <cuda_runtime_api.h>

#define CUDA_CHECK(call)                                                                                              \
    do {                                                                                                              \
        cudaError_t err_ = (call);                                                                                    \
        if (err_ != cudaSuccess) {                                                                                    \
            fprintf(stderr, "wanprof-calibrate: %s:%d: %s: %s\n", __FILE__, __LINE__, #call,                          \
                    cudaGetErrorString(err_));                                                                        \
            exit(1);                                                                                                  \
        }                                                                                                             \
    } while (0)

#endif
