/* machine.c: reading a machine document, measured or described (see machine.h). Every refusal names the document
 * (`where`) and the field, as "host_copies[2].bandwidth_gb_per_s.min", so a hand-written spec can be fixed from the
 * message alone. */
#include "machine.h"

#include "machine_protocol.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* What the two documents share is read by the same code; `measured` tells which one it is. */
typedef struct parse_ctx {
    const char *where;
    wp_diag *diag;
    int measured; /* wanprof.machine/1: spreads carry a count */
} parse_ctx;

const char *wp_machine_dir_name(int dir) { return dir == WP_MDIR_DTOH ? "DtoH" : "HtoD"; }

const char *wp_machine_memory_name(int pinned)
{
    return pinned == WP_HMEM_NEW_PAGEABLE ? "pageable_new" : pinned ? "pinned" : "pageable";
}

static const cJSON *field(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

static int need_string(const parse_ctx *c, const cJSON *o, const char *path, const char *key, const char **out)
{
    const cJSON *it = field(o, key);
    if (!cJSON_IsString(it))
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s: %s", c->where, path, key,
                             it ? "is not a string" : "missing");
    *out = it->valuestring;
    return 0;
}

/* A whole number in [lo, 2^53] (a double holds every integer up to there exactly). */
static int need_integer(const parse_ctx *c, const cJSON *o, const char *path, const char *key, double lo, double *out)
{
    const cJSON *it = field(o, key);
    if (!cJSON_IsNumber(it))
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s: %s", c->where, path, key,
                             it ? "is not a number" : "missing");
    double v = it->valuedouble;
    if (v != floor(v) || v < lo || v > 9007199254740992.0)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s: %g is not a whole number of at least %g", c->where,
                             path, key, v, lo);
    *out = v;
    return 0;
}

static int need_enum(const parse_ctx *c, const cJSON *o, const char *path, const char *key, const char *a,
                     const char *b, int *is_b)
{
    const char *s = NULL;
    if (need_string(c, o, path, key, &s) != 0)
        return WP_ERR_FORMAT;
    if (strcmp(s, a) != 0 && strcmp(s, b) != 0)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s: \"%.40s\" is neither \"%s\" nor \"%s\"", c->where,
                             path, key, s, a, b);
    *is_b = strcmp(s, b) == 0;
    return 0;
}

/* {median, min, max[, count]}: every figure finite and > 0, min <= median <= max; count only in measured files. */
static int need_spread(const parse_ctx *c, const cJSON *o, const char *path, const char *key, wp_spread *s)
{
    const cJSON *sp = field(o, key);
    if (!cJSON_IsObject(sp))
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s: %s", c->where, path, key,
                             sp ? "is not an object {median, min, max}" : "missing");
    static const char *const names[] = {"median", "min", "max"};
    double v[3];
    for (int i = 0; i < 3; i++) {
        const cJSON *it = field(sp, names[i]);
        if (!cJSON_IsNumber(it))
            return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s.%s: %s", c->where, path, key, names[i],
                                 it ? "is not a number" : "missing");
        v[i] = it->valuedouble;
        if (!isfinite(v[i]) || v[i] <= 0)
            return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s.%s: %g is not a positive figure", c->where, path,
                                 key, names[i], v[i]);
    }
    if (v[1] > v[0] || v[2] < v[0])
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s%s: min %g, median %g, max %g are out of order", c->where,
                             path, key, v[1], v[0], v[2]);
    *s = (wp_spread){.median = v[0], .min = v[1], .max = v[2]};
    if (c->measured) {
        char in[96];
        snprintf(in, sizeof(in), "%s%s.", path, key);
        double n;
        if (need_integer(c, sp, in, "count", 1, &n) != 0)
            return WP_ERR_FORMAT;
        s->count = (int)fmin(n, 1e9);
    }
    return 0;
}

/* host_memory of a copy entry: "pageable_new" only for GPU->host copies (new memory has nothing to send). */
static int need_memory(const parse_ctx *c, const cJSON *e, const char *path, wp_machine_copy *k)
{
    const char *s = NULL;
    if (need_string(c, e, path, "host_memory", &s) != 0)
        return WP_ERR_FORMAT;
    static const int kinds[] = {WP_HMEM_KEPT_PAGEABLE, WP_HMEM_KEPT_PINNED, WP_HMEM_NEW_PAGEABLE};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, wp_machine_memory_name(kinds[i])) == 0) {
            k->pinned = kinds[i];
            if (k->pinned == WP_HMEM_NEW_PAGEABLE && k->dir != WP_MDIR_DTOH)
                return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %shost_memory: \"pageable_new\" is for DtoH copies only",
                                     c->where, path);
            return 0;
        }
    return wp_diag_error(c->diag, WP_ERR_FORMAT,
                         "%s: %shost_memory: \"%.40s\" is not \"pinned\", \"pageable\" or \"pageable_new\"", c->where,
                         path, s);
}

