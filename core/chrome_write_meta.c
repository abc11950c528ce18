/* chrome_write_meta.c: the records that are not events: processes (process_name with our fields in args, and
 * process_sort_index), devices, run metadata and drop counts as metadata events, and the Kineto-style trailer
 * (deviceProperties, distributedInfo). */
#include "chrome_format.h"
#include "chrome_write_event.h"
#include "safe_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY(b, k) wp_jbuf_raw(b, k, sizeof(k) - 1)

static const char *str(const wp_chrome_ctx *c, uint32_t id)
{
    return c->strings ? wp_strtab_get(c->strings, id) : "";
}

static void put_str(wp_jbuf *b, const char *s)
{
    wp_jbuf_str(b, s, strlen(s));
}

static int pid_taken(const wp_chrome_ctx *c, int64_t pid)
{
    for (uint32_t i = 0; i < c->nprocs; i++)
        if (c->procs[i].chrome_pid == pid)
            return 1;
    return 0;
}

/* The table entry for process index idx, created (as an unknown placeholder) when missing. */
static wp_chrome_proc *proc_slot(wp_chrome_ctx *c, uint32_t idx)
{
    if (idx >= c->nprocs) {
        if (idx >= (1u << 20))
            return NULL;
        wp_chrome_proc *p = realloc(c->procs, (idx + 1) * sizeof(*p));
        if (!p)
            return NULL;
        memset(p + c->nprocs, 0, (idx + 1 - c->nprocs) * sizeof(*p));
        c->procs = p;
        c->nprocs = idx + 1;
    }
    return &c->procs[idx];
}

