/* cmd_export.c: `wanprof export`. Placeholder while it is being written. */
#include <stdio.h>

#include "cli.h"

const char cmd_export_help[] = "NAME\n    wanprof export - not yet implemented\n";

int cmd_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof export: not yet implemented\n");
    return EXIT_USAGE;
}
