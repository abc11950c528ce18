/* sqlite_procs.c: processes and devices of a SQLite trace. Ours lists them (WANPROF_PROCESSES, TARGET_INFO_GPU with
 * the process in globalPid); an nsys export has them implicitly: its processes are the globalPids the event tables
 * use (named by PROCESSES, ranked by MPI_RANKS when present), its devices TARGET_INFO_GPU mapped to processes by
 * TARGET_INFO_CUDA_DEVICE. */
#include "sqlite_format.h"
#include "sqlite_reader_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int announce(sq_reader *r, const wp_process *p)
{
    if (r->stats)
        r->stats->processes++;
    int rc = r->tool->process ? r->tool->process(r->tool, p) : 0;
    return rc ? (rc < 0 ? rc : WP_ERR_STOPPED) : WP_OK;
}

/* Adds a process to the sorted table; returns its slot or -1 when out of memory. */
static long add_proc(sq_reader *r, int64_t gpid, int64_t pid)
{
    if (r->nprocs == r->procs_cap) {
        size_t n = r->procs_cap ? r->procs_cap * 2 : 16;
        sq_rproc *p = realloc(r->procs, n * sizeof(*p));
        if (!p)
            return -1;
        r->procs = p;
        r->procs_cap = n;
    }
    size_t at = r->nprocs;
    while (at > 0 && r->procs[at - 1].gpid > gpid)
        at--;
    memmove(r->procs + at + 1, r->procs + at, (r->nprocs - at) * sizeof(*r->procs));
    r->procs[at] = (sq_rproc){gpid, r->next_index++, pid};
    r->nprocs++;
    return (long)at;
}

static long find_proc(sq_reader *r, int64_t gpid)
{
    if (r->last_proc < r->nprocs && r->procs[r->last_proc].gpid == gpid)
        return (long)r->last_proc;
    size_t lo = 0, hi = r->nprocs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->procs[mid].gpid < gpid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < r->nprocs && r->procs[lo].gpid == gpid)
        return (long)(r->last_proc = lo);
    return -1;
}

uint32_t sq_rproc_index(sq_reader *r, int64_t gpid, int *stop)
{
    long i = find_proc(r, gpid);
    if (i >= 0)
        return r->procs[i].index;
    /* A process the file did not list (its row lost): announce it now, before its first event, and say so. */
    int64_t pid = gpid / 0x1000000 % 0x1000000;
    wp_diag_warn(r->diag, "%s: events of pid %lld (globalPid %lld), a process the file does not list: read as a process "
                 "of its own", r->path, (long long)pid, (long long)gpid);
    i = add_proc(r, gpid, pid);
    if (i < 0) {
        *stop = sq_rfail(r, WP_ERR_NOMEM, "out of memory");
        return UINT32_MAX;
    }
    wp_process p = {.index = r->procs[i].index, .pid = pid, .rank = -1};
    *stop = announce(r, &p);
    return p.index;
}

static int announce_devices(sq_reader *r, const sq_devlist *devs, const sq_rproc *p)
{
    for (size_t i = 0; i < devs->n; i++) {
        const sq_rdev *d = &devs->devs[i];
        if (r->nsys ? (d->key != -1 && d->key != p->pid) : d->key != p->gpid)
            continue;
        wp_device dev = d->dev;
        dev.proc = p->index;
        int rc = r->tool->device ? r->tool->device(r->tool, &dev) : 0;
        if (rc)
            return rc < 0 ? rc : WP_ERR_STOPPED;
    }
    return WP_OK;
}

static int text_id(sq_reader *r, sqlite3_stmt *st, int col, uint32_t *out)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    *out = s ? wp_strtab_intern(r->strings, s, (size_t)sqlite3_column_bytes(st, col)) : 0;
    return *out == UINT32_MAX ? sq_rfail(r, WP_ERR_NOMEM, "out of memory") : WP_OK;
}

