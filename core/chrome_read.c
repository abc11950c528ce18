/* chrome_read.c: the streaming Chrome trace reader. Bytes arrive from gz_in (inflated in another thread) into a
 * sliding window; a small state machine walks the top-level object, and each traceEvents element is parsed in place
 * once it is whole in the window (an element cut by the window's end is parsed again after a refill). Memory is the
 * window (it grows only for a single huge element, up to WINDOW_MAX) plus interned strings. At the end of the input
 * in the middle of the structure, every element completed so far has been delivered: that is the salvage. */
#include "chrome_read_impl.h"
#include "gz_in.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_INITIAL (4u << 20)
#define WINDOW_MAX (64u << 20) /* an element larger than this is skipped with a warning */

enum state { S_START, S_TOP_FIRST, S_TOP_KEY, S_TOP_NEXT, S_EV_FIRST, S_EV, S_EV_NEXT, S_END };

typedef struct window {
    char *buf;            /* cap + 1 + WP_JS_PAD bytes: the valid bytes are followed by a NUL sentinel */
    size_t cap, pos, len; /* parse position and valid length */
    uint64_t base;        /* uncompressed offset of buf[0] */
    const char *pending;  /* the rest of the last chunk from gz_in, not yet in the window */
    size_t pending_len;
    int eof;
} window;

typedef struct read_ctx {
    wp_chrome_reader r;
    wp_gz_in *in;
    window w;
    enum state st;
    int bare_array;         /* the file is just the traceEvents array (Chrome's "JSON Array Format") */
    uint64_t last_complete; /* offset just past the last complete element (or the array's '[') */
    uint64_t oversized;     /* elements skipped for size */
    wp_chrome_raw raw;
} read_ctx;

/* Moves the unparsed tail to the front and appends input. Returns 1 when bytes were added, 0 at the end of input. */
static int refill(read_ctx *c)
{
    window *w = &c->w;
    if (w->pos) {
        memmove(w->buf, w->buf + w->pos, w->len - w->pos);
        w->base += w->pos;
        w->len -= w->pos;
        w->pos = 0;
    }
    if (w->len == w->cap && w->cap < WINDOW_MAX) { /* one element fills the window: make room for it */
        char *b = realloc(w->buf, w->cap * 2 + 1 + WP_JS_PAD);
        if (!b)
            return -1;
        w->buf = b;
        w->cap *= 2;
        memset(w->buf + w->cap + 1, 0, WP_JS_PAD);
    }
    size_t added = 0;
    while (w->len < w->cap) {
        if (!w->pending_len) {
            if (w->eof)
                break;
            w->pending_len = wp_gz_in_next(c->in, &w->pending);
            if (!w->pending_len) {
                w->eof = 1;
                break;
            }
        }
        size_t n = w->cap - w->len < w->pending_len ? w->cap - w->len : w->pending_len;
        memcpy(w->buf + w->len, w->pending, n);
        w->pending += n;
        w->pending_len -= n;
        w->len += n;
        added += n;
    }
    w->buf[w->len] = '\0';
    return added > 0;
}

static int fail_at(read_ctx *c, const char *at, const char *what)
{
    uint64_t off = c->w.base + (uint64_t)(at - c->w.buf);
    char ch = *at;
    if (ch >= 0x20 && ch < 0x7f)
        return wp_diag_error(c->r.diag, WP_ERR_FORMAT, "%s: malformed JSON at byte %llu%s: unexpected '%c' %s",
                             c->r.path, (unsigned long long)off, wp_gz_in_is_gzip(c->in) ? " (uncompressed)" : "", ch,
                             what);
    return wp_diag_error(c->r.diag, WP_ERR_FORMAT, "%s: malformed JSON at byte %llu%s: unexpected byte 0x%02x %s",
                         c->r.path, (unsigned long long)off, wp_gz_in_is_gzip(c->in) ? " (uncompressed)" : "",
                         (unsigned char)ch, what);
}

