/* steps.h: splitting each rank's run into denoising steps, from (best first) our runner's NVTX step ranges, ranges
 * whose text matches the step pattern (NVTX, Kineto user_annotation, ProfilerStep#N), or, when a trace has no step
 * marks, the periodic structure of the work: one call of a torch.compile'd region per step (or per N steps' calls:
 * calls_per_step, for CFG loops that run two compiled forwards per step). */
#ifndef WP_STEPS_H
#define WP_STEPS_H

#include "run.h"

typedef enum wp_step_source {
    WP_STEPS_NONE = 0,     /* no step structure found: the whole run is one step */
    WP_STEPS_RUNNER,       /* NVTX ranges of our runner (domain "wanprof", payload = step index) */
    WP_STEPS_PATTERN,      /* ranges matching the step pattern */
    WP_STEPS_REGION,       /* one (or calls_per_step) Torch-Compiled Region call(s) per step; steps end with them */
    WP_STEPS_KERNELS,      /* one appearance (or calls_per_step) of a periodic kernel per step; steps start with it */
    WP_STEPS_AUTO = 100,   /* for wp_steps_find: the best source the trace has */
} wp_step_source;

typedef struct wp_step {
    int64_t number; /* the trace's own step number, else the 0-based index */
    int64_t start, end; /* ns: the step's window (host mark plus the GPU work it launched) */
    int64_t mark_start, mark_end; /* the host range that marked it */
} wp_step;

typedef struct wp_steps {
    uint32_t proc;
    wp_step_source source;
    char source_text[128]; /* e.g. "annotation ranges like \"denoising step 9\"" */
    wp_step *steps;
    int count;
} wp_steps;

/* Finds the steps of proc. calls_per_step: compiled-region calls (or periodic kernel appearances) per step (>= 1).
 * want: WP_STEPS_AUTO, or one source to use (falling back to "none" when the trace lacks it). Returns WP_OK or
 * WP_ERR_NOMEM. out->steps is malloc'd: free with wp_steps_free. */
int wp_steps_find(const wp_run *r, uint32_t proc, int calls_per_step, wp_step_source want, wp_steps *out);
/* Parses "auto", "runner", "pattern", "region", "kernels"; -1 when unknown. */
int wp_step_source_parse(const char *name);
void wp_steps_free(wp_steps *s);
const char *wp_step_source_name(wp_step_source s); /* "runner", "pattern", "compiled-region", "kernels", "none" */

#endif
