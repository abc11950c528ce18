/* sqlite_tables.c: the event tables of our files and of nsys exports: which columns hold which event field, how a row
 * becomes a wp_event, and the k-way merge of one `ORDER BY start` cursor per table that delivers events in time order
 * with bounded memory (the start indexes make each cursor a streaming index scan). */
#include "sqlite_format.h"
#include "sqlite_reader_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The first columns of every table's SELECT: where each common event field comes from (NULL: not in this table). */
enum { C_START, C_END, C_GPID, C_GTID, C_WPTID, C_DEV, C_STREAM, C_CORR, C_NAMEID, C_NAMETEXT, C_COMMON };

#define SQ_MAX_COLS 24

typedef struct sq_table sq_table;
struct sq_table {
    const char *name;
    uint32_t kind;
    const char *cols[SQ_MAX_COLS]; /* C_COMMON common slots, then the kind's own columns */
    const char *where;             /* row filter, or NULL */
    int (*decode)(sq_reader *r, sqlite3_stmt *st, wp_event *ev); /* 1: an event, 0: not an event (skip) */
};

static int is_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static int64_t col_i64(sqlite3_stmt *st, int i, int64_t dflt)
{
    return is_null(st, i) ? dflt : sqlite3_column_int64(st, i);
}

static uint32_t col_u32_none(sqlite3_stmt *st, int i)
{
    return is_null(st, i) ? WP_NONE : (uint32_t)sqlite3_column_int64(st, i);
}

static int decode_kernel(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r;
    wp_kernel_info *k = &ev->u.kernel;
    int c = C_COMMON;
    k->registers_per_thread = (uint32_t)col_i64(st, c++, 0);
    for (int i = 0; i < 3; i++)
        k->grid[i] = (uint32_t)col_i64(st, c++, 0);
    for (int i = 0; i < 3; i++)
        k->block[i] = (uint32_t)col_i64(st, c++, 0);
    k->static_shared = (uint32_t)col_i64(st, c++, 0);
    k->dynamic_shared = (uint32_t)col_i64(st, c++, 0);
    return 1;
}

static int decode_memcpy(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r;
    wp_memcpy_info *m = &ev->u.memcpy;
    m->bytes = (uint64_t)col_i64(st, C_COMMON, 0);
    m->copy_kind = (uint8_t)col_i64(st, C_COMMON + 1, WP_COPY_UNKNOWN);
    m->src_kind = (uint8_t)col_i64(st, C_COMMON + 2, WP_MEM_UNKNOWN);
    m->dst_kind = (uint8_t)col_i64(st, C_COMMON + 3, WP_MEM_UNKNOWN);
    m->src_device = col_u32_none(st, C_COMMON + 4);
    m->dst_device = col_u32_none(st, C_COMMON + 5);
    m->async = (uint8_t)col_i64(st, C_COMMON + 6, 0);
    return 1;
}

static int decode_memset(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r;
    wp_memset_info *m = &ev->u.memset;
    m->value = (uint32_t)col_i64(st, C_COMMON, 0);
    m->bytes = (uint64_t)col_i64(st, C_COMMON + 1, 0);
    m->mem_kind = (uint8_t)col_i64(st, C_COMMON + 2, WP_MEM_UNKNOWN);
    m->async = (uint8_t)col_i64(st, C_COMMON + 3, 0);
    return 1;
}

static int decode_sync(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r;
    ev->u.sync.type = (uint8_t)col_i64(st, C_COMMON, WP_SYNC_UNKNOWN);
    ev->u.sync.cuda_event = (uint64_t)col_i64(st, C_COMMON + 1, 0);
    return 1;
}

static int decode_memory(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r;
    wp_memory_info *m = &ev->u.memory;
    m->address = (uint64_t)col_i64(st, C_COMMON, 0);
    m->bytes = (uint64_t)col_i64(st, C_COMMON + 1, 0);
    m->mem_kind = (uint8_t)col_i64(st, C_COMMON + 2, WP_MEM_UNKNOWN);
    m->op = col_i64(st, C_COMMON + 3, 0) == 1 ? WP_MEMORY_FREE : WP_MEMORY_ALLOC;
    /* nsys has no async flag: an allocation from a stream-ordered pool names the pool. */
    m->async = (uint8_t)col_i64(st, C_COMMON + 4, col_i64(st, C_COMMON + 5, 0) != 0);
    return 1;
}

