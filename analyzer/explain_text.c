/* explain_text.c: the short text report of `wanprof explain` (written to a stream the caller gives). Every string that
 * can hold a name from the trace (step marks, kernels, regions) or a path goes out through wp_text_put. */
#include "explain.h"

#include "fmt.h"
#include "safe_text.h"

#include <stdlib.h>

/* head (our own words), then text that may quote the trace, escaped, then the end of the line. */
static void line(FILE *out, const char *head, const char *text)
{
    fputs(head, out);
    wp_text_put(out, text);
    fputc('\n', out);
}

static void write_spike_head(const wp_rank_result *rr, const wp_spike *sp, FILE *out)
{
    char ord[16], t[32], x[32], c[32];
    fprintf(out, "\nstep %lld, the %s step%s: %s, %s over the %s median\n", (long long)sp->number,
            wp_ordinal((int)sp->number + 1, ord, sizeof(ord)), sp->warmup ? " (warm-up)" : "",
            wp_fmt_seconds(sp->seconds, t, sizeof(t)), wp_fmt_seconds(sp->excess, x, sizeof(x)),
            wp_fmt_seconds(rr->baseline.median, c, sizeof(c)));
}

static void write_spike(const wp_rank_result *rr, const wp_spike *sp, FILE *out)
{
    const wp_step_stats *st = &rr->stats[sp->index];
    write_spike_head(rr, sp, out);
    char t[32], g[32];
    for (int k = 0; k < sp->ncauses; k++) {
        const wp_cause *ca = &sp->causes[k];
        fprintf(out, "  %d. %-14s %9s  ", k + 1, ca->id, wp_fmt_seconds(ca->seconds, t, sizeof(t)));
        line(out, "", ca->evidence);
        fprintf(out, "     %-14s %9s  -> %s\n", "", "", ca->suggestion);
    }
    if (sp->ncauses == 0 || sp->unexplained > 0.0005) {
        double gap = (double)st->max_gpu_gap_ns * 1e-9;
        if (gap > 0.5 * sp->unexplained && sp->unexplained > 0.01)
            fprintf(out, "     %-14s %9s  (not accounted for; the GPU sat idle for up to %s at a stretch: host-side "
                    "work)\n", "unexplained", wp_fmt_seconds(sp->unexplained, t, sizeof(t)),
                    wp_fmt_seconds(gap, g, sizeof(g)));
        else
            fprintf(out, "     %-14s %9s  (not accounted for by the evidence above)\n", "unexplained",
                    wp_fmt_seconds(sp->unexplained, t, sizeof(t)));
    }
}

/* Runs that move weights host<->GPU in every step (layerwise offload streams the blocks) get one line on what a
 * typical step copies and how much copy time compute did not hide: medians over the steps after the warm-up.
 * Device-to-device copies (a scheduler's buffer copies) are not what this line is about. */
static void write_copies(const wp_rank_result *rr, FILE *out)
{
    int n = rr->steps.count, first = n > 2 ? 1 : 0, m = n - first;
    if (m < 1)
        return;
    double *v = malloc(4 * (size_t)m * sizeof(*v));
    if (!v)
        return;
    double *bytes = v, *count = v + m, *ns = v + 2 * m, *exposed = v + 3 * m;
    for (int i = 0; i < m; i++) {
        const wp_step_stats *st = &rr->stats[first + i];
        bytes[i] = count[i] = ns[i] = 0;
        for (int d = WP_DIR_HTOD; d <= WP_DIR_DTOH; d++) {
            for (int k = 0; k < WP_HMEM_COUNT; k++) {
                bytes[i] += (double)st->copy[d][k].bytes;
                count[i] += st->copy[d][k].count;
                ns[i] += (double)st->copy[d][k].ns * 1e-9;
            }
        }
        exposed[i] = (double)st->copy_exposed_ns * 1e-9;
    }
    double mb = wp_median(bytes, m);
    if (mb > 0) {
        char b[32], t[32], x[32];
        fprintf(out, "host<->GPU copies per step (median): %s in %.0f copies, %s on the copy engines, %s of copy "
                "time exposed (not hidden by compute)\n", wp_fmt_bytes(mb, b, sizeof(b)), wp_median(count, m),
                wp_fmt_seconds(wp_median(ns, m), t, sizeof(t)), wp_fmt_seconds(wp_median(exposed, m), x, sizeof(x)));
    }
    free(v);
}

