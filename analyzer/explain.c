/* explain.c: steps -> figures -> baseline -> spikes -> causes -> schedule check (see explain.h). */
#include "explain.h"

#include "fmt.h"
#include "nsmath.h"
#include "safe_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS 1e-9

void wp_explain_opts_default(wp_explain_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->threshold_mad = 3.5;
    o->min_excess = 0.10;
    o->calls_per_step = 1;
    o->step_source = WP_STEPS_AUTO;
    wp_schedule_params_default(&o->sched);
}

/* The run's step count when the flags or the run's metadata say it: a hint for finding unmarked steps. */
static int steps_hint(const wp_run *r, const wp_explain_opts *o)
{
    if (o->have_schedule)
        return o->sched.steps;
    for (uint32_t i = 0; i < r->nprocs; i++) {
        wp_schedule_params p = o->sched;
        if (r->procs[i].config && wp_schedcheck_parse_config(r->procs[i].config, &p))
            return p.steps;
    }
    return 0;
}

/* Processes that own steps: those with host events (GPU-only pseudo-processes were folded into their owner). */
static int wanted(const wp_run *r, uint32_t i)
{
    return r->procs[i].owner == r->procs[i].info.index && (r->procs[i].host_events || r->procs[i].gpu_events);
}

/* The setup before the first step and the teardown after the last, with their figures. */
static int phases(const wp_run *r, const wp_run_proc *p, wp_rank_result *rr)
{
    const wp_steps *s = &rr->steps;
    wp_step win[2] = {{.number = 0, .start = p->first, .end = s->steps[0].start},
                      {.number = 1, .start = s->steps[s->count - 1].end, .end = p->last}};
    for (int k = 0; k < 2; k++) {
        if (win[k].end < win[k].start)
            win[k].end = win[k].start;
        win[k].end = wp_ns_fit_end(win[k].start, win[k].end); /* its length fits in int64, as a step's does */
    }
    wp_steps two = {.proc = rr->proc, .steps = win, .count = 2};
    wp_step_stats st[2];
    int rc = wp_stepstats_compute(r, &two, st);
    rr->before = (wp_phase){win[0].start, win[0].end, st[0]};
    rr->after = (wp_phase){win[1].start, win[1].end, st[1]};
    return rc;
}

/* A split whose step times alternate (one step per forward of a CFG loop) or scatter as widely as they run (no
 * baseline to speak of) is not one to report spikes from: say so instead. */
static void judge_split(const double *walls, int n, wp_rank_result *rr)
{
    if (rr->steps.doubtful && rr->steps.source != WP_STEPS_NONE) {
        snprintf(rr->doubt, sizeof(rr->doubt), "the kernel sequence repeats weakly (%s)", rr->steps.confidence);
        return;
    }
    /* alternation: most neighbouring steps after the warm-up differ by over a third, up and down in turn */
    int swings = 0, pairs = n - 2;
    double ratio = 0;
    for (int k = 1; k + 1 < n; k++) {
        double a = walls[k], b = walls[k + 1], lo = a < b ? a : b, hi = a < b ? b : a;
        int up = b > a, prev_up = k > 1 && walls[k] > walls[k - 1];
        if (lo > 0 && hi > 1.33 * lo && (k == 1 || up != prev_up)) {
            swings++;
            ratio += hi / lo / pairs;
        }
    }
    if (pairs >= 10 && swings >= 0.8 * pairs)
        snprintf(rr->doubt, sizeof(rr->doubt), "step times alternate (neighbouring steps differ %.1fx, up and down in "
                 "turn): each step may be half of the loop's real step; try --steps N or --step-source", ratio *
                 pairs / swings);
    else if (n >= 4 && rr->baseline.mad > 0.5 * rr->baseline.median)
        snprintf(rr->doubt, sizeof(rr->doubt), "step times scatter as widely as they run (MAD %.0f%% of the median): "
                 "no baseline to measure spikes against", 100.0 * rr->baseline.mad / rr->baseline.median);
}

/* Steps found from the kernel sequence start with the first step that repeats the others: a first step that also
 * compiled (torch.compile, autotuning) does not, and lands in "before the loop". Say so when the setup is long and
 * loaded code, since the step numbers may then be one short. */
