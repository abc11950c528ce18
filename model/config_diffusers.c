/* config_diffusers.c: a diffusers Wan2.2 model directory as a model config. The transformer settings come from
 * transformer/config.json (transformer_2/config.json, the low-noise expert, must say the same); boundary_ratio from
 * model_index.json; flow_shift from scheduler/scheduler_config.json; z_dim and the VAE stride from vae/config.json.
 * A missing optional piece takes the A14B value and cfg->note says so. Guidance scales and the text length are
 * arguments of the pipeline call, not stored in the directory: always A14B's, noted. */
#include <libgen.h>
#include <stdio.h>
#include <string.h>

#include "model_impl.h"
#include "schedule.h"

#define DIR_FILE_MAX_BYTES (1u << 20)

/* Loads DIR/rel; NULL with *missing = 1 when it does not exist (not an error for optional pieces). */
static cJSON *load_piece(const char *dir, const char *rel, char *path, size_t pathlen, int *missing, char *err,
                         size_t errlen)
{
    snprintf(path, pathlen, "%s/%s", dir, rel);
    cJSON *root = model_json_load(path, DIR_FILE_MAX_BYTES, missing, err, errlen);
    if (root && !cJSON_IsObject(root)) {
        model_err(err, errlen, "%s: %s, expected a JSON object", path, model_json_kind(root));
        cJSON_Delete(root);
        *missing = 0;
        return NULL;
    }
    return root;
}

/* transformer_2 must describe the same shapes as transformer: one expert's weights fit the other's buffers. */
static int same_transformer(const wp_model_config *a, const wp_model_config *b, const char *path, char *err,
                            size_t errlen)
{
    const struct { const char *key; int x, y; } f[] = {
        {"num_attention_heads", a->heads, b->heads}, {"attention_head_dim", a->head_dim, b->head_dim},
        {"num_layers", a->layers, b->layers}, {"ffn_dim", a->ffn_dim, b->ffn_dim}, {"freq_dim", a->freq_dim, b->freq_dim},
        {"text_dim", a->text_dim, b->text_dim}, {"in_channels", a->in_channels, b->in_channels},
        {"out_channels", a->out_channels, b->out_channels}, {"cross_attn_norm", a->cross_attn_norm, b->cross_attn_norm},
        {"rope_max_seq_len", a->rope_max_seq_len, b->rope_max_seq_len}, {"patch_size[0]", a->patch[0], b->patch[0]},
        {"patch_size[1]", a->patch[1], b->patch[1]}, {"patch_size[2]", a->patch[2], b->patch[2]},
    };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (f[i].x != f[i].y)
            return model_err(err, errlen, "%s: \"%s\" is %d but transformer/config.json says %d: the two experts "
                             "must have the same shapes", path, f[i].key, f[i].y, f[i].x);
    if (a->eps != b->eps)
        return model_err(err, errlen, "%s: \"eps\" is %g but transformer/config.json says %g", path, b->eps, a->eps);
    return 0;
}

static int load_experts(const char *dir, wp_model_config *cfg, char *err, size_t errlen)
{
    char path[4200];
    int missing;
    cJSON *t = load_piece(dir, "transformer/config.json", path, sizeof(path), &missing, err, errlen);
    if (!t)
        return missing ? model_err(err, errlen, "%s: no transformer/config.json: not a diffusers model directory "
                                   "(give the directory that holds transformer/ and model_index.json)", dir) : -1;
    int rc = model_parse_transformer(t, path, cfg, err, errlen);
    cJSON_Delete(t);
    if (rc != 0)
        return -1;
    cJSON *t2 = load_piece(dir, "transformer_2/config.json", path, sizeof(path), &missing, err, errlen);
    if (!t2) {
        if (!missing)
            return -1;
        cfg->experts = 1; /* no low-noise expert in this directory */
        model_note(cfg->note, sizeof(cfg->note), "no transformer_2/config.json: one expert");
        return 0;
    }
    wp_model_config low = *cfg;
    rc = model_parse_transformer(t2, path, &low, err, errlen);
    cJSON_Delete(t2);
    if (rc != 0)
        return -1;
    cfg->experts = 2;
    return same_transformer(cfg, &low, path, err, errlen);
}

static int load_boundary(const char *dir, wp_model_config *cfg, char *err, size_t errlen)
{
    char path[4200];
    int missing;
    cJSON *root = load_piece(dir, "model_index.json", path, sizeof(path), &missing, err, errlen);
    if (!root && !missing)
        return -1;
    const cJSON *b = root ? cJSON_GetObjectItemCaseSensitive(root, "boundary_ratio") : NULL;
    int rc = 0;
    if (b && !cJSON_IsNull(b)) {
        if (!cJSON_IsNumber(b) || !(b->valuedouble >= 0 && b->valuedouble <= 1))
            rc = model_err(err, errlen, "%s: \"boundary_ratio\" must be a number from 0 to 1 (or null)", path);
        else
            cfg->boundary_ratio = b->valuedouble;
    } else if (cfg->experts == 2) {
        model_note(cfg->note, sizeof(cfg->note), "%s, took boundary_ratio %g (A14B)",
                   root ? "no boundary_ratio in model_index.json" : "no model_index.json", cfg->boundary_ratio);
    }
    cJSON_Delete(root);
    return rc;
}

