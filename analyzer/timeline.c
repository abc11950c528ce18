/* timeline.c: GPU activity as sorted, merged intervals (see timeline.h). Until wp_timeline_finish the intervals are
 * an unsorted list; finish sorts them by (process, device, activity, start), merges each run into disjoint intervals
 * with running totals (a window's busy time is two binary searches and a subtraction), and per process merges every
 * device's work into one "anything" list that gaps and the last busy moment are read from. */
#include "timeline.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nsmath.h"

enum { SET_COMPUTE = WP_ACT_COMPUTE, SET_NCCL = WP_ACT_NCCL, SET_COPY = WP_ACT_COPY, SET_BUSY, SET_COUNT };

typedef struct span {
    int64_t start, end;
    uint32_t proc, device;
    uint32_t what; /* wp_activity */
} span;

/* Disjoint intervals sorted by start; cum[i] = total length of iv[0..i) (a union of disjoint intervals inside the
 * int64 range measures at most 2^64 - 1 ns, so uint64 holds it exactly). */
typedef struct iset {
    span *iv;
    uint64_t *cum;
    size_t n;
} iset;

typedef struct lane { /* one device of one process */
    uint32_t device;
    iset sets[SET_COUNT];
} lane;

typedef struct pview { /* one process, after aliasing */
    uint32_t proc;
    lane *lanes;
    size_t nlanes;
    iset any; /* the union of every lane's busy set */
} pview;

typedef struct alias {
    uint32_t from, to;
} alias;

struct wp_timeline {
    span *spans; /* until finish */
    size_t nspans, capspans;
    alias *aliases;
    size_t naliases, capaliases;
    pview *procs; /* sorted by proc, after finish */
    size_t nprocs;
    size_t bytes;
};

wp_timeline *wp_timeline_new(void)
{
    return calloc(1, sizeof(wp_timeline));
}

static void iset_free(iset *s)
{
    free(s->iv);
    free(s->cum);
}

void wp_timeline_free(wp_timeline *t)
{
    if (!t)
        return;
    for (size_t p = 0; p < t->nprocs; p++) {
        for (size_t l = 0; l < t->procs[p].nlanes; l++)
            for (int k = 0; k < SET_COUNT; k++)
                iset_free(&t->procs[p].lanes[l].sets[k]);
        free(t->procs[p].lanes);
        iset_free(&t->procs[p].any);
    }
    free(t->procs);
    free(t->spans);
    free(t->aliases);
    free(t);
}

static int grow(void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 1024;
    void *na = realloc(*arr, ncap * elem);
    if (!na)
        return -1;
    *arr = na;
    *cap = ncap;
    return 0;
}

static int push(wp_timeline *t, span s)
{
    if (grow((void **)&t->spans, t->nspans, &t->capspans, sizeof(*t->spans)))
        return -1;
    t->spans[t->nspans++] = s;
    return 0;
}

int wp_timeline_add(wp_timeline *t, uint32_t proc, uint32_t device, wp_activity what, int64_t start, int64_t end)
{
    if (end <= start)
        return 0;
    if (what == WP_ACT_NCCL && push(t, (span){start, end, proc, device, WP_ACT_COMPUTE}))
        return -1;
    return push(t, (span){start, end, proc, device, what});
}

int wp_timeline_alias(wp_timeline *t, uint32_t from, uint32_t to)
{
    if (grow((void **)&t->aliases, t->naliases, &t->capaliases, sizeof(*t->aliases)))
        return -1;
    t->aliases[t->naliases++] = (alias){from, to};
    return 0;
}

static uint32_t owner(const wp_timeline *t, uint32_t proc)
{
    for (size_t i = t->naliases; i-- > 0;)
        if (t->aliases[i].from == proc)
            return t->aliases[i].to;
    return proc;
}

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    if (x->device != y->device)
        return x->device < y->device ? -1 : 1;
    if (x->what != y->what)
        return x->what < y->what ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Merges in[0..n) (sorted by start) into s; returns 0 or -1 (out of memory). */
