/* sqlite_reader.c: reads our SQLite files and nsys SQLite exports into a wp_tool. Opens read-only, refuses what it
 * cannot read with a message naming the file (not SQLite, truncated, corrupt, newer schema, missing or mistyped
 * columns), loads StringIds into the shared string table, announces processes (ours: WANPROF_PROCESSES; nsys: the
 * globalPids the tables use) with their devices, then metadata, dropped counts and the events (sqlite_tables.c). */
#include "sqlite_format.h"
#include "sqlite_reader_impl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int sq_rfail(sq_reader *r, int code, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return wp_diag_error(r->diag, code, "%s: %s", r->path, msg);
}

int sq_rsqlite(sq_reader *r, const char *what)
{
    int code = sqlite3_extended_errcode(r->db), base = code & 0xff;
    int err = base == SQLITE_NOMEM ? WP_ERR_NOMEM
              : base == SQLITE_IOERR && code != SQLITE_IOERR_SHORT_READ ? WP_ERR_IO
                                                                        : WP_ERR_FORMAT;
    const char *kind = base == SQLITE_CORRUPT || base == SQLITE_NOTADB || code == SQLITE_IOERR_SHORT_READ
                           ? "the database is corrupt or truncated: "
                       : code == SQLITE_READONLY_ROLLBACK || code == SQLITE_READONLY_RECOVERY
                           ? "an interrupted write left a journal that must be rolled back first, which a read "
                             "never does (open it once with sqlite3 to recover it, on a copy if unsure): "
                       : base == SQLITE_ERROR ? "not a trace this version can read: "
                                              : "";
    return sq_rfail(r, err, "%s: %s%s", what, kind, sqlite3_errmsg(r->db));
}

int sq_table_exists(sq_reader *r, const char *table)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int sq_column_type(sq_reader *r, const char *table, const char *column, char *decl, size_t decl_size)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT type FROM pragma_table_info(?) WHERE name = ?", -1, &st, NULL))
        return -1;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        snprintf(decl, decl_size, "%s", t ? t : "");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* SQLite's own header says how big the file should be: a cut file is refused before SQLite misreads it. */
