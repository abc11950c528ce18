/* The step chart's legend names every cause that colours a bar, each in its own colour, and stays inside the
 * chart: with all the causes of causes.c's table (a run whose spikes have every cause), none is dropped (nccl_wait
 * and host_sync were, past a fixed seven) and no entry starts past the right edge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../analyzer/svg.h"
#include "check.h"

int main(void)
{
    double v[3] = {1, 2, 3};
    const char *cats[3] = {"0", "1", "2"};
    wp_svg_chart c = {.title = "t", .x_label = "step", .y_label = "s", .categories = cats, .ncategories = 3};
    c.series[0] = (wp_svg_series){"normal step", "#bab0ac", v, NULL};
    c.nseries = 1;
    for (int k = 0; k < wp_ncause_kinds; k++)
        c.legend_causes[k] = wp_cause_kinds[k].id;
    char *svg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&svg, &len);
    wp_svg_chart_write(&c, out);
    fclose(out);
    for (int k = 0; k < wp_ncause_kinds; k++) {
        char want[128];
        snprintf(want, sizeof(want), "fill=\"%s\"/><text x=", wp_cause_kinds[k].colour);
        CHECK(strstr(svg, want) != NULL);
        snprintf(want, sizeof(want), ">%s</text>", wp_cause_kinds[k].id);
        CHECK(strstr(svg, want) != NULL);
    }
    /* Every legend text starts inside the 900 px chart, leaving room for a word. */
    int over = 0;
    for (const char *p = svg; (p = strstr(p, "<text x=\"")); p++) {
        int x = atoi(p + 9);
        over += x > 900 - 60;
    }
    CHECK_EQ_INT(over, 0);
    free(svg);
    return check_done();
}
