/* chrome_writer.c: the Chrome trace writer (Kineto conventions, see chrome_format.h for the layout). One event per
 * line, built in a reusable buffer and handed to gz_out; processes, devices, metadata and drop counts become metadata
 * events in traceEvents at the moment they arrive, so a prefix of the file is a usable trace. */
#include "chrome_format.h"
#include "chrome_tracks.h"
#include "chrome_write_event.h"
#include "gz_out.h"
#include "json_emit.h"
#include "version.h"
#include "writer_impl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTO_FLUSH_BYTES (16u << 20) /* a killed writer loses at most this much uncompressed text */

typedef struct chrome_writer {
    wp_writer base;
    wp_chrome_ctx ctx;
    wp_gz_out *out;
    int first; /* no traceEvents element written yet */
} chrome_writer;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Writes ctx.line (one or more complete array elements, each starting with ",\n") and resets it. */
static int put_line(chrome_writer *w)
{
    wp_jbuf *b = &w->ctx.line;
    if (b->oom)
        return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
    const char *p = b->data;
    size_t n = b->len;
    if (w->first && n >= 2) { /* the first element has no separator */
        p += 2;
        n -= 2;
        w->first = 0;
    }
    int rc = n ? wp_gz_out_write(w->out, p, n) : 0;
    b->len = 0;
    if (rc == 0 && wp_gz_out_unflushed(w->out) >= AUTO_FLUSH_BYTES)
        rc = wp_gz_out_flush(w->out);
    if (rc != 0)
        return wp_writer_fail(&w->base, "writing %s: %s", w->base.final_path, strerror(errno));
    return 0;
}

static int on_process(wp_tool *tool, const wp_process *proc)
{
    chrome_writer *w = (chrome_writer *)tool;
    if (w->base.error)
        return w->base.error;
    w->ctx.strings = tool->strings;
    if (wp_chrome_process(&w->ctx, proc) != 0)
        return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
    return put_line(w);
}

static int on_device(wp_tool *tool, const wp_device *dev)
{
    chrome_writer *w = (chrome_writer *)tool;
    if (w->base.error)
        return w->base.error;
    w->ctx.strings = tool->strings;
    if (wp_chrome_device(&w->ctx, dev) != 0)
        return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
    return put_line(w);
}

static int on_meta(wp_tool *tool, uint32_t proc, const char *key, const char *json_value)
{
    chrome_writer *w = (chrome_writer *)tool;
    if (w->base.error)
        return w->base.error;
    w->ctx.strings = tool->strings;
    /* The value is embedded as JSON; text that does not parse is kept as a string so the file stays valid. */
    cJSON *check = cJSON_ParseWithOpts(json_value, NULL, 1); /* 1: nothing may follow the value */
    int valid = check != NULL;
    cJSON_Delete(check);
    if (wp_chrome_meta(&w->ctx, proc, key, json_value, valid) != 0)
        return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
    return put_line(w);
}

static int on_dropped(wp_tool *tool, uint32_t proc, uint64_t records)
{
    chrome_writer *w = (chrome_writer *)tool;
    if (w->base.error)
        return w->base.error;
    w->ctx.strings = tool->strings;
    if (wp_chrome_dropped(&w->ctx, proc, records) != 0)
        return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
    return put_line(w);
}

static int on_event(wp_tool *tool, const wp_event *ev)
{
    chrome_writer *w = (chrome_writer *)tool;
    if (w->base.error)
        return w->base.error;
    w->ctx.strings = tool->strings;
    if (!tool->strings)
        return wp_writer_fail(&w->base, "%s: events arrived before the string table was set", w->base.final_path);
    if (wp_chrome_event(&w->ctx, ev) != 0)
        return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
    return put_line(w);
}

static int chrome_flush(wp_writer *base, wp_diag *diag)
{
    chrome_writer *w = (chrome_writer *)base;
    if (wp_gz_out_flush(w->out) != 0)
        return wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", base->final_path, strerror(errno));
    return WP_OK;
}

static int chrome_finish(wp_writer *base, wp_diag *diag)
{
    chrome_writer *w = (chrome_writer *)base;
    if (!w->out)
        return WP_OK;
    int rc = WP_OK;
    if (diag) { /* NULL diag: the output is being abandoned, no trailer */
        wp_jbuf *b = &w->ctx.line;
        b->len = 0;
        wp_jbuf_cstr(b, "\n]");
        wp_chrome_trailer(&w->ctx, b);
        wp_jbuf_cstr(b, "}\n");
        if (b->oom || wp_gz_out_write(w->out, b->data, b->len) != 0)
            rc = wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", base->final_path, strerror(errno));
    }
    if (wp_gz_out_close(w->out) != 0 && rc == WP_OK)
        rc = wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", base->final_path, strerror(errno));
    w->out = NULL;
    return rc;
}

static void chrome_destroy(wp_writer *base)
{
    chrome_writer *w = (chrome_writer *)base;
    wp_chrome_ctx_free(&w->ctx);
    free(w);
}

static const wp_writer_ops chrome_ops = {chrome_flush, chrome_finish, chrome_destroy};

wp_writer *wp_chrome_writer_open(const char *path, const wp_write_opts *opts, wp_diag *diag)
{
    chrome_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    if (wp_writer_init(&w->base, &chrome_ops, path, opts, diag) != WP_OK) {
        free(w->base.final_path);
        free(w->base.work_path);
        free(w);
        return NULL;
    }
    w->out = wp_gz_out_open(w->base.work_path, ends_with(path, ".gz"), 6);
    if (!w->out) {
        wp_diag_error(diag, WP_ERR_IO, "%s: cannot create: %s", w->base.final_path, strerror(errno));
        wp_writer_abort(&w->base);
        return NULL;
    }
    w->first = 1;
    wp_tool *t = &w->base.tool;
    t->process = on_process;
    t->device = on_device;
    t->meta = on_meta;
    t->dropped = on_dropped;
    t->any = on_event;
    char header[256];
    int len = snprintf(header, sizeof(header),
                       "{\"wanprof\":{\"format\":%d,\"version\":\"%s\",\"revision\":\"%s\"},\"schemaVersion\":1,"
                       "\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n",
                       WP_CHROME_FORMAT_VERSION, wp_version(), wp_revision());
    if (wp_gz_out_write(w->out, header, (size_t)len) != 0) {
        wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", w->base.final_path, strerror(errno));
        wp_writer_abort(&w->base);
        return NULL;
    }
    return &w->base;
}
