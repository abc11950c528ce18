/* whatif.h: what each offload mode would cost a recorded loop on a given machine (`wanprof whatif`). The loop's facts
 * (loopfacts.h) give the compute; the machine's copy figures (machine.h) give the weight moves; each mode's way of
 * moving them (runner/offload.c, SGLang) decides what overlaps what. Every time is a spread: the median from the
 * machine's median bandwidth, the range from its slowest and fastest measurement, so a prediction never claims more
 * precision than the calibration has. The recorded mode is predicted too, beside what was measured. */
#ifndef WP_WHATIF_H
#define WP_WHATIF_H

#include "loopfacts.h"
#include "machine.h"

#define WP_WHATIF_MAX_MODES 24

typedef enum wp_bound { WP_BOUND_COMPUTE = 0, WP_BOUND_HOST_LINK, WP_BOUND_MEMORY } wp_bound;

typedef struct wp_whatif_pred {
    wp_offload_mode mode;
    char name[64];
    int recorded;            /* the mode the trace ran */
    wp_spread step_s;        /* an ordinary step */
    wp_spread switch_s;      /* the switch step (== step_s where nothing moves at the switch) */
    wp_spread first_s;       /* the first step */
    wp_spread total_s;       /* every step of the loop */
    double link_s;           /* host-link seconds of an ordinary step (weight copies), median */
    double kernel_scale;     /* its kernels' time over the recording's (the machine's compute curve; 1 without) */
    double peak_bytes;       /* device memory the loop holds; < 0 unknown */
    int fits;                /* peak_bytes within one GPU's memory (1 when either is unknown) */
    int bound;               /* wp_bound: what limits an ordinary step (memory when it does not fit) */
    int rank;                /* 1 = fastest total among the modes that fit */
} wp_whatif_pred;

typedef struct wp_whatif_measured {
    double step_s, switch_s, first_s, total_s; /* switch_s < 0: no switch step */
    double peak_bytes;                         /* < 0: not recorded */
} wp_whatif_measured;

typedef struct wp_whatif {
    int sharing;             /* ranks copying through one host at once */
    wp_whatif_measured measured;
    wp_whatif_pred preds[WP_WHATIF_MAX_MODES];
    int npreds;
    int recorded;            /* index of the recorded mode in preds, -1 when it is not one of them */
    char notes[2048];        /* the model's own assumptions and its copy figures' sources, "; "-separated */
    unsigned noted;          /* copy kinds whose source is in notes already */
} wp_whatif;

/* Predicts every mode of the table for f on machine m with `sharing` ranks per host (>= 1). use_trace: copies of a
 * kind the run made go at the rate the run achieved (the same program on the same machine), the others at m's
 * figures; 0: m's figures only (another machine). Returns WP_OK, or WP_ERR_USAGE with diag saying which figure the
 * machine lacks. */
int wp_whatif_run(const wp_loop_facts *f, const wp_machine *m, int sharing, int use_trace, wp_whatif *w,
                  wp_diag *diag);
const char *wp_bound_name(int bound); /* "compute", "host link", "memory" */
/* The modes in display order into order[] (room for WP_WHATIF_MAX_MODES): rank 1, 2, ..., then those that do not fit
 * (rank 0). Returns how many: what the text, the report's chart and its table list, in the same order. */
int wp_whatif_order(const wp_whatif *w, int *order);

#endif