static int decode_api(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r;
    int64_t cls = col_i64(st, C_COMMON, WP_NSYS_CLASS_CUDA_RUNTIME);
    if (cls == WP_NSYS_CLASS_CUDA_BACKTRACE)
        return 0;
    ev->u.api.domain = cls == WP_NSYS_CLASS_CUDA_DRIVER || cls == WP_NSYS_CLASS_CUDA_EGL_DRIVER ? WP_API_DRIVER
                                                                                                  : WP_API_RUNTIME;
    ev->u.api.return_value = (int32_t)col_i64(st, C_COMMON + 1, 0);
    ev->u.api.cbid = (uint32_t)col_i64(st, C_COMMON + 2, 0);
    return 1;
}

static int decode_overhead(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    (void)r, (void)st, (void)ev;
    return 1;
}

/* NVTX payload: the first non-NULL of the value columns, in the order of the SELECT. */
static void decode_payload(sqlite3_stmt *st, int c, wp_range_info *g)
{
    static const uint8_t types[] = {WP_PAYLOAD_UINT, WP_PAYLOAD_INT, WP_PAYLOAD_DOUBLE,
                                    WP_PAYLOAD_UINT, WP_PAYLOAD_INT, WP_PAYLOAD_DOUBLE};
    for (int i = 0; i < 6; i++) {
        if (is_null(st, c + i))
            continue;
        g->payload_type = types[i];
        if (types[i] == WP_PAYLOAD_DOUBLE)
            g->payload.d = sqlite3_column_double(st, c + i);
        else if (types[i] == WP_PAYLOAD_UINT)
            g->payload.u = (uint64_t)sqlite3_column_int64(st, c + i);
        else
            g->payload.i = sqlite3_column_int64(st, c + i);
        return;
    }
}

static int decode_range(sq_reader *r, sqlite3_stmt *st, wp_event *ev)
{
    wp_range_info *g = &ev->u.range;
    int c = C_COMMON;
    int64_t type = col_i64(st, c, 0);
    if (type != WP_NSYS_NVTX_MARK && type != WP_NSYS_NVTX_PUSH_POP && type != WP_NSYS_NVTX_START_END)
        return 0;
    g->color = (uint32_t)col_i64(st, c + 1, 0);
    int64_t gpid = is_null(st, C_GPID) ? wp_sqlite_gpid_of_gtid(col_i64(st, C_GTID, 0)) : col_i64(st, C_GPID, 0);
    int64_t domain = col_i64(st, c + 2, 0);
    g->domain = domain ? sq_rdomain_name(r, gpid, domain) : 0;
    decode_payload(st, c + 3, g);
    g->source = (uint8_t)col_i64(st, c + 9, WP_RANGE_NVTX);
    g->args = is_null(st, c + 10) ? 0 : sq_rstring(r, sqlite3_column_int64(st, c + 10));
    g->flags = (uint8_t)col_i64(st, c + 11, type == WP_NSYS_NVTX_MARK ? WP_RANGE_FLAG_INSTANT : 0);
    return 1;
}

#define GPU_COMMON(name) "start", "end", "globalPid", NULL, "wpTid", "deviceId", "streamId", "correlationId"

