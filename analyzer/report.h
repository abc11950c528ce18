/* report.h: one self-contained HTML page of an analysed run (inline SVG and CSS, no scripts, no network): the
 * step-time chart with spikes coloured by cause, the per-step copy/compute overlap, the memcpy histograms, a table of
 * spikes with their causes, and the explanation text. */
#ifndef WP_REPORT_H
#define WP_REPORT_H

#include <stdio.h>

#include "analysis.h"

/* Writes the page for a (label: the input's name) to out. */
void wp_report_write_html(const wp_analysis *a, const char *label, FILE *out);

#endif
