/* loopfacts.c: the recorded loop's facts for `wanprof whatif` (see loopfacts.h). The runner's metadata says what it
 * did; for any other program the facts come from its copies, and what cannot be seen is an assumption named in
 * notes. */
#include "loopfacts_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes.h"
#include "spikes.h"

#define DEFAULT_BLOCKS 40 /* Wan2.2 A14B: what a trace without metadata is assumed to run */

#define note(f, ...) wp_note_add((f)->notes, sizeof((f)->notes), __VA_ARGS__)

static int switch_step(const wp_analysis *a, const wp_loop_overrides *o, wp_loop_facts *f)
{
    const wp_explain *e = &a->explain;
    if (o->switch_step >= 0) {
        snprintf(f->switch_from, sizeof(f->switch_from), "--switch-step");
        return o->switch_step;
    }
    if (e->sched.have) {
        snprintf(f->switch_from, sizeof(f->switch_from), "the schedule (%s)", e->sched.from);
        return e->sched.predicted < e->sched.p.steps ? e->sched.predicted : -1;
    }
    if (e->marked.have) {
        snprintf(f->switch_from, sizeof(f->switch_from), "the step marks' timesteps");
        return e->marked.step;
    }
    int seen = wp_explain_observed_switch(e);
    if (seen >= 0) {
        snprintf(f->switch_from, sizeof(f->switch_from), "the switch spike seen in the trace");
        return seen;
    }
    snprintf(f->switch_from, sizeof(f->switch_from), "unknown (no schedule, no marks, no switch spike)");
    return -1;
}

double wp_mode_resident_bytes(const wp_loop_facts *f, const wp_offload_mode *m)
{
    switch (m->kind) {
    case WP_MODE_MODEL:
        return f->expert_bytes;
    case WP_MODE_LAYERWISE:
        /* diffusers' group offloading: one expert's top level at a time (on the compute stream, reused), but each
         * expert's blocks come in on a copy stream of its own, and the caching allocator keeps a stream's freed
         * blocks for that stream: after the switch the first expert's p + 1 block buffers stay reserved (its traces:
         * the switch step allocates a second set, bench/RESULTS.md issue 15); a loop that never switches, one set */
        if (m->rest_trips) {
            int sets = f->switch_step > 0 && f->switch_step < f->steps ? f->experts : 1;
            return f->nonblock_bytes + sets * (m->prefetch + 1) * f->block_bytes;
        }
        return f->experts * f->nonblock_bytes + (m->prefetch + 1) * f->block_bytes;
    default:
        return f->experts * f->expert_bytes;
    }
}

const char *wp_mode_name(const wp_offload_mode *m, char *buf, size_t n)
{
    const char *mem = m->pinned ? "pinned" : "pageable";
    if (m->kind == WP_MODE_MODEL)
        snprintf(buf, n, "model, %s%s", mem, m->new_memory ? " (.to: new host memory)" : "");
    else if (m->kind == WP_MODE_LAYERWISE && m->rest_trips)
        snprintf(buf, n, "group (diffusers): blocks p%d %s, the rest round-trips", m->prefetch, mem);
    else if (m->kind == WP_MODE_LAYERWISE)
        snprintf(buf, n, "layerwise p%d, %s%s", m->prefetch, mem, m->layer_sync ? ", per-layer sync" : "");
    else
        snprintf(buf, n, "none");
    return buf;
}

static double seconds(int64_t ns)
{
    return (double)ns / 1e9;
}

/* The steps that are neither the first nor the switch into ordinary[] (room for f->steps): how many. */
static int ordinary_steps(const wp_loop_facts *f, int *ordinary)
{
    int n = 0;
    for (int i = 1; i < f->steps; i++)
        if (i != f->switch_step)
            ordinary[n++] = i;
    return n;
}

/* ordinary_s, base_s, block_s, first_extra_s and switch_extra_s from the ordinary steps. A step's own weight traffic
 * is taken out where it is exposed (copy time with no compute beside it), so a layerwise recording gives the
 * compute-only step too. */
