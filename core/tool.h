/* tool.h: where readers and consumers meet (after perf's struct perf_tool). A reader turns its input into calls on a
 * wp_tool; analyses and writers fill in only the handlers they need. Handlers return 0 to go on, anything else to
 * stop the read (the reader then returns WP_ERR_STOPPED, or the handler's negative wp_err). */
#ifndef WP_TOOL_H
#define WP_TOOL_H

#include "event.h"
#include "strtab.h"

#define WP_META_SKIPPED "skipped_records" /* written by export: records its inputs skipped */

typedef struct wp_tool wp_tool;

struct wp_tool {
    /* Set by the reader before the first callback: resolves every string id the callbacks carry. */
    const wp_strtab *strings;
    /* Each process is announced before any of its devices or events. */
    int (*process)(wp_tool *tool, const wp_process *proc);
    int (*device)(wp_tool *tool, const wp_device *dev);
    /* Run metadata: key (e.g. "command", "config", "schedule") and a JSON value text, per process. The key
     * WP_META_SKIPPED never reaches a tool: readers add it to their skipped count. */
    int (*meta)(wp_tool *tool, uint32_t proc, const char *key, const char *json_value);
    /* Records the source dropped (CUPTI buffers full, salvaged tails) so consumers can report them. */
    int (*dropped)(wp_tool *tool, uint32_t proc, uint64_t records);
    /* Called for every event when set; otherwise the per-kind handler below, when set. */
    int (*any)(wp_tool *tool, const wp_event *ev);
    int (*kernel)(wp_tool *tool, const wp_event *ev);
    int (*memcpy)(wp_tool *tool, const wp_event *ev);
    int (*memset)(wp_tool *tool, const wp_event *ev);
    int (*api)(wp_tool *tool, const wp_event *ev);
    int (*sync)(wp_tool *tool, const wp_event *ev);
    int (*memory)(wp_tool *tool, const wp_event *ev);
    int (*range)(wp_tool *tool, const wp_event *ev);
    int (*overhead)(wp_tool *tool, const wp_event *ev);
};

/* Delivers one event to the right handler of tool (readers call this; so can tests). */
int wp_tool_event(wp_tool *tool, const wp_event *ev);

#endif
