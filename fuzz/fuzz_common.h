/* fuzz_common.h: what the fuzz targets share: a scratch file per process in /dev/shm (the readers take paths), and a
 * wp_tool that touches every field of what it is handed, so a bad string id or a garbage field shows under ASan. */
#ifndef WP_FUZZ_COMMON_H
#define WP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strtab.h"
#include "tool.h"
#include "trace_read.h"

/* A directory on tmpfs when there is one: libFuzzer runs thousands of inputs a second. */
static inline const char *fuzz_tmpdir(void)
{
    const char *d = getenv("WP_FUZZ_TMPDIR");
    if (d && *d)
        return d;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* path <- "<tmpdir>/wpfuzz-<pid>-<tag><suffix>"; the name is per process, so parallel jobs do not collide. */
static inline void fuzz_path(char *path, size_t size, const char *tag, const char *suffix)
{
    snprintf(path, size, "%s/wpfuzz-%ld-%s%s", fuzz_tmpdir(), (long)getpid(), tag, suffix);
}

/* Writes len bytes to path (replacing it); returns 0, or -1 when the file cannot be written. */
static inline int fuzz_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = len ? fwrite(data, 1, len, f) : 0;
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

/* Sums every field of every callback so that nothing the reader delivers goes unread. */
typedef struct fuzz_sink {
    wp_tool tool;
    uint64_t sum;
    uint64_t calls;
} fuzz_sink;

static inline uint64_t fuzz_str(const wp_tool *t, uint32_t id)
{
    const char *s = wp_strtab_get(t->strings, id);
    return s ? (uint64_t)strlen(s) : 0;
}

static inline int fuzz_on_event(wp_tool *t, const wp_event *ev)
{
    fuzz_sink *s = (fuzz_sink *)t;
    s->calls++;
    s->sum += (uint64_t)ev->end - (uint64_t)ev->start + ev->kind + ev->proc + ev->device + ev->stream + ev->correlation;
    s->sum += fuzz_str(t, ev->name);
    if (ev->kind == WP_EV_RANGE)
        s->sum += fuzz_str(t, ev->u.range.domain) + fuzz_str(t, ev->u.range.args);
    if (ev->kind >= WP_EV_KIND_COUNT || ev->kind == 0)
        abort(); /* a reader delivered a kind the model does not have */
    return 0;
}

static inline int fuzz_on_process(wp_tool *t, const wp_process *p)
{
    fuzz_sink *s = (fuzz_sink *)t;
    s->sum += p->index + fuzz_str(t, p->host) + fuzz_str(t, p->label);
    s->calls++;
    return 0;
}

static inline int fuzz_on_device(wp_tool *t, const wp_device *d)
{
    fuzz_sink *s = (fuzz_sink *)t;
    s->sum += d->id + fuzz_str(t, d->name);
    s->calls++;
    return 0;
}

static inline int fuzz_on_meta(wp_tool *t, uint32_t proc, const char *key, const char *json_value)
{
    fuzz_sink *s = (fuzz_sink *)t;
    s->sum += proc + strlen(key) + strlen(json_value);
    return 0;
}

static inline int fuzz_on_dropped(wp_tool *t, uint32_t proc, uint64_t records)
{
    fuzz_sink *s = (fuzz_sink *)t;
    s->sum += proc + records;
    return 0;
}

static inline void fuzz_sink_init(fuzz_sink *s)
{
    memset(s, 0, sizeof(*s));
    s->tool.process = fuzz_on_process;
    s->tool.device = fuzz_on_device;
    s->tool.meta = fuzz_on_meta;
    s->tool.dropped = fuzz_on_dropped;
    s->tool.any = fuzz_on_event;
}

/* Reads path with every reader option combination the flags byte selects; returns the read's status. */
static inline int fuzz_read(const char *path, uint8_t flags)
{
    wp_strtab *strings = wp_strtab_new();
    fuzz_sink sink;
    fuzz_sink_init(&sink);
    wp_read_opts opts = {.proc_base = flags & 0x10 ? 3 : 0, .time_ordered = flags & 1};
    wp_diag diag;
    memset(&diag, 0, sizeof(diag));
    wp_read_stats stats;
    int rc = wp_trace_read(path, strings, &sink.tool, &opts, &diag, &stats);
    if (rc != WP_OK && !diag.error[0])
        abort(); /* the contract: a failure always says why */
    wp_strtab_free(strings);
    return rc;
}

#endif
