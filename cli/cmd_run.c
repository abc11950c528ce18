/* cmd_run.c: `wanprof run [options] -- COMMAND [ARGS]`: the command runs with the CUPTI collector injected (every
 * process of it that starts CUDA writes its own file), then the files are merged into one SQLite + one .json.gz and a
 * summary is printed. The parts: run_launch.c, run_merge.c, run_summary.c. */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../capture/outname.h"
#include "../capture/trace_words.h"
#include "cli.h"
#include "output_file.h"
#include "run_priv.h"

const char cmd_run_help[] =
    "NAME\n"
    "    wanprof run - profile a command's CUDA activity and write SQLite + .json.gz\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "    (no COMMAND: the built-in Wan2.2 runner; the first operand ends wanprof's options: the rest is COMMAND's)\n"
    "\n"
    "DESCRIPTION\n"
    "    Runs COMMAND (with execvp, no shell) with the CUPTI collector injected through CUDA_INJECTION64_PATH, like\n"
    "    `nsys profile`: the program is not changed or rebuilt. Children inherit the environment, so every process\n"
    "    that initialises CUDA is recorded (torchrun-style launchers, one process per GPU), each into its own file.\n"
    "    The collector writes kernels, copies (with direction, bytes and pageable/pinned/device memory kinds),\n"
    "    memsets, CUDA API calls, synchronisation, allocations and NVTX ranges with payloads (NCCL's own ranges\n"
    "    included) off the application's path, and flushes them to disk every --flush-interval, so a job killed with\n"
    "    SIGKILL keeps everything up to the last flush; SIGINT and SIGTERM flush everything before the program's own\n"
    "    handling of the signal. Records CUPTI drops are counted, written and reported, never hidden. SIGINT,\n"
    "    SIGTERM and SIGHUP sent to wanprof are passed on to COMMAND; if wanprof itself dies (even by SIGKILL),\n"
    "    COMMAND gets SIGTERM (Linux PR_SET_PDEATHSIG; its own children are theirs to stop).\n"
    "\n"
    "    With no COMMAND, the workload is this project's Wan2.2 runner, `wanprof-runner --preset 720p --nproc N`:\n"
    "    the A14B model (random weights) at 720p, 81 frames, 27 steps, on N GPUs (--gpus N; default every visible\n"
    "    GPU) with Ulysses sequence parallelism, one process per GPU. For other settings run it as the command:\n"
    "    wanprof run -- wanprof-runner --preset 480p --offload model --shift 3 (wanprof-runner --help).\n"
    "\n"
    "    When COMMAND ends, the per-process files are merged into NAME.sqlite (nsys-export table names) and\n"
    "    NAME.json.gz (Chrome trace; Perfetto, chrome://tracing), one process per rank, and a summary goes to stderr:\n"
    "    events by kind, bytes copied by direction and memory kind, dropped records, the output paths.\n"
    "\n"
    "    Only one CUPTI user per process is possible: under nsys, or while the program runs torch.profiler, the\n"
    "    collector prints one warning, records nothing in that process and leaves it untouched.\n"

    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "    The words of --trace:\n"
    "      cuda      gpu + api\n"
    "      gpu       kernels, memcpy (peer to peer included), memset\n"
    "      api       CUDA runtime API calls, and the driver's kernel launches (cuBLAS, cuDNN and Triton launch\n"
    "                through the driver: without these their kernels have no launch call)\n"
    "      driver    every CUDA driver API call\n"
    "      modules   driver module/library loads and JIT links only (evidence of recompilation; cheap)\n"
    "      nvtx      NVTX ranges and marks with payloads, any domain\n"
    "      memory    device and pinned allocations and frees\n"
    "      sync      host synchronisation (stream, event, device)\n"
    "      overhead  CUPTI and driver overhead\n"
    "      all       everything above; none: nothing\n"
    "    Less is cheaper: the API records cost about 1-3 us per CUDA call; on programs launching more than ~50,000\n"
    "    kernels per second, --trace=gpu,nvtx (no API records) keeps the overhead near CUPTI's minimum.\n"
    "\n"
    "ENVIRONMENT\n"
    "    WANPROF_COLLECTOR       path of libwanprof_collector.so (default: ../lib next to wanprof, then the build tree)\n"
    "    WANPROF_RUNNER          path of wanprof-runner for a run without COMMAND (default: next to wanprof)\n"
    "    Set for COMMAND (see cupti_collector/collector.h; set them by hand to use the collector without wanprof run):\n"
    "    CUDA_INJECTION64_PATH   the collector\n"
    "    NVTX_INJECTION64_PATH   libcupti, which hands NVTX to the collector (kept when already set)\n"
    "    WANPROF_OUTPUT          per-process file name, placeholders %p %h %r %q{VAR} %%\n"
    "    WANPROF_TRACE, WANPROF_FLUSH_INTERVAL, WANPROF_CAPTURE_RANGE, WANPROF_BUFFER_SIZE, WANPROF_QUIET\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof run -o step -- python3 generate.py --steps 40\n"
    "    wanprof run --trace=cuda,nvtx --capture-range=nvtx:denoise -o run1 -- torchrun --nproc-per-node 4 gen.py\n"
    "    srun -n 8 wanprof run -o job_%q{SLURM_JOB_ID}_r%r -- ./train\n"
    "    wanprof run --json -o t -- ./app > summary.json\n"
    "    wanprof run -o shift3 -- wanprof-runner --preset 480p --layers 4 --offload model --shift 3\n"
    "        the step-10 spike of examples/runner_offload/; explain it against the schedule you expected:\n"
    "        wanprof explain --sampler sglang --shift 12 shift3.sqlite\n"
    "    wanprof run -o wan720p --gpus 4\n"
    "        no COMMAND: wanprof-runner --preset 720p --nproc 4, one process per GPU, one merged trace\n"
    "\n"
    "EXIT STATUS\n"
    "    The command's exit status (128+N when it was killed by signal N); 127 when it cannot be found, 126 when it\n"
    "    cannot be run. 2 for a usage error (nothing is run), 1 when outputs exist without --force (nothing is run)\n"
    "    or when merging failed after a successful command.\n";

