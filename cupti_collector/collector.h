/* collector.h: the CUPTI collector's private interface. All state lives in one struct (wpc); the files split its work:
 *   inject.c    InitializeInjection (the only exported symbol), configuration, atexit and fork handling
 *   buffers.c   the two CUPTI buffer callbacks and the queue of completed buffers
 *   convert.c   CUPTI activity records -> wp_event
 *   nvtx.c      NVTX (CUPTI MARKER + MARKER_DATA records) -> ranges with payloads; NVTX_INJECTION64_PATH
 *   flush.c     the writer thread: periodic flush, final flush, output close
 *   signals.c   SIGINT/SIGTERM: flush, then chain to the application's handler or default action
 * and ../capture/ (shared with `wanprof run` and the runner): output-name placeholders, the rank, the --trace words.
 *
 * Environment (set by `wanprof run`, or by hand with CUDA_INJECTION64_PATH=.../libwanprof_collector.so):
 *   WANPROF_OUTPUT          per-process output, placeholders allowed (default wanprof-%h-%p.sqlite); SQLite, written
 *                           in place and committed at every flush
 *   WANPROF_TRACE           what to record, comma-separated (default cuda,nvtx,memory,sync,overhead,modules):
 *                             cuda = gpu + api; gpu = kernels, memcpy (incl. peer to peer), memset;
 *                             api = CUDA runtime API; driver = every CUDA driver API call (direct launches: Triton);
 *                             modules = driver module/library loads and JIT links only (evidence of recompilation);
 *                             nvtx = NVTX ranges and marks with payloads; memory = allocations and frees;
 *                             sync = host synchronisation; overhead = CUPTI/driver overhead; all = everything
 *   WANPROF_FLUSH_INTERVAL  seconds between flushes to disk (default 1; 0 = only at exit and on SIGINT/SIGTERM)
 *   WANPROF_BUFFER_SIZE     bytes per CUPTI activity buffer (default 8 MiB); at most 64 buffers wait for the writer,
 *                           beyond that CUPTI drops records and they are counted
 *   WANPROF_CAPTURE_RANGE   recorded in the output's metadata; `wanprof run` applies it when merging
 *   WANPROF_QUIET           1: no "wanprof: recording to ..." line at start (warnings are still printed)
 *   WANPROF_DISCARD         1: benchmarking aid: CUPTI records as usual but buffers are freed unread (measures CUPTI's
 *                           own cost apart from the writer's); the output then holds only its header */
#ifndef WP_COLLECTOR_H
#define WP_COLLECTOR_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/trace_write.h"
#include "trace_words.h"

#define WPC_MAX_QUEUED 64

typedef struct wpc_buffer {
    uint8_t *data;
    size_t valid; /* bytes of records */
    struct wpc_buffer *next;
} wpc_buffer;

typedef struct wpc_config {
    char output[4096];     /* expanded per-process path */
    unsigned trace;        /* WP_TRACE_* */
    char trace_text[256];
    double flush_interval; /* seconds; 0 = no periodic flush */
    size_t buffer_bytes;
    char capture_range[256];
    int quiet;
    int discard; /* WANPROF_DISCARD */
} wpc_config;

typedef struct wpc_range_slot wpc_range_slot; /* nvtx.c: open NVTX ranges by marker id */

typedef struct wpc_state {
    int initialized; /* InitializeInjection ran (successfully or not): later calls return at once */
    int active;      /* recording in this process (cleared in a forked child and after the final close) */
    pid_t pid;       /* process that owns the output; a forked child has another pid and touches nothing */
    wpc_config cfg;

    /* Completed CUPTI buffers waiting for the writer thread (lock). */
    pthread_mutex_t lock;
    wpc_buffer *queue_head, *queue_tail;
    int queued;          /* buffers handed out to CUPTI or waiting in the queue */
    uint64_t buffers_refused; /* requests refused because the writer fell behind */

    /* Writer thread and its wake-up pipe (written by callbacks and signal handlers, read by the thread). */
    pthread_t writer;
    int writer_running;
    int wake_fd[2];
    int done_fd[2];               /* the writer acknowledges a flush requested by a signal handler */
    volatile int stop_requested;  /* atexit: final flush, then close */
    volatile int signal_flush;    /* a signal handler waits for a full flush */

    /* Output (touched only by the writer thread, or by the exiting thread once the writer is gone: out_lock). */
    pthread_mutex_t out_lock;
    wp_writer *out;
    wp_tool *tool;
    wp_strtab *strings;
    uint64_t events;
    uint64_t dropped;         /* records CUPTI reported dropped */
    uint64_t dropped_written; /* part of dropped already handed to tool->dropped */

    /* Conversion caches (writer thread). */
    uint32_t *demangled;      /* mangled-name string id -> demangled-name string id (0 = not yet) */
    uint32_t demangled_cap;
    char *(*demangle)(const char *, char *, size_t *, int *); /* __cxa_demangle when the process has it */
    uint32_t api_names[2][4096];
    uint32_t memcpy_labels[16][8][8];

    /* NVTX pairing (nvtx.c). */
    wpc_range_slot **ranges;
    uint64_t ranges_unmatched;
} wpc_state;

extern wpc_state wpc;

/* buffers.c */
void wpc_buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records);
void wpc_buffer_completed(void *ctx, uint32_t stream, uint8_t *buffer, size_t size, size_t valid);
/* Takes the whole queue (NULL when empty); the caller owns the list. */
wpc_buffer *wpc_queue_take(void);
void wpc_buffer_release(wpc_buffer *b);

/* convert.c: converts every record of the buffer and writes the events; returns the number of events. */
uint64_t wpc_convert_buffer(const uint8_t *data, size_t valid);
/* Writes the process, its metadata and the collector's configuration (once, right after the output opens). */
int wpc_write_header(void);
/* Writes dropped records counted since the last call. */
void wpc_write_dropped(void);

/* nvtx.c */
int wpc_nvtx_init(void);
/* Handles one CUPTI MARKER / MARKER_DATA record (as const void *, types stay in nvtx.c). */
void wpc_nvtx_marker(const void *record);
void wpc_nvtx_marker_data(const void *record);
/* Emits a held instant mark (called at the end of each buffer). */
void wpc_nvtx_flush_pending(void);
/* Makes NVTX calls of this process reach CUPTI when nobody configured NVTX_INJECTION64_PATH. */
void wpc_nvtx_set_injection(void);
/* Ranges started but not (yet) ended: at exit these are not written, only counted. */
uint64_t wpc_nvtx_open_ranges(void);
void wpc_nvtx_free(void);

/* flush.c */
int wpc_writer_start(void);
/* Wakes the writer thread (async-signal-safe). */
void wpc_writer_wake(void);
/* Flushes everything CUPTI holds and closes the output; bounded wait; safe to call twice. */
void wpc_writer_finish(void);
/* Converts and writes whatever is queued, then commits the output (out_lock held by the caller). */
void wpc_drain_and_commit(void);

/* signals.c */
void wpc_signals_install(void);

/* One warning line on stderr ("wanprof collector (pid N): ..."). */
void wpc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
