/* safetensors.c: reading a safetensors file: 8-byte little-endian header length N, N bytes of JSON
 * {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}, then the data. The
 * file is mapped read-only and the header held to the rules of the reference implementation (huggingface/safetensors):
 * the tensors tile the data exactly (no overlap, no gap, nothing after), each holds elements * dtype size bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_impl.h"

/* The reference implementation's limit; real headers are ~100 KB for 1,095 tensors. */
#define ST_MAX_HEADER (100u * 1000 * 1000)
#define ST_MAX_NUMBER (1LL << 53) /* JSON numbers are doubles: whole up to 2^53 */

struct wp_safetensors {
    char *path;
    unsigned char *map;
    size_t map_len;
    wp_st_tensor *t; /* header order */
    size_t n;
    const wp_st_tensor **by_name; /* into t, sorted by name */
    char *names;     /* every name, NUL-terminated, one after another */
};

static const struct { const char *name; size_t size; wp_st_dtype dt; } dtypes[] = {
    {"F32", 4, WP_ST_F32}, {"BF16", 2, WP_ST_BF16}, {"F16", 2, WP_ST_F16}, {"F64", 8, WP_ST_OTHER},
    {"I64", 8, WP_ST_OTHER}, {"I32", 4, WP_ST_OTHER}, {"I16", 2, WP_ST_OTHER}, {"I8", 1, WP_ST_OTHER},
    {"U64", 8, WP_ST_OTHER}, {"U32", 4, WP_ST_OTHER}, {"U16", 2, WP_ST_OTHER}, {"U8", 1, WP_ST_OTHER},
    {"BOOL", 1, WP_ST_OTHER}, {"F8_E4M3", 1, WP_ST_OTHER}, {"F8_E5M2", 1, WP_ST_OTHER}, {"F8_E8M0", 1, WP_ST_OTHER},
};

/* A dtype string: its element size in bytes and our enum; 0 when unknown (or sub-byte: F4, F6_*). */
static size_t dtype_parse(const char *s, wp_st_dtype *dt)
{
    for (size_t i = 0; i < sizeof(dtypes) / sizeof(dtypes[0]); i++)
        if (strcmp(s, dtypes[i].name) == 0) {
            *dt = dtypes[i].dt;
            return dtypes[i].size;
        }
    return 0;
}

/* Bytes of the data one entry claims, or -1 with err: shape checked, product overflow-safe. */
static int entry_shape(const cJSON *shape, size_t esize, wp_st_tensor *t, size_t *nbytes, const char *where, char *err,
                       size_t errlen)
{
    if (!cJSON_IsArray(shape))
        return model_err(err, errlen, "%s: \"shape\" is %s, expected an array", where, model_json_kind(shape));
    int ndim = cJSON_GetArraySize(shape);
    if (ndim > 8)
        return model_err(err, errlen, "%s: %d dimensions; at most 8 are supported", where, ndim);
    size_t bytes = esize;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) {
        int64_t d;
        if (model_json_int(cJSON_GetArrayItem(shape, i), 0, ST_MAX_NUMBER, &d) != 0)
            return model_err(err, errlen, "%s: shape[%d] is not a whole number from 0 to 2^53", where, i);
        t->shape[i] = d;
        if (__builtin_mul_overflow(bytes, (size_t)d, &bytes))
            return model_err(err, errlen, "%s: the shape's size in bytes overflows", where);
    }
    *nbytes = bytes;
    return 0;
}

