/* main.c: the wanprof command: one table of subcommands, one file each (cmd_*.c), perf-style. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/causes.h"
#include "cli.h"
#include "safe_text.h"

const wp_command wp_commands[] = {
    {"run", cmd_run, "profile a command (or the built-in Wan2.2 runner) and write SQLite + .json.gz", cmd_run_help},
    {"report", cmd_report, "write a self-contained HTML report of a trace", cmd_report_help},
    {"explain", cmd_explain, "split a trace into denoising steps, find the spikes and their causes", cmd_explain_help},
    {"hist", cmd_hist, "memcpy histograms: duration, size and bandwidth by direction and memory kind", cmd_hist_help},
    {"diff", cmd_diff, "compare two runs step by step", cmd_diff_help},
    {"schedule", cmd_schedule, "timesteps and expert per step for the Wan2.2 samplers; invert a switch step",
     cmd_schedule_help},
    {"export", cmd_export, "convert and merge traces between SQLite and Chrome trace (.json.gz)", cmd_export_help},
    {"info", cmd_info, "what a trace holds: ranks, devices, events by kind, time span, dropped records",
     cmd_info_help},
    {"help", cmd_help, "show help for wanprof or one of its commands", cmd_help_help},
};
const int wp_command_count = (int)(sizeof(wp_commands) / sizeof(wp_commands[0]));

const wp_command *wp_command_find(const char *name)
{
    for (int i = 0; i < wp_command_count; i++)
        if (strcmp(wp_commands[i].name, name) == 0)
            return &wp_commands[i];
    return NULL;
}

/* A help page's "@causes" line stands for the cause table (analyzer/causes.h), so the page lists every cause. */
void cli_print_help(const wp_command *cmd, FILE *out)
{
    const char *at = strstr(cmd->help, "@causes\n");
    if (!at) {
        fputs(cmd->help, out);
        return;
    }
    fwrite(cmd->help, 1, (size_t)(at - cmd->help), out);
    for (int i = 0; i < wp_ncause_kinds; i++) { /* "      id              help", wrapped at 116 columns */
        const char *h = wp_cause_kinds[i].help;
        fprintf(out, "      %-15s ", wp_cause_kinds[i].id);
        while (strlen(h) > 94) {
            int cut = 94;
            while (cut > 0 && h[cut] != ' ')
                cut--;
            fprintf(out, "%.*s\n%22s", cut, h, "");
            h += cut + 1;
        }
        fprintf(out, "%s\n", h);
    }
    fputs(at + strlen("@causes\n"), out);
}

int cli_wants_help(const char *name, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_print_help(wp_command_find(name), stdout);
            return 1;
        }
    }
    return 0;
}

int cli_usage_error(const char *name, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "wanprof %s: ", name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see `wanprof %s --help`)\n", name);
    return EXIT_USAGE;
}

int cli_fail(const char *name, const wp_diag *diag)
{
    fprintf(stderr, "wanprof %s: ", name);
    wp_text_put(stderr, diag->error[0] ? diag->error : "failed"); /* messages quote names from the trace */
    fputc('\n', stderr);
    return EXIT_BAD_INPUT;
}

int cli_fail_rc(const char *name, const wp_diag *diag, int rc)
{
    int exit_code = cli_fail(name, diag);
    return rc == WP_ERR_USAGE ? EXIT_USAGE : exit_code;
}

static void print_warning(void *ctx, const char *message)
{
    fprintf(stderr, "wanprof %s: warning: ", (const char *)ctx);
    wp_text_put(stderr, message);
    fputc('\n', stderr);
}

void cli_diag_init(wp_diag *diag, const char *name)
{
    memset(diag, 0, sizeof(*diag));
    diag->warn = print_warning;
    diag->warn_ctx = (void *)name;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_help(1, argv);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, argv);
    if (strcmp(argv[1], "--version") == 0) {
        printf("wanprof %s\n", WANPROF_VERSION);
        return EXIT_OK;
    }
    const wp_command *cmd = wp_command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "wanprof: '%s' is not a wanprof command (see `wanprof help`)\n", argv[1]);
        return EXIT_USAGE;
    }
    if (cli_wants_help(cmd->name, argc - 1, argv + 1))
        return EXIT_OK;
    return cmd->run(argc - 1, argv + 1);
}
