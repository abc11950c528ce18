/* svg.c: SVG bar charts (see svg.h). */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "safe_text.h"

static const char *const palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                                      "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c",
                                      "#d62728", "#9467bd", "#8c564b", "#17becf"};

double wp_svg_nice_step(double range, int ticks)
{
    double raw = range / ticks, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static double chart_max(const wp_svg_chart *c)
{
    double m = c->hline > 0 ? c->hline : 0;
    for (int i = 0; i < c->ncategories; i++) {
        double sum = 0;
        for (int s = 0; s < c->nseries; s++) {
            double v = c->series[s].values[i];
            sum = c->stacked ? sum + v : (v > sum ? v : sum);
        }
        if (sum > m)
            m = sum;
    }
    return m > 0 ? m : 1;
}

/* One legend entry: a swatch and its text; returns the x of the next entry (the text's width estimated at 6.5 px a
 * character, the font being 11 px sans-serif). */
static int legend_entry(FILE *out, int x, int y, const char *colour, const char *text)
{
    fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, y - 9, colour);
    fprintf(out, "<text x=\"%d\" y=\"%d\">", x + 14, y);
    wp_markup_put(out, text);
    fputs("</text>", out);
    return x + 14 + (int)(6.5 * (double)strlen(text)) + 20;
}

static int legend_width(const char *text) { return 14 + (int)(6.5 * (double)strlen(text)) + 20; }

/* The series, then every cause given, on one line under the x label, or on two when one would run past the right
 * edge: no entry is dropped. */
static void legend(const wp_svg_chart *c, FILE *out, int left, int right, int bottom)
{
    int total = 0;
    for (int s = 0; s < c->nseries; s++)
        total += legend_width(c->series[s].name);
    for (int k = 0; k < WP_NCAUSE_KINDS && c->legend_causes[k]; k++)
        total += legend_width(c->legend_causes[k]);
    int x = left, y = left + total > right ? bottom - 14 : bottom;
    for (int e = 0; e < c->nseries + WP_NCAUSE_KINDS; e++) {
        int is_series = e < c->nseries;
        const char *text = is_series ? c->series[e].name : c->legend_causes[e - c->nseries];
        if (!text)
            break;
        if (x > left && x + legend_width(text) > right)
            x = left, y += 14;
        x = legend_entry(out, x, y, is_series ? c->series[e].color : wp_cause_colour(text), text);
    }
}

void wp_svg_chart_write(const wp_svg_chart *c, FILE *out)
{
    int W = c->width ? c->width : 900, H = c->height ? c->height : 320;
    int L = 70, R = 20, T = 40, B = 70, pw = W - L - R, ph = H - T - B;
    double ymax = chart_max(c);
    if (c->clip > 0 && c->clip < ymax)
        ymax = c->clip;
    double step = wp_svg_nice_step(ymax, 5);
    ymax = ceil(ymax / step) * step;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n<text x=\"%d\" y=\"20\" font-size=\"14\" "
                 "font-weight=\"bold\">", W, H, L);
    wp_markup_put(out, c->title);
    fputs("</text>\n", out);
    for (double v = 0; v <= ymax * 1.0001; v += step) { /* y grid and tick labels */
        double y = T + ph - v / ymax * ph;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", L, L + pw, y, y);
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", L - 5, y + 4, v);
    }
    int n = c->ncategories > 0 ? c->ncategories : 1;
    double slot = (double)pw / n, bw = slot * 0.8 / (c->stacked || !c->nseries ? 1 : c->nseries);
    int every = slot >= 56 ? 1 : (int)(56 / slot) + 1;
    for (int i = 0; i < c->ncategories; i++) {
        double x0 = L + i * slot + slot * 0.1, base = 0;
        for (int s = 0; s < c->nseries; s++) {
            double v = c->series[s].values[i], h = v / ymax * ph;
            if (!c->stacked && v > ymax) { /* clipped: cut at the top, value written above */
                h = ph;
                fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%.3g</text>",
                        x0 + s * bw + bw / 2, T - 3, v);
            }
            const char *col = c->series[s].bar_colors && c->series[s].bar_colors[i] ? c->series[s].bar_colors[i]
                                                                                     : c->series[s].color;
            double x = c->stacked ? x0 : x0 + s * bw, y = T + ph - (c->stacked ? base : 0) / ymax * ph - h;
            if (v > 0)
                fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %g"
                             "</title></rect>", x, y, bw > 1 ? bw - 0.5 : bw, h, col, c->categories[i], v);
            base += v;
        }
        if (i % every == 0)
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", L + (i + 0.5) * slot,
                    T + ph + 14, c->categories[i]);
    }
    if (c->hline > 0) {
        double y = T + ph - c->hline / ymax * ph;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" stroke-dasharray=\"5,4\"/>"
                     "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", L, L + pw, y, y, L + pw, y - 4);
        wp_markup_put(out, c->hline_label);
        fputs("</text>\n", out);
    }
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>", L, L + pw, T + ph, T + ph);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", L, L, T, T + ph);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", L + pw / 2, T + ph + 32);
    wp_markup_put(out, c->x_label);
    fprintf(out, "</text>\n<text transform=\"translate(16,%d) rotate(-90)\" text-anchor=\"middle\">", T + ph / 2);
    wp_markup_put(out, c->y_label);
    fputs("</text>\n", out);
    legend(c, out, L, W - R, H - 10);
    fputs("</svg>\n", out);
}