static void caution_first_step(const wp_run *r, wp_rank_result *rr)
{
    const wp_phase *b = &rr->before;
    double setup = (double)wp_ns_span(b->start, b->end) * NS;
    if (rr->steps.source != WP_STEPS_KERNELS || setup < 10 * rr->baseline.median || rr->steps.count < 2)
        return;
    /* a compile runs and autotunes the step's code: more kernels than a few steps hold */
    uint32_t step_kernels = rr->stats[1].kernels, setup_kernels = wp_run_kernels_in(r, rr->proc, b->start, b->end);
    if (setup_kernels < 4 * step_kernels)
        return;
    size_t lo, hi; /* code loaded in the last second before the first step found */
    uint32_t loads = 0;
    wp_run_host_range(r, rr->proc, wp_ns_sub(b->end, 1000000000), b->end, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        loads += r->hosts[i].cls == WP_HOST_MODULE || r->hosts[i].cls == WP_HOST_COMPILE;
    if (loads == 0)
        return;
    snprintf(rr->caution, sizeof(rr->caution), "before the loop holds %.3f s, %u kernels and code loaded in its "
             "last second (%u module loads or compile phases): if the loop's first step compiled (torch.compile), it "
             "is in there, and the steps found are numbered from the loop's second (pass --steps N to check)", setup,
             setup_kernels, loads);
}

static int analyse_rank(const wp_run *r, const wp_explain_opts *o, uint32_t i, wp_rank_result *rr)
{
    rr->proc = r->procs[i].info.index;
    rr->rank = r->procs[i].info.rank;
    wp_steps_opts so = {o->calls_per_step, (wp_step_source)o->step_source, steps_hint(r, o)};
    int rc = wp_steps_find(r, rr->proc, &so, &rr->steps);
    if (rc != WP_OK)
        return rc;
    int n = rr->steps.count;
    rr->stats = calloc((size_t)n + 1, sizeof(*rr->stats));
    double *walls = calloc((size_t)n + 1, sizeof(double));
    int *keep = calloc((size_t)n + 1, sizeof(int));
    if (!rr->stats || !walls || !keep) {
        free(walls);
        free(keep);
        return WP_ERR_NOMEM;
    }
    rc = wp_stepstats_compute(r, &rr->steps, rr->stats);
    if (rc == WP_OK)
        rc = phases(r, &r->procs[i], rr);
    if (rc != WP_OK) {
        free(walls);
        free(keep);
        return rc;
    }
    for (int k = 0; k < n; k++)
        walls[k] = (double)rr->stats[k].wall_ns * NS;
    int warm = rr->steps.first_is_warmup && n > 2;
    wp_baseline_compute(walls, n, warm, o->threshold_mad, o->min_excess, &rr->baseline);
    judge_split(walls, n, rr);
    caution_first_step(r, rr);
    for (int k = 0; k < n; k++)
        keep[k] = (k > 0 || !warm) && walls[k] <= rr->baseline.threshold;
    wp_causes_baseline(rr->stats, keep, n, &rr->base);
    /* a spike holds its causes' evidence (kilobytes): room for the spikes there are, not one per step */
    int over = 0;
    for (int k = 0; k < n && !rr->doubt[0] && n >= 3; k++)
        over += walls[k] > rr->baseline.threshold;
    rr->spikes = calloc((size_t)over + 1, sizeof(*rr->spikes));
    if (!rr->spikes) {
        free(walls);
        free(keep);
        return WP_ERR_NOMEM;
    }
    for (int k = 0; k < n && !rr->doubt[0]; k++) {
        if (walls[k] <= rr->baseline.threshold || n < 3)
            continue;
        wp_spike *sp = &rr->spikes[rr->nspikes++];
        sp->index = k;
        sp->number = rr->steps.steps[k].number;
        sp->warmup = k == 0 && warm;
        sp->seconds = walls[k];
        sp->excess = walls[k] - rr->baseline.median;
        rr->warmup_is_spike |= sp->warmup;
    }
    free(walls);
    free(keep);
    return WP_OK;
}

typedef struct kernel_time {
    uint32_t name, calls, ref_calls; /* ref_calls: in the step compared against */
    int64_t ns;
} kernel_time;

static int by_name(const void *a, const void *b)
{
    uint32_t x = ((const kernel_time *)a)->name, y = ((const kernel_time *)b)->name;
    return x < y ? -1 : x > y;
}

static int by_ns_desc(const void *a, const void *b)
{
    int64_t x = ((const kernel_time *)a)->ns, y = ((const kernel_time *)b)->ns;
    return x > y ? -1 : x < y;
}

/* Kernel time per name in [start, end) of proc, sorted by name; *n entries; NULL when out of memory or none. */
static kernel_time *kernel_times(const wp_run *r, uint32_t proc, int64_t start, int64_t end, size_t *n)
{
    size_t lo, hi, m = 0;
    wp_run_op_range(r, proc, start, end, &lo, &hi);
    kernel_time *k = malloc((hi - lo + 1) * sizeof(*k));
    for (size_t i = lo; k && i < hi; i++)
        if (WP_OP_IS_KERNEL(r->ops[i].key))
            k[m++] = (kernel_time){r->ops[i].key, 1, 0, wp_ns_span(r->ops[i].start, r->ops[i].end)};
    if (k)
        qsort(k, m, sizeof(*k), by_name);
    size_t u = 0;
    for (size_t i = 0; i < m; i++) {
        if (u && k[u - 1].name == k[i].name) {
            k[u - 1].calls++;
            k[u - 1].ns = wp_ns_add(k[u - 1].ns, k[i].ns);
        } else {
            k[u++] = k[i];
        }
    }
    *n = u;
    return k;
}

/* gpu_work names the kernels that grew most against the normal step nearest the median. */
static void name_grown_kernels(const wp_run *r, const wp_rank_result *rr, wp_cause *c, int index)
{
    int ref = -1;
    double best = 0;
    for (int k = 1; k < rr->steps.count; k++) {
        double w = (double)rr->stats[k].wall_ns * NS, d = w > rr->baseline.median ? w - rr->baseline.median
                                                                                    : rr->baseline.median - w;
        if (w <= rr->baseline.threshold && (ref < 0 || d < best)) {
            ref = k;
            best = d;
        }
    }
    if (ref < 0)
        return;
    const wp_step *a = &rr->steps.steps[index], *b = &rr->steps.steps[ref];
    size_t na, nb;
    kernel_time *ka = kernel_times(r, rr->proc, a->start, a->end, &na);
    kernel_time *kb = kernel_times(r, rr->proc, b->start, b->end, &nb);
    if (ka && kb) {
        for (size_t i = 0, j = 0; i < na; i++) { /* growth per name; both sorted by name */
            while (j < nb && kb[j].name < ka[i].name)
                j++;
            int both = j < nb && kb[j].name == ka[i].name;
            ka[i].ns = wp_ns_sub(ka[i].ns, both ? kb[j].ns : 0);
            ka[i].ref_calls = both ? kb[j].calls : 0;
        }
        qsort(ka, na, sizeof(*ka), by_ns_desc);
        size_t used = strlen(c->evidence);
        for (size_t i = 0; i < na && i < 3 && ka[i].ns > 0 && used < sizeof(c->evidence); i++)
            used += (size_t)snprintf(c->evidence + used, sizeof(c->evidence) - used, "%s\"%.*s\" +%.1f ms (%u -> %u "
                                     "calls)", i ? ", " : "; grew: ", wp_utf8_cut(wp_run_str(r, ka[i].name), 40),
                                     wp_run_str(r, ka[i].name), (double)ka[i].ns * 1e-6,
                                     ka[i].ref_calls, ka[i].calls);
    }
    free(ka);
    free(kb);
}

/* Causes need the other ranks (nccl_wait), so they come after every rank's steps. */
static void attribute(const wp_run *r, wp_explain *e)
{
    for (int i = 0; i < e->nranks; i++) {
        wp_rank_result *rr = &e->ranks[i];
        for (int s = 0; s < rr->nspikes; s++) {
            wp_spike *sp = &rr->spikes[s];
            /* the slow rank is the one that waited least in collectives in this step (most wall time on ties) */
            wp_rank_context ctx = {e->nranks, -1, 0, sp->seconds, 0};
            int64_t least = INT64_MAX;
            for (int j = 0; j < e->nranks; j++) {
                const wp_rank_result *o = &e->ranks[j];
                if (sp->index >= o->steps.count)
                    continue;
                const wp_step_stats *st = &o->stats[sp->index];
                double w = (double)st->wall_ns * NS;
                if (st->nccl_ns < least || (st->nccl_ns == least && w > ctx.slowest_wall)) {
                    least = st->nccl_ns;
                    ctx.slowest_wall = w;
                    ctx.slowest_rank = o->rank >= 0 ? o->rank : j;
                    ctx.this_is_slowest = j == i;
                }
            }
            sp->ncauses = wp_causes_attribute(&rr->stats[sp->index], &rr->base, sp->excess, &ctx, sp->causes,
                                              &sp->unexplained);
            for (int k = 0; k < sp->ncauses; k++)
                if (strcmp(sp->causes[k].id, "gpu_work") == 0)
                    name_grown_kernels(r, rr, &sp->causes[k], sp->index);
        }
    }
}

/* The observed switch: the loop step (its number: 0-based in the loop, also when a profiler schedule skipped the
 * first steps) of the first non-warm-up spike (any rank) whose top cause is expert_switch. */
int wp_explain_observed_switch(const wp_explain *e)
{
    int best = -1;
    for (int i = 0; i < e->nranks; i++)
        for (int s = 0; s < e->ranks[i].nspikes; s++) {
            const wp_spike *sp = &e->ranks[i].spikes[s];
            if (!sp->warmup && sp->ncauses && strcmp(sp->causes[0].id, "expert_switch") == 0 &&
                (best < 0 || sp->number < best))
                best = (int)sp->number;
        }
    return best;
}

static void schedule_check(const wp_run *r, const wp_explain_opts *o, wp_explain *e)
{
    wp_schedule_params p = o->sched;
    const char *from = "flags";
    if (!o->have_schedule) {
        int found = 0;
        for (uint32_t i = 0; i < r->nprocs && !found; i++)
            if (r->procs[i].config)
                found = wp_schedcheck_parse_config(r->procs[i].config, &p);
        if (!found)
            return;
        from = "metadata";
    }
    if (wp_schedule_params_check(&p))
        return;
    wp_schedcheck_run(&p, from, wp_explain_observed_switch(e), &e->sched);
}

static void marked_switch(const wp_explain_opts *o, wp_explain *e)
{
    const wp_rank_result *m = wp_explain_main_rank(e);
    wp_marked_switch *w = &e->marked;
    if (!m || m->steps.count < 2)
        return;
    for (int k = 0; k < m->steps.count; k++)
        if (!m->steps.steps[k].has_timestep)
            return;
    double boundary = e->sched.have ? e->sched.p.boundary : o->sched.boundary;
    w->have = 1;
    w->boundary_t = boundary * 1000;
    w->step = -1;
    w->observed = wp_explain_observed_switch(e);
    int k = 0;
    while (k < m->steps.count && m->steps.steps[k].timestep >= w->boundary_t)
        k++;
    char o1[16], o2[16];
    if (k == m->steps.count) {
        snprintf(w->note, sizeof(w->note), "every step's timestep is >= %g: the high-noise expert ran throughout",
                 w->boundary_t);
        return;
    }
    w->step = (int)m->steps.steps[k].number;
    const char *seen = w->observed < 0 ? "no switch spike was seen"
                       : w->observed == w->step ? "the observed switch is there"
                                                : "the observed switch is not there (step %d, the %s)";
    int n = snprintf(w->note, sizeof(w->note), "the marks' timesteps cross %g at step %d (the %s step: t=%g after "
                     "t=%g); ", w->boundary_t, w->step, wp_ordinal(w->step + 1, o1, sizeof(o1)),
                     m->steps.steps[k].timestep, k ? m->steps.steps[k - 1].timestep : m->steps.steps[k].timestep);
    if (n > 0 && (size_t)n < sizeof(w->note))
        snprintf(w->note + n, sizeof(w->note) - (size_t)n, seen, w->observed,
                 wp_ordinal(w->observed + 1, o2, sizeof(o2)));
}

int wp_explain_run(const wp_run *r, const wp_explain_opts *o, wp_explain *out)
{
    memset(out, 0, sizeof(*out));
    out->ranks = calloc(r->nprocs + 1, sizeof(*out->ranks));
    if (!out->ranks)
        return WP_ERR_NOMEM;
    for (uint32_t i = 0; i < r->nprocs; i++) {
        if (!wanted(r, i))
            continue;
        int rc = analyse_rank(r, o, i, &out->ranks[out->nranks++]);
        if (rc != WP_OK)
            return rc;
    }
    attribute(r, out);
    schedule_check(r, o, out);
    marked_switch(o, out);
    const wp_rank_result *m = wp_explain_main_rank(out);
    for (int k = 0; m && k < m->steps.count; k++)
        out->total_s += (double)m->stats[k].wall_ns * NS;
    return WP_OK;
}

void wp_explain_free(wp_explain *e)
{
    for (int i = 0; i < e->nranks; i++) {
        wp_steps_free(&e->ranks[i].steps);
        free(e->ranks[i].stats);
        free(e->ranks[i].spikes);
    }
    free(e->ranks);
    memset(e, 0, sizeof(*e));
}

const wp_rank_result *wp_explain_main_rank(const wp_explain *e)
{
    const wp_rank_result *best = NULL;
    for (int i = 0; i < e->nranks; i++)
        if (!best || e->ranks[i].steps.count > best->steps.count)
            best = &e->ranks[i];
    return best;
}