static int read_our_processes(sq_reader *r, const sq_devlist *devs)
{
    sqlite3_stmt *st = NULL;
    int rc = WP_OK, step;
    if (sqlite3_prepare_v2(r->db, "SELECT procIndex, pid, rank, host, label, globalPid FROM WANPROF_PROCESSES "
                                  "ORDER BY procIndex", -1, &st, NULL) != SQLITE_OK)
        return sq_rsqlite(r, "WANPROF_PROCESSES");
    while (rc == WP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        wp_process p = {.pid = sqlite3_column_int64(st, 1), .rank = (int32_t)sqlite3_column_int64(st, 2)};
        int64_t gpid = sqlite3_column_int64(st, 5);
        if (find_proc(r, gpid) >= 0) {
            rc = sq_rfail(r, WP_ERR_FORMAT, "WANPROF_PROCESSES lists globalPid %lld twice", (long long)gpid);
            break;
        }
        long at = add_proc(r, gpid, p.pid);
        if (at < 0)
            rc = sq_rfail(r, WP_ERR_NOMEM, "out of memory");
        if (rc == WP_OK && (rc = text_id(r, st, 3, &p.host)) == WP_OK && (rc = text_id(r, st, 4, &p.label)) == WP_OK) {
            p.index = r->procs[at].index;
            sq_rproc copy = r->procs[at];
            if ((rc = announce(r, &p)) == WP_OK)
                rc = announce_devices(r, devs, &copy);
        }
    }
    sqlite3_finalize(st);
    if (rc == WP_OK && step != SQLITE_DONE)
        rc = sq_rsqlite(r, "WANPROF_PROCESSES");
    return rc;
}

