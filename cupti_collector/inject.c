/* inject.c: the entry point the CUDA driver calls (CUDA_INJECTION64_PATH -> InitializeInjection), the configuration
 * read from the environment, and the exit and fork hooks. Nothing here aborts, exits or blocks the host process: on
 * any failure the collector prints one warning and leaves the application to run untouched. */
#include "collector.h"

#include <cupti.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outname.h"

wpc_state wpc = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .out_lock = PTHREAD_MUTEX_INITIALIZER,
    .wake_fd = {-1, -1},
    .done_fd = {-1, -1},
};
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static CUpti_SubscriberHandle subscriber;

void wpc_warn(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "wanprof collector (pid %ld): %s\n", (long)getpid(), msg);
}

static int read_config(wpc_config *cfg)
{
    const char *v = getenv("WANPROF_TRACE");
    snprintf(cfg->trace_text, sizeof(cfg->trace_text), "%s", v && *v ? v : WP_TRACE_DEFAULT);
    if (wp_trace_parse(cfg->trace_text, &cfg->trace) != 0) {
        wpc_warn("WANPROF_TRACE='%s': unknown word (use %s); not recording", cfg->trace_text, wp_trace_words());
        return -1;
    }
    v = getenv("WANPROF_FLUSH_INTERVAL");
    cfg->flush_interval = v && *v ? strtod(v, NULL) : 1.0;
    if (!(cfg->flush_interval >= 0 && cfg->flush_interval < 86400))
        cfg->flush_interval = 1.0;
    v = getenv("WANPROF_BUFFER_SIZE");
    cfg->buffer_bytes = v && *v ? strtoull(v, NULL, 10) : 8u << 20;
    if (cfg->buffer_bytes < (64u << 10) || cfg->buffer_bytes > (256u << 20))
        cfg->buffer_bytes = 8u << 20;
    v = getenv("WANPROF_CAPTURE_RANGE");
    snprintf(cfg->capture_range, sizeof(cfg->capture_range), "%s", v ? v : "");
    v = getenv("WANPROF_QUIET");
    cfg->quiet = v && *v == '1';
    v = getenv("WANPROF_DISCARD");
    cfg->discard = v && *v == '1';
    v = getenv("WANPROF_OUTPUT");
    if (wp_outname_expand(v && *v ? v : "wanprof-%h-%p.sqlite", (long)getpid(), cfg->output,
                          sizeof(cfg->output)) != 0) {
        wpc_warn("WANPROF_OUTPUT: %s; not recording", cfg->output);
        return -1;
    }
    return 0;
}

/* CUPTI must be the version these record layouts were compiled for (same major version). */
static int check_cupti_version(void)
{
    uint32_t version = 0;
    if (cuptiGetVersion(&version) != CUPTI_SUCCESS) {
        wpc_warn("cuptiGetVersion failed; not recording");
        return -1;
    }
    if (version / 1000 != CUPTI_API_VERSION / 1000) {
        wpc_warn("CUPTI API version %u at run time, built for %u: record layouts may differ; not recording", version,
                 (unsigned)CUPTI_API_VERSION);
        return -1;
    }
    return 0;
}

static void CUPTIAPI ignore_callback(void *userdata, CUpti_CallbackDomain domain, CUpti_CallbackId cbid,
                                     const void *data)
{
    (void)userdata, (void)domain, (void)cbid, (void)data;
}

/* Claims CUPTI for this process: another profiler already attached (nsys, an active torch.profiler) shows up here. */
static int subscribe(void)
{
    CUptiResult r = cuptiSubscribe(&subscriber, ignore_callback, NULL);
    if (r == CUPTI_SUCCESS)
        return 0;
    const char *msg = NULL;
    cuptiGetResultString(r, &msg);
    if (r == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)
        wpc_warn("another profiler (nsys, torch.profiler, ...) already uses CUPTI in this process; wanprof records "
                 "nothing here and the application runs untouched");
    else
        wpc_warn("cannot subscribe to CUPTI (%s); not recording, the application runs untouched", msg ? msg : "?");
    return -1;
}

static const struct { CUpti_ActivityKind kind; unsigned needs; } activity_kinds[] = {
    {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, WP_TRACE_GPU}, {CUPTI_ACTIVITY_KIND_MEMCPY, WP_TRACE_GPU},
    {CUPTI_ACTIVITY_KIND_MEMCPY2, WP_TRACE_GPU},           {CUPTI_ACTIVITY_KIND_MEMSET, WP_TRACE_GPU},
    {CUPTI_ACTIVITY_KIND_RUNTIME, WP_TRACE_API},           {CUPTI_ACTIVITY_KIND_DRIVER, WP_TRACE_DRIVER},
    {CUPTI_ACTIVITY_KIND_SYNCHRONIZATION, WP_TRACE_SYNC},  {CUPTI_ACTIVITY_KIND_MEMORY2, WP_TRACE_MEMORY},
    {CUPTI_ACTIVITY_KIND_MARKER, WP_TRACE_NVTX},           {CUPTI_ACTIVITY_KIND_MARKER_DATA, WP_TRACE_NVTX},
    {CUPTI_ACTIVITY_KIND_OVERHEAD, WP_TRACE_OVERHEAD},     {CUPTI_ACTIVITY_KIND_NAME, 0},
    {CUPTI_ACTIVITY_KIND_DEVICE, 0},
};