static int load_shift(const char *dir, wp_model_config *cfg, char *err, size_t errlen)
{
    char path[4200];
    int missing;
    cJSON *root = load_piece(dir, "scheduler/scheduler_config.json", path, sizeof(path), &missing, err, errlen);
    if (!root && !missing)
        return -1;
    const cJSON *s = root ? cJSON_GetObjectItemCaseSensitive(root, "flow_shift") : NULL;
    int rc = 0;
    if (s) {
        if (!cJSON_IsNumber(s) || !(s->valuedouble >= WP_SCHEDULE_MIN_SHIFT && s->valuedouble <= WP_SCHEDULE_MAX_SHIFT))
            rc = model_err(err, errlen, "%s: \"flow_shift\" must be a number from %g to %g", path,
                           WP_SCHEDULE_MIN_SHIFT, WP_SCHEDULE_MAX_SHIFT);
        else
            cfg->flow_shift = s->valuedouble;
    } else {
        model_note(cfg->note, sizeof(cfg->note), "%s, took flow_shift %g (A14B)",
                   root ? "no flow_shift in scheduler/scheduler_config.json" : "no scheduler/scheduler_config.json",
                   cfg->flow_shift);
    }
    cJSON_Delete(root);
    return rc;
}

/* The pipeline's latent stride: temporal 2^(downsampling steps that are temporal), spatial 2^(all steps). */
static int load_vae(const char *dir, wp_model_config *cfg, char *err, size_t errlen)
{
    char path[4200];
    int missing;
    cJSON *root = load_piece(dir, "vae/config.json", path, sizeof(path), &missing, err, errlen);
    if (!root) {
        if (!missing)
            return -1;
        model_note(cfg->note, sizeof(cfg->note), "no vae/config.json, took z_dim %d and vae_stride [%d, %d, %d] (A14B)",
                   cfg->z_dim, cfg->vae_stride[0], cfg->vae_stride[1], cfg->vae_stride[2]);
        return 0;
    }
    int rc = 0;
    int64_t z;
    const cJSON *zj = cJSON_GetObjectItemCaseSensitive(root, "z_dim");
    const cJSON *down = cJSON_GetObjectItemCaseSensitive(root, "temperal_downsample"); /* diffusers' spelling */
    if (zj && model_json_int(zj, 1, 4096, &z) != 0)
        rc = model_err(err, errlen, "%s: \"z_dim\" must be a whole number from 1 to 4096", path);
    else if (zj)
        cfg->z_dim = (int)z;
    if (rc == 0 && down) {
        int n = cJSON_IsArray(down) ? cJSON_GetArraySize(down) : -1, t = 0;
        for (int i = 0; i >= 0 && i < n; i++) {
            const cJSON *d = cJSON_GetArrayItem(down, i);
            if (!cJSON_IsBool(d))
                n = -1;
            else
                t += cJSON_IsTrue(d);
        }
        if (n < 0 || n > 6)
            rc = model_err(err, errlen, "%s: \"temperal_downsample\" must be an array of at most 6 true/false", path);
        else
            cfg->vae_stride[0] = 1 << t, cfg->vae_stride[1] = cfg->vae_stride[2] = 1 << n;
    }
    if (rc == 0 && (!zj || !down))
        model_note(cfg->note, sizeof(cfg->note), "%s lacks %s, took A14B's", path, !zj ? "z_dim" : "temperal_downsample");
    cJSON_Delete(root);
    return rc;
}

int model_load_diffusers_dir(const char *path, wp_model_config *cfg, char *err, size_t errlen)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') /* "MODEL/" names files as "MODEL/x" */
        dir[--len] = '\0';
    if (load_experts(dir, cfg, err, errlen) || load_boundary(dir, cfg, err, errlen) ||
        load_shift(dir, cfg, err, errlen) || load_vae(dir, cfg, err, errlen))
        return -1;
    snprintf(cfg->name, sizeof(cfg->name), "%s", basename(dir));
    if (cfg->experts == 1)
        cfg->guidance[1] = cfg->guidance[0];
    model_note(cfg->note, sizeof(cfg->note), "guidance_scale [%g, %g] and text_len %d are the pipeline's arguments, "
               "not stored in a diffusers model: A14B's", cfg->guidance[0], cfg->guidance[1], cfg->text_len);
    return 0;
}
