/* cmd_help.c: `wanprof help [COMMAND]`: the command list, or one command's page (the same page as COMMAND --help). */
#include <stdio.h>

#include "cli.h"

const char cmd_help_help[] =
    "NAME\n"
    "    wanprof help - show help for wanprof or one of its commands\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "    wanprof COMMAND --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Without COMMAND, lists the commands. With one, prints its manual page: NAME, SYNOPSIS, DESCRIPTION,\n"
    "    OPTIONS, EXAMPLES, EXIT STATUS (the same page as `wanprof COMMAND --help`). The runner has its own:\n"
    "    `wanprof-runner --help`. Bash completion of every command and option: scripts/completion/wanprof.bash.\n"
    "\n"
    "OPTIONS\n"
    "    -h, --help  this page\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof help\n"
    "    wanprof help explain\n"
    "    wanprof explain --help | less\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success, 2 when COMMAND is not a wanprof command.\n";

const wp_option cmd_help_options[] = {{0}};

int cmd_help(int argc, char **argv)
{
    int n;
    int rc = wp_options_parse("help", cmd_help_options, NULL, 0, argc, argv, &n);
    if (rc != WP_OPTS_OK)
        return rc == WP_OPTS_HELP ? EXIT_OK : rc;
    if (n > 1)
        return cli_usage_error("help", "one COMMAND at most");
    if (n == 1) {
        const wp_command *cmd = wp_command_find(argv[1]);
        if (!cmd) {
            fprintf(stderr, "wanprof help: '%s' is not a wanprof command\n", argv[1]);
            return EXIT_USAGE;
        }
        cli_print_help(cmd, stdout);
        return EXIT_OK;
    }
    printf("usage: wanprof COMMAND [OPTIONS] [ARGS]\n\n"
           "Profile multi-GPU diffusion runs and explain their slow steps.\n\ncommands:\n");
    for (int i = 0; i < wp_command_count; i++)
        printf("  %-9s %s\n", wp_commands[i].name, wp_commands[i].summary);
    printf("\nEvery command takes --help; most take --json for machine-readable output.\n"
           "Exit status: 0 ok, 1 bad input, 2 usage error.\n");
    return EXIT_OK;
}
