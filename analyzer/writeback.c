/* writeback.c: steps and spikes into SQLite (see writeback.h). Table layouts are those of schemas/wanprof.sql. */
#include "writeback.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define WP_WRITEBACK_BUSY_S 10 /* how long to wait for another process's lock on the trace */
#define WP_WRITEBACK_BUSY_MS (WP_WRITEBACK_BUSY_S * 1000)
#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const ddl =
    "CREATE TABLE IF NOT EXISTS WANPROF_STEPS (rank INTEGER NOT NULL, globalPid INTEGER, step INTEGER NOT NULL,"
    " start INTEGER NOT NULL, end INTEGER NOT NULL, duration INTEGER NOT NULL, source TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS WANPROF_SPIKES (rank INTEGER NOT NULL, step INTEGER NOT NULL, cause TEXT NOT NULL,"
    " seconds REAL NOT NULL, evidence TEXT);"
    "DELETE FROM WANPROF_STEPS; DELETE FROM WANPROF_SPIKES;"
    "DROP VIEW IF EXISTS WANPROF_STEP_TIMES; DROP VIEW IF EXISTS WANPROF_SPIKE_CAUSES;"
    "CREATE VIEW WANPROF_STEP_TIMES AS SELECT s.rank, s.step, s.duration / 1e9 AS seconds, s.source,"
    " EXISTS (SELECT 1 FROM WANPROF_SPIKES k WHERE k.rank = s.rank AND k.step = s.step) AS spike"
    " FROM WANPROF_STEPS s ORDER BY s.rank, s.start;"
    "CREATE VIEW WANPROF_SPIKE_CAUSES AS SELECT rank, step, cause, seconds, evidence FROM WANPROF_SPIKES"
    " ORDER BY rank, step, seconds DESC;";

static int fail(sqlite3 *db, const char *path, wp_diag *diag)
{
    int busy = db && (sqlite3_errcode(db) == SQLITE_BUSY || sqlite3_errcode(db) == SQLITE_LOCKED);
    int rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot write steps back: %s%s", path,
                           db ? sqlite3_errmsg(db) : "out of memory",
                           busy ? " (another process kept it locked for " STR(WP_WRITEBACK_BUSY_S) " s)" : "");
    if (db) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(db);
    }
    return rc;
}

static void evidence_json(const wp_cause *c, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "{");
    for (int i = 0; i < c->nev && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s\"%s\":%.9g", i ? "," : "", c->ev[i].key, c->ev[i].value);
    if (used < len)
        snprintf(buf + used, len - used, "}");
}

static int insert_rank(sqlite3 *db, sqlite3_stmt *st, sqlite3_stmt *sp, const wp_rank_result *rr)
{
    for (int i = 0; i < rr->steps.count; i++) {
        const wp_step *s = &rr->steps.steps[i];
        sqlite3_reset(st);
        sqlite3_bind_int(st, 1, rr->rank);
        sqlite3_bind_null(st, 2);
        sqlite3_bind_int64(st, 3, s->number);
        sqlite3_bind_int64(st, 4, s->start);
        sqlite3_bind_int64(st, 5, s->end);
        sqlite3_bind_int64(st, 6, s->end - s->start);
        sqlite3_bind_text(st, 7, wp_step_source_name(rr->steps.source), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            return -1;
    }
    for (int k = 0; k < rr->nspikes; k++) {
        const wp_spike *s = &rr->spikes[k];
        for (int c = 0; c <= s->ncauses; c++) {
            char ev[512] = "{}";
            if (c < s->ncauses)
                evidence_json(&s->causes[c], ev, sizeof(ev));
            sqlite3_reset(sp);
            sqlite3_bind_int(sp, 1, rr->rank);
            sqlite3_bind_int64(sp, 2, s->number);
            sqlite3_bind_text(sp, 3, c < s->ncauses ? s->causes[c].id : "unexplained", -1, SQLITE_STATIC);
            sqlite3_bind_double(sp, 4, c < s->ncauses ? s->causes[c].seconds : s->unexplained);
            sqlite3_bind_text(sp, 5, ev, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(sp) != SQLITE_DONE)
                return -1;
        }
    }
    (void)db;
    return 0;
}

int wp_writeback_check(const char *path, wp_diag *diag)
{
    FILE *f = fopen(path, "rb");
    char magic[16] = {0};
    int is_sqlite = f && fread(magic, 1, 16, f) == 16 && memcmp(magic, "SQLite format 3", 16) == 0;
    if (f)
        fclose(f);
    if (!is_sqlite)
        return wp_diag_error(diag, WP_ERR_FORMAT, "%s: --write-back needs a SQLite trace (this is not one)", path);
    return WP_OK;
}

/* Opens path for writing with the trace's own code switched off: a trace is data from anywhere, and its triggers,
 * or functions its schema calls, must not run when wanprof writes into it (a trigger could delete the trace).
 * TRUSTED_SCHEMA off is PRAGMA trusted_schema=OFF; DEFENSIVE forbids writing the schema or the file's pages directly.
 * A busy timeout lets another reader or writer of the file finish first. */
static int open_defensive(const char *path, sqlite3 **db)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return -1;
    int off = 0, on = 1;
    if (sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &off) != SQLITE_OK || off != 0 ||
        sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || on != 1 ||
        sqlite3_db_config(*db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &off) != SQLITE_OK || off != 0)
        return -1;
    return sqlite3_busy_timeout(*db, WP_WRITEBACK_BUSY_MS) == SQLITE_OK ? 0 : -1;
}

int wp_writeback_sqlite(const char *path, const wp_explain *e, wp_diag *diag)
{
    int rc = wp_writeback_check(path, diag);
    if (rc != WP_OK)
        return rc;
    sqlite3 *db = NULL;
    if (open_defensive(path, &db) != 0)
        return fail(db, path, diag);
    /* IMMEDIATE: take the write lock now (waiting up to the busy timeout), not half-way through the writes. */
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, ddl, NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, path, diag);
    sqlite3_stmt *st = NULL, *sp = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO WANPROF_STEPS (rank, globalPid, step, start, end, duration, source) "
                               "VALUES (?,?,?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO WANPROF_SPIKES (rank, step, cause, seconds, evidence) VALUES (?,?,?,?,?)",
                           -1, &sp, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return fail(db, path, diag);
    }
    for (int i = 0; i < e->nranks; i++)
        if (insert_rank(db, st, sp, &e->ranks[i]) != 0) {
            sqlite3_finalize(st);
            sqlite3_finalize(sp);
            return fail(db, path, diag);
        }
    sqlite3_finalize(st);
    sqlite3_finalize(sp);
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, path, diag);
    sqlite3_close(db);
    return WP_OK;
}
