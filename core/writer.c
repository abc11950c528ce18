/* writer.c: the parts of writing that do not depend on the format: choosing a writer, and the output protocol of
 * output_file.h (a temporary file that takes the output's name once complete), or writing in place. */
#include "writer_impl.h"

#include "output_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

wp_writer *wp_writer_open(const char *path, const wp_write_opts *opts, wp_diag *diag)
{
    if (ends_with(path, ".sqlite") || ends_with(path, ".sqlite3") || ends_with(path, ".db"))
        return wp_sqlite_writer_open(path, opts, diag);
    if (ends_with(path, ".json") || ends_with(path, ".json.gz"))
        return wp_chrome_writer_open(path, opts, diag);
    wp_diag_error(diag, WP_ERR_USAGE, "%s: unknown output format (use .sqlite, .json or .json.gz)", path);
    return NULL;
}

int wp_writer_init(wp_writer *w, const wp_writer_ops *ops, const char *path, const wp_write_opts *opts,
                   wp_diag *diag)
{
    static const wp_write_opts defaults;
    if (!opts)
        opts = &defaults;
    w->ops = ops;
    w->force = opts->force;
    w->final_path = strdup(path);
    if (!w->final_path)
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    if (!opts->in_place) {
        /* The format's writer reopens the temporary file by name (SQLite opens its files itself). */
        int fd, rc = wp_output_temp_create(path, opts->force, &w->work_path, &fd, diag);
        if (rc == WP_OK)
            close(fd);
        return rc;
    }
    int rc = wp_output_check(path, opts->force, diag);
    if (rc != WP_OK)
        return rc;
    w->work_path = strdup(path);
    if (!w->work_path)
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    if (unlink(w->work_path) != 0 && errno != ENOENT)
        return wp_diag_error(diag, WP_ERR_IO, "%s: cannot replace: %s", w->work_path, strerror(errno));
    return WP_OK;
}

int wp_writer_fail(wp_writer *w, const char *fmt, ...)
{
    if (!w->error) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->error_msg, sizeof(w->error_msg), fmt, ap);
        va_end(ap);
        w->error = WP_ERR_IO;
    }
    return WP_ERR_IO;
}

wp_tool *wp_writer_tool(wp_writer *w)
{
    return &w->tool;
}

int wp_writer_error(const wp_writer *w, wp_diag *diag)
{
    return w->error ? wp_diag_error(diag, w->error, "%s", w->error_msg) : WP_OK;
}

int wp_writer_flush(wp_writer *w, wp_diag *diag)
{
    if (w->error)
        return wp_diag_error(diag, w->error, "%s", w->error_msg);
    return w->ops->flush(w, diag);
}

static int in_place(const wp_writer *w)
{
    return strcmp(w->work_path, w->final_path) == 0;
}

static void writer_free(wp_writer *w)
{
    char *final_path = w->final_path, *work_path = w->work_path;
    w->ops->destroy(w);
    free(final_path);
    free(work_path);
}

int wp_writer_close(wp_writer *w, wp_diag *diag)
{
    int rc = w->error ? wp_diag_error(diag, w->error, "%s", w->error_msg) : WP_OK;
    int finish_rc = w->ops->finish(w, rc == WP_OK ? diag : NULL);
    if (rc == WP_OK)
        rc = finish_rc;
    if (in_place(w)) {
        if (rc != WP_OK && diag) {
            size_t used = strlen(diag->error);
            snprintf(diag->error + used, sizeof(diag->error) - used, " (partial output kept in %s)", w->work_path);
        }
    } else if (rc == WP_OK) {
        rc = wp_output_temp_commit(w->work_path, w->final_path, w->force, diag);
        w->work_path = NULL; /* freed by the commit */
    } else {
        wp_output_temp_discard(w->work_path);
        w->work_path = NULL;
    }
    writer_free(w);
    return rc;
}

void wp_writer_abort(wp_writer *w)
{
    w->ops->finish(w, NULL);
    if (!in_place(w)) {
        wp_output_temp_discard(w->work_path);
        w->work_path = NULL;
    }
    writer_free(w);
}
