/* weights_check.c: do the weights of one expert fit a config? Every tensor of wp_model_param_specs present with its
 * exact shape in a float dtype, and (unless allowed) nothing else: the runner can then upload without checking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const wp_param_spec *const *)a)->name, (*(const wp_param_spec *const *)b)->name);
}

/* " (Wan name \"x\")" when the file names the tensor differently, else "". */
static void original_note(const wp_weights *w, const wp_st_tensor *t, char *out, size_t outlen)
{
    const char *orig = model_weights_original_name(w, t);
    if (orig && strcmp(orig, t->name) != 0)
        snprintf(out, outlen, " (Wan name \"%s\")", orig);
    else
        out[0] = '\0';
}

static int check_spec(const wp_weights *w, const wp_model_config *cfg, const wp_param_spec *s, const char *where,
                      char *err, size_t errlen)
{
    char want[160], got[160], orig[200];
    model_format_shape(want, sizeof(want), s->shape, s->ndim);
    const wp_st_tensor *t = wp_weights_find(w, s->name);
    if (!t)
        return model_err(err, errlen, "%s: tensor \"%s\" %s of %s is missing", where, s->name, want, cfg->name);
    original_note(w, t, orig, sizeof(orig));
    int same = t->ndim == s->ndim;
    for (int d = 0; same && d < s->ndim; d++)
        same = t->shape[d] == s->shape[d];
    if (!same) {
        model_format_shape(got, sizeof(got), t->shape, t->ndim);
        return model_err(err, errlen, "%s: tensor \"%s\"%s has shape %s, but %s needs %s", wp_weights_file_of(w, t),
                         s->name, orig, got, cfg->name, want);
    }
    if (!wp_st_dtype_size(t->dtype))
        return model_err(err, errlen, "%s: tensor \"%s\"%s is not F32, BF16 or F16", wp_weights_file_of(w, t), s->name,
                         orig);
    return 0;
}

int wp_weights_check(const wp_weights *w, const wp_model_config *cfg, int allow_extra, char *err, size_t errlen)
{
    wp_param_spec *specs = NULL;
    size_t n = wp_model_param_specs(cfg, &specs);
    const wp_param_spec **sorted = malloc((n ? n : 1) * sizeof(*sorted));
    const char *where = model_weights_path(w);
    if (!specs || !sorted) {
        free(specs);
        free(sorted);
        return model_err(err, errlen, "%s: out of memory", where);
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = check_spec(w, cfg, &specs[i], where, err, errlen);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &specs[i];
    qsort(sorted, n, sizeof(*sorted), by_name);
    for (size_t i = 0; i < wp_weights_count(w) && rc == 0 && !allow_extra; i++) {
        const wp_st_tensor *t = wp_weights_at(w, i);
        wp_param_spec key;
        const wp_param_spec *kp = &key;
        snprintf(key.name, sizeof(key.name), "%s", t->name);
        char orig[200];
        original_note(w, t, orig, sizeof(orig));
        if (strlen(t->name) >= sizeof(key.name) || !bsearch(&kp, sorted, n, sizeof(*sorted), by_name))
            rc = model_err(err, errlen, "%s: unexpected tensor \"%s\"%s: not part of %s (allow_extra to ignore it)",
                           wp_weights_file_of(w, t), t->name, orig, cfg->name);
    }
    free(sorted);
    free(specs);
    return rc;
}
