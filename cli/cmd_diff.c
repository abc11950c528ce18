/* cmd_diff.c: `wanprof diff`. Not implemented yet: its issue has not landed. */
#include <stdio.h>

#include "cli.h"

const char cmd_diff_help[] =
    "NAME\n"
    "    wanprof diff - not yet implemented\n"
    "\n"
    "DESCRIPTION\n"
    "    This command arrives with its own issue; until then it exits with status 2.\n";

int cmd_diff(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof diff: not yet implemented\n");
    return EXIT_USAGE;
}