/* One tensor entry into t (data set by the caller); *begin: where its data starts in the data section. */
static int parse_entry(const cJSON *e, size_t data_len, wp_st_tensor *t, size_t *begin, const char *where, char *err,
                       size_t errlen)
{
    if (!cJSON_IsObject(e))
        return model_err(err, errlen, "%s: the entry is %s, expected an object", where, model_json_kind(e));
    const cJSON *dtype = NULL, *shape = NULL, *offsets = NULL;
    for (const cJSON *k = e->child; k; k = k->next) {
        const cJSON **slot = strcmp(k->string, "dtype") == 0 ? &dtype : strcmp(k->string, "shape") == 0 ? &shape
                             : strcmp(k->string, "data_offsets") == 0 ? &offsets : NULL;
        if (!slot)
            return model_err(err, errlen, "%s: unknown key \"%s\" (an entry has dtype, shape, data_offsets)", where,
                             k->string);
        if (*slot)
            return model_err(err, errlen, "%s: \"%s\" appears twice", where, k->string);
        *slot = k;
    }
    if (!dtype || !shape || !offsets)
        return model_err(err, errlen, "%s: missing \"%s\"", where, !dtype ? "dtype" : !shape ? "shape" : "data_offsets");
    size_t esize = cJSON_IsString(dtype) ? dtype_parse(dtype->valuestring, &t->dtype) : 0;
    if (!esize)
        return model_err(err, errlen, "%s: dtype %s%s%s is not one this reader knows (F32, BF16, F16, F64, I64, ..., "
                         "F8_E4M3)", where, cJSON_IsString(dtype) ? "\"" : "", cJSON_IsString(dtype) ?
                         dtype->valuestring : model_json_kind(dtype), cJSON_IsString(dtype) ? "\"" : "");
    size_t nbytes = 0;
    if (entry_shape(shape, esize, t, &nbytes, where, err, errlen) != 0)
        return -1;
    int64_t b, x;
    if (!cJSON_IsArray(offsets) || cJSON_GetArraySize(offsets) != 2 ||
        model_json_int(cJSON_GetArrayItem(offsets, 0), 0, ST_MAX_NUMBER, &b) != 0 ||
        model_json_int(cJSON_GetArrayItem(offsets, 1), 0, ST_MAX_NUMBER, &x) != 0 || b > x)
        return model_err(err, errlen, "%s: \"data_offsets\" must be [begin, end] with 0 <= begin <= end", where);
    if ((uint64_t)x > data_len)
        return model_err(err, errlen, "%s: data_offsets [%lld, %lld] run past the end of the data (%zu bytes): "
                         "truncated file?", where, (long long)b, (long long)x, data_len);
    if ((uint64_t)(x - b) != nbytes)
        return model_err(err, errlen, "%s: data_offsets [%lld, %lld] hold %lld bytes but %s of that shape needs %zu",
                         where, (long long)b, (long long)x, (long long)(x - b), dtype->valuestring, nbytes);
    *begin = (size_t)b;
    t->nbytes = nbytes;
    return 0;
}

static int check_metadata(const cJSON *m, const char *path, char *err, size_t errlen)
{
    if (!cJSON_IsObject(m))
        return model_err(err, errlen, "%s: \"__metadata__\" is %s, expected an object of strings", path,
                         model_json_kind(m));
    for (const cJSON *k = m->child; k; k = k->next)
        if (!cJSON_IsString(k))
            return model_err(err, errlen, "%s: \"__metadata__\" value \"%s\" is %s, expected a string", path,
                             k->string, model_json_kind(k));
    return 0;
}

struct span {
    size_t begin, end, index;
};

static int by_offset(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const wp_st_tensor *const *)a)->name, (*(const wp_st_tensor *const *)b)->name);
}