/* "1.2 s (3 HtoD copies of 1.5 GB, 2 DtoH copies of 12 MB, 4 module loads, GPU busy 35%)" */
static void write_phase(const char *what, const wp_phase *ph, FILE *out)
{
    const wp_step_stats *st = &ph->stats;
    char t[32], b[32];
    fprintf(out, "%s %s", what, wp_fmt_seconds((double)(ph->end - ph->start) * 1e-9, t, sizeof(t)));
    const char *sep = " (";
    for (int d = WP_DIR_HTOD; d <= WP_DIR_DTOH; d++) {
        wp_copy_stat c = {0, 0, 0};
        for (int k = 0; k < WP_HMEM_COUNT; k++) {
            c.count += st->copy[d][k].count;
            c.bytes += st->copy[d][k].bytes;
        }
        if (c.count) {
            fprintf(out, "%s%u %s cop%s of %s", sep, c.count, wp_dir_name(d), c.count == 1 ? "y" : "ies",
                    wp_fmt_bytes((double)c.bytes, b, sizeof(b)));
            sep = ", ";
        }
    }
    if (st->modules) {
        fprintf(out, "%s%u module load%s", sep, st->modules, st->modules == 1 ? "" : "s");
        sep = ", ";
    }
    if (ph->end > ph->start)
        fprintf(out, "%sGPU busy %.0f%%)", sep, 100.0 * (double)st->gpu_busy_ns / (double)(ph->end - ph->start));
    else if (*sep == ',')
        fputc(')', out);
}

static void write_rank(const wp_rank_result *rr, int many, FILE *out)
{
    char m[32], d[32], th[32];
    if (many)
        fprintf(out, "\n== rank %d ==\n", rr->rank);
    fprintf(out, "steps: %d, from ", rr->steps.count);
    line(out, "", rr->steps.source_text);
    line(out, "step split: ", rr->steps.confidence);
    write_phase("before the loop:", &rr->before, out);
    write_phase("; after the loop:", &rr->after, out);
    fputc('\n', out);
    fprintf(out, "baseline: median %s per step, MAD %s; a spike is over %s\n",
            wp_fmt_seconds(rr->baseline.median, m, sizeof(m)), wp_fmt_seconds(rr->baseline.mad, d, sizeof(d)),
            wp_fmt_seconds(rr->baseline.threshold, th, sizeof(th)));
    write_copies(rr, out);
    if (rr->caution[0])
        line(out, "caution: ", rr->caution);
    if (rr->doubt[0]) {
        line(out, "spikes: not reported: the step split is doubtful: ", rr->doubt);
        return;
    }
    int normal = rr->nspikes - rr->warmup_is_spike;
    fprintf(out, "spikes: %d%s\n", normal, rr->warmup_is_spike ? " (plus the warm-up step)" : "");
    for (int s = 0; s < rr->nspikes; s++)
        write_spike(rr, &rr->spikes[s], out);
}

void wp_explain_write_text(const wp_explain *e, const char *label, FILE *out)
{
    char t[32];
    wp_text_put(out, label);
    fprintf(out, ": %d rank%s, %s in steps\n", e->nranks, e->nranks == 1 ? "" : "s",
            wp_fmt_seconds(e->total_s, t, sizeof(t)));
    for (int i = 0; i < e->nranks; i++)
        write_rank(&e->ranks[i], e->nranks > 1, out);
    if (e->sched.have) {
        fprintf(out, "\nschedule (%s): ", e->sched.from);
        line(out, "", e->sched.note);
    }
    if (e->marked.have)
        line(out, e->sched.have ? "timesteps (step marks): " : "\ntimesteps (step marks): ", e->marked.note);
}
