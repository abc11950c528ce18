/* cmd_report.c: `wanprof report TRACE -o report.html`: the self-contained HTML page of analyzer/report.h. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/report.h"
#include "cli.h"
#include "json_out.h"
#include "output_file.h"
#include "safe_text.h"
#include "whatif_predict.h"

const char cmd_report_help[] =
    "NAME\n"
    "    wanprof report - write a self-contained HTML report of a trace\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Analyses the trace(s) as `wanprof explain` does and writes one HTML page that needs no network and no\n"
    "    server: a summary table, the step-time chart (spikes coloured by their main cause, the median dashed),\n"
    "    the spikes with their ranked causes, evidence and suggestions, the schedule check, the per-step\n"
    "    copy/compute overlap (kernel time, copy time hidden under compute, exposed copy time), the memcpy\n"
    "    histograms of the whole run, what every weight-offload mode would cost (as `wanprof whatif` predicts it,\n"
    "    when the machine's figures are known: the trace's metadata, the cached calibration or --machine), and the\n"
    "    explanation text. Charts are inline SVG; there are no scripts.\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof report run.json.gz -o report.html\n"
    "    wanprof report --sampler sglang --shift 12 --steps 27 -o step10.html \\\n"
    "        examples/runner_offload/model_pageable_shift3.sqlite\n"
    "    wanprof report --shift 12 rank*.sqlite -o report.html\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when a trace cannot be read, or FILE exists (without --force) or cannot be written;\n"
    "    2 on a usage error.\n";

static const char *CMD = "report";

typedef struct report_args {
    wp_analysis_opts analysis;
    const char *output, *machine;
    int force, json;
} report_args;

const wp_option cmd_report_options[] = {
    {.kind = WP_OPT_STRING, .name = "output", .short_name = 'o', .offset = offsetof(report_args, output),
     .arg = "FILE.html",
     .help = "where to write the page (required); written under a temporary name and renamed into place when "
             "complete"},
    {.kind = WP_OPT_FLAG, .name = "force", .offset = offsetof(report_args, force),
     .help = "replace FILE.html if it exists (otherwise report refuses and exits 1)"},
    {.kind = WP_OPT_FLAG, .name = "json", .offset = offsetof(report_args, json),
     .help = "print {\"schema\":\"wanprof.report/1\",\"output\":FILE,\"bytes\":N} when done"},
    {.kind = WP_OPT_STRING, .name = "machine", .offset = offsetof(report_args, machine), .arg = "FILE",
     .help = "the what-if section's machine figures: a `wanprof calibrate` file or a description "
             "(schemas/machine_spec.schema.json); default: the trace's metadata, else this machine's cached calibration"},
    {.kind = WP_OPT_GROUP, .name = "", .offset = offsetof(report_args, analysis), .group = wp_analysis_options},
    {0},
};

/* The page, with `wanprof whatif`'s prediction when it can be made: a report is never refused for want of one (no
 * machine figures, fewer than three steps), its section says why instead. A machine given by --machine is another
 * machine, so its figures alone are used, as `wanprof whatif --machine` does. */
static void write_page(const wp_analysis *a, const char *label, const char *machine, FILE *out)
{
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    wp_report_whatif wi = {0};
    wp_loop_overrides ov = {.switch_step = -1};
    cli_whatif *p = calloc(1, sizeof(*p));
    if (!p)
        wi.why = "out of memory";
    else if (cli_whatif_predict(a, &ov, machine, 0, !machine, p, &diag) == WP_OK)
        wi = (wp_report_whatif){&p->w, &p->facts, &p->machine, p->machine_from, 0, NULL};
    else
        wi = (wp_report_whatif){.no_machine = p->no_machine, .why = diag.error};
    wp_report_write_html(a, label, &wi, out);
    if (p)
        cli_whatif_free(p);
    free(p);
}

int cmd_report(int argc, char **argv)
{
    report_args args = {0};
    wp_analysis_opts_init(&args.analysis);
    int npaths;
    int parsed = wp_options_parse(CMD, cmd_report_options, &args, 0, argc, argv, &npaths);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    char **paths = argv + 1;
    const wp_analysis_opts ao = args.analysis;
    const char *output = args.output;
    int as_json = args.json, force = args.force;
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    if (npaths == 0)
        return cli_usage_error(CMD, "no TRACE given");
    if (!output)
        return cli_usage_error(CMD, "no output file: give -o FILE.html");
    if (wp_output_check_inputs(output, (const char *const *)paths, npaths, &diag) != WP_OK ||
        wp_output_check(output, force, &diag) != WP_OK) /* before the analysis, not after it */
        return cli_fail(CMD, &diag);
    wp_analysis a;
    int load_rc = wp_analysis_load(&ao, (const char *const *)paths, npaths, &diag, &a);
    if (load_rc != WP_OK) {
        wp_analysis_free(&a);
        return cli_fail_rc(CMD, &diag, load_rc);
    }
    wp_output out;
    if (wp_output_open(&out, output, force, &diag) != WP_OK) {
        wp_analysis_free(&a);
        return cli_fail(CMD, &diag);
    }
    write_page(&a, npaths == 1 ? paths[0] : "traces", args.machine, out.file);
    long bytes = ftell(out.file);
    wp_analysis_free(&a);
    if (wp_output_close(&out, &diag) != WP_OK)
        return cli_fail(CMD, &diag);
    if (as_json) {
        json_out j;
        json_document_begin(&j, stdout, "wanprof.report/1");
        json_key_string(&j, "output", output);
        json_key_int(&j, "bytes", bytes);
        json_end_object(&j);
        fputc('\n', stdout);
    } else {
        fputs("wrote ", stdout);
        wp_text_put(stdout, output);
        printf(" (%ld bytes)\n", bytes);
    }
    return EXIT_OK;
}
