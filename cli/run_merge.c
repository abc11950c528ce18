/* run_merge.c: the per-process SQLite files of one run -> one SQLite and one .json.gz, one process (pid) per rank, in
 * rank order. --capture-range=nvtx:NAME is applied here: everything was recorded, and an event is kept when it starts
 * inside a range named NAME of its process, or when it is GPU work launched by an API call that started inside one
 * (same correlation id), so kernels that run after their range closed stay with it. The machine file `wanprof
 * calibrate` cached is recorded as metadata of the first process. */
#include "run_priv.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../core/trace_read.h"
#include "../core/trace_write.h"
#include "machine_file.h"

typedef struct span { int64_t start, end; } span;

/* The capture-range filter of one input file. */
typedef struct capture {
    const char *name;
    uint32_t name_id; /* in the merge string table; 0 until seen */
    span *spans;
    size_t nspans, cap_spans;
    uint64_t *corr; /* correlation ids of API calls inside a span, sorted */
    size_t ncorr, cap_corr;
    int pass; /* 1: find the spans, 2: find the API calls inside them */
} capture;

typedef struct merge_tool {
    wp_tool tool; /* first: handlers convert back */
    wp_tool *out[2];
    run_summary *sum;
    capture *cap; /* NULL: keep everything */
    int saw_end;  /* the file holds the collector's "collector_end" metadata: its process exited normally */
} merge_tool;

