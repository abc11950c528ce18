/* sqlite_writer_impl.h: the SQLite writer's state, shared by sqlite_writer.c (file, transactions, strings) and
 * sqlite_writer_rows.c (one INSERT per event kind). Private to core/. */
#ifndef WP_SQLITE_WRITER_IMPL_H
#define WP_SQLITE_WRITER_IMPL_H

#include "strtab.h"
#include "writer_impl.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum sq_stmt_id {
    SQ_STRING,
    SQ_KERNEL,
    SQ_MEMCPY,
    SQ_MEMSET,
    SQ_SYNC,
    SQ_MEMORY,
    SQ_API,
    SQ_NVTX,
    SQ_OVERHEAD,
    SQ_PROCESS,
    SQ_GPU,
    SQ_CUDA_DEVICE,
    SQ_META,
    SQ_DROPPED,
    SQ_STMT_COUNT
};

/* The INSERT text of each statement, indexed by sq_stmt_id (sqlite_writer_rows.c). */
extern const char *const sq_insert_sql[SQ_STMT_COUNT];

typedef struct sq_proc {
    int64_t gpid; /* globalPid of the process */
    int known;    /* its WANPROF_PROCESSES row is written */
} sq_proc;

typedef struct sq_domain {
    uint32_t proc;
    uint32_t db_id; /* StringIds id of the domain name, also its domainId */
} sq_domain;

#define SQ_EVENT_TABLES 8 /* one per event kind, WP_EV_KERNEL .. WP_EV_OVERHEAD */
#define SQ_ROWS 32        /* rows per multi-row INSERT */

/* Events waiting for their table's multi-row INSERT. */
typedef struct sq_batch {
    wp_event ev[SQ_ROWS];
    int64_t gpid[SQ_ROWS];
    int n;
} sq_batch;

typedef struct sq_writer {
    wp_writer base; /* first: a handler's wp_tool * is the writer */
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_STMT_COUNT];
    sqlite3_stmt *multi[SQ_EVENT_TABLES]; /* SQ_ROWS-row INSERT per event table */
    int cols[SQ_EVENT_TABLES];            /* parameters per row of each */
    sq_batch batch[SQ_EVENT_TABLES];
    uint32_t *strmap; /* tool string id -> StringIds id (0: not written yet) */
    size_t strmap_cap;
    uint32_t *shortmap; /* tool string id -> StringIds id of its kernel short name */
    size_t shortmap_cap;
    wp_strtab *shorts; /* short names, deduplicated */
    uint32_t *shortdb; /* shorts id -> StringIds id */
    size_t shortdb_cap;
    uint32_t next_string;
    sq_proc *procs; /* indexed by wp_process.index */
    size_t procs_cap;
    sq_domain *domains; /* (process, domain) pairs whose NvtxDomainCreate row is written */
    size_t ndomains, domains_cap;
    uint64_t pending; /* rows since the last commit */
} sq_writer;

/* Steps and resets st, committing every batch; WP_ERR_IO (and the writer's error set) on failure. */
int sq_step(sq_writer *w, sqlite3_stmt *st, const char *what);
int sq_step_rows(sq_writer *w, sqlite3_stmt *st, const char *what, int rows);
/* Prepares the multi-row INSERTs (after the single-row ones); writes every batched event (before a commit). */
int sq_prepare_multi(sq_writer *w);
int sq_write_batches(sq_writer *w);
/* StringIds id for a tool string id (writing the row on first use); 0 after a failure. */
uint32_t sq_string(sq_writer *w, uint32_t tool_id);
/* StringIds id of a kernel name's nsys "shortName"; 0 after a failure. */
uint32_t sq_short_string(sq_writer *w, uint32_t tool_id);
/* Fills the tool's handlers (sqlite_writer_rows.c). */
void sq_writer_set_handlers(sq_writer *w);

#endif
