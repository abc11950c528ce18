/* offload.h: where the experts' weights live between uses, as SGLang's offload modes keep them (../shared/wan22.md):
 *   none       both experts resident on the GPU;
 *   model      (SGLang's dit_cpu_offload) both experts in host memory; the first use uploads an expert, and an
 *              expert switch moves the outgoing one GPU->host and the incoming one host->GPU, synchronously, one
 *              copy per tensor (~1,095 for A14B), as module.to("cpu") / module.to("cuda") do;
 *   layerwise  (SGLang's dit-layerwise-offload) each block's tensors in one host buffer per block; a copy stream
 *              prefetches block i+p while block i computes into a ring of p+1 GPU block slots; nothing goes back to
 *              the host; the rest of the model (embedders, head) stays resident. layer_sync synchronises the device
 *              after every block, as SGLang's early version did (exposing the copies).
 * With several ranks on a node, the layerwise mode's host weights are one copy in POSIX shared memory that every
 * rank maps (and registers when pinned); the model mode keeps a copy per rank, as module.to("cpu") does.
 * Host memory is pageable (malloc, what .cpu() gives) or pinned (cudaHostAlloc). Copies are real and carry NVTX
 * ranges: "expert switch: A -> B" and "load expert: E (model offload)". */
#ifndef WP_RUNNER_OFFLOAD_H
#define WP_RUNNER_OFFLOAD_H

#include "dit.h"

typedef enum { WP_OFFLOAD_NONE = 0, WP_OFFLOAD_MODEL, WP_OFFLOAD_LAYERWISE } wp_offload_mode;

typedef struct wp_offload_options {
    wp_offload_mode mode;
    int pinned;      /* host memory: 1 pinned, 0 pageable */
    int prefetch;    /* layerwise: blocks prefetched ahead (>= 1) */
    int layer_sync;  /* layerwise: synchronise after every block */
} wp_offload_options;

typedef struct wp_offload_stats {
    long h2d_copies, d2h_copies;
    double h2d_bytes, d2h_bytes;
    int switches; /* expert changes in model mode */
} wp_offload_stats;

typedef struct wp_offload wp_offload;

/* Takes over experts[0..n) (built on the GPU by wp_dit_expert_load/random): copies them to host memory, frees or
 * shrinks their GPU arenas as the mode requires and attaches itself to m, whose forwards then call it. Mode none:
 * nothing happens (*out NULL). 0, or -1 with err filled. */
int wp_offload_create(wp_offload **out, wp_dit *m, const wp_offload_options *o, wp_dit_expert *experts, int n,
                      char *err, size_t errlen);
void wp_offload_destroy(wp_offload *off);
const char *wp_offload_mode_name(wp_offload_mode mode);
/* 1 when an expert switch copies whole experts (the model mode); 0 for none, layerwise and NULL. */
int wp_offload_moves_experts(const wp_offload *off);
void wp_offload_get_stats(const wp_offload *off, wp_offload_stats *out);

/* Called by wp_dit_forward. use: before a forward of expert `index` (model: swap it in; layerwise: start the
 * prefetch of its first blocks). block_begin: the block's weights, ready for the compute stream (layerwise: waits
 * for its copy, starts the next prefetch; otherwise the expert's own). block_end: after the block's work is queued. */
int wp_offload_use(wp_offload *off, int index, char *err, size_t errlen);
const wp_dit_block_w *wp_offload_block_begin(wp_offload *off, const wp_dit_expert *e, int i, wp_dit_block_w *scratch,
                                             char *err, size_t errlen);
int wp_offload_block_end(wp_offload *off, int i, char *err, size_t errlen);

#endif