static int push(void **arr, size_t *n, size_t *cap, size_t size, const void *item)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        void *p = realloc(*arr, c * size);
        if (!p)
            return WP_ERR_NOMEM;
        *arr = p;
        *cap = c;
    }
    memcpy((char *)*arr + *n * size, item, size);
    (*n)++;
    return 0;
}

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int in_spans(const capture *c, int64_t t)
{
    size_t lo = 0, hi = c->nspans;
    while (lo < hi) { /* first span starting after t */
        size_t mid = (lo + hi) / 2;
        if (c->spans[mid].start <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > 0;) { /* spans may nest or overlap: look back while one could still hold t */
        if (c->spans[i].end >= t)
            return 1;
        if (i + 64 < lo)
            break;
    }
    return 0;
}

static int capture_scan(wp_tool *t, const wp_event *ev)
{
    capture *c = ((merge_tool *)t)->cap;
    if (c->pass == 1) {
        if (ev->kind == WP_EV_RANGE && strcmp(wp_strtab_get(t->strings, ev->name), c->name) == 0) {
            span s = {ev->start, ev->end};
            return push((void **)&c->spans, &c->nspans, &c->cap_spans, sizeof(s), &s);
        }
    } else if (ev->kind == WP_EV_API && ev->correlation && in_spans(c, ev->start)) {
        return push((void **)&c->corr, &c->ncorr, &c->cap_corr, sizeof(uint64_t), &ev->correlation);
    }
    return 0;
}

static int capture_keeps(const capture *c, const wp_event *ev)
{
    if (in_spans(c, ev->start))
        return 1;
    return ev->correlation && ev->kind != WP_EV_API
           && bsearch(&ev->correlation, c->corr, c->ncorr, sizeof(uint64_t), u64_cmp) != NULL;
}

static void count_event(run_summary *sum, const wp_event *ev)
{
    if (ev->kind < WP_EV_KIND_COUNT)
        sum->events[ev->kind]++;
    if (ev->kind == WP_EV_MEMCPY) {
        const wp_memcpy_info *m = &ev->u.memcpy;
        unsigned k = m->copy_kind < 16 ? m->copy_kind : 0, s = m->src_kind < 8 ? m->src_kind : 7;
        unsigned d = m->dst_kind < 8 ? m->dst_kind : 7;
        sum->copy_count[k][s][d]++;
        sum->copy_bytes[k][s][d] += m->bytes;
    } else if (ev->kind == WP_EV_MEMSET) {
        sum->memset_bytes += ev->u.memset.bytes;
    }
}

static int on_event(wp_tool *t, const wp_event *ev)
{
    merge_tool *m = (merge_tool *)t;
    if (m->cap && !capture_keeps(m->cap, ev)) {
        m->sum->outside_range++;
        return 0;
    }
    count_event(m->sum, ev);
    for (int i = 0; i < 2; i++) {
        int rc = wp_tool_event(m->out[i], ev);
        if (rc)
            return rc;
    }
    return 0;
}

static int on_process(wp_tool *t, const wp_process *p)
{
    merge_tool *m = (merge_tool *)t;
    m->sum->processes++;
    for (int i = 0; i < 2; i++)
        if (m->out[i]->process && m->out[i]->process(m->out[i], p))
            return WP_ERR_IO;
    return 0;
}

static int on_device(wp_tool *t, const wp_device *d)
{
    merge_tool *m = (merge_tool *)t;
    for (int i = 0; i < 2; i++)
        if (m->out[i]->device && m->out[i]->device(m->out[i], d))
            return WP_ERR_IO;
    return 0;
}

static int on_meta(wp_tool *t, uint32_t proc, const char *key, const char *value)
{
    merge_tool *m = (merge_tool *)t;
    if (strcmp(key, "collector_end") == 0)
        m->saw_end = 1;
    for (int i = 0; i < 2; i++)
        if (m->out[i]->meta && m->out[i]->meta(m->out[i], proc, key, value))
            return WP_ERR_IO;
    return 0;
}

static int on_dropped(wp_tool *t, uint32_t proc, uint64_t records)
{
    merge_tool *m = (merge_tool *)t;
    m->sum->dropped += records;
    for (int i = 0; i < 2; i++)
        if (m->out[i]->dropped && m->out[i]->dropped(m->out[i], proc, records))
            return WP_ERR_IO;
    return 0;
}

/* The cached machine file (machine_file.h), as it is, under the key "machine" of process 0: its facts are this host's,
 * where every process of the run ran. No file: nothing recorded; a file that is not one: a warning. */
static int record_machine(merge_tool *m, wp_diag *diag)
{
    char path[4096];
    wp_diag why;
    memset(&why, 0, sizeof(why));
    int exists = 0;
    char *text = wp_machine_cache_path(path, sizeof(path), &why) ? wp_machine_file_load(path, &exists, &why) : NULL;
    if (!text) {
        if (exists)
            wp_diag_warn(diag, "%s; not recorded in the trace (run `wanprof calibrate` again)", why.error);
        return 0;
    }
    int rc = on_meta(&m->tool, 0, WP_MACHINE_META_KEY, text);
    free(text);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* The per-process files, sorted so that r2 comes before r10. Returns the count, -1 when the folder cannot be read. */
static int list_parts(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0, cap = 0;
    *names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 8 || strcmp(e->d_name + len - 7, ".sqlite") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(*names, (size_t)cap * sizeof(char *));
            if (!p)
                break;
            *names = p;
        }
        (*names)[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(*names, (size_t)n, sizeof(char *), name_cmp);
    return n;
}

static int read_part(const char *path, wp_strtab *strings, merge_tool *m, uint32_t base, wp_diag *diag)
{
    wp_read_opts ropts = {.proc_base = base, .time_ordered = 0};
    wp_read_stats st;
    memset(&st, 0, sizeof(st));
    if (m->cap) {
        wp_tool scan = {.strings = strings, .any = capture_scan};
        merge_tool sm = {.tool = scan, .cap = m->cap, .sum = m->sum};
        m->cap->nspans = m->cap->ncorr = 0;
        for (m->cap->pass = 1; m->cap->pass <= 2; m->cap->pass++) {
            int rc = wp_trace_read(path, strings, &sm.tool, &ropts, diag, NULL);
            if (rc != WP_OK)
                return rc;
            if (m->cap->pass == 1)
                qsort(m->cap->spans, m->cap->nspans, sizeof(span), span_cmp);
        }
        qsort(m->cap->corr, m->cap->ncorr, sizeof(uint64_t), u64_cmp);
    }
    m->saw_end = 0;
    int rc = wp_trace_read(path, strings, &m->tool, &ropts, diag, &st);
    if (st.truncated || !m->saw_end)
        m->sum->truncated_inputs++;
    return rc;
}

static void free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int open_outputs(const run_opts *o, wp_writer *w[2], wp_strtab *strings, wp_diag *diag)
{
    wp_write_opts wopts = {.force = o->force, .in_place = 0};
    w[0] = wp_sqlite_writer_open(o->sqlite_path, &wopts, diag);
    w[1] = w[0] ? wp_chrome_writer_open(o->chrome_path, &wopts, diag) : NULL;
    if (!w[1]) {
        if (w[0])
            wp_writer_abort(w[0]);
        return diag->error[0] ? WP_ERR_IO : WP_ERR_NOMEM;
    }
    for (int i = 0; i < 2; i++)
        wp_writer_tool(w[i])->strings = strings;
    return WP_OK;
}

int run_merge(const run_opts *o, run_summary *sum, wp_diag *diag)
{
    char **names = NULL;
    int n = list_parts(o->parts_dir, &names);
    sum->parts = n < 0 ? 0 : n;
    if (n <= 0) {
        free_names(names, n < 0 ? 0 : n);
        return WP_ERR_STOPPED;
    }
    wp_strtab *strings = wp_strtab_new();
    wp_writer *w[2] = {NULL, NULL};
    capture cap = {.name = o->capture_range};
    int rc = strings ? open_outputs(o, w, strings, diag) : WP_ERR_NOMEM;
    if (rc == WP_OK) {
        merge_tool m = {.tool = {.strings = strings, .process = on_process, .device = on_device, .meta = on_meta,
                                 .dropped = on_dropped, .any = on_event},
                        .out = {wp_writer_tool(w[0]), wp_writer_tool(w[1])}, .sum = sum,
                        .cap = o->capture_range ? &cap : NULL};
        for (int i = 0; i < n && rc == WP_OK; i++) {
            char path[8400];
            snprintf(path, sizeof(path), "%s/%s", o->parts_dir, names[i]);
            rc = read_part(path, strings, &m, sum->processes, diag);
        }
        if (rc == WP_OK && sum->processes > 0)
            rc = record_machine(&m, diag);
        if (rc == WP_OK)
            rc = wp_writer_close(w[0], diag);
        else
            wp_writer_abort(w[0]);
        if (rc == WP_OK)
            rc = wp_writer_close(w[1], diag);
        else
            wp_writer_abort(w[1]);
    }
    free(cap.spans);
    free(cap.corr);
    free_names(names, n);
    wp_strtab_free(strings);
    return rc;
}
