/* cmd_info.c: `wanprof info TRACE...`: what a trace holds (processes/ranks, devices, events by kind, time span,
 * dropped records), read through the same readers every analysis uses. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "json_out.h"
#include "machine_file.h"
#include "safe_text.h"
#include "trace_read.h"

const char cmd_info_help[] =
    "NAME\n"
    "    wanprof info - what a trace holds\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads each TRACE (wanprof SQLite, an nsys SQLite export, or a Chrome/Kineto trace .json or .json.gz; the\n"
    "    format is detected from the file's contents) and prints its format and size, its processes (ranks) and\n"
    "    devices, the number of events of each kind, the time span they cover, the records the profiler reported\n"
    "    as dropped, and whether the file was truncated (the events before the cut are still counted).\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof info run.sqlite\n"
    "    wanprof info examples/runner_offload/model_pageable_shift3.sqlite\n"
    "    wanprof info --json rank0.json.gz rank1.json.gz\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success; 1 a TRACE is missing, unreadable or malformed (the message names it); 2 usage error.\n";

typedef struct info_tool {
    wp_tool tool;
    uint64_t by_kind[WP_EV_KIND_COUNT];
    uint64_t dropped;
    int64_t first, last;
    wp_process *procs; /* every process and device the reader delivered, in its order (grown as they come) */
    uint32_t nprocs, procs_cap;
    wp_device *devices;
    uint32_t ndevices, devices_cap;
    int out_of_memory; /* a list could not grow: the read was stopped */
    int machine;       /* a process carries the metadata "machine" (wanprof calibrate's facts) */
} info_tool;

/* Makes room for one more element of size elem in *items (count used of *cap); returns 0, or -1 out of memory. */
static int grow(void **items, uint32_t count, uint32_t *cap, size_t elem)
{
    if (count < *cap)
        return 0;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    void *n = ncap > *cap ? realloc(*items, (size_t)ncap * elem) : NULL;
    if (!n)
        return -1;
    *items = n;
    *cap = ncap;
    return 0;
}

static int info_event(wp_tool *tool, const wp_event *ev)
{
    info_tool *t = (info_tool *)tool;
    if (ev->kind < WP_EV_KIND_COUNT)
        t->by_kind[ev->kind]++;
    if (ev->start < t->first)
        t->first = ev->start;
    if (ev->end > t->last)
        t->last = ev->end;
    return 0;
}

static int info_process(wp_tool *tool, const wp_process *p)
{
    info_tool *t = (info_tool *)tool;
    if (grow((void **)&t->procs, t->nprocs, &t->procs_cap, sizeof(*p)) != 0)
        return t->out_of_memory = WP_ERR_NOMEM; /* stops the reader; info_one names the cause */
    t->procs[t->nprocs++] = *p;
    return 0;
}

static int info_device(wp_tool *tool, const wp_device *d)
{
    info_tool *t = (info_tool *)tool;
    if (grow((void **)&t->devices, t->ndevices, &t->devices_cap, sizeof(*d)) != 0)
        return t->out_of_memory = WP_ERR_NOMEM;
    t->devices[t->ndevices++] = *d;
    return 0;
}

static int info_dropped(wp_tool *tool, uint32_t proc, uint64_t records)
{
    (void)proc;
    ((info_tool *)tool)->dropped += records;
    return 0;
}

static int info_meta(wp_tool *tool, uint32_t proc, const char *key, const char *json_value)
{
    (void)proc;
    (void)json_value;
    if (strcmp(key, WP_MACHINE_META_KEY) == 0)
        ((info_tool *)tool)->machine = 1;
    return 0;
}

static void info_init(info_tool *t)
{
    memset(t, 0, sizeof(*t));
    t->tool.any = info_event;
    t->tool.process = info_process;
    t->tool.device = info_device;
    t->tool.dropped = info_dropped;
    t->tool.meta = info_meta;
    t->first = INT64_MAX;
    t->last = INT64_MIN;
}

static uint64_t total_events(const info_tool *t)
{
    uint64_t n = 0;
    for (int k = 0; k < WP_EV_KIND_COUNT; k++)
        n += t->by_kind[k];
    return n;
}

