/* analysis.c: shared options and the read-then-analyse entry point (see analysis.h). */
#include "analysis.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

void wp_analysis_opts_init(wp_analysis_opts *o)
{
    memset(o, 0, sizeof(*o));
    wp_explain_opts_default(&o->explain);
    o->sampler = -1;
    o->shift = o->boundary = NAN;
}

/* The four schedule fields given on the command line, over the defaults; none given: the trace's metadata rules. */
static wp_explain_opts with_schedule(const wp_analysis_opts *o)
{
    wp_explain_opts e = o->explain;
    e.have_schedule = o->sampler >= 0 || o->steps > 0 || !isnan(o->shift) || !isnan(o->boundary);
    if (o->sampler >= 0)
        e.sched.sampler = (wp_sampler)o->sampler;
    if (o->steps > 0)
        e.sched.steps = o->steps;
    if (!isnan(o->shift))
        e.sched.shift = o->shift;
    if (!isnan(o->boundary))
        e.sched.boundary = o->boundary;
    return e;
}

int wp_analysis_load(const wp_analysis_opts *o, const char *const *paths, int n, wp_diag *diag, wp_analysis *a)
{
    memset(a, 0, sizeof(*a));
    if (n > WP_ANALYSIS_MAX_INPUTS)
        return wp_diag_error(diag, WP_ERR_USAGE, "%d traces given: one analysis reads at most %d", n,
                             WP_ANALYSIS_MAX_INPUTS);
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
    wp_explain_opts e = with_schedule(o);
    rc = wp_explain_run(&a->run, &e, &a->explain);
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
