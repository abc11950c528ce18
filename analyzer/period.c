/* period.c: the loop's period from its kernel sequence (see period.h). */
#include "period.h"
#include "hash64.h"

#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX
#define SAMPLES 20000     /* positions sampled to collect and to score candidate shifts */
#define MAX_HOPS 8        /* a name appearing up to 8 times per step still proposes the step's length */
#define MAX_CANDIDATES 64
#define RARE_CANDIDATES 16 /* more shifts, proposed by the names that recur rarely (see propose_rare) */
#define RARE_SHARE 64      /* a name is rare when it holds at most 1/RARE_SHARE of the sequence */
#define SIGNATURE 16      /* kernels that open a step, looked for at each boundary */
#define MIN_PERIOD 8      /* fewer kernels than that is no denoising step (a forward alone runs dozens) */

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
        size_t h = wp_hash64(seq[i]) & mask;
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
    double votes; /* from tally */
    double score;
} candidate;

static int by_score(const void *a, const void *b)
{
    double x = ((const candidate *)a)->score, y = ((const candidate *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int by_votes(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    return x->votes != y->votes ? (x->votes < y->votes ? 1 : -1) : (x->shift > y->shift) - (x->shift < y->shift);
}

#define TALLY_CAP (1 << 16) /* distinct shifts counted; later ones, once it is half full, are rare ones */

/* Votes for the distances between a name and its next 1..MAX_HOPS appearances, from every stride-th position, into
 * h (TALLY_CAP zeroed entries, open addressing on the shift). occ NULL: each vote weighs 1; else only the rare names
 * vote (at most 1/RARE_SHARE of the sequence each), each vote weighing 1 / occ[i], so that every name weighs the same
 * however often it occurs. */
static void tally(const size_t *next, size_t n, size_t stride, const uint32_t *occ, candidate *h)
{
    size_t mask = TALLY_CAP - 1, used = 0;
    for (size_t i = 0; i < n; i += stride) {
        if (occ && (size_t)occ[i] * RARE_SHARE > n)
            continue;
        size_t j = i;
        for (int hop = 0; hop < MAX_HOPS && (j = next[j]) != NONE; hop++) {
            size_t d = j - i;
            if (d < MIN_PERIOD || d > n / 2)
                continue;
            size_t k = wp_hash64(d) & mask;
            while (h[k].shift && h[k].shift != d)
                k = (k + 1) & mask;
            if (!h[k].shift) {
                if (used * 2 >= TALLY_CAP)
                    continue;
                h[k].shift = d;
                used++;
            }
            h[k].votes += occ ? 1.0 / occ[i] : 1;
        }
    }
    qsort(h, TALLY_CAP, sizeof(*h), by_votes);
}

/* Shifts proposed by the names' next appearances at sampled positions: the MAX_CANDIDATES with most votes. Returns
 * their count, or -1 when out of memory. */
static int propose(const size_t *next, size_t n, candidate *out)
{
    candidate *h = calloc(TALLY_CAP, sizeof(*h));
    if (!h)
        return -1;
    tally(next, n, n / SAMPLES + 1, NULL, h);
    int m = 0;
    while (m < MAX_CANDIDATES && h[m].votes > 0)
        m++;
    memcpy(out, h, (size_t)m * sizeof(*h));
    free(h);
    return m;
}

/* occ[i]: how often the name at position i occurs in the whole sequence (next[] chains each name's positions). */
static uint32_t *occurrences(const size_t *next, size_t n)
{
    uint32_t *occ = calloc(n, sizeof(*occ));
    if (!occ)
        return NULL;
    for (size_t i = 0; i < n; i++) /* occ marks the positions some earlier one chains to */
        if (next[i] != NONE)
            occ[next[i]] = 1;
    for (size_t i = 0; i < n; i++) {
        if (occ[i])
            continue;
        uint32_t count = 0;
        for (size_t j = i; j != NONE; j = next[j])
            count++;
        for (size_t j = i; j != NONE; j = next[j])
            occ[j] = count;
    }
    return occ;
}

/* Shifts proposed by the rare names. In a step of a model with many blocks (the A14B runs 80 per CFG step), a
 * block's kernels recur dozens of times per step, so their next MAX_HOPS appearances propose only multiples of a
 * block, and they outvote the few names that occur once or twice per step (the time embedding, the sampler's
 * update), which alone propose the step's length. Every position of a rare name votes (sampling would skip most of
 * them). Appends to out[0..m) those of the RARE_CANDIDATES best shifts it does not hold; returns the new count, or
 * -1 when out of memory. */
static int propose_rare(const size_t *next, size_t n, candidate *out, int m)
{
    uint32_t *occ = occurrences(next, n);
    candidate *h = calloc(TALLY_CAP, sizeof(*h));
    if (!occ || !h) {
        free(occ);
        free(h);
        return -1;
    }
    tally(next, n, 1, occ, h);
    free(occ);
    for (int i = 0; i < RARE_CANDIDATES && h[i].votes > 0; i++) {
        int held = 0;
        for (int k = 0; k < m && !held; k++)
            held = out[k].shift == h[i].shift;
        if (!held)
            out[m++] = (candidate){.shift = h[i].shift};
    }
    free(h);
    return m;
}

#define WINDOWS 4 /* the loop may hold a minority of the kernels (a long compile or autotune before it) */

/* How well the sequence repeats at `shift`: the fraction of sampled positions i with seq[i] == seq[i + shift] in the
 * best of WINDOWS equal stretches of [0, n - shift); *best_window (may be NULL) gets that stretch's index. */
static double score_at(const uint32_t *seq, size_t n, size_t shift, size_t *best_window)
{
    size_t span = n - shift, stride = span / SAMPLES + 1, hits[WINDOWS] = {0}, total[WINDOWS] = {0};
    for (size_t i = 0; i < span; i += stride) {
        size_t w = i * WINDOWS / span;
        total[w]++;
        hits[w] += seq[i] == seq[i + shift];
    }
    double best = 0;
    for (int w = 0; w < WINDOWS; w++)
        if (total[w] && (double)hits[w] / (double)total[w] > best) {
            best = (double)hits[w] / (double)total[w];
            if (best_window)
                *best_window = (size_t)w;
        }
    return best;
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

/* The kernels that open and close a step, as seen at a reference boundary r, and how well a boundary at j matches
 * them: opening (seq[j..j+q) against seq[r..r+q)) and closing (the q kernels before j against those before r). */
typedef struct refs {
    const uint32_t *seq;
    size_t n, r, q;
} refs;

static size_t opening_at(const refs *f, size_t j)
{
    size_t hits = 0;
    for (size_t k = 0; k < f->q && j + k < f->n && f->r + k < f->n; k++)
        hits += f->seq[j + k] == f->seq[f->r + k];
    return hits;
}

static size_t closing_at(const refs *f, size_t j)
{
    size_t hits = 0;
    for (size_t k = 1; k <= f->q && k <= j && k <= f->r; k++)
        hits += f->seq[j - k] == f->seq[f->r - k];
    return hits;
}

/* The boundary in [from, to] nearest `expect` that fits best; accepted when both sides together match half the
 * kernels, or (looking back, where the setup precedes the first step) the opening alone matches 3/4. Returns
 * SIZE_MAX when none is accepted. */
static size_t find_boundary(const refs *f, size_t expect, size_t from, size_t to, int backward)
{
    size_t best = SIZE_MAX, best_fit = 0;
    for (size_t j = from; j <= to && j + f->q <= f->n; j++) { /* a whole opening to compare: the last step's end is
                                                                * last_end's to find */
        size_t open = opening_at(f, j), fit = open + closing_at(f, j);
        if (backward && open * 4 >= f->q * 3 && fit < f->q)
            fit = f->q;
        size_t dist = j > expect ? j - expect : expect - j, bdist = best > expect ? best - expect : expect - best;
        if (fit > best_fit || (fit == best_fit && best != SIZE_MAX && dist < bdist)) {
            best = j;
            best_fit = fit;
        }
    }
    return best_fit >= f->q ? best : SIZE_MAX;
}

/* Whether the step [a, b) is like the reference step: at least half of up to 64 positions spread over it hold the
 * kernel the reference step holds at the same offset (a sampler's first steps differ only in their last part;
 * stretches of a compile or an autotune that happen to open like a step do not go on like one). */
static int alike(const refs *f, size_t a, size_t b)
{
    size_t len = b - a, hits = 0, total = 0, stride = len / 64 + 1;
    for (size_t i = 0; i < len && f->r + i < f->n; i += stride, total++)
        hits += f->seq[a + i] == f->seq[f->r + i];
    return total && hits * 2 >= total;
}

/* The next boundary after c (or before it, backward): a step is 3/4 to 5/4 of a period long (a sampler's first and
 * last orders make steps a little shorter, a recompilation a little longer) and like the reference step. */
static size_t step_from(const refs *f, size_t p, size_t c, int backward)
{
    size_t j;
    if (backward) {
        if (c < p * 3 / 4)
            return SIZE_MAX;
        j = find_boundary(f, c > p ? c - p : 0, c > p * 5 / 4 ? c - p * 5 / 4 : 0, c - p * 3 / 4, 1);
        return j != SIZE_MAX && alike(f, j, c) ? j : SIZE_MAX;
    }
    j = find_boundary(f, c + p, c + p * 3 / 4, c + p * 5 / 4, 0);
    return j != SIZE_MAX && alike(f, c, j) ? j : SIZE_MAX;
}

#define PHASES 6 /* candidate phases tried */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The median of v[0..n) (n > 0), sorting v. */
static int64_t median_i64(int64_t *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_i64);
    return v[n / 2];
}

/* Candidate phases of a step: the positions within the period where the GPU waits most for the host (a
 * synchronisation, a progress bar, a weight move: where a loop's iteration may begin), by the median over the steps
 * of gaps[] at that position, most first (without gaps: position 0 of the rough boundaries alone). rough[0..count]
 * are boundaries of any phase. Returns how many were written to out (at most PHASES). */
static int phases(const int64_t *gaps, const size_t *rough, int count, size_t p, size_t *out)
{
    int64_t med[PHASES];
    int m = 0;
    int64_t *v = gaps && count >= 3 ? malloc((size_t)count * sizeof(*v)) : NULL;
    for (size_t phi = 0; v && phi < p; phi++) {
        int c = 0;
        for (int k = 1; k + 1 < count; k++) /* whole steps only */
            if (rough[k] + phi < rough[k + 1])
                v[c++] = gaps[rough[k] + phi];
        if (c < (count - 1) / 2 || c == 0)
            continue;
        int64_t mid = median_i64(v, c);
        if (m == PHASES && mid <= med[PHASES - 1])
            continue; /* keep the PHASES largest medians */
        int at = m < PHASES ? m++ : PHASES - 1;
        out[at] = phi;
        med[at] = mid;
        for (; at > 0 && med[at - 1] < med[at]; at--) {
            int64_t t = med[at];
            med[at] = med[at - 1];
            med[at - 1] = t;
            size_t u = out[at];
            out[at] = out[at - 1];
            out[at - 1] = u;
        }
    }
    free(v);
    if (m == 0)
        out[m++] = 0;
    return m;
}

#define TWIN_MAX 8192 /* longest step searched for two alike forwards (the search costs p * p / 2 comparisons) */

/* The step's two alike forwards, as classifier-free guidance runs them (the conditional, then the unconditional): the
 * shift d in (p/4, p/2] at which the longest stretch of the steps from r recurs d kernels on, when that stretch is
 * one forward long (d kernels, give or take an eighth: identical blocks recur over a longer chain). Writes where the
 * first forward starts (its phase from r) and d; returns 0 when the step holds no such pair. */
static int twin_forwards(const uint32_t *seq, size_t n, size_t r, size_t p, size_t *start, size_t *d)
{
    size_t best = 0;
    if (p > TWIN_MAX || r + 2 * p + p / 2 > n)
        return 0;
    for (size_t s = p / 4 + 1; s <= p / 2; s++)
        for (size_t i = 0, run = 0; i < 2 * p; i++) { /* two steps: a stretch may straddle the first boundary */
            run = seq[r + i] == seq[r + i + s] ? run + 1 : 0;
            if (run > best && run <= p) {
                best = run;
                *d = s;
                *start = (i + 1 - run) % p;
            }
        }
    return best > 0 && best * 8 >= *d * 7 && best * 8 <= *d * 9;
}

/* Whether phase phi lies inside the two forwards that start at phase s and last d kernels each (past s itself). */
static int inside_twins(size_t phi, size_t s, size_t d, size_t p)
{
    size_t from_s = (phi + p - s % p) % p;
    return from_s > 0 && from_s < 2 * d;
}

/* A wait that recurs at the same place in both forwards of a step is the forward's own (an offload hook moving the
 * next block's weights, say), not the loop's: an iteration cannot begin inside what it repeats. When the longest
 * wait is such a one, the step opens where its first forward does, the earliest place its own work begins, and the
 * waits inside the forwards are dropped from cand[0..nc). Returns the new count; *moved is set when so. */
static int outside_forwards(const uint32_t *seq, size_t n, size_t r, size_t p, size_t *cand, int nc, int *moved)
{
    size_t s = 0, d = 0;
    if (!twin_forwards(seq, n, r, p, &s, &d) || !inside_twins(cand[0], s, d, p))
        return nc;
    int m = 0;
    size_t keep[PHASES];
    keep[m++] = s;
    for (int i = 1; i < nc && m < PHASES; i++)
        if (!inside_twins(cand[i], s, d, p) && cand[i] != s)
            keep[m++] = cand[i];
    memcpy(cand, keep, (size_t)m * sizeof(*cand));
    *moved = 1;
    return m;
}

/* Rough boundaries one period apart from `from`, each nudged to where the kernels at `from` recur best. */
static int rough_cuts(const refs *f, size_t p, size_t from, size_t to, size_t *cuts, int cap)
{
    int k = 0;
    cuts[k++] = from;
    while (k < cap && cuts[k - 1] + p + p / 2 <= to) {
        size_t c = step_from(f, p, cuts[k - 1], 0);
        cuts[k] = c == SIZE_MAX ? cuts[k - 1] + p : c;
        k++;
    }
    return k;
}

/* From the boundary f->r outwards, a period at a time, for as long as steps open and close like the one at r (the
 * first step, after the setup, has only to open like it). Writes the boundaries in order to cuts (room for cap,
 * back is scratch of the same size); returns how many. */
static int walk(const refs *f, size_t p, size_t *cuts, size_t *back, int cap)
{
    int nb = 0, n = 0;
    for (size_t c = f->r; nb + 1 < cap && c != SIZE_MAX; c = step_from(f, p, c, 1))
        back[nb++] = c;
    for (int k = nb; k-- > 0;)
        cuts[n++] = back[k];
    for (size_t c = f->r; n < cap;) {
        if ((c = step_from(f, p, c, 0)) == SIZE_MAX)
            break;
        cuts[n++] = c;
    }
    return n;
}

/* Where the last step ends: at the first position past half a period where the GPU waited as long as it does at a
 * step boundary (the teardown starts with the host catching up), unless the step before has a wait of half that at
 * the same place and kernel (the iteration's own synchronisation, e.g. a sampler's .item()); else at the end of the
 * sequence. Without waits to go by, the last step is as long as the one before. */
static size_t last_end(const int64_t *gaps, const uint32_t *seq, size_t n, const size_t *cuts, int k, size_t p)
{
    if (k >= 2 && (!gaps || k < 3)) /* no waits to go by: as long as the step before */
        return cuts[k - 1] + (cuts[k - 1] - cuts[k - 2]) < n ? cuts[k - 1] + (cuts[k - 1] - cuts[k - 2]) : n;
    if (k < 2)
        return n;
    int64_t *v = malloc((size_t)k * sizeof(*v)), t = INT64_MAX;
    if (!v)
        return n;
    for (int i = 1; i < k; i++)
        v[i - 1] = gaps[cuts[i]];
    t = median_i64(v, k - 1);
    free(v);
    size_t last = cuts[k - 1], prev = cuts[k - 2], w = p / 8;
    for (size_t j = last + p / 2; j < n; j++) {
        if (gaps[j] < t)
            continue;
        int own = 0;
        for (size_t i = j - last + prev > w ? j - last + prev - w : 0; i <= j - last + prev + w && i < last; i++)
            own |= gaps[i] >= t / 2 && seq[i] == seq[j];
        if (!own)
            return j;
    }
    return n;
}

/* Whether seq[from, from + q) recurs whole less than a quarter step away (s in [1, p/4)), before or after. */
static int recurs_near(const uint32_t *seq, size_t n, size_t from, size_t q, size_t p)
{
    for (size_t s = 1; s < p / 4; s++)
        for (int dir = -1; dir <= 1; dir += 2) {
            if ((dir < 0 && from < s) || (dir > 0 && from + q + s > n))
                continue;
            size_t k = 0;
            while (k < q && seq[from + k] == seq[dir < 0 ? from + k - s : from + k + s])
                k++;
            if (k == q)
                return 1;
        }
    return 0;
}

/* Whether a boundary at r lies inside a run of identical blocks: the q kernels on each side of it recur whole less
 * than a quarter step away. Such a boundary matches at every block alike, so a walk from it drifts; and a step does
 * not begin inside what it repeats. */
static int inside_blocks(const uint32_t *seq, size_t n, size_t r, size_t q, size_t p)
{
    return r >= q && r + q <= n && recurs_near(seq, n, r, q, p) && recurs_near(seq, n, r - q, q, p);
}

/* Places the step boundaries: rough ones from the loop's first repeating position, then, of the candidate phases,
 * the one whose steps cover the most of the sequence when walked out from the middle of the loop: steps are alike
 * from one boundary to the next at the phase where the loop's iteration begins, and stop being alike sooner at a
 * phase inside it (a sampler's first steps differ in their own part). */
static int place_cuts(const uint32_t *seq, const int64_t *gaps, size_t n, wp_period *o)
{
    size_t p = o->period, q = p < SIGNATURE ? p : SIGNATURE, cap = n / (p / 2 + 1) + 4;
    size_t *rough = malloc(cap * sizeof(*rough)), *back = malloc(cap * sizeof(*back));
    size_t *tmp = malloc(cap * sizeof(*tmp));
    o->cuts = malloc(cap * sizeof(*o->cuts));
    if (!rough || !back || !tmp || !o->cuts) {
        free(rough);
        free(back);
        free(tmp);
        return -1;
    }
    refs f = {seq, n, o->first, q};
    int nr = rough_cuts(&f, p, o->first, o->end, rough, (int)cap - 1), best = 0;
    size_t cand[PHASES], w = 0, mid = nr / 2; /* walk out from the stretch that repeats best */
    score_at(seq, n, p, &w);
    size_t centre = (n - p) * (2 * w + 1) / (2 * WINDOWS);
    for (int k = 0; k < nr; k++)
        if ((rough[k] > centre ? rough[k] - centre : centre - rough[k]) <
            (rough[mid] > centre ? rough[mid] - centre : centre - rough[mid]))
            mid = (size_t)k;
    int nc = phases(gaps, rough, nr - 1, p, cand);
    if (gaps)
        nc = outside_forwards(seq, n, rough[mid], p, cand, nc, &o->phase_moved);
    size_t at[PHASES];
    int in_blocks[PHASES], outside = 0; /* phases outside a run of identical blocks, if any, are the only ones tried */
    for (int i = 0; i < nc; i++) {
        at[i] = rough[mid] + cand[i];
        /* rough cuts drift by a kernel */
        for (size_t j = at[i] > 2 ? at[i] - 2 : 0; gaps && j <= at[i] + 2 && j < n; j++)
            if (gaps[j] > gaps[at[i]])
                at[i] = j;
        in_blocks[i] = at[i] < n && inside_blocks(seq, n, at[i], q, p);
        outside += at[i] < n && !in_blocks[i];
    }
    for (int i = 0; i < nc; i++) { /* the phase whose steps, end included, cover the most */
        f.r = at[i];
        if (f.r >= n || (outside && in_blocks[i]))
            continue;
        int k = walk(&f, p, tmp, back, (int)cap - 1);
        if (k < 2)
            continue;
        tmp[k] = last_end(gaps, seq, n, tmp, k, p);
        if (tmp[k] == n && n - tmp[k - 1] < p / 2 && k > 2) /* what is left at the end is no whole step: a walk
                                                              * that drifted into the last forward's blocks */
            k--;
        /* most steps, then most kernels; ties keep the phase the GPU waited at most */
        if (best == 0 || k + 1 > best || (k + 1 == best && tmp[k] - tmp[0] > o->cuts[best - 1] - o->cuts[0] + p / 2)) {
            memcpy(o->cuts, tmp, (size_t)(k + 1) * sizeof(*tmp));
            best = k + 1;
        }
    }
    free(rough);
    free(back);
    free(tmp);
    o->count = best - 1;
    o->first = best ? o->cuts[0] : 0;
    o->end = best ? o->cuts[best - 1] : 0;
    return 0;
}

/* The fraction of the steps' kernels (from the second step on) that the step before holds at the same place,
 * counted from the steps' starts or from their ends: a sampler order that adds a kernel to one step, or a first step
 * a kernel short, moves the rest of that step against the next by one, and a comparison at a fixed shift would count
 * all of it as different. */
static double aligned_repeat(const uint32_t *seq, const size_t *cuts, int count)
{
    size_t same = 0, total = 0;
    for (int k = 1; k < count; k++) {
        size_t a0 = cuts[k - 1], a1 = cuts[k], b0 = cuts[k], b1 = cuts[k + 1], la = a1 - a0;
        for (size_t j = b0; j < b1; j++) {
            size_t from_start = j - b0, from_end = b1 - j;
            same += (from_start < la && seq[j] == seq[a0 + from_start]) ||
                    (from_end <= la && seq[j] == seq[a1 - from_end]);
        }
        total += b1 - b0;
    }
    return total ? (double)same / (double)total : 0;
}

/* The loop and its steps for one period: out->count 0 when the sequence does not repeat at it. */
static int find_loop(const uint32_t *seq, const int64_t *gaps, size_t n, size_t period, wp_period *out)
{
    out->period = period;
    uint32_t *hits = match_prefix(seq, n, period);
    if (!hits)
        return -1;
    loop_bounds(seq, hits, n, period, out);
    free(hits); /* the bounds were all it was for */
    if (out->end <= out->first + period) {
        out->count = 0;
        return 0;
    }
    if (place_cuts(seq, gaps, n, out) != 0)
        return -1;
    out->repeat = out->count >= 2 ? aligned_repeat(seq, out->cuts, out->count) : 0;
    return 0;
}

#define RIVALS 3 /* most-voted and best-scoring periods also tried: one that repeats well locally may cover little */

int wp_period_find(const uint32_t *seq, const int64_t *gaps, size_t n, int want_steps, wp_period *out)
{
    memset(out, 0, sizeof(*out));
    if (n < 6)
        return 0;
    size_t *next = next_same(seq, n);
    candidate *c = malloc((MAX_CANDIDATES + RARE_CANDIDATES) * sizeof(*c));
    int m = next && c ? propose(next, n, c) : -1;
    if (m >= 0)
        m = propose_rare(next, n, c, m);
    free(next);
    if (m < 0) {
        free(c);
        return -1;
    }
    for (int i = 0; i < m; i++)
        c[i].score = score_at(seq, n, c[i].shift, NULL);
    const candidate *p = pick(c, m, n, want_steps, out);
    if (!p || p->score < 0.5) {
        free(c);
        return 0;
    }
    /* the pick, and the best-scoring rivals that are not its multiples: the one whose loop covers clearly more of
     * the run (by a fifth) wins, else the pick */
    size_t tried[2 * RIVALS + 1];
    int ntried = 0;
    tried[ntried++] = p->shift;
    for (int pass = 0; pass < 2; pass++) { /* the most-voted (c comes sorted by votes), then the best-scoring */
        if (pass)
            qsort(c, (size_t)m, sizeof(*c), by_score);
        for (int i = 0, added = 0; i < m && added < RIVALS; i++) {
            int fresh = c[i].score >= 0.5 && c[i].shift % tried[0] && tried[0] % c[i].shift;
            for (int k = 1; fresh && k < ntried; k++)
                fresh = tried[k] != c[i].shift;
            if (fresh) {
                tried[ntried++] = c[i].shift;
                added++;
            }
        }
    }
    free(c);
    wp_period best, cand;
    memset(&best, 0, sizeof(best));
    for (int i = 0; i < ntried; i++) {
        memset(&cand, 0, sizeof(cand));
        if (find_loop(seq, gaps, n, tried[i], &cand) != 0) {
            wp_period_free(&best);
            return -1;
        }
        size_t cover = cand.count >= 2 ? cand.end - cand.first : 0, had = best.count >= 2 ? best.end - best.first : 0;
        if (cover && (!had || cover * 4 > had * 5)) {
            wp_period_free(&best);
            best = cand;
        } else {
            wp_period_free(&cand);
        }
    }
    if (best.count < 2) {
        wp_period_free(&best);
        return 0;
    }
    best.hinted = out->hinted && best.period == tried[0];
    best.other = out->other;
    best.other_repeat = out->other_repeat;
    best.covered = (double)(best.end - best.first) / (double)n;
    *out = best;
    return 0;
}

void wp_period_free(wp_period *p)
{
    free(p->cuts);
    memset(p, 0, sizeof(*p));
}
