/* compute.h: how long the same GPU work takes depending on how busy the GPU is kept. A GPU that idles between blocks
 * (a layerwise offload waiting on its copies) runs its kernels faster than one kept busy back to back: under a power
 * limit the clocks rise when the average power falls (on the H200 the runner's GEMMs and attention ran 8..16% faster
 * in its copy-bound modes; bench/RESULTS.md, issue 15). `wanprof whatif` needs that curve to carry kernel times from
 * a recording of one mode to another. The work is a Wan block's heaviest pair (the FFN's GELU linear and the
 * self-attention, bf16, at 4,096 tokens) on random data, since power, and so the clocks, depend on the bits. */
#ifndef WP_CAL_COMPUTE_H
#define WP_CAL_COMPUTE_H

#include "stats.h"

enum { CAL_BUSY_POINTS = 4 };

typedef struct cal_busy_point {
    double busy_target;    /* the share of the time the GPU was asked to compute (bursts, then idle) */
    double busy_measured;  /* kernel time / wall time over the phase */
    cal_spread unit_s;     /* seconds per unit of work (one linear and one attention), over the phase's bursts */
    cal_spread sm_clock_mhz; /* NVML's SM clock sampled between bursts; count 0: NVML could not say */
} cal_busy_point;

typedef struct cal_compute {
    int measured;          /* 0: why says why not (no cuBLASLt algorithm, out of memory) */
    char why[200];
    char work[160];        /* what one unit of work is (it says whether the attention ran: cuDNN available) */
    cal_busy_point points[CAL_BUSY_POINTS]; /* busy 1.0 first, then less */
    double wall_s;
} cal_compute;

/* Measures the curve on `device` (its PCI bus id `bus`, for NVML), each phase lasting phase_s seconds. */
void cal_compute_curve(int device, const char *bus, double phase_s, cal_compute *out);

#endif
