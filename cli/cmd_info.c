/* cmd_info.c: `wanprof info`. Placeholder while it is being written. */
#include <stdio.h>

#include "cli.h"

const char cmd_info_help[] = "NAME\n    wanprof info - not yet implemented\n";

int cmd_info(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof info: not yet implemented\n");
    return EXIT_USAGE;
}
