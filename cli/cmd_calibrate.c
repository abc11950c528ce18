/* cmd_calibrate.c: `wanprof calibrate`: runs wanprof-calibrate (the GPU part, found like the runner: core/parts.h),
 * stores the machine document it prints in the user's cache folder (machine_file.h) or -o FILE, and shows it as
 * tables or, with --json, as the document itself. `wanprof run` records the cached file in every trace. */
#include <errno.h>
#include <spawn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../core/output_file.h"
#include "../core/parts.h"
#include "calibrate_out.h"
#include "cli.h"
#include "machine_file.h"

extern char **environ;

/* Its document is a few KB; more than this is not one. */
#define CALIBRATE_OUTPUT_MAX (4 << 20)

const char cmd_calibrate_help[] =
    "NAME\n"
    "    wanprof calibrate - measure this machine's copy bandwidths, latency, memory and GPU topology\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Runs wanprof-calibrate (built with the GPU parts), which measures, in under a minute: host->GPU and\n"
    "    GPU->host bandwidth from pinned and from pageable host memory with copies of 1, 16 and 256 MiB (the\n"
    "    tensor-sized copies a model offload makes), on GPU 0 alone and on every visible GPU at once (one thread per\n"
    "    GPU, started together: GPUs sharing a PCIe switch or the host's memory do not get N times one GPU's\n"
    "    bandwidth); the latency of a small (4 KiB) copy; GPU->GPU bandwidth of every pair (cudaMemcpyPeer; \"not\n"
    "    measured: one GPU\" otherwise); free and total device memory; and from NVML the driver and, per GPU, its\n"
    "    PCIe generation and width (current and maximum), NVLink links up and NUMA node. Each figure is the median\n"
    "    of 7 repeats (3 with --quick), given with its min, max and count. Last, the compute curve: a Wan block's\n"
    "    GELU linear and attention in ~10 ms bursts with the GPU kept busy 100, 75, 50 and 25% of the time, and the\n"
    "    SM clock: a GPU under a power limit runs the same work faster when it idles between blocks, and\n"
    "    `wanprof whatif` carries kernel times between offload modes with it.\n"
    "\n"
    "    The figures are stored as JSON (schemas/machine.schema.json) in $XDG_CACHE_HOME/wanprof/machine.json, or\n"
    "    ~/.cache/wanprof/machine.json, or -o FILE, and printed as tables (--json: the document). A file already\n"
    "    there is replaced when it is a machine file, and kept (nothing is measured) when it is anything else,\n"
    "    unless --force. `wanprof run` records the cached machine file in the metadata of every trace it writes\n"
    "    (key \"machine\"); `wanprof info` says when a trace carries one.\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "ENVIRONMENT\n"
    "    WANPROF_CALIBRATE   path of wanprof-calibrate (default: next to wanprof)\n"
    "    XDG_CACHE_HOME      the cache folder (default ~/.cache)\n"
    "    CUDA_VISIBLE_DEVICES  the GPUs measured\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof calibrate\n"
    "    wanprof calibrate --quick --json -o h200.json\n"
    "\n"
    "EXIT STATUS\n"
    "    0 measured and stored; 1 no GPU, no wanprof-calibrate (built without CUDA), a failed measurement, or an\n"
    "    output that cannot be written or is not a machine file (nothing is written then); 2 usage error.\n";

typedef struct calibrate_opts {
    int json, quick, force;
    const char *output;
} calibrate_opts;

#define AT(field) offsetof(calibrate_opts, field)

const wp_option cmd_calibrate_options[] = {
    {.kind = WP_OPT_FLAG, .name = "json", .offset = AT(json),
     .help = "print the machine document (schemas/machine.schema.json) on stdout instead of the tables"},
    {.kind = WP_OPT_STRING, .name = "output", .short_name = 'o', .offset = AT(output), .arg = "FILE",
     .help = "store the figures in FILE instead of the cache folder's machine.json (which `wanprof run` records)"},
    {.kind = WP_OPT_FLAG, .name = "quick", .offset = AT(quick),
     .help = "3 repeats of each measurement instead of 7 (wider spreads, a shorter run)"},
    {.kind = WP_OPT_FLAG, .name = "force", .offset = AT(force),
     .help = "replace the output even when it is not a machine file"},
    {0},
};

/* Creates the cache path's missing folders (0700, as the XDG spec asks of the folders it names). */
static int make_parent_dirs(const char *path, wp_diag *diag)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return wp_diag_error(diag, WP_ERR_IO, "cannot create the cache folder %s: %s", dir, strerror(errno));
        *slash = '/';
    }
    return WP_OK;
}

/* The output path, checked before anything is measured. *replace: what is there may be replaced (a machine file,
 * or --force). Returns 0 or an exit status. */
