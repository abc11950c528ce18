/* convert.c: CUPTI activity records (the layouts of the installed cupti_activity.h, CUPTI 13: Kernel10, Memcpy6,
 * MemcpyPtoP4, Memset4, Memory4, API, Synchronization2, Overhead3, Name, Device5) -> wp_event, written to the
 * per-process output. Runs on the writer thread only (out_lock held), so the string table needs no further lock. */
#include "collector.h"

#include <cupti.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chrome_names.h"
#include "outname.h"
#include "version.h"

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

/* Kernel names arrive mangled; Kineto and nsys show them demangled. */
static uint32_t kernel_name(const char *mangled)
{
    uint32_t id = intern(mangled);
    if (id == 0 || !wpc.demangle)
        return id;
    if (id >= wpc.demangled_cap) {
        uint32_t cap = wpc.demangled_cap ? wpc.demangled_cap : 1024;
        while (cap <= id)
            cap *= 2;
        uint32_t *p = realloc(wpc.demangled, cap * sizeof(*p));
        if (!p)
            return id;
        memset(p + wpc.demangled_cap, 0, (cap - wpc.demangled_cap) * sizeof(*p));
        wpc.demangled = p;
        wpc.demangled_cap = cap;
    }
    if (wpc.demangled[id] == 0) {
        int status = -1;
        char *d = wpc.demangle(mangled, NULL, NULL, &status);
        wpc.demangled[id] = status == 0 && d ? intern(d) : id;
        if (wpc.demangled[id] == 0)
            wpc.demangled[id] = id;
        free(d);
    }
    return wpc.demangled[id];
}

static void convert_kernel(const CUpti_ActivityKernel10 *k)
{
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = WP_EV_KERNEL;
    ev.start = (int64_t)k->start;
    ev.end = (int64_t)k->end;
    ev.name = kernel_name(k->name);
    ev.device = k->deviceId;
    ev.stream = k->streamId;
    ev.correlation = k->correlationId;
    ev.u.kernel.grid[0] = (uint32_t)k->gridX, ev.u.kernel.grid[1] = (uint32_t)k->gridY;
    ev.u.kernel.grid[2] = (uint32_t)k->gridZ;
    ev.u.kernel.block[0] = (uint32_t)k->blockX, ev.u.kernel.block[1] = (uint32_t)k->blockY;
    ev.u.kernel.block[2] = (uint32_t)k->blockZ;
    ev.u.kernel.registers_per_thread = k->registersPerThread;
    ev.u.kernel.static_shared = (uint32_t)k->staticSharedMemory;
    ev.u.kernel.dynamic_shared = (uint32_t)k->dynamicSharedMemory;
    emit(&ev);
}

/* "Memcpy HtoD (Pageable -> Device)", as Kineto names copies. */
static uint32_t memcpy_label(uint8_t copy_kind, uint8_t src, uint8_t dst)
{
    if (copy_kind >= 16 || src >= 8 || dst >= 8)
        return intern("Memcpy");
    uint32_t *slot = &wpc.memcpy_labels[copy_kind][src][dst];
    if (*slot == 0) {
        char buf[128];
        wp_chrome_memcpy_name(buf, sizeof(buf), copy_kind, src, dst);
        *slot = intern(buf);
    }
    return *slot;
}

/* The fields CUPTI's host/device and peer-to-peer copy records share: same names in two record structs. */
#define COPY_COMMON(ev, m)                                                                                           \
    do {                                                                                                             \
        memset(&(ev), 0, sizeof(ev));                                                                                \
        (ev).kind = WP_EV_MEMCPY;                                                                                    \
        (ev).start = (int64_t)(m)->start;                                                                            \
        (ev).end = (int64_t)(m)->end;                                                                                \
        (ev).device = (m)->deviceId;                                                                                 \
        (ev).stream = (m)->streamId;                                                                                 \
        (ev).correlation = (m)->correlationId;                                                                       \
        (ev).u.memcpy.bytes = (m)->bytes;                                                                            \
        (ev).u.memcpy.src_kind = wp_mem_kind_from_cupti((m)->srcKind);                                               \
        (ev).u.memcpy.dst_kind = wp_mem_kind_from_cupti((m)->dstKind);                                               \
        (ev).u.memcpy.async = ((m)->flags & CUPTI_ACTIVITY_FLAG_MEMCPY_ASYNC) != 0;                                  \
    } while (0)

static void emit_copy(wp_event *ev)
{
    ev->name = memcpy_label(ev->u.memcpy.copy_kind, ev->u.memcpy.src_kind, ev->u.memcpy.dst_kind);
    emit(ev);
}