static int check_header(sq_reader *r)
{
    unsigned char h[100];
    FILE *f = fopen(r->path, "rb");
    if (!f)
        return sq_rfail(r, WP_ERR_IO, "cannot open: %s", strerror(errno));
    size_t n = fread(h, 1, sizeof(h), f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    if (r->stats)
        r->stats->bytes_read = size > 0 ? (uint64_t)size : 0;
    if (n < sizeof(h) || memcmp(h, "SQLite format 3", 16) != 0)
        return sq_rfail(r, WP_ERR_FORMAT, "not a SQLite database");
    uint32_t page = (uint32_t)h[16] << 8 | h[17];
    if (page == 1)
        page = 65536;
    uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    int count_valid = memcmp(h + 24, h + 92, 4) == 0 && pages > 0;
    char wal[4096];
    struct stat st;
    snprintf(wal, sizeof(wal), "%s-wal", r->path);
    if (count_valid && stat(wal, &st) != 0 && (uint64_t)size < (uint64_t)page * pages)
        return sq_rfail(r, WP_ERR_FORMAT, "truncated: its header says %llu bytes, the file has %ld",
                        (unsigned long long)page * pages, size);
    return WP_OK;
}

static int query_int(sq_reader *r, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_rsqlite(r, "reading the schema");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? WP_OK : sq_rsqlite(r, "reading the schema");
}

/* Ours or nsys's; our schema version must not be newer than this build's. */
static int check_kind(sq_reader *r)
{
    int ours = sq_table_exists(r, "WANPROF_META");
    if (ours < 0)
        return sq_rsqlite(r, "reading the schema");
    if (!ours) {
        static const char *const nsys_tables[] = {"StringIds", "CUPTI_ACTIVITY_KIND_KERNEL", "NVTX_EVENTS",
                                                  "CUPTI_ACTIVITY_KIND_RUNTIME", "TARGET_INFO_GPU"};
        for (size_t i = 0; i < sizeof(nsys_tables) / sizeof(nsys_tables[0]); i++)
            if (sq_table_exists(r, nsys_tables[i]) > 0)
                r->nsys = 1;
        return r->nsys ? WP_OK
                       : sq_rfail(r, WP_ERR_FORMAT, "a SQLite database but not a trace (neither wanprof's tables "
                                                    "nor those of an nsys export)");
    }
    int64_t version = 0;
    int rc = query_int(r, "PRAGMA user_version", &version);
    if (rc != WP_OK)
        return rc;
    if (version > WP_SQLITE_SCHEMA_VERSION)
        return sq_rfail(r, WP_ERR_FORMAT, "written by a newer wanprof (schema version %lld; this build reads up to %d)",
                        (long long)version, WP_SQLITE_SCHEMA_VERSION);
    if (version < 1)
        return sq_rfail(r, WP_ERR_FORMAT, "schema mismatch: has WANPROF_META but no schema version");
    static const char *const required[] = {"StringIds", "WANPROF_PROCESSES", "WANPROF_DROPPED", "TARGET_INFO_GPU"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (sq_table_exists(r, required[i]) <= 0)
            return sq_rfail(r, WP_ERR_FORMAT, "schema mismatch: table %s is missing", required[i]);
    return WP_OK;
}

uint32_t sq_rstring(sq_reader *r, int64_t db_id)
{
    uint32_t v = UINT32_MAX;
    if (r->strmap) {
        if (db_id >= 0 && (uint64_t)db_id < r->strmap_n)
            v = r->strmap[db_id];
    } else {
        size_t lo = 0, hi = r->nsparse;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (r->sparse_ids[mid] < db_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < r->nsparse && r->sparse_ids[lo] == db_id)
            v = r->sparse_vals[lo];
    }
    if (v != UINT32_MAX)
        return v;
    if (!r->warned_string++)
        wp_diag_warn(r->diag, "%s: string id %lld is not in StringIds (shown as empty)", r->path, (long long)db_id);
    return 0;
}

/* Interns every StringIds value; ids map through a dense array when they are dense (nsys's and ours are). */
static int load_strings(sq_reader *r)
{
    if (sq_table_exists(r, "StringIds") <= 0)
        return WP_OK;
    int64_t max_id = 0, count = 0;
    int rc = query_int(r, "SELECT max(id) FROM StringIds", &max_id);
    if (rc == WP_OK)
        rc = query_int(r, "SELECT count(*) FROM StringIds", &count);
    if (rc != WP_OK)
        return rc;
    int dense = max_id >= 0 && max_id <= 2 * count + (1 << 20);
    if (dense) {
        r->strmap_n = (size_t)max_id + 1;
        r->strmap = malloc(r->strmap_n * sizeof(*r->strmap));
        if (r->strmap)
            memset(r->strmap, 0xff, r->strmap_n * sizeof(*r->strmap));
    } else {
        r->sparse_ids = malloc((size_t)count * sizeof(*r->sparse_ids) + 1);
        r->sparse_vals = malloc((size_t)count * sizeof(*r->sparse_vals) + 1);
    }
    if (dense ? !r->strmap : (!r->sparse_ids || !r->sparse_vals))
        return sq_rfail(r, WP_ERR_NOMEM, "out of memory for %lld strings", (long long)count);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT id, value FROM StringIds ORDER BY id", -1, &st, NULL) != SQLITE_OK)
        return sq_rsqlite(r, "StringIds");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *s = (const char *)sqlite3_column_text(st, 1);
        uint32_t v = wp_strtab_intern(r->strings, s ? s : "", s ? (size_t)sqlite3_column_bytes(st, 1) : 0);
        if (v == UINT32_MAX)
            break;
        if (dense && id >= 0 && (uint64_t)id < r->strmap_n)
            r->strmap[id] = v;
        else if (!dense && r->nsparse < (size_t)count)
            r->sparse_ids[r->nsparse] = id, r->sparse_vals[r->nsparse++] = v;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return sq_rfail(r, WP_ERR_NOMEM, "out of memory for strings");
    return rc == SQLITE_DONE ? WP_OK : sq_rsqlite(r, "StringIds");
}

static int text_id(sq_reader *r, sqlite3_stmt *st, int col, uint32_t *out)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    *out = s ? wp_strtab_intern(r->strings, s, (size_t)sqlite3_column_bytes(st, col)) : 0;
    return *out == UINT32_MAX ? sq_rfail(r, WP_ERR_NOMEM, "out of memory") : WP_OK;
}

static int load_domains(sq_reader *r)
{
    char decl[64];
    if (sq_table_exists(r, "NVTX_EVENTS") <= 0 || sq_column_type(r, "NVTX_EVENTS", "domainId", decl, 64) <= 0 ||
        sq_column_type(r, "NVTX_EVENTS", "text", decl, 64) <= 0 ||
        sq_column_type(r, "NVTX_EVENTS", "globalTid", decl, 64) <= 0)
        return WP_OK;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT globalTid, domainId, text FROM NVTX_EVENTS WHERE eventType = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return sq_rsqlite(r, "NVTX_EVENTS");
    sqlite3_bind_int(st, 1, WP_NSYS_NVTX_DOMAIN_CREATE);
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->ndomains == cap) {
            cap = cap ? cap * 2 : 16;
            sq_rdomain *d = realloc(r->domains, cap * sizeof(*d));
            if (!d)
                break;
            r->domains = d;
        }
        sq_rdomain *d = &r->domains[r->ndomains];
        d->gpid = wp_sqlite_gpid_of_gtid(sqlite3_column_int64(st, 0));
        d->domain_id = sqlite3_column_int64(st, 1);
        if (text_id(r, st, 2, &d->name) != WP_OK)
            break;
        r->ndomains++;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return sq_rfail(r, WP_ERR_NOMEM, "out of memory");
    return rc == SQLITE_DONE ? WP_OK : sq_rsqlite(r, "NVTX_EVENTS");
}

