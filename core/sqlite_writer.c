/* sqlite_writer.c: writes the event model as SQLite with nsys-export tables (schemas/wanprof.sql). Events are batched
 * per table and written SQ_ROWS at a time through prepared multi-row INSERTs (sqlite_writer_rows.c); rows are grouped
 * into transactions, committed every WP_SQ_BATCH rows and on wp_writer_flush. Written in place (the collector) the
 * journal is WAL, so a killed writer leaves a file readable up to its last commit; close checkpoints and returns to a
 * rollback journal so a single file remains. Strings are written once each: the tool's string ids map densely to
 * StringIds ids. Indexes on `start` are built when the file is finished. */
#include "sqlite_format.h"
#include "version.h"
#include "sqlite_writer_impl.h"
#include "writer_impl.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#define WP_SQ_BATCH 200000 /* rows per transaction: large enough to amortise the commit, small enough to keep WAL short */

/* Records the failure with what the OS said where SQLite only says "disk I/O error" (ENOSPC, EFBIG, EIO, ...). */
static int sq_fail(sq_writer *w, const char *what)
{
    int code = w->db ? sqlite3_extended_errcode(w->db) : SQLITE_ERROR, sys = w->db ? sqlite3_system_errno(w->db) : 0;
    int io = (code & 0xff) == SQLITE_FULL || (code & 0xff) == SQLITE_IOERR;
    const char *why = io && sys != 0                  ? strerror(sys)
                      : (code & 0xff) == SQLITE_FULL  ? strerror(ENOSPC)
                      : code == SQLITE_IOERR_WRITE    ? "short write (disk full or file size limit?)"
                      : w->db                         ? sqlite3_errmsg(w->db)
                                                      : "no database";
    return wp_writer_fail(&w->base, "writing %s: %s (%s)", w->base.final_path, why, what);
}

/* Runs sql; on failure the message says what was being done ("commit", "creating the tables", ...). */
static int sq_exec_what(sq_writer *w, const char *sql, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(w->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return WP_OK;
    sqlite3_free(msg);
    return sq_fail(w, what);
}

static int sq_exec(sq_writer *w, const char *sql)
{
    return sq_exec_what(w, sql, sql);
}

/* Runs the prepared statement and resets it; counts the row toward the batch. */
int sq_step_rows(sq_writer *w, sqlite3_stmt *st, const char *what, int rows)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(w, what);
    w->pending += (uint64_t)rows;
    if (w->pending >= WP_SQ_BATCH) {
        w->pending = 0;
        if (sq_exec_what(w, "COMMIT; BEGIN", "writing (commit)"))
            return WP_ERR_IO;
    }
    return WP_OK;
}

int sq_step(sq_writer *w, sqlite3_stmt *st, const char *what)
{
    return sq_step_rows(w, st, what, 1);
}

/* Grows a zero-filled uint32 array so that index i is valid. */
static int sq_grow(uint32_t **a, size_t *cap, size_t i)
{
    if (i < *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n <= i)
        n *= 2;
    uint32_t *p = realloc(*a, n * sizeof(*p));
    if (!p)
        return -1;
    memset(p + *cap, 0, (n - *cap) * sizeof(*p));
    *a = p;
    *cap = n;
    return 0;
}

static uint32_t sq_insert_string(sq_writer *w, const char *s, size_t len)
{
    uint32_t id = w->next_string++;
    sqlite3_stmt *st = w->stmt[SQ_STRING];
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, s, (int)len, SQLITE_STATIC);
    return sq_step(w, st, "insert into StringIds") ? 0 : id;
}

/* The StringIds id of the tool's string id; 0 after a write error. */
uint32_t sq_string(sq_writer *w, uint32_t tool_id)
{
    if (tool_id < w->strmap_cap && w->strmap[tool_id])
        return w->strmap[tool_id];
    if (sq_grow(&w->strmap, &w->strmap_cap, tool_id)) {
        wp_writer_fail(&w->base, "%s: out of memory", w->base.final_path);
        return 0;
    }
    const char *s = wp_strtab_get(w->base.tool.strings, tool_id);
    return w->strmap[tool_id] = sq_insert_string(w, s, strlen(s));
}

