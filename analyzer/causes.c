/* causes.c: cause attribution (see causes.h). Causes claim the excess in table order, each at most what is left and
 * at most what its own evidence measured over the baseline; measures that overlap (weight copies are copies; sync
 * waits absorb every other delay) are reduced by what the earlier causes already claimed, so nothing is counted
 * twice. The claims are then ranked by seconds. */
#include "causes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spikes.h"

#define NS 1e-9
#define MIN_SHARE 0.02  /* a cause must claim >= 2% of the excess ... */
#define MIN_CLAIM 5e-4  /* ... and >= 0.5 ms to be reported */

static double pos(double x)
{
    return x > 0 ? x : 0;
}

#define BASE_FIELD(field)                                                                                            \
    do {                                                                                                             \
        int m_ = 0;                                                                                                  \
        for (int i_ = 0; i_ < n; i_++)                                                                               \
            if (keep[i_])                                                                                            \
                v[m_++] = (double)stats[i_].field;                                                                   \
        base->field = (__typeof__(base->field))wp_median(v, m_);                                                     \
    } while (0)

void wp_causes_baseline(const wp_step_stats *stats, const int *keep, int n, wp_step_stats *base)
{
    memset(base, 0, sizeof(*base));
    double *v = calloc((size_t)(n > 0 ? n : 1), sizeof(*v));
    if (!v)
        return;
    BASE_FIELD(wall_ns);
    BASE_FIELD(gpu_busy_ns);
    BASE_FIELD(kernel_ns);
    BASE_FIELD(nccl_ns);
    BASE_FIELD(max_gpu_gap_ns);
    BASE_FIELD(copies.ns);
    BASE_FIELD(copies.count);
    BASE_FIELD(copy_exposed_ns);
    BASE_FIELD(sync_ns);
    BASE_FIELD(syncs);
    BASE_FIELD(copy_call_ns);
    BASE_FIELD(allocs);
    BASE_FIELD(frees);
    BASE_FIELD(alloc_ns);
    BASE_FIELD(pinned_alloc_ns);
    BASE_FIELD(module_ns);
    BASE_FIELD(compile_ns);
    BASE_FIELD(new_kernels);
    BASE_FIELD(weight_span_ns);
    BASE_FIELD(weight_ns);
    BASE_FIELD(weight_htod_bytes);
    BASE_FIELD(weight_dtoh_bytes);
    BASE_FIELD(init_ns);
    BASE_FIELD(kernels);
    free(v);
}

static void add_ev(wp_cause *c, const char *key, double v)
{
    if (c->nev < WP_MAX_EVIDENCE)
        c->ev[c->nev++] = (wp_evidence){key, v};
}

/* Seconds the earlier cause `id` claimed (0 when it was not measured before this one). */
static double claimed_by(const wp_cause_ctx *x, const char *id)
{
    for (int i = 0; i < x->nearlier; i++)
        if (strcmp(x->earlier[i].id, id) == 0)
            return x->earlier[i].seconds;
    return 0;
}

static double claimed_total(const wp_cause_ctx *x)
{
    double t = 0;
    for (int i = 0; i < x->nearlier; i++)
        t += x->earlier[i].seconds;
    return t;
}

/* "pageable" or "pinned": where most of the step's copies of direction dir went, "" when neither. */
static const char *host_kind_of(const wp_step_stats *s, int dir)
{
    uint64_t pageable = s->copy[dir][WP_HMEM_PAGEABLE].bytes, pinned = s->copy[dir][WP_HMEM_PINNED].bytes;
    return pageable > pinned ? "pageable" : pinned > pageable ? "pinned" : "";
}

/* A runner mark, or weight traffic both ways of similar volume beyond what a normal step moves (layerwise or group
 * offload streams weights every step: that is not a switch). */
static int is_switch(const wp_step_stats *s, const wp_step_stats *base)
{
    if (s->expert_marks)
        return 1;
    uint64_t a = s->weight_htod_bytes, b = s->weight_dtoh_bytes;
    uint64_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t usual = base->weight_htod_bytes + base->weight_dtoh_bytes;
    return s->weight_htod >= 8 && s->weight_dtoh >= 8 && lo >= (16ull << 20) && lo * 2 >= hi && a + b > 2 * usual;
}

