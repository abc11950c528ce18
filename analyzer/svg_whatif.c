/* svg_whatif.c: the what-if chart of the report (see svg.h): one horizontal bar per offload mode. */
#include <math.h>
#include <string.h>

#include "safe_text.h"
#include "svg.h"

#define ROW 22               /* px per mode */
#define LEFT 390             /* room for the longest mode name at 11 px (about 57 characters) */
#define RIGHT 70             /* room for the value written after the whisker */
#define TOP 40
#define BOTTOM 86            /* tick labels, the axis label and two legend lines */
#define WIDTH 960
#define BAR_COLOUR "#4e79a7"
#define RECORDED_COLOUR "#f28e2b"
#define NOFIT_COLOUR "#e15759"

static double axis_max(const wp_whatif *w)
{
    double m = w->recorded >= 0 ? w->measured.total_s : 0;
    for (int i = 0; i < w->npreds; i++)
        m = fmax(m, fmax(w->preds[i].total_s.max, w->preds[i].total_s.median));
    return m > 0 ? m : 1;
}

static void bar_row(const wp_whatif *w, int i, double y, double xscale, FILE *out)
{
    const wp_whatif_pred *p = &w->preds[i];
    double yc = y + ROW / 2.0, x0 = LEFT + p->total_s.min * xscale, x1 = LEFT + p->total_s.max * xscale;
    fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\"%s%s>", LEFT - 8, yc + 4,
            p->recorded ? " font-weight=\"bold\"" : "", p->fits ? "" : " fill=\"" NOFIT_COLOUR "\"");
    wp_markup_put(out, p->name);
    fputs("</text>", out);
    fprintf(out, "<rect class=\"wi-bar\" data-rank=\"%d\" data-recorded=\"%d\" data-fits=\"%d\" x=\"%d\" y=\"%.1f\" "
                 "width=\"%.1f\" height=\"%d\" ",
            p->rank, p->recorded, p->fits, LEFT, y + 4, p->total_s.median * xscale, ROW - 8);
    if (p->fits)
        fprintf(out, "fill=\"%s\">", p->recorded ? RECORDED_COLOUR : BAR_COLOUR);
    else
        fputs("fill=\"white\" stroke=\"" NOFIT_COLOUR "\" stroke-dasharray=\"4,2\">", out);
    fputs("<title>", out);
    wp_markup_put(out, p->name);
    fprintf(out, ": %.3f s (%.3f..%.3f)%s</title></rect>", p->total_s.median, p->total_s.min, p->total_s.max,
            p->fits ? "" : ", does not fit in GPU memory");
    fprintf(out, "<path d=\"M%.1f %.1fv8M%.1f %.1fH%.1fM%.1f %.1fv8\" stroke=\"#222\"/>", x0, yc - 4, x0, yc, x1, x1,
            yc - 4); /* the whisker: slowest to fastest copies */
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%.3f s</text>\n", x1 + 6, yc + 4, p->total_s.median);
    if (p->recorded) {
        double xm = LEFT + w->measured.total_s * xscale;
        fprintf(out, "<path class=\"wi-measured\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6z\" fill=\"#222\"><title>measured "
                     "total: %.3f s</title></path>\n", xm, yc - 6, w->measured.total_s);
    }
}

/* One legend entry: a symbol drawn by `symbol` (a printf format taking x and y), then its text; returns the x of the
 * next entry (text 6.5 px a character at 11 px). */
static int legend_entry(FILE *out, int x, int y, const char *symbol, const char *text)
{
    fprintf(out, symbol, x, y - 9);
    fprintf(out, "<text x=\"%d\" y=\"%d\">%s</text>", x + 16, y, text);
    return x + 16 + (int)(6.5 * (double)strlen(text)) + 18;
}

static void legend(FILE *out, int y)
{
    int x = 10;
    x = legend_entry(out, x, y, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"" BAR_COLOUR "\"/>",
                     "predicted total (median copy rates)");
    x = legend_entry(out, x, y, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"" RECORDED_COLOUR "\"/>",
                     "the recorded mode");
    legend_entry(out, x, y, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"white\" stroke=\""
                 NOFIT_COLOUR "\" stroke-dasharray=\"3,2\"/>", "does not fit in GPU memory");
    x = 10;
    y += 16;
    x = legend_entry(out, x, y, "<path transform=\"translate(%d,%d)\" d=\"M0 1v8M0 5H12M12 1v8\" stroke=\"#222\"/>",
                     "fastest..slowest copies");
    legend_entry(out, x, y, "<path transform=\"translate(%d,%d)\" d=\"M5 0l5 5l-5 5l-5 -5z\" fill=\"#222\"/>",
                 "measured total of the recorded mode");
}

void wp_svg_whatif_write(const wp_whatif *w, const char *machine_name, FILE *out)
{
    int order[WP_WHATIF_MAX_MODES], n = wp_whatif_order(w, order), H = TOP + n * ROW + BOTTOM;
    int pw = WIDTH - LEFT - RIGHT;
    double step = wp_svg_nice_step(axis_max(w), 5), xmax = ceil(axis_max(w) / step) * step, xscale = pw / xmax;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                 "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n"
                 "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">predicted loop time of every offload "
                 "mode on ", WIDTH, H, WIDTH, H, WIDTH, H, 10);
    wp_markup_put(out, machine_name);
    fputs("</text>\n", out);
    for (double v = 0; v <= xmax * 1.0001; v += step) { /* x grid and tick labels */
        double x = LEFT + v * xscale;
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" "
                     "text-anchor=\"middle\">%g</text>\n", x, x, TOP, TOP + n * ROW, x, TOP + n * ROW + 14, v);
    }
    for (int k = 0; k < n; k++)
        bar_row(w, order[k], TOP + k * ROW, xscale, out);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>", LEFT, LEFT, TOP, TOP + n * ROW);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", LEFT, LEFT + pw, TOP + n * ROW,
            TOP + n * ROW);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">predicted time of the whole loop (s)</text>\n",
            LEFT + pw / 2, TOP + n * ROW + 32);
    legend(out, TOP + n * ROW + 56);
    fputs("</svg>\n", out);
}