/* "  span:      S.UUUUUU s (FIRST .. LAST ns)": last - first in 64 unsigned bits (timestamps from a trace can be
 * anywhere in int64, and their difference needs all 64), rounded to the microsecond from the integer (a double holds
 * only about 16 digits). 0 when no event ends after the first start. */
static void print_span(const info_tool *t)
{
    uint64_t ns = t->last > t->first ? (uint64_t)t->last - (uint64_t)t->first : 0;
    uint64_t us = ns / 1000 + (ns % 1000 >= 500);
    printf("  span:      %" PRIu64 ".%06" PRIu64 " s (%" PRId64 " .. %" PRId64 " ns)\n", us / 1000000, us % 1000000,
           t->first, t->last);
}

static void print_text(const char *path, wp_format fmt, long long size, const info_tool *t, const wp_strtab *s,
                       const wp_read_stats *st)
{
    wp_text_put(stdout, path);
    if (size >= 0)
        printf("\n  format:    %s, %lld bytes\n", wp_format_name(fmt), size);
    else /* a pipe: no size on disk; what it held, uncompressed */
        printf("\n  format:    %s, read from a pipe (%llu bytes of content)\n", wp_format_name(fmt),
               (unsigned long long)st->bytes_read);
    printf("  processes: %u\n", t->nprocs);
    for (uint32_t i = 0; i < t->nprocs; i++) {
        const wp_process *p = &t->procs[i];
        char rank[16] = "unknown";
        if (p->rank >= 0)
            snprintf(rank, sizeof(rank), "%d", p->rank);
        printf("    [%u] pid %" PRId64 ", rank %s, host ", p->index, p->pid, rank);
        wp_text_put(stdout, p->host ? wp_strtab_get(s, p->host) : "unknown");
        if (p->label) {
            fputs(", ", stdout);
            wp_text_put(stdout, wp_strtab_get(s, p->label));
        }
        putchar('\n');
    }
    printf("  devices:   %u\n", t->ndevices);
    for (uint32_t i = 0; i < t->ndevices; i++) {
        const wp_device *d = &t->devices[i];
        printf("    process %u, GPU %u: ", d->proc, d->id);
        wp_text_put(stdout, wp_strtab_get(s, d->name));
        printf(", sm_%d%d, %d SMs, %.1f GiB\n", d->cc_major, d->cc_minor, d->sm_count,
               (double)d->total_memory / (1024.0 * 1024 * 1024));
    }
    printf("  events:    %" PRIu64 "\n", total_events(t));
    for (int k = 1; k < WP_EV_KIND_COUNT; k++)
        if (t->by_kind[k])
            printf("    %-9s %12" PRIu64 "\n", wp_event_kind_name((uint32_t)k), t->by_kind[k]);
    if (total_events(t))
        print_span(t);
    printf("  dropped:   %" PRIu64 " records reported dropped by the profiler\n", t->dropped);
    if (t->machine)
        printf("  machine:   carries the facts `wanprof calibrate` measured (metadata \"machine\")\n");
    if (st->skipped)
        printf("  skipped:   %" PRIu64 " records not understood\n", st->skipped);
    if (st->truncated)
        printf("  truncated: yes, %" PRIu64 " bytes after the last complete event were lost\n", st->bytes_lost);
}

/* Stable ids for --json (wp_format_name is for people). */
static const char *format_id(wp_format fmt)
{
    switch (fmt) {
    case WP_FMT_SQLITE: return "wanprof-sqlite";
    case WP_FMT_NSYS_SQLITE: return "nsys-sqlite";
    case WP_FMT_JSON: return "json";
    case WP_FMT_JSON_GZ: return "json.gz";
    default: return "unknown";
    }
}

