/* whatif_predict.h: the what-if prediction of one analysed trace, as `wanprof whatif` and `wanprof report` both make
 * it: the loop's facts (analyzer/loopfacts.h), the machine's figures from --machine FILE, else the trace's metadata,
 * else this machine's cached calibration (machine_file.h), and every mode's prediction (analyzer/whatif.h). Shared so
 * that the report shows exactly what `wanprof whatif` prints. */
#ifndef WP_WHATIF_PREDICT_H
#define WP_WHATIF_PREDICT_H

#include <stddef.h>

#include "../analyzer/whatif.h"

typedef struct cli_whatif {
    wp_loop_facts facts;
    wp_machine machine;
    char machine_from[4200]; /* --machine's path, "the trace's metadata", or the cache file's path */
    int no_machine;          /* the failure was that no machine figures exist at all (nothing given or cached) */
    wp_whatif w;
} cli_whatif;

/* Predicts every mode for the main rank of a. machine_path: --machine FILE, or NULL to look in the trace's metadata
 * and then the cache. sharing: ranks per host, 0 for the trace's. use_trace: as wp_whatif_run's (copies of a kind
 * the run made at the run's rate). Returns WP_OK, or an error with diag saying what is missing (no_machine set when
 * that is the machine's figures). Free with cli_whatif_free whatever it returned; out may be large: allocate it. */
int cli_whatif_predict(const wp_analysis *a, const wp_loop_overrides *ov, const char *machine_path, int sharing,
                       int use_trace, cli_whatif *out, wp_diag *diag);
void cli_whatif_free(cli_whatif *out);

#endif
