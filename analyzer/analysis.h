/* analysis.h: what explain, hist, diff and report share: the analysis options every one of them takes, and
 * "read these traces and analyse them" in one call. No printing: errors come back through wp_diag. */
#ifndef WP_ANALYSIS_H
#define WP_ANALYSIS_H

#include "explain.h"
#include "run.h"

#define WP_ANALYSIS_MAX_INPUTS 64

typedef struct wp_analysis_opts {
    wp_explain_opts explain;
    const char *step_pattern; /* NULL: WP_DEFAULT_STEP_PATTERN */
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
/* If argv[i] is one of the shared options (--threshold, --min-excess, --step-pattern, --steps-per-call,
 * --calls-per-step, --sampler, --shift, --steps, --boundary, --step-source), consumes it and its value: returns how many argv
 * entries it used (2); 0 when argv[i] is not one of them; WP_ERR_USAGE with diag->error set on a bad value. */
int wp_analysis_parse_arg(wp_analysis_opts *o, int argc, char **argv, int i, wp_diag *diag);
/* Reads paths[0..n) and analyses them. Returns WP_OK or a wp_err (diag->error names the file). Free with
 * wp_analysis_free (also after a failure). */
int wp_analysis_load(const wp_analysis_opts *o, const char *const *paths, int n, wp_diag *diag, wp_analysis *a);
void wp_analysis_free(wp_analysis *a);

#endif
