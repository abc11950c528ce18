/* cmd_report.c: `wanprof report`. Not implemented yet: its issue has not landed. */
#include <stdio.h>

#include "cli.h"

const char cmd_report_help[] =
    "NAME\n"
    "    wanprof report - not yet implemented\n"
    "\n"
    "DESCRIPTION\n"
    "    This command arrives with its own issue; until then it exits with status 2.\n";

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof report: not yet implemented\n");
    return EXIT_USAGE;
}
