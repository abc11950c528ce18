/* run_priv.h: the parts of `wanprof run` (cmd_run.c: options and the sequence; run_launch.c: collector lookup, environment,
 * the child process and its signals; run_merge.c: per-process outputs -> one SQLite + one .json.gz, capture range;
 * run_summary.c: the summary, text and --json). Private to the CLI. */
#ifndef WP_RUN_PRIV_H
#define WP_RUN_PRIV_H

#include <stdint.h>
#include <stdio.h>

#include "../core/diag.h"
#include "../core/event.h"

typedef struct run_opts {
    const char *output_template; /* -o NAME (placeholders allowed) */
    const char *trace;           /* --trace list, NULL = collector default */
    const char *capture_range;   /* NAME of --capture-range=nvtx:NAME, NULL = everything */
    const char *flush_interval;  /* seconds, as given */
    int force, json, keep_per_process;
    int gpus;       /* --gpus N for the built-in runner; 0 = every visible GPU */
    char **command; /* NULL-terminated */
    char name[4096];        /* expanded output name without extension */
    char sqlite_path[4200]; /* NAME.sqlite */
    char chrome_path[4200]; /* NAME.json.gz */
    char parts_dir[4200];   /* NAME.wanprof-parts: one SQLite per process, written by the collector */
} run_opts;

typedef struct run_summary {
    uint64_t events[WP_EV_KIND_COUNT];
    uint64_t copy_count[16][8][8]; /* [copy kind][src mem kind][dst mem kind] */
    uint64_t copy_bytes[16][8][8];
    uint64_t memset_bytes;
    uint64_t dropped;
    uint64_t outside_range; /* events left out by --capture-range */
    uint64_t truncated_inputs;
    uint32_t processes;
    int parts;
    int exit_status;
    double wall_s;
} run_summary;

/* run_launch.c */
/* Finds libwanprof_collector.so: $WANPROF_COLLECTOR, then <dir of wanprof>/../lib, then the build tree. Returns buf
 * or NULL when there is none. */
const char *run_find_collector(char *buf, size_t n);
/* wanprof-runner: $WANPROF_RUNNER, else next to this executable; NULL when not found. */
const char *run_find_runner(char *buf, size_t n);
/* GPUs a child would see: CUDA_VISIBLE_DEVICES' entries when set, else the driver's /proc/driver/nvidia/gpus. */
int run_visible_gpus(void);
/* Sets the environment the child (and its children) inherit: the WANPROF_* configuration, and when collector is not
 * NULL, the collector and NVTX injection paths. Returns -1 when the environment cannot be set. */
int run_set_environment(const run_opts *o, const char *collector);
/* Runs the command (execvp, no shell), forwarding SIGINT/SIGTERM/SIGHUP sent to wanprof, and waits; the command
 * gets SIGTERM if wanprof dies (PR_SET_PDEATHSIG). stdout_to_stderr: the command's standard output goes to wanprof's
 * standard error (--json keeps stdout for the JSON). Returns the exit status to pass on: the child's, 128+N for a
 * death by signal N, 127 (126) when it cannot be started. */
int run_command(char **command, int stdout_to_stderr);

/* run_merge.c: merges the per-process files of o->parts_dir into o->sqlite_path and o->chrome_path. Returns WP_OK,
 * WP_ERR_STOPPED when there was nothing to merge (no process initialised CUDA), or another wp_err with diag set. */
int run_merge(const run_opts *o, run_summary *sum, wp_diag *diag);

/* run_summary.c */
void run_summary_print(const run_opts *o, const run_summary *sum, FILE *out);
void run_summary_json(const run_opts *o, const run_summary *sum, FILE *out);

#endif
