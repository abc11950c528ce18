/* schedule_invert.c: which flow shifts give a wanted first low-noise step. first_low(s) is a step function of the
 * shift (non-decreasing in practice: a larger shift raises every sigma), so a logarithmic grid finds where it
 * changes and bisection pins each change to adjacent doubles. Ranges are assembled from those change points, so a
 * non-contiguous answer comes out as several ranges. */
#include <math.h>

#include "../core/diag.h"
#include "schedule.h"

enum { GRID_POINTS = 8192 };

typedef struct scan {
    wp_schedule_params p; /* shift varies */
    int want;             /* the wanted first_low */
    double min, max;      /* the scan's limits */
    wp_shift_range *out;
    int cap, count;
    int open;     /* a range is open: it started at open_lo */
    double open_lo;
} scan;

static int first_low_at(scan *sc, double shift)
{
    sc->p.shift = shift;
    return wp_schedule_first_low(&sc->p);
}

static void range_emit(scan *sc, double hi, int hi_at_limit)
{
    if (sc->count < sc->cap) {
        wp_shift_range *r = &sc->out[sc->count];
        r->lo = sc->open_lo;
        r->lo_at_limit = sc->open_lo == sc->min;
        r->hi = hi;
        r->hi_at_limit = hi_at_limit;
    }
    sc->count++;
    sc->open = 0;
}

/* The value changes at s (the smallest shift, to the resolution of doubles, where value `to` holds). */
static void change_at(scan *sc, double s, int to)
{
    if (sc->open && to != sc->want)
        range_emit(sc, s, 0);
    else if (!sc->open && to == sc->want) {
        sc->open = 1;
        sc->open_lo = s;
    }
}

/* first_low is va at a and vb at b (a < b, va != vb): finds every change in between, lowest first. */
static void bisect(scan *sc, double a, int va, double b, int vb)
{
    for (;;) {
        double m = a + (b - a) / 2;
        if (m <= a || m >= b) /* adjacent doubles: the change is at b */
            break;
        int vm = first_low_at(sc, m);
        if (vm == va) {
            a = m;
        } else if (vm == vb) {
            b = m;
        } else { /* two changes inside [a, b]: resolve the lower half first */
            bisect(sc, a, va, m, vm);
            a = m;
            va = vm;
        }
    }
    change_at(sc, b, vb);
}

int wp_schedule_invert(const wp_schedule_params *p, int first_low, double shift_min, double shift_max,
                       wp_shift_range *out, int cap, int *count)
{
    if (!p || !count || (cap > 0 && !out) || cap < 0)
        return WP_ERR_USAGE;
    scan sc = {.p = *p, .want = first_low, .min = shift_min, .max = shift_max, .out = out, .cap = cap};
    sc.p.shift = shift_min;
    if (wp_schedule_params_check(&sc.p) || first_low < 0 || first_low > p->steps)
        return WP_ERR_USAGE;
    if (!(shift_min >= WP_SCHEDULE_MIN_SHIFT) || !(shift_max > shift_min) || !(shift_max <= WP_SCHEDULE_MAX_SHIFT))
        return WP_ERR_USAGE;
    double prev_s = shift_min;
    int prev_v = first_low_at(&sc, prev_s);
    change_at(&sc, prev_s, prev_v);
    double ratio = log(shift_max / shift_min);
    for (int k = 1; k <= GRID_POINTS; k++) {
        double s = k == GRID_POINTS ? shift_max : shift_min * exp(ratio * k / GRID_POINTS);
        int v = first_low_at(&sc, s);
        if (v != prev_v)
            bisect(&sc, prev_s, prev_v, s, v);
        prev_s = s;
        prev_v = v;
    }
    if (sc.open)
        range_emit(&sc, shift_max, 1);
    *count = sc.count;
    return WP_OK;
}
