/* cmd_explain.c: `wanprof explain TRACE...`: steps, spikes and their causes, and the schedule check. The analysis is
 * analyzer/explain.h; this file parses options and prints (text, or JSON per schemas/explain.schema.json). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../analyzer/writeback.h"
#include "cli.h"
#include "json_copies.h"
#include "json_out.h"
#include "safe_text.h"

const char cmd_explain_help[] =
    "NAME\n"
    "    wanprof explain - split a trace into denoising steps, find the slow steps and say why\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads one or more traces (wanprof SQLite, nsys SQLite export, Chrome/Kineto JSON or .json.gz; several\n"
    "    files are merged, one rank each) in one pass, splits each rank's run into steps and finds the steps that\n"
    "    stand out from a robust baseline (median and MAD of the step times). The first step is flagged as warm-up\n"
    "    but still explained.\n"
    "\n"
    "    Steps come from, best first: wanprof runner NVTX step ranges; ranges (NVTX, Kineto user_annotation or\n"
    "    cpu_op) whose text matches the step pattern: \"step N\", \"denoising step N\", \"denoise_step_N\", SGLang's\n"
    "    \"denoising_step_N_tT\", torch.profiler's \"ProfilerStep#N\" (one such range is a mark too; a profiler\n"
    "    schedule that skipped steps keeps the numbers its marks give); with no step marks, one torch.compile'd\n"
    "    region call per step; else the period of the kernel sequence: the shortest shift at which the run's\n"
    "    kernels repeat, so two CFG forwards and the sampler update make one step, not two (--steps N, or the\n"
    "    run's metadata, is a hint). schemas/step_marks.md lists the marks. What runs before the first step and\n"
    "    after the last is reported as \"before the loop\" and \"after the loop\", never folded into a step.\n"
    "    Steps are timed on the GPU side: from the mark (or the end of the previous step's GPU work, if later) to\n"
    "    the end of the last GPU work the step launched. The \"step split\" line says how sure the split is; when\n"
    "    step times alternate or scatter as widely as they run, no spikes are reported.\n"
    "\n"
    "    Each spike gets ranked causes, each with the seconds it accounts for and the evidence in numbers; the\n"
    "    seconds add up to the excess over the median, with an explicit `unexplained` remainder, and no cause\n"
    "    claims more than its own evidence measured:\n"
    "@causes\n"
    "\n"
    "    Schedule check: when the trace's metadata (\"config\" or \"schedule\": sampler, shift, steps, boundary) or\n"
    "    the flags below give the sampler schedule, the observed expert switch is compared with the predicted one;\n"
    "    when they differ, the shifts that would explain it are given (see `wanprof schedule --switch-at`).\n"
    "\n"
    "    Step numbers: `step` is the trace's own step number (0-based loop index when it has none); the text also\n"
    "    gives the 1-based position (\"step 9, the 10th step\"), as progress bars count.\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof explain run.json.gz\n"
    "    wanprof explain --sampler sglang --shift 12 --steps 27 examples/runner_offload/model_pageable_shift3.sqlite\n"
    "        a recorded run of wanprof-runner (model offload, pageable memory, shift 3) read against the expected\n"
    "        schedule: the 10th-step spike is expert_switch, and shifts 2.95 to 3.5 put the switch there\n"
    "    wanprof explain --shift 12 --sampler sglang rank0.sqlite rank1.sqlite rank2.sqlite rank3.sqlite\n"
    "        \"why is there a spike at step 10 when the switch should be at step 19?\": the spike is explained as\n"
    "        expert_switch and the schedule check names the shifts (about 3) that put the switch there.\n"
    "    wanprof explain --json trace.json.gz | jq '.ranks[0].spikes[] | {step, cause: .causes[0].cause}'\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when a trace cannot be read (the message names the file and what is wrong); 2 on a usage\n"
    "    error.\n";

static const char *CMD = "explain";

static void json_cause(json_out *j, const wp_cause *c)
{
    json_begin_object(j);
    json_key_string(j, "cause", c->id);
    json_key_double(j, "seconds", c->seconds);
    json_key_string(j, "summary", c->evidence);
    json_key_string(j, "suggestion", c->suggestion);
    json_key(j, "evidence");
    json_begin_object(j);
    for (int i = 0; i < c->nev; i++)
        json_key_double(j, c->ev[i].key, c->ev[i].value);
    json_end_object(j);
    json_end_object(j);
}

static void json_step(json_out *j, const wp_step *s, const wp_step_stats *st, int index)
{
    const double ns = 1e-9;
    json_begin_object(j);
    json_key_int(j, "step", s->number);
    json_key_int(j, "index", index);
    json_key_int(j, "start_ns", s->start);
    json_key_int(j, "end_ns", s->end);
    json_key_double(j, "wall_s", st->wall_ns * ns);
    json_key_double(j, "gpu_busy_s", st->gpu_busy_ns * ns);
    json_key_double(j, "kernel_s", st->kernel_ns * ns);
    json_key_double(j, "nccl_s", st->nccl_ns * ns);
    json_key_double(j, "max_gpu_gap_s", st->max_gpu_gap_ns * ns);
    json_key_int(j, "copies", st->copies.count);
    json_key_int(j, "copy_bytes", (long long)st->copies.bytes);
    json_key_double(j, "copy_s", st->copies.ns * ns);
    json_key_double(j, "copy_exposed_s", st->copy_exposed_ns * ns);
    json_key(j, "copy_by_kind");
    json_copy_table(j, st->copy);
    json_key_double(j, "sync_s", st->sync_ns * ns);
    json_key_int(j, "syncs", st->syncs);
    json_key_double(j, "copy_call_s", st->copy_call_ns * ns);
    json_key_int(j, "allocs", st->allocs);
    json_key_int(j, "frees", st->frees);
    json_key_double(j, "alloc_free_s", st->alloc_ns * ns);
    json_key_int(j, "module_loads", st->modules);
    json_key_double(j, "module_load_s", st->module_ns * ns);
    json_key_int(j, "startup_calls", st->inits);
    json_key_double(j, "startup_s", st->init_ns * ns);
    json_key_int(j, "kernels", st->kernels);
    json_key_double(j, "weight_copy_s", st->weight_ns * ns);
    json_key_int(j, "pinned_allocs", st->pinned_allocs);
    json_key_double(j, "pinned_alloc_s", st->pinned_alloc_ns * ns);
    json_key_double(j, "compile_s", st->compile_ns * ns);
    json_key_int(j, "new_compiled_regions", st->new_regions);
    json_key_int(j, "new_kernels", st->new_kernels);
    json_end_object(j);
}

static void json_phase(json_out *j, const char *key, const wp_phase *ph)
{
    json_key(j, key);
    json_begin_object(j);
    json_key_int(j, "start_ns", ph->start);
    json_key_int(j, "end_ns", ph->end);
    json_key_double(j, "seconds", (double)(ph->end - ph->start) * 1e-9);
    json_key_int(j, "copies", ph->stats.copies.count);
    json_key_int(j, "copy_bytes", (long long)ph->stats.copies.bytes);
    json_key_double(j, "gpu_busy_s", (double)ph->stats.gpu_busy_ns * 1e-9);
    json_end_object(j);
}

static void json_rank(json_out *j, const wp_rank_result *rr)
{
    json_begin_object(j);
    json_key_int(j, "rank", rr->rank);
    json_key_int(j, "process", rr->proc);
    json_key_string(j, "step_source", wp_step_source_name(rr->steps.source));
    json_key_string(j, "step_source_text", rr->steps.source_text);
    json_key_string(j, "step_split", rr->steps.confidence);
    json_key(j, "doubt");
    if (rr->doubt[0])
        json_string(j, rr->doubt);
    else
        json_null(j);
    json_key(j, "caution");
    if (rr->caution[0])
        json_string(j, rr->caution);
    else
        json_null(j);
    json_phase(j, "before_loop", &rr->before);
    json_phase(j, "after_loop", &rr->after);
    json_key(j, "baseline");
    json_begin_object(j);
    json_key_double(j, "median_s", rr->baseline.median);
    json_key_double(j, "mad_s", rr->baseline.mad);
    json_key_double(j, "threshold_s", rr->baseline.threshold);
    json_key_int(j, "steps", rr->baseline.n);
    json_end_object(j);
    json_key(j, "steps");
    json_begin_array(j);
    for (int i = 0; i < rr->steps.count; i++)
        json_step(j, &rr->steps.steps[i], &rr->stats[i], i);
    json_end_array(j);
    json_key(j, "spikes");
    json_begin_array(j);
    for (int s = 0; s < rr->nspikes; s++) {
        const wp_spike *sp = &rr->spikes[s];
        json_begin_object(j);
        json_key_int(j, "step", sp->number);
        json_key_int(j, "index", sp->index);
        json_key_bool(j, "warmup", sp->warmup);
        json_key_double(j, "seconds", sp->seconds);
        json_key_double(j, "excess_s", sp->excess);
        json_key(j, "causes");
        json_begin_array(j);
        for (int k = 0; k < sp->ncauses; k++)
            json_cause(j, &sp->causes[k]);
        json_end_array(j);
        json_key_double(j, "unexplained_s", sp->unexplained);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
}

static void json_schedule(json_out *j, const wp_schedcheck *c)
{
    if (!c->have) {
        json_null(j);
        return;
    }
    json_begin_object(j);
    json_key_string(j, "from", c->from);
    json_key_string(j, "sampler", wp_sampler_name(c->p.sampler));
    json_key_double(j, "shift", c->p.shift);
    json_key_int(j, "steps", c->p.steps);
    json_key_double(j, "boundary", c->p.boundary);
    json_key_int(j, "predicted_switch_step", c->predicted);
    json_key(j, "observed_switch_step");
    if (c->observed >= 0)
        json_int(j, c->observed);
    else
        json_null(j);
    json_key_bool(j, "matches", c->matches);
    json_key(j, "shift_ranges");
    json_begin_array(j);
    for (int i = 0; i < c->nranges; i++) {
        json_begin_array(j);
        json_double(j, c->ranges[i].lo);
        json_double(j, c->ranges[i].hi);
        json_end_array(j);
    }
    json_end_array(j);
    json_key_string(j, "note", c->note);
    json_end_object(j);
}

static void write_json(const wp_explain *e, char **paths, int n)
{
    json_out j;
    json_document_begin(&j, stdout, "wanprof.explain/1");
    json_key(&j, "inputs");
    json_begin_array(&j);
    for (int i = 0; i < n; i++)
        json_string(&j, paths[i]);
    json_end_array(&j);
    json_key_double(&j, "total_step_s", e->total_s);
    json_key(&j, "ranks");
    json_begin_array(&j);
    for (int i = 0; i < e->nranks; i++)
        json_rank(&j, &e->ranks[i]);
    json_end_array(&j);
    json_key(&j, "schedule");
    json_schedule(&j, &e->sched);
    json_key(&j, "marked_switch");
    if (!e->marked.have) {
        json_null(&j);
    } else {
        json_begin_object(&j);
        json_key_double(&j, "boundary_timestep", e->marked.boundary_t);
        json_key_int(&j, "first_low_step", e->marked.step);
        json_key_int(&j, "observed_switch_step", e->marked.observed);
        json_key_string(&j, "note", e->marked.note);
        json_end_object(&j);
    }
    json_end_object(&j);
    fputc('\n', stdout);
}

typedef struct explain_args {
    wp_analysis_opts analysis;
    int write_back, json;
} explain_args;

const wp_option cmd_explain_options[] = {
    {.kind = WP_OPT_GROUP, .name = "", .offset = offsetof(explain_args, analysis), .group = wp_analysis_options},
    {.kind = WP_OPT_FLAG, .name = "write-back", .offset = offsetof(explain_args, write_back),
     .help = "store the steps and spikes into the (SQLite) TRACE as tables WANPROF_STEPS and WANPROF_SPIKES (views "
             "WANPROF_STEP_TIMES, WANPROF_SPIKE_CAUSES); one TRACE only; the file's triggers never run; waits up to 10 s "
             "for another process's lock"},
    {.kind = WP_OPT_FLAG, .name = "json", .offset = offsetof(explain_args, json),
     .help = "machine-readable output (schemas/explain.schema.json)"},
    {0},
};

int cmd_explain(int argc, char **argv)
{
    explain_args args = {0};
    wp_analysis_opts_init(&args.analysis);
    int npaths;
    int parsed = wp_options_parse(CMD, cmd_explain_options, &args, 0, argc, argv, &npaths);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    char **paths = argv + 1;
    const wp_analysis_opts o = args.analysis;
    int json = args.json, write_back = args.write_back;
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    if (npaths == 0)
        return cli_usage_error(CMD, "no TRACE given");
    /* Each file gets its own steps: one trace per --write-back, checked before anything is analysed or written. */
    if (write_back && npaths > 1)
        return cli_usage_error(CMD, "--write-back takes one TRACE (%d given): run explain --write-back on each", npaths);
    if (write_back && wp_writeback_check(paths[0], &diag) != WP_OK)
        return cli_fail(CMD, &diag);
    wp_analysis a;
    int load_rc = wp_analysis_load(&o, (const char *const *)paths, npaths, &diag, &a);
    if (load_rc != WP_OK) {
        wp_analysis_free(&a);
        return cli_fail_rc(CMD, &diag, load_rc);
    }
    if (json)
        write_json(&a.explain, paths, npaths);
    else
        wp_explain_write_text(&a.explain, npaths == 1 ? paths[0] : "traces", stdout);
    int rc = EXIT_OK;
    if (write_back) {
        if (wp_writeback_sqlite(paths[0], &a.explain, &diag) != WP_OK)
            rc = cli_fail(CMD, &diag);
        if (rc == EXIT_OK && !json) {
            fputs("\nsteps and spikes written to WANPROF_STEPS / WANPROF_SPIKES in ", stdout);
            wp_text_put(stdout, paths[0]);
            putchar('\n');
        }
    }
    wp_analysis_free(&a);
    return rc;
}