uint32_t sq_rdomain_name(sq_reader *r, int64_t gpid, int64_t domain_id)
{
    for (size_t i = 0; i < r->ndomains; i++)
        if (r->domains[i].domain_id == domain_id && r->domains[i].gpid == gpid)
            return r->domains[i].name;
    return 0;
}

static int read_meta(sq_reader *r)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(r->db, "SELECT globalPid, key, value FROM WANPROF_META ORDER BY rowid", -1, &st, NULL))
        return sq_rsqlite(r, "WANPROF_META");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int stop = 0;
        uint32_t proc = sq_rproc_index(r, sqlite3_column_int64(st, 0), &stop);
        const char *key = (const char *)sqlite3_column_text(st, 1), *value = (const char *)sqlite3_column_text(st, 2);
        if (key && value && strcmp(key, WP_META_SKIPPED) == 0) { /* an export's count, not metadata to pass on */
            if (r->stats)
                r->stats->skipped += strtoull(value, NULL, 10);
        }
        else if (!stop && r->tool->meta &&
                 (stop = r->tool->meta(r->tool, proc, key ? key : "", value ? value : "null")))
            stop = stop < 0 ? stop : WP_ERR_STOPPED;
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_rsqlite(r, "WANPROF_META");
    if (sqlite3_prepare_v2(r->db, "SELECT globalPid, records FROM WANPROF_DROPPED ORDER BY rowid", -1, &st, NULL))
        return sq_rsqlite(r, "WANPROF_DROPPED");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int stop = 0;
        uint32_t proc = sq_rproc_index(r, sqlite3_column_int64(st, 0), &stop);
        uint64_t n = (uint64_t)sqlite3_column_int64(st, 1);
        if (r->stats)
            r->stats->dropped += n;
        if (!stop && r->tool->dropped && (stop = r->tool->dropped(r->tool, proc, n)))
            stop = stop < 0 ? stop : WP_ERR_STOPPED;
        if (stop) {
            sqlite3_finalize(st);
            return stop;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? WP_OK : sq_rsqlite(r, "WANPROF_DROPPED");
}

/* The header, the open (read-only: a read never changes the file) and which kind of trace it is. */
static int open_checked(sq_reader *r)
{
    int rc = check_header(r);
    if (rc != WP_OK)
        return rc;
    if (sqlite3_open_v2(r->path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return sq_rfail(r, WP_ERR_IO, "cannot open: %s", r->db ? sqlite3_errmsg(r->db) : "out of memory");
    sqlite3_busy_timeout(r->db, WP_SQLITE_READ_BUSY_MS);
    return check_kind(r);
}

int wp_sqlite_check(const char *path, wp_diag *diag)
{
    sq_reader r = {.path = path, .diag = diag};
    int rc = open_checked(&r);
    sqlite3_close(r.db);
    return rc;
}

static int read_all(sq_reader *r)
{
    int rc = open_checked(r);
    sq_devlist devs = {0};
    if (rc == WP_OK && (rc = sq_check_tables(r)) == WP_OK && (rc = load_strings(r)) == WP_OK &&
        (rc = load_domains(r)) == WP_OK && (rc = sq_read_devices(r, &devs)) == WP_OK)
        rc = sq_read_processes(r, &devs);
    free(devs.devs);
    if (rc == WP_OK && !r->nsys)
        rc = read_meta(r);
    if (rc == WP_OK)
        rc = sq_read_events(r);
    return rc;
}

int wp_sqlite_read(const char *path, wp_strtab *strings, wp_tool *tool, const wp_read_opts *opts, wp_diag *diag,
                   wp_read_stats *stats)
{
    static const wp_read_opts defaults;
    sq_reader r = {.path = path, .strings = strings, .tool = tool, .diag = diag, .stats = stats,
                   .opts = opts ? opts : &defaults};
    if (stats)
        memset(stats, 0, sizeof(*stats));
    r.next_index = r.opts->proc_base;
    tool->strings = strings;
    int rc = read_all(&r);
    sqlite3_close(r.db);
    free(r.strmap);
    free(r.sparse_ids);
    free(r.sparse_vals);
    free(r.procs);
    free(r.domains);
    return rc;
}
