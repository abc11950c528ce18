/* cmd_hist.c: `wanprof hist TRACE`: memcpy histograms (analyzer/hist.h) as terminal bars, CSV, JSON
 * (schemas/hist.schema.json) or an SVG plot. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../analyzer/fmt.h"
#include "../analyzer/hist.h"
#include "../analyzer/svg.h"
#include "cli.h"
#include "output_file.h"
#include "json_out.h"
#include "safe_text.h"

const char cmd_hist_help[] =
    "NAME\n"
    "    wanprof hist - memcpy histograms: duration, size and bandwidth by direction and memory kind\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Histograms of every memcpy's duration, size and achieved bandwidth (bytes / device time) in log2\n"
    "    buckets (each bucket [x, 2x), labelled by its lower bound), split by direction (HtoD, DtoH, DtoD, PtoP)\n"
    "    and host memory kind (pageable, pinned; device for DtoD/PtoP), with counts of copies longer than 10 us,\n"
    "    100 us and 1 ms. For the whole run, a step or step range, or each step (steps as `wanprof explain` finds\n"
    "    them, numbered as it numbers them). With several traces (ranks), the rank with the most steps is shown.\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof hist run.json.gz\n"
    "    wanprof hist --step-range 9 --svg switch.svg run.json.gz\n"
    "        the copies of step 9 (the 10th step) only, and a plot of them\n"
    "    wanprof hist --step-range 2-8 examples/runner_offload/model_pageable_shift3.sqlite\n"
    "    wanprof hist --per-step --csv run.sqlite > copies.csv\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when a trace cannot be read or the step range is not in it; 2 on a usage error.\n";

static const char *CMD = "hist";
static const char *const units[] = {"ns", "bytes", "bytes/s"};

static void text_group(const wp_hist_group *g, const char *name, const wp_hist *h)
{
    char b[32], t[32];
    printf("\n%s: %llu copies, %s, %s of device time; longer than 10 us: %llu, 100 us: %llu, 1 ms: %llu\n", name,
           (unsigned long long)g->count, wp_fmt_bytes((double)g->bytes, b, sizeof(b)),
           wp_fmt_seconds((double)g->ns * 1e-9, t, sizeof(t)), (unsigned long long)g->over_10us,
           (unsigned long long)g->over_100us, (unsigned long long)g->over_1ms);
    for (int m = 0; m < WP_HIST_METRICS; m++) {
        int lo, hi;
        if (!wp_hist_span(h, (wp_hist_metric)m, &lo, &hi))
            continue;
        uint64_t max = 1;
        for (int k = lo; k <= hi; k++)
            if (g->buckets[m][k] > max)
                max = g->buckets[m][k];
        printf("  %-10s %-12s %8s\n", wp_hist_metric_name((wp_hist_metric)m), "from", "count");
        for (int k = lo; k <= hi; k++) {
            char l[24];
            wp_hist_bucket_label((wp_hist_metric)m, k, l, sizeof(l));
            int bar = (int)((g->buckets[m][k] * 40 + max - 1) / max);
            printf("  %-10s %-12s %8llu %.*s\n", "", l, (unsigned long long)g->buckets[m][k], bar,
                   "########################################");
        }
    }
}

static void json_group(json_out *j, const wp_hist_group *g, const char *name, const wp_hist *h)
{
    json_begin_object(j);
    json_key_string(j, "group", name);
    json_key_int(j, "count", (long long)g->count);
    json_key_int(j, "bytes", (long long)g->bytes);
    json_key_double(j, "seconds", (double)g->ns * 1e-9);
    json_key_int(j, "over_10us", (long long)g->over_10us);
    json_key_int(j, "over_100us", (long long)g->over_100us);
    json_key_int(j, "over_1ms", (long long)g->over_1ms);
    for (int m = 0; h && m < WP_HIST_METRICS; m++) {
        json_key(j, wp_hist_metric_name((wp_hist_metric)m));
        json_begin_array(j);
        for (int k = 0; k < WP_HIST_BUCKETS; k++) {
            if (!g->buckets[m][k])
                continue;
            json_begin_object(j);
            json_key_double(j, "lo", wp_hist_bucket_lo(k));
            json_key_double(j, "hi", wp_hist_bucket_lo(k + 1));
            json_key_string(j, "unit", units[m]);
            json_key_int(j, "count", (long long)g->buckets[m][k]);
            json_end_object(j);
        }
        json_end_array(j);
    }
    json_end_object(j);
}

static void csv_hist(const wp_hist *h, const char *scope)
{
    for (int g = 0; g < WP_HIST_GROUPS; g++) {
        if (!h->groups[g].count)
            continue;
        char name[32];
        wp_hist_group_name(g, name, sizeof(name));
        for (int m = 0; m < WP_HIST_METRICS; m++)
            for (int k = 0; k < WP_HIST_BUCKETS; k++)
                if (h->groups[g].buckets[m][k])
                    printf("%s,%s,%s,%.0f,%s,%llu\n", scope, name, wp_hist_metric_name((wp_hist_metric)m),
                           wp_hist_bucket_lo(k), units[m], (unsigned long long)h->groups[g].buckets[m][k]);
    }
}

typedef struct hist_opts {
    wp_analysis_opts analysis;
    wp_opt_range steps; /* --step-range */
    int per_step, csv, json, force;
    const char *svg;
} hist_opts;

