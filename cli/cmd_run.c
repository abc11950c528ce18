/* cmd_run.c: `wanprof run`. Not implemented yet: its issue has not landed. */
#include <stdio.h>

#include "cli.h"

const char cmd_run_help[] =
    "NAME\n"
    "    wanprof run - not yet implemented\n"
    "\n"
    "DESCRIPTION\n"
    "    This command arrives with its own issue; until then it exits with status 2.\n";

int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof run: not yet implemented\n");
    return EXIT_USAGE;
}