static int iset_build(iset *s, const span *in, size_t n, size_t *bytes)
{
    memset(s, 0, sizeof(*s));
    if (n == 0)
        return 0;
    s->iv = malloc(n * sizeof(*s->iv));
    s->cum = malloc((n + 1) * sizeof(*s->cum));
    if (!s->iv || !s->cum)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s->n && in[i].start <= s->iv[s->n - 1].end) {
            if (in[i].end > s->iv[s->n - 1].end)
                s->iv[s->n - 1].end = in[i].end;
        } else {
            s->iv[s->n++] = in[i];
        }
    }
    s->cum[0] = 0;
    for (size_t i = 0; i < s->n; i++)
        s->cum[i + 1] = s->cum[i] + ((uint64_t)s->iv[i].end - (uint64_t)s->iv[i].start);
    *bytes += s->n * sizeof(*s->iv) + (s->n + 1) * sizeof(*s->cum);
    return 0;
}

/* Unions several sets into one (their intervals sorted by start, then merged). */
static int iset_union(iset *out, const iset *const *in, size_t k, size_t *bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        n += in[i]->n;
    span *all = malloc((n + 1) * sizeof(*all));
    if (!all)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (in[i]->n)
            memcpy(all + m, in[i]->iv, in[i]->n * sizeof(*all));
        m += in[i]->n;
    }
    if (k > 1)
        qsort(all, m, sizeof(*all), cmp_span); /* same proc, device and activity fields: sorts by start */
    int rc = iset_build(out, all, m, bytes);
    free(all);
    return rc;
}

/* The sets of one device from its spans [lo, hi) (sorted by activity, then start). */
static int build_lane(lane *ln, const span *s, size_t lo, size_t hi, size_t *bytes)
{
    ln->device = s[lo].device;
    for (int k = 0; k < SET_BUSY; k++) {
        size_t a = lo;
        while (a < hi && s[a].what != (uint32_t)k)
            a++;
        size_t b = a;
        while (b < hi && s[b].what == (uint32_t)k)
            b++;
        if (iset_build(&ln->sets[k], s + a, b - a, bytes))
            return -1;
        for (size_t i = 0; i < ln->sets[k].n; i++) { /* so that unions sort by start alone */
            ln->sets[k].iv[i].what = 0;
            ln->sets[k].iv[i].device = 0;
        }
    }
    const iset *both[2] = {&ln->sets[SET_COMPUTE], &ln->sets[SET_COPY]};
    return iset_union(&ln->sets[SET_BUSY], both, 2, bytes);
}

/* One process from its spans [lo, hi) (sorted by device, activity, start). */
static int build_proc(pview *p, const span *s, size_t lo, size_t hi, size_t *bytes)
{
    p->proc = s[lo].proc;
    size_t devices = 0;
    for (size_t i = lo; i < hi; i++)
        devices += i == lo || s[i].device != s[i - 1].device;
    p->lanes = calloc(devices, sizeof(*p->lanes));
    const iset **busy = malloc(devices * sizeof(*busy));
    int rc = p->lanes && busy ? 0 : -1;
    for (size_t a = lo; rc == 0 && a < hi;) {
        size_t b = a;
        while (b < hi && s[b].device == s[a].device)
            b++;
        lane *ln = &p->lanes[p->nlanes++];
        rc = build_lane(ln, s, a, b, bytes);
        busy[p->nlanes - 1] = &ln->sets[SET_BUSY];
        a = b;
    }
    if (rc == 0)
        rc = iset_union(&p->any, busy, p->nlanes, bytes);
    free(busy);
    return rc;
}

int wp_timeline_finish(wp_timeline *t)
{
    for (size_t i = 0; i < t->nspans; i++)
        t->spans[i].proc = owner(t, t->spans[i].proc);
    if (t->nspans)
        qsort(t->spans, t->nspans, sizeof(*t->spans), cmp_span);
    size_t nprocs = 0;
    for (size_t i = 0; i < t->nspans; i++)
        nprocs += i == 0 || t->spans[i].proc != t->spans[i - 1].proc;
    t->procs = calloc(nprocs + 1, sizeof(*t->procs));
    if (!t->procs)
        return -1;
    t->bytes = (nprocs + 1) * sizeof(*t->procs);
    for (size_t a = 0; a < t->nspans;) {
        size_t b = a;
        while (b < t->nspans && t->spans[b].proc == t->spans[a].proc)
            b++;
        if (build_proc(&t->procs[t->nprocs++], t->spans, a, b, &t->bytes))
            return -1;
        a = b;
    }
    free(t->spans);
    t->spans = NULL;
    t->nspans = t->capspans = 0;
    return 0;
}

