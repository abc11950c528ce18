/* event_sort.h: delivers events in start order with bounded memory, for readers whose input is not time ordered
 * (Chrome traces are grouped by kind and thread). Events collect in a fixed-size buffer; a full buffer is sorted
 * and spilled to a temporary file as a run of raw wp_event records; the end k-way merges the runs. */
#ifndef WP_EVENT_SORT_H
#define WP_EVENT_SORT_H

#include <stddef.h>

#include "diag.h"
#include "tool.h"

typedef struct wp_event_sort wp_event_sort;

/* buffer_events: how many events to keep in memory before spilling (0: a default of 256 Ki events, ~22 MB). NULL
 * when out of memory. */
wp_event_sort *wp_event_sort_new(size_t buffer_events);
/* Adds one event (copied). WP_OK, or WP_ERR_IO / WP_ERR_NOMEM with diag set (spilling failed). */
int wp_event_sort_add(wp_event_sort *s, const wp_event *ev, wp_diag *diag);
/* Delivers everything added, ordered by start (then longer first, so enclosing ranges precede what they enclose),
 * through wp_tool_event. Returns WP_OK, a handler's stop code, or an I/O error. */
int wp_event_sort_finish(wp_event_sort *s, wp_tool *tool, wp_diag *diag);
/* Number of runs spilled to disk so far (tests check that spilling happened). */
size_t wp_event_sort_runs(const wp_event_sort *s);
void wp_event_sort_free(wp_event_sort *s);

#endif
