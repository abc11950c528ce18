/* whatif.c: the predictions of every offload mode (see whatif.h). The table below is the list of modes: a new one is
 * one line there, plus its rule in evaluate when it moves weights in a new way. */
#include "whatif.h"

#include <stdio.h>
#include <string.h>

#include "notes.h"
#include "whatif_pipeline.h"

/* What SGLang offers and runner/offload.c implements (../shared/wan22.md): model offload into kept host buffers (the
 * runner) and through module.to (SGLang's dit_cpu_offload, accelerate: the way out writes new host memory); then
 * diffusers' block-level group offloading with a stream, whose top-level group (embedders, head) goes to the GPU and
 * back into new host memory around every forward (seen in its traces: bench/RESULTS.md), and which learns the blocks'
 * order in each expert's first forward.
 * {kind, pinned, prefetch, layer_sync, new_memory, rest_trips, learns_order} */
static const wp_offload_mode modes[] = {
    {WP_MODE_NONE, 0, 0, 0, 0, 0, 0},      {WP_MODE_MODEL, 0, 0, 0, 0, 0, 0},
    {WP_MODE_MODEL, 0, 0, 0, 1, 0, 0},     {WP_MODE_MODEL, 1, 0, 0, 0, 0, 0},
    {WP_MODE_LAYERWISE, 1, 1, 0, 0, 0, 0}, {WP_MODE_LAYERWISE, 1, 2, 0, 0, 0, 0},
    {WP_MODE_LAYERWISE, 1, 4, 0, 0, 0, 0}, {WP_MODE_LAYERWISE, 0, 1, 0, 0, 0, 0},
    {WP_MODE_LAYERWISE, 0, 2, 0, 0, 0, 0}, {WP_MODE_LAYERWISE, 0, 4, 0, 0, 0, 0},
    {WP_MODE_LAYERWISE, 1, 1, 1, 0, 0, 0}, {WP_MODE_LAYERWISE, 1, 2, 1, 0, 0, 0},
    {WP_MODE_LAYERWISE, 1, 4, 1, 0, 0, 0}, {WP_MODE_LAYERWISE, 0, 1, 1, 0, 0, 0},
    {WP_MODE_LAYERWISE, 0, 2, 1, 0, 0, 0}, {WP_MODE_LAYERWISE, 0, 4, 1, 0, 0, 0},
    {WP_MODE_LAYERWISE, 1, 1, 0, 1, 1, 1},
};

/* A kernel launch's host cost: what a device synchronisation after every block exposes per kernel, since the GPU
 * waits for the host to queue the next block. An assumption (cudaLaunchKernel takes a few microseconds), named in
 * the notes when a per-layer-sync mode is predicted. */
#define LAUNCH_S 5e-6

#define note(w, ...) wp_note_add((w)->notes, sizeof((w)->notes), __VA_ARGS__)

const char *wp_bound_name(int bound)
{
    return bound == WP_BOUND_HOST_LINK ? "host link" : bound == WP_BOUND_MEMORY ? "memory" : "compute";
}

typedef struct point {
    double step, sw, first, link;
} point;

/* A mode's learning forward (see learns_order) over its prefetched one: on the first step and on the switch step,
 * each expert's first. */
static double learning_extra(const wp_loop_facts *f, const wp_offload_mode *m, double block_copy, double gap)
{
    return m->learns_order ? wp_unprefetched_extra(f->blocks, f->block_s, block_copy, m->prefetch, m->pinned, gap) : 0;
}

/* A mode's step, switch step and first step at one bandwidth point (copy seconds given). The recorded first and
 * switch steps' excess holds the recorded mode's learning forward (learn_rec): the mode's own replaces it. */