/* --step-range comes first: in this release it keeps its old name --steps, which shadows the analysis group's
 * --steps (the schedule's step count) until the next. */
const wp_option cmd_hist_options[] = {
    {.kind = WP_OPT_RANGE, .name = "step-range", .offset = offsetof(hist_opts, steps), .arg = "N|A-B",
     .alias = "steps", .alias_is_old = 1, .help = "only copies starting in step N, or in steps A to B inclusive"},
    {.kind = WP_OPT_FLAG, .name = "per-step", .offset = offsetof(hist_opts, per_step),
     .help = "one row per step and group: counts over thresholds, bytes, time"},
    {.kind = WP_OPT_FLAG, .name = "csv", .offset = offsetof(hist_opts, csv),
     .help = "CSV rows: scope,group,metric,bucket_lo,unit,count (and per-step rows with --per-step)"},
    {.kind = WP_OPT_FLAG, .name = "json", .offset = offsetof(hist_opts, json),
     .help = "machine-readable output (schemas/hist.schema.json)"},
    {.kind = WP_OPT_STRING, .name = "svg", .offset = offsetof(hist_opts, svg), .arg = "FILE.svg",
     .help = "also write the three histograms as an SVG plot to FILE.svg (not with --per-step)"},
    {.kind = WP_OPT_FLAG, .name = "force", .offset = offsetof(hist_opts, force),
     .help = "replace an existing --svg file (otherwise hist refuses and exits 1)"},
    {.kind = WP_OPT_GROUP, .name = "", .offset = offsetof(hist_opts, analysis), .group = wp_analysis_options},
    {0},
};

/* The index range [*i0, *i1] of rr's steps numbered r->lo to r->hi; -1 when none is. */
static int step_range(const wp_rank_result *rr, const wp_opt_range *r, int *i0, int *i1)
{
    *i0 = *i1 = -1;
    for (int i = 0; i < rr->steps.count; i++) {
        if (rr->steps.steps[i].number >= r->lo && *i0 < 0)
            *i0 = i;
        if (rr->steps.steps[i].number <= r->hi)
            *i1 = i;
    }
    return *i0 >= 0 && *i1 >= *i0 ? 0 : -1;
}

static int output(const wp_analysis *a, const wp_rank_result *rr, const hist_opts *o, int i0, int i1,
                  const char *input)
{
    wp_hist h;
    wp_hist_clear(&h);
    int whole = !o->steps.given;
    for (int i = i0; i <= i1; i++)
        wp_hist_add_range(&h, &a->run, rr->proc, whole && i == i0 ? INT64_MIN : rr->steps.steps[i].start,
                          whole && i == i1 ? INT64_MAX : rr->steps.steps[i].end);
    char scope[64];
    if (whole)
        snprintf(scope, sizeof(scope), "whole run");
    else
        snprintf(scope, sizeof(scope), "steps %lld-%lld", (long long)rr->steps.steps[i0].number,
                 (long long)rr->steps.steps[i1].number);
    if (o->svg) {
        wp_diag diag;
        cli_diag_init(&diag, CMD);
        wp_output out;
        if (wp_output_open(&out, o->svg, o->force, &diag) != WP_OK)
            return cli_fail(CMD, &diag);
        wp_svg_hist_write(&h, scope, 1, out.file);
        if (wp_output_close(&out, &diag) != WP_OK)
            return cli_fail(CMD, &diag);
    }
    if (o->json) {
        json_out j;
        json_document_begin(&j, stdout, "wanprof.hist/1");
        json_key_string(&j, "input", input);
        json_key_string(&j, "scope", scope);
        json_key_int(&j, "rank", rr->rank);
        json_key(&j, "all");
        json_group(&j, &h.all, "all", NULL);
        json_key(&j, "groups");
        json_begin_array(&j);
        for (int g = 0; g < WP_HIST_GROUPS; g++) {
            char name[32];
            wp_hist_group_name(g, name, sizeof(name));
            if (h.groups[g].count)
                json_group(&j, &h.groups[g], name, &h);
        }
        json_end_array(&j);
        json_end_object(&j);
        fputc('\n', stdout);
    } else if (o->csv) {
        printf("scope,group,metric,bucket_lo,unit,count\n");
        csv_hist(&h, scope);
    } else {
        char rank[32] = "";
        if (rr->rank >= 0)
            snprintf(rank, sizeof(rank), "rank %d, ", rr->rank);
        fputs("memcpy histograms: ", stdout);
        wp_text_put(stdout, input);
        printf(", %s (%ssteps from %s)\n", scope, rank, wp_step_source_name(rr->steps.source));
        if (!h.all.count)
            printf("no copies\n");
        for (int g = 0; g < WP_HIST_GROUPS; g++) {
            char name[32];
            wp_hist_group_name(g, name, sizeof(name));
            if (h.groups[g].count)
                text_group(&h.groups[g], name, &h);
        }
    }
    return EXIT_OK;
}

