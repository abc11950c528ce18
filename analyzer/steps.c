/* steps.c: step segmentation (see steps.h). */
#include "steps.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

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
        s->mark_start = s->start = h->start;
        s->mark_end = s->end = h->end;
        if (out->count == 1)
            snprintf(out->source_text, sizeof(out->source_text), "%s ranges like \"%s\"",
                     cls == WP_HOST_RUNNER_STEP ? "runner NVTX step" : "step", wp_run_str(r, h->name));
    }
    return WP_OK;
}

/* Steps end with every calls_per_step-th compiled-region call; the first starts with the process's first event. */
static int from_regions(const wp_run *r, const wp_run_proc *p, size_t lo, size_t hi, int per, wp_steps *out)
{
    int n = count_class(r, lo, hi, WP_HOST_REGION);
    out->steps = calloc((size_t)n / (size_t)per + 1, sizeof(wp_step));
    if (!out->steps)
        return WP_ERR_NOMEM;
    int64_t prev_end = p->first, outer_end = INT64_MIN;
    int calls = 0;
    for (size_t i = lo; i < hi; i++) {
        const wp_run_host *h = &r->hosts[i];
        if (h->cls != WP_HOST_REGION || h->start < outer_end)
            continue;
        outer_end = h->end;
        if (++calls % per != 0)
            continue;
        wp_step *s = &out->steps[out->count];
        s->number = out->count++;
        s->start = s->mark_start = prev_end;
        s->end = s->mark_end = h->end;
        prev_end = h->end;
    }
    snprintf(out->source_text, sizeof(out->source_text),
             "no step marks: one step per %s\"Torch-Compiled Region\" call%s (steps end with the call)",
             per > 1 ? (per == 2 ? "2 " : "N ") : "", per > 1 ? "s" : "");
    return WP_OK;
}

/* Steps end with every per-th appearance of the periodic kernel (the one that comes last in a step); the first starts
 * with the process's first event. */
static int from_kernels(const wp_run *r, const wp_run_proc *p, const wp_kernel_seen *k, int per, wp_steps *out)
{
    out->steps = calloc(k->ntimes / (uint32_t)per + 1, sizeof(wp_step));
    if (!out->steps)
        return WP_ERR_NOMEM;
    int64_t prev = p->first;
    for (uint32_t i = (uint32_t)per - 1; i < k->ntimes; i += (uint32_t)per) {
        wp_step *s = &out->steps[out->count];
        s->number = out->count++;
        s->start = s->mark_start = prev;
        s->end = s->mark_end = k->times[i] + 1;
        prev = s->end;
    }
    snprintf(out->source_text, sizeof(out->source_text), "no step marks: steps end with %s of kernel \"%.40s\"",
             per > 1 ? "every Nth appearance" : "each appearance", wp_run_str(r, (uint32_t)k->key));
    return WP_OK;
}

int wp_step_source_parse(const char *name)
{
    static const char *const n[] = {"auto", "runner", "pattern", "region", "kernels"};
    static const int v[] = {WP_STEPS_AUTO, WP_STEPS_RUNNER, WP_STEPS_PATTERN, WP_STEPS_REGION, WP_STEPS_KERNELS};
    for (int i = 0; i < 5; i++)
        if (strcmp(name, n[i]) == 0)
            return v[i];
    return -1;
}

/* A step's window runs from its mark to the later of the mark's end and the last GPU work before the next mark. */
static void extend_to_gpu(const wp_run *r, wp_steps *out, int64_t proc_last)
{
    for (int i = 0; i < out->count; i++) {
        wp_step *s = &out->steps[i];
        int64_t limit = i + 1 < out->count ? out->steps[i + 1].start : proc_last;
        if (limit <= s->end)
            continue;
        wp_busy b;
        wp_timeline_query(r->timeline, out->proc, s->end, limit, &b);
        if (b.last_busy_end > s->end)
            s->end = b.last_busy_end < limit ? b.last_busy_end : limit;
    }
}

int wp_steps_find(const wp_run *r, uint32_t proc, int calls_per_step, wp_step_source want, wp_steps *out)
{
    memset(out, 0, sizeof(*out));
    out->proc = proc;
    const wp_run_proc *p = NULL;
    for (uint32_t i = 0; i < r->nprocs; i++)
        if (r->procs[i].info.index == proc)
            p = &r->procs[i];
    if (!p)
        return WP_OK;
    size_t lo, hi;
    wp_run_host_range(r, proc, INT64_MIN, INT64_MAX, &lo, &hi);
    int rc, per = calls_per_step > 0 ? calls_per_step : 1, any = want == WP_STEPS_AUTO;
    const wp_kernel_seen *k = NULL;
    if ((any || want == WP_STEPS_RUNNER) && count_class(r, lo, hi, WP_HOST_RUNNER_STEP) >= 2) {
        out->source = WP_STEPS_RUNNER;
        rc = from_marks(r, lo, hi, WP_HOST_RUNNER_STEP, out);
    } else if ((any || want == WP_STEPS_PATTERN) && count_class(r, lo, hi, WP_HOST_STEP) >= 2) {
        out->source = WP_STEPS_PATTERN;
        rc = from_marks(r, lo, hi, WP_HOST_STEP, out);
    } else if ((any || want == WP_STEPS_REGION) && count_class(r, lo, hi, WP_HOST_REGION) >= 2 * per) {
        out->source = WP_STEPS_REGION;
        rc = from_regions(r, p, lo, hi, per, out);
    } else if ((any || want == WP_STEPS_KERNELS) && (k = wp_run_periodic_kernel(r, proc)) != NULL &&
               k->ntimes >= 2 * (uint32_t)per) {
        out->source = WP_STEPS_KERNELS;
        rc = from_kernels(r, p, k, per, out);
    } else {
        out->source = WP_STEPS_NONE;
        out->steps = calloc(1, sizeof(wp_step));
        if (!out->steps)
            return WP_ERR_NOMEM;
        out->count = 1;
        out->steps[0] = (wp_step){0, p->first, p->last, p->first, p->last};
        snprintf(out->source_text, sizeof(out->source_text),
                 "no step marks and no periodic work found: the whole run is one step");
        return WP_OK;
    }
    if (rc != WP_OK)
        return rc;
    /* marks whose numbers are not distinct and increasing get 0-based indexes instead */
    int numbered = 1;
    for (int i = 0; i < out->count; i++)
        if (out->steps[i].number < 0 || (i && out->steps[i].number <= out->steps[i - 1].number))
            numbered = 0;
    for (int i = 0; !numbered && i < out->count; i++)
        out->steps[i].number = i;
    extend_to_gpu(r, out, p->last);
    return WP_OK;
}

void wp_steps_free(wp_steps *s)
{
    free(s->steps);
    memset(s, 0, sizeof(*s));
}
