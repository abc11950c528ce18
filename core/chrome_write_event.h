/* chrome_write_event.h: formatting of one Chrome trace element (an event, its flow arrow, the metadata naming its
 * track, or a process / device / metadata / drop record: chrome_write_event.c, _meta.c, _args.c) into ctx->line,
 * each element preceded by ",\n". Kept apart
 * from the file handling in chrome_writer.c. Private to core/. */
#ifndef WP_CHROME_WRITE_EVENT_H
#define WP_CHROME_WRITE_EVENT_H

#include "chrome_tracks.h"
#include "event.h"
#include "json_emit.h"
#include "strtab.h"

typedef struct wp_chrome_proc {
    wp_process proc;
    int64_t chrome_pid; /* unique within the file */
    int known;          /* announced through wp_chrome_process (else a placeholder made for an orphan event) */
    uint64_t dropped;   /* sum of its drop counts, for the trailer */
    wp_jbuf meta;       /* its metadata as "key":value, pairs, for the trailer */
} wp_chrome_proc;

typedef struct wp_chrome_ctx {
    const wp_strtab *strings; /* resolves the ids of the records handed in */
    wp_jbuf line;             /* output of the last call */
    wp_chrome_proc *procs;    /* indexed by wp_process.index */
    uint32_t nprocs;
    wp_device *devs; /* for the Kineto-style deviceProperties trailer (strings resolved into dev_names) */
    char **dev_names;
    uint32_t ndevs;
    wp_tracks tracks;
} wp_chrome_ctx;

void wp_chrome_ctx_free(wp_chrome_ctx *c);
/* Each returns 0, or -1 when out of memory. */
int wp_chrome_process(wp_chrome_ctx *c, const wp_process *proc);
int wp_chrome_device(wp_chrome_ctx *c, const wp_device *dev);
int wp_chrome_meta(wp_chrome_ctx *c, uint32_t proc, const char *key, const char *json_value, int valid_json);
int wp_chrome_dropped(wp_chrome_ctx *c, uint32_t proc, uint64_t records);
int wp_chrome_event(wp_chrome_ctx *c, const wp_event *ev);
/* The table entry of process index idx; a placeholder process (and its metadata, into c->line) is made for an index
 * never announced. NULL when out of memory. */
wp_chrome_proc *wp_chrome_proc_for(wp_chrome_ctx *c, uint32_t idx);
/* Appends the "args" object of ev, written on track track_tid (chrome_write_args.c). */
void wp_chrome_put_args(wp_chrome_ctx *c, const wp_event *ev, uint32_t track_tid);
/* Appends the top-level keys after traceEvents to b: Kineto's deviceProperties and distributedInfo, and a
 * "wanprofRun" summary (processes with their metadata and drop counts) for tools that read the file whole. */
void wp_chrome_trailer(wp_chrome_ctx *c, wp_jbuf *b);

#endif
