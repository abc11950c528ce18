/* model_impl.h: what the files of model/ share and the API does not show: error formatting, JSON files, the
 * transformer config parser, the Wan -> diffusers name mapping and the weights' file names. */
#ifndef WP_MODEL_IMPL_H
#define WP_MODEL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "wpmodel.h"

/* Formats into err (when err is not NULL) and returns -1, so callers can write `return model_err(err, ...)`. */
int model_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends "; "-separated text to note (capacity notelen), cutting it when full. */
void model_note(char *note, size_t notelen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads and parses a JSON file of at most max_bytes: the root (the caller frees it with cJSON_Delete), or NULL with
 * err naming the file and, for a syntax error, the byte offset. A missing file is -1/ENOENT-style: *missing set to 1
 * (when missing is not NULL) and err filled too. */
cJSON *model_json_load(const char *path, size_t max_bytes, int *missing, char *err, size_t errlen);
/* An integer-valued JSON number in [lo, hi] -> *out; 0, or -1 (not a number, not whole, out of range). */
int model_json_int(const cJSON *item, int64_t lo, int64_t hi, int64_t *out);
/* "null", "true", "a string", "a number", "an array", "an object": for messages. */
const char *model_json_kind(const cJSON *item);

/* Parses a WanTransformer3DModel config object (diffusers' transformer/config.json, or the "transformer" object of
 * ours) into cfg's transformer fields. Keys absent take diffusers' defaults (the A14B values), listed in cfg->note.
 * where: the file and place for messages. */
int model_parse_transformer(const cJSON *obj, const char *where, wp_model_config *cfg, char *err, size_t errlen);
/* A diffusers model directory (path holds transformer/config.json). */
int model_load_diffusers_dir(const char *path, wp_model_config *cfg, char *err, size_t errlen);

/* Maps an original-Wan tensor name to its diffusers name into out (outlen bytes). Returns 1 mapped, 0 when name has
 * no Wan part (copied unchanged), -1 when out is too small. */
int model_wan_to_diffusers(const char *name, char *out, size_t outlen);
/* 1 when the name uses a part only original Wan naming has (self_attn., modulation, head.head, ...), 2 when a part
 * only diffusers naming has (attn1., condition_embedder., scale_shift_table, ...), 0 when neither (patch_embedding). */
int model_name_kind(const char *name);

/* The name a tensor of w has in its file (original Wan naming, or the diffusers name itself). */
const char *model_weights_original_name(const wp_weights *w, const wp_st_tensor *t);
/* The path w was opened with (a directory or a file). */
const char *model_weights_path(const wp_weights *w);
/* "(5120, 16, 1, 2, 2)" into out. */
void model_format_shape(char *out, size_t outlen, const int64_t *shape, int ndim);

#endif