/* The tensors must tile [0, data_len) exactly, as the reference implementation requires. */
static int check_tiling(const wp_safetensors *st, const size_t *begin, size_t data_len, char *err, size_t errlen)
{
    struct span *s = malloc((st->n ? st->n : 1) * sizeof(*s));
    if (!s)
        return model_err(err, errlen, "%s: out of memory", st->path);
    for (size_t i = 0; i < st->n; i++)
        s[i] = (struct span){begin[i], begin[i] + st->t[i].nbytes, i};
    qsort(s, st->n, sizeof(*s), by_offset);
    size_t at = 0;
    int rc = 0;
    for (size_t k = 0; k < st->n && rc == 0; k++) {
        const char *name = st->t[s[k].index].name;
        if (s[k].begin < at)
            rc = model_err(err, errlen, "%s: tensor \"%s\" (data bytes %zu to %zu) overlaps tensor \"%s\" (bytes %zu "
                           "to %zu)", st->path, name, s[k].begin, s[k].end, st->t[s[k - 1].index].name, s[k - 1].begin,
                           s[k - 1].end);
        else if (s[k].begin > at)
            rc = model_err(err, errlen, "%s: %zu bytes before tensor \"%s\" belong to no tensor (a gap in the data)",
                           st->path, s[k].begin - at, name);
        at = s[k].end;
    }
    if (rc == 0 && at != data_len)
        rc = model_err(err, errlen, "%s: %zu bytes after the last tensor belong to no tensor", st->path, data_len - at);
    free(s);
    return rc;
}

static int check_names(wp_safetensors *st, char *err, size_t errlen)
{
    st->by_name = malloc((st->n ? st->n : 1) * sizeof(*st->by_name));
    if (!st->by_name)
        return model_err(err, errlen, "%s: out of memory", st->path);
    for (size_t i = 0; i < st->n; i++)
        st->by_name[i] = &st->t[i];
    qsort(st->by_name, st->n, sizeof(*st->by_name), by_name);
    for (size_t i = 1; i < st->n; i++)
        if (strcmp(st->by_name[i]->name, st->by_name[i - 1]->name) == 0)
            return model_err(err, errlen, "%s: tensor \"%s\" appears twice in the header", st->path,
                             st->by_name[i]->name);
    return 0;
}

/* Fills st->t from the parsed header; data is the start of the data section. */
static int parse_header(wp_safetensors *st, const cJSON *root, const unsigned char *data, size_t data_len, char *err,
                        size_t errlen)
{
    size_t count = 0, name_bytes = 0;
    const cJSON *meta = NULL;
    for (const cJSON *e = root->child; e; e = e->next) {
        if (strcmp(e->string, "__metadata__") == 0) {
            if (meta)
                return model_err(err, errlen, "%s: \"__metadata__\" appears twice", st->path);
            meta = e;
            continue;
        }
        count++;
        name_bytes += strlen(e->string) + 1;
    }
    if (meta && check_metadata(meta, st->path, err, errlen) != 0)
        return -1;
    st->t = calloc(count ? count : 1, sizeof(wp_st_tensor));
    st->names = malloc(name_bytes ? name_bytes : 1);
    size_t *begin = malloc((count ? count : 1) * sizeof(size_t));
    int rc = (!st->t || !st->names || !begin) ? model_err(err, errlen, "%s: out of memory", st->path) : 0;
    char *name = st->names;
    for (const cJSON *e = root->child; e && rc == 0; e = e->next) {
        if (e == meta)
            continue;
        wp_st_tensor *t = &st->t[st->n];
        size_t len = strlen(e->string) + 1;
        memcpy(name, e->string, len);
        t->name = name;
        name += len;
        char where[4400];
        snprintf(where, sizeof(where), "%s: tensor \"%.200s\"", st->path, t->name);
        rc = parse_entry(e, data_len, t, &begin[st->n], where, err, errlen);
        if (rc == 0)
            t->data = data + begin[st->n];
        st->n++;
    }
    if (rc == 0)
        rc = check_tiling(st, begin, data_len, err, errlen);
    if (rc == 0)
        rc = check_names(st, err, errlen);
    free(begin);
    return rc;
}