static const sq_table sq_tables[] = {
    {"CUPTI_ACTIVITY_KIND_KERNEL", WP_EV_KERNEL,
     {GPU_COMMON(), "demangledName", NULL, "registersPerThread", "gridX", "gridY", "gridZ", "blockX", "blockY",
      "blockZ", "staticSharedMemory", "dynamicSharedMemory"},
     NULL, decode_kernel},
    {"CUPTI_ACTIVITY_KIND_MEMCPY", WP_EV_MEMCPY,
     {GPU_COMMON(), "wpNameId", NULL, "bytes", "copyKind", "srcKind", "dstKind", "srcDeviceId", "dstDeviceId",
      "wpAsync"},
     NULL, decode_memcpy},
    {"CUPTI_ACTIVITY_KIND_MEMSET", WP_EV_MEMSET,
     {GPU_COMMON(), "wpNameId", NULL, "value", "bytes", "memKind", "wpAsync"}, NULL, decode_memset},
    {"CUPTI_ACTIVITY_KIND_RUNTIME", WP_EV_API,
     {"start", "end", NULL, "globalTid", "wpTid", "wpDeviceId", "wpStreamId", "correlationId", "nameId", NULL,
      "eventClass", "returnValue", "wpCbid"},
     NULL, decode_api},
    {"CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", WP_EV_SYNC,
     {"start", "end", "globalPid", "globalTid", "wpTid", "deviceId", "streamId", "correlationId", "wpNameId", NULL,
      "syncType", "eventId"},
     NULL, decode_sync},
    {"CUDA_GPU_MEMORY_USAGE_EVENTS", WP_EV_MEMORY,
     {"start", "end", "globalPid", "globalTid", "wpTid", "deviceId", "streamId", "correlationId", NULL, "name",
      "address", "bytes", "memKind", "memoryOperationType", "wpAsync", "localMemoryPoolAddress"},
     NULL, decode_memory},
    {"NVTX_EVENTS", WP_EV_RANGE,
     {"start", "end", NULL, "globalTid", "wpTid", "wpDeviceId", "wpStreamId", "wpCorrelation", "textId", "text",
      "eventType", "color", "domainId", "uint64Value", "int64Value", "doubleValue", "uint32Value", "int32Value",
      "floatValue", "wpSource", "wpArgsId", "wpFlags"},
     "eventType IN (34, 59, 60)", decode_range},
    {"CUPTI_ACTIVITY_KIND_OVERHEAD", WP_EV_OVERHEAD,
     {"start", "end", NULL, "globalTid", "wpTid", "wpDeviceId", "wpStreamId", "correlationId", "nameId", NULL},
     NULL, decode_overhead},
};
#define SQ_NTABLES (sizeof(sq_tables) / sizeof(sq_tables[0]))

/* The common slots plus the kind's own columns (which end at the first NULL). */
static int table_ncols(const sq_table *t)
{
    int n = C_COMMON;
    while (n < SQ_MAX_COLS && t->cols[n])
        n++;
    return n;
}

/* Columns that hold text; every other column holds a number. */
static int is_text_column(const char *col)
{
    return strcmp(col, "name") == 0 || strcmp(col, "text") == 0;
}

