/* safetensors_write.c: writing a safetensors file (test models, saved latents). The data goes to a temporary file
 * next to path, synced, then renamed (or hard-linked, when an existing file must not be replaced) into place: a
 * failure at any point leaves nothing under path. The header is compact JSON with whole-number offsets, padded with
 * spaces to a multiple of 8 bytes, as huggingface/safetensors writes it; "__metadata__" says {"format": "pt"}. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_impl.h"

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static int put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

static int put_str(buf *b, const char *s)
{
    return put(b, s, strlen(s));
}

/* A JSON string: quotes, backslashes and control characters escaped; other bytes as they are (UTF-8). */
static int put_json_string(buf *b, const char *s)
{
    int rc = put(b, "\"", 1);
    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\')
            esc[0] = '\\', esc[1] = (char)c, esc[2] = '\0';
        else if (c < 0x20)
            snprintf(esc, sizeof(esc), "\\u%04x", c);
        else
            esc[0] = (char)c, esc[1] = '\0';
        rc = put_str(b, esc);
    }
    return rc ? rc : put(b, "\"", 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const wp_st_tensor *const *)a)->name, (*(const wp_st_tensor *const *)b)->name);
}

/* Each tensor writable and consistent, names unique. */
static int check_tensors(const char *path, const wp_st_tensor *t, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        size_t bytes = wp_st_dtype_size(t[i].dtype);
        if (!t[i].name || !t[i].name[0] || strcmp(t[i].name, "__metadata__") == 0)
            return model_err(err, errlen, "%s: tensor %zu has no usable name", path, i);
        if (!bytes)
            return model_err(err, errlen, "%s: tensor \"%s\": only F32, BF16 and F16 can be written", path, t[i].name);
        if (t[i].ndim < 0 || t[i].ndim > 8)
            return model_err(err, errlen, "%s: tensor \"%s\": %d dimensions (0 to 8)", path, t[i].name, t[i].ndim);
        for (int d = 0; d < t[i].ndim; d++)
            if (t[i].shape[d] < 0 || __builtin_mul_overflow(bytes, (uint64_t)t[i].shape[d], &bytes))
                return model_err(err, errlen, "%s: tensor \"%s\": bad shape", path, t[i].name);
        if (bytes != t[i].nbytes || (bytes && !t[i].data))
            return model_err(err, errlen, "%s: tensor \"%s\": nbytes %zu but the shape and dtype make %zu%s", path,
                             t[i].name, t[i].nbytes, bytes, bytes && !t[i].data ? " (and data is NULL)" : "");
    }
    const wp_st_tensor **sorted = malloc((n ? n : 1) * sizeof(*sorted));
    if (!sorted)
        return model_err(err, errlen, "%s: out of memory", path);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &t[i];
    qsort(sorted, n, sizeof(*sorted), by_name);
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(sorted[i]->name, sorted[i - 1]->name) == 0)
            rc = model_err(err, errlen, "%s: tensor \"%s\" is given twice", path, sorted[i]->name);
    free(sorted);
    return rc;
}

/* The header JSON, padded to a multiple of 8; b->p holds it. */
static int build_header(buf *b, const wp_st_tensor *t, size_t n)
{
    int rc = put_str(b, "{\"__metadata__\":{\"format\":\"pt\"}");
    uint64_t offset = 0;
    char num[64];
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc |= put_str(b, ",");
        rc |= put_json_string(b, t[i].name);
        rc |= put_str(b, ":{\"dtype\":\"");
        rc |= put_str(b, wp_st_dtype_name(t[i].dtype));
        rc |= put_str(b, "\",\"shape\":[");
        for (int d = 0; d < t[i].ndim; d++) {
            snprintf(num, sizeof(num), "%s%" PRId64, d ? "," : "", t[i].shape[d]);
            rc |= put_str(b, num);
        }
        snprintf(num, sizeof(num), "],\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}", offset, offset + t[i].nbytes);
        rc |= put_str(b, num);
        offset += t[i].nbytes;
    }
    rc |= put_str(b, "}");
    while (rc == 0 && b->len % 8)
        rc = put_str(b, " ");
    return rc;
}

static int write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

static int write_body(int fd, const buf *h, const wp_st_tensor *t, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)h->len >> (8 * i));
    if (write_all(fd, len, 8) || write_all(fd, h->p, h->len))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (t[i].nbytes && write_all(fd, t[i].data, t[i].nbytes))
            return -1;
    return 0;
}

/* tmp -> path: rename when replacing is allowed; else a hard link, which fails if path appeared meanwhile. */
static int move_into_place(const char *tmp, const char *path, int force, char *err, size_t errlen)
{
    if (force) {
        if (rename(tmp, path) == 0)
            return 0;
        return model_err(err, errlen, "%s: cannot rename the temporary file into place: %s", path, strerror(errno));
    }
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return 0;
    }
    if (errno == EEXIST)
        return model_err(err, errlen, "%s: exists (pass force to replace it)", path);
    /* a file system without hard links: the existence check before writing has to do */
    if (access(path, F_OK) != 0 && rename(tmp, path) == 0)
        return 0;
    return model_err(err, errlen, "%s: cannot move the temporary file into place: %s", path, strerror(errno));
}

int wp_st_write(const char *path, const wp_st_tensor *tensors, size_t n, int force, char *err, size_t errlen)
{
    if (check_tensors(path, tensors, n, err, errlen) != 0)
        return -1;
    struct stat sb;
    if (!force && lstat(path, &sb) == 0)
        return model_err(err, errlen, "%s: exists (pass force to replace it)", path);
    buf h = {0};
    if (build_header(&h, tensors, n) != 0) {
        free(h.p);
        return model_err(err, errlen, "%s: out of memory", path);
    }
    size_t tlen = strlen(path) + 16;
    char *tmp = malloc(tlen);
    int fd = -1, rc = 0;
    if (tmp)
        snprintf(tmp, tlen, "%s.tmp-XXXXXX", path);
    if (!tmp)
        rc = model_err(err, errlen, "%s: out of memory", path);
    else if ((fd = mkstemp(tmp)) < 0)
        rc = model_err(err, errlen, "%s: cannot create a temporary file next to it: %s", path, strerror(errno));
    else if (fchmod(fd, 0644) != 0 || write_body(fd, &h, tensors, n) != 0 || fsync(fd) != 0)
        rc = model_err(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = model_err(err, errlen, "%s: cannot write: %s", path, strerror(errno));
    if (rc == 0)
        rc = move_into_place(tmp, path, force, err, errlen);
    if (rc != 0 && fd >= 0)
        unlink(tmp);
    free(tmp);
    free(h.p);
    return rc;
}
