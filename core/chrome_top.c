/* chrome_top.c: the small top-level values of a Chrome trace (everything but traceEvents), parsed with cJSON since
 * they are few and small: our "wanprof" marker, and Kineto's deviceProperties and distributedInfo. */
#include "chrome_format.h"
#include "chrome_read_impl.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static double num(const cJSON *obj, const char *name, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* Whole numbers from a file may be anything: out-of-range values become 0 instead of an undefined conversion. */
static uint64_t num_u64(const cJSON *obj, const char *name)
{
    double v = num(obj, name, 0);
    return v >= 0 && v < 18446744073709551616.0 ? (uint64_t)v : 0;
}

static int32_t num_i32(const cJSON *obj, const char *name, int32_t dflt)
{
    double v = num(obj, name, dflt);
    return v >= INT32_MIN && v <= INT32_MAX ? (int32_t)v : dflt;
}

static int kineto_devices(wp_chrome_reader *r, const cJSON *arr)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, arr)
    {
        if (!cJSON_IsObject(d))
            continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(d, "name");
        int32_t id = num_i32(d, "id", 0);
        wp_device dev = {.proc = r->proc_base, .id = id < 0 ? 0 : (uint32_t)id,
                         .name = cJSON_IsString(name) ? wp_strtab_intern_cstr(r->strings, name->valuestring) : 0,
                         .cc_major = num_i32(d, "computeMajor", 0), .cc_minor = num_i32(d, "computeMinor", 0),
                         .sm_count = num_i32(d, "numSms", 0), .total_memory = num_u64(d, "totalGlobalMem")};
        if (dev.name == UINT32_MAX)
            return wp_diag_error(r->diag, WP_ERR_NOMEM, "%s: out of memory", r->path);
        if (r->kineto_announced) { /* deviceProperties after traceEvents: the process is known already */
            if (r->tool->device && r->tool->device(r->tool, &dev))
                return wp_diag_error(r->diag, WP_ERR_STOPPED, "%s: stopped by the consumer", r->path);
            continue;
        }
        wp_device *devs = realloc(r->kineto_devs, (r->nkineto_devs + 1) * sizeof(*devs));
        if (!devs)
            return wp_diag_error(r->diag, WP_ERR_NOMEM, "%s: out of memory", r->path);
        r->kineto_devs = devs;
        r->kineto_devs[r->nkineto_devs++] = dev;
    }
    return WP_OK;
}

int wp_chrome_top_value(wp_chrome_reader *r, const wp_jstr *key, const char *p, size_t len)
{
    int is_wanprof = key->len == 7 && memcmp(key->p, "wanprof", 7) == 0;
    int is_devs = key->len == 16 && memcmp(key->p, "deviceProperties", 16) == 0;
    int is_dist = key->len == 15 && memcmp(key->p, "distributedInfo", 15) == 0;
    if (is_wanprof) {
        /* Only a marker before any element makes the file ours (our writer puts it first). */
        if (!r->kineto_announced && r->stats->events == 0)
            r->ours = 1;
        cJSON *v = cJSON_ParseWithLength(p, len);
        double format = num(v, "format", WP_CHROME_FORMAT_VERSION);
        if (format > WP_CHROME_FORMAT_VERSION)
            wp_diag_warn(r->diag, "%s: written by a newer wanprof (format %g, this one reads %d): fields it added are "
                         "ignored", r->path, format, WP_CHROME_FORMAT_VERSION);
        cJSON_Delete(v);
        return WP_OK;
    }
    if (r->ours || (!is_devs && !is_dist))
        return WP_OK; /* our files say all of this inside traceEvents */
    cJSON *v = cJSON_ParseWithLength(p, len);
    if (!v) {
        wp_diag_warn(r->diag, "%s: ignoring an unreadable \"%.*s\"", r->path, (int)key->len, key->p);
        return WP_OK;
    }
    int rc = WP_OK;
    if (is_devs && cJSON_IsArray(v))
        rc = kineto_devices(r, v);
    else if (is_dist && cJSON_IsObject(v))
        r->kineto_rank = num_i32(v, "rank", -1);
    cJSON_Delete(v);
    return rc;
}