static void print_json(json_out *j, const char *path, wp_format fmt, long long size, const info_tool *t,
                       const wp_strtab *s, const wp_read_stats *st)
{
    json_begin_object(j);
    json_key_string(j, "path", path);
    json_key_string(j, "format", format_id(fmt));
    json_key_int(j, "size_bytes", size);
    json_key(j, "processes");
    json_begin_array(j);
    for (uint32_t i = 0; i < t->nprocs; i++) {
        const wp_process *p = &t->procs[i];
        json_begin_object(j);
        json_key_int(j, "index", p->index);
        json_key_int(j, "pid", p->pid);
        json_key_int(j, "rank", p->rank);
        json_key_string(j, "host", wp_strtab_get(s, p->host));
        json_key_string(j, "label", wp_strtab_get(s, p->label));
        json_end_object(j);
    }
    json_end_array(j);
    json_key(j, "devices");
    json_begin_array(j);
    for (uint32_t i = 0; i < t->ndevices; i++) {
        const wp_device *d = &t->devices[i];
        json_begin_object(j);
        json_key_int(j, "process", d->proc);
        json_key_int(j, "id", d->id);
        json_key_string(j, "name", wp_strtab_get(s, d->name));
        json_key_int(j, "compute_major", d->cc_major);
        json_key_int(j, "compute_minor", d->cc_minor);
        json_key_int(j, "sm_count", d->sm_count);
        json_key_int(j, "total_memory_bytes", (long long)d->total_memory);
        json_end_object(j);
    }
    json_end_array(j);
    json_key(j, "events");
    json_begin_object(j);
    json_key_int(j, "total", (long long)total_events(t));
    for (int k = 1; k < WP_EV_KIND_COUNT; k++)
        json_key_int(j, wp_event_kind_name((uint32_t)k), (long long)t->by_kind[k]);
    json_end_object(j);
    json_key_int(j, "start_ns", total_events(t) ? t->first : 0);
    json_key_int(j, "end_ns", total_events(t) ? t->last : 0);
    json_key_int(j, "dropped_records", (long long)t->dropped);
    json_key_int(j, "skipped_records", (long long)st->skipped);
    json_key_bool(j, "truncated", st->truncated);
    json_key_int(j, "bytes_lost", (long long)st->bytes_lost);
    json_end_object(j);
}

static int info_one(const char *path, int as_json, json_out *j)
{
    wp_diag diag;
    cli_diag_init(&diag, "info");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        wp_diag_error(&diag, WP_ERR_IO, "%s: no such file", path);
        return cli_fail("info", &diag);
    }
    wp_strtab *strings = wp_strtab_new();
    if (!strings) {
        wp_diag_error(&diag, WP_ERR_NOMEM, "%s: out of memory", path);
        return cli_fail("info", &diag);
    }
    info_tool t;
    info_init(&t);
    wp_read_stats st = {0};
    int rc = wp_trace_read(path, strings, &t.tool, NULL, &diag, &st);
    if (t.out_of_memory)
        rc = wp_diag_error(&diag, WP_ERR_NOMEM, "%s: out of memory listing %u processes and %u devices", path, t.nprocs,
                           t.ndevices);
    if (rc == WP_OK) { /* the format as read: a pipe cannot be looked at twice; its size is what it held */
        long long size = S_ISREG(sb.st_mode) ? (long long)sb.st_size : -1;
        if (as_json)
            print_json(j, path, st.format, size < 0 ? (long long)st.bytes_read : size, &t, strings, &st);
        else
            print_text(path, st.format, size, &t, strings, &st);
    }
    wp_strtab_free(strings);
    free(t.procs);
    free(t.devices);
    return rc == WP_OK ? EXIT_OK : cli_fail("info", &diag);
}

typedef struct info_args {
    int json;
} info_args;

const wp_option cmd_info_options[] = {
    {.kind = WP_OPT_FLAG, .name = "json", .offset = offsetof(info_args, json),
     .help = "one JSON object per run of the command (schema: schemas/info.schema.json)"},
    {0},
};

int cmd_info(int argc, char **argv)
{
    info_args args = {0};
    int ntraces;
    int parsed = wp_options_parse("info", cmd_info_options, &args, 0, argc, argv, &ntraces);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    if (ntraces == 0)
        return cli_usage_error("info", "no TRACE given");
    int as_json = args.json;
    json_out j;
    json_out_init(&j, stdout);
    if (as_json) {
        json_document_begin(&j, stdout, "wanprof.info/1");
        json_key(&j, "traces");
        json_begin_array(&j);
    }
    int status = EXIT_OK;
    for (int i = 1; i <= ntraces; i++)
        if (info_one(argv[i], as_json, &j) != EXIT_OK)
            status = EXIT_BAD_INPUT;
    if (as_json) {
        json_end_array(&j);
        json_end_object(&j);
        fputc('\n', stdout);
    }
    return status;
}
