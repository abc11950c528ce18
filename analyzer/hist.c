/* hist.c: memcpy histograms (see hist.h). */
#include "hist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void wp_hist_clear(wp_hist *h)
{
    memset(h, 0, sizeof(*h));
}

int wp_hist_bucket(double v)
{
    if (v < 1)
        return 0;
    int b = (int)floor(log2(v));
    return b < 0 ? 0 : b >= WP_HIST_BUCKETS ? WP_HIST_BUCKETS - 1 : b;
}

double wp_hist_bucket_lo(int b)
{
    return ldexp(1.0, b);
}

static void add(wp_hist_group *g, const wp_run_copy *c)
{
    int64_t d = c->end - c->start;
    g->count++;
    g->bytes += c->bytes;
    g->ns += d;
    g->over_10us += d > 10000;
    g->over_100us += d > 100000;
    g->over_1ms += d > 1000000;
    g->buckets[WP_HIST_DURATION][wp_hist_bucket((double)d)]++;
    g->buckets[WP_HIST_SIZE][wp_hist_bucket((double)c->bytes)]++;
    if (d > 0)
        g->buckets[WP_HIST_BANDWIDTH][wp_hist_bucket((double)c->bytes / ((double)d * 1e-9))]++;
}

void wp_hist_add_range(wp_hist *h, const wp_run *r, uint32_t proc, int64_t start, int64_t end)
{
    size_t lo, hi;
    wp_run_copy_range(r, proc, start, end, &lo, &hi);
    for (size_t i = lo; i < hi; i++) {
        const wp_run_copy *c = &r->copies[i];
        add(&h->groups[wp_copy_dir(c->kind) * WP_HMEM_COUNT + wp_copy_hmem(c)], c);
        add(&h->all, c);
    }
}

void wp_hist_group_name(int g, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s", wp_dir_name(g / WP_HMEM_COUNT), wp_hmem_name(g % WP_HMEM_COUNT));
}

const char *wp_hist_metric_name(wp_hist_metric m)
{
    return m == WP_HIST_DURATION ? "duration" : m == WP_HIST_SIZE ? "size" : "bandwidth";
}

static void scaled(double v, const char *const *units, const double *scales, int n, char *buf, size_t len)
{
    int k = 0;
    while (k + 1 < n && v >= scales[k + 1])
        k++;
    double x = v / scales[k];
    snprintf(buf, len, x >= 100 || x == floor(x) ? "%.0f %s" : "%.3g %s", x, units[k]);
}

void wp_hist_bucket_label(wp_hist_metric m, int b, char *buf, size_t len)
{
    double v = wp_hist_bucket_lo(b);
    static const char *const tu[] = {"ns", "us", "ms", "s"}, *const bu[] = {"B", "KiB", "MiB", "GiB", "TiB"},
                             *const wu[] = {"B/s", "KB/s", "MB/s", "GB/s", "TB/s"};
    static const double ts[] = {1, 1e3, 1e6, 1e9}, bs[] = {1, 1024.0, 1048576.0, 1073741824.0, 1099511627776.0},
                        ws[] = {1, 1e3, 1e6, 1e9, 1e12};
    if (m == WP_HIST_DURATION)
        scaled(v, tu, ts, 4, buf, len);
    else if (m == WP_HIST_SIZE)
        scaled(v, bu, bs, 5, buf, len);
    else
        scaled(v, wu, ws, 5, buf, len);
}

int wp_hist_span(const wp_hist *h, wp_hist_metric m, int *lo, int *hi)
{
    *lo = WP_HIST_BUCKETS;
    *hi = -1;
    for (int b = 0; b < WP_HIST_BUCKETS; b++)
        if (h->all.buckets[m][b]) {
            if (b < *lo)
                *lo = b;
            *hi = b;
        }
    return *hi >= 0;
}
