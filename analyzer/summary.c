/* summary.c: headline figures of a run (see summary.h). */
#include "summary.h"

#include <stdlib.h>
#include <string.h>

void wp_summary_compute(const wp_analysis *a, wp_summary *s)
{
    memset(s, 0, sizeof(*s));
    s->switch_index = -1;
    s->trace_bytes = 0;
    for (int i = 0; i < a->ninputs; i++)
        s->trace_bytes = a->input_bytes[i] < 0 || s->trace_bytes < 0 ? -1 : s->trace_bytes + a->input_bytes[i];
    const wp_rank_result *rr = wp_explain_main_rank(&a->explain);
    s->rr = rr;
    if (!rr)
        return;
    s->steps = rr->steps.count;
    s->median_s = rr->baseline.median;
    int *spike = calloc((size_t)s->steps + 1, sizeof(int));
    for (int k = 0; k < rr->nspikes; k++) {
        const wp_spike *sp = &rr->spikes[k];
        if (spike)
            spike[sp->index] = 1;
        if (sp->warmup)
            continue;
        s->spikes++;
        s->spike_cost_s += sp->excess;
        if (s->switch_index < 0 && sp->ncauses && strcmp(sp->causes[0].id, "expert_switch") == 0)
            s->switch_index = sp->index;
    }
    for (int i = 0; i < s->steps; i++) {
        const wp_step_stats *st = &rr->stats[i];
        double w = (double)st->wall_ns * 1e-9;
        s->total_s += w;
        if (i == 0)
            s->warmup_s = w;
        for (int d = 0; d < WP_DIR_COUNT; d++)
            for (int m = 0; m < WP_HMEM_COUNT; m++) {
                s->copy[d][m].count += st->copy[d][m].count;
                s->copy[d][m].bytes += st->copy[d][m].bytes;
                s->copy[d][m].ns += st->copy[d][m].ns;
            }
        if ((i == 0 && s->steps > 2) || (spike && spike[i]))
            continue;
        s->normal_steps++;
        s->normal_mean_s += w;
        s->exposed_copy_per_step_s += (double)st->copy_exposed_ns * 1e-9;
        s->copy_per_step_s += (double)st->copies.ns * 1e-9;
    }
    if (s->normal_steps) {
        s->normal_mean_s /= s->normal_steps;
        s->exposed_copy_per_step_s /= s->normal_steps;
        s->copy_per_step_s /= s->normal_steps;
    }
    free(spike);
}
