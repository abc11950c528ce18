/* sqlite_writer_rows.c: one INSERT per event kind, binding every field of the event model to its nsys column (or to a
 * wanprof column where nsys has none; see schemas/wanprof.sql for the mapping and why). */
#include "sqlite_format.h"
#include "sqlite_writer_impl.h"

#include <stdlib.h>
#include <string.h>

const char *const sq_insert_sql[SQ_STMT_COUNT] = {
    [SQ_STRING] = "INSERT INTO StringIds (id, value) VALUES (?, ?)",
    [SQ_KERNEL] = "INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL (start, end, deviceId, streamId, correlationId, globalPid, "
                  "demangledName, shortName, registersPerThread, gridX, gridY, gridZ, blockX, blockY, blockZ, "
                  "staticSharedMemory, dynamicSharedMemory, wpTid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_MEMCPY] = "INSERT INTO CUPTI_ACTIVITY_KIND_MEMCPY (start, end, deviceId, streamId, correlationId, globalPid, "
                  "bytes, copyKind, srcKind, dstKind, srcDeviceId, dstDeviceId, wpAsync, wpNameId, wpTid) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_MEMSET] = "INSERT INTO CUPTI_ACTIVITY_KIND_MEMSET (start, end, deviceId, streamId, correlationId, globalPid, "
                  "value, bytes, memKind, wpAsync, wpNameId, wpTid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_SYNC] = "INSERT INTO CUPTI_ACTIVITY_KIND_SYNCHRONIZATION (start, end, deviceId, streamId, correlationId, "
                "globalPid, syncType, eventId, globalTid, wpNameId, wpTid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_MEMORY] = "INSERT INTO CUDA_GPU_MEMORY_USAGE_EVENTS (start, end, deviceId, streamId, correlationId, globalPid, "
                  "address, bytes, memKind, memoryOperationType, name, wpAsync, globalTid, wpTid) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_API] = "INSERT INTO CUPTI_ACTIVITY_KIND_RUNTIME (start, end, eventClass, globalTid, correlationId, nameId, "
               "returnValue, wpCbid, wpDeviceId, wpStreamId, wpTid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_NVTX] = "INSERT INTO NVTX_EVENTS (start, end, eventType, color, text, globalTid, domainId, uint64Value, "
                "int64Value, doubleValue, wpSource, wpArgsId, wpFlags, wpCorrelation, wpDeviceId, wpStreamId, wpTid) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    [SQ_OVERHEAD] = "INSERT INTO CUPTI_ACTIVITY_KIND_OVERHEAD (start, end, globalTid, correlationId, nameId, "
                    "wpDeviceId, wpStreamId, wpTid) VALUES (?,?,?,?,?,?,?,?)",
    [SQ_PROCESS] = "INSERT INTO WANPROF_PROCESSES (procIndex, pid, rank, host, label, globalPid) VALUES (?,?,?,?,?,?)",
    [SQ_GPU] = "INSERT INTO TARGET_INFO_GPU (vmId, id, name, totalMemory, smCount, cuDevice, computeMajor, "
               "computeMinor, globalPid) VALUES (0, ?1, ?2, ?3, ?4, ?1, ?5, ?6, ?7)",
    [SQ_CUDA_DEVICE] = "INSERT INTO TARGET_INFO_CUDA_DEVICE (gpuId, cudaId, pid, numMultiprocessors) "
                       "VALUES (?1, ?1, ?2, ?3)",
    [SQ_META] = "INSERT INTO WANPROF_META (globalPid, key, value) VALUES (?, ?, ?)",
    [SQ_DROPPED] = "INSERT INTO WANPROF_DROPPED (globalPid, records) VALUES (?, ?)",
};

/* WP_NONE (unknown device / stream) is NULL. */
static void bind_u32_none(sqlite3_stmt *st, int i, uint32_t v)
{
    if (v == WP_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

/* Optional columns (wanprof's own) are NULL when they hold their default, so nsys-style rows stay clean. */
static void bind_opt(sqlite3_stmt *st, int i, int64_t v, int present)
{
    if (present)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static void bind_text_id(sq_writer *w, sqlite3_stmt *st, int i, uint32_t id)
{
    if (id)
        sqlite3_bind_text(st, i, wp_strtab_get(w->base.tool.strings, id), -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static int sq_write_process(sq_writer *w, const wp_process *p)
{
    if (p->index > 0x7fff)
        return wp_writer_fail(&w->base, "%s: process index %u is over the 32767 this format holds",
                              w->base.work_path, p->index);
    if (p->index >= w->procs_cap) {
        size_t n = w->procs_cap ? w->procs_cap : 16;
        while (n <= p->index)
            n *= 2;
        sq_proc *procs = realloc(w->procs, n * sizeof(*procs));
        if (!procs)
            return wp_writer_fail(&w->base, "%s: out of memory", w->base.work_path);
        memset(procs + w->procs_cap, 0, (n - w->procs_cap) * sizeof(*procs));
        w->procs = procs;
        w->procs_cap = n;
    }
    if (w->procs[p->index].known)
        return wp_writer_fail(&w->base, "%s: process %u announced twice", w->base.work_path, p->index);
    int64_t gpid = wp_sqlite_global_pid(p->index, p->pid);
    sqlite3_stmt *st = w->stmt[SQ_PROCESS];
    sqlite3_bind_int64(st, 1, p->index);
    sqlite3_bind_int64(st, 2, p->pid);
    sqlite3_bind_int64(st, 3, p->rank);
    bind_text_id(w, st, 4, p->host);
    bind_text_id(w, st, 5, p->label);
    sqlite3_bind_int64(st, 6, gpid);
    w->procs[p->index] = (sq_proc){gpid, 1};
    return sq_step(w, st, "insert into WANPROF_PROCESSES");
}

/* globalPid of a process; a process never announced gets a row of its own (pid and rank unknown). -1 on failure. */
static int64_t sq_gpid(sq_writer *w, uint32_t proc)
{
    if (proc < w->procs_cap && w->procs[proc].known)
        return w->procs[proc].gpid;
    wp_process p = {.index = proc, .pid = 0, .rank = -1};
    return sq_write_process(w, &p) ? -1 : w->procs[proc].gpid;
}

static int64_t sq_gtid(int64_t gpid, uint32_t tid)
{
    return gpid | ((int64_t)tid & WP_GTID_TID_MASK);
}

/* start, end, deviceId, streamId, correlationId, globalPid: the first six columns of every GPU-side INSERT. */
static void bind_gpu_prefix(sqlite3_stmt *st, const wp_event *ev, int64_t gpid)
{
    sqlite3_bind_int64(st, 1, ev->start);
    sqlite3_bind_int64(st, 2, ev->end);
    bind_u32_none(st, 3, ev->device);
    bind_u32_none(st, 4, ev->stream);
    sqlite3_bind_int64(st, 5, (int64_t)ev->correlation);
    sqlite3_bind_int64(st, 6, gpid);
}

static int sq_kernel(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_KERNEL];
    uint32_t name = sq_string(w, ev->name), short_name = sq_short_string(w, ev->name);
    if (!name || !short_name)
        return WP_ERR_IO;
    const wp_kernel_info *k = &ev->u.kernel;
    bind_gpu_prefix(st, ev, gpid);
    sqlite3_bind_int64(st, 7, name);
    sqlite3_bind_int64(st, 8, short_name);
    sqlite3_bind_int64(st, 9, k->registers_per_thread);
    for (int i = 0; i < 3; i++) {
        sqlite3_bind_int64(st, 10 + i, k->grid[i]);
        sqlite3_bind_int64(st, 13 + i, k->block[i]);
    }
    sqlite3_bind_int64(st, 16, k->static_shared);
    sqlite3_bind_int64(st, 17, k->dynamic_shared);
    bind_opt(st, 18, ev->tid, ev->tid != 0);
    return sq_step(w, st, "insert into CUPTI_ACTIVITY_KIND_KERNEL");
}

static int sq_memcpy(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_MEMCPY];
    const wp_memcpy_info *m = &ev->u.memcpy;
    uint32_t name = ev->name ? sq_string(w, ev->name) : 0;
    if (ev->name && !name)
        return WP_ERR_IO;
    bind_gpu_prefix(st, ev, gpid);
    sqlite3_bind_int64(st, 7, (int64_t)m->bytes);
    sqlite3_bind_int64(st, 8, m->copy_kind);
    sqlite3_bind_int64(st, 9, m->src_kind);
    sqlite3_bind_int64(st, 10, m->dst_kind);
    bind_u32_none(st, 11, m->src_device);
    bind_u32_none(st, 12, m->dst_device);
    bind_opt(st, 13, m->async, m->async != 0);
    bind_opt(st, 14, name, name != 0);
    bind_opt(st, 15, ev->tid, ev->tid != 0);
    return sq_step(w, st, "insert into CUPTI_ACTIVITY_KIND_MEMCPY");
}

static int sq_memset(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_MEMSET];
    const wp_memset_info *m = &ev->u.memset;
    uint32_t name = ev->name ? sq_string(w, ev->name) : 0;
    if (ev->name && !name)
        return WP_ERR_IO;
    bind_gpu_prefix(st, ev, gpid);
    sqlite3_bind_int64(st, 7, m->value);
    sqlite3_bind_int64(st, 8, (int64_t)m->bytes);
    sqlite3_bind_int64(st, 9, m->mem_kind);
    bind_opt(st, 10, m->async, m->async != 0);
    bind_opt(st, 11, name, name != 0);
    bind_opt(st, 12, ev->tid, ev->tid != 0);
    return sq_step(w, st, "insert into CUPTI_ACTIVITY_KIND_MEMSET");
}

static int sq_sync(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_SYNC];
    uint32_t name = ev->name ? sq_string(w, ev->name) : 0;
    if (ev->name && !name)
        return WP_ERR_IO;
    bind_gpu_prefix(st, ev, gpid);
    sqlite3_bind_int64(st, 7, ev->u.sync.type);
    sqlite3_bind_int64(st, 8, (int64_t)ev->u.sync.cuda_event);
    sqlite3_bind_int64(st, 9, sq_gtid(gpid, ev->tid));
    bind_opt(st, 10, name, name != 0);
    bind_opt(st, 11, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return sq_step(w, st, "insert into CUPTI_ACTIVITY_KIND_SYNCHRONIZATION");
}

static int sq_memory(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_MEMORY];
    const wp_memory_info *m = &ev->u.memory;
    bind_gpu_prefix(st, ev, gpid);
    sqlite3_bind_int64(st, 7, (int64_t)m->address);
    sqlite3_bind_int64(st, 8, (int64_t)m->bytes);
    sqlite3_bind_int64(st, 9, m->mem_kind);
    sqlite3_bind_int64(st, 10, m->op);
    bind_text_id(w, st, 11, ev->name);
    bind_opt(st, 12, m->async, m->async != 0);
    sqlite3_bind_int64(st, 13, sq_gtid(gpid, ev->tid));
    bind_opt(st, 14, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return sq_step(w, st, "insert into CUDA_GPU_MEMORY_USAGE_EVENTS");
}

static int sq_api(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_API];
    const wp_api_info *a = &ev->u.api;
    uint32_t name = sq_string(w, ev->name);
    if (!name)
        return WP_ERR_IO;
    sqlite3_bind_int64(st, 1, ev->start);
    sqlite3_bind_int64(st, 2, ev->end);
    sqlite3_bind_int64(st, 3, a->domain == WP_API_DRIVER ? WP_NSYS_CLASS_CUDA_DRIVER : WP_NSYS_CLASS_CUDA_RUNTIME);
    sqlite3_bind_int64(st, 4, sq_gtid(gpid, ev->tid));
    sqlite3_bind_int64(st, 5, (int64_t)ev->correlation);
    sqlite3_bind_int64(st, 6, name);
    sqlite3_bind_int64(st, 7, a->return_value);
    bind_opt(st, 8, a->cbid, a->cbid != 0);
    bind_u32_none(st, 9, ev->device);
    bind_u32_none(st, 10, ev->stream);
    bind_opt(st, 11, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return sq_step(w, st, "insert into CUPTI_ACTIVITY_KIND_RUNTIME");
}

static int sq_overhead(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    sqlite3_stmt *st = w->stmt[SQ_OVERHEAD];
    uint32_t name = ev->name ? sq_string(w, ev->name) : 0;
    if (ev->name && !name)
        return WP_ERR_IO;
    sqlite3_bind_int64(st, 1, ev->start);
    sqlite3_bind_int64(st, 2, ev->end);
    sqlite3_bind_int64(st, 3, sq_gtid(gpid, ev->tid));
    sqlite3_bind_int64(st, 4, (int64_t)ev->correlation);
    bind_opt(st, 5, name, name != 0);
    bind_u32_none(st, 6, ev->device);
    bind_u32_none(st, 7, ev->stream);
    bind_opt(st, 8, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return sq_step(w, st, "insert into CUPTI_ACTIVITY_KIND_OVERHEAD");
}

/* nsys names NVTX domains per process with an NvtxDomainCreate row; write it the first time a process uses one. */
static int sq_write_domain(sq_writer *w, const wp_event *ev, int64_t gtid, uint32_t db_id)
{
    for (size_t i = w->ndomains; i-- > 0;)
        if (w->domains[i].db_id == db_id && w->domains[i].proc == ev->proc)
            return WP_OK;
    if (w->ndomains == w->domains_cap) {
        size_t n = w->domains_cap ? w->domains_cap * 2 : 16;
        sq_domain *d = realloc(w->domains, n * sizeof(*d));
        if (!d)
            return wp_writer_fail(&w->base, "%s: out of memory", w->base.work_path);
        w->domains = d;
        w->domains_cap = n;
    }
    w->domains[w->ndomains++] = (sq_domain){ev->proc, db_id};
    sqlite3_stmt *st = w->stmt[SQ_NVTX];
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, ev->start);
    sqlite3_bind_int64(st, 3, WP_NSYS_NVTX_DOMAIN_CREATE);
    bind_text_id(w, st, 5, ev->u.range.domain);
    sqlite3_bind_int64(st, 6, gtid);
    sqlite3_bind_int64(st, 7, db_id);
    return sq_step(w, st, "insert into NVTX_EVENTS");
}

static void bind_payload(sqlite3_stmt *st, const wp_range_info *r)
{
    sqlite3_bind_null(st, 8);
    sqlite3_bind_null(st, 9);
    sqlite3_bind_null(st, 10);
    if (r->payload_type == WP_PAYLOAD_UINT)
        sqlite3_bind_int64(st, 8, (int64_t)r->payload.u);
    else if (r->payload_type == WP_PAYLOAD_INT)
        sqlite3_bind_int64(st, 9, r->payload.i);
    else if (r->payload_type == WP_PAYLOAD_DOUBLE)
        sqlite3_bind_double(st, 10, r->payload.d);
}

static int sq_range(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    const wp_range_info *r = &ev->u.range;
    int64_t gtid = sq_gtid(gpid, ev->tid);
    uint32_t domain = r->domain ? sq_string(w, r->domain) : 0, args = r->args ? sq_string(w, r->args) : 0;
    if ((r->domain && !domain) || (r->args && !args) || (domain && sq_write_domain(w, ev, gtid, domain)))
        return WP_ERR_IO;
    sqlite3_stmt *st = w->stmt[SQ_NVTX];
    int instant = (r->flags & WP_RANGE_FLAG_INSTANT) != 0;
    sqlite3_bind_int64(st, 1, ev->start);
    sqlite3_bind_int64(st, 2, ev->end);
    sqlite3_bind_int64(st, 3, instant ? WP_NSYS_NVTX_MARK : WP_NSYS_NVTX_PUSH_POP);
    bind_opt(st, 4, r->color, r->color != 0);
    bind_text_id(w, st, 5, ev->name);
    sqlite3_bind_int64(st, 6, gtid);
    sqlite3_bind_int64(st, 7, domain);
    bind_payload(st, r);
    bind_opt(st, 11, r->source, r->source != WP_RANGE_NVTX);
    bind_opt(st, 12, args, args != 0);
    bind_opt(st, 13, r->flags, (r->flags & ~WP_RANGE_FLAG_INSTANT) != 0);
    bind_opt(st, 14, (int64_t)ev->correlation, ev->correlation != 0);
    bind_u32_none(st, 15, ev->device);
    bind_u32_none(st, 16, ev->stream);
    bind_opt(st, 17, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return sq_step(w, st, "insert into NVTX_EVENTS");
}

static int sq_on_event(wp_tool *tool, const wp_event *ev)
{
    sq_writer *w = (sq_writer *)tool;
    if (w->base.error)
        return w->base.error;
    int64_t gpid = sq_gpid(w, ev->proc);
    if (gpid < 0)
        return WP_ERR_IO;
    switch (ev->kind) {
    case WP_EV_KERNEL: return sq_kernel(w, ev, gpid);
    case WP_EV_MEMCPY: return sq_memcpy(w, ev, gpid);
    case WP_EV_MEMSET: return sq_memset(w, ev, gpid);
    case WP_EV_API: return sq_api(w, ev, gpid);
    case WP_EV_SYNC: return sq_sync(w, ev, gpid);
    case WP_EV_MEMORY: return sq_memory(w, ev, gpid);
    case WP_EV_RANGE: return sq_range(w, ev, gpid);
    case WP_EV_OVERHEAD: return sq_overhead(w, ev, gpid);
    default: return wp_writer_fail(&w->base, "%s: event of unknown kind %u", w->base.work_path, ev->kind);
    }
}

static int sq_on_process(wp_tool *tool, const wp_process *p)
{
    sq_writer *w = (sq_writer *)tool;
    return w->base.error ? w->base.error : sq_write_process(w, p);
}

static int sq_on_device(wp_tool *tool, const wp_device *d)
{
    sq_writer *w = (sq_writer *)tool;
    int64_t gpid = w->base.error ? -1 : sq_gpid(w, d->proc);
    if (gpid < 0)
        return WP_ERR_IO;
    sqlite3_stmt *st = w->stmt[SQ_GPU];
    sqlite3_bind_int64(st, 1, d->id);
    bind_text_id(w, st, 2, d->name);
    sqlite3_bind_int64(st, 3, (int64_t)d->total_memory);
    sqlite3_bind_int64(st, 4, d->sm_count);
    sqlite3_bind_int64(st, 5, d->cc_major);
    sqlite3_bind_int64(st, 6, d->cc_minor);
    sqlite3_bind_int64(st, 7, gpid);
    if (sq_step(w, st, "insert into TARGET_INFO_GPU"))
        return WP_ERR_IO;
    st = w->stmt[SQ_CUDA_DEVICE];
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, gpid / 0x1000000 % 0x1000000);
    sqlite3_bind_int64(st, 3, d->sm_count);
    return sq_step(w, st, "insert into TARGET_INFO_CUDA_DEVICE");
}

static int sq_on_meta(wp_tool *tool, uint32_t proc, const char *key, const char *json)
{
    sq_writer *w = (sq_writer *)tool;
    int64_t gpid = w->base.error ? -1 : sq_gpid(w, proc);
    if (gpid < 0)
        return WP_ERR_IO;
    sqlite3_stmt *st = w->stmt[SQ_META];
    sqlite3_bind_int64(st, 1, gpid);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
    return sq_step(w, st, "insert into WANPROF_META");
}

static int sq_on_dropped(wp_tool *tool, uint32_t proc, uint64_t records)
{
    sq_writer *w = (sq_writer *)tool;
    int64_t gpid = w->base.error ? -1 : sq_gpid(w, proc);
    if (gpid < 0)
        return WP_ERR_IO;
    sqlite3_stmt *st = w->stmt[SQ_DROPPED];
    sqlite3_bind_int64(st, 1, gpid);
    sqlite3_bind_int64(st, 2, (int64_t)records);
    return sq_step(w, st, "insert into WANPROF_DROPPED");
}

void sq_writer_set_handlers(sq_writer *w)
{
    w->base.tool.any = sq_on_event;
    w->base.tool.process = sq_on_process;
    w->base.tool.device = sq_on_device;
    w->base.tool.meta = sq_on_meta;
    w->base.tool.dropped = sq_on_dropped;
}