static point evaluate(const wp_loop_facts *f, const wp_offload_mode *m, double block_copy, double expert_in,
                      double expert_out, double rest_trip, double gap, double learn_rec)
{
    double base = m->kind == WP_MODE_LAYERWISE ? f->base_s : f->plain_base_s;
    /* a recorded model offload's switch excess is its move's host work: it belongs to the modes that move experts */
    double sw_extra = f->recorded.kind != WP_MODE_MODEL || m->kind == WP_MODE_MODEL ? f->switch_extra_s : 0;
    /* never below an ordinary step: what is taken out was measured inside what it is taken from */
    double learn = learning_extra(f, m, block_copy, gap) - learn_rec;
    double sw_excess = sw_extra + learn > 0 ? sw_extra + learn : 0;
    double first_excess = f->first_extra_s + learn > 0 ? f->first_extra_s + learn : 0;
    point p = {base, base + sw_excess, base + first_excess, 0};
    if (m->kind == WP_MODE_MODEL) {
        p.sw += expert_out + expert_in;
        p.first += expert_in;
    } else if (m->kind == WP_MODE_LAYERWISE) {
        double blocks_s = f->forwards * f->blocks * f->block_s;
        double lw = wp_layerwise_step(f->forwards, f->blocks, f->block_s, block_copy, m->prefetch, m->pinned,
                                   m->layer_sync, gap);
        p.step = f->base_s - blocks_s + lw + f->forwards * rest_trip; /* the round trips block the host */
        p.sw = p.step + sw_excess;
        p.first = p.step + first_excess;
        p.link = f->forwards * (f->blocks * block_copy + rest_trip);
    }
    return p;
}

/* f with its kernels' time scaled by s: the blocks and the kernels in the step beside them. */
static wp_loop_facts clocked(const wp_loop_facts *f, double s)
{
    wp_loop_facts g = *f;
    double extra = (s - 1) * f->kernel_s;
    g.block_s *= s;
    g.base_s += extra;
    g.plain_base_s += extra;
    return g;
}

/* The share of a step the GPU computes, within [0, 1] (kernels on several streams can add up to more). */
static double busy_share(double kernel_s, double step_s)
{
    double b = step_s > 0 ? kernel_s / step_s : 1;
    return b < 0 ? 0 : b > 1 ? 1 : b;
}

static double total(const wp_loop_facts *f, const point *p)
{
    int has_switch = f->switch_step > 0 && f->switch_step < f->steps;
    return p->first + (f->steps - 1 - has_switch) * p->step + has_switch * p->sw;
}

/* Seconds to move `bytes` in `copies` copies one way from/to host memory of `kind` (WP_HMEM_*): at the rate the run's
 * own copies of that kind achieved when use_trace and it made some (its program allocates and copies the way it will
 * in the other modes), else at the machine's figure for that copy size; a machine that never measured copies into
 * new memory lends its kept-buffer figure, which is faster. Notes which, once per direction and kind. */
static int move_seconds(const wp_loop_facts *f, const wp_machine *mc, int dir, int kind, double bytes,
                        double copies, int sharing, int use_trace, wp_whatif *w, wp_spread *out, char *why, size_t n)
{
    const wp_spread *seen = &f->observed_gbps[dir][kind];
    unsigned mask = 1u << (dir * 3 + kind);
    if (use_trace && seen->count > 0) {
        *out = (wp_spread){bytes / (seen->median * 1e9), bytes / (seen->max * 1e9), bytes / (seen->min * 1e9), 0};
        if (!(w->noted & mask))
            note(w, "%s %s copies at the run's own rate, %.2f GB/s (%.2f..%.2f over %d step%s)",
                 wp_machine_dir_name(dir), wp_machine_memory_name(kind), seen->median, seen->min, seen->max,
                 seen->count, seen->count == 1 ? "" : "s");
        w->noted |= mask;
        return 0;
    }
    int rc = wp_machine_copy_seconds(mc, dir, kind, (uint64_t)bytes, (uint64_t)copies, sharing, out, why, n);
    if (rc && kind == WP_HMEM_NEW_PAGEABLE) {
        rc = wp_machine_copy_seconds(mc, dir, WP_HMEM_KEPT_PAGEABLE, (uint64_t)bytes, (uint64_t)copies, sharing, out,
                                     why, n);
        if (rc == 0 && !(w->noted & mask))
            note(w, "%s pageable_new copies at the machine's pageable figures: it measured no copies into new host "
                    "memory (an older calibration), so these are too fast", wp_machine_dir_name(dir));
    } else if (rc == 0 && !(w->noted & mask))
        note(w, "%s %s copies at the machine's figures", wp_machine_dir_name(dir), wp_machine_memory_name(kind));
    w->noted |= mask;
    return rc;
}

