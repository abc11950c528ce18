/* tool.c: event dispatch to a wp_tool's handlers. */
#include "tool.h"

#include <stddef.h>

int wp_tool_event(wp_tool *tool, const wp_event *ev)
{
    if (tool->any)
        return tool->any(tool, ev);
    int (*handler)(wp_tool *, const wp_event *) = NULL;
    switch (ev->kind) {
    case WP_EV_KERNEL: handler = tool->kernel; break;
    case WP_EV_MEMCPY: handler = tool->memcpy; break;
    case WP_EV_MEMSET: handler = tool->memset; break;
    case WP_EV_API: handler = tool->api; break;
    case WP_EV_SYNC: handler = tool->sync; break;
    case WP_EV_MEMORY: handler = tool->memory; break;
    case WP_EV_RANGE: handler = tool->range; break;
    case WP_EV_OVERHEAD: handler = tool->overhead; break;
    default: break;
    }
    return handler ? handler(tool, ev) : 0;
}
