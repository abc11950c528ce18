/* schedcheck.h: does the observed expert switch match the sampler schedule the run was configured with? When it does
 * not, which flow shifts would put the switch where it was seen (schedule inversion), and the known cause. */
#ifndef WP_SCHEDCHECK_H
#define WP_SCHEDCHECK_H

#include "schedule.h"

#define WP_SCHEDCHECK_MAX_RANGES 4

typedef struct wp_schedcheck {
    int have;                /* 1 when a schedule was known (metadata or flags) */
    char from[32];           /* "metadata" or "flags" */
    wp_schedule_params p;
    int predicted;           /* 0-based first low-noise step under p */
    int observed;            /* 0-based step of the observed switch, -1 when none was seen */
    int matches;             /* observed == predicted */
    wp_shift_range ranges[WP_SCHEDCHECK_MAX_RANGES]; /* shifts that give the observed switch */
    int nranges;
    int searched;            /* 0: the shifts were not searched (more steps than WP_SCHEDULE_INVERT_MAX_STEPS) */
    char note[640];          /* the verdict in one or two sentences */
} wp_schedcheck;

/* Reads sampler/shift/steps/boundary from a JSON object text (keys: sampler|scheduler, shift|flow_shift|sample_shift,
 * steps|num_inference_steps|sample_steps, boundary|boundary_ratio) over the defaults in p. Returns the number of
 * keys found (0: nothing usable). */
int wp_schedcheck_parse_config(const char *json, wp_schedule_params *p);
/* Fills c from p and the observed switch step (-1 none). */
void wp_schedcheck_run(const wp_schedule_params *p, const char *from, int observed, wp_schedcheck *c);

#endif
