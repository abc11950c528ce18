/* machine_compute.c: kernel time against how busy the GPU is kept, from a machine's compute curve (see machine.h). */
#include "machine.h"

/* One of the curve's three lines (WP_CURVE_*): its points' medians, or their fastest or slowest bursts. */
static double point(const wp_spread *s, int line)
{
    return line == WP_CURVE_FASTEST ? s->min : line == WP_CURVE_SLOWEST ? s->max : s->median;
}

/* A line's relative time at busy: linear between its points, flat beyond its ends. */
static double relative_at(const wp_machine *m, double busy, int line)
{
    if (busy <= m->busy[0])
        return point(&m->relative[0], line);
    for (int i = 1; i < m->nbusy; i++)
        if (busy <= m->busy[i]) {
            double t = (busy - m->busy[i - 1]) / (m->busy[i] - m->busy[i - 1]);
            double a = point(&m->relative[i - 1], line), b = point(&m->relative[i], line);
            return a + t * (b - a);
        }
    return point(&m->relative[m->nbusy - 1], line);
}

double wp_machine_kernel_scale(const wp_machine *m, double busy, double busy_from, int line)
{
    if (m->nbusy < 2)
        return 1;
    return relative_at(m, busy, line) / relative_at(m, busy_from, line);
}
