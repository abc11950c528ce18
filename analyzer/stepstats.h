/* stepstats.h: the figures of one step of one rank: wall time, GPU busy/kernel/NCCL time, copies per direction and
 * host memory kind with their bandwidth and exposed (not overlapped by compute) time, host time blocked in syncs and
 * synchronous copies, allocations, module loads / JIT, torch.compile activity, kernels never seen before, GPU gaps. */
#ifndef WP_STEPSTATS_H
#define WP_STEPSTATS_H

#include "run.h"
#include "steps.h"

enum { WP_DIR_HTOD, WP_DIR_DTOH, WP_DIR_DTOD, WP_DIR_PTOP, WP_DIR_OTHER, WP_DIR_COUNT };
/* The host side of a copy (DtoD: device). "host" is host memory of unknown kind: a ROCm trace names it "Host",
 * neither pageable nor pinned. */
enum { WP_HMEM_PAGEABLE, WP_HMEM_PINNED, WP_HMEM_DEVICE, WP_HMEM_HOST, WP_HMEM_COUNT };

#define WP_WEIGHT_COPY_MIN_BYTES (1u << 20) /* a copy this large or larger counts as tensor-sized (weights) */

typedef struct wp_copy_stat {
    uint32_t count;
    uint64_t bytes;
    int64_t ns; /* device time */
} wp_copy_stat;

typedef struct wp_step_stats {
    int64_t wall_ns;
    int64_t gpu_busy_ns, kernel_ns, nccl_ns, gpu_idle_ns;
    int64_t max_gpu_gap_ns;          /* longest stretch with no GPU work */
    wp_copy_stat copy[WP_DIR_COUNT][WP_HMEM_COUNT];
    wp_copy_stat copies;             /* all copies */
    int64_t copy_exposed_ns;         /* copy time not overlapped by compute on the device */
    int64_t largest_copy_bytes;
    int64_t sync_ns;                 /* host blocked in synchronisation calls */
    uint32_t syncs;
    int64_t copy_call_ns;            /* host time inside memcpy API calls */
    uint32_t copy_calls;
    uint32_t allocs, frees;
    int64_t alloc_ns;                /* host time in allocation and free calls */
    uint32_t pinned_allocs;          /* of those, page-locked host allocations (cudaHostAlloc, ...) */
    int64_t pinned_alloc_ns;
    uint32_t modules;
    int64_t module_ns;               /* module loads / JIT */
    uint32_t compile_ranges;
    int64_t compile_ns;              /* union of torch.compile phases */
    uint32_t region_calls, new_regions; /* compiled-region calls; ids ("F/C") not seen in an earlier step */
    char new_region_name[48];
    uint32_t new_kernels;            /* kernel names never seen before this step */
    uint32_t expert_marks;           /* runner marks of an expert switch */
    /* weight traffic: tensor-sized copies each way, and the span from the first to the last of them */
    uint32_t weight_htod, weight_dtoh;
    uint64_t weight_htod_bytes, weight_dtoh_bytes;
    int64_t weight_span_ns;
    int64_t weight_ns;               /* device time of the tensor-sized copies */
    uint32_t inits;                  /* start-up calls: context creation, host registration, MPI/NCCL set-up */
    int64_t init_ns;                 /* host time in them */
    uint32_t kernels;                /* kernels that started in the step */
} wp_step_stats;

/* Computes the figures of every step of s into out (room for s->count). Returns WP_OK or WP_ERR_NOMEM. */
int wp_stepstats_compute(const wp_run *r, const wp_steps *s, wp_step_stats *out);
int wp_copy_dir(uint8_t copy_kind);   /* WP_DIR_* */
int wp_copy_hmem(const wp_run_copy *c); /* WP_HMEM_* */
const char *wp_dir_name(int dir);     /* "HtoD", ... */
const char *wp_hmem_name(int hmem);   /* "pageable", "pinned", "device", "host" */

#endif
