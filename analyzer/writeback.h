/* writeback.h: stores an explanation's steps and spikes into a wanprof/nsys SQLite trace, as the tables
 * WANPROF_STEPS and WANPROF_SPIKES of schemas/wanprof.sql (replacing earlier rows of the analyzer) and the views
 * WANPROF_STEP_TIMES (one row per step with its seconds and spike flag) and WANPROF_SPIKE_CAUSES. */
#ifndef WP_WRITEBACK_H
#define WP_WRITEBACK_H

#include "diag.h"
#include "explain.h"

/* WP_OK when path can be written back into (a SQLite file), else WP_ERR_FORMAT with diag set: checked before the
 * analysis, so nothing is analysed (or written) for a file that cannot take the result. */
int wp_writeback_check(const char *path, wp_diag *diag);
/* Writes e into path in one transaction, with the file's triggers disabled, defensive mode on, trusted_schema off,
 * and a busy timeout of 10 s for another process's lock. Returns WP_OK, or WP_ERR_FORMAT when path is not a SQLite
 * file, WP_ERR_IO on a database error (diag set; nothing written). */
int wp_writeback_sqlite(const char *path, const wp_explain *e, wp_diag *diag);

#endif
