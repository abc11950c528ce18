/* fuzz_sqlite.c: the SQLite reader (our layout and nsys exports) on corrupt files: the fuzzer mutates the bytes of
 * seed databases (fuzz/make_seeds.sh builds small ones with 512-byte pages). Input: one flags byte (as in
 * fuzz_common.h: time order, process base), then the database file. */
#include "fuzz_common.h"

#include <sqlite3.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* A corrupt file must be reported, not hang: SQLite's own limits keep a mutated schema from growing unbounded. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char path[512], side[600];
    fuzz_path(path, sizeof(path), "db", ".sqlite");
    if (fuzz_write_file(path, data + 1, size - 1) == 0)
        fuzz_read(path, data[0]);
    unlink(path);
    /* A read-only open can still leave a -wal/-shm pair behind when the header says WAL. */
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    return 0;
}