/* nsys's "base kernel function name": no return type, namespaces, template arguments or parameters. */
static void sq_short_name(const char *s, size_t *off, size_t *len)
{
    size_t start = 0, stop = strlen(s), cut = 0;
    int depth = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        if (c == '(' && depth == 0 && strncmp(s + i, "(anonymous namespace)", 21) == 0) {
            i += 20;
        } else if (c == '<') {
            if (depth++ == 0 && !cut)
                cut = i;
        } else if (c == '>' && depth > 0) {
            depth--;
        } else if (depth == 0 && c == '(') {
            stop = i;
            break;
        } else if (depth == 0 && (c == ' ' || (c == ':' && s[i + 1] == ':'))) {
            start = i + (c == ':' ? 2 : 1);
            cut = 0;
            i += c == ':';
        }
    }
    if (cut && cut < stop)
        stop = cut;
    if (start >= stop)
        start = 0, stop = strlen(s);
    *off = start;
    *len = stop - start;
}

uint32_t sq_short_string(sq_writer *w, uint32_t tool_id)
{
    if (tool_id < w->shortmap_cap && w->shortmap[tool_id])
        return w->shortmap[tool_id];
    uint32_t full = sq_string(w, tool_id);
    if (!full || sq_grow(&w->shortmap, &w->shortmap_cap, tool_id))
        return 0;
    const char *s = wp_strtab_get(w->base.tool.strings, tool_id);
    size_t off, len;
    sq_short_name(s, &off, &len);
    uint32_t id = full;
    if (len != strlen(s)) {
        /* Short names are deduplicated among themselves through a private table. */
        uint32_t sid = wp_strtab_intern(w->shorts, s + off, len);
        if (sid == UINT32_MAX || sq_grow(&w->shortdb, &w->shortdb_cap, sid))
            return 0;
        if (!w->shortdb[sid])
            w->shortdb[sid] = sq_insert_string(w, s + off, len);
        id = w->shortdb[sid];
    }
    return w->shortmap[tool_id] = id;
}

static int sq_flush(wp_writer *base, wp_diag *diag)
{
    sq_writer *w = (sq_writer *)base;
    w->pending = 0;
    if (sq_write_batches(w) || sq_exec_what(w, "COMMIT; BEGIN", "writing (flush)"))
        return wp_diag_error(diag, WP_ERR_IO, "%s", base->error_msg);
    return WP_OK;
}

static void sq_finalize_all(sq_writer *w)
{
    for (int i = 0; i < SQ_STMT_COUNT; i++) {
        sqlite3_finalize(w->stmt[i]);
        w->stmt[i] = NULL;
    }
    for (int i = 0; i < SQ_EVENT_TABLES; i++) {
        sqlite3_finalize(w->multi[i]);
        w->multi[i] = NULL;
    }
}

/* Commits, builds the indexes, checkpoints the WAL into the file and returns to a rollback journal (one file). With
 * diag == NULL (abort, or an earlier error) it still commits what it can so that the partial file is readable. */
