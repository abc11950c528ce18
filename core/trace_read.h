/* trace_read.h: reading any supported trace into a wp_tool. The format is detected from the file's bytes, not its
 * name: SQLite (ours or an nsys export, told apart by their tables), Chrome trace JSON, gzip'd Chrome trace JSON. */
#ifndef WP_TRACE_READ_H
#define WP_TRACE_READ_H

#include "diag.h"
#include "tool.h"

typedef enum wp_format {
    WP_FMT_UNKNOWN = 0,
    WP_FMT_SQLITE,      /* written by wanprof (has table WANPROF_META) */
    WP_FMT_NSYS_SQLITE, /* an nsys export, or any SQLite with the nsys tables */
    WP_FMT_JSON,        /* Chrome trace JSON, Kineto's or ours */
    WP_FMT_JSON_GZ,
} wp_format;

typedef struct wp_read_opts {
    uint32_t proc_base; /* process indexes the reader assigns start here (merging several inputs) */
    int time_ordered;   /* 1: deliver events sorted by start (bounded memory: spills to temp files if needed) */
} wp_read_opts;

/* Summary of one read, for `wanprof info` and for salvage messages.
 *
 * skipped is the one count of records that did not become events, kept alike by every reader (and kept by export:
 * it writes the count as the metadata "skipped_records", which our readers add here rather than pass on): a record is a
 * traceEvents element other than metadata ("M") and flow arrows ("s", "f", "t"), or a row of an event table the SQLite
 * reader reads (ours or nsys'). Counted: unknown categories or shapes, out-of-range numbers, spans that end before they
 * start, elements larger than the reader's window, Kineto's own markers ("Trace" spans, uncategorised instants),
 * "[memory]" allocator records of host memory, nsys backtrace rows. Each cause is warned about (one summary line; one
 * line per oversized element), except the markers and backtrace rows, which are in every such file and need no
 * action. Tables the SQLite reader does not read and metadata are not records here. */
typedef struct wp_read_stats {
    uint64_t events;          /* events delivered */
    uint64_t skipped;         /* records that could not be turned into events (see above) */
    uint64_t dropped;         /* records the source itself reported as dropped */
    uint64_t bytes_read;      /* input bytes consumed (uncompressed for gzip) */
    uint64_t bytes_lost;      /* bytes after the last complete event when the input was truncated */
    int truncated;            /* 1 when the input ended early and was salvaged */
    uint32_t processes;       /* processes announced */
    wp_format format;         /* the format the input was read as (known for pipes too, unlike wp_format_detect) */
} wp_read_stats;

wp_format wp_format_detect(const char *path, wp_diag *diag);
const char *wp_format_name(wp_format fmt);

/* Reads path into tool, interning strings into strings (shared across inputs when merging). Returns WP_OK, or a wp_err
 * with diag->error set. stats may be NULL. */
int wp_trace_read(const char *path, wp_strtab *strings, wp_tool *tool, const wp_read_opts *opts, wp_diag *diag,
                  wp_read_stats *stats);

/* Per-format entry points (wp_trace_read dispatches to these). */
int wp_sqlite_read(const char *path, wp_strtab *strings, wp_tool *tool, const wp_read_opts *opts, wp_diag *diag,
                   wp_read_stats *stats);
int wp_chrome_read(const char *path, wp_strtab *strings, wp_tool *tool, const wp_read_opts *opts, wp_diag *diag,
                   wp_read_stats *stats);
/* The same from bytes already opened (a pipe whose first bytes format detection read: gz_in.h); in is taken over
 * (closed in all cases); path only names the input in messages. NULL in: opens path. */
struct wp_gz_in;
int wp_chrome_read_stream(const char *path, struct wp_gz_in *in, wp_strtab *strings, wp_tool *tool,
                          const wp_read_opts *opts, wp_diag *diag, wp_read_stats *stats);

#endif