/* Bounded by what the weights' move measured: the device time of the tensor-sized copies, or the host time blocked
 * in copy calls (a pageable copy stages through the host), whichever is more, over the baseline's, plus the page-locked
 * host memory allocated meanwhile over the baseline's (SGLang's .to("cpu", non_blocking=True) allocates its pinned
 * destination: part of the switch, not of the allocator). */
static double expert_switch(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    if (!is_switch(s, b))
        return 0;
    double raw = pos((double)(s->weight_ns - b->weight_ns) * NS);
    double calls = pos((double)(s->copy_call_ns - b->copy_call_ns) * NS);
    double pinned_s = pos((double)(s->pinned_alloc_ns - b->pinned_alloc_ns) * NS);
    if (calls > raw)
        raw = calls;
    raw += pinned_s;
    /* The host memory of each direction is where most of its bytes went: a few tiny pageable copies (a timestep
     * uploaded from the stack) do not make a pinned swap pageable. SGLang moves the outgoing expert to pinned memory
     * and the incoming one from pageable memory: then each direction is named. */
    const char *out = host_kind_of(s, WP_DIR_DTOH), *in = host_kind_of(s, WP_DIR_HTOD);
    char memory[64] = "";
    if (*out && *in && strcmp(out, in) != 0)
        snprintf(memory, sizeof(memory), "; out to %s, in from %s host memory", out, in);
    else if (*out || *in)
        snprintf(memory, sizeof(memory), ", %s host memory", *out ? out : in);
    snprintf(c->evidence, sizeof(c->evidence),
             "%s%u DtoH + %u HtoD tensor-sized copies (%.0f MB out, %.0f MB in%s), the swap spanning %.3f s",
             s->expert_marks ? "runner marked an expert switch; " : "", s->weight_dtoh, s->weight_htod,
             (double)s->weight_dtoh_bytes / 1e6, (double)s->weight_htod_bytes / 1e6, memory,
             (double)s->weight_span_ns * NS);
    size_t used = strlen(c->evidence);
    if (pinned_s > 0 && used < sizeof(c->evidence))
        snprintf(c->evidence + used, sizeof(c->evidence) - used, "; %u pinned host buffers allocated for it in %.3f s",
                 s->pinned_allocs, (double)s->pinned_alloc_ns * NS);
    c->suggestion = "keep both experts resident, or prefetch the next expert layer by layer from pinned memory "
                    "(SGLang --dit-layerwise-offload) instead of module.to()";
    add_ev(c, "dtoh_copies", s->weight_dtoh);
    add_ev(c, "htod_copies", s->weight_htod);
    add_ev(c, "dtoh_bytes", (double)s->weight_dtoh_bytes);
    add_ev(c, "htod_bytes", (double)s->weight_htod_bytes);
    add_ev(c, "swap_span_s", (double)s->weight_span_ns * NS);
    add_ev(c, "weight_copy_s", (double)s->weight_ns * NS);
    add_ev(c, "pinned_alloc_s", (double)s->pinned_alloc_ns * NS);
    add_ev(c, "runner_marks", s->expert_marks);
    return raw;
}

/* Bounded by compile phases and module loads over the baseline's, or, with no compile phases in the trace, by the
 * longest GPU-idle stretch of a step that loaded or first ran code (less what start-up already claimed). */
