/* analysis.c: shared options and the read-then-analyse entry point (see analysis.h). */
#include "analysis.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void wp_analysis_opts_init(wp_analysis_opts *o)
{
    memset(o, 0, sizeof(*o));
    wp_explain_opts_default(&o->explain);
}

static int number(const char *opt, const char *s, double lo, double hi, double *out, wp_diag *diag)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return wp_diag_error(diag, WP_ERR_USAGE, "%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
    *out = v;
    return WP_OK;
}

int wp_analysis_parse_arg(wp_analysis_opts *o, int argc, char **argv, int i, wp_diag *diag)
{
    static const char *const opts[] = {"--threshold", "--min-excess", "--step-pattern", "--steps-per-call",
                                       "--calls-per-step", "--sampler", "--shift", "--steps", "--boundary",
                                       "--step-source", NULL};
    const char *a = argv[i];
    int k = 0;
    while (opts[k] && strcmp(opts[k], a) != 0)
        k++;
    if (!opts[k])
        return 0;
    if (i + 1 >= argc)
        return wp_diag_error(diag, WP_ERR_USAGE, "%s needs a value", a);
    const char *v = argv[i + 1];
    double d = 0;
    wp_explain_opts *e = &o->explain;
    int rc = WP_OK;
    switch (k) {
    case 0: rc = number(a, v, 0, 1e6, &e->threshold_mad, diag); break;
    case 1: rc = number(a, v, 0, 1e6, &e->min_excess, diag); break;
    case 2: o->step_pattern = v; break;
    case 3:
    case 4:
        rc = number(a, v, 1, 1000, &d, diag);
        e->calls_per_step = (int)d;
        break;
    case 5:
        if (wp_sampler_parse(v, &e->sched.sampler) != 0)
            rc = wp_diag_error(diag, WP_ERR_USAGE, "unknown sampler '%s' (wan, sglang, diffusers-unipc, "
                                                   "diffusers-euler)", v);
        e->have_schedule = 1;
        break;
    case 6: rc = number(a, v, 1e-6, WP_SCHEDULE_MAX_SHIFT, &e->sched.shift, diag); e->have_schedule = 1; break;
    case 7:
        rc = number(a, v, 1, WP_SCHEDULE_MAX_STEPS, &d, diag);
        e->sched.steps = (int)d;
        e->have_schedule = 1;
        break;
    case 8: rc = number(a, v, 0, 1, &e->sched.boundary, diag); e->have_schedule = 1; break;
    default:
        e->step_source = wp_step_source_parse(v);
        if (e->step_source < 0)
            rc = wp_diag_error(diag, WP_ERR_USAGE, "--step-source wants auto, runner, pattern, region or kernels, "
                                                   "not '%s'", v);
        break;
    }
    return rc == WP_OK ? 2 : rc;
}

int wp_analysis_load(const wp_analysis_opts *o, const char *const *paths, int n, wp_diag *diag, wp_analysis *a)
{
    memset(a, 0, sizeof(*a));
    if (n > WP_ANALYSIS_MAX_INPUTS)
        return wp_diag_error(diag, WP_ERR_USAGE, "too many inputs (at most %d)", WP_ANALYSIS_MAX_INPUTS);
    a->ninputs = n;
    struct stat st[WP_ANALYSIS_MAX_INPUTS];
    for (int i = 0; i < n; i++) {
        int ok = stat(paths[i], &st[i]) == 0;
        a->input_bytes[i] = ok ? (long long)st[i].st_size : -1;
        for (int j = 0; ok && j < i; j++) /* one run read twice would be two ranks with the same steps */
            if (a->input_bytes[j] >= 0 && st[j].st_dev == st[i].st_dev && st[j].st_ino == st[i].st_ino)
                return wp_diag_error(diag, WP_ERR_USAGE, "%s and %s are the same file: give each trace once",
                                     paths[j], paths[i]);
    }
    a->strings = wp_strtab_new();
    if (!a->strings)
        return wp_diag_error(diag, WP_ERR_NOMEM, "out of memory");
    int rc = wp_run_init(&a->run, o->step_pattern, diag);
    if (rc != WP_OK) {
        a->run.timeline = NULL;
        return rc;
    }
    rc = wp_run_load(&a->run, paths, n, a->strings, diag, a->stats);
    if (rc != WP_OK)
        return rc;
    rc = wp_explain_run(&a->run, &o->explain, &a->explain);
    if (rc == WP_ERR_USAGE) /* the step source asked for is not in the trace: the rank that failed says why */
        return wp_diag_error(diag, rc, "--step-source %s: %s", wp_step_source_name(o->explain.step_source),
                             a->explain.ranks[a->explain.nranks - 1].steps.confidence);
    return rc == WP_OK ? rc : wp_diag_error(diag, rc, "out of memory while analysing");
}

void wp_analysis_free(wp_analysis *a)
{
    wp_explain_free(&a->explain);
    if (a->run.timeline)
        wp_run_free(&a->run);
    wp_strtab_free(a->strings);
    memset(a, 0, sizeof(*a));
}