/* A whole expert moved tensor by tensor: the large copies carry the bytes, the small ones cost a latency each (the
 * machine's small-copy latency; none known: nothing added). */
static int expert_seconds(const wp_loop_facts *f, const wp_machine *mc, int dir, int pinned, int sharing,
                          int use_trace, wp_whatif *w, wp_spread *out, char *why, size_t n)
{
    if (move_seconds(f, mc, dir, pinned, f->expert_bytes, f->large_copies, sharing, use_trace, w, out, why, n))
        return -1;
    double small = f->small_copies * mc->latency_s[dir][pinned == WP_HMEM_KEPT_PINNED].median;
    out->median += small;
    out->min += small;
    out->max += small;
    return 0;
}

static int predict(const wp_loop_facts *f, const wp_machine *mc, int sharing, int use_trace,
                   const wp_offload_mode *m, wp_whatif *w, wp_whatif_pred *out, wp_diag *diag)
{
    char why[200] = "";
    wp_spread block = {0, 0, 0, 0}, in = block, outb = block, rest_in = block, rest_out = block;
    if (m->rest_trips &&
        (move_seconds(f, mc, WP_MDIR_HTOD, 0, f->nonblock_bytes, 1, sharing, use_trace, w, &rest_in, why,
                      sizeof(why)) ||
         move_seconds(f, mc, WP_MDIR_DTOH, WP_HMEM_NEW_PAGEABLE, f->nonblock_bytes, 1, sharing, use_trace, w,
                      &rest_out, why, sizeof(why))))
        return wp_diag_error(diag, WP_ERR_USAGE, "machine %s: %s", mc->name, why);
    if (m->kind == WP_MODE_LAYERWISE &&
        move_seconds(f, mc, WP_MDIR_HTOD, m->pinned, f->block_bytes, 1, sharing, use_trace, w, &block, why,
                     sizeof(why)))
        return wp_diag_error(diag, WP_ERR_USAGE, "machine %s: %s", mc->name, why);
    if (m->kind == WP_MODE_MODEL &&
        (expert_seconds(f, mc, WP_MDIR_HTOD, m->pinned, sharing, use_trace, w, &in, why, sizeof(why)) ||
         expert_seconds(f, mc, WP_MDIR_DTOH, m->new_memory ? WP_HMEM_NEW_PAGEABLE : m->pinned, sharing, use_trace, w,
                        &outb, why, sizeof(why))))
        return wp_diag_error(diag, WP_ERR_USAGE, "machine %s: %s", mc->name, why);
    wp_spread rec_block = block;
    if (f->recorded.learns_order &&
        move_seconds(f, mc, WP_MDIR_HTOD, f->recorded.pinned, f->block_bytes, 1, sharing, use_trace, w, &rec_block,
                     why, sizeof(why)))
        return wp_diag_error(diag, WP_ERR_USAGE, "machine %s: %s", mc->name, why);
    double gap = f->kernels_per_block * LAUNCH_S + mc->latency_s[WP_MDIR_HTOD][1].median;
    /* at the recording's own clocks (f, not a clocked copy); taken out, so the least time takes out the most, unless
     * the mode learns too: then the same copies on both sides cancel */
    double rec_fast = learning_extra(f, &f->recorded, rec_block.min, gap);
    double rec_slow = learning_extra(f, &f->recorded, rec_block.max, gap);
    double learn_rec[3] = {learning_extra(f, &f->recorded, rec_block.median, gap),
                           m->learns_order ? rec_fast : rec_slow, m->learns_order ? rec_slow : rec_fast};
    /* The kernels run at the clocks of how busy this mode keeps the GPU, which depends on how long its step is: a
     * few rounds settle it (the scale moves kernel time by a few per cent, the step by less). */
    double busy_rec = busy_share(f->kernel_s, f->ordinary_s), busy = busy_rec, scale = 1;
    wp_loop_facts g = *f;
    point mid;
    for (int round = 0; round < 4; round++) {
        g = clocked(f, scale);
        mid = evaluate(&g, m, block.median, in.median, outb.median, rest_in.median + rest_out.median, gap,
                       learn_rec[0]);
        busy = busy_share(scale * f->kernel_s, mid.step);
        scale = wp_machine_kernel_scale(mc, busy, busy_rec, WP_CURVE_MEDIAN);
    }
    g = clocked(f, scale);
    /* median bandwidth and curve -> median time; the fastest copies and the curve through the fastest bursts give the
     * least time, the slowest the most */
    double a = wp_machine_kernel_scale(mc, busy, busy_rec, WP_CURVE_FASTEST);
    double b = wp_machine_kernel_scale(mc, busy, busy_rec, WP_CURVE_SLOWEST);
    double least = a < b ? a : b, most = a < b ? b : a; /* the median's own scale within them, always */
    wp_loop_facts g_lo = clocked(f, least < scale ? least : scale), g_hi = clocked(f, most > scale ? most : scale);
    mid = evaluate(&g, m, block.median, in.median, outb.median, rest_in.median + rest_out.median, gap, learn_rec[0]);
    point lo = evaluate(&g_lo, m, block.min, in.min, outb.min, rest_in.min + rest_out.min, gap, learn_rec[1]);
    point hi = evaluate(&g_hi, m, block.max, in.max, outb.max, rest_in.max + rest_out.max, gap, learn_rec[2]);
    out->kernel_scale = scale;
    out->mode = *m;
    wp_mode_name(m, out->name, sizeof(out->name));
    out->step_s = (wp_spread){mid.step, lo.step, hi.step, 0};
    out->switch_s = (wp_spread){mid.sw, lo.sw, hi.sw, 0};
    out->first_s = (wp_spread){mid.first, lo.first, hi.first, 0};
    out->total_s = (wp_spread){total(&g, &mid), total(&g_lo, &lo), total(&g_hi, &hi), 0};
    out->link_s = mid.link;
    out->peak_bytes = f->have_memory ? f->other_bytes + wp_mode_resident_bytes(f, m) : -1;
    out->fits = out->peak_bytes < 0 || !mc->gpu_memory_bytes || out->peak_bytes <= (double)mc->gpu_memory_bytes;
    double compute = g.forwards * g.blocks * g.block_s;
    out->bound = !out->fits ? WP_BOUND_MEMORY : mid.link > compute ? WP_BOUND_HOST_LINK : WP_BOUND_COMPUTE;
    return WP_OK;
}