/* Driver API calls recorded one by one, without the whole driver API (every call a library makes). */
static const struct { CUpti_CallbackId cbid; unsigned needs; const char *what; } driver_calls[] = {
    /* Loads and links of code: rare, so they cost nothing measurable; the evidence of recompilation. */
    {CUPTI_DRIVER_TRACE_CBID_cuModuleLoad, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuModuleLoadData, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuModuleLoadDataEx, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuModuleLoadFatBinary, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuModuleUnload, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkCreate, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkCreate_v2, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkAddData, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkAddData_v2, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkAddFile, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkAddFile_v2, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLinkComplete, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLibraryLoadData, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLibraryLoadFromFile, WP_TRACE_MODULES, "module loads"},
    {CUPTI_DRIVER_TRACE_CBID_cuLibraryUnload, WP_TRACE_MODULES, "module loads"},
    /* Kernel launches: cuBLAS(Lt), cuDNN and Triton launch through the driver, so without these their kernels (a
     * quarter of a runner step's, every kernel of a compiled model) have no launch call to be tied to. */
    {CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch, WP_TRACE_API, "kernel launches"},
    {CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz, WP_TRACE_API, "kernel launches"},
};

/* Every call is tried (one this CUDA does not know leaves the others recorded); a warning per group. */
static void enable_driver_calls(void)
{
    const char *warned = "";
    for (size_t i = 0; i < sizeof(driver_calls) / sizeof(driver_calls[0]); i++) {
        if (!(wpc.cfg.trace & driver_calls[i].needs) ||
            cuptiActivityEnableDriverApi(driver_calls[i].cbid, 1) == CUPTI_SUCCESS ||
            !strcmp(warned, driver_calls[i].what))
            continue;
        warned = driver_calls[i].what;
        wpc_warn("cannot record some of the driver's %s (callback id %u); those are missing from the output", warned,
                 (unsigned)driver_calls[i].cbid);
    }
}

static int enable_activities(void)
{
    if (cuptiActivityRegisterCallbacks(wpc_buffer_requested, (CUpti_BuffersCallbackCompleteFunc)wpc_buffer_completed)
        != CUPTI_SUCCESS) {
        wpc_warn("cuptiActivityRegisterCallbacks failed; not recording");
        return -1;
    }
    for (size_t i = 0; i < sizeof(activity_kinds) / sizeof(activity_kinds[0]); i++) {
        if (activity_kinds[i].needs && !(wpc.cfg.trace & activity_kinds[i].needs))
            continue;
        CUptiResult r = cuptiActivityEnable(activity_kinds[i].kind);
        if (r != CUPTI_SUCCESS) {
            const char *msg = NULL;
            cuptiGetResultString(r, &msg);
            wpc_warn("cannot enable CUPTI activity kind %d (%s); those records are missing",
                     (int)activity_kinds[i].kind, msg ? msg : "?");
        }
    }
    if (!(wpc.cfg.trace & WP_TRACE_DRIVER))
        enable_driver_calls();
    return 0;
}

static int open_output(void)
{
    wp_write_opts opts = {.force = 0, .in_place = 1};
    wp_diag diag;
    memset(&diag, 0, sizeof(diag));
    wpc.strings = wp_strtab_new();
    if (!wpc.strings)
        return -1;
    wpc.out = wp_sqlite_writer_open(wpc.cfg.output, &opts, &diag);
    if (!wpc.out) {
        wpc_warn("cannot open the output: %s; not recording", diag.error);
        return -1;
    }
    wpc.tool = wp_writer_tool(wpc.out);
    wpc.tool->strings = wpc.strings;
    return wpc_write_header();
}

static void at_exit(void)
{
    if (!wpc.active || getpid() != wpc.pid)
        return;
    wpc_writer_finish();
}

/* fork() without exec: the child shares the parent's output file and has no writer thread. It must never touch the
 * file (a write or even a close would corrupt the parent's database), so it simply stops recording. */
static void at_fork_child(void)
{
    wpc.active = 0;
    wpc.writer_running = 0;
    pthread_mutex_init(&wpc.lock, NULL);
    pthread_mutex_init(&wpc.out_lock, NULL);
}

static int start(void)
{
    wpc.pid = getpid();
    if (read_config(&wpc.cfg) != 0 || check_cupti_version() != 0)
        return -1;
    if (wpc.cfg.trace & WP_TRACE_NVTX)
        wpc_nvtx_set_injection();
    if (subscribe() != 0)
        return -1;
    if (open_output() != 0 || wpc_nvtx_init() != 0) {
        cuptiUnsubscribe(subscriber);
        return -1;
    }
    if (enable_activities() != 0 || wpc_writer_start() != 0) {
        cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
        cuptiUnsubscribe(subscriber);
        return -1;
    }
    wpc.active = 1;
    pthread_atfork(NULL, NULL, at_fork_child);
    atexit(at_exit);
    wpc_signals_install();
    if (!wpc.cfg.quiet)
        fprintf(stderr, "wanprof: recording pid %ld to %s\n", (long)wpc.pid, wpc.cfg.output);
    return 0;
}

/* Called by the CUDA driver when it initialises (possibly more than once, from any thread). Returns 1 in all cases:
 * a failure to record is not the application's failure. */
__attribute__((visibility("default"))) int InitializeInjection(void)
{
    pthread_mutex_lock(&init_lock);
    if (!wpc.initialized) {
        wpc.initialized = 1;
        start();
    }
    pthread_mutex_unlock(&init_lock);
    return 1;
}
