/* cmd_diff.c: `wanprof diff A B`: two runs side by side, step-aligned (analyzer/summary.h); text or JSON
 * (schemas/diff.schema.json). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../analyzer/fmt.h"
#include "../analyzer/summary.h"
#include "cli.h"
#include "json_copies.h"
#include "json_out.h"
#include "safe_text.h"

const char cmd_diff_help[] =
    "NAME\n"
    "    wanprof diff - compare two runs step by step\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Analyses both traces as `wanprof explain` does and prints them side by side: trace sizes, steps, total\n"
    "    step time, the warm-up step, the mean of the normal steps (neither warm-up nor spike) and the per-step\n"
    "    overhead B - A, the expert switch step, the spikes with their main cause and what they cost, copy time\n"
    "    and exposed copy time per normal step, copies by direction and host memory kind over the run; then one\n"
    "    row per step (aligned by position in the loop) with both times, the difference and each run's spike\n"
    "    cause. Each of A and B is one trace file (for several ranks, the rank with the most steps is compared).\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof diff examples/runner_offload/layerwise.sqlite examples/runner_offload/layerwise_sync.sqlite\n"
    "        layerwise offload with prefetch (A) and with a synchronisation after every block (B): the same copies,\n"
    "        nearly twice the exposed copy time per step in B\n"
    "    wanprof diff old_offload.json.gz new_offload.json.gz\n"
    "    wanprof diff --json a.sqlite b.sqlite | jq .summary\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when a trace cannot be read; 2 on a usage error (not exactly two traces).\n";

static const char *CMD = "diff";

static const char *note(const wp_rank_result *rr, int i)
{
    for (int k = 0; rr && k < rr->nspikes; k++)
        if (rr->spikes[k].index == i)
            return rr->spikes[k].ncauses ? rr->spikes[k].causes[0].id : (rr->spikes[k].warmup ? "warm-up" : "spike");
    return i == 0 ? "warm-up" : "";
}

static void row_s(const char *label, double a, double b)
{
    char x[32], y[32], d[32];
    printf("%-28s %18s %18s %18s\n", label, wp_fmt_seconds(a, x, sizeof(x)), wp_fmt_seconds(b, y, sizeof(y)),
           wp_fmt_seconds(b - a, d, sizeof(d)));
}

static void switch_text(const wp_summary *s, char *buf, size_t len)
{
    char o[16];
    if (s->switch_index < 0)
        snprintf(buf, len, "none seen");
    else
        snprintf(buf, len, "%d (the %s)", s->switch_index, wp_ordinal(s->switch_index + 1, o, sizeof(o)));
}

static const char *signed_bytes(double b, char *buf, size_t len)
{
    char t[32];
    wp_fmt_bytes(b < 0 ? -b : b, t, sizeof(t));
    snprintf(buf, len, "%s%s", b < 0 ? "-" : "+", t);
    return buf;
}

static void text(const wp_summary *s, char **paths)
{
    char x[48], y[48], d[48];
    printf("%-28s %18s %18s %18s\n", "", "A", "B", "B - A");
    for (int i = 0; i < 2; i++) {
        fputs(i ? "B: " : "A: ", stdout);
        wp_text_put(stdout, paths[i]);
        putchar('\n');
    }
    printf("%-28s %18s %18s %18s\n", "trace size", wp_fmt_bytes((double)s[0].trace_bytes, x, sizeof(x)),
           wp_fmt_bytes((double)s[1].trace_bytes, y, sizeof(y)),
           signed_bytes((double)(s[1].trace_bytes - s[0].trace_bytes), d, sizeof(d)));
    snprintf(x, sizeof(x), "%d (%s)", s[0].steps, s[0].rr ? wp_step_source_name(s[0].rr->steps.source) : "-");
    snprintf(y, sizeof(y), "%d (%s)", s[1].steps, s[1].rr ? wp_step_source_name(s[1].rr->steps.source) : "-");
    printf("%-28s %18s %18s\n", "steps (source)", x, y);
    row_s("total step time", s[0].total_s, s[1].total_s);
    row_s("warm-up step", s[0].warmup_s, s[1].warmup_s);
    row_s("mean of normal steps", s[0].normal_mean_s, s[1].normal_mean_s);
    row_s("median step", s[0].median_s, s[1].median_s);
    switch_text(&s[0], x, sizeof(x));
    switch_text(&s[1], y, sizeof(y));
    printf("%-28s %18s %18s\n", "expert switch step", x, y);
    snprintf(x, sizeof(x), "%d", s[0].spikes);
    snprintf(y, sizeof(y), "%d", s[1].spikes);
    printf("%-28s %18s %18s\n", "spikes (not warm-up)", x, y);
    row_s("spike cost (excess)", s[0].spike_cost_s, s[1].spike_cost_s);
    row_s("copy time per normal step", s[0].copy_per_step_s, s[1].copy_per_step_s);
    row_s("exposed copy per normal step", s[0].exposed_copy_per_step_s, s[1].exposed_copy_per_step_s);
    for (int dd = 0; dd < WP_DIR_COUNT; dd++)
        for (int m = 0; m < WP_HMEM_COUNT; m++) {
            const wp_copy_stat *a = &s[0].copy[dd][m], *b = &s[1].copy[dd][m];
            if (!a->count && !b->count)
                continue;
            char label[48], ab[24], bb[24];
            snprintf(label, sizeof(label), "copies %s %s", wp_dir_name(dd), wp_hmem_name(m));
            snprintf(x, sizeof(x), "%u, %s", a->count, wp_fmt_bytes((double)a->bytes, ab, sizeof(ab)));
            snprintf(y, sizeof(y), "%u, %s", b->count, wp_fmt_bytes((double)b->bytes, bb, sizeof(bb)));
            printf("%-28s %18s %18s\n", label, x, y);
        }
    printf("\nper step (aligned by position in the loop):\n%6s %12s %12s %12s  %-14s %-14s\n", "step", "A", "B",
           "B - A", "A", "B");
    int n = s[0].steps > s[1].steps ? s[0].steps : s[1].steps;
    for (int i = 0; i < n; i++) {
        double a = i < s[0].steps ? (double)s[0].rr->stats[i].wall_ns * 1e-9 : 0;
        double b = i < s[1].steps ? (double)s[1].rr->stats[i].wall_ns * 1e-9 : 0;
        printf("%6d %12s %12s %12s  %-14s %-14s\n", i, i < s[0].steps ? wp_fmt_seconds(a, x, sizeof(x)) : "-",
               i < s[1].steps ? wp_fmt_seconds(b, y, sizeof(y)) : "-",
               i < s[0].steps && i < s[1].steps ? wp_fmt_seconds(b - a, d, sizeof(d)) : "-",
               i < s[0].steps ? note(s[0].rr, i) : "", i < s[1].steps ? note(s[1].rr, i) : "");
    }
}

static void json_run(json_out *j, const wp_summary *s, const char *path)
{
    json_begin_object(j);
    json_key_string(j, "trace", path);
    json_key_int(j, "trace_bytes", s->trace_bytes);
    json_key_int(j, "steps", s->steps);
    json_key_string(j, "step_source", s->rr ? wp_step_source_name(s->rr->steps.source) : "none");
    json_key_double(j, "total_s", s->total_s);
    json_key_double(j, "warmup_s", s->warmup_s);
    json_key_double(j, "normal_mean_s", s->normal_mean_s);
    json_key_int(j, "normal_steps", s->normal_steps);
    json_key_double(j, "median_s", s->median_s);
    json_key(j, "switch_step");
    if (s->switch_index >= 0)
        json_int(j, s->switch_index);
    else
        json_null(j);
    json_key_int(j, "spikes", s->spikes);
    json_key_double(j, "spike_cost_s", s->spike_cost_s);
    json_key_double(j, "copy_per_step_s", s->copy_per_step_s);
    json_key_double(j, "exposed_copy_per_step_s", s->exposed_copy_per_step_s);
    json_key(j, "copies");
    json_copy_table(j, s->copy);
    json_end_object(j);
}

static void json(const wp_summary *s, char **paths)
{
    json_out j;
    json_document_begin(&j, stdout, "wanprof.diff/1");
    json_key(&j, "a");
    json_run(&j, &s[0], paths[0]);
    json_key(&j, "b");
    json_run(&j, &s[1], paths[1]);
    json_key(&j, "summary");
    json_begin_object(&j);
    json_key_double(&j, "per_step_overhead_s", s[1].normal_mean_s - s[0].normal_mean_s);
    json_key_double(&j, "total_delta_s", s[1].total_s - s[0].total_s);
    json_key_double(&j, "spike_cost_delta_s", s[1].spike_cost_s - s[0].spike_cost_s);
    json_end_object(&j);
    json_key(&j, "steps");
    json_begin_array(&j);
    int n = s[0].steps > s[1].steps ? s[0].steps : s[1].steps;
    for (int i = 0; i < n; i++) {
        json_begin_object(&j);
        json_key_int(&j, "index", i);
        for (int r = 0; r < 2; r++) {
            json_key(&j, r ? "b_s" : "a_s");
            if (i < s[r].steps)
                json_double(&j, (double)s[r].rr->stats[i].wall_ns * 1e-9);
            else
                json_null(&j);
            json_key_string(&j, r ? "b_note" : "a_note", i < s[r].steps ? note(s[r].rr, i) : "");
        }
        json_end_object(&j);
    }
    json_end_array(&j);
    json_end_object(&j);
    fputc('\n', stdout);
}

typedef struct diff_args {
    wp_analysis_opts analysis;
    int json;
} diff_args;

const wp_option cmd_diff_options[] = {
    {.kind = WP_OPT_FLAG, .name = "json", .offset = offsetof(diff_args, json),
     .help = "machine-readable output (schemas/diff.schema.json)"},
    {.kind = WP_OPT_GROUP, .name = "", .offset = offsetof(diff_args, analysis), .group = wp_analysis_options},
    {0},
};

int cmd_diff(int argc, char **argv)
{
    diff_args args = {0};
    wp_analysis_opts_init(&args.analysis);
    int npaths;
    int parsed = wp_options_parse(CMD, cmd_diff_options, &args, 0, argc, argv, &npaths);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    if (npaths != 2)
        return cli_usage_error(CMD, "exactly two traces, A and B, please (got %d)", npaths);
    char **paths = argv + 1;
    const wp_analysis_opts ao = args.analysis;
    int as_json = args.json;
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    wp_analysis a[2];
    wp_summary s[2];
    memset(a, 0, sizeof(a));
    int rc = EXIT_OK;
    for (int r = 0; r < 2 && rc == EXIT_OK; r++) {
        int load_rc = wp_analysis_load(&ao, (const char *const *)&paths[r], 1, &diag, &a[r]);
        if (load_rc != WP_OK)
            rc = cli_fail_rc(CMD, &diag, load_rc);
        else
            wp_summary_compute(&a[r], &s[r]);
    }
    if (rc == EXIT_OK && (!s[0].rr || !s[1].rr)) {
        fputs("wanprof diff: ", stderr);
        wp_text_put(stderr, paths[s[0].rr ? 1 : 0]);
        fputs(": no processes with events\n", stderr);
        rc = EXIT_BAD_INPUT;
    }
    if (rc == EXIT_OK) {
        if (as_json)
            json(s, paths);
        else
            text(s, paths);
    }
    wp_analysis_free(&a[0]);
    wp_analysis_free(&a[1]);
    return rc;
}
