/* steps.c: step segmentation (see steps.h). */
#include "steps.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "nsmath.h"
#include "period.h"
#include "safe_text.h"

const char *wp_step_source_name(wp_step_source s)
{
    switch (s) {
    case WP_STEPS_RUNNER: return "runner";
    case WP_STEPS_PATTERN: return "pattern";
    case WP_STEPS_REGION: return "compiled-region";
    case WP_STEPS_KERNELS: return "kernels";
    default: return "none";
    }
}

static int count_class(const wp_run *r, size_t lo, size_t hi, int cls)
{
    int n = 0;
    for (size_t i = lo; i < hi; i++)
        n += r->hosts[i].cls == cls;
    return n;
}

/* The sampler timestep a step mark names: SGLang's "denoising_step_{i}_t{t}", the runner's "step N (t=T, ...)".
 * Returns 1 and sets *t when the name has one. */
static int timestep_in(const char *name, double *t)
{
    for (const char *p = name; *p; p++) {
        const char *num = p[0] == 't' && p[1] == '=' ? p + 2 : p[0] == 't' ? p + 1 : NULL;
        if (num && isdigit((unsigned char)*num) && p > name && (p[-1] == '_' || p[-1] == '(' || p[-1] == ' ')) {
            *t = strtod(num, NULL);
            return 1;
        }
    }
    return 0;
}

/* Ranges of class cls, outermost only (a step range nested in another of the same class is the same step seen twice,
 * e.g. a wrapper), one per step number. */
