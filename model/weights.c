/* weights.c: the weights of one expert: a diffusers transformer directory (sharded through
 * diffusion_pytorch_model.safetensors.index.json, or one diffusion_pytorch_model.safetensors), or one file. Every
 * file is mapped (nothing is read until the caller touches the data); names are mapped to diffusers naming when
 * the files use original Wan naming; the index must agree with the shards exactly. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model_impl.h"

#define INDEX_NAME "diffusion_pytorch_model.safetensors.index.json"
#define SINGLE_NAME "diffusion_pytorch_model.safetensors"
#define INDEX_MAX_BYTES (64u << 20) /* the A14B index is ~100 KB */

typedef struct entry {
    wp_st_tensor t;       /* t.name: the diffusers name (owned) */
    const char *original; /* the name in the file */
    size_t file;
} entry;

struct wp_weights {
    char *path;
    wp_safetensors **files;
    size_t nfiles;
    entry *e; /* sorted by diffusers name */
    size_t n;
};

static int add_file(wp_weights *w, const char *path, char *err, size_t errlen)
{
    wp_safetensors **f = realloc(w->files, (w->nfiles + 1) * sizeof(*f));
    if (!f)
        return model_err(err, errlen, "%s: out of memory", path);
    w->files = f;
    if (wp_st_open(path, &w->files[w->nfiles], err, errlen) != 0)
        return -1;
    w->nfiles++;
    return 0;
}

/* Opens every shard the index names (each once) and checks the index against their contents both ways. */
static int open_index(wp_weights *w, const char *index, char *err, size_t errlen)
{
    cJSON *root = model_json_load(index, INDEX_MAX_BYTES, NULL, err, errlen);
    if (!root)
        return -1;
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    int rc = cJSON_IsObject(map) ? 0 : model_err(err, errlen, "%s: no \"weight_map\" object", index);
    size_t listed = 0;
    for (const cJSON *m = map ? map->child : NULL; m && rc == 0; m = m->next, listed++) {
        const char *file = cJSON_IsString(m) ? m->valuestring : NULL;
        if (!file || !file[0] || strchr(file, '/') || strcmp(file, "..") == 0) {
            rc = model_err(err, errlen, "%s: \"%s\" maps to %s, expected a file name in this directory", index,
                           m->string, file ? file : model_json_kind(m));
            break;
        }
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", w->path, file);
        size_t k = 0;
        while (k < w->nfiles && strcmp(wp_st_path(w->files[k]), path) != 0)
            k++;
        if (k == w->nfiles && add_file(w, path, err, errlen) != 0)
            rc = -1;
        else if (!wp_st_find(w->files[k], m->string))
            rc = model_err(err, errlen, "%s: the index lists tensor \"%s\" in %s, which does not hold it", index,
                           m->string, path);
    }
    size_t held = 0;
    for (size_t k = 0; k < w->nfiles && rc == 0; k++) {
        held += wp_st_count(w->files[k]);
        for (size_t i = 0; i < wp_st_count(w->files[k]) && rc == 0; i++) {
            const char *name = wp_st_at(w->files[k], i)->name;
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(map, name);
            char path[4400];
            snprintf(path, sizeof(path), "%s/%s", w->path, cJSON_IsString(m) ? m->valuestring : "");
            if (!m || strcmp(path, wp_st_path(w->files[k])) != 0)
                rc = model_err(err, errlen, "%s: holds tensor \"%s\", which the index %s", wp_st_path(w->files[k]),
                               name, m ? "places in another file" : "does not list");
        }
    }
    if (rc == 0 && held != listed) /* a name listed twice in the index */
        rc = model_err(err, errlen, "%s: lists %zu tensors but its files hold %zu", index, listed, held);
    cJSON_Delete(root);
    return rc;
}

static int open_files(wp_weights *w, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(w->path, &sb) != 0)
        return model_err(err, errlen, "%s: %s", w->path, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return add_file(w, w->path, err, errlen);
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s", w->path, INDEX_NAME);
    if (stat(path, &sb) == 0)
        return open_index(w, path, err, errlen);
    snprintf(path, sizeof(path), "%s/%s", w->path, SINGLE_NAME);
    if (stat(path, &sb) == 0)
        return add_file(w, path, err, errlen);
    return model_err(err, errlen, "%s: neither %s nor %s: not the weights directory of one expert (MODEL/transformer "
                     "or MODEL/transformer_2)", w->path, INDEX_NAME, SINGLE_NAME);
}

