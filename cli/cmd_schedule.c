/* cmd_schedule.c: `wanprof schedule`. Placeholder while it is being written. */
#include <stdio.h>

#include "cli.h"

const char cmd_schedule_help[] = "NAME\n    wanprof schedule - not yet implemented\n";

int cmd_schedule(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "wanprof schedule: not yet implemented\n");
    return EXIT_USAGE;
}