static double recompilation(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    double compile = pos((double)(s->compile_ns - b->compile_ns) * NS);
    double module = pos((double)(s->module_ns - b->module_ns) * NS);
    double raw = compile + module;
    int new_k = (int)s->new_kernels - (int)b->new_kernels;
    /* No compile phases recorded (a CUPTI trace sees no Python): code loaded or first seen in this step, with the GPU
     * idle meanwhile, is the host compiling; the idle stretch stands in for the compile time. */
    if (s->compile_ranges == 0 && (s->new_regions || new_k > 0 || s->modules > b->modules)) {
        double gap = pos((double)(s->max_gpu_gap_ns - b->max_gpu_gap_ns) * NS - claimed_by(x, "initialisation"));
        if (gap > raw)
            raw = gap;
    }
    if (raw <= 0)
        return 0;
    /* the evidence present, "; "-separated */
    size_t used = 0;
    c->evidence[0] = '\0';
#define PART(...)                                                                                                    \
    do {                                                                                                             \
        if (used < sizeof(c->evidence))                                                                              \
            used += (size_t)snprintf(c->evidence + used, sizeof(c->evidence) - used, "%s", used ? "; " : "");      \
        if (used < sizeof(c->evidence))                                                                              \
            used += (size_t)snprintf(c->evidence + used, sizeof(c->evidence) - used, __VA_ARGS__);                 \
    } while (0)
    if (s->compile_ranges)
        PART("%u torch.compile phases for %.3f s", s->compile_ranges, (double)s->compile_ns * NS);
    if (s->new_regions)
        PART("new \"%s\"", s->new_region_name);
    if (s->modules)
        PART("%u module loads/JIT for %.3f s", s->modules, (double)s->module_ns * NS);
    if (s->new_kernels)
        PART("%u kernel%s never seen before", s->new_kernels, s->new_kernels == 1 ? "" : "s");
    PART("GPU idle for up to %.3f s at a stretch", (double)s->max_gpu_gap_ns * NS);
#undef PART
    c->suggestion = "warm up the compiled graph for this shape/dtype before the timed loop (or mark the changing "
                    "dimension dynamic)";
    add_ev(c, "compile_s", (double)s->compile_ns * NS);
    add_ev(c, "compile_phases", s->compile_ranges);
    add_ev(c, "new_compiled_regions", s->new_regions);
    add_ev(c, "module_loads", s->modules);
    add_ev(c, "module_load_s", (double)s->module_ns * NS);
    add_ev(c, "new_kernels", s->new_kernels);
    add_ev(c, "max_gpu_gap_s", (double)s->max_gpu_gap_ns * NS);
    return raw;
}

/* Bounded by the host time in allocation and free calls over the baseline's, less the pinned buffers an expert switch
 * claimed. */
static double allocator(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    double pinned = claimed_by(x, "expert_switch") > 0 ? pos((double)(s->pinned_alloc_ns - b->pinned_alloc_ns) * NS)
                                                       : 0;
    double raw = pos((double)(s->alloc_ns - b->alloc_ns) * NS - pinned);
    int calls = (int)(s->allocs + s->frees) - (int)(b->allocs + b->frees);
    if (raw <= 0 || (calls < 4 && raw < 1e-3))
        return 0;
    snprintf(c->evidence, sizeof(c->evidence), "%u allocations + %u frees (baseline %u + %u) taking %.3f s on the host",
             s->allocs, s->frees, b->allocs, b->frees, (double)s->alloc_ns * NS);
    c->suggestion = s->frees > 4 * (b->frees + 1)
                        ? "don't flush the caching allocator in the loop (torch.cuda.empty_cache()); keep it warm"
                        : "preallocate, or let the caching allocator keep its blocks";
    add_ev(c, "allocs", s->allocs);
    add_ev(c, "frees", s->frees);
    add_ev(c, "alloc_free_s", (double)s->alloc_ns * NS);
    return raw;
}

/* Bounded by the host time blocked in copy calls or the copy time compute did not hide, whichever is more, over the
 * baseline's, less what the expert switch (weight copies are copies) claimed. */
static double memcpy_stall(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    double calls = pos((double)(s->copy_call_ns - b->copy_call_ns) * NS);
    double exposed = pos((double)(s->copy_exposed_ns - b->copy_exposed_ns) * NS);
    double raw = pos((calls > exposed ? calls : exposed) - claimed_by(x, "expert_switch"));
    if (raw <= 0)
        return 0;
    const wp_copy_stat *pg_h = &s->copy[WP_DIR_HTOD][WP_HMEM_PAGEABLE], *pg_d = &s->copy[WP_DIR_DTOH][WP_HMEM_PAGEABLE];
    double gbps = s->copies.ns ? (double)s->copies.bytes / (double)s->copies.ns : 0;
    snprintf(c->evidence, sizeof(c->evidence),
             "%u cop%s, %.1f MB in %.3f s of device time (%.1f GB/s; largest %.1f MB); %u HtoD + %u DtoH from/to "
             "pageable memory; host blocked %.3f s in copy calls; %.3f s of copy time exposed",
             s->copies.count, s->copies.count == 1 ? "y" : "ies", (double)s->copies.bytes / 1e6, (double)s->copies.ns * NS, gbps,
             (double)s->largest_copy_bytes / 1e6, pg_h->count, pg_d->count, (double)s->copy_call_ns * NS,
             (double)s->copy_exposed_ns * NS);
    c->suggestion = pg_h->count + pg_d->count ? "pin the host copies (pin_memory()) and issue them with "
                                                "non_blocking=True on a side stream, ahead of use"
                                              : "overlap the copies with compute (side stream, prefetch ahead of use)";
    add_ev(c, "copies", s->copies.count);
    add_ev(c, "copy_bytes", (double)s->copies.bytes);
    add_ev(c, "copy_device_s", (double)s->copies.ns * NS);
    add_ev(c, "bandwidth_gbps", gbps);
    add_ev(c, "pageable_copies", pg_h->count + pg_d->count);
    add_ev(c, "host_blocked_in_copies_s", (double)s->copy_call_ns * NS);
    add_ev(c, "exposed_copy_s", (double)s->copy_exposed_ns * NS);
    add_ev(c, "largest_copy_bytes", (double)s->largest_copy_bytes);
    return raw;
}