static int same_mode(const wp_offload_mode *a, const wp_offload_mode *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == WP_MODE_NONE)
        return 1;
    if (a->kind == WP_MODE_MODEL)
        return a->pinned == b->pinned && a->new_memory == b->new_memory;
    return a->pinned == b->pinned && a->prefetch == b->prefetch && a->layer_sync == b->layer_sync &&
           a->rest_trips == b->rest_trips;
}

static void measured(const wp_loop_facts *f, wp_whatif_measured *m)
{
    m->step_s = f->ordinary_s;
    m->switch_s = f->switch_step > 0 && f->switch_step < f->steps ? f->step_s[f->switch_step] : -1;
    m->first_s = f->step_s[0];
    m->total_s = 0;
    for (int i = 0; i < f->steps; i++)
        m->total_s += f->step_s[i];
    m->peak_bytes = f->have_memory ? f->loop_peak_bytes : -1;
}

static void rank_modes(wp_whatif *w)
{
    for (int i = 0; i < w->npreds; i++) {
        wp_whatif_pred *p = &w->preds[i];
        p->rank = 0;
        if (!p->fits)
            continue;
        p->rank = 1;
        for (int j = 0; j < w->npreds; j++)
            p->rank += w->preds[j].fits && (w->preds[j].total_s.median < p->total_s.median ||
                                             (w->preds[j].total_s.median == p->total_s.median && j < i));
    }
}

int wp_whatif_order(const wp_whatif *w, int *order)
{
    int n = 0;
    for (int r = 1; r <= w->npreds + 1; r++)
        for (int i = 0; i < w->npreds; i++)
            if (w->preds[i].rank == (r <= w->npreds ? r : 0))
                order[n++] = i;
    return n;
}

/* What the switch step's one-off cost beyond the weights' move is taken to be, where one recording cannot tell: the
 * second expert's first use (its first kernels, its first allocations) hides inside a whole expert's move, and a mode
 * that streams blocks adds its own first buffers for the second expert to it. */