static int read_copy(const parse_ctx *c, const cJSON *e, int i, wp_machine *m)
{
    char path[48];
    snprintf(path, sizeof(path), "host_copies[%d].", i);
    if (!cJSON_IsObject(e))
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: host_copies[%d]: is not an object", c->where, i);
    wp_machine_copy *k = &m->copies[i];
    double bytes = (double)WP_MACHINE_SPEC_DEFAULT_BYTES, gpus;
    if (need_enum(c, e, path, "direction", "HtoD", "DtoH", &k->dir) != 0 || need_memory(c, e, path, k) != 0 ||
        ((c->measured || field(e, "bytes")) && need_integer(c, e, path, "bytes", 1, &bytes) != 0) ||
        need_integer(c, e, path, "gpus", 1, &gpus) != 0 || need_spread(c, e, path, "bandwidth_gb_per_s", &k->gbps) != 0)
        return WP_ERR_FORMAT;
    k->bytes = (uint64_t)bytes;
    /* Only these two are defined: the copy alone, or every GPU at once (what calibrate measures). */
    if (gpus != 1 && gpus != m->gpus)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %sgpus: %g is neither 1 nor the machine's %d GPUs", c->where,
                             path, gpus, m->gpus);
    k->gpus = (int)gpus;
    for (int j = 0; j < i; j++) {
        const wp_machine_copy *o = &m->copies[j];
        if (o->dir == k->dir && o->pinned == k->pinned && o->bytes == k->bytes && o->gpus == k->gpus)
            return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: host_copies[%d] repeats host_copies[%d] (%s %s, %llu "
                                 "bytes, %d GPUs)", c->where, i, j, wp_machine_dir_name(k->dir),
                                 wp_machine_memory_name(k->pinned), (unsigned long long)k->bytes, k->gpus);
    }
    return 0;
}

static int read_copies(const parse_ctx *c, const cJSON *root, wp_machine *m)
{
    const cJSON *arr = field(root, "host_copies");
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: host_copies: %s", c->where,
                             !arr ? "missing" : cJSON_IsArray(arr) ? "empty: no copy figure" : "is not an array");
    int n = cJSON_GetArraySize(arr);
    if (n > WP_MACHINE_MAX_COPIES)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: host_copies: %d entries, more than the %d read", c->where,
                             n, WP_MACHINE_MAX_COPIES);
    for (int i = 0; i < n; i++)
        if (read_copy(c, cJSON_GetArrayItem(arr, i), i, m) != 0)
            return WP_ERR_FORMAT;
    m->ncopies = n;
    return 0;
}

/* "latency": required in a measured file, optional in a spec. Each entry fills latency_s[dir][pinned]. */
static int read_latency(const parse_ctx *c, const cJSON *root, wp_machine *m)
{
    const cJSON *arr = field(root, "latency");
    if (!arr && !c->measured)
        return 0;
    if (!cJSON_IsArray(arr))
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: latency: %s", c->where, arr ? "is not an array" : "missing");
    for (int i = 0; i < cJSON_GetArraySize(arr); i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i);
        char path[40];
        snprintf(path, sizeof(path), "latency[%d].", i);
        int dir, pageable;
        wp_spread s;
        if (!cJSON_IsObject(e))
            return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: latency[%d]: is not an object", c->where, i);
        if (need_enum(c, e, path, "direction", "HtoD", "DtoH", &dir) != 0 ||
            need_enum(c, e, path, "host_memory", "pinned", "pageable", &pageable) != 0 ||
            need_spread(c, e, path, "seconds", &s) != 0)
            return WP_ERR_FORMAT;
        m->latency_s[dir][!pageable] = s;
    }
    return 0;
}

/* "compute" (optional in both documents; calibrate's curve, or a spec's copy of one): points of {busy_measured,
 * seconds_per_unit}, kept ascending in busy, each time relative to the busiest point's median. A curve measured as
 * not measured is no curve. */
static int read_compute(const parse_ctx *c, const cJSON *root, wp_machine *m)
{
    const cJSON *o = field(root, "compute");
    if (!o)
        return 0;
    const cJSON *measured = field(o, "measured"), *arr = field(o, "points");
    if (!cJSON_IsObject(o) || (measured && !cJSON_IsBool(measured)))
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: compute: %s", c->where,
                             cJSON_IsObject(o) ? "measured: is not true or false" : "is not an object");
    if (cJSON_IsFalse(measured))
        return 0;
    int n = cJSON_GetArraySize(arr);
    if (!cJSON_IsArray(arr) || n < 2 || n > WP_MACHINE_MAX_BUSY)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: compute.points: %s", c->where,
                             cJSON_IsArray(arr) ? "needs 2 to 8 points" : arr ? "is not an array" : "missing");
    for (int i = 0; i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(arr, i), *b = field(e, "busy_measured");
        char path[40];
        snprintf(path, sizeof(path), "compute.points[%d].", i);
        if (!cJSON_IsNumber(b) || !(b->valuedouble > 0 && b->valuedouble <= 1.5))
            return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %sbusy_measured: %s", c->where, path,
                                 b ? "is not a share of the time in (0, 1.5]" : "missing");
        wp_spread unit;
        if (need_spread(c, e, path, "seconds_per_unit", &unit) != 0)
            return WP_ERR_FORMAT;
        int j = i; /* insertion: ascending in busy */
        for (; j > 0 && m->busy[j - 1] > b->valuedouble; j--) {
            m->busy[j] = m->busy[j - 1];
            m->relative[j] = m->relative[j - 1];
        }
        m->busy[j] = b->valuedouble;
        m->relative[j] = unit;
    }
    double ref = m->relative[n - 1].median;
    for (int i = 0; i < n; i++)
        m->relative[i] = (wp_spread){m->relative[i].median / ref, m->relative[i].min / ref,
                                     m->relative[i].max / ref, m->relative[i].count};
    m->nbusy = n;
    return 0;
}

