/* sqlite_reader_impl.h: the SQLite reader's state, shared by sqlite_reader.c (opening, checks, processes, devices,
 * metadata) and sqlite_tables.c (the event tables: columns, row decoding, time-ordered merge). Private to core/. */
#ifndef WP_SQLITE_READER_IMPL_H
#define WP_SQLITE_READER_IMPL_H

#include "trace_read.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sq_rproc {
    int64_t gpid;   /* globalPid */
    uint32_t index; /* process index delivered to the tool */
    int64_t pid;
} sq_rproc;

typedef struct sq_rdomain {
    int64_t gpid;
    int64_t domain_id; /* NVTX_EVENTS.domainId */
    uint32_t name;     /* our string id */
} sq_rdomain;

typedef struct sq_reader {
    const char *path;
    sqlite3 *db;
    int nsys; /* 1: an nsys export (tables and columns may be missing), 0: ours (all required) */
    wp_strtab *strings;
    wp_tool *tool;
    wp_diag *diag;
    wp_read_stats *stats;
    const wp_read_opts *opts;
    uint32_t *strmap; /* dense StringIds id -> our id (UINT32_MAX: absent) ... */
    size_t strmap_n;
    int64_t *sparse_ids; /* ... or, when ids are sparse, sorted ids with their our-ids */
    uint32_t *sparse_vals;
    size_t nsparse;
    int warned_string;
    sq_rproc *procs; /* sorted by gpid */
    size_t nprocs, procs_cap;
    uint32_t next_index;
    size_t last_proc; /* lookup cache */
    sq_rdomain *domains;
    size_t ndomains;
    uint64_t backwards; /* rows skipped because they end before they start */
} sq_reader;

/* Fails the read with WP_ERR_FORMAT (or the class of the SQLite error) and a message naming the file. */
int sq_rfail(sq_reader *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The wp_err for a failed SQLite call, with the message "PATH: what: sqlite's message". */
int sq_rsqlite(sq_reader *r, const char *what);
int sq_table_exists(sq_reader *r, const char *table);
/* 1 when table has column; 0 when not; sets *decl to its declared type (owned by a static buffer, may be ""). */
int sq_column_type(sq_reader *r, const char *table, const char *column, char *decl, size_t decl_size);
/* Our string id for a StringIds id (0 for an unknown id, with one warning per read). */
uint32_t sq_rstring(sq_reader *r, int64_t db_id);
/* Process index for a globalPid, announcing a process the file did not list. UINT32_MAX when the tool stops. */
uint32_t sq_rproc_index(sq_reader *r, int64_t gpid, int *stop);
/* Our string id of the name of an NVTX domain of a process; 0 for the default or an unnamed domain. */
uint32_t sq_rdomain_name(sq_reader *r, int64_t gpid, int64_t domain_id);

/* Devices are gathered first, then announced right after their process (sqlite_procs.c). */
typedef struct sq_rdev {
    wp_device dev;
    int64_t key; /* ours: the globalPid of its process; nsys: the OS pid, or -1 for every process */
} sq_rdev;

typedef struct sq_devlist {
    sq_rdev *devs;
    size_t n, cap;
} sq_devlist;

int sq_read_devices(sq_reader *r, sq_devlist *devs);
/* Announces every process (ours: WANPROF_PROCESSES; nsys: the globalPids the event tables use), each followed by
 * its devices. */
int sq_read_processes(sq_reader *r, const sq_devlist *devs);

/* Checks every event table's columns (ours: all must be there with the right types) and streams the events into the
 * tool, time-ordered when opts->time_ordered (sqlite_tables.c). */
int sq_check_tables(sq_reader *r);
int sq_read_events(sq_reader *r);
/* The globalPids the event tables of an nsys export refer to, as "SELECT g ..." text (caller frees). */
char *sq_gpid_union_sql(sq_reader *r);

#endif