static void put_process_meta(wp_chrome_ctx *c, const wp_chrome_proc *p)
{
    wp_jbuf *b = &c->line;
    const wp_process *q = &p->proc;
    char display[256];
    const char *label = str(c, q->label);
    if (q->rank >= 0)
        snprintf(display, sizeof(display), "rank %d (pid %lld)", q->rank, (long long)q->pid);
    else
        snprintf(display, sizeof(display), "%.*s%spid %lld", wp_utf8_cut(label, 200), label, *label ? " " : "",
                 (long long)q->pid);
    KEY(b, ",\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, p->chrome_pid);
    KEY(b, ",\"tid\":0,\"args\":{\"name\":");
    put_str(b, display);
    KEY(b, ",\"wp_index\":");
    wp_jbuf_u64(b, q->index);
    KEY(b, ",\"wp_pid\":");
    wp_jbuf_i64(b, q->pid);
    KEY(b, ",\"wp_rank\":");
    wp_jbuf_i64(b, q->rank);
    KEY(b, ",\"wp_host\":");
    put_str(b, str(c, q->host));
    KEY(b, ",\"wp_label\":");
    put_str(b, label);
    KEY(b, "}},\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, p->chrome_pid);
    KEY(b, ",\"tid\":0,\"args\":{\"sort_index\":");
    wp_jbuf_u64(b, q->index);
    KEY(b, "}}");
}

wp_chrome_proc *wp_chrome_proc_for(wp_chrome_ctx *c, uint32_t idx)
{
    wp_chrome_proc *p = proc_slot(c, idx);
    if (p && !p->known && p->chrome_pid == 0) {
        p->proc = (wp_process){.index = idx, .rank = -1};
        p->chrome_pid = WP_CHROME_ANON_PID + idx;
        put_process_meta(c, p);
    }
    return p;
}

int wp_chrome_process(wp_chrome_ctx *c, const wp_process *proc)
{
    wp_chrome_proc *p = proc_slot(c, proc->index);
    if (!p)
        return -1;
    p->proc = *proc;
    p->known = 1;
    if (p->chrome_pid == 0)
        p->chrome_pid = proc->pid > 0 && proc->pid < WP_CHROME_ANON_PID && !pid_taken(c, proc->pid)
                            ? proc->pid
                            : WP_CHROME_ANON_PID + proc->index;
    put_process_meta(c, p);
    return c->line.oom ? -1 : 0;
}

int wp_chrome_device(wp_chrome_ctx *c, const wp_device *dev)
{
    wp_chrome_proc *p = wp_chrome_proc_for(c, dev->proc);
    wp_device *devs = realloc(c->devs, (c->ndevs + 1) * sizeof(*devs));
    char **names = devs ? realloc(c->dev_names, (c->ndevs + 1) * sizeof(*names)) : NULL;
    if (devs)
        c->devs = devs;
    if (names)
        c->dev_names = names;
    char *name = p && names ? strdup(str(c, dev->name)) : NULL;
    if (!name)
        return -1;
    c->devs[c->ndevs] = *dev;
    c->dev_names[c->ndevs++] = name;
    wp_jbuf *b = &c->line;
    KEY(b, ",\n{\"name\":\"wp_device\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, p->chrome_pid);
    KEY(b, ",\"tid\":0,\"args\":{\"id\":");
    wp_jbuf_u64(b, dev->id);
    KEY(b, ",\"name\":");
    put_str(b, name);
    KEY(b, ",\"totalGlobalMem\":");
    wp_jbuf_u64(b, dev->total_memory);
    KEY(b, ",\"computeMajor\":");
    wp_jbuf_i64(b, dev->cc_major);
    KEY(b, ",\"computeMinor\":");
    wp_jbuf_i64(b, dev->cc_minor);
    KEY(b, ",\"numSms\":");
    wp_jbuf_i64(b, dev->sm_count);
    KEY(b, "}}");
    return b->oom ? -1 : 0;
}

int wp_chrome_meta(wp_chrome_ctx *c, uint32_t proc, const char *key, const char *json_value, int valid_json)
{
    wp_chrome_proc *p = wp_chrome_proc_for(c, proc);
    if (!p)
        return -1;
    wp_jbuf *b = &c->line;
    KEY(b, ",\n{\"name\":\"wp_meta\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, p->chrome_pid);
    KEY(b, ",\"tid\":0,\"args\":{\"key\":");
    put_str(b, key);
    KEY(b, ",\"value\":");
    if (valid_json)
        wp_jbuf_cstr(b, json_value); /* read back as the same text */
    else
        put_str(b, json_value);
    KEY(b, "}}");
    put_str(&p->meta, key);
    KEY(&p->meta, ":");
    if (valid_json)
        wp_jbuf_cstr(&p->meta, json_value);
    else
        put_str(&p->meta, json_value);
    KEY(&p->meta, ",");
    return b->oom || p->meta.oom ? -1 : 0;
}

int wp_chrome_dropped(wp_chrome_ctx *c, uint32_t proc, uint64_t records)
{
    wp_chrome_proc *p = wp_chrome_proc_for(c, proc);
    if (!p)
        return -1;
    wp_jbuf *b = &c->line;
    KEY(b, ",\n{\"name\":\"wp_dropped\",\"ph\":\"M\",\"pid\":");
    wp_jbuf_i64(b, p->chrome_pid);
    KEY(b, ",\"tid\":0,\"args\":{\"records\":");
    wp_jbuf_u64(b, records);
    KEY(b, "}}");
    p->dropped += records;
    return b->oom ? -1 : 0;
}

static void put_run_summary(wp_chrome_ctx *c, wp_jbuf *b)
{
    KEY(b, ",\"wanprofRun\":{\"processes\":[");
    int first = 1;
    for (uint32_t i = 0; i < c->nprocs; i++) {
        const wp_chrome_proc *p = &c->procs[i];
        if (!p->chrome_pid)
            continue; /* an index nobody used */
        if (!first)
            KEY(b, ",");
        first = 0;
        KEY(b, "{\"index\":");
        wp_jbuf_u64(b, p->proc.index);
        KEY(b, ",\"pid\":");
        wp_jbuf_i64(b, p->proc.pid);
        KEY(b, ",\"rank\":");
        wp_jbuf_i64(b, p->proc.rank);
        KEY(b, ",\"host\":");
        put_str(b, str(c, p->proc.host));
        KEY(b, ",\"label\":");
        put_str(b, str(c, p->proc.label));
        KEY(b, ",\"dropped\":");
        wp_jbuf_u64(b, p->dropped);
        KEY(b, ",\"meta\":{");
        if (p->meta.len)
            wp_jbuf_raw(b, p->meta.data, p->meta.len - 1); /* without the last comma */
        KEY(b, "}}");
    }
    KEY(b, "]}");
}

void wp_chrome_trailer(wp_chrome_ctx *c, wp_jbuf *b)
{
    put_run_summary(c, b);
    KEY(b, ",\"deviceProperties\":[");
    for (uint32_t i = 0; i < c->ndevs; i++) {
        const wp_device *d = &c->devs[i];
        if (i)
            KEY(b, ",");
        KEY(b, "{\"id\":");
        wp_jbuf_u64(b, d->id);
        KEY(b, ",\"name\":");
        put_str(b, c->dev_names[i]);
        KEY(b, ",\"totalGlobalMem\":");
        wp_jbuf_u64(b, d->total_memory);
        KEY(b, ",\"computeMajor\":");
        wp_jbuf_i64(b, d->cc_major);
        KEY(b, ",\"computeMinor\":");
        wp_jbuf_i64(b, d->cc_minor);
        KEY(b, ",\"numSms\":");
        wp_jbuf_i64(b, d->sm_count);
        KEY(b, "}");
    }
    KEY(b, "]");
    /* Kineto writes one file per rank; only such a file gets a distributedInfo. */
    if (c->nprocs == 1 && c->procs[0].proc.rank >= 0) {
        KEY(b, ",\"distributedInfo\":{\"rank\":");
        wp_jbuf_i64(b, c->procs[0].proc.rank);
        KEY(b, "}");
    }
}

