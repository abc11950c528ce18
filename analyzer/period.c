/* period.c: the loop's period from its kernel sequence (see period.h). */
#include "period.h"

#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX
#define SAMPLES 20000     /* positions sampled to collect and to score candidate shifts */
#define MAX_HOPS 8        /* a name appearing up to 8 times per step still proposes the step's length */
#define MAX_CANDIDATES 64
#define SIGNATURE 16      /* kernels that open a step, looked for at each boundary */

static size_t hash32(uint64_t k, size_t mask)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k & mask;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 1024;
    while (c < n)
        c *= 2;
    return c;
}

/* next[i]: the next position holding the same name as i, NONE when none. */
static size_t *next_same(const uint32_t *seq, size_t n)
{
    size_t cap = pow2_at_least(2 * n), mask = cap - 1;
    uint64_t *keys = malloc(cap * sizeof(*keys));
    size_t *last = malloc(cap * sizeof(*last));
    size_t *next = malloc(n * sizeof(*next));
    if (!keys || !last || !next) {
        free(keys);
        free(last);
        free(next);
        return NULL;
    }
    memset(keys, 0xff, cap * sizeof(*keys)); /* names are 32-bit: UINT64_MAX marks an empty slot */
    for (size_t i = n; i-- > 0;) {
        size_t h = hash32(seq[i], mask);
        while (keys[h] != UINT64_MAX && keys[h] != seq[i])
            h = (h + 1) & mask;
        next[i] = keys[h] == UINT64_MAX ? NONE : last[h];
        keys[h] = seq[i];
        last[h] = i;
    }
    free(keys);
    free(last);
    return next;
}

typedef struct candidate {
    size_t shift;
    uint32_t votes;
    double score;
} candidate;

static int by_votes(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    return x->votes != y->votes ? (x->votes < y->votes ? 1 : -1) : (x->shift > y->shift) - (x->shift < y->shift);
}

/* Shifts proposed by the distances between a name and its next 1..MAX_HOPS appearances, at sampled positions; the
 * MAX_CANDIDATES with most votes. Returns their count, or -1 when out of memory. */
static int propose(const size_t *next, size_t n, candidate *out)
{
    size_t cap = 1 << 16, mask = cap - 1, used = 0;
    candidate *h = calloc(cap, sizeof(*h));
    if (!h)
        return -1;
    size_t stride = n / SAMPLES + 1;
    for (size_t i = 0; i < n; i += stride) {
        size_t j = i;
        for (int hop = 0; hop < MAX_HOPS && (j = next[j]) != NONE; hop++) {
            size_t d = j - i;
            if (d < 2 || d > n / 2)
                continue;
            size_t k = hash32(d, mask);
            while (h[k].shift && h[k].shift != d)
                k = (k + 1) & mask;
            if (!h[k].shift) {
                if (used * 2 >= cap)
                    continue; /* full enough: later shifts are rare ones */
                h[k].shift = d;
                used++;
            }
            h[k].votes++;
        }
    }
    qsort(h, cap, sizeof(*h), by_votes);
    int m = 0;
    while (m < MAX_CANDIDATES && h[m].votes)
        m++;
    memcpy(out, h, (size_t)m * sizeof(*h));
    free(h);
    return m;
}

/* Fraction of sampled positions i in [0, n - shift) with seq[i] == seq[i + shift]. */
static double score(const uint32_t *seq, size_t n, size_t shift)
{
    size_t span = n - shift, stride = span / SAMPLES + 1, hits = 0, total = 0;
    for (size_t i = 0; i < span; i += stride, total++)
        hits += seq[i] == seq[i + shift];
    return total ? (double)hits / (double)total : 0;
}

/* Picks the period: the smallest shift scoring within 1% of the best, or one that gives want_steps steps (of n
 * positions) scoring within 5%. Also notes the best shift that is not a multiple of the pick. */
static const candidate *pick(candidate *c, int m, size_t n, int want_steps, wp_period *out)
{
    double best = 0;
    for (int i = 0; i < m; i++)
        if (c[i].score > best)
            best = c[i].score;
    const candidate *p = NULL;
    for (int i = 0; i < m; i++)
        if (c[i].score >= best - 0.01 && (!p || c[i].shift < p->shift))
            p = &c[i];
    for (int i = 0; want_steps > 0 && i < m; i++) {
        size_t steps = n / c[i].shift;
        if (c[i].score >= best - 0.05 && steps >= (size_t)want_steps && steps < (size_t)want_steps * 5 / 4 &&
            c[i].shift != p->shift) {
            p = &c[i];
            out->hinted = 1;
        }
    }
    for (int i = 0; p && i < m; i++)
        if (c[i].shift % p->shift && c[i].score > out->other_repeat) {
            out->other = c[i].shift;
            out->other_repeat = c[i].score;
        }
    return p;
}

