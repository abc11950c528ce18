/* main.c: the wanprof command: one table of subcommands, one file each (cmd_*.c), perf-style. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/causes.h"
#include "cli.h"
#include "../core/version.h"
#include "safe_text.h"

const wp_command wp_commands[] = {
    {"run", cmd_run, "profile a command (or the built-in Wan2.2 runner) and write SQLite + .json.gz", cmd_run_help,
     cmd_run_options, "[--] [COMMAND [ARGS...]]"},
    {"report", cmd_report, "write a self-contained HTML report of a trace", cmd_report_help, cmd_report_options,
     "TRACE..."},
    {"explain", cmd_explain, "split a trace into denoising steps, find the spikes and their causes", cmd_explain_help,
     cmd_explain_options, "TRACE..."},
    {"hist", cmd_hist, "memcpy histograms: duration, size and bandwidth by direction and memory kind", cmd_hist_help,
     cmd_hist_options, "TRACE..."},
    {"diff", cmd_diff, "compare two runs step by step", cmd_diff_help, cmd_diff_options, "A B"},
    {"schedule", cmd_schedule, "timesteps and expert per step for the Wan2.2 samplers; invert a switch step",
     cmd_schedule_help, cmd_schedule_options, ""},
    {"export", cmd_export, "convert and merge traces between SQLite and Chrome trace (.json.gz)", cmd_export_help,
     cmd_export_options, "IN... OUT"},
    {"info", cmd_info, "what a trace holds: ranks, devices, events by kind, time span, dropped records",
     cmd_info_help, cmd_info_options, "TRACE..."},
    {"whatif", cmd_whatif, "predict every offload mode's step, switch and total time and memory from one trace",
     cmd_whatif_help, cmd_whatif_options, "TRACE..."},
    {"calibrate", cmd_calibrate, "measure this machine: host<->GPU and GPU<->GPU bandwidth, latency, memory, topology",
     cmd_calibrate_help, cmd_calibrate_options, ""},
    {"help", cmd_help, "show help for wanprof or one of its commands", cmd_help_help, cmd_help_options,
     "[COMMAND]"},
};
const int wp_command_count = (int)(sizeof(wp_commands) / sizeof(wp_commands[0]));

const wp_command *wp_command_find(const char *name)
{
    for (int i = 0; i < wp_command_count; i++)
        if (strcmp(wp_commands[i].name, name) == 0)
            return &wp_commands[i];
    return NULL;
}

/* The cause table (analyzer/causes.h) as "      id              help", wrapped at 116 columns. */
static void print_causes(FILE *out)
{
    for (int i = 0; i < wp_ncause_kinds; i++) {
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
}

/* A page's lines "@usage", "@options" and "@causes" stand for what the tables generate, so the page never drifts
 * from what the parser accepts. */
void cli_print_help(const wp_command *cmd, FILE *out)
{
    for (const char *line = cmd->help; *line;) {
        size_t len = strcspn(line, "\n");
        if (len == 6 && strncmp(line, "@usage", len) == 0)
            wp_options_usage(cmd->name, cmd->options, cmd->operands, out);
        else if (len == 8 && strncmp(line, "@options", len) == 0)
            wp_options_help(cmd->options, out);
        else if (len == 7 && strncmp(line, "@causes", len) == 0)
            print_causes(out);
        else
            fprintf(out, "%.*s\n", (int)len, line);
        line += len + (line[len] == '\n');
    }
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

/* `wanprof __complete [COMMAND]`, for scripts/completion/wanprof.bash: the commands, or one command's options from
 * its table (options.h says the format). Not listed in the help: it is for the completion script only. */
static int complete(int argc, char **argv)
{
    const wp_command *cmd = argc > 2 ? wp_command_find(argv[2]) : NULL;
    if (argc > 2 && !cmd)
        return EXIT_USAGE;
    for (int i = 0; !cmd && i < wp_command_count; i++)
        printf("%s\n", wp_commands[i].name);
    if (cmd)
        wp_options_complete(cmd->options, stdout);
    return EXIT_OK;
}

static int run_command(int argc, char **argv)
{
    char *help[] = {"help", NULL};
    if (argc < 2) {
        cmd_help(1, help);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return cmd_help(1, help);
    if (strcmp(argv[1], "--version") == 0) {
        printf("wanprof %s\n", wp_version_text());
        return EXIT_OK;
    }
    if (strcmp(argv[1], "__complete") == 0)
        return complete(argc, argv);
    const wp_command *cmd = wp_command_find(argv[1]);
    if (!cmd) {
        fprintf(stderr, "wanprof: '%s' is not a wanprof command (see `wanprof help`)\n", argv[1]);
        return EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}

/* As perf does: what could not be written to stdout (a full disk, /dev/full, a closed pipe) is a failure, never
 * exit 0. Buffered output reaches the file only here, so this is where a write error shows. */
static int check_stdout(const char *name, int rc)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (!bad)
        return rc;
    fprintf(stderr, "wanprof%s%s: cannot write to standard output%s%s\n", name ? " " : "", name ? name : "",
            err ? ": " : "", err ? strerror(err) : "");
    return rc != EXIT_OK ? rc : EXIT_BAD_INPUT;
}

int main(int argc, char **argv)
{
    const wp_command *cmd = argc > 1 ? wp_command_find(argv[1]) : NULL;
    return check_stdout(cmd ? cmd->name : NULL, run_command(argc, argv));
}