static int choose_output(const calibrate_opts *o, char *path, size_t n, int *replace)
{
    wp_diag diag;
    cli_diag_init(&diag, "calibrate");
    if (o->output)
        snprintf(path, n, "%s", o->output);
    else if (!wp_machine_cache_path(path, n, &diag) || make_parent_dirs(path, &diag) != WP_OK)
        return cli_fail("calibrate", &diag);
    int exists;
    char *old = wp_machine_file_load(path, &exists, &diag);
    *replace = o->force || old;
    free(old);
    if (exists && !*replace) {
        fprintf(stderr, "wanprof calibrate: %s; nothing measured (--force replaces it, or -o another file)\n",
                diag.error);
        return EXIT_BAD_INPUT;
    }
    cli_diag_init(&diag, "calibrate");
    return wp_output_check(path, *replace, &diag) == WP_OK ? 0 : cli_fail("calibrate", &diag);
}

/* Reads fd to its end into a malloc'd string (*len bytes); more than CALIBRATE_OUTPUT_MAX is read and dropped. */
static char *read_all(int fd, size_t *len, int *too_long)
{
    char *text = malloc(CALIBRATE_OUTPUT_MAX + 1), chunk[65536];
    *len = 0;
    *too_long = 0;
    ssize_t got;
    while (text && ((got = read(fd, chunk, sizeof(chunk))) > 0 || (got < 0 && errno == EINTR))) {
        size_t take = got < 0 ? 0 : (size_t)got;
        if (*len + take > CALIBRATE_OUTPUT_MAX) {
            *too_long = 1;
            continue;
        }
        memcpy(text + *len, chunk, take);
        *len += take;
    }
    if (text)
        text[*len] = '\0';
    return text;
}

/* Runs prog (with --quick) with its stdout into *out (malloc'd), its stderr passed on. Returns its exit status
 * (128+N for signal N), or -1 when it cannot be started (errno set). */
static int run_calibrator(const char *prog, int quick, char **out, int *too_long)
{
    int fds[2];
    *out = NULL;
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    char *argv[] = {(char *)prog, quick ? "--quick" : NULL, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, prog, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (err) {
        close(fds[0]);
        errno = err;
        return -1;
    }
    size_t len;
    *out = read_all(fds[0], &len, too_long);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs wanprof-calibrate (prog) and returns the machine document it printed, or NULL after saying why. */
static cJSON *measure(const char *prog, int quick)
{
    char *text;
    int too_long, status = run_calibrator(prog, quick, &text, &too_long);
    cJSON *doc = NULL;
    if (status < 0)
        fprintf(stderr, "wanprof calibrate: cannot run %s: %s\n", prog, strerror(errno));
    else if (status == WP_CALIBRATE_EXIT_NO_GPU)
        fprintf(stderr, "wanprof calibrate: no GPU to measure (%s said why above); nothing written\n", prog);
    else if (status != 0)
        fprintf(stderr, "wanprof calibrate: %s failed (exit status %d; its message is above); nothing written\n",
                prog, status);
    else if (!text || too_long || !(doc = cJSON_ParseWithOpts(text, NULL, 1)))
        fprintf(stderr, "wanprof calibrate: %s printed no JSON document%s; nothing written\n", prog,
                too_long ? " (over 4 MiB of output)" : "");
    free(text);
    if (doc && !wp_machine_doc_is_ours(doc)) {
        fprintf(stderr, "wanprof calibrate: %s printed a document that is not \"schema\": \"%s\" (from another "
                        "wanprof version?); nothing written\n", prog, WP_MACHINE_SCHEMA);
        cJSON_Delete(doc);
        doc = NULL;
    }
    return doc;
}

static int store(const cJSON *doc, const char *path, int replace)
{
    wp_diag diag;
    cli_diag_init(&diag, "calibrate");
    wp_output out;
    if (wp_output_open(&out, path, replace, &diag) != WP_OK)
        return cli_fail("calibrate", &diag);
    calibrate_write_json(doc, out.file);
    return wp_output_close(&out, &diag) == WP_OK ? 0 : cli_fail("calibrate", &diag);
}

int cmd_calibrate(int argc, char **argv)
{
    calibrate_opts o = {0};
    int nargs, rc = wp_options_parse("calibrate", cmd_calibrate_options, &o, 0, argc, argv, &nargs);
    if (rc != WP_OPTS_OK)
        return rc == WP_OPTS_HELP ? EXIT_OK : rc;
    if (nargs > 0)
        return cli_usage_error("calibrate", "takes no operands ('%s')", argv[1]);
    char prog[4096], path[4096];
    if (!wp_part_find(WP_PART_CALIBRATE, prog, sizeof(prog), NULL)) {
        fprintf(stderr, "wanprof calibrate: wanprof-calibrate not found (%s): the GPU parts are built only where the "
                        "CUDA toolkit is found (set WANPROF_CALIBRATE to its path); nothing measured\n", prog);
        return EXIT_BAD_INPUT;
    }
    int replace = 0;
    if ((rc = choose_output(&o, path, sizeof(path), &replace)))
        return rc;
    cJSON *doc = measure(prog, o.quick);
    if (!doc)
        return EXIT_BAD_INPUT;
    rc = store(doc, path, replace);
    if (!rc && o.json) {
        calibrate_write_json(doc, stdout);
    } else if (!rc) {
        calibrate_print_table(doc, stdout);
        printf("\nmachine file: %s\n", path);
    }
    cJSON_Delete(doc);
    return rc;
}
