/* machine_bandwidth.c: what one copy of a given size gets on a machine (see machine.h). Bandwidth grows with the copy
 * size because each copy pays a fixed setup; between the sizes a document gives, the figure is interpolated linearly
 * in log(size), which follows calibrate's measured curves (1, 16, 256 MiB) more closely than linear in size would. */
#include "machine.h"

#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The figure for `bytes` from the copies of one kind (dir, pinned, gpus), interpolated between the two nearest sizes
 * and clamped at the ends. Returns how many figures of that kind there are (0: none, *out untouched); lo/hi get the
 * sizes used (equal when one figure was used). */
static int curve_at(const wp_machine *m, int dir, int pinned, int gpus, uint64_t bytes, wp_spread *out, uint64_t *lo,
                    uint64_t *hi)
{
    const wp_machine_copy *below = NULL, *above = NULL;
    int n = 0;
    for (int i = 0; i < m->ncopies; i++) {
        const wp_machine_copy *k = &m->copies[i];
        if (k->dir != dir || k->pinned != pinned || k->gpus != gpus)
            continue;
        n++;
        if (k->bytes <= bytes && (!below || k->bytes > below->bytes))
            below = k;
        if (k->bytes >= bytes && (!above || k->bytes < above->bytes))
            above = k;
    }
    if (!n)
        return 0;
    if (!below || !above || below == above) {
        const wp_machine_copy *k = below ? below : above;
        *out = k->gbps;
        *lo = *hi = k->bytes;
        return n;
    }
    double x0 = log((double)below->bytes), t = (log((double)bytes) - x0) / (log((double)above->bytes) - x0);
    const wp_spread *a = &below->gbps, *b = &above->gbps;
    out->median = a->median + t * (b->median - a->median);
    out->min = a->min + t * (b->min - a->min);
    out->max = a->max + t * (b->max - a->max);
    out->count = a->count < b->count ? a->count : b->count;
    *lo = below->bytes;
    *hi = above->bytes;
    return n;
}

/* Which figures of one kind a value came from: "the single-GPU figures at 1 MiB and 16 MiB, interpolated". nfig is
 * how many sizes that kind has; lo == hi when one was used as it is. */
static void describe(char *buf, size_t n, const char *what, int nfig, uint64_t bytes, uint64_t lo, uint64_t hi)
{
    char a[32], b[32];
    wp_fmt_copy_size(lo, a, sizeof(a));
    if (lo != hi)
        snprintf(buf, n, "the %s figures at %s and %s, interpolated", what, a, wp_fmt_copy_size(hi, b, sizeof(b)));
    else if (nfig == 1 || bytes == lo)
        snprintf(buf, n, "the %s figure at %s%s", what, a, nfig == 1 && bytes != lo ? ", the one size given" : "");
    else if (bytes < lo)
        snprintf(buf, n, "the %s figure at %s, the smallest size given (a smaller copy's own overhead is "
                 "underestimated)", what, a);
    else
        snprintf(buf, n, "the %s figure at %s, the largest size given", what, a);
}

int wp_machine_bandwidth(const wp_machine *m, int dir, int pinned, uint64_t bytes, int sharing, wp_spread *out,
                         char *note, size_t notelen)
{
    char scratch[8], size[32], single[160], shared[360] = "";
    if (!note) {
        note = scratch;
        notelen = sizeof(scratch);
    }
    if (sharing < 1)
        sharing = 1;
    if (bytes < 1)
        bytes = 1;
    const char *kind = wp_machine_dir_name(dir), *mem = wp_machine_memory_name(pinned);
    uint64_t lo, hi;
    int nfig = curve_at(m, dir, pinned, 1, bytes, out, &lo, &hi);
    if (!nfig) {
        snprintf(note, notelen, "%s has no single-GPU figure for %s copies from %s memory", m->name, kind, mem);
        return -1;
    }
    describe(single, sizeof(single), "single-GPU", nfig, bytes, lo, hi);
    wp_spread all;
    if (sharing > 1 && m->gpus > 1 && (nfig = curve_at(m, dir, pinned, m->gpus, bytes, &all, &lo, &hi)) > 0) {
        char from[160];
        describe(from, sizeof(from), "all-GPUs", nfig, bytes, lo, hi);
        int binds = all.median / sharing < out->median;
        /* Each field is capped on its own: both spreads are ordered, so the result stays min <= median <= max. */
        out->median = fmin(out->median, all.median / sharing);
        out->min = fmin(out->min, all.min / sharing);
        out->max = fmin(out->max, all.max / sharing);
        snprintf(shared, sizeof(shared), "; %d GPUs at once: each at most 1/%d of the %d-GPU aggregate (%s, median "
                 "%.3g GB/s), which %s", sharing, sharing, m->gpus, from, all.median,
                 binds ? "binds" : "does not bind");
    } else if (sharing > 1) {
        snprintf(shared, sizeof(shared), "; %d GPUs at once: no all-GPUs figure, so the GPUs are assumed not to share "
                 "the host link", sharing);
    }
    wp_fmt_copy_size(bytes, size, sizeof(size));
    snprintf(note, notelen, "%s %s copy of %s: %s%s", kind, mem, size, single, shared);
    return 0;
}

int wp_machine_copy_seconds(const wp_machine *m, int dir, int pinned, uint64_t bytes, uint64_t copies, int sharing,
                            wp_spread *out, char *note, size_t notelen)
{
    if (copies < 1)
        copies = 1;
    wp_spread bw;
    if (wp_machine_bandwidth(m, dir, pinned, bytes / copies, sharing, &bw, note, notelen) != 0)
        return -1;
    double b = (double)bytes;
    *out = (wp_spread){.median = b / (bw.median * 1e9), .min = b / (bw.max * 1e9), .max = b / (bw.min * 1e9),
                       .count = bw.count};
    return 0;
}