/* 1 when the files use original Wan naming; -1 (err) when they mix the two. */
static int naming_of(const wp_weights *w, char *err, size_t errlen)
{
    const wp_st_tensor *wan = NULL, *diff = NULL;
    size_t wan_file = 0, diff_file = 0;
    for (size_t k = 0; k < w->nfiles; k++)
        for (size_t i = 0; i < wp_st_count(w->files[k]); i++) {
            const wp_st_tensor *t = wp_st_at(w->files[k], i);
            int kind = model_name_kind(t->name);
            if (kind == 1 && !wan)
                wan = t, wan_file = k;
            if (kind == 2 && !diff)
                diff = t, diff_file = k;
        }
    if (wan && diff)
        return model_err(err, errlen, "%s: mixes original Wan names (\"%s\" in %s) and diffusers names (\"%s\" in %s)",
                         w->path, wan->name, wp_st_path(w->files[wan_file]), diff->name,
                         wp_st_path(w->files[diff_file]));
    return wan != NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->t.name, ((const entry *)b)->t.name);
}

/* One entry per tensor of every file, named in diffusers naming, sorted; no name twice. */
static int build_entries(wp_weights *w, int wan, char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t k = 0; k < w->nfiles; k++)
        total += wp_st_count(w->files[k]);
    w->e = calloc(total ? total : 1, sizeof(entry));
    if (!w->e)
        return model_err(err, errlen, "%s: out of memory", w->path);
    for (size_t k = 0; k < w->nfiles; k++)
        for (size_t i = 0; i < wp_st_count(w->files[k]); i++) {
            const wp_st_tensor *t = wp_st_at(w->files[k], i);
            char name[4200];
            if ((wan ? model_wan_to_diffusers(t->name, name, sizeof(name)) : 0) < 0)
                return model_err(err, errlen, "%s: tensor name \"%.100s...\" is too long", wp_st_path(w->files[k]),
                                 t->name);
            entry *e = &w->e[w->n];
            e->t = *t;
            e->t.name = strdup(wan ? name : t->name);
            e->original = t->name;
            e->file = k;
            if (!e->t.name)
                return model_err(err, errlen, "%s: out of memory", w->path);
            w->n++;
        }
    qsort(w->e, w->n, sizeof(entry), by_name);
    for (size_t i = 1; i < w->n; i++)
        if (strcmp(w->e[i].t.name, w->e[i - 1].t.name) == 0)
            return model_err(err, errlen, "%s: tensor \"%s\" twice: \"%s\" in %s and \"%s\" in %s", w->path,
                             w->e[i].t.name, w->e[i - 1].original, wp_st_path(w->files[w->e[i - 1].file]),
                             w->e[i].original, wp_st_path(w->files[w->e[i].file]));
    return 0;
}

int wp_weights_open(const char *path, wp_weights **out, char *err, size_t errlen)
{
    *out = NULL;
    wp_weights *w = calloc(1, sizeof(*w));
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return model_err(err, errlen, "%s: out of memory", path);
    }
    size_t len = strlen(w->path);
    while (len > 1 && w->path[len - 1] == '/') /* "MODEL/transformer/" names files as "MODEL/transformer/x" */
        w->path[--len] = '\0';
    int wan = -1;
    if (open_files(w, err, errlen) != 0 || (wan = naming_of(w, err, errlen)) < 0 ||
        build_entries(w, wan, err, errlen) != 0) {
        wp_weights_close(w);
        return -1;
    }
    *out = w;
    return 0;
}

void wp_weights_close(wp_weights *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        free((char *)w->e[i].t.name);
    free(w->e);
    for (size_t k = 0; k < w->nfiles; k++)
        wp_st_close(w->files[k]);
    free(w->files);
    free(w->path);
    free(w);
}

static const entry *find_entry(const wp_weights *w, const char *name)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w->e[mid].t.name, name);
        if (c == 0)
            return &w->e[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const wp_st_tensor *wp_weights_find(const wp_weights *w, const char *diffusers_name)
{
    const entry *e = find_entry(w, diffusers_name);
    return e ? &e->t : NULL;
}

size_t wp_weights_count(const wp_weights *w)
{
    return w->n;
}

const wp_st_tensor *wp_weights_at(const wp_weights *w, size_t i)
{
    return i < w->n ? &w->e[i].t : NULL;
}

static const entry *entry_of(const wp_weights *w, const wp_st_tensor *t)
{
    uintptr_t p = (uintptr_t)t, lo = (uintptr_t)w->e;
    if (p < lo || p >= lo + w->n * sizeof(entry) || (p - lo) % sizeof(entry) != offsetof(entry, t))
        return NULL;
    return &w->e[(p - lo) / sizeof(entry)];
}

const char *wp_weights_file_of(const wp_weights *w, const wp_st_tensor *t)
{
    const entry *e = entry_of(w, t);
    return e ? wp_st_path(w->files[e->file]) : NULL;
}

const char *model_weights_original_name(const wp_weights *w, const wp_st_tensor *t)
{
    const entry *e = entry_of(w, t);
    return e ? e->original : NULL;
}

const char *model_weights_path(const wp_weights *w)
{
    return w->path;
}
