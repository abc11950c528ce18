/* cmd_explain.c: `wanprof explain`. Not implemented yet: its issue has not landed. */
#include <stdio.h>

#include "cli.h"

const char cmd_explain_help[] =
    "NAME\n"
    "    wanprof explain - not yet implemented\n"
    "\n"
    "DESCRIPTION\n"
    "    This command arrives with its own issue; until then it exits with status 2.\n";

int cmd_explain(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof explain: not yet implemented\n");
    return EXIT_USAGE;
}
