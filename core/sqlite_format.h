/* sqlite_format.h: what the SQLite writer and reader share: the embedded schema (schemas/wanprof.sql), its version, the
 * nsys identity packing, and format detection for trace_read.c. */
#ifndef WP_SQLITE_FORMAT_H
#define WP_SQLITE_FORMAT_H

#include <stdint.h>

/* How long a read waits for another process's lock on the file (a writer committing) before giving up, in ms: a
 * trace being written by a running profiler is read once the writer lets go, not refused at once. */
#define WP_SQLITE_READ_BUSY_MS 10000

/* The schema version this build writes and the newest it reads (PRAGMA user_version of schemas/wanprof.sql). */
#define WP_SQLITE_SCHEMA_VERSION 1

/* schemas/wanprof.sql, NUL-terminated (generated at build time by core/sqlite_schema_embed.cmake). The part after the
 * line starting with WP_SQLITE_INDEX_MARKER creates the indexes; the writer runs it when it finishes. */
extern const char wp_sqlite_schema_sql[];
#define WP_SQLITE_INDEX_MARKER "-- @indexes"

/* nsys identities: globalTid = globalPid + tid (24 bits), globalPid = (hi << 48) + (pid << 24) with pid 24 bits.
 * wanprof puts the process index in hi (nsys: VM / hardware id). */
#define WP_GTID_TID_MASK 0xffffffLL
static inline int64_t wp_sqlite_global_pid(uint32_t proc_index, int64_t pid)
{
    return (int64_t)(((uint64_t)(proc_index & 0x7fff) << 48) | ((uint64_t)(pid & 0xffffff) << 24));
}
static inline int64_t wp_sqlite_gpid_of_gtid(int64_t global_tid)
{
    return global_tid & ~WP_GTID_TID_MASK;
}

/* nsys enumeration values wanprof writes or reads. */
enum {
    WP_NSYS_CLASS_CUDA_RUNTIME = 0,
    WP_NSYS_CLASS_CUDA_DRIVER = 1,
    WP_NSYS_CLASS_CUDA_EGL_DRIVER = 13,
    WP_NSYS_CLASS_CUDA_BACKTRACE = 67, /* call stacks of an API call already listed: not a call of its own */
    WP_NSYS_NVTX_MARK = 34,
    WP_NSYS_NVTX_PUSH_POP = 59,
    WP_NSYS_NVTX_START_END = 60,
    WP_NSYS_NVTX_DOMAIN_CREATE = 75,
};

/* Tells the SQLite formats apart from the file's bytes and tables: WP_FMT_SQLITE (has WANPROF_META),
 * WP_FMT_NSYS_SQLITE (an nsys export: StringIds, CUPTI_ACTIVITY_KIND_*, NVTX_EVENTS or TARGET_INFO_GPU), or
 * WP_FMT_UNKNOWN (not SQLite, unreadable, or neither). Returns a wp_format value (trace_read.h); never fails loudly. */
int wp_sqlite_probe(const char *path);
/* Why a file with the SQLite magic is not a readable trace, in the reader's words (truncated, a hot journal,
 * corrupt, neither wanprof's nor nsys's tables): WP_OK when it is one, else the error with diag set. */
struct wp_diag;
int wp_sqlite_check(const char *path, struct wp_diag *diag);

#endif