static void convert_memcpy(const CUpti_ActivityMemcpy6 *m)
{
    wp_event ev;
    COPY_COMMON(ev, m);
    ev.u.memcpy.copy_kind = m->copyKind;
    ev.u.memcpy.src_device = m->deviceId;
    ev.u.memcpy.dst_device = m->deviceId;
    emit_copy(&ev);
}

static void convert_peer(const CUpti_ActivityMemcpyPtoP4 *m)
{
    wp_event ev;
    COPY_COMMON(ev, m);
    ev.u.memcpy.copy_kind = m->copyKind ? m->copyKind : WP_COPY_PTOP;
    ev.u.memcpy.src_device = m->srcDeviceId;
    ev.u.memcpy.dst_device = m->dstDeviceId;
    emit_copy(&ev);
}

static void convert_memset(const CUpti_ActivityMemset4 *m)
{
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = WP_EV_MEMSET;
    ev.start = (int64_t)m->start;
    ev.end = (int64_t)m->end;
    ev.name = intern("Memset");
    ev.device = m->deviceId;
    ev.stream = m->streamId;
    ev.correlation = m->correlationId;
    ev.u.memset.bytes = m->bytes;
    ev.u.memset.value = m->value;
    ev.u.memset.mem_kind = wp_mem_kind_from_cupti(m->memoryKind);
    ev.u.memset.async = (m->flags & CUPTI_ACTIVITY_FLAG_MEMSET_ASYNC) != 0;
    emit(&ev);
}

static uint32_t api_name(int domain, uint32_t cbid)
{
    uint32_t *slot = cbid < 4096 ? &wpc.api_names[domain][cbid] : NULL;
    if (slot && *slot)
        return *slot;
    const char *name = NULL;
    CUpti_CallbackDomain d = domain == WP_API_DRIVER ? CUPTI_CB_DOMAIN_DRIVER_API : CUPTI_CB_DOMAIN_RUNTIME_API;
    uint32_t id = cuptiGetCallbackName(d, cbid, &name) == CUPTI_SUCCESS && name ? intern(name) : 0;
    if (id == 0) {
        char buf[48];
        snprintf(buf, sizeof(buf), "%s API %u", domain == WP_API_DRIVER ? "driver" : "runtime", cbid);
        id = intern(buf);
    }
    if (slot)
        *slot = id;
    return id;
}

static void convert_api(const CUpti_ActivityAPI *a, int domain)
{
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = WP_EV_API;
    ev.start = (int64_t)a->start;
    ev.end = (int64_t)a->end;
    ev.name = api_name(domain, a->cbid);
    ev.device = WP_NONE;
    ev.stream = WP_NONE;
    ev.tid = a->threadId;
    ev.correlation = a->correlationId;
    ev.u.api.cbid = a->cbid;
    ev.u.api.return_value = (int32_t)a->returnValue;
    ev.u.api.domain = (uint8_t)domain;
    emit(&ev);
}

static void convert_sync(const CUpti_ActivitySynchronization2 *s)
{
    static const char *names[] = {"Unknown synchronization", "Event synchronize", "Stream wait event",
                                  "Stream synchronize", "Context synchronize"};
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = WP_EV_SYNC;
    ev.start = (int64_t)s->start;
    ev.end = (int64_t)s->end;
    ev.name = intern(names[(unsigned)s->type < 5 ? s->type : 0]);
    ev.device = WP_NONE;
    ev.stream = s->streamId;
    ev.correlation = s->correlationId;
    ev.u.sync.type = (uint8_t)s->type;
    ev.u.sync.cuda_event = s->cudaEventId;
    emit(&ev);
}

static void convert_memory(const CUpti_ActivityMemory4 *m)
{
    int is_free = m->memoryOperationType == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_RELEASE;
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = WP_EV_MEMORY;
    ev.start = ev.end = (int64_t)m->timestamp;
    ev.name = intern(is_free ? "Free" : "Allocate");
    ev.device = m->deviceId;
    ev.stream = m->streamId;
    ev.correlation = m->correlationId;
    ev.u.memory.address = m->address;
    ev.u.memory.bytes = m->bytes;
    ev.u.memory.op = is_free ? WP_MEMORY_FREE : WP_MEMORY_ALLOC;
    ev.u.memory.mem_kind = wp_mem_kind_from_cupti(m->memoryKind);
    ev.u.memory.async = m->isAsync != 0;
    emit(&ev);
}

