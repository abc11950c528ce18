/* loopfacts_sources.c: where a recorded loop's weights and offload mode come from (see loopfacts_impl.h): the
 * runner's metadata, a model config, or the copies the run made. */
#include "loopfacts_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "notes.h"
#include "spikes.h"
#include "wpmodel.h"

#define note(f, ...) wp_note_add((f)->notes, sizeof((f)->notes), __VA_ARGS__)

static double num(const cJSON *o, const char *key, double fallback)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : fallback;
}

/* The runner's metadata ("meta config"): mode, blocks, forwards, ranks and, from runners that record it, what the
 * weights weigh. Returns 1 when the trace has it (expert_bytes stays 0 for an older runner's). */
int wp_loop_from_metadata(const char *json, wp_loop_facts *f)
{
    cJSON *root = json ? cJSON_Parse(json) : NULL;
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(root, "offload");
    if (!cJSON_IsObject(off)) {
        cJSON_Delete(root);
        return 0;
    }
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(off, "mode");
    const cJSON *mem = cJSON_GetObjectItemCaseSensitive(off, "host_memory");
    const char *m = cJSON_IsString(mode) ? mode->valuestring : "";
    f->recorded.kind = strcmp(m, "model") == 0 ? WP_MODE_MODEL : strcmp(m, "layerwise") == 0 ? WP_MODE_LAYERWISE
                                                                                           : WP_MODE_NONE;
    f->recorded.pinned = cJSON_IsString(mem) && strcmp(mem->valuestring, "pinned") == 0;
    f->recorded.prefetch = (int)num(off, "prefetch", 1);
    f->recorded.layer_sync = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(off, "layer_sync"));
    snprintf(f->recorded_from, sizeof(f->recorded_from), "the runner's metadata");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(root, "weights");
    if (cJSON_IsObject(w)) {
        f->expert_bytes = num(w, "expert_bytes", 0);
        f->block_bytes = num(w, "block_bytes", 0);
        f->nonblock_bytes = num(w, "nonblock_bytes", 0);
        f->small_copies = num(w, "tensors", 0); /* the large ones are taken out once the blocks are known */
        snprintf(f->weights_from, sizeof(f->weights_from), "the runner's metadata");
    }
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
    f->blocks = (int)num(model, "layers", 0);
    f->experts = (int)num(model, "experts", 2);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "guidance");
    int cfg = 0;
    for (const cJSON *x = g ? g->child : NULL; x; x = x->next)
        cfg |= cJSON_IsNumber(x) && x->valuedouble != 1.0;
    f->forwards = cfg ? 2 : 1;
    f->ranks = (int)num(root, "world_size", 1);
    cJSON_Delete(root);
    return 1;
}

/* The weights' sizes from a model config, as diffusers holds them: bf16, the modules it keeps in fp32 in fp32. */
int wp_loop_from_model_config(const char *path, wp_loop_facts *f, wp_diag *diag)
{
    wp_model_config cfg;
    char err[512];
    if (wp_model_config_load(path, &cfg, err, sizeof(err)))
        return wp_diag_error(diag, WP_ERR_FORMAT, "%s", err);
    wp_param_spec *specs = NULL;
    size_t n = wp_model_param_specs(&cfg, &specs);
    if (!n)
        return WP_ERR_NOMEM;
    double block = 0, rest = 0;
    for (size_t i = 0; i < n; i++) {
        double bytes = (double)wp_param_numel(&specs[i]) * (specs[i].keep_fp32 ? 4 : 2);
        if (strncmp(specs[i].name, "blocks.", 7) == 0)
            block += bytes;
        else
            rest += bytes;
    }
    free(specs);
    f->blocks = cfg.layers;
    f->experts = cfg.experts;
    f->block_bytes = block / cfg.layers;
    f->nonblock_bytes = rest;
    f->expert_bytes = block + rest;
    f->small_copies = (double)n;
    snprintf(f->weights_from, sizeof(f->weights_from), "the model config %s (bf16, as diffusers loads it)", path);
    return WP_OK;
}

static double htod_bytes(const wp_step_stats *s)
{
    return (double)s->weight_htod_bytes;
}

static int htod_pinned(const wp_step_stats *s)
{
    return s->copy[WP_DIR_HTOD][WP_HMEM_PINNED].bytes > s->copy[WP_DIR_HTOD][WP_HMEM_PAGEABLE].bytes;
}

/* The weights from the copies, and (set_mode: the trace has no runner metadata) the mode: weight traffic in the
 * ordinary steps is layerwise streaming, with weights going back to the host in every one a group that round-trips
 * (diffusers' top level); whole experts moving only at the first step and the switch is model offload; no traffic
 * is none. */
void wp_loop_from_copies(const wp_rank_result *rr, const int *ordinary, int nord, int set_mode, wp_loop_facts *f)
{
    double *v = malloc((size_t)(nord ? nord : 1) * sizeof(*v));
    double streamed = 0, back = 0, moved = 0;
    int pinned_votes = 0, at = -1;
    if (v) {
        for (int i = 0; i < nord; i++) {
            v[i] = htod_bytes(&rr->stats[ordinary[i]]);
            pinned_votes += htod_pinned(&rr->stats[ordinary[i]]);
            back += (double)rr->stats[ordinary[i]].weight_dtoh_bytes / nord;
        }
        streamed = nord ? wp_median(v, nord) : 0;
        free(v);
    }
    for (int i = 0; i < rr->steps.count; i++)
        if (htod_bytes(&rr->stats[i]) > moved)
            moved = htod_bytes(&rr->stats[i]), at = i;
    if (set_mode) {
        snprintf(f->recorded_from, sizeof(f->recorded_from), "the copies seen (no runner metadata)");
        f->recorded.kind = streamed > 0 ? WP_MODE_LAYERWISE : moved > 0 ? WP_MODE_MODEL : WP_MODE_NONE;
        f->recorded.pinned = streamed > 0 ? pinned_votes * 2 > nord : at >= 0 && htod_pinned(&rr->stats[at]);
        f->recorded.prefetch = 1;
        f->recorded.rest_trips = streamed > 0 && back > 0;
        f->recorded.learns_order = f->recorded.rest_trips; /* the weights outside the blocks round-trip: diffusers */
        if (streamed > 0)
            note(f, "prefetch depth and per-layer sync cannot be seen in the copies: taken as prefetch 1, no sync");
    }
    if (f->expert_bytes > 0)
        return;
    if (f->recorded.kind == WP_MODE_LAYERWISE && streamed > 0) {
        f->expert_bytes = streamed / f->forwards;
        if (f->recorded.rest_trips)
            f->nonblock_bytes = back / f->forwards;
        snprintf(f->weights_from, sizeof(f->weights_from), "the weights copied in an ordinary step, per forward%s",
                 f->recorded.rest_trips ? "; those copied back, per forward, as the weights outside the blocks"
                                        : " (what is resident is not seen)");
    } else if (f->recorded.kind == WP_MODE_MODEL && at >= 0) {
        const wp_step_stats *s = &rr->stats[at];
        f->expert_bytes = moved;
        f->large_copies = s->weight_htod;
        f->small_copies =
            s->copy[WP_DIR_HTOD][WP_HMEM_PAGEABLE].count + s->copy[WP_DIR_HTOD][WP_HMEM_PINNED].count - f->large_copies;
        snprintf(f->weights_from, sizeof(f->weights_from),
                 "the host->GPU copies of step %d (%.0f tensor-sized, %.0f small)", at, f->large_copies,
                 f->small_copies);
    }
}