static const char *check_capture_range(const char *value)
{
    return strncmp(value, "nvtx:", 5) == 0 && value[5] ? NULL : "nvtx:RANGE_NAME";
}

static const char *check_flush_interval(const char *value)
{
    char *end;
    double v = strtod(value, &end);
    return end != value && !*end && v >= 0 && v <= 3600 ? NULL : "seconds from 0 to 3600";
}

#define AT(field) offsetof(run_opts, field)

const wp_option cmd_run_options[] = {
    {.kind = WP_OPT_STRING, .name = "output", .short_name = 'o', .offset = AT(output_template), .arg = "NAME",
     .help = "output name without extension (default wanprof-report): writes NAME.sqlite and NAME.json.gz. May hold "
             "%p (pid of wanprof), %h (host), %r (rank from RANK, OMPI_COMM_WORLD_RANK or SLURM_PROCID), "
             "%q{VAR} (an environment variable) and %%. Under srun (SLURM_PROCID set) a NAME without %r, %p or %q "
             "gets -rank%r appended, so `srun wanprof run -- prog` writes one file pair per rank."},
    {.kind = WP_OPT_LIST, .name = "trace", .offset = AT(trace), .arg = "LIST", .word = wp_trace_word,
     .help = "what to record (default " WP_TRACE_DEFAULT "; the words are below)"},
    {.kind = WP_OPT_STRING, .name = "capture-range", .offset = AT(capture_range), .arg = "nvtx:RANGE",
     .check = check_capture_range,
     .help = "keep only what happens inside NVTX ranges named RANGE: events that start inside one, and GPU work "
             "launched from inside one (matched by correlation id) even when it runs after the range ends. "
             "Everything is recorded and the filter is applied when merging; --keep-per-process keeps the "
             "unfiltered files."},
    {.kind = WP_OPT_STRING, .name = "flush-interval", .offset = AT(flush_interval), .arg = "SECONDS",
     .check = check_flush_interval,
     .help = "how often each process commits what it recorded to disk (default 1; 0 = only at exit and on "
             "SIGINT/SIGTERM). A SIGKILL loses at most this much."},
    {.kind = WP_OPT_FLAG, .name = "keep-per-process", .offset = AT(keep_per_process),
     .help = "keep the per-process files (NAME.wanprof-parts/r<rank>-p<pid>.sqlite) after merging"},
    {.kind = WP_OPT_FLAG, .name = "force", .offset = AT(force),
     .help = "overwrite existing outputs; without it wanprof refuses before starting COMMAND"},
    {.kind = WP_OPT_FLAG, .name = "json", .offset = AT(json),
     .help = "print the summary as JSON on stdout (schemas/run_summary.schema.json) instead of text on stderr; "
             "COMMAND's own standard output then goes to standard error, so stdout holds the JSON alone"},
    {.kind = WP_OPT_INT, .name = "gpus", .offset = AT(gpus), .arg = "N", .min = 1, .max = 1024,
     .help = "without COMMAND only: run the built-in runner on N GPUs (default: every visible GPU); with a COMMAND "
             "it is a usage error: the command picks its own GPUs"},
    {0},
};

