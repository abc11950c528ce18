/* fuzz_sqlite_sql.c: the SQLite reader on schema-mismatched and odd-valued databases, structure-aware: the input is
 * SQL that is run against a copy of a valid seed database (ours or an nsys export) before the read, so the fuzzer
 * drops tables and columns, retypes them, stores NULLs, text, blobs and huge or negative numbers where the reader
 * expects integers, and breaks string-id references, all while the file itself stays a well-formed database.
 * Input: flags byte (fuzz_common.h; bit 7 picks the nsys seed), then SQL text. The seeds are read at start-up from
 * WP_FUZZ_SQLITE_OURS and WP_FUZZ_SQLITE_NSYS (fuzz/make_seeds.sh writes them; the defaults are its output paths). */
#include "fuzz_common.h"

#include <sqlite3.h>
#include <strings.h>

#ifndef WP_FUZZ_SEED_DIR
#define WP_FUZZ_SEED_DIR "."
#endif

static struct {
    unsigned char *data;
    size_t len;
} bases[2];

static void load_base(int i, const char *env, const char *fallback)
{
    const char *path = getenv(env);
    if (!path)
        path = fallback;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_sqlite_sql: cannot open seed database %s (run fuzz/make_seeds.sh or set %s)\n", path,
                env);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    bases[i].data = malloc((size_t)n);
    bases[i].len = fread(bases[i].data, 1, (size_t)n, f);
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    load_base(0, "WP_FUZZ_SQLITE_OURS", WP_FUZZ_SEED_DIR "/base/ours.sqlite");
    load_base(1, "WP_FUZZ_SQLITE_NSYS", WP_FUZZ_SEED_DIR "/base/nsys.sqlite");
    return 0;
}

/* Nothing outside the scratch database: no ATTACH (new files), no extensions. */
static int authorize(void *ctx, int action, const char *a, const char *b, const char *c, const char *d)
{
    (void)ctx, (void)a, (void)b, (void)c, (void)d;
    return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

static int progress(void *ctx)
{
    return ++*(int *)ctx > 2000; /* 2000 * 1000 VM steps: bounds recursive CTEs that insert without end */
}

/* Runs the fuzzer's SQL on the database at path; errors in the SQL are expected and ignored. */
static void mutate(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        int ticks = 0;
        sqlite3_set_authorizer(db, authorize, NULL);
        sqlite3_progress_handler(db, 1000, progress, &ticks);
        sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *sql = malloc(size);
    memcpy(sql, data + 1, size - 1);
    sql[size - 1] = '\0';
    /* VACUUM INTO writes a new file wherever it is told. */
    for (char *p = sql; *p; p++)
        if (strncasecmp(p, "vacuum", 6) == 0) {
            free(sql);
            return 0;
        }
    char path[512], side[600];
    fuzz_path(path, sizeof(path), "sql", ".sqlite");
    int which = data[0] >> 7;
    if (fuzz_write_file(path, bases[which].data, bases[which].len) == 0) {
        mutate(path, sql);
        fuzz_read(path, data[0]);
    }
    free(sql);
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-journal", path);
    unlink(side);
    return 0;
}