/* An nsys process's pid, name and rank, from PROCESSES and MPI_RANKS when the export has them. */
static int nsys_process_info(sq_reader *r, int64_t gpid, wp_process *p)
{
    char decl[64];
    sqlite3_stmt *st = NULL;
    p->pid = gpid / 0x1000000 % 0x1000000;
    p->rank = -1;
    if (sq_table_exists(r, "PROCESSES") > 0 && sq_column_type(r, "PROCESSES", "globalPid", decl, 64) > 0 &&
        sq_column_type(r, "PROCESSES", "name", decl, 64) > 0 &&
        sqlite3_prepare_v2(r->db, "SELECT name FROM PROCESSES WHERE globalPid = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, gpid);
        int rc = sqlite3_step(st) == SQLITE_ROW ? text_id(r, st, 0, &p->label) : WP_OK;
        sqlite3_finalize(st);
        if (rc != WP_OK)
            return rc;
    }
    if (sq_table_exists(r, "MPI_RANKS") > 0 && sq_column_type(r, "MPI_RANKS", "rank", decl, 64) > 0 &&
        sqlite3_prepare_v2(r->db, "SELECT rank FROM MPI_RANKS WHERE (globalTid & -16777216) = ? LIMIT 1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, gpid);
        if (sqlite3_step(st) == SQLITE_ROW)
            p->rank = (int32_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return WP_OK;
}

static int read_nsys_processes(sq_reader *r, const sq_devlist *devs)
{
    char *sql = sq_gpid_union_sql(r);
    if (!sql)
        return sq_rfail(r, WP_ERR_NOMEM, "out of memory");
    sqlite3_stmt *st = NULL;
    int prep = sqlite3_prepare_v2(r->db, sql, -1, &st, NULL);
    free(sql);
    if (prep != SQLITE_OK)
        return sq_rsqlite(r, "listing processes");
    int rc = WP_OK, step;
    while (rc == WP_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t gpid = sqlite3_column_int64(st, 0);
        wp_process p = {0};
        if ((rc = nsys_process_info(r, gpid, &p)) != WP_OK)
            break;
        long at = add_proc(r, gpid, p.pid);
        if (at < 0) {
            rc = sq_rfail(r, WP_ERR_NOMEM, "out of memory");
            break;
        }
        p.index = r->procs[at].index;
        sq_rproc copy = r->procs[at];
        if ((rc = announce(r, &p)) == WP_OK)
            rc = announce_devices(r, devs, &copy);
    }
    sqlite3_finalize(st);
    if (rc == WP_OK && step != SQLITE_DONE)
        rc = sq_rsqlite(r, "listing processes");
    return rc;
}

int sq_read_processes(sq_reader *r, const sq_devlist *devs)
{
    return r->nsys ? read_nsys_processes(r, devs) : read_our_processes(r, devs);
}

/* "g.col" when TARGET_INFO_GPU has the column (older nsys exports lack some), else NULL. */
static const char *gpu_col(sq_reader *r, const char *col, char *buf, size_t size)
{
    char decl[64];
    if (sq_column_type(r, "TARGET_INFO_GPU", col, decl, sizeof(decl)) <= 0)
        return "NULL";
    snprintf(buf, size, "g.\"%s\"", col);
    return buf;
}

static int add_device(sq_reader *r, sq_devlist *devs, sqlite3_stmt *st)
{
    if (devs->n == devs->cap) {
        size_t n = devs->cap ? devs->cap * 2 : 8;
        sq_rdev *d = realloc(devs->devs, n * sizeof(*d));
        if (!d)
            return sq_rfail(r, WP_ERR_NOMEM, "out of memory");
        devs->devs = d;
        devs->cap = n;
    }
    sq_rdev *d = &devs->devs[devs->n];
    memset(d, 0, sizeof(*d));
    d->key = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
    d->dev.id = (uint32_t)sqlite3_column_int64(st, 1);
    d->dev.cc_major = (int32_t)sqlite3_column_int64(st, 3);
    d->dev.cc_minor = (int32_t)sqlite3_column_int64(st, 4);
    d->dev.sm_count = (int32_t)sqlite3_column_int64(st, 5);
    d->dev.total_memory = (uint64_t)sqlite3_column_int64(st, 6);
    int rc = text_id(r, st, 2, &d->dev.name);
    if (rc == WP_OK)
        devs->n++;
    return rc;
}

int sq_read_devices(sq_reader *r, sq_devlist *devs)
{
    int has_gpu = sq_table_exists(r, "TARGET_INFO_GPU") > 0;
    int has_map = r->nsys && sq_table_exists(r, "TARGET_INFO_CUDA_DEVICE") > 0;
    if (!has_gpu && !has_map)
        return WP_OK;
    char b[6][64], sql[1024];
    const char *name = has_gpu ? gpu_col(r, "name", b[0], 64) : "NULL";
    const char *major = has_gpu ? gpu_col(r, "computeMajor", b[1], 64) : "NULL";
    const char *minor = has_gpu ? gpu_col(r, "computeMinor", b[2], 64) : "NULL";
    const char *sms = has_gpu ? gpu_col(r, "smCount", b[3], 64) : "NULL";
    const char *mem = has_gpu ? gpu_col(r, "totalMemory", b[4], 64) : "NULL";
    if (!r->nsys)
        snprintf(sql, sizeof(sql), "SELECT g.globalPid, g.id, %s, %s, %s, %s, %s FROM TARGET_INFO_GPU g "
                 "ORDER BY g.rowid", name, major, minor, sms, mem);
    else if (has_map)
        snprintf(sql, sizeof(sql), "SELECT c.pid, c.cudaId, %s, %s, %s, COALESCE(%s, c.numMultiprocessors), %s "
                 "FROM TARGET_INFO_CUDA_DEVICE c %s ORDER BY c.rowid", name, major, minor, sms, mem,
                 has_gpu ? "LEFT JOIN TARGET_INFO_GPU g ON g.id = c.gpuId" : "");
    else
        snprintf(sql, sizeof(sql), "SELECT NULL, COALESCE(%s, g.id), %s, %s, %s, %s, %s FROM TARGET_INFO_GPU g "
                 "ORDER BY g.rowid", gpu_col(r, "cuDevice", b[5], 64), name, major, minor, sms, mem);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_rsqlite(r, "TARGET_INFO_GPU");
    int rc = WP_OK, step;
    while (rc == WP_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = add_device(r, devs, st);
    sqlite3_finalize(st);
    if (rc == WP_OK && step != SQLITE_DONE)
        rc = sq_rsqlite(r, "TARGET_INFO_GPU");
    return rc;
}