static int timing(const wp_rank_result *rr, const int *ordinary, int nord, wp_loop_facts *f)
{
    double *v = malloc((size_t)nord * 6 * sizeof(*v));
    if (!v)
        return WP_ERR_NOMEM;
    double *k = v + nord, *kn = v + 2 * nord, *plain = v + 3 * nord, *wall = v + 4 * nord, *busy = v + 5 * nord;
    /* A mode that streams nothing has neither the streaming hooks' host time nor, from pageable memory, the host's
     * staging between the copy engine's chunks: both are GPU idle time (neither kernel nor copy) in the recording,
     * 0.02..0.04 s of a pageable layerwise step on the H200 (bench/RESULTS.md, issue 15). */
    int streams = f->recorded.kind == WP_MODE_LAYERWISE;
    for (int i = 0; i < nord; i++) {
        const wp_step_stats *s = &rr->stats[ordinary[i]];
        wall[i] = seconds(s->wall_ns);
        v[i] = wall[i] - (streams ? seconds(s->copy_exposed_ns) : 0);
        plain[i] = v[i] - (streams ? seconds(s->gpu_idle_ns) : 0);
        busy[i] = seconds(s->kernel_ns - s->nccl_ns);
        k[i] = busy[i] / (f->forwards * f->blocks);
        kn[i] = (double)s->kernels / (f->forwards * f->blocks);
    }
    f->ordinary_s = wp_median(wall, nord);
    f->base_s = wp_median(v, nord);
    f->plain_base_s = wp_median(plain, nord);
    if (streams)
        note(f, "the modes that stream nothing are predicted without the GPU's idle time of the recorded steps "
                "(%.3f s a step: the streaming hooks' host time%s)", f->base_s - f->plain_base_s,
             f->recorded.pinned ? "" : ", the host's staging of pageable copies");
    f->block_s = wp_median(k, nord);
    f->kernel_s = wp_median(busy, nord);
    f->kernels_per_block = wp_median(kn, nord);
    free(v);
    snprintf(f->time_from, sizeof(f->time_from),
             "the median of %d ordinary steps (not the first, not the switch)%s", nord,
             f->recorded.kind == WP_MODE_LAYERWISE ? ", their exposed copy time taken out" : "");
    const wp_step_stats *s0 = &rr->stats[0];
    double first = seconds(s0->wall_ns) - seconds(s0->copy_exposed_ns) - f->base_s;
    f->first_extra_s = first > 0 ? first : 0;
    if (f->switch_step > 0 && f->switch_step < rr->steps.count) {
        const wp_step_stats *sw = &rr->stats[f->switch_step];
        double extra = seconds(sw->wall_ns) - seconds(sw->copy_exposed_ns) - f->base_s;
        f->switch_extra_s = extra > 0 ? extra : 0;
    }
    return WP_OK;
}

/* The rates the run's own copies achieved, per direction and host memory kind, over the steps that moved enough. */
static int observed_rates(const wp_rank_result *rr, int pytorch, wp_loop_facts *f)
{
    double *v = malloc((size_t)rr->steps.count * sizeof(*v));
    if (!v)
        return WP_ERR_NOMEM;
    static const int dirs[2] = {WP_DIR_HTOD, WP_DIR_DTOH};
    static const int kinds[2] = {WP_HMEM_PAGEABLE, WP_HMEM_PINNED}; /* WP_HMEM_KEPT_PAGEABLE, WP_HMEM_KEPT_PINNED */
    for (int d = 0; d < 2; d++)
        for (int k = 0; k < 2; k++) {
            int n = 0;
            double lo = 0, hi = 0;
            for (int i = 0; i < rr->steps.count; i++) {
                const wp_copy_stat *c = &rr->stats[i].copy[dirs[d]][kinds[k]];
                if ((double)c->bytes < WP_LOOP_RATE_MIN_BYTES || c->ns <= 0)
                    continue;
                v[n] = (double)c->bytes / (double)c->ns; /* bytes per ns = GB/s */
                lo = n == 0 || v[n] < lo ? v[n] : lo;
                hi = n == 0 || v[n] > hi ? v[n] : hi;
                n++;
            }
            int kind = pytorch && d == WP_MDIR_DTOH && k == WP_HMEM_KEPT_PAGEABLE ? WP_HMEM_NEW_PAGEABLE : k;
            f->observed_gbps[d][kind] = (wp_spread){n ? wp_median(v, n) : 0, lo, hi, n};
        }
    free(v);
    return WP_OK;
}

static void memory(const wp_analysis *a, const wp_rank_result *rr, wp_loop_facts *f)
{
    int64_t peak = 0;
    const wp_steps *s = &rr->steps;
    size_t allocs = wp_run_mem_peak(&a->run, rr->proc, s->steps[0].start, s->steps[s->count - 1].end, &peak);
    f->have_memory = allocs > 0;
    f->loop_peak_bytes = (double)peak;
    f->other_bytes = f->loop_peak_bytes - wp_mode_resident_bytes(f, &f->recorded);
    if (!f->have_memory)
        note(f, "the trace recorded no device allocations: no memory predictions");
    else if (f->other_bytes < 0)
        note(f, "the loop held less than the weights this mode keeps on the device: the trace misses allocations");
}

