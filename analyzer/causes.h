/* causes.h: why a step took longer than its baseline. Each cause gets the seconds it accounts for, the evidence in
 * numbers and a one-line suggestion; the seconds of all causes plus an explicit unexplained remainder add up to the
 * step's excess over the baseline, and no cause claims more than its own evidence measured. The causes are the
 * entries of wp_cause_kinds (one table: id, colour, help line, measure), which the text, JSON, SVG legends, report
 * and --help read; schemas/explain.schema.json lists the same ids (a test compares them). */
#ifndef WP_CAUSES_H
#define WP_CAUSES_H

#include "stepstats.h"

#define WP_MAX_CAUSES 8
#define WP_MAX_EVIDENCE 8

typedef struct wp_evidence {
    const char *key; /* JSON key, e.g. "dtoh_copies"; the unit is in the name (_s, _bytes, _gbps) or it is a count */
    double value;
} wp_evidence;

typedef struct wp_cause {
    const char *id;         /* "expert_switch", ... */
    double seconds;         /* share of the excess it accounts for (s) */
    char evidence[320];     /* one line for people, numbers with units */
    const char *suggestion; /* one line: what to do about it */
    wp_evidence ev[WP_MAX_EVIDENCE];
    int nev;
} wp_cause;

/* Cross-rank context for nccl_wait: the slowest rank in this step and its time. */
typedef struct wp_rank_context {
    int nranks;
    int slowest_rank;     /* -1 unknown */
    double slowest_wall;  /* s */
    double this_wall;     /* s */
    int this_is_slowest;  /* 1: this rank is the one the others wait for (no nccl_wait for it) */
} wp_rank_context;

/* What a cause's measure sees: the step, the baseline, the other ranks, and the causes measured before it (in table
 * order) with the seconds they claimed, so that overlapping measures are not counted twice. */
typedef struct wp_cause_ctx {
    const wp_step_stats *st, *base;
    const wp_rank_context *ranks;
    const wp_cause *earlier;
    int nearlier;
} wp_cause_ctx;

typedef struct wp_cause_kind {
    const char *id;     /* "expert_switch", ...: the JSON and text name */
    const char *colour; /* SVG and report colour */
    const char *help;   /* what its evidence is, one line for --help */
    /* Seconds of excess this cause's own evidence measured in the step (0: absent); fills c's evidence, numbers and
     * suggestion. */
    double (*measure)(const wp_cause_ctx *x, wp_cause *c);
} wp_cause_kind;

/* The causes, in the order they claim the excess; WP_NCAUSE_KINDS (= wp_ncause_kinds) entries: a new cause is one
 * entry in causes.c's table and this count (checked there at compile time). */
#define WP_NCAUSE_KINDS 8
extern const wp_cause_kind wp_cause_kinds[WP_NCAUSE_KINDS];
extern const int wp_ncause_kinds;
/* The colour of a cause id (a neutral colour for unknown ids). */
const char *wp_cause_colour(const char *id);

/* Attributes excess_s (the step's time over the baseline median, s) of step st against base (the per-field medians
 * of the normal steps). Fills causes (room for WP_MAX_CAUSES), ranked by seconds, and returns their count;
 * *unexplained gets the remainder (>= 0). */
int wp_causes_attribute(const wp_step_stats *st, const wp_step_stats *base, double excess_s,
                        const wp_rank_context *ranks, wp_cause *causes, double *unexplained);
/* Per-field medians of the steps of stats[] whose keep[i] is set (the normal steps). */
void wp_causes_baseline(const wp_step_stats *stats, const int *keep, int n, wp_step_stats *base);

#endif
