/* nvtx.c: NVTX ranges and marks. The collector uses CUPTI's own NVTX handling: NVTX_INJECTION64_PATH names libcupti
 * (`wanprof run` sets it; otherwise the collector sets it at CUDA initialisation, which catches every NVTX call made
 * after that), and CUPTI reports MARKER records (start/end/instant, any domain: NCCL's own ranges included) followed by
 * MARKER_DATA (payload, colour). Here a START is held by its marker id until its END arrives (ranges may end on another
 * thread or in a later buffer) and then written as one WP_EV_RANGE; an instant mark is held until its MARKER_DATA.
 * A program records run metadata with an instant mark in the domain "wanprof" named "meta KEY JSON" (our runner
 * does: its model, schedule and offload mode): it becomes the output's metadata KEY, not an event. */
#include "collector.h"

#include <cupti.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define RANGE_BUCKETS 4096

struct wpc_range_slot {
    uint32_t id;
    wp_event ev; /* start, name, domain, tid, payload filled; end set at END */
    struct wpc_range_slot *next;
};

static wpc_range_slot held_instant; /* an instant mark waiting for its MARKER_DATA (id 0: none) */
static int have_instant;

int wpc_nvtx_init(void)
{
    wpc.ranges = calloc(RANGE_BUCKETS, sizeof(*wpc.ranges));
    return wpc.ranges ? 0 : -1;
}

void wpc_nvtx_set_injection(void)
{
    const char *set = getenv("NVTX_INJECTION64_PATH");
    if (set && *set)
        return;
    Dl_info info;
    if (dladdr((void *)cuptiActivityEnable, &info) && info.dli_fname)
        setenv("NVTX_INJECTION64_PATH", info.dli_fname, 0);
}

static uint32_t intern(const char *s)
{
    uint32_t id = s ? wp_strtab_intern_cstr(wpc.strings, s) : 0;
    return id == UINT32_MAX ? 0 : id;
}

static void emit(const wp_event *ev)
{
    if (wp_tool_event(wpc.tool, ev) == 0)
        wpc.events++;
}

static wpc_range_slot **bucket(uint32_t id)
{
    return &wpc.ranges[(id * 2654435761u) % RANGE_BUCKETS];
}

static wpc_range_slot *find(uint32_t id, int unlink)
{
    for (wpc_range_slot **p = bucket(id); *p; p = &(*p)->next) {
        if ((*p)->id != id)
            continue;
        wpc_range_slot *s = *p;
        if (unlink)
            *p = s->next;
        return s;
    }
    return NULL;
}

void wpc_nvtx_flush_pending(void)
{
    if (!have_instant)
        return;
    have_instant = 0;
    emit(&held_instant.ev);
}

static void fill_start(wp_event *ev, const CUpti_ActivityMarker2 *m)
{
    memset(ev, 0, sizeof(*ev));
    ev->kind = WP_EV_RANGE;
    ev->start = ev->end = (int64_t)m->timestamp;
    ev->name = intern(m->name);
    ev->device = WP_NONE;
    ev->stream = WP_NONE;
    if (m->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD || m->objectKind == CUPTI_ACTIVITY_OBJECT_PROCESS)
        ev->tid = m->objectId.pt.threadId;
    ev->u.range.domain = intern(m->domain);
    ev->u.range.source = WP_RANGE_NVTX;
}

#define META_PREFIX "meta "
#define META_KEY_MAX 64

/* "meta KEY JSON" in the domain "wanprof": 1 when it was taken as metadata. */
static int take_meta(const CUpti_ActivityMarker2 *m)
{
    if (!m->domain || strcmp(m->domain, "wanprof") != 0 || !m->name ||
        strncmp(m->name, META_PREFIX, strlen(META_PREFIX)) != 0)
        return 0;
    const char *key = m->name + strlen(META_PREFIX), *space = strchr(key, ' ');
    size_t len = space ? (size_t)(space - key) : 0;
    if (len == 0 || len >= META_KEY_MAX || !wpc.tool->meta)
        return 0;
    char k[META_KEY_MAX];
    memcpy(k, key, len);
    k[len] = 0;
    wpc.tool->meta(wpc.tool, 0, k, space + 1);
    return 1;
}

void wpc_nvtx_marker(const void *record)
{
    const CUpti_ActivityMarker2 *m = record;
    wpc_nvtx_flush_pending();
    if ((m->flags & CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS) && take_meta(m))
        return;
    if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_INSTANTANEOUS) {
        held_instant.id = m->id;
        fill_start(&held_instant.ev, m);
        held_instant.ev.u.range.flags = WP_RANGE_FLAG_INSTANT;
        have_instant = 1;
    } else if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_START) {
        wpc_range_slot *s = malloc(sizeof(*s));
        if (!s)
            return;
        s->id = m->id;
        fill_start(&s->ev, m);
        wpc_range_slot **b = bucket(m->id);
        s->next = *b;
        *b = s;
    } else if (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_END) {
        wpc_range_slot *s = find(m->id, 1);
        if (!s) {
            wpc.ranges_unmatched++;
            return;
        }
        s->ev.end = (int64_t)m->timestamp;
        if (s->ev.end < s->ev.start)
            s->ev.end = s->ev.start;
        emit(&s->ev);
        free(s);
    }
}

void wpc_nvtx_marker_data(const void *record)
{
    const CUpti_ActivityMarkerData2 *d = record;
    wp_event *ev = NULL;
    if (have_instant && held_instant.id == d->id) {
        ev = &held_instant.ev;
    } else {
        wpc_range_slot *s = find(d->id, 0);
        if (s)
            ev = &s->ev;
    }
    if (!ev)
        return;
    if (d->flags & CUPTI_ACTIVITY_FLAG_MARKER_COLOR_ARGB)
        ev->u.range.color = d->color;
    switch (d->payloadKind) {
    case CUPTI_METRIC_VALUE_KIND_INT64:
        ev->u.range.payload_type = WP_PAYLOAD_INT;
        ev->u.range.payload.i = d->payload.metricValueInt64;
        break;
    case CUPTI_METRIC_VALUE_KIND_UINT64:
        ev->u.range.payload_type = WP_PAYLOAD_UINT;
        ev->u.range.payload.u = d->payload.metricValueUint64;
        break;
    case CUPTI_METRIC_VALUE_KIND_DOUBLE:
        ev->u.range.payload_type = WP_PAYLOAD_DOUBLE;
        ev->u.range.payload.d = d->payload.metricValueDouble;
        break;
    default: break;
    }
    if (have_instant && ev == &held_instant.ev)
        wpc_nvtx_flush_pending();
}

uint64_t wpc_nvtx_open_ranges(void)
{
    uint64_t n = 0;
    for (int i = 0; wpc.ranges && i < RANGE_BUCKETS; i++)
        for (wpc_range_slot *s = wpc.ranges[i]; s; s = s->next)
            n++;
    return n;
}

void wpc_nvtx_free(void)
{
    wpc_nvtx_flush_pending();
    if (!wpc.ranges)
        return;
    for (int i = 0; i < RANGE_BUCKETS; i++) {
        while (wpc.ranges[i]) {
            wpc_range_slot *s = wpc.ranges[i];
            wpc.ranges[i] = s->next;
            free(s);
        }
    }
    free(wpc.ranges);
    wpc.ranges = NULL;
}