/* Positions where seq[i] == seq[i + shift], as prefix sums: hits[i] = matches in [0, i). */
static uint32_t *match_prefix(const uint32_t *seq, size_t n, size_t shift)
{
    uint32_t *hits = malloc((n + 1) * sizeof(*hits));
    if (!hits)
        return NULL;
    hits[0] = 0;
    for (size_t i = 0; i < n; i++)
        hits[i + 1] = hits[i] + (i + shift < n && seq[i] == seq[i + shift]);
    return hits;
}

/* The loop: from the first position that repeats one period on with at least half of the period after it repeating
 * too, to one period past the last such position. */
static void loop_bounds(const uint32_t *seq, const uint32_t *hits, size_t n, size_t p, wp_period *out)
{
    size_t half = p / 2 + 1;
    out->first = out->end = 0;
    for (size_t i = 0; i + p < n; i++)
        if (seq[i] == seq[i + p] && hits[i + p] - hits[i] >= half) {
            out->first = i;
            break;
        }
    for (size_t i = n - p; i-- > out->first;)
        if (seq[i] == seq[i + p] && hits[i + 1] - hits[i + 1 >= p ? i + 1 - p : 0] >= half) {
            out->end = i + p + 1;
            break;
        }
}

/* How well a boundary at j fits: how many of the SIGNATURE kernels that open the loop recur from j on, plus how many
 * of those that close it recur just before j. */
static size_t boundary_fit(const uint32_t *seq, const wp_period *o, size_t q, size_t j)
{
    size_t hits = 0;
    for (size_t k = 0; k < q && j + k < o->end; k++)
        hits += seq[j + k] == seq[o->first + k];
    for (size_t k = 1; k <= q && k <= j; k++)
        hits += seq[j - k] == seq[o->end - k];
    return hits;
}

/* The next boundary after prev: where the loop's opening and closing recur best, within an eighth of a period of
 * prev + p, else within half a period; ties go to the position nearest prev + p. */
static size_t next_cut(const uint32_t *seq, const wp_period *o, size_t q, size_t prev)
{
    size_t p = o->period, expect = prev + p, best = expect, best_hits = 0;
    for (int pass = 0; pass < 2 && best_hits < 2 * q; pass++) {
        size_t w = pass == 0 ? p / 8 + 1 : p / 2;
        size_t lo = expect > prev + w ? expect - w : prev + 1, hi = expect + w < o->end ? expect + w : o->end - 1;
        for (size_t j = lo; j <= hi; j++) {
            size_t h = boundary_fit(seq, o, q, j);
            size_t dist = j > expect ? j - expect : expect - j, bdist = best > expect ? best - expect : expect - best;
            if (h > best_hits || (h == best_hits && dist < bdist)) {
                best = j;
                best_hits = h;
            }
        }
    }
    return best_hits >= q ? best : expect;
}

static int place_cuts(const uint32_t *seq, wp_period *o)
{
    size_t p = o->period, q = p / 2 < SIGNATURE ? p / 2 + 1 : SIGNATURE;
    size_t cap = (o->end - o->first) / (p / 2 + 1) + 2;
    o->cuts = malloc(cap * sizeof(*o->cuts));
    if (!o->cuts)
        return -1;
    o->cuts[0] = o->first;
    int k = 0;
    while ((size_t)k + 2 < cap && o->cuts[k] + p + p / 2 <= o->end) {
        size_t c = next_cut(seq, o, q, o->cuts[k]);
        if (c <= o->cuts[k] || c >= o->end)
            break;
        o->cuts[++k] = c;
    }
    o->cuts[++k] = o->end;
    o->count = k;
    return 0;
}

int wp_period_find(const uint32_t *seq, size_t n, int want_steps, wp_period *out)
{
    memset(out, 0, sizeof(*out));
    if (n < 6)
        return 0;
    size_t *next = next_same(seq, n);
    candidate *c = malloc(MAX_CANDIDATES * sizeof(*c));
    int m = next && c ? propose(next, n, c) : -1;
    free(next);
    if (m < 0) {
        free(c);
        return -1;
    }
    for (int i = 0; i < m; i++)
        c[i].score = score(seq, n, c[i].shift);
    const candidate *p = pick(c, m, n, want_steps, out);
    if (!p || p->score < 0.5) {
        free(c);
        return 0;
    }
    out->period = p->shift;
    free(c);
    uint32_t *hits = match_prefix(seq, n, out->period);
    if (!hits)
        return -1;
    loop_bounds(seq, hits, n, out->period, out);
    if (out->end <= out->first + out->period) {
        free(hits);
        memset(out, 0, sizeof(*out));
        return 0;
    }
    size_t span = out->end - out->period - out->first;
    out->repeat = (double)(hits[out->end - out->period] - hits[out->first]) / (double)span;
    free(hits);
    if (place_cuts(seq, out) != 0)
        return -1;
    if (out->count < 2)
        wp_period_free(out);
    return 0;
}

void wp_period_free(wp_period *p)
{
    free(p->cuts);
    memset(p, 0, sizeof(*p));
}