static void switch_note(const wp_loop_facts *f, wp_whatif *w)
{
    if (f->switch_step <= 0)
        return;
    if (f->recorded.kind == WP_MODE_MODEL)
        note(w, "switch step: the second expert's first use is inside this recording's move, so the modes that move "
                "no expert are predicted without it (short by that much)");
    else if (f->recorded.kind == WP_MODE_LAYERWISE)
        note(w, "switch step: this recording's excess at the switch (%.3f s: the second expert's first use and its "
                "first streaming buffers) is taken for every mode's",
             f->switch_extra_s);
}

/* The group mode's first forward of each expert (see learns_order), in its first and switch step; a recording of it
 * has that forward in its own excess, which the modes that prefetch from the start do without. */
static void learning_note(const wp_loop_facts *f, wp_whatif *w)
{
    if (f->recorded.learns_order)
        note(w, "first and switch step: this recording's excess holds each expert's first forward, its blocks copied "
                "one after the other while diffusers learns their order; the modes that prefetch from the start go "
                "without it");
    else if (f->switch_step > 0)
        note(w, "group (diffusers): its first and switch step hold each expert's first forward, its blocks copied one "
                "after the other while diffusers learns their order");
}

/* What the compute curve did to the kernels, or, without one, the caution a copy-bound recording needs: its GPU idled
 * between blocks and its kernels ran faster than back to back (on the H200 the same GEMMs and attention 8..16%). */
static void clock_note(const wp_loop_facts *f, const wp_machine *m, wp_whatif *w)
{
    double lo = 1, hi = 1;
    for (int i = 0; i < w->npreds; i++) {
        lo = w->preds[i].kernel_scale < lo ? w->preds[i].kernel_scale : lo;
        hi = w->preds[i].kernel_scale > hi ? w->preds[i].kernel_scale : hi;
    }
    double busy = busy_share(f->kernel_s, f->ordinary_s);
    if (m->nbusy >= 2) {
        note(w, "kernels: the recording computed %.0f%% of each step; at other modes' shares the machine's compute "
                "curve (%.0f%% busy: %.3f .. %.0f%%: %.3f) puts them at %.3f..%.3f times the recorded time",
             busy * 100, m->busy[0] * 100, m->relative[0].median, m->busy[m->nbusy - 1] * 100,
             m->relative[m->nbusy - 1].median, lo, hi);
    } else if (w->recorded >= 0 && f->recorded.kind == WP_MODE_LAYERWISE &&
               w->preds[w->recorded].bound == WP_BOUND_HOST_LINK) {
        note(w, "this recording is copy-bound, so its GPU idled between blocks: kernels that run back to back (the "
                "modes bound by compute) may take up to ~15%% longer than it shows (the machine has no compute "
                "curve: `wanprof calibrate` measures one)");
    }
}

int wp_whatif_run(const wp_loop_facts *f, const wp_machine *m, int sharing, int use_trace, wp_whatif *w,
                  wp_diag *diag)
{
    memset(w, 0, sizeof(*w));
    w->sharing = sharing > 0 ? sharing : 1;
    w->recorded = -1;
    measured(f, &w->measured);
    int has_sync = 0;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]) && w->npreds < WP_WHATIF_MAX_MODES; i++) {
        int rc = predict(f, m, w->sharing, use_trace, &modes[i], w, &w->preds[w->npreds], diag);
        if (rc != WP_OK)
            return rc;
        if (same_mode(&modes[i], &f->recorded)) {
            w->preds[w->npreds].recorded = 1;
            w->recorded = w->npreds;
        }
        has_sync |= modes[i].layer_sync;
        w->npreds++;
    }
    rank_modes(w);
    if (has_sync)
        note(w, "per-layer sync: the host queues each block after the device is idle, %.0f kernels at an assumed "
                "%.0f us each",
             f->kernels_per_block, LAUNCH_S * 1e6);
    if (w->sharing > 1)
        note(w, "%d ranks copy through one host at once", w->sharing);
    switch_note(f, w);
    learning_note(f, w);
    clock_note(f, m, w);
    return WP_OK;
}
