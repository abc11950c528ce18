/* json_copies.h: the copies-by-direction-and-memory table as explain and diff print it in --json. */
#ifndef WP_JSON_COPIES_H
#define WP_JSON_COPIES_H

#include "../analyzer/stepstats.h"
#include "json_out.h"

/* An array of {direction, host_memory, count, bytes, seconds, bandwidth_gbps}, one per non-empty cell. */
void json_copy_table(json_out *j, const wp_copy_stat copy[WP_DIR_COUNT][WP_HMEM_COUNT]);

#endif