/* One top-level key and its value (other than traceEvents, which switches to the element states). */
static int top_key(read_ctx *c, const char *p, const char *end, const char **next, const char **bad)
{
    wp_jstr key;
    if (*p != '"') {
        *bad = p;
        return p >= end ? WP_JS_MORE : WP_JS_BAD;
    }
    if (wp_js_string(p, end, &key, &p) != WP_JS_OK)
        return WP_JS_MORE;
    p = wp_js_ws(p);
    if (*p != ':') {
        *bad = p;
        return p >= end ? WP_JS_MORE : WP_JS_BAD;
    }
    p = wp_js_ws(p + 1);
    if (key.len == 11 && memcmp(key.p, "traceEvents", 11) == 0) {
        if (*p != '[') {
            *bad = p;
            return p >= end ? WP_JS_MORE : WP_JS_BAD;
        }
        *next = p + 1;
        c->st = S_EV_FIRST;
        return WP_JS_OK;
    }
    const char *v = p;
    int rc = wp_js_skip(p, end, next, bad);
    if (rc != WP_JS_OK)
        return rc;
    c->st = S_TOP_NEXT;
    int hrc = wp_chrome_top_value(&c->r, &key, v, (size_t)(*next - v));
    if (hrc != WP_OK)
        c->r.rc = hrc;
    return WP_JS_OK;
}

/* One step of the state machine at p (past whitespace, before end): consumes up to *next (which may be p itself
 * when the step only changes state). WP_JS_OK, WP_JS_MORE, or WP_JS_BAD with *bad and *what set. */
static int step(read_ctx *c, const char *p, const char *end, const char **next, const char **bad, const char **what)
{
    window *w = &c->w;
    int rc = WP_JS_OK;
    *bad = p;
    *next = p + 1;
    switch (c->st) {
    case S_START:
        *what = "at the start (a Chrome trace is a JSON object or array)";
        if (*p == '[') {
            c->st = S_EV_FIRST;
            c->bare_array = 1;
            c->last_complete = w->base + (uint64_t)(p + 1 - w->buf);
            return WP_JS_OK;
        }
        c->st = S_TOP_FIRST;
        return *p == '{' ? WP_JS_OK : WP_JS_BAD;
    case S_TOP_FIRST:
        c->st = *p == '}' ? S_END : S_TOP_KEY;
        *next = *p == '}' ? p + 1 : p;
        return WP_JS_OK;
    case S_TOP_KEY:
        *what = "in a top-level key";
        rc = top_key(c, p, end, next, bad);
        if (rc == WP_JS_OK && c->st == S_EV_FIRST)
            c->last_complete = w->base + (uint64_t)(*next - w->buf);
        return rc;
    case S_TOP_NEXT:
        *what = "after a top-level value (expected ',' or '}')";
        c->st = *p == ',' ? S_TOP_KEY : S_END;
        return *p == ',' || *p == '}' ? WP_JS_OK : WP_JS_BAD;
    case S_EV_FIRST:
        c->st = *p != ']' ? S_EV : c->bare_array ? S_END : S_TOP_NEXT;
        *next = *p == ']' ? p + 1 : p;
        return WP_JS_OK;
    case S_EV:
        *what = "in a traceEvents element";
        rc = wp_chrome_parse_event(p, end, &c->raw, next, bad);
        if (rc == WP_JS_OK) {
            c->st = S_EV_NEXT;
            c->last_complete = w->base + (uint64_t)(*next - w->buf);
            int hrc = wp_chrome_handle(&c->r, &c->raw);
            if (hrc != WP_OK)
                c->r.rc = hrc;
        }
        return rc;
    case S_EV_NEXT:
        *what = "after a traceEvents element (expected ',' or ']')";
        c->st = *p == ',' ? S_EV : c->bare_array ? S_END : S_TOP_NEXT;
        return *p == ',' || *p == ']' ? WP_JS_OK : WP_JS_BAD;
    default:
        *what = "after the end of the trace";
        return WP_JS_BAD;
    }
}

