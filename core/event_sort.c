/* event_sort.c: external merge sort of wp_event records (see event_sort.h). Records hold no pointers, so a run on
 * disk is just the sorted array's bytes. At the end the in-memory buffer is reused as the runs' read buffers, so the
 * memory in use never exceeds the buffer given at creation (plus one heap slot per run). */
#include "event_sort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_EVENTS (256u * 1024u)
#define MIN_READ 64u

typedef struct run {
    FILE *f;
    wp_event *buf; /* a slice of the sorter's buffer while merging */
    size_t cap, n, i;
} run;

struct wp_event_sort {
    wp_event *buf;
    size_t cap, n;
    run *runs;
    size_t nruns;
};

static int cmp_events(const wp_event *a, const wp_event *b)
{
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end) /* longer first: a range precedes what it encloses */
        return a->end > b->end ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return memcmp(a, b, sizeof(*a)); /* any fixed order, so the result does not depend on qsort or the spills */
}

static int qsort_cmp(const void *a, const void *b)
{
    return cmp_events(a, b);
}

wp_event_sort *wp_event_sort_new(size_t buffer_events)
{
    wp_event_sort *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cap = buffer_events ? buffer_events : DEFAULT_EVENTS;
    s->buf = malloc(s->cap * sizeof(*s->buf));
    if (!s->buf) {
        free(s);
        return NULL;
    }
    return s;
}

static int spill(wp_event_sort *s, wp_diag *diag)
{
    qsort(s->buf, s->n, sizeof(*s->buf), qsort_cmp);
    run *runs = realloc(s->runs, (s->nruns + 1) * sizeof(*runs));
    if (!runs)
        return wp_diag_error(diag, WP_ERR_NOMEM, "sorting events: out of memory");
    s->runs = runs;
    run *r = &s->runs[s->nruns];
    memset(r, 0, sizeof(*r));
    r->f = tmpfile();
    if (!r->f)
        return wp_diag_error(diag, WP_ERR_IO, "sorting events: cannot create a temporary file: %s", strerror(errno));
    s->nruns++;
    if (fwrite(s->buf, sizeof(*s->buf), s->n, r->f) != s->n || fflush(r->f) != 0)
        return wp_diag_error(diag, WP_ERR_IO, "sorting events: cannot write a temporary file: %s", strerror(errno));
    rewind(r->f);
    s->n = 0;
    return WP_OK;
}

int wp_event_sort_add(wp_event_sort *s, const wp_event *ev, wp_diag *diag)
{
    if (s->n == s->cap) {
        int rc = spill(s, diag);
        if (rc != WP_OK)
            return rc;
    }
    s->buf[s->n++] = *ev;
    return WP_OK;
}

size_t wp_event_sort_runs(const wp_event_sort *s)
{
    return s->nruns;
}

/* Refills a run's buffer; 0 when the run is exhausted. */
static size_t run_fill(run *r)
{
    r->i = 0;
    r->n = fread(r->buf, sizeof(*r->buf), r->cap, r->f);
    return r->n;
}

/* The next event of run r. */
static const wp_event *head(const wp_event_sort *s, size_t r)
{
    return &s->runs[r].buf[s->runs[r].i];
}

static void heap_down(wp_event_sort *s, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && cmp_events(head(s, heap[l]), head(s, heap[m])) < 0)
            m = l;
        if (l + 1 < n && cmp_events(head(s, heap[l + 1]), head(s, heap[m])) < 0)
            m = l + 1;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static int merge(wp_event_sort *s, wp_tool *tool, wp_diag *diag)
{
    /* Read buffers come out of the sort buffer; with very many runs each still gets MIN_READ events (more memory,
     * but a run read one record at a time would be seek-bound). */
    size_t per = s->cap / s->nruns;
    if (per < MIN_READ) {
        wp_event *bigger = realloc(s->buf, s->nruns * MIN_READ * sizeof(*bigger));
        if (!bigger)
            return wp_diag_error(diag, WP_ERR_NOMEM, "sorting events: out of memory");
        s->buf = bigger;
        per = MIN_READ;
    }
    size_t *heap = malloc(s->nruns * sizeof(*heap));
    if (!heap)
        return wp_diag_error(diag, WP_ERR_NOMEM, "sorting events: out of memory");
    size_t n = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        s->runs[i].buf = s->buf + i * per;
        s->runs[i].cap = per;
        if (run_fill(&s->runs[i]))
            heap[n++] = i;
    }
    for (size_t i = n / 2; i-- > 0;)
        heap_down(s, heap, n, i);
    int rc = WP_OK;
    while (n && rc == WP_OK) {
        run *r = &s->runs[heap[0]];
        rc = wp_tool_event(tool, &r->buf[r->i]);
        if (rc)
            rc = rc < 0 ? rc : WP_ERR_STOPPED;
        if (++r->i == r->n && !run_fill(r)) {
            if (ferror(r->f))
                rc = wp_diag_error(diag, WP_ERR_IO, "sorting events: cannot read a temporary file");
            heap[0] = heap[--n];
        }
        heap_down(s, heap, n, 0);
    }
    free(heap);
    return rc;
}

int wp_event_sort_finish(wp_event_sort *s, wp_tool *tool, wp_diag *diag)
{
    if (s->nruns == 0) { /* everything fit in memory: no files */
        qsort(s->buf, s->n, sizeof(*s->buf), qsort_cmp);
        for (size_t i = 0; i < s->n; i++) {
            int rc = wp_tool_event(tool, &s->buf[i]);
            if (rc)
                return rc < 0 ? rc : WP_ERR_STOPPED;
        }
        return WP_OK;
    }
    if (s->n) {
        int rc = spill(s, diag);
        if (rc != WP_OK)
            return rc;
    }
    return merge(s, tool, diag);
}

void wp_event_sort_free(wp_event_sort *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nruns; i++)
        if (s->runs[i].f)
            fclose(s->runs[i].f);
    free(s->runs);
    free(s->buf);
    free(s);
}