static double nccl_wait(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    const wp_rank_context *rk = x->ranks;
    if (!rk || rk->nranks < 2 || rk->this_is_slowest)
        return 0;
    double raw = pos((double)(s->nccl_ns - b->nccl_ns) * NS);
    if (raw <= 0)
        return 0;
    snprintf(c->evidence, sizeof(c->evidence),
             "NCCL kernels ran %.3f s (baseline %.3f s): collectives waiting for the slowest rank, rank %d (%.3f s "
             "in this step)",
             (double)s->nccl_ns * NS, (double)b->nccl_ns * NS, rk->slowest_rank, rk->slowest_wall);
    c->suggestion = "look at the slowest rank's own causes for this step: the others wait for it";
    add_ev(c, "nccl_s", (double)s->nccl_ns * NS);
    add_ev(c, "baseline_nccl_s", (double)b->nccl_ns * NS);
    add_ev(c, "slowest_rank", rk->slowest_rank);
    return raw;
}

/* Bounded by the host time in start-up calls over the baseline's. */
static double initialisation(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    double raw = pos((double)(s->init_ns - b->init_ns) * NS);
    if (raw <= 0)
        return 0;
    snprintf(c->evidence, sizeof(c->evidence),
             "%u start-up call%s (CUDA context creation, host memory registration, MPI/NCCL set-up) held the host "
             "%.3f s", s->inits, s->inits == 1 ? "" : "s", (double)s->init_ns * NS);
    c->suggestion = "initialise CUDA, NCCL and pinned buffers before the loop (one warm-up call), not inside it";
    add_ev(c, "startup_calls", s->inits);
    add_ev(c, "startup_s", (double)s->init_ns * NS);
    return raw;
}

/* Bounded by the kernel time over the baseline's; explain names the kernels that grew (wp_explain_name_kernels). */
static double gpu_work(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    double raw = pos((double)(s->kernel_ns - b->kernel_ns) * NS);
    if (raw <= 0)
        return 0;
    snprintf(c->evidence, sizeof(c->evidence), "%u kernels ran %.3f s on the GPU (baseline %u kernels, %.3f s)",
             s->kernels, (double)s->kernel_ns * NS, b->kernels, (double)b->kernel_ns * NS);
    c->suggestion = "the step did more GPU work: look at the kernels that grew (a shape change, an extra forward)";
    add_ev(c, "kernels", s->kernels);
    add_ev(c, "kernel_s", (double)s->kernel_ns * NS);
    add_ev(c, "baseline_kernels", b->kernels);
    add_ev(c, "baseline_kernel_s", (double)b->kernel_ns * NS);
    return raw;
}

/* Bounded by the host time blocked in synchronisation over the baseline's, less everything claimed before it: a wait
 * absorbs every other delay (more GPU work, a swap, a compile), so it only gets what they leave. */