static const char *overhead_name(uint32_t kind)
{
    switch (kind) {
    case CUPTI_ACTIVITY_OVERHEAD_DRIVER_COMPILER: return "Driver compiler";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_BUFFER_FLUSH: return "CUPTI buffer flush";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_INSTRUMENTATION: return "CUPTI instrumentation";
    case CUPTI_ACTIVITY_OVERHEAD_CUPTI_RESOURCE: return "CUPTI resource";
    case CUPTI_ACTIVITY_OVERHEAD_RUNTIME_TRIGGERED_MODULE_LOADING: return "Runtime-triggered module loading";
    case CUPTI_ACTIVITY_OVERHEAD_LAZY_FUNCTION_LOADING: return "Lazy function loading";
    case CUPTI_ACTIVITY_OVERHEAD_COMMAND_BUFFER_FULL: return "Command buffer full";
    case CUPTI_ACTIVITY_OVERHEAD_ACTIVITY_BUFFER_REQUEST: return "Activity buffer request";
    default: return "Overhead";
    }
}

static void convert_overhead(const CUpti_ActivityOverhead3 *o)
{
    wp_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = WP_EV_OVERHEAD;
    ev.start = (int64_t)o->start;
    ev.end = (int64_t)o->end;
    ev.name = intern(overhead_name(o->overheadKind));
    ev.device = WP_NONE;
    ev.stream = WP_NONE;
    if (o->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD || o->objectKind == CUPTI_ACTIVITY_OBJECT_PROCESS)
        ev.tid = o->objectId.pt.threadId;
    ev.correlation = o->correlationId;
    emit(&ev);
}

static void convert_device(const CUpti_ActivityDevice5 *d)
{
    wp_device dev;
    memset(&dev, 0, sizeof(dev));
    dev.proc = 0;
    dev.id = d->id;
    dev.name = intern(d->name);
    dev.cc_major = (int32_t)d->computeCapabilityMajor;
    dev.cc_minor = (int32_t)d->computeCapabilityMinor;
    dev.sm_count = (int32_t)d->numMultiprocessors;
    dev.total_memory = d->globalMemorySize;
    if (wpc.tool->device)
        wpc.tool->device(wpc.tool, &dev);
}

/* Thread and stream names (cuptiNameOsThread, nvtxNameCuStream ...) kept as metadata "name.<object>.<id>". */
static void convert_name(const CUpti_ActivityName *n)
{
    if (!wpc.tool->meta || !n->name)
        return;
    char key[64], value[1024];
    if (n->objectKind == CUPTI_ACTIVITY_OBJECT_THREAD)
        snprintf(key, sizeof(key), "name.thread.%u", n->objectId.pt.threadId);
    else if (n->objectKind == CUPTI_ACTIVITY_OBJECT_STREAM)
        snprintf(key, sizeof(key), "name.stream.%u", n->objectId.dcs.streamId);
    else if (n->objectKind == CUPTI_ACTIVITY_OBJECT_DEVICE)
        snprintf(key, sizeof(key), "name.device.%u", n->objectId.dcs.deviceId);
    else
        return;
    size_t o = 0;
    value[o++] = '"';
    for (const char *p = n->name; *p && o < sizeof(value) - 8; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            value[o++] = '\\', value[o++] = (char)c;
        else if (c >= 0x20)
            value[o++] = (char)c;
    }
    value[o++] = '"';
    value[o] = '\0';
    wpc.tool->meta(wpc.tool, 0, key, value);
}

static void convert_record(const CUpti_Activity *r)
{
    switch (r->kind) {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
    case CUPTI_ACTIVITY_KIND_KERNEL: convert_kernel((const CUpti_ActivityKernel10 *)r); break;
    case CUPTI_ACTIVITY_KIND_MEMCPY: convert_memcpy((const CUpti_ActivityMemcpy6 *)r); break;
    case CUPTI_ACTIVITY_KIND_MEMCPY2: convert_peer((const CUpti_ActivityMemcpyPtoP4 *)r); break;
    case CUPTI_ACTIVITY_KIND_MEMSET: convert_memset((const CUpti_ActivityMemset4 *)r); break;
    case CUPTI_ACTIVITY_KIND_RUNTIME: convert_api((const CUpti_ActivityAPI *)r, WP_API_RUNTIME); break;
    case CUPTI_ACTIVITY_KIND_DRIVER: convert_api((const CUpti_ActivityAPI *)r, WP_API_DRIVER); break;
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: convert_sync((const CUpti_ActivitySynchronization2 *)r); break;
    case CUPTI_ACTIVITY_KIND_MEMORY2: convert_memory((const CUpti_ActivityMemory4 *)r); break;
    case CUPTI_ACTIVITY_KIND_OVERHEAD: convert_overhead((const CUpti_ActivityOverhead3 *)r); break;
    case CUPTI_ACTIVITY_KIND_DEVICE: convert_device((const CUpti_ActivityDevice5 *)r); break;
    case CUPTI_ACTIVITY_KIND_NAME: convert_name((const CUpti_ActivityName *)r); break;
    case CUPTI_ACTIVITY_KIND_MARKER: wpc_nvtx_marker(r); return;
    case CUPTI_ACTIVITY_KIND_MARKER_DATA: wpc_nvtx_marker_data(r); return;
    default: break;
    }
}