/* SQLite's type affinity rules (datatype3.html, 3.1): 'i'nteger, 't'ext, 'b'lob/none, 'r'eal, 'n'umeric. */
static char affinity(const char *decl)
{
    if (strcasestr(decl, "INT"))
        return 'i';
    if (strcasestr(decl, "CHAR") || strcasestr(decl, "CLOB") || strcasestr(decl, "TEXT"))
        return 't';
    if (!*decl || strcasestr(decl, "BLOB"))
        return 'b';
    if (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA") || strcasestr(decl, "DOUB"))
        return 'r';
    return 'n';
}

/* Checks one table: present (ours: required), columns present (ours: all; nsys: start), declared types sensible.
 * Sets *present; fills have[i] with whether column i exists. */
static int check_table(sq_reader *r, const sq_table *t, int *present, int have[SQ_MAX_COLS])
{
    *present = sq_table_exists(r, t->name);
    if (*present < 0)
        return sq_rsqlite(r, "reading the schema");
    if (!*present)
        return r->nsys ? WP_OK
                       : sq_rfail(r, WP_ERR_FORMAT, "schema mismatch: table %s is missing", t->name);
    memset(have, 0, SQ_MAX_COLS * sizeof(*have));
    for (int i = 0; i < table_ncols(t); i++) {
        const char *col = t->cols[i];
        char decl[64];
        have[i] = col ? sq_column_type(r, t->name, col, decl, sizeof(decl)) : 0;
        if (have[i] < 0)
            return sq_rsqlite(r, "reading the schema");
        if (col && !have[i] && (!r->nsys || i == C_START))
            return sq_rfail(r, WP_ERR_FORMAT, "schema mismatch: table %s has no column %s", t->name, col);
        if (!have[i])
            continue;
        char a = affinity(decl);
        if (is_text_column(col) ? (a == 'i' || a == 'r') : (a == 't' || (a == 'b' && *decl)))
            return sq_rfail(r, WP_ERR_FORMAT, "schema mismatch: column %s.%s is declared %s", t->name, col, decl);
    }
    return WP_OK;
}

int sq_check_tables(sq_reader *r)
{
    for (size_t i = 0; i < SQ_NTABLES; i++) {
        int present, have[SQ_MAX_COLS];
        int rc = check_table(r, &sq_tables[i], &present, have);
        if (rc != WP_OK)
            return rc;
    }
    return WP_OK;
}

typedef struct sq_cursor {
    const sq_table *t;
    sqlite3_stmt *st;
    int has_row;
    int64_t start;
} sq_cursor;

static int cursor_step(sq_reader *r, sq_cursor *c)
{
    int rc = sqlite3_step(c->st);
    c->has_row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_rsqlite(r, c->t->name);
    if (!c->has_row)
        return WP_OK;
    if (sqlite3_column_type(c->st, C_START) != SQLITE_INTEGER)
        return sq_rfail(r, WP_ERR_FORMAT, "a row of %s has a start that is not an integer timestamp", c->t->name);
    int end_type = sqlite3_column_type(c->st, C_END);
    if (end_type != SQLITE_INTEGER && end_type != SQLITE_NULL)
        return sq_rfail(r, WP_ERR_FORMAT, "a row of %s has an end that is not an integer timestamp", c->t->name);
    c->start = sqlite3_column_int64(c->st, C_START);
    return WP_OK;
}

/* Prepares "SELECT <columns or NULL> FROM table [WHERE ...] [ORDER BY start]"; c->st stays NULL for an absent table. */
static int cursor_open(sq_reader *r, sq_cursor *c, const sq_table *t)
{
    int present, have[SQ_MAX_COLS];
    c->t = t;
    int rc = check_table(r, t, &present, have);
    if (rc != WP_OK || !present)
        return rc;
    char sql[2048];
    size_t n = (size_t)snprintf(sql, sizeof(sql), "SELECT ");
    for (int i = 0; i < table_ncols(t); i++)
        n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s%s%s%s", i ? ", " : "", have[i] ? "\"" : "",
                              have[i] ? t->cols[i] : "NULL", have[i] ? "\"" : "");
    n += (size_t)snprintf(sql + n, sizeof(sql) - n, " FROM \"%s\"%s%s%s", t->name, t->where ? " WHERE " : "",
                          t->where ? t->where : "", r->opts && r->opts->time_ordered ? " ORDER BY start" : "");
    if (n >= sizeof(sql))
        return sq_rfail(r, WP_ERR_NOMEM, "query for %s too long", t->name);
    if (sqlite3_prepare_v2(r->db, sql, -1, &c->st, NULL) != SQLITE_OK)
        return sq_rsqlite(r, t->name);
    return cursor_step(r, c);
}

/* Turns the current row of c into ev; 1 when it is an event, 0 to skip it (the caller counts it in stats->skipped),
 * <0 on error. */
