/* sqlite_probe.c: is this file ours, an nsys export, or neither? Decided from the SQLite header and the tables. */
#include "sqlite_format.h"
#include "trace_read.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static int has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

int wp_sqlite_probe(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    FILE *f = fopen(path, "rb");
    if (!f)
        return WP_FMT_UNKNOWN;
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (n != sizeof(head) || memcmp(head, magic, sizeof(magic)) != 0)
        return WP_FMT_UNKNOWN;
    sqlite3 *db = NULL;
    int fmt = WP_FMT_UNKNOWN;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_busy_timeout(db, WP_SQLITE_READ_BUSY_MS) == SQLITE_OK) {
        static const char *const nsys_tables[] = {"CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_RUNTIME",
                                                  "CUPTI_ACTIVITY_KIND_MEMCPY", "NVTX_EVENTS", "TARGET_INFO_GPU",
                                                  "StringIds"};
        if (has_table(db, "WANPROF_META"))
            fmt = WP_FMT_SQLITE;
        for (size_t i = 0; fmt == WP_FMT_UNKNOWN && i < sizeof(nsys_tables) / sizeof(nsys_tables[0]); i++)
            if (has_table(db, nsys_tables[i]))
                fmt = WP_FMT_NSYS_SQLITE;
    }
    sqlite3_close(db);
    return fmt;
}
