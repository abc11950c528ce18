/* explain.h: the whole analysis behind `wanprof explain`, `diff` and `report`: steps per rank, per-step figures, the
 * robust baseline, spikes and their ranked causes, and the schedule check. Consumes a finished wp_run; knows no file
 * format. */
#ifndef WP_EXPLAIN_H
#define WP_EXPLAIN_H

#include <stdio.h>

#include "causes.h"
#include "run.h"
#include "schedcheck.h"
#include "spikes.h"
#include "stepstats.h"
#include "steps.h"

typedef struct wp_explain_opts {
    double threshold_mad;   /* spike: more than this many (scaled) MADs over the median; default 3.5 */
    double min_excess;      /* ... and more than this fraction over the median; default 0.10 */
    int calls_per_step;     /* compiled-region calls per step when steps come from them; default 1 */
    int step_source;        /* wp_step_source to insist on; WP_STEPS_AUTO (default): the best the trace has */
    int have_schedule;      /* 1: sched below was given on the command line (overrides metadata) */
    wp_schedule_params sched;
} wp_explain_opts;

typedef struct wp_spike {
    int index;          /* 0-based position of the step in this rank's loop */
    int64_t number;     /* the trace's own step number (== index unless the trace numbers its steps otherwise) */
    int warmup;         /* the first step: flagged, still explained */
    double seconds;     /* the step's wall time (s) */
    double excess;      /* seconds over the baseline median */
    wp_cause causes[WP_MAX_CAUSES];
    int ncauses;
    double unexplained; /* s */
} wp_spike;

/* What comes before the first step (setup) or after the last (teardown): never part of a step. */
typedef struct wp_phase {
    int64_t start, end;  /* ns; end == start when there is none; end - start fits in int64, as for a step */
    wp_step_stats stats; /* its figures, as for a step */
} wp_phase;

typedef struct wp_rank_result {
    uint32_t proc;
    int32_t rank;       /* -1 unknown */
    wp_steps steps;
    wp_phase before, after;
    char doubt[320];    /* non-empty: the step split looks wrong (why, and what was tried); no spikes are reported */
    char caution[320];  /* non-empty: a doubt about the numbering, spikes still reported (e.g. a first step that
                         * compiled may be in "before the loop") */
    wp_step_stats *stats;
    wp_step_stats base; /* per-field medians of the normal steps */
    wp_baseline baseline; /* of step wall times, seconds */
    wp_spike *spikes;
    int nspikes;
    int warmup_is_spike;
} wp_rank_result;

/* The switch as the step marks' own timesteps put it (SGLang's and the runner's marks name them): the first step
 * whose timestep is under boundary * 1000, the rule every Wan2.2 runtime uses. */
typedef struct wp_marked_switch {
    int have;           /* 1: every step of the main rank named its timestep */
    double boundary_t;  /* boundary * 1000 */
    int step;           /* the first low-noise step by the marks' timesteps, -1 when none */
    int observed;       /* the observed switch (as in the schedule check), -1 none */
    char note[240];
} wp_marked_switch;

typedef struct wp_explain {
    wp_rank_result *ranks;
    int nranks;
    wp_schedcheck sched; /* sched.have == 0 when no schedule was known */
    wp_marked_switch marked; /* marked.have == 0 when the marks name no timesteps */
    double total_s;      /* wall time of all steps of the first rank */
} wp_explain;

void wp_explain_opts_default(wp_explain_opts *o);
/* Runs the analysis. Returns WP_OK or WP_ERR_NOMEM. Free with wp_explain_free. */
int wp_explain_run(const wp_run *r, const wp_explain_opts *o, wp_explain *out);
void wp_explain_free(wp_explain *e);
/* The observed switch: the loop step of the first non-warm-up spike (any rank) whose top cause is expert_switch;
 * -1 when none. */
int wp_explain_observed_switch(const wp_explain *e);
/* The rank result holding the most steps (the one text summaries lead with); NULL when none. */
const wp_rank_result *wp_explain_main_rank(const wp_explain *e);
/* The short text report (what `wanprof explain` prints), to out. label: the input's name. */
void wp_explain_write_text(const wp_explain *e, const char *label, FILE *out);

#endif
