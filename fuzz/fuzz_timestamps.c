/* fuzz_timestamps.c: explain's whole path (steps, spikes, causes, the text and JSON renderers) on a real recording
 * whose timestamps and durations the fuzzer rewrites: an hour-long kernel, an event days after the loop, one at
 * INT64_MAX, ends before starts. Time and memory must follow the events, not their timestamps (issue 13), so
 * libFuzzer's -timeout and -rss_limit_mb are the findings here as much as crashes are.
 * The recordings (fuzz/make_seeds.sh puts them in WP_FUZZ_SEED_DIR/base/) are read once into memory. Each input picks
 * one, edits some of its events, writes it as our SQLite or as Chrome JSON (so each reader sees the edited numbers in
 * its own form) and runs `wanprof explain` on the file.
 * Input: a flags byte, then edits of up to 11 bytes each (at most MAX_EDITS; the last may be cut after its first value
 * byte, so that even the short inputs libFuzzer starts with edit something):
 *   flags bits 0-1: the recording, modulo 3 (recordings[] below)
 *         bit 2: written as Chrome JSON (else SQLite)
 *         bit 3: explain --json (else text)
 *   edit: event index (2 bytes, little-endian, modulo the event count), operation (1 byte, modulo OPS), value (1 to 8
 *         bytes, little-endian). */
#include "fuzz_argv.h"
#include "fuzz_common.h"
#include "trace_write.h"

#ifndef WP_FUZZ_SEED_DIR
#define WP_FUZZ_SEED_DIR "."
#endif

#define EDIT_HEAD 3 /* index, operation */
#define EDIT_BYTES (EDIT_HEAD + 8)
#define MAX_EDITS 64

typedef struct meta_entry {
    uint32_t proc;
    char *key, *value;
} meta_entry;

/* One recording as its reader delivered it. */
typedef struct recording {
    wp_tool tool; /* the collector that filled it (first, so the callbacks can cast) */
    const char *base;
    wp_strtab *strings;
    wp_process *procs;
    size_t nprocs;
    wp_device *devices;
    size_t ndevices;
    meta_entry *meta;
    size_t nmeta;
    wp_event *events;
    size_t nevents, cap;
} recording;

/* Real recordings, each through a different path to its steps; the small ones keep the inputs fast. */
static recording recordings[] = {
    {.base = "ts_switch_demo.sqlite"}, /* wanprof run of switch_demo (H200): NVTX steps, a marked expert switch */
    {.base = "ts_kineto.json.gz"},     /* a public Kineto trace (ROCm): ProfilerStep ranges */
    {.base = "ts_runner.json.gz"},     /* wanprof run of the runner without NVTX: steps from the kernel sequence */
};
#define NRECORDINGS (sizeof(recordings) / sizeof(recordings[0]))

static void *grow(void *items, size_t n, size_t elem)
{
    void *p = realloc(items, (n + 1) * elem); /* a few thousand small records, read once */
    if (!p)
        abort();
    return p;
}

static int on_process(wp_tool *t, const wp_process *p)
{
    recording *r = (recording *)t;
    r->procs = grow(r->procs, r->nprocs, sizeof(*p));
    r->procs[r->nprocs++] = *p;
    return 0;
}

static int on_device(wp_tool *t, const wp_device *d)
{
    recording *r = (recording *)t;
    r->devices = grow(r->devices, r->ndevices, sizeof(*d));
    r->devices[r->ndevices++] = *d;
    return 0;
}

static int on_meta(wp_tool *t, uint32_t proc, const char *key, const char *value)
{
    recording *r = (recording *)t;
    r->meta = grow(r->meta, r->nmeta, sizeof(*r->meta));
    r->meta[r->nmeta++] = (meta_entry){proc, strdup(key), strdup(value)};
    return 0;
}

static int on_event(wp_tool *t, const wp_event *ev)
{
    recording *r = (recording *)t;
    if (r->nevents == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 4096;
        r->events = realloc(r->events, r->cap * sizeof(*ev));
        if (!r->events)
            abort();
    }
    r->events[r->nevents++] = *ev;
    return 0;
}

