/* machine_compute.c: kernel time against how busy the GPU is kept, from a machine's compute curve (see machine.h). */
#include "machine.h"

/* The curve's relative time at busy: linear between its points, flat beyond its ends. */
static double relative_at(const wp_machine *m, double busy)
{
    if (busy <= m->busy[0])
        return m->relative[0].median;
    for (int i = 1; i < m->nbusy; i++)
        if (busy <= m->busy[i]) {
            double t = (busy - m->busy[i - 1]) / (m->busy[i] - m->busy[i - 1]);
            return m->relative[i - 1].median + t * (m->relative[i].median - m->relative[i - 1].median);
        }
    return m->relative[m->nbusy - 1].median;
}

double wp_machine_kernel_scale(const wp_machine *m, double busy, double busy_from)
{
    if (m->nbusy < 2)
        return 1;
    return relative_at(m, busy) / relative_at(m, busy_from);
}
