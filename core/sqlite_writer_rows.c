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
                              w->base.final_path, p->index);
    if (p->index >= w->procs_cap) {
        size_t n = w->procs_cap ? w->procs_cap : 16;
        while (n <= p->index)
            n *= 2;
        sq_proc *procs = realloc(w->procs, n * sizeof(*procs));
        if (!procs)
            return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
        memset(procs + w->procs_cap, 0, (n - w->procs_cap) * sizeof(*procs));
        w->procs = procs;
        w->procs_cap = n;
    }
    if (w->procs[p->index].known)
        return wp_writer_fail(&w->base, "%s: process %u announced twice", w->base.final_path, p->index);
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

/* Binders: put one event into the parameters o+1.. of st (o = row * columns in a multi-row INSERT). */

/* start, end, deviceId, streamId, correlationId, globalPid: the first six columns of every GPU-side INSERT. */
static void bind_gpu_prefix(sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    sqlite3_bind_int64(st, o + 1, ev->start);
    sqlite3_bind_int64(st, o + 2, ev->end);
    bind_u32_none(st, o + 3, ev->device);
    bind_u32_none(st, o + 4, ev->stream);
    sqlite3_bind_int64(st, o + 5, (int64_t)ev->correlation);
    sqlite3_bind_int64(st, o + 6, gpid);
}

/* A name column that is NULL for "no name": 0 when the name is 0, the StringIds id otherwise, -1 on failure. */
static int64_t opt_string(sq_writer *w, uint32_t id)
{
    if (!id)
        return 0;
    uint32_t db = sq_string(w, id);
    return db ? (int64_t)db : -1;
}

static int bind_kernel(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    uint32_t name = sq_string(w, ev->name), short_name = sq_short_string(w, ev->name);
    if (!name || !short_name)
        return WP_ERR_IO;
    const wp_kernel_info *k = &ev->u.kernel;
    bind_gpu_prefix(st, o, ev, gpid);
    sqlite3_bind_int64(st, o + 7, name);
    sqlite3_bind_int64(st, o + 8, short_name);
    sqlite3_bind_int64(st, o + 9, k->registers_per_thread);
    for (int i = 0; i < 3; i++) {
        sqlite3_bind_int64(st, o + 10 + i, k->grid[i]);
        sqlite3_bind_int64(st, o + 13 + i, k->block[i]);
    }
    sqlite3_bind_int64(st, o + 16, k->static_shared);
    sqlite3_bind_int64(st, o + 17, k->dynamic_shared);
    bind_opt(st, o + 18, ev->tid, ev->tid != 0);
    return WP_OK;
}

static int bind_memcpy(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    const wp_memcpy_info *m = &ev->u.memcpy;
    int64_t name = opt_string(w, ev->name);
    if (name < 0)
        return WP_ERR_IO;
    bind_gpu_prefix(st, o, ev, gpid);
    sqlite3_bind_int64(st, o + 7, (int64_t)m->bytes);
    sqlite3_bind_int64(st, o + 8, m->copy_kind);
    sqlite3_bind_int64(st, o + 9, m->src_kind);
    sqlite3_bind_int64(st, o + 10, m->dst_kind);
    bind_u32_none(st, o + 11, m->src_device);
    bind_u32_none(st, o + 12, m->dst_device);
    bind_opt(st, o + 13, m->async, m->async != 0);
    bind_opt(st, o + 14, name, name != 0);
    bind_opt(st, o + 15, ev->tid, ev->tid != 0);
    return WP_OK;
}

static int bind_memset(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    const wp_memset_info *m = &ev->u.memset;
    int64_t name = opt_string(w, ev->name);
    if (name < 0)
        return WP_ERR_IO;
    bind_gpu_prefix(st, o, ev, gpid);
    sqlite3_bind_int64(st, o + 7, m->value);
    sqlite3_bind_int64(st, o + 8, (int64_t)m->bytes);
    sqlite3_bind_int64(st, o + 9, m->mem_kind);
    bind_opt(st, o + 10, m->async, m->async != 0);
    bind_opt(st, o + 11, name, name != 0);
    bind_opt(st, o + 12, ev->tid, ev->tid != 0);
    return WP_OK;
}

