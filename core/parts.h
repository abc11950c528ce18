/* parts.h: where wanprof finds its other parts (the collector, the runner, wanprof-calibrate, the model configs and
 * schemas). Every lookup is relative to the running executable, laid out as installed (GNUInstallDirs: bin/,
 * lib/wanprof/, share/wanprof/) in an installed tree and in a build tree alike, so either can move; an environment
 * variable names each part instead. No absolute build or source path is compiled in. */
#ifndef WP_PARTS_H
#define WP_PARTS_H

#include <stddef.h>

typedef enum {
    WP_PART_COLLECTOR, /* libwanprof_collector.so: WANPROF_COLLECTOR, else LIBDIR/wanprof/ */
    WP_PART_RUNNER,    /* wanprof-runner: WANPROF_RUNNER, else beside this executable */
    WP_PART_CALIBRATE, /* wanprof-calibrate: WANPROF_CALIBRATE, else beside this executable */
    WP_PART_DATA,      /* the folder holding schemas/ (model configs, JSON schemas): WANPROF_DATA_DIR, else
                          DATADIR/wanprof */
    WP_PART_COUNT
} wp_part;

/* Writes the part's path into buf and returns buf when it exists (a regular file, or a folder for WP_PART_DATA);
 * NULL otherwise, buf then holding the path tried (for the message). *from_env (may be NULL) tells whether the
 * environment named it. */
const char *wp_part_find(wp_part part, char *buf, size_t n, int *from_env);

#endif