static void per_step(const wp_analysis *a, const wp_rank_result *rr, const hist_opts *o)
{
    json_out j;
    if (o->json) {
        json_document_begin(&j, stdout, "wanprof.hist/1");
        json_key_int(&j, "rank", rr->rank);
        json_key(&j, "steps");
        json_begin_array(&j);
    } else if (o->csv) {
        printf("step,group,count,bytes,seconds,over_10us,over_100us,over_1ms\n");
    } else {
        printf("%6s  %-16s %7s %12s %12s %8s %8s %8s\n", "step", "group", "copies", "bytes", "time (s)", ">10us",
               ">100us", ">1ms");
    }
    for (int i = 0; i < rr->steps.count; i++) {
        wp_hist h;
        wp_hist_clear(&h);
        wp_hist_add_range(&h, &a->run, rr->proc, rr->steps.steps[i].start, rr->steps.steps[i].end);
        long long num = rr->steps.steps[i].number;
        if (o->json) {
            json_begin_object(&j);
            json_key_int(&j, "step", num);
            json_key(&j, "groups");
            json_begin_array(&j);
        }
        for (int g = 0; g < WP_HIST_GROUPS; g++) {
            const wp_hist_group *hg = &h.groups[g];
            char name[32];
            wp_hist_group_name(g, name, sizeof(name));
            if (!hg->count)
                continue;
            if (o->json)
                json_group(&j, hg, name, NULL);
            else
                printf(o->csv ? "%lld,%s,%llu,%llu,%.9f,%llu,%llu,%llu\n"
                              : "%6lld  %-16s %7llu %12llu %12.6f %8llu %8llu %8llu\n",
                       num, name, (unsigned long long)hg->count, (unsigned long long)hg->bytes, (double)hg->ns * 1e-9,
                       (unsigned long long)hg->over_10us, (unsigned long long)hg->over_100us,
                       (unsigned long long)hg->over_1ms);
        }
        if (o->json) {
            json_end_array(&j);
            json_end_object(&j);
        }
    }
    if (o->json) {
        json_end_array(&j);
        json_end_object(&j);
        fputc('\n', stdout);
    }
}

int cmd_hist(int argc, char **argv)
{
    hist_opts o = {0};
    wp_analysis_opts_init(&o.analysis);
    int npaths;
    int parsed = wp_options_parse(CMD, cmd_hist_options, &o, 0, argc, argv, &npaths);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    char **paths = argv + 1;
    const wp_analysis_opts ao = o.analysis;
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    if (npaths == 0)
        return cli_usage_error(CMD, "no TRACE given");
    if (o.csv && o.json)
        return cli_usage_error(CMD, "--csv and --json exclude each other");
    if (o.per_step && o.svg)
        return cli_usage_error(CMD, "--svg draws one range: use it with --step-range or the whole run, not --per-step");
    if (o.svg && (wp_output_check_inputs(o.svg, (const char *const *)paths, npaths, &diag) != WP_OK ||
                  wp_output_check(o.svg, o.force, &diag) != WP_OK)) /* before the analysis, not after it */
        return cli_fail(CMD, &diag);
    if (o.per_step && o.steps.given)
        return cli_usage_error(CMD, "--per-step and --step-range exclude each other");
    wp_analysis a;
    int load_rc = wp_analysis_load(&ao, (const char *const *)paths, npaths, &diag, &a);
    if (load_rc != WP_OK) {
        wp_analysis_free(&a);
        return cli_fail_rc(CMD, &diag, load_rc);
    }
    const wp_rank_result *rr = wp_explain_main_rank(&a.explain);
    int rc = EXIT_OK;
    if (!rr) {
        fputs("wanprof hist: ", stderr);
        wp_text_put(stderr, paths[0]);
        fputs(": no processes with events\n", stderr);
        rc = EXIT_BAD_INPUT;
    } else if (o.per_step) {
        per_step(&a, rr, &o);
    } else {
        int i0 = 0, i1 = rr->steps.count - 1;
        if (o.steps.given && step_range(rr, &o.steps, &i0, &i1) < 0) {
            char want[64];
            int n = snprintf(want, sizeof(want), "%lld", o.steps.lo);
            if (o.steps.hi != o.steps.lo)
                snprintf(want + n, sizeof(want) - (size_t)n, "-%lld", o.steps.hi);
            fputs("wanprof hist: ", stderr);
            wp_text_put(stderr, paths[0]);
            fprintf(stderr, ": no step %s (the trace has steps %lld to %lld)\n", want,
                    (long long)rr->steps.steps[0].number, (long long)rr->steps.steps[rr->steps.count - 1].number);
            rc = EXIT_BAD_INPUT;
        } else
            rc = output(&a, rr, &o, i0, i1, npaths == 1 ? paths[0] : "traces");
    }
    wp_analysis_free(&a);
    return rc;
}
