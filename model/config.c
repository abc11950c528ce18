/* config.c: wp_model_config_load: our model config format (schemas/model_config.schema.json), a bare diffusers
 * transformer config.json, or a diffusers model directory (config_diffusers.c). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "model_impl.h"
#include "schedule.h"

/* Config files are a few hundred bytes; the limit keeps a wrong path (a weights file) from being read whole. */
#define CONFIG_MAX_BYTES (1u << 20)

void wp_model_config_a14b(wp_model_config *cfg)
{
    /* Wan2.2-T2V-A14B: wan/configs/wan_t2v_A14B.py and diffusers' Wan2.2-T2V-A14B transformer config */
    *cfg = (wp_model_config){
        .name = "wan2.2-t2v-a14b", .dim = 5120, .heads = 40, .head_dim = 128, .layers = 40, .ffn_dim = 13824,
        .freq_dim = 256, .text_dim = 4096, .in_channels = 16, .out_channels = 16, .patch = {1, 2, 2}, .eps = 1e-6,
        .cross_attn_norm = 1, .rope_max_seq_len = 1024, .rope_theta = 10000.0, .experts = 2, .boundary_ratio = 0.875,
        .guidance = {4.0, 3.0}, .flow_shift = 12.0, .text_len = 512, .vae_stride = {4, 8, 8}, .z_dim = 16,
    };
}

enum top_id { TOP_NAME, TOP_DESCRIPTION, TOP_TRANSFORMER, TOP_EXPERTS, TOP_BOUNDARY, TOP_GUIDANCE, TOP_SHIFT,
              TOP_TEXT_LEN, TOP_VAE_STRIDE, TOP_Z_DIM, TOP_COUNT };
static const char *const top_keys[TOP_COUNT] = {
    "name", "description", "transformer", "experts", "boundary_ratio", "guidance_scale", "flow_shift",
    "text_len", "vae_stride", "z_dim",
};

static int top_key(const char *s)
{
    for (int i = 0; s && i < TOP_COUNT; i++)
        if (strcmp(top_keys[i], s) == 0)
            return i;
    return -1;
}

static int bad_int(const char *path, const char *key, int64_t lo, int64_t hi, char *err, size_t errlen)
{
    return model_err(err, errlen, "%s: \"%s\" must be a whole number from %lld to %lld", path, key, (long long)lo,
                     (long long)hi);
}

/* A number in [lo, hi] into *out. */
static int get_number(const cJSON *v, const char *path, const char *key, double lo, double hi, double *out, char *err,
                      size_t errlen)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
        return model_err(err, errlen, "%s: \"%s\" must be a number from %g to %g", path, key, lo, hi);
    *out = v->valuedouble;
    return 0;
}

static int get_int(const cJSON *v, const char *path, const char *key, int64_t lo, int64_t hi, int *out, char *err,
                   size_t errlen)
{
    int64_t x;
    if (model_json_int(v, lo, hi, &x) != 0)
        return bad_int(path, key, lo, hi, err, errlen);
    *out = (int)x;
    return 0;
}

static int parse_top(const cJSON *v, int id, const char *path, wp_model_config *cfg, char *err, size_t errlen)
{
    const char *key = top_keys[id];
    switch (id) {
    case TOP_NAME:
        if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= sizeof(cfg->name))
            return model_err(err, errlen, "%s: \"name\" must be a string of 1 to %zu characters", path,
                             sizeof(cfg->name) - 1);
        snprintf(cfg->name, sizeof(cfg->name), "%s", v->valuestring);
        return 0;
    case TOP_DESCRIPTION:
        return cJSON_IsString(v) ? 0 : model_err(err, errlen, "%s: \"description\" must be a string", path);
    case TOP_TRANSFORMER: {
        char where[4200];
        snprintf(where, sizeof(where), "%s: transformer", path);
        return model_parse_transformer(v, where, cfg, err, errlen);
    }
    case TOP_EXPERTS: return get_int(v, path, key, 1, 2, &cfg->experts, err, errlen);
    case TOP_BOUNDARY: return get_number(v, path, key, 0.0, 1.0, &cfg->boundary_ratio, err, errlen);
    case TOP_SHIFT:
        return get_number(v, path, key, WP_SCHEDULE_MIN_SHIFT, WP_SCHEDULE_MAX_SHIFT, &cfg->flow_shift, err, errlen);
    case TOP_TEXT_LEN: return get_int(v, path, key, 1, 65536, &cfg->text_len, err, errlen);
    case TOP_Z_DIM: return get_int(v, path, key, 1, 4096, &cfg->z_dim, err, errlen);
    case TOP_VAE_STRIDE:
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
            return model_err(err, errlen, "%s: \"vae_stride\" must be an array [t, h, w]", path);
        for (int i = 0; i < 3; i++)
            if (get_int(cJSON_GetArrayItem(v, i), path, "vae_stride[]", 1, 64, &cfg->vae_stride[i], err, errlen))
                return -1;
        return 0;
    case TOP_GUIDANCE: /* checked against "experts" once every key is read */
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) < 1 || cJSON_GetArraySize(v) > 2)
            return model_err(err, errlen, "%s: \"guidance_scale\" must be an array of one number per expert", path);
        for (int i = 0; i < cJSON_GetArraySize(v); i++)
            if (get_number(cJSON_GetArrayItem(v, i), path, "guidance_scale[]", 0.0, 100.0, &cfg->guidance[i], err,
                           errlen))
                return -1;
        return 0;
    }
    return -1;
}