static int from_marks(const wp_run *r, size_t lo, size_t hi, int cls, wp_steps *out)
{
    int n = count_class(r, lo, hi, cls);
    out->steps = calloc((size_t)n + 1, sizeof(wp_step));
    if (!out->steps)
        return WP_ERR_NOMEM;
    int64_t outer_end = INT64_MIN;
    for (size_t i = lo; i < hi; i++) {
        const wp_run_host *h = &r->hosts[i];
        if (h->cls != cls || h->start < outer_end)
            continue;
        outer_end = h->end;
        wp_step *s = &out->steps[out->count++];
        s->number = h->aux;
        s->has_timestep = timestep_in(wp_run_str(r, h->name), &s->timestep);
        s->mark_start = s->start = h->start;
        s->mark_end = s->end = h->end;
        if (out->count == 1)
            snprintf(out->source_text, sizeof(out->source_text), "%s ranges like \"%.*s\"",
                     cls == WP_HOST_RUNNER_STEP ? "runner NVTX step" : "step", wp_utf8_cut(wp_run_str(r, h->name), 80),
                     wp_run_str(r, h->name));
    }
    return WP_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Where the first step starts: lead before its first work (the usual time from a step's start to its first work:
 * host work at the top of a step, such as a weight upload), or earlier across host-only time (a compilation before
 * the first call) back to the end of the last GPU work before it: the setup's work is not part of the step. */
static int64_t first_step_start(const wp_run *r, uint32_t proc, int64_t first_work, int64_t lead, int64_t floor)
{
    int64_t t = wp_ns_sub(first_work, lead), setup_end = floor;
    size_t lo, hi;
    wp_run_op_range(r, proc, INT64_MIN, t, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        if (r->ops[i].end > setup_end)
            setup_end = r->ops[i].end;
    return setup_end < t ? setup_end : t;
}

/* Steps end with every calls_per_step-th compiled-region call and start where the previous one ended; the first
 * starts as first_step_start says. */
static int from_regions(const wp_run *r, const wp_run_proc *p, size_t lo, size_t hi, int per, wp_steps *out)
{
    int n = count_class(r, lo, hi, WP_HOST_REGION);
    out->steps = calloc((size_t)n / (size_t)per + 1, sizeof(wp_step));
    int64_t *leads = calloc((size_t)n / (size_t)per + 1, sizeof(*leads));
    if (!out->steps || !leads) {
        free(leads);
        return WP_ERR_NOMEM;
    }
    int64_t prev_end = p->first, outer_end = INT64_MIN, opened = INT64_MIN;
    int calls = 0, nleads = 0;
    for (size_t i = lo; i < hi; i++) {
        const wp_run_host *h = &r->hosts[i];
        if (h->cls != WP_HOST_REGION || h->start < outer_end)
            continue;
        outer_end = h->end;
        if (calls++ % per == 0)
            opened = h->start;
        if (calls % per != 0)
            continue;
        wp_step *s = &out->steps[out->count];
        if (out->count)
            leads[nleads++] = wp_ns_span(prev_end, opened);
        s->number = out->count++;
        s->start = s->mark_start = out->count == 1 ? opened : prev_end;
        s->end = s->mark_end = h->end;
        prev_end = h->end;
    }
    qsort(leads, (size_t)nleads, sizeof(*leads), cmp_i64);
    if (out->count) {
        wp_step *s0 = &out->steps[0];
        s0->start = s0->mark_start = first_step_start(r, p->info.index, s0->start, nleads ? leads[nleads / 2] : 0,
                                                      p->first);
    }
    free(leads);
    snprintf(out->source_text, sizeof(out->source_text),
             "no step marks: one step per %s\"Torch-Compiled Region\" call%s (steps end with the call)",
             per > 1 ? (per == 2 ? "2 " : "N ") : "", per > 1 ? "s" : "");
    return WP_OK;
}

/* How long the GPU waited for the host before each kernel (no op of any kind running), plus SYNC_WEIGHT when a host
 * synchronisation ended between the previous kernel's start and this one's: the host catching up with the GPU (a
 * progress bar's .item(), a per-step synchronize) is where a loop's iteration begins, also when every kernel waits
 * for a slow host. By start times, not launches: kernels launched through the driver API (cuBLASLt's) have no launch
 * record in a default `wanprof run` trace. Fills seq, at and gaps for the kernels among ops [lo, hi). Returns 0, or -1
 * when out of memory. */
#define SYNC_WEIGHT ((int64_t)1 << 50)
static int waits_before_kernels(const wp_run *r, uint32_t proc, size_t lo, size_t hi, uint32_t *seq, size_t *at,
                                int64_t *gaps)
{
    size_t hlo, hhi, ns = 0, j = 0;
    wp_run_host_range(r, proc, INT64_MIN, INT64_MAX, &hlo, &hhi);
    int64_t *sync_end = malloc((hhi - hlo + 1) * sizeof(*sync_end));
    if (!sync_end)
        return -1;
    for (size_t h = hlo; h < hhi; h++)
        if (r->hosts[h].cls == WP_HOST_SYNC)
            sync_end[ns++] = r->hosts[h].end;
    qsort(sync_end, ns, sizeof(*sync_end), cmp_i64);
    int64_t busy_until = INT64_MIN, prev_start = INT64_MIN;
    for (size_t i = lo, k = 0; i < hi; i++) {
        const wp_run_op *op = &r->ops[i];
        if (WP_OP_IS_KERNEL(op->key)) {
            seq[k] = op->key;
            gaps[k] = busy_until == INT64_MIN ? 0 : wp_ns_span(busy_until, op->start);
            while (j < ns && sync_end[j] <= prev_start)
                j++;
            if (prev_start != INT64_MIN && j < ns && sync_end[j] <= op->start)
                gaps[k] = wp_ns_add(gaps[k], SYNC_WEIGHT);
            prev_start = op->start;
            at[k++] = i;
        }
        busy_until = op->end > busy_until ? op->end : busy_until;
    }
    free(sync_end);
    return 0;
}

/* The first step's start from what opens every other step: when the op just before most steps' first kernel is the
 * same (the copy of a host synchronisation, say), the first step starts at its last occurrence since the setup's
 * last kernel, so that what the first step does before its first kernel (a weight upload) is in it. INT64_MIN when
 * the steps have no such common op or the first step lacks it. */
static int64_t head_marker(const wp_run *r, const size_t *at, const wp_period *per)
{
    int n = per->count, same = 0;
    uint32_t key = 0;
    for (int k = 1; k < n; k++) { /* majority vote (Boyer-Moore) on the op before each step's first kernel */
        size_t i = at[per->cuts[k]];
        uint32_t kk = i > 0 && r->ops[i - 1].proc == r->ops[i].proc ? r->ops[i - 1].key : UINT32_MAX;
        if (same == 0)
            key = kk;
        same += kk == key ? 1 : -1;
    }
    int votes = 0;
    for (int k = 1; k < n; k++) {
        size_t i = at[per->cuts[k]];
        votes += i > 0 && r->ops[i - 1].proc == r->ops[i].proc && r->ops[i - 1].key == key;
    }
    if (n < 3 || votes * 3 < (n - 1) * 2 || key == UINT32_MAX)
        return INT64_MIN;
    size_t i = at[per->cuts[0]];
    while (i-- > 0 && r->ops[i].proc == r->ops[at[per->cuts[0]]].proc) {
        if (r->ops[i].key == key)
            return r->ops[i].start;
        if (WP_OP_IS_KERNEL(r->ops[i].key))
            break; /* the setup's last kernel: no marker in the first step's lead-in */
    }
    return INT64_MIN;
}

/* ends[k]: the end of step k's last-finishing kernel; leads[k]: from the end of step k-1 to step k's first kernel. */
static void structure_windows(const wp_run *r, const size_t *at, const wp_period *per, int64_t floor, int64_t *ends,
                              int64_t *leads, wp_steps *out)
{
    int n = per->count;
    for (int k = 0; k < n; k++) {
        ends[k] = INT64_MIN;
        for (size_t i = per->cuts[k]; i < per->cuts[k + 1]; i++)
            if (r->ops[at[i]].end > ends[k])
                ends[k] = r->ops[at[i]].end;
    }
    int m = 0;
    for (int k = 1; k < n; k++) {
        leads[m++] = wp_ns_span(ends[k - 1], r->ops[at[per->cuts[k]]].start);
    }
    qsort(leads, (size_t)m, sizeof(*leads), cmp_i64);
    int64_t first = r->ops[at[per->first]].start;
    int64_t start0 = head_marker(r, at, per);
    if (start0 == INT64_MIN)
        start0 = first_step_start(r, out->proc, first, m ? leads[m / 2] : 0, floor);
    out->count = n;
    for (int k = 0; k < n; k++) {
        wp_step *s = &out->steps[k];
        s->number = k;
        s->start = k ? ends[k - 1] : start0;
        s->end = ends[k] > s->start ? ends[k] : s->start;
        s->mark_start = s->start;
        s->mark_end = s->end;
    }
}

/* The step line's evidence and confidence for steps found from the kernel sequence. */
static void describe_structure(const wp_run *r, const uint32_t *seq, const wp_period *per, wp_steps *out)
{
    const char *name = wp_run_str(r, seq[per->first]);
    snprintf(out->source_text, sizeof(out->source_text),
             "no step marks: the kernel sequence repeats every %zu kernels (a step opens with \"%.*s\"%s)%s",
             per->period, wp_utf8_cut(name, 40), name, per->phase_moved ? ", its first forward's start" : "",
             per->hinted ? ", the period that gives the expected step count"
             : per->long_first ? "; the first step, which loaded code, is longer" : "");
    const char *level = per->repeat >= 0.97 && per->covered >= 0.5   ? "high"
                        : per->repeat >= 0.85 && per->covered >= 0.25 ? "medium"
                                                                       : "low";
    int n = snprintf(out->confidence, sizeof(out->confidence), "%s: %.1f%% of the loop's kernels recur one step on, "
                     "the loop holds %.0f%% of the run's kernels", level, 100.0 * per->repeat, 100.0 * per->covered);
    if (per->other && n > 0 && (size_t)n < sizeof(out->confidence))
        snprintf(out->confidence + n, sizeof(out->confidence) - (size_t)n, "; every %zu kernels: %.1f%%",
                 per->other, 100.0 * per->other_repeat);
    size_t used = strlen(out->confidence);
    if (per->phase_moved) /* the step's two alike forwards say where it opens, no wait does */
        snprintf(out->confidence + used, sizeof(out->confidence) - used, "; the longest wait recurs inside each "
                 "forward, so steps open where the first forward does");
    out->doubtful = per->repeat < 0.85 || per->covered < 0.25;
}

/* A first step that compiled (torch.compile: the compile, then autotuning that runs the new kernels many times) is
 * far longer than the others, so the period walk leaves it out. When more kernels than four steps hold precede the
 * first step found and code was loaded in the last second before it, the first step starts at the earliest place
 * there where a step's first two kernels run back to back (the code before the compiled call, as every step opens).
 * Returns 0, or -1 when out of memory. */
static int compiling_first_step(const wp_run *r, uint32_t proc, const uint32_t *seq, const size_t *at, wp_period *per)
{
    size_t c0 = per->cuts[0];
    if (c0 < 4 * per->period + 2)
        return 0;
    int64_t first = r->ops[at[c0]].start;
    size_t lo, hi;
    int loads = 0;
    wp_run_host_range(r, proc, first - 1000000000, first, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        loads += r->hosts[i].cls == WP_HOST_MODULE || r->hosts[i].cls == WP_HOST_COMPILE;
    if (!loads)
        return 0;
    size_t j = 0;
    while (j + 1 < c0 - per->period && !(seq[j] == seq[c0] && seq[j + 1] == seq[c0 + 1]))
        j++;
    if (j + 1 >= c0 - per->period)
        return 0;
    size_t *cuts = realloc(per->cuts, ((size_t)per->count + 2) * sizeof(*cuts));
    if (!cuts)
        return -1;
    memmove(cuts + 1, cuts, ((size_t)per->count + 1) * sizeof(*cuts));
    cuts[0] = j;
    per->cuts = cuts;
    per->count++;
    per->first = j;
    per->long_first = 1;
    return 0;
}

/* Steps from the period of the kernel sequence (period.h). Step k runs from the end of step k-1's kernels to the end
 * of its own; the first starts as first_step_start says. */
static int from_structure(const wp_run *r, const wp_run_proc *p, size_t lo, size_t hi, int steps_hint, wp_steps *out)
{
    size_t nk = 0;
    for (size_t i = lo; i < hi; i++)
        nk += WP_OP_IS_KERNEL(r->ops[i].key);
    uint32_t *seq = malloc((nk + 1) * sizeof(*seq));
    size_t *at = malloc((nk + 1) * sizeof(*at));
    wp_period per;
    memset(&per, 0, sizeof(per));
    int64_t *gaps = malloc((nk + 1) * sizeof(*gaps));
    int rc = seq && at && gaps ? WP_OK : WP_ERR_NOMEM;
    if (rc == WP_OK && waits_before_kernels(r, p->info.index, lo, hi, seq, at, gaps) != 0)
        rc = WP_ERR_NOMEM;
    if (rc == WP_OK && wp_period_find(seq, gaps, nk, steps_hint, &per) != 0)
        rc = WP_ERR_NOMEM;
    if (rc == WP_OK && per.count >= 2 && compiling_first_step(r, p->info.index, seq, at, &per) != 0)
        rc = WP_ERR_NOMEM;
    if (rc == WP_OK && per.count >= 2 && !(out->steps = calloc((size_t)per.count, sizeof(wp_step))))
        rc = WP_ERR_NOMEM;
    if (rc == WP_OK && per.count >= 2) {
        int64_t *ends = malloc((size_t)per.count * sizeof(*ends)), *leads = malloc((size_t)per.count * sizeof(*leads));
        if (ends && leads)
            structure_windows(r, at, &per, p->first, ends, leads, out);
        else
            rc = WP_ERR_NOMEM;
        free(ends);
        free(leads);
        describe_structure(r, seq, &per, out);
    }
    wp_period_free(&per);
    free(seq);
    free(at);
    free(gaps);
    return rc;
}

/* The --step-source words and the source each names; the last, "structure", is the old name of "kernels": taken,
 * not offered (wp_step_source_word stops before it). */
static const struct {
    const char *word;
    wp_step_source source;
} source_words[] = {
    {"auto", WP_STEPS_AUTO},       {"runner", WP_STEPS_RUNNER},   {"pattern", WP_STEPS_PATTERN},
    {"region", WP_STEPS_REGION},   {"kernels", WP_STEPS_KERNELS}, {"structure", WP_STEPS_KERNELS},
};
#define SOURCE_WORDS_OFFERED 5

int wp_step_source_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(source_words) / sizeof(source_words[0]); i++)
        if (strcmp(name, source_words[i].word) == 0)
            return source_words[i].source;
    return -1;
}

const char *wp_step_source_word(int i) { return i >= 0 && i < SOURCE_WORDS_OFFERED ? source_words[i].word : NULL; }

static int step_of(const wp_steps *out, int64_t t)
{
    int lo = 0, hi = out->count;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (out->steps[mid].mark_start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && t < out->steps[lo - 1].mark_end ? lo - 1 : -1;
}

/* Marked steps timed by what they launched: from the mark (or the previous step's end, if later) to the later of the
 * mark's end and the end of the last GPU work launched inside the mark. Returns 0 when no op has a known launch. */
static int time_by_launch(const wp_run *r, wp_steps *out, int64_t *gpu_end)
{
    size_t lo, hi;
    wp_run_op_range(r, out->proc, INT64_MIN, INT64_MAX, &lo, &hi);
    int any = 0;
    for (int k = 0; k < out->count; k++)
        gpu_end[k] = INT64_MIN;
    for (size_t i = lo; i < hi; i++) {
        const wp_run_op *op = &r->ops[i];
        int k = op->launch == INT64_MIN ? -1 : step_of(out, op->launch);
        any |= op->launch != INT64_MIN;
        if (k >= 0 && op->end > gpu_end[k])
            gpu_end[k] = op->end;
    }
    if (!any)
        return 0;
    int64_t prev_end = INT64_MIN;
    for (int k = 0; k < out->count; k++) {
        wp_step *s = &out->steps[k];
        s->start = s->mark_start > prev_end ? s->mark_start : prev_end;
        s->end = s->mark_end > gpu_end[k] ? s->mark_end : gpu_end[k];
        if (s->end < s->start)
            s->end = s->start;
        prev_end = s->end;
    }
    return 1;
}

/* Without launch times: a step's window runs from its mark to the later of the mark's end and the last GPU work
 * before the next mark; the last step ends with its mark. */
static void extend_to_gpu(const wp_run *r, wp_steps *out)
{
    for (int i = 0; i + 1 < out->count; i++) {
        wp_step *s = &out->steps[i];
        int64_t limit = out->steps[i + 1].start;
        if (limit <= s->end)
            continue;
        wp_busy b;
        wp_timeline_query(r->timeline, out->proc, s->end, limit, &b);
        if (b.last_busy_end > s->end)
            s->end = b.last_busy_end < limit ? b.last_busy_end : limit;
    }
}

static void time_marks(const wp_run *r, wp_steps *out)
{
    int64_t *gpu_end = malloc(((size_t)out->count + 1) * sizeof(*gpu_end));
    out->by_launch = gpu_end && time_by_launch(r, out, gpu_end);
    if (!out->by_launch)
        extend_to_gpu(r, out);
    free(gpu_end);
    snprintf(out->confidence, sizeof(out->confidence), "high: marked by the program; timed %s",
             out->by_launch ? "by the GPU work each step launched" : "from the marks and the GPU work between them");
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* A profiler schedule's last range runs on to the profiler's stop (SGLang records ProfilerStep#1 to #N+1): when it
 * holds under half the kernels of the median step, it is the loop's tail, not a step, and goes to "after the loop". */
static void drop_tail(const wp_run *r, wp_steps *out)
{
    int n = out->count;
    if (n < 3)
        return;
    uint32_t *k = malloc((size_t)n * sizeof(*k));
    if (!k)
        return;
    for (int i = 0; i < n; i++)
        k[i] = wp_run_kernels_in(r, out->proc, out->steps[i].start, out->steps[i].end);
    uint32_t last = k[n - 1];
    qsort(k, (size_t)n, sizeof(*k), cmp_u32);
    uint32_t median = k[n / 2];
    free(k);
    if (2 * last >= median)
        return;
    out->count--;
    size_t len = strlen(out->source_text);
    snprintf(out->source_text + len, sizeof(out->source_text) - len, " (the last, with %u kernels, is the tail: after "
             "the loop)", last);
}

static const char *source_want_text(wp_step_source s)
{
    switch (s) {
    case WP_STEPS_RUNNER: return "no runner NVTX step ranges (domain wanprof) in this trace";
    case WP_STEPS_PATTERN: return "no range matches the step pattern in this trace";
    case WP_STEPS_REGION: return "too few \"Torch-Compiled Region\" calls in this trace for one step per call(s)";
    default: return "the kernel sequence of this trace does not repeat";
    }
}

/* Every window's length fits in int64 (see steps.h). */
static void fit_windows(wp_steps *out)
{
    for (int k = 0; k < out->count; k++) {
        wp_step *s = &out->steps[k];
        s->end = wp_ns_fit_end(s->start, s->end);
        s->mark_end = wp_ns_fit_end(s->mark_start, s->mark_end);
    }
}

int wp_steps_find(const wp_run *r, uint32_t proc, const wp_steps_opts *o, wp_steps *out)
{
    memset(out, 0, sizeof(*out));
    out->proc = proc;
    const wp_run_proc *p = wp_run_proc_find(r, proc);
    if (!p)
        return WP_OK;
    size_t lo, hi, olo, ohi;
    wp_run_host_range(r, proc, INT64_MIN, INT64_MAX, &lo, &hi);
    wp_run_op_range(r, proc, INT64_MIN, INT64_MAX, &olo, &ohi);
    int rc = WP_OK, per = o->calls_per_step > 0 ? o->calls_per_step : 1, any = o->want == WP_STEPS_AUTO;
    if ((any || o->want == WP_STEPS_RUNNER) && count_class(r, lo, hi, WP_HOST_RUNNER_STEP) >= 1) {
        out->source = WP_STEPS_RUNNER;
        rc = from_marks(r, lo, hi, WP_HOST_RUNNER_STEP, out);
    } else if ((any || o->want == WP_STEPS_PATTERN) && count_class(r, lo, hi, WP_HOST_STEP) >= 1) {
        out->source = WP_STEPS_PATTERN;
        rc = from_marks(r, lo, hi, WP_HOST_STEP, out);
    } else if ((any || o->want == WP_STEPS_REGION) && count_class(r, lo, hi, WP_HOST_REGION) >= 2 * per) {
        out->source = WP_STEPS_REGION;
        rc = from_regions(r, p, lo, hi, per, out);
    } else if (any || o->want == WP_STEPS_KERNELS) {
        rc = from_structure(r, p, olo, ohi, o->steps_hint, out);
        out->source = out->count >= 2 ? WP_STEPS_KERNELS : WP_STEPS_NONE;
    }
    if (rc != WP_OK)
        return rc;
    if (out->count == 0) {
        if (!any) {
            snprintf(out->confidence, sizeof(out->confidence), "%s", source_want_text(o->want));
            return WP_ERR_USAGE;
        }
        free(out->steps);
        out->steps = calloc(1, sizeof(wp_step));
        if (!out->steps)
            return WP_ERR_NOMEM;
        out->source = WP_STEPS_NONE;
        out->count = 1;
        out->steps[0] = (wp_step){.start = p->first, .end = p->last, .mark_start = p->first, .mark_end = p->last};
        out->doubtful = 1;
        snprintf(out->source_text, sizeof(out->source_text),
                 "no step marks and no repeating kernel sequence found: the whole run is one step");
        snprintf(out->confidence, sizeof(out->confidence), "none: nothing in the trace shows a loop");
        fit_windows(out);
        return WP_OK;
    }
    /* marks whose numbers are not distinct and increasing get 0-based indexes instead */
    int numbered = 1;
    for (int i = 0; i < out->count; i++)
        if (out->steps[i].number < 0 || (i && out->steps[i].number <= out->steps[i - 1].number))
            numbered = 0;
    for (int i = 0; !numbered && i < out->count; i++)
        out->steps[i].number = i;
    out->first_is_warmup = out->steps[0].number == 0; /* ProfilerStep#1 first: the warm-up went unrecorded */
    if (out->source != WP_STEPS_KERNELS)
        time_marks(r, out);
    if (out->source == WP_STEPS_PATTERN)
        drop_tail(r, out);
    if (out->source == WP_STEPS_REGION)
        snprintf(out->confidence, sizeof(out->confidence), "medium: one step per compiled-region call%s",
                 per > 1 ? "s as asked" : "");
    fit_windows(out);
    return WP_OK;
}

void wp_steps_free(wp_steps *s)
{
    free(s->steps);
    memset(s, 0, sizeof(*s));
}