static void load(recording *r, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/base/%s", dir, r->base);
    r->strings = wp_strtab_new();
    r->tool = (wp_tool){.process = on_process, .device = on_device, .meta = on_meta, .any = on_event};
    wp_diag diag = {0};
    if (!r->strings || wp_trace_read(path, r->strings, &r->tool, NULL, &diag, NULL) != WP_OK || !r->nevents) {
        fprintf(stderr, "fuzz_timestamps: cannot read %s (%s; run fuzz/make_seeds.sh or set WP_FUZZ_SEED_DIR)\n",
                path, diag.error);
        exit(1);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("WP_FUZZ_SEED_DIR");
    for (size_t i = 0; i < NRECORDINGS; i++)
        load(&recordings[i], dir ? dir : WP_FUZZ_SEED_DIR);
    return 0;
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Timestamps are int64 ns; the edits wrap around in unsigned arithmetic, as a corrupt or hostile file can hold any
 * value. OPS operations: */
enum { SET_START, SET_END, SHIFT, DURATION, SHIFT_REST, SWAP, SECONDS_LONG, NEAR_LIMIT, OPS };

static int64_t wrap_add(int64_t a, uint64_t b)
{
    return (int64_t)((uint64_t)a + b);
}

static void edit(wp_event *ev, size_t n, size_t i, unsigned op, uint64_t v)
{
    wp_event *e = &ev[i];
    switch (op) {
    case SET_START: e->start = (int64_t)v; break;
    case SET_END: e->end = (int64_t)v; break;
    case SHIFT: e->start = wrap_add(e->start, v); e->end = wrap_add(e->end, v); break;
    case DURATION: e->end = wrap_add(e->start, v); break;
    case SHIFT_REST: /* everything from event i on moves: a gap of any size in the middle of the run */
        for (size_t k = i; k < n; k++) {
            ev[k].start = wrap_add(ev[k].start, v);
            ev[k].end = wrap_add(ev[k].end, v);
        }
        break;
    case SWAP: {
        int64_t s = e->start;
        e->start = e->end;
        e->end = s;
        break;
    }
    case SECONDS_LONG: e->end = wrap_add(e->start, (uint64_t)(int64_t)(int32_t)v * 1000000000u); break; /* +-68 y */
    case NEAR_LIMIT: /* within 64k ns of either end of int64 */
        if (v & 1)
            e->end = INT64_MAX - (int64_t)(v >> 1 & 0xffff);
        else
            e->start = INT64_MIN + (int64_t)(v >> 1 & 0xffff);
        break;
    }
}

/* Writes r with events ev to path; returns 0, or -1 when the writer refused (it must then say why). */
static int write_recording(const recording *r, const wp_event *ev, const char *path)
{
    wp_diag diag = {0};
    wp_write_opts opts = {.force = 1};
    wp_writer *w = wp_writer_open(path, &opts, &diag);
    if (!w) {
        if (!diag.error[0])
            abort();
        return -1;
    }
    wp_tool *t = wp_writer_tool(w);
    t->strings = r->strings;
    int rc = 0;
    for (size_t i = 0; !rc && i < r->nprocs; i++)
        rc = t->process(t, &r->procs[i]);
    for (size_t i = 0; !rc && i < r->ndevices; i++)
        rc = t->device(t, &r->devices[i]);
    for (size_t i = 0; !rc && i < r->nmeta; i++)
        rc = t->meta(t, r->meta[i].proc, r->meta[i].key, r->meta[i].value);
    for (size_t i = 0; !rc && i < r->nevents; i++)
        rc = wp_tool_event(t, &ev[i]);
    if (rc) {
        wp_writer_abort(w);
        return -1;
    }
    if (wp_writer_close(w, &diag) != WP_OK) {
        if (!diag.error[0])
            abort();
        return -1;
    }
    return 0;
}

static void remove_output(const char *path)
{
    char side[4200];
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path); /* a read-only open can still leave these when the header says WAL */
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const recording *r = &recordings[(data[0] & 3) % NRECORDINGS];
    wp_event *ev = malloc(r->nevents * sizeof(*ev));
    if (!ev)
        return 0;
    memcpy(ev, r->events, r->nevents * sizeof(*ev));
    for (size_t at = 1, k = 0; k < MAX_EDITS && at + EDIT_HEAD < size; at += EDIT_BYTES, k++) {
        const uint8_t *e = data + at;
        size_t value_bytes = size - at - EDIT_HEAD < 8 ? size - at - EDIT_HEAD : 8;
        edit(ev, r->nevents, (size_t)(le(e, 2) % r->nevents), e[2] % OPS, le(e + EDIT_HEAD, (int)value_bytes));
    }
    char path[512];
    fuzz_path(path, sizeof(path), "ts", data[0] & 4 ? ".json" : ".sqlite");
    if (write_recording(r, ev, path) == 0) {
        fuzz_argv f = {.argc = 0};
        f.argv[f.argc++] = (char *)"explain";
        if (data[0] & 8)
            f.argv[f.argc++] = (char *)"--json";
        f.argv[f.argc++] = path;
        f.argv[f.argc] = NULL;
        int rc = fuzz_argv_run(wp_command_find("explain"), &f);
        if (rc != EXIT_OK && rc != EXIT_BAD_INPUT && rc != EXIT_USAGE)
            abort(); /* the documented exit codes are 0, 1, 2 */
        fflush(stdout);
    }
    remove_output(path);
    free(ev);
    return 0;
}
