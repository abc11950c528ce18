/* timeline.c: sparse binned GPU activity (see timeline.h). Chunks of bins live in an open-addressing hash table
 * keyed by (proc, device, chunk index). */
#include "timeline.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_BINS 4096
#define W WP_TIMELINE_BIN_NS
#define MAX_DEVS 64

typedef struct bin {
    uint16_t v[3]; /* ns of compute, nccl, copy inside the bin, saturating at W */
    uint16_t pad;
} bin;

typedef struct chunk {
    uint64_t key;
    bin bins[CHUNK_BINS];
} chunk;

struct wp_timeline {
    chunk **slots;
    size_t cap, used;
    uint64_t devs[MAX_DEVS]; /* (proc << 32 | device) pairs seen */
    uint32_t owner[MAX_DEVS]; /* the proc whose queries see devs[i] */
    int ndevs;
};

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static uint64_t chunk_key(uint32_t proc, uint32_t device, int64_t idx)
{
    /* proc and device in the top 24 bits: runs have few processes and devices; idx spans ~2^40 chunks of 0.2 s */
    return ((uint64_t)(proc & 0xfff) << 52) | ((uint64_t)(device & 0xfff) << 40) | ((uint64_t)idx & 0xffffffffffull);
}

static size_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k;
}

wp_timeline *wp_timeline_new(void)
{
    wp_timeline *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cap = 256;
    t->slots = calloc(t->cap, sizeof(*t->slots));
    if (!t->slots) {
        free(t);
        return NULL;
    }
    return t;
}

void wp_timeline_free(wp_timeline *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i]);
    free(t->slots);
    free(t);
}

static chunk *find(const wp_timeline *t, uint64_t key)
{
    for (size_t i = hash64(key) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        chunk *c = t->slots[i];
        if (!c || c->key == key)
            return c;
    }
}

static int grow(wp_timeline *t)
{
    size_t ncap = t->cap * 2;
    chunk **ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        chunk *c = t->slots[i];
        if (!c)
            continue;
        size_t j = hash64(c->key) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = c;
    }
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    return 0;
}

static chunk *get(wp_timeline *t, uint64_t key)
{
    chunk *c = find(t, key);
    if (c)
        return c;
    if ((t->used + 1) * 2 > t->cap && grow(t) != 0)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->key = key;
    size_t i = hash64(key) & (t->cap - 1);
    while (t->slots[i])
        i = (i + 1) & (t->cap - 1);
    t->slots[i] = c;
    t->used++;
    return c;
}

static void note_device(wp_timeline *t, uint32_t proc, uint32_t device)
{
    uint64_t pd = (uint64_t)proc << 32 | device;
    for (int i = 0; i < t->ndevs; i++)
        if (t->devs[i] == pd)
            return;
    if (t->ndevs < MAX_DEVS) {
        t->owner[t->ndevs] = proc;
        t->devs[t->ndevs++] = pd;
    }
}

int wp_timeline_add(wp_timeline *t, uint32_t proc, uint32_t device, wp_activity what, int64_t start, int64_t end)
{
    if (end <= start)
        return 0;
    note_device(t, proc, device);
    chunk *c = NULL;
    int64_t cidx = INT64_MIN;
    for (int64_t b = floordiv(start, W); b * W < end; b++) {
        int64_t lo = b * W > start ? b * W : start, hi = (b + 1) * W < end ? (b + 1) * W : end;
        int64_t ci = floordiv(b, CHUNK_BINS);
        if (ci != cidx) {
            c = get(t, chunk_key(proc, device, ci));
            if (!c)
                return -1;
            cidx = ci;
        }
        bin *bn = &c->bins[b - ci * CHUNK_BINS];
        int64_t v = bn->v[what] + (hi - lo);
        bn->v[what] = (uint16_t)(v > W ? W : v);
        if (what == WP_ACT_NCCL) {
            int64_t k = bn->v[WP_ACT_COMPUTE] + (hi - lo);
            bn->v[WP_ACT_COMPUTE] = (uint16_t)(k > W ? W : k);
        }
    }
    return 0;
}

/* The bin of proc at index b, combined over its devices (max per field); zero when none. */
static bin bin_at(const wp_timeline *t, uint32_t proc, int64_t b, const chunk **cache, int64_t *cache_idx)
{
    bin out = {{0, 0, 0}, 0};
    int64_t ci = floordiv(b, CHUNK_BINS);
    for (int d = 0, k = 0; d < t->ndevs; d++) {
        if (t->owner[d] != proc)
            continue;
        if (k >= 8)
            break;
        if (cache_idx[k] != ci) {
            cache[k] = find(t, chunk_key((uint32_t)(t->devs[d] >> 32), (uint32_t)t->devs[d], ci));
            cache_idx[k] = ci;
        }
        if (cache[k]) {
            const bin *bn = &cache[k]->bins[b - ci * CHUNK_BINS];
            for (int f = 0; f < 3; f++)
                if (bn->v[f] > out.v[f])
                    out.v[f] = bn->v[f];
        }
        k++;
    }
    return out;
}

void wp_timeline_query(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end, wp_busy *out)
{
    memset(out, 0, sizeof(*out));
    out->last_busy_end = INT64_MIN;
    if (end <= start)
        return;
    const chunk *cache[8];
    int64_t cidx[8];
    for (int k = 0; k < 8; k++)
        cidx[k] = INT64_MIN;
    int64_t run = 0;
    double busy = 0;
    for (int64_t b = floordiv(start, W); b * W < end; b++) {
        int64_t lo = b * W > start ? b * W : start, hi = (b + 1) * W < end ? (b + 1) * W : end;
        double part = (double)(hi - lo) / W;
        bin bn = bin_at(t, proc, b, cache, cidx);
        double comp = bn.v[0] * part, copy = bn.v[2] * part;
        out->compute += (int64_t)comp;
        out->nccl += (int64_t)(bn.v[1] * part);
        out->copy += (int64_t)copy;
        double fc = (double)bn.v[0] / W, fk = (double)bn.v[2] / W;
        busy += (fc + fk - fc * fk) * (double)(hi - lo);
        if (bn.v[0] || bn.v[2]) {
            out->last_busy_end = hi;
            run = 0;
        } else {
            run += hi - lo;
            if (run > out->max_idle)
                out->max_idle = run;
        }
    }
    out->busy = (int64_t)busy;
    out->idle = (end - start) - out->busy;
}

double wp_timeline_compute_fraction(const wp_timeline *t, uint32_t proc, int64_t start, int64_t end)
{
    if (end <= start)
        return 0;
    const chunk *cache[8];
    int64_t cidx[8];
    for (int k = 0; k < 8; k++)
        cidx[k] = INT64_MIN;
    double covered = 0;
    for (int64_t b = floordiv(start, W); b * W < end; b++) {
        int64_t lo = b * W > start ? b * W : start, hi = (b + 1) * W < end ? (b + 1) * W : end;
        bin bn = bin_at(t, proc, b, cache, cidx);
        covered += (double)bn.v[0] / W * (double)(hi - lo);
    }
    return covered / (double)(end - start);
}

void wp_timeline_alias(wp_timeline *t, uint32_t from, uint32_t to)
{
    for (int d = 0; d < t->ndevs; d++)
        if ((uint32_t)(t->devs[d] >> 32) == from)
            t->owner[d] = to;
}

size_t wp_timeline_bytes(const wp_timeline *t)
{
    return sizeof(*t) + t->cap * sizeof(chunk *) + t->used * sizeof(chunk);
}
