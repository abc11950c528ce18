/* report_whatif.c: the report's "What if" section (see report.h): the numbers `wanprof whatif` prints, drawn. */
#include <stdio.h>

#include "fmt.h"
#include "report.h"
#include "safe_text.h"
#include "svg.h"

/* Why there is no prediction, and how to get one. */
static void why_not(const wp_report_whatif *wi, FILE *out)
{
    if (wi->no_machine) {
        fputs("<p>No what-if section: neither the trace's metadata nor this machine's cache holds the machine's copy "
              "figures. Run <code>wanprof calibrate</code> on the GPU machine, then record with <code>wanprof "
              "run</code> (it keeps the figures in the trace), or give <code>--machine FILE</code>.</p>\n", out);
        return;
    }
    fputs("<p>No what-if prediction for this trace: ", out);
    wp_markup_put(out, wi->why);
    fputs(".</p>\n", out);
}

static void gb_cell(double bytes, FILE *out)
{
    if (bytes < 0)
        fputs("<td class=\"n\">-</td>", out);
    else
        fprintf(out, "<td class=\"n\">%.2f</td>", bytes / 1e9);
}

/* One row per mode, in the chart's order (rank, then those that do not fit). */
static void table(const wp_whatif *w, FILE *out)
{
    char a[64];
    fputs("<table class=\"whatif\"><tr><th>rank</th><th>mode</th><th>step s</th><th>switch step s</th>"
          "<th>total s</th><th>peak GB</th><th>bound</th></tr>\n", out);
    int order[WP_WHATIF_MAX_MODES], n = wp_whatif_order(w, order);
    for (int k = 0; k < n; k++) {
        const wp_whatif_pred *p = &w->preds[order[k]];
        fputs(p->recorded ? "<tr style=\"background:#fde9d4\">" : "<tr>", out);
        if (p->rank)
            fprintf(out, "<td class=\"n\">%d</td><td>", p->rank);
        else
            fputs("<td class=\"n\">-</td><td>", out);
        wp_markup_put(out, p->name);
        fprintf(out, "%s</td><td class=\"n\">%s</td>", p->recorded ? " (recorded)" : "",
                wp_fmt_spread(&p->step_s, a, sizeof(a)));
        fprintf(out, "<td class=\"n\">%s</td>", wp_fmt_spread(&p->switch_s, a, sizeof(a)));
        fprintf(out, "<td class=\"n\">%s</td>", wp_fmt_spread(&p->total_s, a, sizeof(a)));
        gb_cell(p->peak_bytes, out);
        fprintf(out, "<td>%s</td></tr>\n", wp_bound_name(p->bound));
    }
    fputs("</table>\n", out);
}

/* The machine, and the recorded mode's prediction beside its measurement: how far to trust the rest. */
static void preamble(const wp_report_whatif *wi, FILE *out)
{
    char a[64], mode[64];
    fputs("<p>Machine: ", out);
    wp_markup_put(out, wi->machine->name);
    fputs(" (from ", out);
    wp_markup_put(out, wi->machine_from);
    fputs("): ", out);
    wp_markup_put(out, wi->machine->source);
    fputs(".", out);
    const wp_whatif *w = wi->w;
    if (w->recorded >= 0) {
        const wp_whatif_pred *p = &w->preds[w->recorded];
        fputs(" The recorded mode, ", out);
        wp_markup_put(out, wp_mode_name(&wi->facts->recorded, mode, sizeof(mode)));
        fprintf(out, ", is predicted to take %s s for the loop; it measured %.3f s.", wp_fmt_spread(&p->total_s, a,
                sizeof(a)), w->measured.total_s);
    } else {
        fputs(" The recorded mode is none of those predicted: nothing to check the predictions against.", out);
    }
    fputs(" Times are the median copy rates' prediction with the fastest..slowest copies' in brackets.</p>\n", out);
}

void wp_report_whatif_write(const wp_report_whatif *wi, FILE *out)
{
    fputs("<h2>What if: every weight-offload mode</h2>\n", out);
    if (!wi->w) {
        why_not(wi, out);
        return;
    }
    preamble(wi, out);
    wp_svg_whatif_write(wi->w, wi->machine->name, out);
    table(wi->w, out);
    if (wi->facts->notes[0] || wi->w->notes[0]) {
        fputs("<p style=\"font-size:12px\">Assumptions: ", out);
        wp_markup_put(out, wi->facts->notes);
        fputs(wi->facts->notes[0] && wi->w->notes[0] ? "; " : "", out);
        wp_markup_put(out, wi->w->notes);
        fputs(".</p>\n", out);
    }
}