uint64_t wpc_convert_buffer(const uint8_t *data, size_t valid)
{
    uint64_t before = wpc.events;
    CUpti_Activity *r = NULL;
    while (cuptiActivityGetNextRecord((uint8_t *)data, valid, &r) == CUPTI_SUCCESS) {
        if (r->kind != CUPTI_ACTIVITY_KIND_MARKER && r->kind != CUPTI_ACTIVITY_KIND_MARKER_DATA)
            wpc_nvtx_flush_pending();
        convert_record(r);
    }
    wpc_nvtx_flush_pending();
    return wpc.events - before;
}

void wpc_write_dropped(void)
{
    pthread_mutex_lock(&wpc.lock);
    uint64_t total = wpc.dropped;
    pthread_mutex_unlock(&wpc.lock);
    if (total > wpc.dropped_written && wpc.tool->dropped) {
        wpc.tool->dropped(wpc.tool, 0, total - wpc.dropped_written);
        wpc.dropped_written = total;
    }
}

/* A JSON string of s into out (n bytes). */
static void json_string(const char *s, size_t len, char *out, size_t n)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < len && o + 8 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            out[o++] = '\\', out[o++] = (char)c;
        else if (c < 0x20)
            o += (size_t)snprintf(out + o, n - o, "\\u%04x", c);
        else
            out[o++] = (char)c;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* The command line from /proc/self/cmdline as a JSON array. */
static void command_json(char *out, size_t n)
{
    char raw[4096];
    size_t len = 0, o = 0;
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (f) {
        len = fread(raw, 1, sizeof(raw) - 1, f);
        fclose(f);
    }
    o += (size_t)snprintf(out + o, n - o, "[");
    for (size_t i = 0; i < len && o + 16 < n;) {
        size_t arg = strnlen(raw + i, len - i);
        char piece[1024];
        json_string(raw + i, arg, piece, sizeof(piece));
        if (o + strlen(piece) + 4 >= n)
            break;
        o += (size_t)snprintf(out + o, n - o, "%s%s", i ? "," : "", piece);
        i += arg + 1;
    }
    snprintf(out + o, n - o, "]");
}

int wpc_write_header(void)
{
    char host[256] = "", label[64], json[8192], range[600];
    gethostname(host, sizeof(host));
    host[sizeof(host) - 1] = '\0';
    wp_process proc = {.index = 0, .pid = wpc.pid, .rank = wp_outname_rank()};
    proc.host = intern(host);
    if (proc.rank >= 0)
        snprintf(label, sizeof(label), "rank %d", proc.rank);
    else
        snprintf(label, sizeof(label), "pid %ld", (long)wpc.pid);
    proc.label = intern(label);
    if (wpc.tool->process && wpc.tool->process(wpc.tool, &proc) != 0)
        return -1;
    wpc.demangle = (char *(*)(const char *, char *, size_t *, int *))dlsym(RTLD_DEFAULT, "__cxa_demangle");
    if (!wpc.tool->meta)
        return 0;
    command_json(json, sizeof(json));
    wpc.tool->meta(wpc.tool, 0, "command", json);
    uint32_t version = 0;
    cuptiGetVersion(&version);
    json_string(wpc.cfg.capture_range, strlen(wpc.cfg.capture_range), range, sizeof(range));
    snprintf(json, sizeof(json),
             "{\"collector\":\"wanprof %s\",\"cupti_api_version\":%u,\"trace\":\"%s\",\"flush_interval_s\":%g,"
             "\"capture_range\":%s}",
             wp_version_text(), version, wpc.cfg.trace_text, wpc.cfg.flush_interval, range);
    wpc.tool->meta(wpc.tool, 0, "collector", json);
    return 0;
}
