/* fmt.c: formatting helpers (see fmt.h). */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *wp_ordinal(long n, char *buf, size_t len)
{
    long m100 = labs(n) % 100, m10 = labs(n) % 10;
    const char *suf = (m100 >= 11 && m100 <= 13) ? "th" : m10 == 1 ? "st" : m10 == 2 ? "nd" : m10 == 3 ? "rd" : "th";
    snprintf(buf, len, "%ld%s", n, suf);
    return buf;
}

const char *wp_fmt_seconds(double s, char *buf, size_t len)
{
    double a = fabs(s);
    if (a >= 1.0)
        snprintf(buf, len, "%.3f s", s);
    else if (a >= 1e-3)
        snprintf(buf, len, "%.1f ms", s * 1e3);
    else
        snprintf(buf, len, "%.0f us", s * 1e6);
    return buf;
}

const char *wp_fmt_bytes(double b, char *buf, size_t len)
{
    if (b >= 1e9)
        snprintf(buf, len, "%.2f GB", b / 1e9);
    else if (b >= 1e6)
        snprintf(buf, len, "%.1f MB", b / 1e6);
    else if (b >= 1e3)
        snprintf(buf, len, "%.1f kB", b / 1e3);
    else
        snprintf(buf, len, "%.0f B", b);
    return buf;
}

const char *wp_fmt_copy_size(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB"};
    int u = -1;
    uint64_t v = bytes;
    while (u < 2 && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        u++;
    }
    if (u < 0)
        return wp_fmt_bytes((double)bytes, buf, len);
    snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
    return buf;
}

const char *wp_fmt_spread(const wp_spread *s, char *buf, size_t len)
{
    if (fabs(s->max - s->min) < 0.0005 * (s->median > 0 ? s->median : 1))
        snprintf(buf, len, "%.3f", s->median);
    else
        snprintf(buf, len, "%.3f (%.3f..%.3f)", s->median, s->min, s->max);
    return buf;
}
