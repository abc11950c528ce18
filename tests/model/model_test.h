/* model_test.h: what the wpmodel tests share: paths in the source tree and a scratch directory per test. */
#ifndef WP_MODEL_TEST_H
#define WP_MODEL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SOURCE/rel (WP_SOURCE_DIR is set by ctest); a static buffer per call site's use, copy it to keep it. */
static inline const char *source_path(const char *rel)
{
    static char path[4096];
    const char *dir = getenv("WP_SOURCE_DIR");
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", rel);
    return path;
}

/* A fresh empty directory under TMPDIR (or /tmp) for this test process; removed by scratch_remove(). */
static inline const char *scratch_dir(void)
{
    static char dir[512];
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/wpmodel-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return dir;
}

static inline void scratch_remove(void)
{
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir());
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", scratch_dir());
}

#endif
