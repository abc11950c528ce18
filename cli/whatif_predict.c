/* whatif_predict.c: see whatif_predict.h. */
#include "whatif_predict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine_file.h"

/* The machine's text and where it came from: machine_path, the trace's metadata (the main rank's process first), or
 * the cache. */
static char *machine_text(const char *machine_path, const wp_analysis *a, uint32_t proc, cli_whatif *out,
                          wp_diag *diag)
{
    char *where = out->machine_from;
    size_t n = sizeof(out->machine_from);
    int exists = 0;
    if (machine_path) {
        snprintf(where, n, "%s", machine_path);
        return wp_machine_file_text(machine_path, &exists, diag);
    }
    const wp_run_proc *p = wp_run_proc_find(&a->run, proc);
    for (uint32_t i = 0; !(p && p->machine) && i < a->run.nprocs; i++)
        p = &a->run.procs[i];
    if (p && p->machine) {
        snprintf(where, n, "the trace's metadata");
        return strdup(p->machine);
    }
    char path[4096];
    if (wp_machine_cache_path(path, sizeof(path), diag)) {
        char *text = wp_machine_file_load(path, &exists, diag);
        if (text) {
            snprintf(where, n, "%s", path);
            return text;
        }
    }
    out->no_machine = !exists;
    wp_diag_error(diag, WP_ERR_USAGE,
                  "no machine figures: the trace carries none and %s; run `wanprof calibrate` on the machine, or "
                  "give --machine FILE",
                  exists ? "the cached calibration cannot be read" : "nothing is cached on this machine");
    return NULL;
}

int cli_whatif_predict(const wp_analysis *a, const wp_loop_overrides *ov, const char *machine_path, int sharing,
                       int use_trace, cli_whatif *out, wp_diag *diag)
{
    memset(out, 0, sizeof(*out));
    int rc = wp_loop_facts_get(a, ov, &out->facts, diag);
    if (rc != WP_OK)
        return rc;
    char *text = machine_text(machine_path, a, out->facts.proc, out, diag);
    if (!text)
        return WP_ERR_IO;
    rc = wp_machine_parse(text, out->machine_from, &out->machine, diag) != 0 ? WP_ERR_FORMAT : WP_OK;
    free(text);
    if (rc == WP_OK)
        rc = wp_whatif_run(&out->facts, &out->machine, sharing ? sharing : out->facts.ranks, use_trace, &out->w,
                           diag);
    return rc;
}

void cli_whatif_free(cli_whatif *out) { wp_loop_facts_free(&out->facts); }
