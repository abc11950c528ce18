/* config_transformer.c: the WanTransformer3DModel settings, exactly the keys of diffusers' transformer/config.json
 * (the __init__ arguments of WanTransformer3DModel in diffusers' transformer_wan.py, plus its "_class_name" and
 * "_diffusers_version"). Keys for image conditioning (I2V) must be null: this is the text-to-video model. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model_impl.h"

enum key_kind {
    K_INT,        /* a whole number in [lo, hi] */
    K_INT_OR_NULL, /* out_channels: null means in_channels, as in diffusers */
    K_PATCH,      /* [t, h, w], each in [lo, hi] */
    K_BOOL,
    K_EPS,        /* a number in (0, 1) */
    K_QK_NORM,    /* "rms_norm_across_heads" (the only one WanAttention builds) */
    K_NULL,       /* must be null (or absent) */
    K_CLASS,      /* "WanTransformer3DModel" */
    K_STRING,     /* any string (a version) */
};

enum key_id {
    KEY_PATCH, KEY_HEADS, KEY_HEAD_DIM, KEY_IN, KEY_OUT, KEY_TEXT_DIM, KEY_FREQ_DIM, KEY_FFN, KEY_LAYERS,
    KEY_CROSS_NORM, KEY_QK_NORM, KEY_EPS, KEY_ROPE_LEN, KEY_IMAGE_DIM, KEY_ADDED_KV, KEY_POS_EMBED, KEY_CLASS,
    KEY_VERSION, KEY_COUNT
};

static const struct tkey {
    const char *name;
    enum key_kind kind;
    int64_t lo, hi;
    int noted; /* 1: a missing value is worth a note (it shapes the model) */
} keys[KEY_COUNT] = {
    [KEY_PATCH] = {"patch_size", K_PATCH, 1, 16, 1},
    [KEY_HEADS] = {"num_attention_heads", K_INT, 1, 1024, 1},
    [KEY_HEAD_DIM] = {"attention_head_dim", K_INT, 2, 1024, 1},
    [KEY_IN] = {"in_channels", K_INT, 1, 4096, 1},
    [KEY_OUT] = {"out_channels", K_INT_OR_NULL, 1, 4096, 1},
    [KEY_TEXT_DIM] = {"text_dim", K_INT, 1, 65536, 1},
    [KEY_FREQ_DIM] = {"freq_dim", K_INT, 2, 65536, 1},
    [KEY_FFN] = {"ffn_dim", K_INT, 1, 1 << 20, 1},
    [KEY_LAYERS] = {"num_layers", K_INT, 1, 1024, 1},
    [KEY_CROSS_NORM] = {"cross_attn_norm", K_BOOL, 0, 1, 1},
    [KEY_QK_NORM] = {"qk_norm", K_QK_NORM, 0, 0, 1},
    [KEY_EPS] = {"eps", K_EPS, 0, 0, 1},
    [KEY_ROPE_LEN] = {"rope_max_seq_len", K_INT, 1, 1 << 20, 1},
    [KEY_IMAGE_DIM] = {"image_dim", K_NULL, 0, 0, 0},
    [KEY_ADDED_KV] = {"added_kv_proj_dim", K_NULL, 0, 0, 0},
    [KEY_POS_EMBED] = {"pos_embed_seq_len", K_NULL, 0, 0, 0},
    [KEY_CLASS] = {"_class_name", K_CLASS, 0, 0, 0},
    [KEY_VERSION] = {"_diffusers_version", K_STRING, 0, 0, 0},
};

static int find_key(const char *name)
{
    for (int i = 0; i < KEY_COUNT; i++)
        if (strcmp(keys[i].name, name) == 0)
            return i;
    return -1;
}

/* The int field a key sets (NULL for keys that set none or more than one). */
static int *int_field(wp_model_config *cfg, int id)
{
    switch (id) {
    case KEY_HEADS: return &cfg->heads;
    case KEY_HEAD_DIM: return &cfg->head_dim;
    case KEY_IN: return &cfg->in_channels;
    case KEY_OUT: return &cfg->out_channels;
    case KEY_TEXT_DIM: return &cfg->text_dim;
    case KEY_FREQ_DIM: return &cfg->freq_dim;
    case KEY_FFN: return &cfg->ffn_dim;
    case KEY_LAYERS: return &cfg->layers;
    case KEY_ROPE_LEN: return &cfg->rope_max_seq_len;
    default: return NULL;
    }
}