void wp_svg_hist_write(const wp_hist *h, const char *title, int standalone, FILE *out)
{
    static const char *const ylab = "copies (count)";
    static const char *const xlab[] = {"copy duration (log2 buckets, lower bound)",
                                       "copy size (log2 buckets, lower bound)",
                                       "achieved bandwidth (log2 buckets, lower bound)"};
    if (standalone)
        fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"%d\">\n", 3 * 320);
    for (int m = 0; m < WP_HIST_METRICS; m++) {
        int lo, hi;
        if (!wp_hist_span(h, (wp_hist_metric)m, &lo, &hi)) {
            lo = 0;
            hi = 0;
        }
        int n = hi - lo + 1;
        char (*labels)[24] = calloc((size_t)n, sizeof(*labels));
        const char **cats = calloc((size_t)n, sizeof(*cats));
        double *vals = calloc((size_t)n * WP_HIST_GROUPS, sizeof(*vals));
        char names[WP_HIST_GROUPS][32], t[128];
        if (!labels || !cats || !vals) {
            free(labels), free(cats), free(vals);
            return;
        }
        snprintf(t, sizeof(t), "%s: memcpy %s", title, wp_hist_metric_name((wp_hist_metric)m));
        wp_svg_chart c = {.title = t, .x_label = xlab[m], .y_label = ylab, .categories = cats, .ncategories = n};
        for (int b = 0; b < n; b++) {
            wp_hist_bucket_label((wp_hist_metric)m, lo + b, labels[b], sizeof(labels[b]));
            cats[b] = labels[b];
        }
        for (int g = 0; g < WP_HIST_GROUPS; g++) {
            if (!h->groups[g].count || c.nseries >= WP_SVG_MAX_SERIES)
                continue;
            double *v = vals + (size_t)c.nseries * (size_t)n;
            for (int b = 0; b < n; b++)
                v[b] = (double)h->groups[g].buckets[m][lo + b];
            wp_hist_group_name(g, names[g], sizeof(names[g]));
            c.series[c.nseries] = (wp_svg_series){names[g], palette[c.nseries % 16], v, NULL};
            c.nseries++;
        }
        if (standalone)
            fprintf(out, "<g transform=\"translate(0,%d)\">\n", m * 320);
        wp_svg_chart_write(&c, out);
        if (standalone)
            fputs("</g>\n", out);
        free(labels), free(cats), free(vals);
    }
    if (standalone)
        fputs("</svg>\n", out);
}