static const pview *view_of(const wp_timeline *t, uint32_t proc)
{
    size_t lo = 0, hi = t->nprocs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->procs[mid].proc < proc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < t->nprocs && t->procs[lo].proc == proc ? &t->procs[lo] : NULL;
}

/* Index of the first interval of s ending after t. */
static size_t first_ending_after(const iset *s, int64_t t)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->iv[mid].end <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the first interval of s starting at or after t. */
static size_t first_starting_from(const iset *s, int64_t t)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->iv[mid].start < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Length of s inside [a, b), a < b. */
static uint64_t measure(const iset *s, int64_t a, int64_t b)
{
    size_t lo = first_ending_after(s, a), hi = first_starting_from(s, b);
    if (lo >= hi)
        return 0;
    uint64_t m = s->cum[hi] - s->cum[lo];
    if (s->iv[lo].start < a)
        m -= (uint64_t)a - (uint64_t)s->iv[lo].start;
    if (s->iv[hi - 1].end > b)
        m -= (uint64_t)s->iv[hi - 1].end - (uint64_t)b;
    return m;
}

static int64_t clamp_ns(uint64_t v)
{
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Longest stretch of [a, b) outside s, and the end of s's last interval inside it (clipped; INT64_MIN when none). */
static void gaps(const iset *s, int64_t a, int64_t b, int64_t *max_gap, int64_t *last_end)
{
    size_t lo = first_ending_after(s, a), hi = first_starting_from(s, b);
    int64_t at = a, best = 0;
    for (size_t i = lo; i < hi; i++) {
        int64_t g = wp_ns_span(at, s->iv[i].start);
        best = g > best ? g : best;
        at = s->iv[i].end;
    }
    int64_t tail = wp_ns_span(at, b);
    *max_gap = tail > best ? tail : best;
    *last_end = lo < hi ? (s->iv[hi - 1].end < b ? s->iv[hi - 1].end : b) : INT64_MIN;
}

void wp_timeline_query(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end, wp_busy *out)
{
    memset(out, 0, sizeof(*out));
    out->last_busy_end = INT64_MIN;
    if (end <= start)
        return;
    uint64_t most[SET_COUNT] = {0};
    const pview *p = view_of(t, proc);
    for (size_t l = 0; p && l < p->nlanes; l++)
        for (int k = 0; k < SET_COUNT; k++) {
            uint64_t m = measure(&p->lanes[l].sets[k], start, end);
            most[k] = m > most[k] ? m : most[k];
        }
    out->compute = clamp_ns(most[SET_COMPUTE]);
    out->nccl = clamp_ns(most[SET_NCCL]);
    out->copy = clamp_ns(most[SET_COPY]);
    out->busy = clamp_ns(most[SET_BUSY]);
    out->idle = clamp_ns((uint64_t)end - (uint64_t)start - most[SET_BUSY]);
    if (p)
        gaps(&p->any, start, end, &out->max_idle, &out->last_busy_end);
    else
        out->max_idle = wp_ns_span(start, end);
}

double wp_timeline_compute_fraction(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end)
{
    if (end <= start)
        return 0;
    uint64_t most = 0;
    const pview *p = view_of(t, proc);
    for (size_t l = 0; p && l < p->nlanes; l++) {
        uint64_t m = measure(&p->lanes[l].sets[SET_COMPUTE], start, end);
        most = m > most ? m : most;
    }
    return (double)most / (double)((uint64_t)end - (uint64_t)start);
}

size_t wp_timeline_bytes(const wp_timeline *t)
{
    return sizeof(*t) + t->capspans * sizeof(span) + t->capaliases * sizeof(alias) + t->bytes;
}
