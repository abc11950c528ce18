/* report.c: the HTML report (see report.h). */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "version.h"
#include "hist.h"
#include "safe_text.h"
#include "summary.h"
#include "svg.h"

static void head(FILE *out, const char *label)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>wanprof report: ", out);
    wp_markup_put(out, label);
    fputs("</title>\n<style>body{font-family:sans-serif;margin:24px;max-width:1000px;color:#222}"
          "h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}"
          "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;"
          "text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}"
          "pre{background:#f8f8f8;padding:10px;font-size:12px;white-space:pre-wrap}"
          ".sw{display:inline-block;width:10px;height:10px;margin-right:4px}</style></head><body>\n", out);
    fputs("<h1>wanprof report: ", out);
    wp_markup_put(out, label);
    fputs("</h1>\n", out);
}

static void summary_table(const wp_summary *s, FILE *out)
{
    char a[32], b[32], c[32], o[16];
    fprintf(out, "<table><tr><th>steps</th><th>from</th><th>total step time</th><th>warm-up step</th>"
                 "<th>mean of normal steps</th><th>expert switch</th><th>spikes (cost)</th>"
                 "<th>exposed copy per normal step</th></tr>\n<tr><td class=\"n\">%d</td><td>", s->steps);
    wp_markup_put(out, s->rr ? s->rr->steps.source_text : "");
    fprintf(out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>",
            wp_fmt_seconds(s->total_s, a, sizeof(a)), wp_fmt_seconds(s->warmup_s, b, sizeof(b)),
            wp_fmt_seconds(s->normal_mean_s, c, sizeof(c)));
    if (s->switch_index >= 0)
        fprintf(out, "<td>step %d (the %s)</td>", s->switch_index, wp_ordinal(s->switch_index + 1, o, sizeof(o)));
    else
        fputs("<td>none seen</td>", out);
    fprintf(out, "<td class=\"n\">%d (%s)</td>", s->spikes, wp_fmt_seconds(s->spike_cost_s, a, sizeof(a)));
    fprintf(out, "<td class=\"n\">%s</td></tr></table>\n", wp_fmt_seconds(s->exposed_copy_per_step_s, a, sizeof(a)));
}

static void spikes_table(const wp_rank_result *rr, FILE *out)
{
    char t[32], x[32], c[32], o[16];
    fputs("<table><tr><th>step</th><th>time</th><th>excess</th><th>cause</th><th>seconds</th><th>evidence</th>"
          "<th>suggestion</th></tr>\n", out);
    for (int k = 0; k < rr->nspikes; k++) {
        const wp_spike *sp = &rr->spikes[k];
        int rows = sp->ncauses + (sp->unexplained > 0.0005 || !sp->ncauses);
        fprintf(out, "<tr><td rowspan=\"%d\">%lld (the %s%s)</td><td class=\"n\" rowspan=\"%d\">%s</td>"
                     "<td class=\"n\" rowspan=\"%d\">%s</td>", rows, (long long)sp->number,
                wp_ordinal((int)sp->number + 1, o, sizeof(o)), sp->warmup ? ", warm-up" : "", rows,
                wp_fmt_seconds(sp->seconds, t, sizeof(t)), rows, wp_fmt_seconds(sp->excess, x, sizeof(x)));
        for (int i = 0; i < sp->ncauses; i++) {
            const wp_cause *ca = &sp->causes[i];
            if (i)
                fputs("<tr>", out);
            fprintf(out, "<td><span class=\"sw\" style=\"background:%s\"></span>%s</td><td class=\"n\">%s</td><td>",
                    wp_cause_colour(ca->id), ca->id, wp_fmt_seconds(ca->seconds, c, sizeof(c)));
            wp_markup_put(out, ca->evidence);
            fputs("</td><td>", out);
            wp_markup_put(out, ca->suggestion);
            fputs("</td></tr>\n", out);
        }
        if (rows > sp->ncauses)
            fprintf(out, "%s<td>unexplained</td><td class=\"n\">%s</td><td></td><td></td></tr>\n",
                    sp->ncauses ? "<tr>" : "", wp_fmt_seconds(sp->unexplained, c, sizeof(c)));
    }
    fputs("</table>\n", out);
}

void wp_report_write_html(const wp_analysis *a, const char *label, const wp_report_whatif *wi, FILE *out)
{
    wp_summary s;
    wp_summary_compute(a, &s);
    head(out, label);
    summary_table(&s, out);
    const wp_rank_result *rr = s.rr;
    if (rr) {
        fputs("<h2>Step time</h2>\n", out);
        wp_svg_steps_write(rr, out);
        fputs("<h2>Spikes and their causes</h2>\n", out);
        spikes_table(rr, out);
        if (a->explain.sched.have) {
            fputs("<p><b>Schedule check:</b> ", out);
            wp_markup_put(out, a->explain.sched.note);
            fputs("</p>\n", out);
        }
        fputs("<h2>Per-step copy/compute overlap</h2>\n", out);
        wp_svg_overlap_write(rr, out);
        wp_hist h;
        wp_hist_clear(&h);
        wp_hist_add_range(&h, &a->run, rr->proc, INT64_MIN, INT64_MAX);
        fputs("<h2>Memcpy histograms (whole run)</h2>\n", out);
        if (h.all.count)
            wp_svg_hist_write(&h, "whole run", 0, out);
        else
            fputs("<p>no copies</p>\n", out);
    }
    wp_report_whatif_write(wi, out);
    fputs("<h2>Explanation</h2>\n<pre>", out);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        wp_explain_write_text(&a->explain, label, mem);
        fclose(mem);
        wp_markup_put(out, text);
        free(text);
    }
    fprintf(out, "</pre>\n<p style=\"color:#888;font-size:11px\">made by wanprof %s</p>\n</body></html>\n",
            wp_version_text());
}
