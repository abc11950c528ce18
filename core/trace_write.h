/* trace_write.h: the writers. A writer is a wp_tool (so `export` is just a read into a writer) plus flush and close.
 * Outputs are written to a temporary file that takes their name in wp_writer_close (output_file.h), unless
 * opts.in_place is set (the collector writes in place so that a killed process leaves a readable file up to the last
 * flush). */
#ifndef WP_TRACE_WRITE_H
#define WP_TRACE_WRITE_H

#include "diag.h"
#include "tool.h"

typedef struct wp_writer wp_writer;

typedef struct wp_write_opts {
    int force;    /* replace an existing output; otherwise opening fails with WP_ERR_EXISTS */
    int in_place; /* write straight to path (readable prefix on crash) instead of temp + rename */
} wp_write_opts;

/* SQLite with nsys-export table names plus wanprof's own tables (schemas/wanprof.sql). */
wp_writer *wp_sqlite_writer_open(const char *path, const wp_write_opts *opts, wp_diag *diag);
/* Chrome trace JSON, gzip-compressed when path ends in ".gz". */
wp_writer *wp_chrome_writer_open(const char *path, const wp_write_opts *opts, wp_diag *diag);
/* Picks the writer from the file name: .sqlite/.db/.sqlite3 -> SQLite, .json/.json.gz -> Chrome trace. */
wp_writer *wp_writer_open(const char *path, const wp_write_opts *opts, wp_diag *diag);

/* The tool to feed events into; its strings field must be set by the caller (or a reader) before events arrive. */
wp_tool *wp_writer_tool(wp_writer *w);
/* Makes everything written so far durable and readable (SQLite commit, gzip sync flush). */
int wp_writer_flush(wp_writer *w, wp_diag *diag);
/* The first write error a handler met (WP_OK when none), its message put in diag: a read that a writer's handler
 * stopped fails because of the write, not the input. */
int wp_writer_error(const wp_writer *w, wp_diag *diag);
/* Finishes the file and gives it its name (output_file.h); frees w in all cases. On failure the temporary file is
 * removed and diag->error names the output; written in place, the partial file is kept (and said to be partial). */
int wp_writer_close(wp_writer *w, wp_diag *diag);
/* Discards the output (removes a temporary file) and frees w. */
void wp_writer_abort(wp_writer *w);

#endif