static int cursor_decode(sq_reader *r, sq_cursor *c, wp_event *ev)
{
    sqlite3_stmt *st = c->st;
    memset(ev, 0, sizeof(*ev));
    ev->kind = c->t->kind;
    ev->start = c->start;
    ev->end = col_i64(st, C_END, ev->start);
    if (ev->end < ev->start) { /* no analysis can use a span that ends before it starts */
        r->backwards++;
        return 0;
    }
    int64_t gtid = col_i64(st, C_GTID, 0);
    int64_t gpid = is_null(st, C_GPID) ? wp_sqlite_gpid_of_gtid(gtid) : sqlite3_column_int64(st, C_GPID);
    int stop = 0;
    ev->proc = sq_rproc_index(r, gpid, &stop);
    if (stop)
        return stop;
    ev->tid = (uint32_t)col_i64(st, C_WPTID, gtid & WP_GTID_TID_MASK);
    ev->device = col_u32_none(st, C_DEV);
    ev->stream = col_u32_none(st, C_STREAM);
    ev->correlation = (uint64_t)col_i64(st, C_CORR, 0);
    if (!is_null(st, C_NAMETEXT)) {
        const char *s = (const char *)sqlite3_column_text(st, C_NAMETEXT);
        ev->name = wp_strtab_intern(r->strings, s ? s : "", (size_t)sqlite3_column_bytes(st, C_NAMETEXT));
        if (ev->name == UINT32_MAX)
            return sq_rfail(r, WP_ERR_NOMEM, "out of memory");
    } else if (!is_null(st, C_NAMEID)) {
        ev->name = sq_rstring(r, sqlite3_column_int64(st, C_NAMEID));
    }
    return c->t->decode(r, st, ev);
}

static int deliver(sq_reader *r, const wp_event *ev)
{
    int rc = wp_tool_event(r->tool, ev);
    if (rc)
        return rc < 0 ? rc : WP_ERR_STOPPED;
    if (r->stats)
        r->stats->events++;
    return WP_OK;
}

int sq_read_events(sq_reader *r)
{
    sq_cursor cur[SQ_NTABLES];
    memset(cur, 0, sizeof(cur));
    int rc = WP_OK;
    for (size_t i = 0; rc == WP_OK && i < SQ_NTABLES; i++)
        rc = cursor_open(r, &cur[i], &sq_tables[i]);
    int ordered = r->opts && r->opts->time_ordered;
    while (rc == WP_OK) {
        /* Time order: the cursor with the earliest start (ties go to the earlier table); otherwise table by table. */
        sq_cursor *next = NULL;
        for (size_t i = 0; i < SQ_NTABLES; i++) {
            if (!cur[i].st || !cur[i].has_row || (next && (!ordered || cur[i].start >= next->start)))
                continue;
            next = &cur[i];
        }
        if (!next)
            break;
        wp_event ev;
        int got = cursor_decode(r, next, &ev);
        if (got < 0)
            rc = got;
        else if (got == 0 && r->stats) /* a row of an event table that is no event: counted like the JSON reader's */
            r->stats->skipped++;
        else if (got > 0 && (rc = deliver(r, &ev)) != WP_OK)
            break;
        if (rc == WP_OK)
            rc = cursor_step(r, next);
    }
    for (size_t i = 0; i < SQ_NTABLES; i++)
        sqlite3_finalize(cur[i].st);
    if (r->backwards)
        wp_diag_warn(r->diag, "%s: skipped %llu events that end before they start", r->path,
                     (unsigned long long)r->backwards);
    return rc;
}

char *sq_gpid_union_sql(sq_reader *r)
{
    size_t cap = 4096, n = 0;
    char *sql = malloc(cap);
    if (!sql)
        return NULL;
    n += (size_t)snprintf(sql, cap, "SELECT DISTINCT g FROM (SELECT NULL AS g");
    for (size_t i = 0; i < SQ_NTABLES; i++) {
        const sq_table *t = &sq_tables[i];
        char decl[64];
        if (sq_table_exists(r, t->name) <= 0)
            continue;
        if (t->cols[C_GPID] && sq_column_type(r, t->name, t->cols[C_GPID], decl, sizeof(decl)) > 0)
            n += (size_t)snprintf(sql + n, cap - n, " UNION SELECT globalPid FROM \"%s\"", t->name);
        else if (t->cols[C_GTID] && sq_column_type(r, t->name, t->cols[C_GTID], decl, sizeof(decl)) > 0)
            n += (size_t)snprintf(sql + n, cap - n, " UNION SELECT globalTid & -16777216 FROM \"%s\"", t->name);
    }
    n += (size_t)snprintf(sql + n, cap - n, ") WHERE g IS NOT NULL ORDER BY g");
    if (n >= cap) {
        free(sql);
        return NULL;
    }
    return sql;
}
