/* meta.c: the run's metadata (see meta.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "marks.h"
#include "meta.h"
#include "version.h"


static cJSON *model_json(const wp_model_config *c) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->name);
    cJSON_AddNumberToObject(o, "dim", c->dim);
    cJSON_AddNumberToObject(o, "heads", c->heads);
    cJSON_AddNumberToObject(o, "head_dim", c->head_dim);
    cJSON_AddNumberToObject(o, "layers", c->layers);
    cJSON_AddNumberToObject(o, "ffn_dim", c->ffn_dim);
    cJSON_AddNumberToObject(o, "text_dim", c->text_dim);
    cJSON_AddNumberToObject(o, "experts", c->experts);
    return o;
}

char *wp_run_meta_json(const wp_run_meta *m) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "runner", "wanprof-runner");
    cJSON_AddStringToObject(root, "version", wp_version());
    cJSON_AddStringToObject(root, "git_revision", wp_revision());
    cJSON_AddItemToObject(root, "model", model_json(m->cfg));
    cJSON *s = cJSON_AddObjectToObject(root, "schedule");
    const wp_schedule_params *sp = &m->loop->schedule;
    cJSON_AddStringToObject(s, "sampler", wp_sampler_name(sp->sampler));
    cJSON_AddNumberToObject(s, "shift", sp->shift);
    cJSON_AddNumberToObject(s, "steps", sp->steps);
    cJSON_AddNumberToObject(s, "boundary", sp->boundary);
    cJSON_AddNumberToObject(s, "first_low_noise_step", wp_schedule_first_low(sp));
    cJSON *g = cJSON_AddArrayToObject(root, "guidance");
    cJSON_AddItemToArray(g, cJSON_CreateNumber(m->loop->guidance[0]));
    cJSON_AddItemToArray(g, cJSON_CreateNumber(m->loop->guidance[1]));
    cJSON_AddStringToObject(root, "precision", m->dt == WP_F32 ? "fp32" : "bf16");
    cJSON_AddStringToObject(root, "attention", m->attention);
    cJSON *off = cJSON_AddObjectToObject(root, "offload");
    cJSON_AddStringToObject(off, "mode", wp_offload_mode_name(m->offload->mode));
    cJSON_AddStringToObject(off, "host_memory", m->offload->pinned ? "pinned" : "pageable");
    cJSON_AddNumberToObject(off, "prefetch", m->offload->prefetch);
    cJSON_AddBoolToObject(off, "layer_sync", m->offload->layer_sync);
    cJSON *w = cJSON_AddObjectToObject(root, "weights");
    cJSON_AddNumberToObject(w, "expert_bytes", (double)m->weights->expert_bytes);
    cJSON_AddNumberToObject(w, "block_bytes", (double)m->weights->block_bytes);
    cJSON_AddNumberToObject(w, "nonblock_bytes", (double)m->weights->nonblock_bytes);
    cJSON_AddNumberToObject(w, "tensors", (double)m->weights->tensors);
    cJSON_AddNumberToObject(root, "world_size", m->world_size);
    int latent[4] = {m->shape->C, m->shape->F, m->shape->H, m->shape->W};
    cJSON_AddItemToObject(root, "latent", cJSON_CreateIntArray(latent, 4));
    cJSON_AddNumberToObject(root, "text_tokens", m->shape->text_tokens);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

int wp_run_meta_mark(const wp_run_meta *m) {
    char *json = wp_run_meta_json(m);
    if (!json) return -1;
    size_t n = strlen(json) + sizeof "meta config ";
    char *text = malloc(n);
    if (!text) {
        free(json);
        return -1;
    }
    snprintf(text, n, "meta config %s", json);
    wp_mark_instant(text);
    free(text);
    free(json);
    return 0;
}