/* Returns 0, WP_OPTS_HELP, or the exit status of a usage error. */
static int parse_options(int argc, char **argv, run_opts *o)
{
    int nargs;
    int rc = wp_options_parse("run", cmd_run_options, o, WP_OPTS_STOP_AT_OPERAND, argc, argv, &nargs);
    if (rc != WP_OPTS_OK)
        return rc;
    if (o->capture_range)
        o->capture_range += strlen("nvtx:");
    o->command = argv + 1;
    return 0;
}

static void strip_suffix(char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    if (n > m && strcmp(name + n - m, suffix) == 0)
        name[n - m] = '\0';
}

/* NAME, NAME.sqlite, NAME.json.gz, NAME.wanprof-parts. Returns 0, or an exit status. */
static int name_outputs(run_opts *o)
{
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s", o->output_template ? o->output_template : "wanprof-report");
    if (getenv("SLURM_PROCID") && !wp_outname_has_rank_placeholder(tmpl))
        strncat(tmpl, "-rank%r", sizeof(tmpl) - strlen(tmpl) - 1);
    if (wp_outname_expand(tmpl, (long)getpid(), o->name, sizeof(o->name)) != 0)
        return cli_usage_error("run", "-o: %s", o->name);
    strip_suffix(o->name, ".sqlite");
    strip_suffix(o->name, ".json.gz");
    if (!o->name[0])
        return cli_usage_error("run", "-o: empty output name");
    snprintf(o->sqlite_path, sizeof(o->sqlite_path), "%s.sqlite", o->name);
    snprintf(o->chrome_path, sizeof(o->chrome_path), "%s.json.gz", o->name);
    char *abs = realpath(".", NULL);
    if (o->name[0] == '/' || !abs)
        snprintf(o->parts_dir, sizeof(o->parts_dir), "%s.wanprof-parts", o->name);
    else
        snprintf(o->parts_dir, sizeof(o->parts_dir), "%s/%s.wanprof-parts", abs, o->name);
    free(abs);
    return 0;
}

/* Removes the per-process files (only what the collector writes there) and the folder. */
static void remove_parts(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] != 'r' || !strstr(e->d_name, ".sqlite"))
            continue;
        char path[8400];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* Before the command runs: the two outputs may be written (output_file.h: what --force may replace), and the
 * per-process folder is new or, with --force, emptied. */
