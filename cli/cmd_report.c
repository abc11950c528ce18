/* cmd_report.c: `wanprof report TRACE -o report.html`: the self-contained HTML page of analyzer/report.h. */
#include <stdio.h>
#include <string.h>

#include "../analyzer/report.h"
#include "cli.h"
#include "json_out.h"
#include "output_file.h"
#include "safe_text.h"

const char cmd_report_help[] =
    "NAME\n"
    "    wanprof report - write a self-contained HTML report of a trace\n"
    "\n"
    "SYNOPSIS\n"
    "    wanprof report [OPTIONS] -o FILE.html TRACE...\n"
    "\n"
    "DESCRIPTION\n"
    "    Analyses the trace(s) as `wanprof explain` does and writes one HTML page that needs no network and no\n"
    "    server: a summary table, the step-time chart (spikes coloured by their main cause, the median dashed),\n"
    "    the spikes with their ranked causes, evidence and suggestions, the schedule check, the per-step\n"
    "    copy/compute overlap (kernel time, copy time hidden under compute, exposed copy time), the memcpy\n"
    "    histograms of the whole run, and the explanation text. Charts are inline SVG; there are no scripts.\n"
    "\n"
    "OPTIONS\n"
    "    -o, --output FILE   where to write the page (required); written under a temporary name and renamed\n"
    "                        into place when complete\n"
    "    --force             replace FILE if it exists (otherwise report refuses and exits 1)\n"
    "    --json              print {\"schema\":\"wanprof.report/1\",\"output\":FILE,\"bytes\":N} when done\n"
    "    --threshold K, --min-excess F, --step-pattern RE, --steps-per-call N, --step-source S, --sampler,\n"
    "    --shift, --steps, --boundary\n"
    "                        as for `wanprof explain`\n"
    "    -h, --help          this page\n"
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

int cmd_report(int argc, char **argv)
{
    wp_analysis_opts ao;
    char *paths[WP_ANALYSIS_MAX_INPUTS];
    const char *output = NULL;
    int npaths = 0, as_json = 0, force = 0;
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    wp_analysis_opts_init(&ao);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(CMD, "%s needs a file name", argv[i]);
            output = argv[++i];
            continue;
        }
        int used = wp_analysis_parse_arg(&ao, argc, argv, i, &diag);
        if (used < 0)
            return cli_usage_error(CMD, "%s", diag.error);
        if (used > 0)
            i += used - 1;
        else if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[i], "--force") == 0)
            force = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        else if (npaths < WP_ANALYSIS_MAX_INPUTS)
            paths[npaths++] = argv[i];
    }
    if (npaths == 0)
        return cli_usage_error(CMD, "no TRACE given");
    if (!output)
        return cli_usage_error(CMD, "no output file: give -o FILE.html");
    if (wp_output_check(output, force, &diag) != WP_OK) /* before the analysis, not after it */
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
    wp_report_write_html(&a, npaths == 1 ? paths[0] : "traces", out.file);
    long bytes = ftell(out.file);
    wp_analysis_free(&a);
    if (wp_output_close(&out, &diag) != WP_OK)
        return cli_fail(CMD, &diag);
    if (as_json) {
        json_out j;
        json_out_init(&j, stdout);
        json_begin_object(&j);
        json_key_string(&j, "schema", "wanprof.report/1");
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