static int sq_finish(wp_writer *base, wp_diag *diag)
{
    sq_writer *w = (sq_writer *)base;
    if (!w->db)
        return WP_OK;
    int rc = w->base.error ? WP_ERR_IO : sq_write_batches(w);
    int commit = sq_exec_what(w, "COMMIT", "writing (final commit)");
    if (rc == WP_OK)
        rc = commit;
    if (rc == WP_OK && diag) {
        const char *idx = strstr(wp_sqlite_schema_sql, WP_SQLITE_INDEX_MARKER);
        /* The sorter behind CREATE INDEX may use a second core. */
        if (idx)
            rc = sq_exec(w, "PRAGMA threads=2");
        if (idx && rc == WP_OK)
            rc = sq_exec(w, "BEGIN");
        if (idx && rc == WP_OK)
            rc = sq_exec_what(w, idx, "building the indexes");
        if (idx && rc == WP_OK)
            rc = sq_exec(w, "COMMIT");
        if (rc == WP_OK)
            rc = sq_exec(w, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE");
    }
    sq_finalize_all(w);
    if (sqlite3_close(w->db) != SQLITE_OK && rc == WP_OK)
        rc = sq_fail(w, "close");
    w->db = NULL;
    if (rc != WP_OK)
        return wp_diag_error(diag, WP_ERR_IO, "%s", base->error_msg);
    return WP_OK;
}

static void sq_destroy(wp_writer *base)
{
    sq_writer *w = (sq_writer *)base;
    if (w->db) {
        sq_finalize_all(w);
        sqlite3_close(w->db);
    }
    free(w->strmap);
    free(w->shortmap);
    free(w->shortdb);
    free(w->procs);
    free(w->domains);
    wp_strtab_free(w->shorts);
    free(w);
}

static const wp_writer_ops sq_ops = {sq_flush, sq_finish, sq_destroy};

/* The journal. In place (the collector: a killed process must leave a readable file) WAL, synchronous=NORMAL: every
 * commit is readable after a kill and only an OS crash can lose the last ones. Under a temporary name (renamed into
 * place when complete) an in-memory rollback journal: new pages are appended, so it costs next to nothing, and a failed
 * write (disk full) still rolls back to the last commit, keeping the partial file readable; the page writes are not
 * doubled through a WAL. */
static const char *const sq_pragmas_in_place =
    "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=4096;"
    "PRAGMA cache_size=-65536";
static const char *const sq_pragmas_temp =
    "PRAGMA page_size=16384; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
    "PRAGMA cache_size=-65536";

/* Creates the tables (not the indexes: building them at the end is cheaper) and prepares every INSERT. */
static int sq_setup(sq_writer *w, int in_place, wp_diag *diag)
{
    const char *sql = wp_sqlite_schema_sql;
    const char *idx = strstr(sql, WP_SQLITE_INDEX_MARKER);
    char *tables = strndup(sql, idx ? (size_t)(idx - sql) : strlen(sql));
    if (!tables)
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", w->base.final_path);
    int rc = sq_exec(w, in_place ? sq_pragmas_in_place : sq_pragmas_temp);
    if (rc == WP_OK)
        rc = sq_exec(w, "BEGIN");
    if (rc == WP_OK)
        rc = sq_exec_what(w, tables, "creating the tables");
    free(tables);
    if (rc == WP_OK) {
        char *writer = sqlite3_mprintf("INSERT INTO WANPROF_WRITER (version) VALUES (%Q)", wp_version_text());
        rc = writer ? sq_exec_what(w, writer, "recording the writer's version") : sq_fail(w, "sqlite3_mprintf");
        sqlite3_free(writer);
    }
    /* The empty schema is committed at once: a file cut short later still opens as a (partial) trace. */
    if (rc == WP_OK)
        rc = sq_exec(w, "COMMIT; BEGIN");
    for (int i = 0; rc == WP_OK && i < SQ_STMT_COUNT; i++)
        if (sqlite3_prepare_v3(w->db, sq_insert_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &w->stmt[i], NULL) != SQLITE_OK)
            rc = sq_fail(w, sq_insert_sql[i]);
    if (rc == WP_OK)
        rc = sq_prepare_multi(w);
    if (rc != WP_OK)
        return wp_diag_error(diag, WP_ERR_IO, "%s", w->base.error_msg);
    return WP_OK;
}

wp_writer *wp_sqlite_writer_open(const char *path, const wp_write_opts *opts, wp_diag *diag)
{
    sq_writer *w = calloc(1, sizeof(*w));
    if (!w) {
        wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
        return NULL;
    }
    w->next_string = 1;
    w->shorts = wp_strtab_new();
    if (!w->shorts || wp_writer_init(&w->base, &sq_ops, path, opts, diag) != WP_OK) {
        if (!w->shorts)
            wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
        free(w->base.final_path);
        free(w->base.work_path);
        wp_strtab_free(w->shorts);
        free(w);
        return NULL;
    }
    sq_writer_set_handlers(w);
    /* NOMUTEX: a writer is used by one thread at a time (like a wp_strtab), so SQLite's locks are pure cost.
     * NOFOLLOW: the temporary file was created by us; a symbolic link put in its place is not followed. */
    int in_place = opts && opts->in_place;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | (in_place ? 0 : SQLITE_OPEN_NOFOLLOW);
    if (sqlite3_open_v2(w->base.work_path, &w->db, flags, NULL) != SQLITE_OK) {
        wp_diag_error(diag, WP_ERR_IO, "%s: cannot create: %s", w->base.final_path,
                      w->db ? sqlite3_errmsg(w->db) : "out of memory");
        sqlite3_close(w->db);
        w->db = NULL;
        wp_writer_abort(&w->base);
        return NULL;
    }
    if (sq_setup(w, in_place, diag) != WP_OK) {
        wp_writer_abort(&w->base);
        return NULL;
    }
    return &w->base;
}
