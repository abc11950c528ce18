/* writer_impl.h: what every writer shares (private to core/). A concrete writer embeds struct wp_writer first and
 * fills ops; wp_writer_close/flush/abort in writer.c drive them and handle the temp-name-then-rename protocol. */
#ifndef WP_WRITER_IMPL_H
#define WP_WRITER_IMPL_H

#include "trace_write.h"

typedef struct wp_writer_ops {
    int (*flush)(wp_writer *w, wp_diag *diag);  /* make what was written readable */
    int (*finish)(wp_writer *w, wp_diag *diag); /* complete the file (trailers, indexes); the file is then closed */
    void (*destroy)(wp_writer *w);              /* free the writer's memory; the file is already closed or abandoned */
} wp_writer_ops;

struct wp_writer {
    wp_tool tool; /* first, so a handler's wp_tool * converts back to its writer */
    const wp_writer_ops *ops;
    char *final_path; /* where the output ends up */
    char *work_path;  /* where it is written: final_path itself (in place) or a temporary name beside it */
    int force;        /* the output may replace a regular file (opts->force) */
    int error;        /* first write error seen by a handler; reported by flush/close */
    char error_msg[512];
};

/* Fills the shared part: checks that final_path may be written (output_file.h) and creates the temporary file
 * (work_path) the writer opens by name; in place, work_path is final_path, removed first when forced. */
int wp_writer_init(wp_writer *w, const wp_writer_ops *ops, const char *path, const wp_write_opts *opts,
                   wp_diag *diag);
/* Records the first write error from inside a handler (handlers cannot take a diag) and returns WP_ERR_IO. */
int wp_writer_fail(wp_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
