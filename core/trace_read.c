/* trace_read.c: format detection from a file's first bytes, and wp_trace_read, which hands the file to the reader of
 * its format. The name of a file is never trusted: a .json.gz may be plain JSON, an .sqlite may be an nsys export. */
#include "sqlite_format.h"
#include "trace_read.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Detection with the error code for the failure (WP_ERR_IO: unreadable, WP_ERR_FORMAT: not a trace). */
static wp_format detect(const char *path, wp_diag *diag, int *code)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *code = wp_diag_error(diag, WP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return WP_FMT_UNKNOWN;
    }
    unsigned char head[512];
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return WP_FMT_JSON_GZ;
    static const char sqlite_magic[16] = "SQLite format 3"; /* with its NUL: 16 bytes */
    if (n >= 16 && memcmp(head, sqlite_magic, 16) == 0) {
        int fmt = wp_sqlite_probe(path);
        if (fmt == WP_FMT_UNKNOWN)
            *code = wp_diag_error(diag, WP_ERR_FORMAT, "%s: an SQLite database without wanprof or nsys tables", path);
        return (wp_format)fmt;
    }
    size_t i = 0;
    if (n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
        i = 3; /* a UTF-8 byte order mark, which some Windows tools write */
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    if (i < n && (head[i] == '{' || head[i] == '['))
        return WP_FMT_JSON;
    *code = wp_diag_error(diag, WP_ERR_FORMAT,
                          "%s: not a trace wanprof can read (expected SQLite, Chrome trace JSON or gzip'd JSON)",
                          path);
    return WP_FMT_UNKNOWN;
}

wp_format wp_format_detect(const char *path, wp_diag *diag)
{
    int code;
    return detect(path, diag, &code);
}

const char *wp_format_name(wp_format fmt)
{
    switch (fmt) {
    case WP_FMT_SQLITE: return "wanprof SQLite";
    case WP_FMT_NSYS_SQLITE: return "nsys SQLite export";
    case WP_FMT_JSON: return "Chrome trace JSON";
    case WP_FMT_JSON_GZ: return "Chrome trace JSON (gzip)";
    default: return "unknown";
    }
}

int wp_trace_read(const char *path, wp_strtab *strings, wp_tool *tool, const wp_read_opts *opts, wp_diag *diag,
                  wp_read_stats *stats)
{
    int code = WP_ERR_FORMAT;
    switch (detect(path, diag, &code)) {
    case WP_FMT_SQLITE:
    case WP_FMT_NSYS_SQLITE: return wp_sqlite_read(path, strings, tool, opts, diag, stats);
    case WP_FMT_JSON:
    case WP_FMT_JSON_GZ: return wp_chrome_read(path, strings, tool, opts, diag, stats);
    default: return code; /* detect left the message */
    }
}