static int parse_measured(const parse_ctx *c, const cJSON *root, wp_machine *m)
{
    const char *host = NULL, *at = NULL, *gpu_name = NULL;
    double repeats, memory;
    const cJSON *gpus = field(root, "gpus");
    if (need_string(c, root, "", "host", &host) != 0 || need_string(c, root, "", "measured_at", &at) != 0 ||
        need_integer(c, root, "", "repeats", 1, &repeats) != 0)
        return WP_ERR_FORMAT;
    if (!cJSON_IsArray(gpus) || cJSON_GetArraySize(gpus) == 0)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: gpus: %s", c->where,
                             !gpus ? "missing" : cJSON_IsArray(gpus) ? "empty" : "is not an array");
    const cJSON *gpu0 = cJSON_GetArrayItem(gpus, 0);
    if (need_string(c, gpu0, "gpus[0].", "name", &gpu_name) != 0 ||
        need_integer(c, gpu0, "gpus[0].", "memory_total_bytes", 1, &memory) != 0)
        return WP_ERR_FORMAT;
    m->measured = 1;
    m->gpus = cJSON_GetArraySize(gpus);
    m->gpu_memory_bytes = (uint64_t)memory;
    if (m->gpus > 1)
        snprintf(m->name, sizeof(m->name), "%d x %.60s on %.50s", m->gpus, gpu_name, host);
    else
        snprintf(m->name, sizeof(m->name), "%.60s on %.60s", gpu_name, host);
    snprintf(m->source, sizeof(m->source), "measured by wanprof calibrate on %.100s at %.40s (%.0f repeats)", host, at,
             repeats);
    return 0;
}

static int parse_spec(const parse_ctx *c, const cJSON *root, wp_machine *m)
{
    const char *name = NULL, *source = NULL;
    double gpus, memory;
    if (need_string(c, root, "", "name", &name) != 0 || need_string(c, root, "", "source", &source) != 0 ||
        need_integer(c, root, "", "gpus", 1, &gpus) != 0 ||
        need_integer(c, root, "", "gpu_memory_bytes", 1, &memory) != 0)
        return WP_ERR_FORMAT;
    if (!name[0] || !source[0])
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: %s: is empty", c->where, name[0] ? "source" : "name");
    if (gpus > 1024)
        return wp_diag_error(c->diag, WP_ERR_FORMAT, "%s: gpus: %g GPUs in one machine is not believable", c->where,
                             gpus);
    m->gpus = (int)gpus;
    m->gpu_memory_bytes = (uint64_t)memory;
    snprintf(m->name, sizeof(m->name), "%s", name);
    snprintf(m->source, sizeof(m->source), "%s", source);
    return 0;
}

int wp_machine_parse(const char *json_text, const char *where, wp_machine *m, wp_diag *diag)
{
    memset(m, 0, sizeof(*m));
    cJSON *root = cJSON_Parse(json_text ? json_text : "");
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return wp_diag_error(diag, WP_ERR_FORMAT, "%s: not a JSON object", where);
    }
    const cJSON *schema = field(root, "schema");
    int measured = cJSON_IsString(schema) && strcmp(schema->valuestring, WP_MACHINE_SCHEMA) == 0;
    int spec = cJSON_IsString(schema) && strcmp(schema->valuestring, WP_MACHINE_SPEC_SCHEMA) == 0;
    int rc;
    if (!measured && !spec) {
        rc = wp_diag_error(diag, WP_ERR_FORMAT, "%s: schema: %s%.40s%s is neither \"%s\" nor \"%s\"", where,
                           cJSON_IsString(schema) ? "\"" : "", cJSON_IsString(schema) ? schema->valuestring : "missing",
                           cJSON_IsString(schema) ? "\"" : "", WP_MACHINE_SCHEMA, WP_MACHINE_SPEC_SCHEMA);
    } else {
        parse_ctx c = {.where = where, .diag = diag, .measured = measured};
        rc = measured ? parse_measured(&c, root, m) : parse_spec(&c, root, m);
        if (rc == 0)
            rc = read_copies(&c, root, m);
        if (rc == 0)
            rc = read_latency(&c, root, m);
        if (rc == 0)
            rc = read_compute(&c, root, m);
    }
    cJSON_Delete(root);
    if (rc != 0)
        memset(m, 0, sizeof(*m));
    return rc;
}
