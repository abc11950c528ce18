/* svg.h: plain SVG bar charts (axes, ticks, labels with units, legend) for `hist --svg` and the HTML report. Writes
 * to a stream the caller gives; no scripts, no external resources. */
#ifndef WP_SVG_H
#define WP_SVG_H

#include <stdio.h>

#include "explain.h"
#include "hist.h"
#include "whatif.h"

#define WP_SVG_MAX_SERIES 16

typedef struct wp_svg_series {
    const char *name;     /* legend text */
    const char *color;    /* CSS color */
    const double *values; /* one per category */
    const char *const *bar_colors; /* optional per-category override (e.g. spikes by cause); NULL entries keep color */
} wp_svg_series;

typedef struct wp_svg_chart {
    const char *title;
    const char *x_label;  /* with unit where there is one */
    const char *y_label;  /* with unit */
    const char *const *categories; /* x tick labels */
    int ncategories;
    wp_svg_series series[WP_SVG_MAX_SERIES];
    int nseries;
    int stacked;          /* 1: series stack; 0: side by side */
    double hline;         /* a dashed reference line at this y (e.g. the median); <= 0 none */
    const char *hline_label;
    double clip;          /* > 0: the y axis stops here; taller bars are cut and labelled with their value */
    int width, height;    /* px */
    const char *legend_causes[WP_NCAUSE_KINDS]; /* cause ids to add to the legend, in their colours (causes.h) */
} wp_svg_chart;

/* Writes one chart as a standalone <svg> element. */
void wp_svg_chart_write(const wp_svg_chart *c, FILE *out);
/* The three memcpy histograms (duration, size, bandwidth), one chart each, grouped by direction/memory kind;
 * standalone: wraps them in one <svg> document. */
void wp_svg_hist_write(const wp_hist *h, const char *title, int standalone, FILE *out);
/* Step times of one rank, spikes coloured by their top cause, the median as a dashed line. */
void wp_svg_steps_write(const wp_rank_result *rr, FILE *out);
/* Per-step copy/compute overlap of one rank: kernel time, copy time hidden under compute, exposed copy time. */
void wp_svg_overlap_write(const wp_rank_result *rr, FILE *out);
/* Every mode's predicted loop time as horizontal bars in rank order (the median bar, a whisker from the fastest to the
 * slowest copies' prediction), the recorded mode highlighted with its measured total as a diamond, the modes that do
 * not fit in GPU memory hollow and dashed; machine_name goes in the title. Each bar is a rect of class "wi-bar" with
 * data-rank, data-recorded and data-fits; the marker has class "wi-measured". */
void wp_svg_whatif_write(const wp_whatif *w, const char *machine_name, FILE *out);
/* A "nice" tick step for a range: 1, 2 or 5 times a power of ten. */
double wp_svg_nice_step(double range, int ticks);

#endif
