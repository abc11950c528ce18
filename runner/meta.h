/* meta.h: the run's metadata recorded into the profile: an NVTX instant mark in the domain "wanprof" named
 * "meta config JSON", which the collector stores as the output's metadata "config" (cupti_collector/nvtx.c), so that
 * `wanprof explain` checks the schedule without being told (schemas/runner_meta.schema.json). */
#ifndef WP_RUNNER_META_H
#define WP_RUNNER_META_H

#include "dit.h"
#include "loop.h"
#include "offload.h"

typedef struct wp_run_meta {
    const wp_model_config *cfg;
    const wp_loop_params *loop;
    const wp_dit_shape *shape;
    wp_dtype dt;
    const char *attention;
    const wp_offload_options *offload;
    int world_size;
    const wp_dit_weight_sizes *weights; /* one expert's bytes, as placed on the device */
} wp_run_meta;

/* The metadata as one line of JSON (malloc'ed; NULL when out of memory). */
char *wp_run_meta_json(const wp_run_meta *m);
/* Emits it as the NVTX mark. 0, or -1 when out of memory. */
int wp_run_meta_mark(const wp_run_meta *m);

#endif