static void step_labels(const wp_rank_result *rr, char (*labels)[16], const char **cats)
{
    for (int i = 0; i < rr->steps.count; i++) {
        snprintf(labels[i], 16, "%lld", (long long)rr->steps.steps[i].number);
        cats[i] = labels[i];
    }
}

void wp_svg_steps_write(const wp_rank_result *rr, FILE *out)
{
    int n = rr->steps.count;
    char (*labels)[16] = calloc((size_t)n + 1, sizeof(*labels));
    const char **cats = calloc((size_t)n + 1, sizeof(*cats)), **colors = calloc((size_t)n + 1, sizeof(*colors));
    double *v = calloc((size_t)n + 1, sizeof(*v));
    if (labels && cats && colors && v) {
        step_labels(rr, labels, cats);
        for (int i = 0; i < n; i++)
            v[i] = (double)rr->stats[i].wall_ns * 1e-9;
        for (int s = 0; s < rr->nspikes; s++) {
            const wp_spike *sp = &rr->spikes[s];
            colors[sp->index] = wp_cause_colour(sp->ncauses ? sp->causes[0].id : NULL);
        }
        char med[64], mt[32];
        snprintf(med, sizeof(med), "median %s", wp_fmt_seconds(rr->baseline.median, mt, sizeof(mt)));
        double rest = 0; /* a warm-up far above every other step would flatten the chart: clip the axis */
        for (int i = 1; i < n; i++)
            rest = v[i] > rest ? v[i] : rest;
        wp_svg_chart c = {.title = "step time (spikes coloured by their main cause)", .x_label = "step",
                          .clip = n > 1 && v[0] > 3 * rest ? 1.5 * rest : 0,
                          .y_label = "wall time (s)", .categories = cats, .ncategories = n, .hline = rr->baseline.median,
                          .hline_label = med};
        c.series[0] = (wp_svg_series){"normal step", "#bab0ac", v, colors};
        c.nseries = 1;
        int nl = 0; /* the legend names the causes that colour a bar here, in table order */
        for (int k = 0; k < wp_ncause_kinds; k++)
            for (int sp = 0; sp < rr->nspikes; sp++)
                if (rr->spikes[sp].ncauses && strcmp(rr->spikes[sp].causes[0].id, wp_cause_kinds[k].id) == 0) {
                    c.legend_causes[nl++] = wp_cause_kinds[k].id;
                    break;
                }
        wp_svg_chart_write(&c, out);
    }
    free(labels), free(cats), free(colors), free(v);
}

void wp_svg_overlap_write(const wp_rank_result *rr, FILE *out)
{
    int n = rr->steps.count;
    char (*labels)[16] = calloc((size_t)n + 1, sizeof(*labels));
    const char **cats = calloc((size_t)n + 1, sizeof(*cats));
    double *v = calloc(3 * ((size_t)n + 1), sizeof(*v));
    if (labels && cats && v) {
        step_labels(rr, labels, cats);
        for (int i = 0; i < n; i++) {
            const wp_step_stats *s = &rr->stats[i];
            v[i] = (double)s->kernel_ns * 1e-6;
            v[n + 1 + i] = (double)(s->copies.ns - s->copy_exposed_ns) * 1e-6;
            v[2 * (n + 1) + i] = (double)s->copy_exposed_ns * 1e-6;
        }
        wp_svg_chart c = {.title = "per-step GPU time: compute, copies hidden under compute, exposed copies",
                          .x_label = "step", .y_label = "GPU time (ms)", .categories = cats, .ncategories = n,
                          .stacked = 1};
        c.series[0] = (wp_svg_series){"kernels", "#4e79a7", v, NULL};
        c.series[1] = (wp_svg_series){"copy, overlapped", "#76b7b2", v + n + 1, NULL};
        c.series[2] = (wp_svg_series){"copy, exposed", "#f28e2b", v + 2 * (n + 1), NULL};
        c.nseries = 3;
        wp_svg_chart_write(&c, out);
    }
    free(labels), free(cats), free(v);
}
