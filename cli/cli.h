/* cli.h: what the subcommands share: the command table entry, exit codes, and printing of library errors. Only this
 * layer prints; library code reports through wp_diag. */
#ifndef WP_CLI_H
#define WP_CLI_H

#include <stdio.h>

#include "../core/diag.h"
#include "options.h"

enum { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

typedef struct wp_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
    const char *summary;               /* one line for `wanprof help` */
    const char *help;                  /* the full page for `wanprof help NAME` and `wanprof NAME --help`; its lines
                                          "@usage", "@options" and "@causes" stand for what the tables generate */
    const wp_option *options;          /* the command's one option table (options.h) */
    const char *operands;              /* what follows the options in the usage line: "TRACE...", "A B" */
} wp_command;

extern const wp_command wp_commands[];
extern const int wp_command_count;
const wp_command *wp_command_find(const char *name);

/* Prints the command's help page to out. */
void cli_print_help(const wp_command *cmd, FILE *out);
/* Prints "wanprof NAME: message" to stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "wanprof NAME: <diag->error>" to stderr and returns EXIT_BAD_INPUT. cli_fail_rc: the same, but EXIT_USAGE
 * when rc is WP_ERR_USAGE (a request the input cannot honour, such as a --step-source the trace lacks). */
int cli_fail_rc(const char *name, const wp_diag *diag, int rc);
int cli_fail(const char *name, const wp_diag *diag);
/* A wp_diag whose warnings go to stderr as "wanprof NAME: warning: ...". */
void cli_diag_init(wp_diag *diag, const char *name);

/* One function per subcommand (cmd_NAME.c). */
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_hist(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_whatif(int argc, char **argv);
int cmd_help(int argc, char **argv);

extern const wp_option cmd_run_options[], cmd_report_options[], cmd_explain_options[], cmd_hist_options[],
    cmd_diff_options[], cmd_schedule_options[], cmd_export_options[], cmd_info_options[], cmd_calibrate_options[],
    cmd_whatif_options[], cmd_help_options[];
/* The analysis options (analysis_options.c), a group of explain, hist, diff and report; into a wp_analysis_opts. */
extern const wp_option wp_analysis_options[];
/* --sampler's words and values (schedule/schedule.h's table), for every table that has a --sampler. */
const char *cli_sampler_word(int i);
int cli_sampler_value(const char *word);

extern const char cmd_run_help[], cmd_report_help[], cmd_explain_help[], cmd_hist_help[], cmd_diff_help[],
    cmd_schedule_help[], cmd_export_help[], cmd_info_help[], cmd_calibrate_help[], cmd_whatif_help[],
    cmd_help_help[];

#endif
