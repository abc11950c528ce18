#include "parts.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set by CMake from GNUInstallDirs, relative to the bin folder (e.g. "../lib/x86_64-linux-gnu/wanprof"). */
#ifndef WP_REL_PKGLIBDIR
#define WP_REL_PKGLIBDIR "../lib/wanprof"
#endif
#ifndef WP_REL_PKGDATADIR
#define WP_REL_PKGDATADIR "../share/wanprof"
#endif

static const struct {
    const char *env, *rel;
    int is_dir;
} parts[WP_PART_COUNT] = {
    [WP_PART_COLLECTOR] = {"WANPROF_COLLECTOR", WP_REL_PKGLIBDIR "/libwanprof_collector.so", 0},
    [WP_PART_RUNNER] = {"WANPROF_RUNNER", "wanprof-runner", 0},
    [WP_PART_CALIBRATE] = {"WANPROF_CALIBRATE", "wanprof-calibrate", 0},
    [WP_PART_DATA] = {"WANPROF_DATA_DIR", WP_REL_PKGDATADIR, 1},
};

const char *wp_part_find(wp_part part, char *buf, size_t n, int *from_env)
{
    const char *env = getenv(parts[part].env);
    int named = env && *env;
    if (from_env)
        *from_env = named;
    if (named) {
        snprintf(buf, n, "%s", env);
    } else {
        char exe[4096];
        ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (len <= 0) {
            snprintf(buf, n, "%s", parts[part].rel);
            return NULL;
        }
        exe[len] = '\0';
        snprintf(buf, n, "%s/%s", dirname(exe), parts[part].rel);
    }
    struct stat st;
    if (stat(buf, &st) != 0)
        return NULL;
    return (parts[part].is_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode)) ? buf : NULL;
}