/* Header length and JSON: the parsed root, or NULL with err. */
static cJSON *read_header(const wp_safetensors *st, size_t *hlen, char *err, size_t errlen)
{
    if (st->map_len < 8) {
        model_err(err, errlen, "%s: %zu bytes: too short for a safetensors file (8-byte header length first)",
                  st->path, st->map_len);
        return NULL;
    }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | st->map[i];
    if (n == 0 || n > ST_MAX_HEADER || n > st->map_len - 8) {
        model_err(err, errlen, "%s: header length %llu is %s (file size %zu): not a safetensors file, or truncated",
                  st->path, (unsigned long long)n, n == 0 ? "zero" : n > ST_MAX_HEADER ? "above 100 MB" :
                  "past the end of the file", st->map_len);
        return NULL;
    }
    const char *h = (const char *)st->map + 8, *end = NULL;
    cJSON *root = h[0] == '{' ? cJSON_ParseWithLengthOpts(h, n, &end, 0) : NULL;
    while (root && end < h + n && *end == ' ') /* writers pad the header with spaces */
        end++;
    if (!root || end != h + n || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        size_t at = end && end >= h && end <= h + n ? (size_t)(end - h) : 0;
        model_err(err, errlen, "%s: the header (%llu bytes) is not one JSON object (problem at header byte %zu)",
                  st->path, (unsigned long long)n, at);
        return NULL;
    }
    *hlen = (size_t)n;
    return root;
}

static int map_file(wp_safetensors *st, char *err, size_t errlen)
{
    int fd = open(st->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return model_err(err, errlen, "%s: cannot open: %s", st->path, strerror(errno));
    struct stat sb;
    int rc = 0;
    if (fstat(fd, &sb) != 0)
        rc = model_err(err, errlen, "%s: cannot stat: %s", st->path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rc = model_err(err, errlen, "%s: not a regular file", st->path);
    else if (sb.st_size < 8)
        rc = model_err(err, errlen, "%s: %lld bytes: too short for a safetensors file (8-byte header length first)",
                       st->path, (long long)sb.st_size);
    if (rc == 0) {
        st->map_len = (size_t)sb.st_size;
        void *m = mmap(NULL, st->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED)
            rc = model_err(err, errlen, "%s: cannot map %zu bytes: %s", st->path, st->map_len, strerror(errno));
        else
            st->map = m;
    }
    close(fd);
    return rc;
}

int wp_st_open(const char *path, wp_safetensors **out, char *err, size_t errlen)
{
    *out = NULL;
    wp_safetensors *st = calloc(1, sizeof(*st));
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return model_err(err, errlen, "%s: out of memory", path);
    }
    size_t hlen = 0;
    cJSON *root = NULL;
    int rc = map_file(st, err, errlen);
    if (rc == 0 && !(root = read_header(st, &hlen, err, errlen)))
        rc = -1;
    if (rc == 0)
        rc = parse_header(st, root, st->map + 8 + hlen, st->map_len - 8 - hlen, err, errlen);
    cJSON_Delete(root);
    if (rc != 0) {
        wp_st_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

void wp_st_close(wp_safetensors *st)
{
    if (!st)
        return;
    if (st->map)
        munmap(st->map, st->map_len);
    free(st->t);
    free(st->by_name);
    free(st->names);
    free(st->path);
    free(st);
}

size_t wp_st_count(const wp_safetensors *st)
{
    return st->n;
}

const wp_st_tensor *wp_st_at(const wp_safetensors *st, size_t i)
{
    return i < st->n ? &st->t[i] : NULL;
}

const wp_st_tensor *wp_st_find(const wp_safetensors *st, const char *name)
{
    size_t lo = 0, hi = st->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(st->by_name[mid]->name, name);
        if (c == 0)
            return st->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *wp_st_path(const wp_safetensors *st)
{
    return st->path;
}

const char *wp_st_dtype_name(wp_st_dtype dt)
{
    return dt == WP_ST_F32 ? "F32" : dt == WP_ST_BF16 ? "BF16" : dt == WP_ST_F16 ? "F16" : "other";
}

size_t wp_st_dtype_size(wp_st_dtype dt)
{
    return dt == WP_ST_F32 ? 4 : (dt == WP_ST_BF16 || dt == WP_ST_F16) ? 2 : 0;
}
