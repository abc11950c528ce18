/* report.h: one self-contained HTML page of an analysed run (inline SVG and CSS, no scripts, no network): the
 * step-time chart with spikes coloured by cause, the per-step copy/compute overlap, the memcpy histograms, a table of
 * spikes with their causes, what every offload mode would cost (whatif.h), and the explanation text. */
#ifndef WP_REPORT_H
#define WP_REPORT_H

#include <stdio.h>

#include "analysis.h"
#include "whatif.h"

/* The what-if section's content: a prediction, or why there is none (the CLI makes it: finding the machine's
 * figures is its business). */
typedef struct wp_report_whatif {
    const wp_whatif *w;           /* NULL: no prediction; no_machine or why says why */
    const wp_loop_facts *facts;   /* with w: the loop it was made for */
    const wp_machine *machine;    /* with w: the machine's figures */
    const char *machine_from;     /* with w: where they came from */
    int no_machine;               /* no machine figures exist for this trace: neither its metadata nor the cache */
    const char *why;              /* otherwise, why the prediction failed (a one-line message) */
} wp_report_whatif;

/* Writes the page for a (label: the input's name) to out; wi (not NULL) is the what-if section's content. */
void wp_report_write_html(const wp_analysis *a, const char *label, const wp_report_whatif *wi, FILE *out);
/* The what-if section alone: its heading, then the chart and table of every mode, or the sentence saying why not. */
void wp_report_whatif_write(const wp_report_whatif *wi, FILE *out);

#endif
