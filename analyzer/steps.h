/* steps.h: splitting each rank's run into denoising steps, from (best first) our runner's NVTX step ranges, ranges
 * whose text matches the step pattern (NVTX, Kineto user_annotation, ProfilerStep#N; one such range is a mark too),
 * one call of a torch.compile'd region per step (or per calls_per_step calls, for CFG loops that run two compiled
 * forwards per step), or, when a trace has no step marks, the period of its kernel sequence (period.h).
 *
 * Steps are timed on the GPU side: a marked step runs from its mark (or the end of the previous step's GPU work, if
 * later) to the end of the last GPU work launched inside its mark (correlation ids), so launch-ahead does not move
 * time from one step to the next and a synchronisation after the last mark is not part of the last step. Steps found
 * from the kernel sequence run from the end of the previous step's kernels to the end of their own. What comes before
 * the first step and after the last is the setup and teardown of the loop, never part of a step. */
#ifndef WP_STEPS_H
#define WP_STEPS_H

#include "run.h"

typedef enum wp_step_source {
    WP_STEPS_NONE = 0,     /* no step structure found: the whole run is one step */
    WP_STEPS_RUNNER,       /* NVTX ranges of our runner (domain "wanprof", payload = step index) */
    WP_STEPS_PATTERN,      /* ranges matching the step pattern */
    WP_STEPS_REGION,       /* one (or calls_per_step) Torch-Compiled Region call(s) per step; steps end with them */
    WP_STEPS_KERNELS,      /* the period of the kernel sequence (period.h) */
    WP_STEPS_AUTO = 100,   /* for wp_steps_find: the best source the trace has */
} wp_step_source;

typedef struct wp_step {
    int64_t number; /* the trace's own step number, else the 0-based index */
    int64_t start, end; /* ns: the step's window (host mark plus the GPU work it launched); end - start fits in
                         * int64 (a longer window, from crafted timestamps, is cut at its start + INT64_MAX) */
    int64_t mark_start, mark_end; /* the host range that marked it (cut the same way) */
    int has_timestep;   /* 1: the mark's name gives the sampler timestep ("denoising_step_9_t857", "t=857.00") */
    double timestep;
} wp_step;

typedef struct wp_steps_opts {
    int calls_per_step;  /* compiled-region calls per step (>= 1) */
    wp_step_source want; /* WP_STEPS_AUTO, or the one source to use */
    int steps_hint;      /* the run's step count when known (flags, metadata), else 0 */
} wp_steps_opts;

typedef struct wp_steps {
    uint32_t proc;
    wp_step_source source;
    char source_text[224]; /* e.g. "annotation ranges like \"denoising step 9\"" */
    char confidence[256];  /* how sure the split is and why, e.g. "high: the kernel sequence repeats ..." */
    int doubtful;          /* 1: the split itself is in doubt (weak repetition); spikes are not trustworthy */
    int by_launch;         /* 1: marked steps were timed by the GPU work they launched (correlation ids) */
    int first_is_warmup;   /* 1: the first step is the loop's first (a profiler schedule may start recording later) */
    wp_step *steps;
    int count;
} wp_steps;

/* Finds the steps of proc. Returns WP_OK, WP_ERR_NOMEM, or WP_ERR_USAGE when o->want names a source the trace lacks
 * (out->confidence then says why). out->steps is malloc'd: free with wp_steps_free. */
int wp_steps_find(const wp_run *r, uint32_t proc, const wp_steps_opts *o, wp_steps *out);
/* Parses "auto", "runner", "pattern", "region", "kernels" (also "structure", its old name); -1 when unknown. */
int wp_step_source_parse(const char *name);
/* The i-th word wp_step_source_parse takes, for help and completion (old names left out); NULL past the last. */
const char *wp_step_source_word(int i);
void wp_steps_free(wp_steps *s);
const char *wp_step_source_name(wp_step_source s); /* "runner", "pattern", "compiled-region", "kernels", "none" */

#endif