/* Runs the state machine over the window until it needs more input (WP_JS_MORE), fails, or stops. */
static int run(read_ctx *c, const char **bad, const char **what)
{
    window *w = &c->w;
    const char *end = w->buf + w->len;
    for (;;) {
        const char *p = wp_js_ws(w->buf + w->pos), *next;
        if (p >= end)
            return WP_JS_MORE;
        int rc = step(c, p, end, &next, bad, what);
        if (rc != WP_JS_OK)
            return rc;
        w->pos = (size_t)(next - w->buf);
        if (c->r.rc != WP_OK)
            return WP_JS_OK;
    }
}

/* An element that does not fit in WINDOW_MAX: consumed without parsing (strings and brackets tracked across
 * refills). It ends with its closing bracket, or, when it is a string, with the strings_at_top-th string closed
 * outside brackets (1 for a traceEvents element, 2 for a top-level key and its value). Returns 0 when skipped, -1 at
 * the end of input. */
static int skip_oversized(read_ctx *c, int strings_at_top)
{
    window *w = &c->w;
    uint64_t depth = 0;
    int in_str = 0, esc = 0, started = 0, strings = 0;
    for (;;) {
        for (char *p = w->buf + w->pos, *end = w->buf + w->len; p < end; p++) {
            char ch = *p;
            if (in_str) {
                if (esc)
                    esc = 0;
                else if (ch == '\\')
                    esc = 1;
                else if (ch == '"') {
                    in_str = 0;
                    if (depth == 0 && ++strings == strings_at_top)
                        started = 1; /* that string was the whole value */
                }
            } else if (ch == '"') {
                in_str = 1;
            } else if (ch == '{' || ch == '[') {
                depth++;
                started = 1;
            } else if ((ch == '}' || ch == ']') && depth) {
                depth--;
            }
            if (started && depth == 0 && !in_str) {
                w->pos = (size_t)(p + 1 - w->buf);
                return 0;
            }
        }
        w->pos = w->len;
        if (refill(c) <= 0)
            return -1;
    }
}

static int read_loop(read_ctx *c)
{
    const char *bad = NULL, *what = "";
    for (;;) {
        int rc = run(c, &bad, &what);
        if (c->r.rc != WP_OK)
            return c->r.rc;
        if (rc == WP_JS_BAD)
            return fail_at(c, bad, what);
        int added = refill(c);
        if (added < 0)
            return wp_diag_error(c->r.diag, WP_ERR_NOMEM, "%s: out of memory", c->r.path);
        if (added > 0)
            continue;
        if (c->w.eof)
            break;
        /* The window is at its largest and one element still does not fit in it. */
        uint64_t at = c->w.base + c->w.pos;
        c->oversized++;
        c->r.stats->skipped++;
        wp_diag_warn(c->r.diag, "%s: element at byte %llu is larger than %u MB: skipped", c->r.path,
                     (unsigned long long)at, WINDOW_MAX >> 20);
        int top = c->st == S_TOP_KEY;
        if (c->st == S_EV)
            c->st = S_EV_NEXT;
        else if (top)
            c->st = S_TOP_NEXT;
        if (skip_oversized(c, top ? 2 : 1) != 0)
            break;
        c->last_complete = c->w.base + c->w.pos;
    }
    return WP_OK;
}

