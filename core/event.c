/* event.c: display names for the event model's enumerations. */
#include "event.h"

#include <stddef.h>

static const char *const kind_names[WP_EV_KIND_COUNT] = {
    [WP_EV_KERNEL] = "kernel", [WP_EV_MEMCPY] = "memcpy", [WP_EV_MEMSET] = "memset",
    [WP_EV_API] = "api",       [WP_EV_SYNC] = "sync",     [WP_EV_MEMORY] = "memory",
    [WP_EV_RANGE] = "range",   [WP_EV_OVERHEAD] = "overhead",
};

static const char *const copy_names[] = {
    "unknown", "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD", "DtoA", "DtoD", "HtoH", "PtoP",
};

static const char *const mem_names[] = {
    "pageable", "pinned", "device", "array", "managed", "device_static", "managed_static", "unknown",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *wp_event_kind_name(uint32_t kind)
{
    return kind < WP_EV_KIND_COUNT && kind_names[kind] ? kind_names[kind] : "unknown";
}

const char *wp_copy_kind_name(uint32_t copy_kind)
{
    return copy_kind < COUNT(copy_names) ? copy_names[copy_kind] : "unknown";
}

const char *wp_mem_kind_name(uint32_t mem_kind)
{
    return mem_kind < COUNT(mem_names) ? mem_names[mem_kind] : "unknown";
}

uint8_t wp_mem_kind_from_cupti(uint32_t cupti_kind)
{
    /* CUPTI: 0 unknown, 1 pageable, 2 pinned, 3 device, 4 array, 5 managed, 6 device static, 7 managed static. */
    if (cupti_kind == 0 || cupti_kind > 7)
        return WP_MEM_UNKNOWN;
    return (uint8_t)(cupti_kind - 1);
}
