/* copies.h: host<->GPU copies as a model offload makes them (tensor-sized, from pinned or pageable host memory),
 * timed on one GPU alone and on every GPU at once (one thread per GPU, started together: GPUs behind one PCIe switch
 * or one host memory controller share its bandwidth), and the latency of small copies. */
#ifndef WP_CAL_COPIES_H
#define WP_CAL_COPIES_H

#include <stddef.h>

#include <cuda_runtime_api.h>

#include "stats.h"

typedef enum { CAL_HTOD, CAL_DTOH } cal_direction;
/* CAL_PAGEABLE_NEW (GPU->host only): pageable memory mapped anew for every copy and unmapped after it, so the copy
 * itself faults its pages in, as PyTorch's tensor.to("cpu") does into a new tensor: module.to("cpu") in model
 * offload (SGLang, accelerate) and diffusers' group offloading of its top-level group. */
typedef enum { CAL_PINNED, CAL_PAGEABLE, CAL_PAGEABLE_NEW } cal_host_memory;

/* One GPU's buffers, each `size` bytes: a device buffer, a pinned host buffer and a pageable pool of
 * CAL_PAGEABLE_POOL buffers (all touched, so no page fault is timed). Pageable copies walk the pool: the host copies
 * them through a staging buffer, and a source read from the CPU's cache (the same 16 MiB again and again) goes
 * faster than an offload's weights, gigabytes read once per step, ever do. Made once, used by every measurement. */
#define CAL_PAGEABLE_POOL 8
typedef struct cal_gpu {
    int device;
    size_t size;
    void *device_buf, *peer_buf; /* peer_buf: where other GPUs copy to (peer.c) */
    void *pinned, *pageable;     /* pageable: CAL_PAGEABLE_POOL * size bytes */
    size_t pageable_at;          /* where the next pageable copy starts */
    cudaStream_t stream; /* a non-default stream: copies wait for nothing else */
} cal_gpu;

/* Allocates g's buffers on device. Stops the program on a CUDA error (cuda_check.h). */
void cal_gpu_init(cal_gpu *g, int device, size_t size);
void cal_gpu_free(cal_gpu *g);

/* The aggregate bandwidth, in GB/s (1e9 bytes/s), of copies of `bytes` each in direction dir from mem, made by the
 * n GPUs of gpus at once: each trial moves at least 64 MiB per GPU, and its bandwidth is every byte moved over the
 * time from the first GPU's start to the last GPU's end. One untimed trial first, then `repeats` timed ones. */
cal_spread cal_copy_bandwidth(cal_gpu *gpus, int n, cal_direction dir, cal_host_memory mem, size_t bytes,
                              int repeats);

/* Seconds per copy of `bytes` (small) on gpu, each copy waited for, as a program that reads back a scalar does. */
cal_spread cal_copy_latency(cal_gpu *gpu, cal_direction dir, cal_host_memory mem, size_t bytes, int repeats);

#endif