/* One key's value into cfg; *out_null set when out_channels is null. */
static int parse_value(const cJSON *v, int id, const char *where, wp_model_config *cfg, int *out_null, char *err,
                       size_t errlen)
{
    const struct tkey *k = &keys[id];
    int64_t x;
    switch (k->kind) {
    case K_INT_OR_NULL:
        if (cJSON_IsNull(v)) {
            *out_null = 1;
            return 0;
        }
        /* fall through */
    case K_INT:
        if (model_json_int(v, k->lo, k->hi, &x) != 0)
            break;
        *int_field(cfg, id) = (int)x;
        return 0;
    case K_PATCH:
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 3)
            break;
        for (int i = 0; i < 3; i++) {
            if (model_json_int(cJSON_GetArrayItem(v, i), k->lo, k->hi, &x) != 0)
                return model_err(err, errlen, "%s: \"patch_size\" must be [t, h, w] of whole numbers from %lld to %lld",
                                 where, (long long)k->lo, (long long)k->hi);
            cfg->patch[i] = (int)x;
        }
        return 0;
    case K_BOOL:
        if (!cJSON_IsBool(v))
            break;
        cfg->cross_attn_norm = cJSON_IsTrue(v);
        return 0;
    case K_EPS:
        if (!cJSON_IsNumber(v) || !(v->valuedouble > 0 && v->valuedouble < 1))
            break;
        cfg->eps = v->valuedouble;
        return 0;
    case K_QK_NORM:
        if (cJSON_IsString(v) && strcmp(v->valuestring, "rms_norm_across_heads") == 0)
            return 0;
        return model_err(err, errlen, "%s: \"qk_norm\" is %s%s%s; this model needs \"rms_norm_across_heads\" (RMSNorm over "
                         "all heads, as WanAttention builds it)", where, cJSON_IsString(v) ? "\"" : model_json_kind(v),
                         cJSON_IsString(v) ? v->valuestring : "", cJSON_IsString(v) ? "\"" : "");
    case K_NULL:
        if (cJSON_IsNull(v))
            return 0;
        return model_err(err, errlen, "%s: \"%s\" is %s; it must be null: image conditioning (I2V) is not part of the "
                         "text-to-video model this runner implements", where, k->name, model_json_kind(v));
    case K_CLASS:
        if (cJSON_IsString(v) && strcmp(v->valuestring, "WanTransformer3DModel") == 0)
            return 0;
        return model_err(err, errlen, "%s: \"_class_name\" is %s%s%s; expected \"WanTransformer3DModel\"", where,
                         cJSON_IsString(v) ? "\"" : model_json_kind(v), cJSON_IsString(v) ? v->valuestring : "",
                         cJSON_IsString(v) ? "\"" : "");
    case K_STRING:
        if (cJSON_IsString(v))
            return 0;
        return model_err(err, errlen, "%s: \"%s\" is %s, expected a string", where, k->name, model_json_kind(v));
    }
    if (k->kind == K_BOOL)
        return model_err(err, errlen, "%s: \"%s\" is %s, expected true or false", where, k->name, model_json_kind(v));
    if (k->kind == K_EPS)
        return model_err(err, errlen, "%s: \"eps\" must be a number between 0 and 1 (exclusive)", where);
    if (k->kind == K_PATCH)
        return model_err(err, errlen, "%s: \"patch_size\" must be an array [t, h, w]", where);
    return model_err(err, errlen, "%s: \"%s\" must be a whole number from %lld to %lld%s", where, k->name,
                     (long long)k->lo, (long long)k->hi, k->kind == K_INT_OR_NULL ? " (or null)" : "");
}

/* What the fields imply together: dim = heads * head_dim in range, pairs for RoPE, cos/sin halves. */
static int check_transformer(const wp_model_config *cfg, const char *where, char *err, size_t errlen)
{
    if (cfg->dim > 65536)
        return model_err(err, errlen, "%s: num_attention_heads %d x attention_head_dim %d = %d is above 65536", where,
                         cfg->heads, cfg->head_dim, cfg->dim);
    if (cfg->head_dim % 2)
        return model_err(err, errlen, "%s: attention_head_dim %d is odd; RoPE rotates pairs of channels", where,
                         cfg->head_dim);
    if (cfg->freq_dim % 2)
        return model_err(err, errlen, "%s: freq_dim %d is odd; the timestep embedding is half cos, half sin", where,
                         cfg->freq_dim);
    return 0;
}

int model_parse_transformer(const cJSON *obj, const char *where, wp_model_config *cfg, char *err, size_t errlen)
{
    if (!cJSON_IsObject(obj))
        return model_err(err, errlen, "%s: the transformer config is %s, expected an object", where,
                         model_json_kind(obj));
    unsigned seen = 0;
    int out_null = 0;
    for (const cJSON *v = obj->child; v; v = v->next) {
        int id = v->string ? find_key(v->string) : -1;
        if (id < 0)
            return model_err(err, errlen, "%s: unknown key \"%s\": not a WanTransformer3DModel setting (diffusers' "
                             "transformer/config.json keys only)", where, v->string ? v->string : "");
        if (seen & (1u << id))
            return model_err(err, errlen, "%s: \"%s\" appears twice", where, v->string);
        seen |= 1u << id;
        if (parse_value(v, id, where, cfg, &out_null, err, errlen) != 0)
            return -1;
    }
    wp_model_config a14b;
    wp_model_config_a14b(&a14b);
    char missing[512] = "";
    for (int id = 0; id < KEY_COUNT; id++) {
        if ((seen & (1u << id)) || !keys[id].noted)
            continue;
        /* diffusers' own defaults for a missing key are the A14B values */
        int *f = int_field(cfg, id);
        if (f)
            *f = *int_field(&a14b, id);
        else if (id == KEY_PATCH)
            memcpy(cfg->patch, a14b.patch, sizeof(cfg->patch));
        else if (id == KEY_CROSS_NORM)
            cfg->cross_attn_norm = a14b.cross_attn_norm;
        else if (id == KEY_EPS)
            cfg->eps = a14b.eps;
        size_t used = strlen(missing);
        snprintf(missing + used, sizeof(missing) - used, "%s\"%s\"", used ? ", " : "", keys[id].name);
    }
    if (missing[0])
        model_note(cfg->note, sizeof(cfg->note), "%s: no %s, took diffusers' defaults (A14B's)", where, missing);
    if (out_null)
        cfg->out_channels = cfg->in_channels;
    cfg->dim = cfg->heads * cfg->head_dim; /* both at most 1024: no overflow; its range checked next */
    cfg->rope_theta = 10000.0;
    return check_transformer(cfg, where, err, errlen);
}
