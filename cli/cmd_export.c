/* cmd_export.c: `wanprof export IN... OUT`: converts between SQLite and Chrome trace (.json/.json.gz), merging several
 * inputs (one per rank) into one output with one process per input process. It is a read into a writer's tool. */
#include <stddef.h>
#include <string.h>

#include "cli.h"
#include "output_file.h"
#include "trace_read.h"
#include "trace_write.h"
#include "safe_text.h"

const char cmd_export_help[] =
    "NAME\n"
    "    wanprof export - convert and merge traces\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads every IN (wanprof SQLite, an nsys SQLite export, or a Chrome/Kineto trace .json/.json.gz) and writes\n"
    "    all of their events into OUT, whose format follows its name: .sqlite/.sqlite3/.db for SQLite (nsys export\n"
    "    table names, so queries written for nsys run on it), .json or .json.gz for a Chrome trace (Kineto\n"
    "    conventions; opens in Perfetto and chrome://tracing). Several inputs are merged: each input's processes keep\n"
    "    their own pid track (one per rank). OUT is written under a temporary name and renamed into place only when\n"
    "    complete, so an interrupted export never leaves a half-written OUT.\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof export run.sqlite run.json.gz                 # open the result in https://ui.perfetto.dev\n"
    "    wanprof export rank0.json.gz rank1.json.gz all.sqlite  # merge two ranks' Kineto traces\n"
    "    wanprof export report.nsys.sqlite report.json.gz       # an nsys export, as a Chrome trace\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success; 1 an input is unreadable or malformed, or OUT exists without --force (nothing is written);\n"
    "    2 usage error.\n";

static int export_paths(char **paths, int npaths, const wp_write_opts *wopts)
{
    if (npaths < 2)
        return cli_usage_error("export", "need at least one input and one output");
    const char *out_path = paths[npaths - 1];
    wp_diag diag;
    cli_diag_init(&diag, "export");
    if (wp_output_check_inputs(out_path, (const char *const *)paths, npaths - 1, &diag) != WP_OK ||
        wp_output_check(out_path, wopts->force, &diag) != WP_OK)
        return cli_fail("export", &diag);
    wp_writer *w = wp_writer_open(out_path, wopts, &diag);
    if (!w)
        return cli_fail("export", &diag);
    wp_strtab *strings = wp_strtab_new();
    wp_read_opts ropts = {0};
    int rc = strings ? WP_OK : wp_diag_error(&diag, WP_ERR_NOMEM, "out of memory");
    for (int i = 0; rc == WP_OK && i < npaths - 1; i++) {
        wp_read_stats st = {0};
        rc = wp_trace_read(paths[i], strings, wp_writer_tool(w), &ropts, &diag, &st);
        if (rc == WP_OK && st.skipped && st.processes) { /* kept, on the input's first process: info shows it again */
            char n[32];
            snprintf(n, sizeof(n), "%llu", (unsigned long long)st.skipped);
            wp_tool *t = wp_writer_tool(w);
            if (t->meta(t, ropts.proc_base, WP_META_SKIPPED, n))
                rc = wp_diag_error(&diag, WP_ERR_NOMEM, "%s: cannot keep its skipped-record count", out_path);
        }
        ropts.proc_base += st.processes;
    }
    if (rc != WP_OK) {
        wp_writer_error(w, &diag); /* a reader stopped by a failed write: the write is what to report */
        wp_writer_abort(w);
        wp_strtab_free(strings);
        return cli_fail("export", &diag);
    }
    rc = wp_writer_close(w, &diag);
    wp_strtab_free(strings);
    if (rc != WP_OK)
        return cli_fail("export", &diag);
    fputs("wanprof export: wrote ", stderr);
    wp_text_put(stderr, out_path);
    fprintf(stderr, " (%u process%s)\n", ropts.proc_base, ropts.proc_base == 1 ? "" : "es");
    return EXIT_OK;
}

const wp_option cmd_export_options[] = {
    {.kind = WP_OPT_FLAG, .name = "force", .offset = offsetof(wp_write_opts, force),
     .help = "replace OUT if it exists (otherwise export refuses and exits 1)"},
    {0},
};

int cmd_export(int argc, char **argv)
{
    wp_write_opts wopts = {0};
    int npaths;
    int parsed = wp_options_parse("export", cmd_export_options, &wopts, 0, argc, argv, &npaths);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    return export_paths(argv + 1, npaths, &wopts);
}
