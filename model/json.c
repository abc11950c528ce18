/* json.c: reading the small JSON files of a model (configs, the shard index) with cJSON, and typed numbers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model_impl.h"

static char *read_small_file(const char *path, size_t max_bytes, size_t *len, int *missing, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (missing)
            *missing = errno == ENOENT;
        model_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    char *buf = NULL;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        model_err(err, errlen, "%s: not a regular file", path);
    else if ((uint64_t)sb.st_size > max_bytes)
        model_err(err, errlen, "%s: %lld bytes, more than the %zu this loader reads: not the file it expects", path,
                  (long long)sb.st_size, max_bytes);
    else if (!(buf = malloc((size_t)sb.st_size + 1)))
        model_err(err, errlen, "%s: out of memory", path);
    else if (fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
        model_err(err, errlen, "%s: cannot read it: %s", path, ferror(f) ? strerror(errno) : "shorter than its size");
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[sb.st_size] = '\0';
        *len = (size_t)sb.st_size;
    }
    return buf;
}

cJSON *model_json_load(const char *path, size_t max_bytes, int *missing, char *err, size_t errlen)
{
    if (missing)
        *missing = 0;
    size_t len = 0;
    char *buf = read_small_file(path, max_bytes, &len, missing, err, errlen);
    if (!buf)
        return NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (root && end) { /* only whitespace may follow the value */
        while (end < buf + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
            end++;
        if (end < buf + len) {
            cJSON_Delete(root);
            root = NULL;
        }
    }
    if (!root) {
        /* cJSON sets end to where it stopped, on failure too */
        size_t at = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
        model_err(err, errlen, "%s: not valid JSON (at byte %zu)", path, at);
    }
    free(buf);
    return root;
}

int model_json_int(const cJSON *item, int64_t lo, int64_t hi, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return -1;
    double v = item->valuedouble;
    if (!isfinite(v) || v != floor(v) || v < (double)lo || v > (double)hi)
        return -1;
    *out = (int64_t)v;
    return 0;
}

const char *model_json_kind(const cJSON *item)
{
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsBool(item))
        return cJSON_IsTrue(item) ? "true" : "false";
    if (cJSON_IsString(item))
        return "a string";
    if (cJSON_IsNumber(item))
        return "a number";
    if (cJSON_IsArray(item))
        return "an array";
    return "an object";
}
