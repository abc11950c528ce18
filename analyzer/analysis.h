/* analysis.h: what explain, hist, diff and report share: the analysis options every one of them takes, and
 * "read these traces and analyse them" in one call. No printing: errors come back through wp_diag. */
#ifndef WP_ANALYSIS_H
#define WP_ANALYSIS_H

#include "explain.h"
#include "run.h"

#define WP_ANALYSIS_MAX_INPUTS 64

typedef struct wp_analysis_opts {
    wp_explain_opts explain;  /* explain.have_schedule and explain.sched are set from the four fields below */
    const char *step_pattern; /* NULL: WP_DEFAULT_STEP_PATTERN */
    /* The schedule to check the switch against, each field overriding the default when given: with any of them,
     * the trace's metadata is not used. */
    int sampler;              /* a wp_sampler; -1: not given */
    int steps;                /* 0: not given */
    double shift, boundary;   /* NAN: not given */
} wp_analysis_opts;

typedef struct wp_analysis {
    wp_strtab *strings;
    wp_run run;
    wp_explain explain;
    int ninputs;
    wp_read_stats stats[WP_ANALYSIS_MAX_INPUTS];
    long long input_bytes[WP_ANALYSIS_MAX_INPUTS]; /* file sizes on disk */
} wp_analysis;

void wp_analysis_opts_init(wp_analysis_opts *o);
/* Reads paths[0..n) and analyses them; more than WP_ANALYSIS_MAX_INPUTS is a usage error, never a silent cut.
 * Returns WP_OK or a wp_err (diag->error names the file). Free with
 * wp_analysis_free (also after a failure). */
int wp_analysis_load(const wp_analysis_opts *o, const char *const *paths, int n, wp_diag *diag, wp_analysis *a);
void wp_analysis_free(wp_analysis *a);

#endif