static int bind_sync(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    int64_t name = opt_string(w, ev->name);
    if (name < 0)
        return WP_ERR_IO;
    bind_gpu_prefix(st, o, ev, gpid);
    sqlite3_bind_int64(st, o + 7, ev->u.sync.type);
    sqlite3_bind_int64(st, o + 8, (int64_t)ev->u.sync.cuda_event);
    sqlite3_bind_int64(st, o + 9, sq_gtid(gpid, ev->tid));
    bind_opt(st, o + 10, name, name != 0);
    bind_opt(st, o + 11, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return WP_OK;
}

static int bind_memory(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    const wp_memory_info *m = &ev->u.memory;
    bind_gpu_prefix(st, o, ev, gpid);
    sqlite3_bind_int64(st, o + 7, (int64_t)m->address);
    sqlite3_bind_int64(st, o + 8, (int64_t)m->bytes);
    sqlite3_bind_int64(st, o + 9, m->mem_kind);
    sqlite3_bind_int64(st, o + 10, m->op);
    bind_text_id(w, st, o + 11, ev->name);
    bind_opt(st, o + 12, m->async, m->async != 0);
    sqlite3_bind_int64(st, o + 13, sq_gtid(gpid, ev->tid));
    bind_opt(st, o + 14, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return WP_OK;
}

static int bind_api(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    const wp_api_info *a = &ev->u.api;
    uint32_t name = sq_string(w, ev->name);
    if (!name)
        return WP_ERR_IO;
    sqlite3_bind_int64(st, o + 1, ev->start);
    sqlite3_bind_int64(st, o + 2, ev->end);
    sqlite3_bind_int64(st, o + 3, a->domain == WP_API_DRIVER ? WP_NSYS_CLASS_CUDA_DRIVER : WP_NSYS_CLASS_CUDA_RUNTIME);
    sqlite3_bind_int64(st, o + 4, sq_gtid(gpid, ev->tid));
    sqlite3_bind_int64(st, o + 5, (int64_t)ev->correlation);
    sqlite3_bind_int64(st, o + 6, name);
    sqlite3_bind_int64(st, o + 7, a->return_value);
    bind_opt(st, o + 8, a->cbid, a->cbid != 0);
    bind_u32_none(st, o + 9, ev->device);
    bind_u32_none(st, o + 10, ev->stream);
    bind_opt(st, o + 11, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return WP_OK;
}

static int bind_overhead(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    int64_t name = opt_string(w, ev->name);
    if (name < 0)
        return WP_ERR_IO;
    sqlite3_bind_int64(st, o + 1, ev->start);
    sqlite3_bind_int64(st, o + 2, ev->end);
    sqlite3_bind_int64(st, o + 3, sq_gtid(gpid, ev->tid));
    sqlite3_bind_int64(st, o + 4, (int64_t)ev->correlation);
    bind_opt(st, o + 5, name, name != 0);
    bind_u32_none(st, o + 6, ev->device);
    bind_u32_none(st, o + 7, ev->stream);
    bind_opt(st, o + 8, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return WP_OK;
}

static void bind_payload(sqlite3_stmt *st, int o, const wp_range_info *r)
{
    sqlite3_bind_null(st, o + 8);
    sqlite3_bind_null(st, o + 9);
    sqlite3_bind_null(st, o + 10);
    if (r->payload_type == WP_PAYLOAD_UINT)
        sqlite3_bind_int64(st, o + 8, (int64_t)r->payload.u);
    else if (r->payload_type == WP_PAYLOAD_INT)
        sqlite3_bind_int64(st, o + 9, r->payload.i);
    else if (r->payload_type == WP_PAYLOAD_DOUBLE)
        sqlite3_bind_double(st, o + 10, r->payload.d);
}

static int bind_range(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid)
{
    const wp_range_info *r = &ev->u.range;
    int64_t domain = opt_string(w, r->domain), args = opt_string(w, r->args);
    if (domain < 0 || args < 0)
        return WP_ERR_IO;
    int instant = (r->flags & WP_RANGE_FLAG_INSTANT) != 0;
    sqlite3_bind_int64(st, o + 1, ev->start);
    sqlite3_bind_int64(st, o + 2, ev->end);
    sqlite3_bind_int64(st, o + 3, instant ? WP_NSYS_NVTX_MARK : WP_NSYS_NVTX_PUSH_POP);
    bind_opt(st, o + 4, r->color, r->color != 0);
    bind_text_id(w, st, o + 5, ev->name);
    sqlite3_bind_int64(st, o + 6, sq_gtid(gpid, ev->tid));
    sqlite3_bind_int64(st, o + 7, domain);
    bind_payload(st, o, r);
    bind_opt(st, o + 11, r->source, r->source != WP_RANGE_NVTX);
    bind_opt(st, o + 12, args, args != 0);
    bind_opt(st, o + 13, r->flags, (r->flags & ~WP_RANGE_FLAG_INSTANT) != 0);
    bind_opt(st, o + 14, (int64_t)ev->correlation, ev->correlation != 0);
    bind_u32_none(st, o + 15, ev->device);
    bind_u32_none(st, o + 16, ev->stream);
    bind_opt(st, o + 17, ev->tid, ev->tid > WP_GTID_TID_MASK);
    return WP_OK;
}

/* nsys names NVTX domains per process with an NvtxDomainCreate row; write it the first time a process uses one. */
static int sq_write_domain(sq_writer *w, const wp_event *ev, int64_t gpid)
{
    uint32_t db_id = sq_string(w, ev->u.range.domain);
    if (!db_id)
        return WP_ERR_IO;
    for (size_t i = w->ndomains; i-- > 0;)
        if (w->domains[i].db_id == db_id && w->domains[i].proc == ev->proc)
            return WP_OK;
    if (w->ndomains == w->domains_cap) {
        size_t n = w->domains_cap ? w->domains_cap * 2 : 16;
        sq_domain *d = realloc(w->domains, n * sizeof(*d));
        if (!d)
            return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
        w->domains = d;
        w->domains_cap = n;
    }
    w->domains[w->ndomains++] = (sq_domain){ev->proc, db_id};
    sqlite3_stmt *st = w->stmt[SQ_NVTX];
    sqlite3_clear_bindings(st);
    sqlite3_bind_int64(st, 1, ev->start);
    sqlite3_bind_int64(st, 3, WP_NSYS_NVTX_DOMAIN_CREATE);
    bind_text_id(w, st, 5, ev->u.range.domain);
    sqlite3_bind_int64(st, 6, sq_gtid(gpid, ev->tid));
    sqlite3_bind_int64(st, 7, db_id);
    return sq_step(w, st, "insert into NVTX_EVENTS");
}

typedef int (*sq_binder)(sq_writer *w, sqlite3_stmt *st, int o, const wp_event *ev, int64_t gpid);

/* Per event kind (index kind - 1): its statement and binder. */
static const struct {
    int stmt;
    sq_binder bind;
    const char *table;
} sq_kinds[SQ_EVENT_TABLES] = {
    {SQ_KERNEL, bind_kernel, "CUPTI_ACTIVITY_KIND_KERNEL"},
    {SQ_MEMCPY, bind_memcpy, "CUPTI_ACTIVITY_KIND_MEMCPY"},
    {SQ_MEMSET, bind_memset, "CUPTI_ACTIVITY_KIND_MEMSET"},
    {SQ_API, bind_api, "CUPTI_ACTIVITY_KIND_RUNTIME"},
    {SQ_SYNC, bind_sync, "CUPTI_ACTIVITY_KIND_SYNCHRONIZATION"},
    {SQ_MEMORY, bind_memory, "CUDA_GPU_MEMORY_USAGE_EVENTS"},
    {SQ_NVTX, bind_range, "NVTX_EVENTS"},
    {SQ_OVERHEAD, bind_overhead, "CUPTI_ACTIVITY_KIND_OVERHEAD"},
};

/* Writes the batched events of one kind: full batches with the multi-row INSERT (one statement step per SQ_ROWS rows:
 * most of SQLite's per-statement cost is paid once), a partial one row by row. */
static int sq_write_batch(sq_writer *w, int t)
{
    sq_batch *b = &w->batch[t];
    int multi = b->n == SQ_ROWS;
    sqlite3_stmt *st = multi ? w->multi[t] : w->stmt[sq_kinds[t].stmt];
    int cols = w->cols[t], rc = WP_OK;
    for (int i = 0; i < b->n && rc == WP_OK; i++) {
        rc = sq_kinds[t].bind(w, st, multi ? i * cols : 0, &b->ev[i], b->gpid[i]);
        if (rc == WP_OK && !multi)
            rc = sq_step(w, st, sq_kinds[t].table);
    }
    if (rc == WP_OK && multi)
        rc = sq_step_rows(w, st, sq_kinds[t].table, SQ_ROWS);
    b->n = 0;
    return rc;
}

int sq_write_batches(sq_writer *w)
{
    int rc = WP_OK;
    for (int t = 0; t < SQ_EVENT_TABLES && rc == WP_OK; t++)
        if (w->batch[t].n)
            rc = sq_write_batch(w, t);
    return rc;
}

static int sq_on_event(wp_tool *tool, const wp_event *ev)
{
    sq_writer *w = (sq_writer *)tool;
    if (w->base.error)
        return w->base.error;
    if (ev->kind < WP_EV_KERNEL || ev->kind >= WP_EV_KIND_COUNT)
        return wp_writer_fail(&w->base, "%s: event of unknown kind %u", w->base.final_path, ev->kind);
    int64_t gpid = sq_gpid(w, ev->proc);
    if (gpid < 0 || (ev->kind == WP_EV_RANGE && ev->u.range.domain && sq_write_domain(w, ev, gpid)))
        return WP_ERR_IO;
    int t = (int)ev->kind - WP_EV_KERNEL;
    sq_batch *b = &w->batch[t];
    b->ev[b->n] = *ev;
    b->gpid[b->n++] = gpid;
    return b->n == SQ_ROWS ? sq_write_batch(w, t) : WP_OK;
}

/* "INSERT ... VALUES (?,...)" repeated for SQ_ROWS rows; sets *cols to the parameters of one row. */
static char *multi_row_sql(const char *one, int *cols)
{
    const char *values = strstr(one, "VALUES ");
    if (!values)
        return NULL;
    const char *row = values + 7;
    *cols = 0;
    for (const char *p = row; *p; p++)
        *cols += *p == '?';
    size_t head = (size_t)(row - one), len = strlen(row), n = head + (size_t)SQ_ROWS * (len + 1) + 1;
    char *sql = malloc(n), *p = sql;
    if (!sql)
        return NULL;
    memcpy(p, one, head);
    p += head;
    for (int i = 0; i < SQ_ROWS; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, row, len);
        p += len;
    }
    *p = 0;
    return sql;
}

int sq_prepare_multi(sq_writer *w)
{
    for (int t = 0; t < SQ_EVENT_TABLES; t++) {
        char *sql = multi_row_sql(sq_insert_sql[sq_kinds[t].stmt], &w->cols[t]);
        if (!sql)
            return wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
        int rc = sqlite3_prepare_v3(w->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &w->multi[t], NULL);
        free(sql);
        if (rc != SQLITE_OK)
            return wp_writer_fail(&w->base, "%s: preparing the %s INSERT failed: %s", w->base.final_path,
                                  sq_kinds[t].table, sqlite3_errmsg(w->db));
    }
    return WP_OK;
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