int wp_loop_facts_get(const wp_analysis *a, const wp_loop_overrides *o, wp_loop_facts *f, wp_diag *diag)
{
    memset(f, 0, sizeof(*f));
    const wp_rank_result *rr = wp_explain_main_rank(&a->explain);
    if (!rr || rr->steps.count < 3)
        return wp_diag_error(diag, WP_ERR_USAGE, "whatif needs a loop of at least 3 steps; the trace has %d",
                             rr ? rr->steps.count : 0);
    if (rr->doubt[0]) /* every figure below is per step: a wrong split makes them all wrong, with confidence */
        return wp_diag_error(diag, WP_ERR_USAGE,
                             "whatif predicts from the steps, and this trace's split into steps is doubtful: %s; "
                             "mark the steps (schemas/step_marks.md) or name them with --step-pattern",
                             rr->doubt);
    f->proc = rr->proc;
    f->rank = rr->rank;
    f->steps = rr->steps.count;
    f->ranks = a->explain.nranks > 0 ? a->explain.nranks : 1;
    f->experts = 2;
    const wp_run_proc *p = wp_run_proc_find(&a->run, rr->proc);
    int runner = wp_loop_from_metadata(p ? p->config : NULL, f);
    int sized = f->expert_bytes > 0 && f->block_bytes > 0 && f->blocks > 0;
    if (!runner) {
        f->forwards = 2;
        note(f, "no runner metadata: 2 forwards per step (CFG) and 2 experts assumed");
    } else if (!sized) {
        note(f, "an older runner's metadata: it does not say what the weights weigh, so the copies do");
    }
    if (o->forwards > 0)
        f->forwards = o->forwards;
    if (o->model_config) {
        int rc = wp_loop_from_model_config(o->model_config, f, diag);
        if (rc != WP_OK)
            return rc;
    }
    if (o->expert_bytes > 0) {
        f->expert_bytes = o->expert_bytes;
        snprintf(f->weights_from, sizeof(f->weights_from), "--expert-bytes");
    }
    f->switch_step = switch_step(a, o, f);
    int *ordinary = malloc((size_t)f->steps * sizeof(*ordinary));
    if (!ordinary)
        return WP_ERR_NOMEM;
    int nord = ordinary_steps(f, ordinary);
    if (!runner || !sized)
        wp_loop_from_copies(rr, ordinary, nord, !runner, f);
    /* a program without the runner's metadata is a PyTorch one: its GPU->host copies go into new tensors */
    if (!runner)
        f->recorded.new_memory = f->recorded.kind != WP_MODE_NONE && !f->recorded.pinned;
    if (f->switch_step < 0 && f->recorded.kind == WP_MODE_MODEL) {
        /* whole experts moving after the first step: the switch is where the most weight bytes moved */
        double most = 0;
        for (int i = 1; i < f->steps; i++) {
            double moved = (double)rr->stats[i].weight_htod_bytes + (double)rr->stats[i].weight_dtoh_bytes;
            if (moved > most)
                most = moved, f->switch_step = i;
        }
        if (f->switch_step > 0) {
            snprintf(f->switch_from, sizeof(f->switch_from), "the step after the first that moved the most weights");
            nord = ordinary_steps(f, ordinary);
        }
    }
    if (o->blocks > 0)
        f->blocks = o->blocks;
    if (f->blocks <= 0) {
        f->blocks = DEFAULT_BLOCKS;
        note(f, "%d blocks per expert assumed (Wan2.2 A14B; --blocks N to say otherwise)", DEFAULT_BLOCKS);
    }
    if (f->expert_bytes <= 0) {
        free(ordinary);
        return wp_diag_error(diag, WP_ERR_USAGE,
                             "whatif cannot tell what the weights weigh: the trace has no runner metadata that says "
                             "and moved no weights; give --expert-bytes N or --model-config FILE");
    }
    if (f->block_bytes <= 0 || o->expert_bytes > 0 || o->blocks > 0) {
        f->block_bytes = (f->expert_bytes - f->nonblock_bytes) / f->blocks;
        if (!sized && f->nonblock_bytes <= 0)
            note(f, "the weights outside the blocks are not seen: the whole expert counted as blocks");
    }
    if (f->large_copies <= 0) {
        /* A Wan block's bytes are in its 10 weight matrices (q, k, v, out of both attentions; the FFN's two); its
         * other 17 tensors, and the 15 outside the blocks (A14B: 1,095 in all), are small. */
        double tensors = f->small_copies > 0 ? f->small_copies : f->blocks * 27.0 + 15;
        f->large_copies = f->blocks * 10.0;
        f->small_copies = tensors > f->large_copies ? tensors - f->large_copies : 0;
    }
    f->step_s = malloc((size_t)f->steps * sizeof(*f->step_s));
    if (!f->step_s) {
        free(ordinary);
        return WP_ERR_NOMEM;
    }
    for (int i = 0; i < f->steps; i++)
        f->step_s[i] = seconds(rr->stats[i].wall_ns);
    int rc = timing(rr, ordinary, nord, f);
    free(ordinary);
    if (rc == WP_OK)
        rc = observed_rates(rr, !runner, f);
    if (rc == WP_OK)
        memory(a, rr, f);
    return rc;
}

void wp_loop_facts_free(wp_loop_facts *f)
{
    free(f->step_s);
    f->step_s = NULL;
}
