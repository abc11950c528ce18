/* trace_read.c: format detection from a file's first bytes, and wp_trace_read, which hands the file to the reader of
 * its format. The name of a file is never trusted: a .json.gz may be plain JSON, an .sqlite may be an nsys export.
 * A pipe or FIFO (`<(zcat ...)`, /dev/stdin) is read once: the bytes detection took are handed on with it. */
#include "sqlite_format.h"
#include "trace_read.h"

#include "gz_in.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Compressions wanprof does not read itself, told by their magic numbers: named, so the user knows what to do. */
static const struct {
    const char *magic;
    size_t len;
    const char *name;
} other_compressions[] = {
    {"\xfd" "7zXZ\0", 6, "xz"},          {"BZh", 3, "bzip2"},
    {"\x28\xb5\x2f\xfd", 4, "zstd"},    {"PK\x03\x04", 4, "zip"},
    {"7z\xbc\xaf\x27\x1c", 6, "7-Zip"}, {"\x04\x22\x4d\x18", 4, "lz4"},
    {"\x5d\0\0", 3, "lzma"},
};

/* The format of the first n bytes of path; WP_FMT_UNKNOWN with the message in diag (*code: its error). */
static wp_format detect_head(const char *path, const unsigned char *head, size_t n, int regular, wp_diag *diag,
                             int *code)
{
    if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return WP_FMT_JSON_GZ;
    static const char sqlite_magic[16] = "SQLite format 3"; /* with its NUL: 16 bytes */
    if (n >= 16 && memcmp(head, sqlite_magic, 16) == 0) {
        if (!regular) {
            *code = wp_diag_error(diag, WP_ERR_USAGE, "%s: an SQLite database cannot be read from a pipe (SQLite "
                                  "reads it in place); save it to a file first", path);
            return WP_FMT_UNKNOWN;
        }
        int fmt = wp_sqlite_probe(path);
        if (fmt == WP_FMT_UNKNOWN) /* the reader's checks say why: damaged, or no trace tables */
            *code = wp_sqlite_check(path, diag);
        return (wp_format)fmt;
    }
    for (size_t k = 0; k < sizeof(other_compressions) / sizeof(other_compressions[0]); k++)
        if (n >= other_compressions[k].len && memcmp(head, other_compressions[k].magic, other_compressions[k].len) == 0) {
            *code = wp_diag_error(diag, WP_ERR_FORMAT, "%s: %s-compressed; decompress it first (wanprof reads gzip "
                                  "itself)", path, other_compressions[k].name);
            return WP_FMT_UNKNOWN;
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

/* An opened input and its first bytes. A regular file is read again from the start by its reader; a pipe or FIFO
 * cannot be, so its descriptor and these bytes are handed to the reader (gz_in.h). */
typedef struct input_head {
    int fd;
    int regular;
    unsigned char bytes[WP_GZ_HEAD_MAX];
    size_t n;
} input_head;

static int read_head(const char *path, input_head *h, wp_diag *diag)
{
    struct stat st;
    h->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (h->fd < 0 || fstat(h->fd, &st) != 0) {
        int rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        if (h->fd >= 0)
            close(h->fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        close(h->fd);
        return wp_diag_error(diag, WP_ERR_IO, "%s: is a directory", path);
    }
    h->regular = S_ISREG(st.st_mode);
    h->n = 0;
    while (h->n < sizeof(h->bytes)) { /* a pipe may deliver the head in several reads */
        ssize_t got = read(h->fd, h->bytes + h->n, sizeof(h->bytes) - h->n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
            close(h->fd);
            return rc;
        }
        if (got == 0)
            break;
        h->n += (size_t)got;
    }
    return WP_OK;
}

wp_format wp_format_detect(const char *path, wp_diag *diag)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return WP_FMT_UNKNOWN; /* a pipe can be read once: by wp_trace_read, which detects as it reads */
    input_head h;
    int code;
    if (read_head(path, &h, diag) != WP_OK)
        return WP_FMT_UNKNOWN;
    close(h.fd);
    return detect_head(path, h.bytes, h.n, h.regular, diag, &code);
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
    input_head h;
    int code = read_head(path, &h, diag);
    if (code != WP_OK)
        return code;
    code = WP_ERR_FORMAT;
    wp_format fmt = detect_head(path, h.bytes, h.n, h.regular, diag, &code);
    if (h.regular || fmt == WP_FMT_UNKNOWN)
        close(h.fd);
    int rc;
    switch (fmt) {
    case WP_FMT_SQLITE:
    case WP_FMT_NSYS_SQLITE: rc = wp_sqlite_read(path, strings, tool, opts, diag, stats); break;
    case WP_FMT_JSON:
    case WP_FMT_JSON_GZ:
        if (h.regular) {
            rc = wp_chrome_read(path, strings, tool, opts, diag, stats);
            break;
        }
        wp_gz_in *in = wp_gz_in_open_fd(h.fd, h.bytes, h.n);
        if (!in)
            return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
        rc = wp_chrome_read_stream(path, in, strings, tool, opts, diag, stats);
        break;
    default: return code; /* detection left the message */
    }
    if (stats) /* after the reader, which starts its stats afresh */
        stats->format = fmt;
    return rc;
}
