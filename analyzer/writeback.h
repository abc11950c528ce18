/* writeback.h: stores an explanation's steps and spikes into a wanprof/nsys SQLite trace, as the tables
 * WANPROF_STEPS and WANPROF_SPIKES of schemas/wanprof.sql (replacing earlier rows of the analyzer) and the views
 * WANPROF_STEP_TIMES (one row per step with its seconds and spike flag) and WANPROF_SPIKE_CAUSES. */
#ifndef WP_WRITEBACK_H
#define WP_WRITEBACK_H

#include "diag.h"
#include "explain.h"

/* Returns WP_OK, or WP_ERR_FORMAT when path is not a SQLite file, WP_ERR_IO on a database error (diag set). */
int wp_writeback_sqlite(const char *path, const wp_explain *e, wp_diag *diag);

#endif