/* The end of the input: how it ended, the salvage warning, the summary warnings, the sorted delivery. */
static int finish(read_ctx *c, int rc)
{
    wp_chrome_reader *r = &c->r;
    wp_read_stats *st = r->stats;
    uint64_t total = c->w.base + c->w.len;
    wp_gz_status gz = wp_gz_in_status(c->in);
    st->bytes_read = total;
    if (rc == WP_OK && gz == WP_GZ_IOERR)
        rc = wp_diag_error(r->diag, WP_ERR_IO, "%s: %s", r->path, wp_gz_in_detail(c->in));
    if (rc == WP_OK && c->st == S_START && gz == WP_GZ_OK)
        rc = wp_diag_error(r->diag, WP_ERR_FORMAT, "%s: no JSON in the file (%llu bytes of whitespace)", r->path,
                           (unsigned long long)total);
    if (rc == WP_OK && c->st != S_END) {
        st->truncated = 1;
        st->bytes_lost = total > c->last_complete ? total - c->last_complete : 0;
        const char *why = gz == WP_GZ_OK ? "the JSON ends before its closing brackets" : wp_gz_in_detail(c->in);
        wp_diag_warn(r->diag,
                     "%s: input ends early (%s): kept the %llu events before byte %llu; the %llu bytes after the "
                     "last complete element were lost",
                     r->path, why, (unsigned long long)st->events, (unsigned long long)c->last_complete,
                     (unsigned long long)st->bytes_lost);
    } else if (rc == WP_OK && gz != WP_GZ_OK) { /* e.g. a cut in the gzip trailer: the trace itself is whole */
        wp_diag_warn(r->diag, "%s: the trace is complete but its gzip stream is not (%s)", r->path,
                     wp_gz_in_detail(c->in));
    }
    if (rc == WP_OK && !r->ours)
        rc = wp_chrome_kineto_announce(r, 0); /* a file without events still has its process and devices */
    if (r->unknown)
        wp_diag_warn(r->diag, "%s: skipped %llu elements the event model has no place for (first: %s)", r->path,
                     (unsigned long long)r->unknown, r->unknown_example);
    if (r->bad_numbers)
        wp_diag_warn(r->diag, "%s: skipped %llu events with out-of-range numbers", r->path,
                     (unsigned long long)r->bad_numbers);
    if (r->negative)
        wp_diag_warn(r->diag, "%s: skipped %llu events with a negative duration", r->path,
                     (unsigned long long)r->negative);
    if (r->host_allocs)
        wp_diag_warn(r->diag, "%s: skipped %llu \"[memory]\" allocator events of host or non-CUDA memory or without a "
                     "size (the event model records device memory only)", r->path, (unsigned long long)r->host_allocs);
    if (r->undeclared > 5)
        wp_diag_warn(r->diag, "%s: %llu pids in all without a process record", r->path,
                     (unsigned long long)r->undeclared);
    if (rc == WP_OK && r->sorter)
        rc = wp_event_sort_finish(r->sorter, r->tool, r->diag);
    return rc;
}

int wp_chrome_read(const char *path, wp_strtab *strings, wp_tool *tool, const wp_read_opts *opts, wp_diag *diag,
                   wp_read_stats *stats)
{
    return wp_chrome_read_stream(path, NULL, strings, tool, opts, diag, stats);
}

int wp_chrome_read_stream(const char *path, wp_gz_in *in, wp_strtab *strings, wp_tool *tool,
                          const wp_read_opts *opts, wp_diag *diag, wp_read_stats *stats)
{
    static const wp_read_opts no_opts;
    wp_read_stats local;
    if (!opts)
        opts = &no_opts;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    read_ctx *c = calloc(1, sizeof(*c));
    if (!c) {
        wp_gz_in_close(in);
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    }
    c->in = in;
    c->r = (wp_chrome_reader){.path = path, .strings = strings, .tool = tool, .diag = diag, .stats = stats,
                              .proc_base = opts->proc_base, .kineto_rank = -1};
    tool->strings = strings;
    int rc = WP_OK;
    c->w.cap = WINDOW_INITIAL;
    c->w.buf = calloc(1, c->w.cap + 1 + WP_JS_PAD); /* the scanners read up to WP_JS_PAD bytes past the end */
    if (opts->time_ordered && !(c->r.sorter = wp_event_sort_new(0)))
        rc = wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    if (!c->w.buf)
        rc = wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    if (rc == WP_OK && !c->in && !(c->in = wp_gz_in_open(path)))
        rc = wp_diag_error(diag, errno == ENOMEM ? WP_ERR_NOMEM : WP_ERR_IO, "%s: cannot open: %s", path,
                           strerror(errno));
    if (rc == WP_OK) {
        c->w.buf[0] = '\0';
        rc = finish(c, read_loop(c));
    }
    wp_gz_in_close(c->in);
    wp_event_sort_free(c->r.sorter);
    free(c->w.buf);
    free(c->r.pmap);
    free(c->r.pslots);
    free(c->r.kineto_devs);
    free(c->r.scratch);
    free(c);
    return rc;
}