static int check_outputs(const run_opts *o)
{
    wp_diag diag;
    cli_diag_init(&diag, "run");
    if (wp_output_check(o->sqlite_path, o->force, &diag) != WP_OK ||
        wp_output_check(o->chrome_path, o->force, &diag) != WP_OK)
        return cli_fail("run", &diag);
    struct stat st;
    if (stat(o->parts_dir, &st) == 0) {
        if (!o->force) {
            fprintf(stderr, "wanprof run: %s already exists (use --force to overwrite, or -o another name)\n",
                    o->parts_dir);
            return EXIT_BAD_INPUT;
        }
        remove_parts(o->parts_dir);
    }
    if (mkdir(o->parts_dir, 0777) != 0) {
        fprintf(stderr, "wanprof run: cannot create %s: %s\n", o->parts_dir, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int finish(run_opts *o, run_summary *sum)
{
    wp_diag diag;
    cli_diag_init(&diag, "run");
    int rc = run_merge(o, sum, &diag);
    int status = sum->exit_status;
    if (rc == WP_ERR_STOPPED && (status == 126 || status == 127)) {
        remove_parts(o->parts_dir); /* the command never started: its error was printed */
    } else if (rc == WP_ERR_STOPPED) {
        fprintf(stderr, "wanprof run: no CUDA activity was recorded (the command never initialised CUDA, or the "
                        "collector could not record: see any warning above); no outputs written\n");
        remove_parts(o->parts_dir);
    } else if (rc != WP_OK) {
        cli_fail("run", &diag);
        fprintf(stderr, "wanprof run: the per-process files are kept in %s/ (merge them with `wanprof export`)\n",
                o->parts_dir);
        return status ? status : EXIT_BAD_INPUT;
    } else if (!o->keep_per_process) {
        remove_parts(o->parts_dir);
    }
    if (o->json)
        run_summary_json(o, sum, stdout);
    else if (rc == WP_OK)
        run_summary_print(o, sum, stderr);
    return status;
}

int cmd_run(int argc, char **argv)
{
    run_opts o;
    memset(&o, 0, sizeof(o));
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc == WP_OPTS_HELP ? EXIT_OK : rc;
    char runner[4096], gpus[16];
    char *builtin[] = {runner, "--preset", "720p", "--nproc", gpus, NULL};
    if (!o.command[0]) { /* the built-in workload: the Wan2.2 runner, one rank per visible GPU */
        int n = o.gpus ? o.gpus : run_visible_gpus();
        if (n < 1) {
            fprintf(stderr, "wanprof run: no GPU is visible (CUDA_VISIBLE_DEVICES, /proc/driver/nvidia/gpus) for the "
                            "built-in runner; give a command: wanprof run [options] -- COMMAND [ARGS]\n");
            return EXIT_USAGE;
        }
        if (!run_find_runner(runner, sizeof(runner))) {
            fprintf(stderr, "wanprof run: wanprof-runner not found next to wanprof (built without CUDA? set "
                            "WANPROF_RUNNER)\n");
            return EXIT_USAGE;
        }
        snprintf(gpus, sizeof(gpus), "%d", n);
        o.command = builtin;
    } else if (o.gpus) {
        return cli_usage_error("run", "--gpus is for the built-in runner (no COMMAND); a command picks its own GPUs");
    }
    if ((rc = name_outputs(&o)) || (rc = check_outputs(&o)))
        return rc;
    char buf[4096];
    const char *collector = run_find_collector(buf, sizeof(buf));
    if (!collector)
        fprintf(stderr, "wanprof run: warning: libwanprof_collector.so not found (built without CUDA? set "
                        "WANPROF_COLLECTOR); the command runs but nothing can be recorded\n");
    if (run_set_environment(&o, collector) != 0)
        fprintf(stderr, "wanprof run: warning: cannot set the environment; nothing will be recorded\n");
    run_summary sum;
    memset(&sum, 0, sizeof(sum));
    double t0 = now_s();
    sum.exit_status = run_command(o.command, o.json);
    sum.wall_s = now_s() - t0;
    return finish(&o, &sum);
}