/* Our format: every key required ("description" excepted), no unknown key. */
static int load_ours(const cJSON *root, const char *path, wp_model_config *cfg, char *err, size_t errlen)
{
    unsigned seen = 0;
    int guidance_n = 0;
    for (const cJSON *v = root->child; v; v = v->next) {
        int id = top_key(v->string);
        if (id < 0)
            return model_err(err, errlen, "%s: unknown key \"%s\" (see schemas/model_config.schema.json)", path,
                             v->string ? v->string : "");
        if (seen & (1u << id))
            return model_err(err, errlen, "%s: \"%s\" appears twice", path, v->string);
        seen |= 1u << id;
        if (parse_top(v, id, path, cfg, err, errlen) != 0)
            return -1;
        if (id == TOP_GUIDANCE)
            guidance_n = cJSON_GetArraySize(v);
    }
    for (int id = 0; id < TOP_COUNT; id++)
        if (id != TOP_DESCRIPTION && !(seen & (1u << id)))
            return model_err(err, errlen, "%s: missing \"%s\" (see schemas/model_config.schema.json)", path,
                             top_keys[id]);
    if (guidance_n != cfg->experts)
        return model_err(err, errlen, "%s: \"guidance_scale\" has %d value%s for %d expert%s", path, guidance_n,
                         guidance_n == 1 ? "" : "s", cfg->experts, cfg->experts == 1 ? "" : "s");
    if (cfg->experts == 1)
        cfg->guidance[1] = cfg->guidance[0];
    return 0;
}

/* A bare diffusers transformer config.json: the rest is A14B's, and the note says so. */
static int load_transformer_only(const cJSON *root, const char *path, wp_model_config *cfg, char *err, size_t errlen)
{
    if (model_parse_transformer(root, path, cfg, err, errlen) != 0)
        return -1;
    snprintf(cfg->name, sizeof(cfg->name), "diffusers-transformer");
    model_note(cfg->note, sizeof(cfg->note), "%s is a transformer config only: experts, boundary_ratio, "
               "guidance_scale, flow_shift, text_len, vae_stride and z_dim are A14B's", path);
    return 0;
}

static int load_file(const char *path, wp_model_config *cfg, char *err, size_t errlen)
{
    cJSON *root = model_json_load(path, CONFIG_MAX_BYTES, NULL, err, errlen);
    if (!root)
        return -1;
    int rc;
    if (!cJSON_IsObject(root))
        rc = model_err(err, errlen, "%s: the config is %s, expected a JSON object", path, model_json_kind(root));
    else if (cJSON_GetObjectItemCaseSensitive(root, "transformer") || cJSON_GetObjectItemCaseSensitive(root, "name"))
        rc = load_ours(root, path, cfg, err, errlen);
    else if (cJSON_GetObjectItemCaseSensitive(root, "_class_name") ||
             cJSON_GetObjectItemCaseSensitive(root, "num_attention_heads"))
        rc = load_transformer_only(root, path, cfg, err, errlen);
    else
        rc = model_err(err, errlen, "%s: neither a model config (no \"name\", no \"transformer\") nor a diffusers "
                       "transformer config.json (no \"_class_name\")", path);
    cJSON_Delete(root);
    return rc;
}

int wp_model_config_load(const char *path, wp_model_config *cfg, char *err, size_t errlen)
{
    wp_model_config_a14b(cfg);
    cfg->note[0] = '\0';
    struct stat sb;
    if (!path || stat(path, &sb) != 0)
        return model_err(err, errlen, "%s: no such file or directory", path ? path : "(null)");
    int rc = S_ISDIR(sb.st_mode) ? model_load_diffusers_dir(path, cfg, err, errlen)
                                 : load_file(path, cfg, err, errlen);
    if (rc != 0)
        memset(cfg, 0, sizeof(*cfg)); /* no half-filled config on failure */
    else if (err && errlen)
        err[0] = '\0'; /* an optional piece that was missing left its message */
    return rc;
}