static double host_sync(const wp_cause_ctx *x, wp_cause *c)
{
    const wp_step_stats *s = x->st, *b = x->base;
    double gpu_more = pos((double)(s->kernel_ns - b->kernel_ns) * NS) - claimed_by(x, "gpu_work");
    double raw = pos((double)(s->sync_ns - b->sync_ns) * NS - pos(gpu_more) - claimed_total(x));
    if (raw <= 0)
        return 0;
    snprintf(c->evidence, sizeof(c->evidence), "%u synchronisation call%s blocked the host %.3f s (baseline %u, %.3f s)",
             s->syncs, s->syncs == 1 ? "" : "s", (double)s->sync_ns * NS, b->syncs, (double)b->sync_ns * NS);
    c->suggestion = "remove host synchronisation from the loop (.item(), .cpu(), torch.cuda.synchronize())";
    add_ev(c, "syncs", s->syncs);
    add_ev(c, "sync_s", (double)s->sync_ns * NS);
    add_ev(c, "baseline_sync_s", (double)b->sync_ns * NS);
    return raw;
}

const wp_cause_kind wp_cause_kinds[] = {
    {"expert_switch", "#e15759", "weight traffic: many tensor-sized copies GPU->host and host->GPU of similar volume "
                                 "(or a runner mark)", expert_switch},
    {"initialisation", "#9467bd", "start-up calls: CUDA context creation (a process's first CUDA call, cuInit), "
                                  "cudaHostRegister, MPI_Init, ncclCommInit*", initialisation},
    {"recompilation", "#b07aa1", "torch.compile phases, a new Torch-Compiled Region id, module loads / JIT, kernels "
                                 "never seen before with the GPU idle", recompilation},
    {"allocator", "#edc948", "cudaMalloc/cudaFree storms, e.g. after torch.cuda.empty_cache()", allocator},
    {"memcpy_stall", "#f28e2b", "host blocked in copy calls (synchronous or pageable copies) or copy time not hidden "
                                "by compute", memcpy_stall},
    {"nccl_wait", "#59a14f", "collectives waiting for a slower rank (several ranks)", nccl_wait},
    {"gpu_work", "#4e79a7", "more or longer kernels than the baseline (the kernels that grew are named)", gpu_work},
    {"host_sync", "#76b7b2", "long synchronisation waits on the host, beyond what the causes above explain", host_sync},
};
const int wp_ncause_kinds = (int)(sizeof(wp_cause_kinds) / sizeof(wp_cause_kinds[0]));
_Static_assert(sizeof(wp_cause_kinds) / sizeof(wp_cause_kinds[0]) == WP_NCAUSE_KINDS, "WP_NCAUSE_KINDS: causes.h");
_Static_assert(sizeof(wp_cause_kinds) / sizeof(wp_cause_kinds[0]) <= WP_MAX_CAUSES, "room for every cause");

const char *wp_cause_colour(const char *id)
{
    for (int i = 0; id && i < wp_ncause_kinds; i++)
        if (strcmp(id, wp_cause_kinds[i].id) == 0)
            return wp_cause_kinds[i].colour;
    return "#9c755f";
}

static int cmp_cause(const void *a, const void *b)
{
    double x = ((const wp_cause *)a)->seconds, y = ((const wp_cause *)b)->seconds;
    return x > y ? -1 : x < y;
}

static double claim(double raw, double *left)
{
    double got = raw < *left ? raw : *left;
    got = got > 0 ? got : 0;
    *left -= got;
    return got;
}

int wp_causes_attribute(const wp_step_stats *st, const wp_step_stats *base, double excess_s,
                        const wp_rank_context *ranks, wp_cause *causes, double *unexplained)
{
    wp_cause all[WP_MAX_CAUSES];
    memset(all, 0, sizeof(all));
    double left = excess_s > 0 ? excess_s : 0;
    for (int i = 0; i < wp_ncause_kinds; i++) {
        wp_cause_ctx x = {st, base, ranks, all, i};
        all[i].id = wp_cause_kinds[i].id;
        all[i].seconds = claim(wp_cause_kinds[i].measure(&x, &all[i]), &left);
    }
    int n = 0;
    double floor = MIN_SHARE * excess_s > MIN_CLAIM ? MIN_SHARE * excess_s : MIN_CLAIM;
    for (int i = 0; i < wp_ncause_kinds; i++) {
        if (all[i].seconds >= floor)
            causes[n++] = all[i];
        else
            left += all[i].seconds; /* too small to name: part of the remainder */
    }
    qsort(causes, (size_t)n, sizeof(*causes), cmp_cause);
    *unexplained = left > 0 ? left : 0;
    return n;
}
