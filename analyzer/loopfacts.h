/* loopfacts.h: what `wanprof whatif` needs to know about a recorded denoising loop, taken from one analysed trace:
 * how it moved the weights (the recorded offload mode), what the weights weigh, what a step costs with no weight
 * traffic, how long one block computes, where the expert switch is, and the device memory the loop held. Each fact
 * says where it came from (the runner's metadata, the copies seen, a flag, an assumption), so the prediction built on
 * it can say how far to trust it. */
#ifndef WP_LOOPFACTS_H
#define WP_LOOPFACTS_H

#include "analysis.h"
#include "machine.h"

typedef enum wp_mode_kind { WP_MODE_NONE = 0, WP_MODE_MODEL, WP_MODE_LAYERWISE } wp_mode_kind;

/* One way of keeping the weights, as SGLang offers them (../shared/wan22.md; runner/offload.h implements them). */
typedef struct wp_offload_mode {
    int kind;       /* wp_mode_kind */
    int pinned;     /* host memory: 1 pinned, 0 pageable (model and layerwise) */
    int prefetch;   /* layerwise: blocks copied ahead */
    int layer_sync; /* layerwise: the device synchronised after every block */
    int new_memory; /* GPU->host copies go into new pageable memory, as tensor.to("cpu") does (model offload through
                     * module.to in SGLang and accelerate; diffusers' group offloading of its top level), rather than
                     * into host buffers kept for the purpose (the runner) */
    int rest_trips; /* layerwise: the weights outside the blocks come in from pageable memory before every forward
                     * and go back after it, as diffusers' group offloading treats its top-level group; only one
                     * expert's are resident at a time */
    int learns_order; /* layerwise: each expert's first forward copies its blocks without prefetch, one after the
                       * other, while the hooks learn the order the blocks run in (diffusers' group offloading with
                       * a stream: its LazyPrefetchGroupOffloadingHook); it prefetches from the next forward on */
} wp_offload_mode;

/* Flags that override what the trace says (0 or NAN: not given). */
typedef struct wp_loop_overrides {
    int forwards;        /* forwards per step (2 with CFG run serially) */
    int blocks;          /* transformer blocks per expert */
    double expert_bytes; /* one expert's weights */
    int switch_step;     /* -1: not given */
    const char *model_config; /* a model config (ours or diffusers'): the weights' sizes, bf16 as diffusers loads */
} wp_loop_overrides;

#define WP_LOOP_RATE_MIN_BYTES (64.0 * 1024 * 1024) /* less says more about per-copy latency than bandwidth */

typedef struct wp_loop_facts {
    uint32_t proc;
    int32_t rank;
    int ranks;                  /* ranks in the run (sharing the host link when on one node) */
    wp_offload_mode recorded;
    char recorded_from[200];
    int steps, forwards, blocks, experts;
    int switch_step;            /* first low-noise step, -1 unknown or none */
    char switch_from[160];
    double expert_bytes, block_bytes, nonblock_bytes; /* one expert; blocks = blocks * block_bytes */
    double large_copies;        /* copies carrying a whole expert's bytes when it moves tensor by tensor */
    double small_copies;        /* the rest of its tensors (norms, biases): a latency each, next to no bytes */
    char weights_from[240];
    /* time, seconds */
    double *step_s;             /* every step's measured wall time (steps of them) */
    double ordinary_s;          /* the median of the ordinary steps' wall times (not the first, not the switch) */
    double base_s;              /* an ordinary step without weight traffic: median over the ordinary steps */
    double plain_base_s;        /* the same for a mode that streams nothing: base_s, less (when the recorded mode
                                 * streams) the time the GPU sat idle: the streaming hooks' host time and, from
                                 * pageable memory, the host's staging of the copies */
    double first_extra_s;       /* the first step's one-off cost beyond base_s, weight moves taken out */
    double switch_extra_s;      /* the same for the switch step, 0 without one: the second expert's first use, or
                                 * where the recorded mode moves whole experts, the move's host-side cost */
    double block_s;             /* one block's compute in one forward */
    double kernel_s;            /* the kernels' time in an ordinary step (NCCL's, which wait on the peers, left out):
                                 * over ordinary_s, how busy the recording kept the GPU */
    double kernels_per_block;
    char time_from[240];
    /* the run's own host<->GPU copies: per [WP_MDIR_*][WP_HMEM_*], the rate of every step that moved at least
     * WP_LOOP_RATE_MIN_BYTES that way (bytes / copy-engine time), as a spread over those steps; count 0: none. A
     * program without runner metadata is a PyTorch one: its pageable GPU->host copies count as new memory. */
    wp_spread observed_gbps[2][3];
    /* memory, bytes */
    int have_memory;            /* the trace recorded device allocations */
    double loop_peak_bytes;     /* the most the loop held */
    double other_bytes;         /* loop_peak_bytes less the weights the recorded mode keeps on the device */
    char notes[640];            /* assumptions made, "; "-separated */
} wp_loop_facts;

/* The facts of the main rank of a. Returns WP_OK, WP_ERR_NOMEM, or WP_ERR_USAGE with diag saying what is missing
 * (no steps, fewer than three, no way to know the weights' size). Free with wp_loop_facts_free. */
int wp_loop_facts_get(const wp_analysis *a, const wp_loop_overrides *o, wp_loop_facts *f, wp_diag *diag);
void wp_loop_facts_free(wp_loop_facts *f);
/* The device bytes of weights a mode keeps resident (the runner's and SGLang's placement). */
double wp_mode_resident_bytes(const wp_loop_facts *f, const wp_offload_mode *m);
/* "none", "model, pageable", "layerwise p2, pinned, per-layer sync" into buf. */
const char *wp_mode_name(const wp_offload_mode *m, char *buf, size_t n);

#endif
