/* summary.h: the headline figures of one analysed run, for `wanprof diff` and the report: total step time, warm-up
 * step, mean of the normal steps, the expert switch step, the cost of the spikes, copies by direction and kind,
 * exposed copy time per step. */
#ifndef WP_SUMMARY_H
#define WP_SUMMARY_H

#include "analysis.h"

typedef struct wp_summary {
    const wp_rank_result *rr; /* the rank summarised (the one with the most steps) */
    int steps;
    double total_s;          /* all steps */
    double warmup_s;         /* the first step */
    double normal_mean_s;    /* mean of the steps that are neither warm-up nor spikes */
    int normal_steps;
    double median_s;
    int switch_index;        /* 0-based step of the observed expert switch, -1 none */
    double spike_cost_s;     /* sum of the non-warm-up spikes' excess */
    int spikes;              /* non-warm-up spikes */
    double exposed_copy_per_step_s; /* mean over normal steps */
    double copy_per_step_s;  /* device copy time, mean over normal steps */
    wp_copy_stat copy[WP_DIR_COUNT][WP_HMEM_COUNT]; /* whole run */
    long long trace_bytes;   /* summed input sizes on disk; -1 unknown */
} wp_summary;

void wp_summary_compute(const wp_analysis *a, wp_summary *s);

#endif
