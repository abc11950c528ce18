/* cmd_whatif.c: `wanprof whatif TRACE`: what every offload mode would cost the recorded loop on this machine or a
 * described one (analyzer/whatif.h), as text or JSON (schemas/whatif.schema.json). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../analyzer/fmt.h"
#include "../analyzer/whatif.h"
#include "cli.h"
#include "json_out.h"
#include "safe_text.h"
#include "whatif_predict.h"

const char cmd_whatif_help[] =
    "NAME\n"
    "    wanprof whatif - what each weight-offload mode would cost this run, on this machine or a described one\n"
    "\n"
    "SYNOPSIS\n"
    "@usage\n"
    "\n"
    "DESCRIPTION\n"
    "    From one recorded denoising loop, predicts for every offload mode SGLang offers (none; model offload from\n"
    "    pageable or pinned memory; layerwise offload with prefetch 1, 2 or 4, pinned or pageable, with and without\n"
    "    a device synchronisation after every block) the time of an ordinary step, of the expert-switch step, of the\n"
    "    first step and of the whole loop, the device memory the loop holds, and what bounds each (compute, the host\n"
    "    link, or memory when it does not fit). It first predicts the mode the trace ran and prints that beside what\n"
    "    was measured: how far to trust the rest.\n"
    "    The loop's facts come from the trace: the steps and their compute (as `wanprof explain` finds them; a\n"
    "    split it calls doubtful is refused), the weights' size and the recorded mode from wanprof-runner's\n"
    "    metadata or else from the copies seen, the device memory from the allocations recorded. The machine's\n"
    "    copy bandwidths come from --machine FILE (what `wanprof calibrate` wrote, or a description:\n"
    "    schemas/machine_spec.schema.json, e.g. h100_pcie_x4.json in share/wanprof/machines), else from the\n"
    "    trace's own metadata (`wanprof run` records the calibration), else from the calibration cached on this\n"
    "    machine. Each mode's kernels are scaled by the machine's compute curve between how busy the recording\n"
    "    kept the GPU and how busy the mode would (a GPU that idles between blocks clocks higher). Every time is a\n"
    "    range: the median bandwidth's prediction, and the slowest and fastest copies the calibration saw.\n"
    "\n"
    "OPTIONS\n"
    "@options\n"
    "\n"
    "EXAMPLES\n"
    "    wanprof calibrate && wanprof run -o run -- python3 gen.py && wanprof whatif run.sqlite\n"
    "    wanprof whatif --machine examples/machines/h100_pcie_x4.json --gpus 4 run.sqlite\n"
    "        the same loop on a described machine, four ranks copying through one host\n"
    "    wanprof whatif --json tests/fixtures/whatif/model_pageable.json.gz\n"
    "\n"
    "EXIT STATUS\n"
    "    0 on success; 1 when the trace or the machine file cannot be read or lacks what a prediction needs;\n"
    "    2 on a usage error.\n";

static const char *CMD = "whatif";

enum { COPIES_AUTO, COPIES_RUN, COPIES_MACHINE };

static const char *copies_word(int i)
{
    static const char *const words[] = {"auto", "run", "machine"};
    return i >= 0 && i < 3 ? words[i] : NULL;
}

typedef struct whatif_opts {
    wp_analysis_opts analysis;
    const char *machine, *model_config;
    int gpus, json, forwards, blocks, switch_step, copies;
    double expert_bytes;
} whatif_opts;

const wp_option cmd_whatif_options[] = {
    {.kind = WP_OPT_STRING, .name = "machine", .offset = offsetof(whatif_opts, machine), .arg = "FILE",
     .help = "the machine's figures: a `wanprof calibrate` file or a description (schemas/machine_spec.schema.json);"
             " default: the trace's metadata, else this machine's cached calibration"},
    {.kind = WP_OPT_INT, .name = "gpus", .offset = offsetof(whatif_opts, gpus), .arg = "N", .min = 1, .max = 1024,
     .help = "ranks copying through one host at once (default: the trace's ranks)"},
    {.kind = WP_OPT_ENUM, .name = "copies", .offset = offsetof(whatif_opts, copies), .arg = "auto|run|machine",
     .word = copies_word,
     .help = "copy rates: run = a kind of copy the run made goes at the rate it achieved there, the rest at the "
             "machine's figures; machine = the machine's figures only; auto (default): run, or machine with --machine"},
    {.kind = WP_OPT_FLAG, .name = "json", .offset = offsetof(whatif_opts, json),
     .help = "machine-readable output (schemas/whatif.schema.json)"},
    {.kind = WP_OPT_INT, .name = "forwards", .offset = offsetof(whatif_opts, forwards), .arg = "N", .min = 1,
     .max = 64, .help = "transformer forwards per step (default: the metadata's guidance, else 2: CFG)"},
    {.kind = WP_OPT_STRING, .name = "model-config", .offset = offsetof(whatif_opts, model_config), .arg = "FILE",
     .help = "the model's config (schemas/wan2.2-t2v-a14b.json, or a diffusers transformer config.json or model "
             "folder): blocks and the weights' sizes in bf16, for a trace without runner metadata"},
    {.kind = WP_OPT_INT, .name = "blocks", .offset = offsetof(whatif_opts, blocks), .arg = "N", .min = 1,
     .max = 100000, .help = "transformer blocks per expert (default: the metadata, else 40: the A14B)"},
    {.kind = WP_OPT_DOUBLE, .name = "expert-bytes", .offset = offsetof(whatif_opts, expert_bytes), .arg = "BYTES",
     .min = 1, .max = 1e15, .help = "one expert's weights in bytes (default: the metadata, else the copies seen)"},
    {.kind = WP_OPT_INT, .name = "switch-step", .offset = offsetof(whatif_opts, switch_step), .arg = "N",
     .min = 0, .max = 1000000, .help = "the first low-noise step, 0-based (default: the schedule, else the marks)"},
    {.kind = WP_OPT_GROUP, .name = "", .offset = offsetof(whatif_opts, analysis), .group = wp_analysis_options},
    {0},
};

static void gb(double bytes, char *buf, size_t n)
{
    if (bytes < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.2f", bytes / 1e9);
}

static void text_out(const char *input, const wp_loop_facts *f, const wp_machine *m, const char *mwhere,
                     const wp_whatif *w)
{
    char a[64], b[64], c[64], d[32];
    fputs("whatif: ", stdout);
    wp_text_put(stdout, input);
    wp_mode_name(&f->recorded, a, sizeof(a));
    if (f->rank >= 0)
        printf(", rank %d", f->rank);
    printf(": recorded %s (%s)\n", a, f->recorded_from);
    fputs("machine: ", stdout);
    wp_text_put(stdout, m->name);
    fputs(" (", stdout);
    wp_text_put(stdout, mwhere);
    fputs("): ", stdout);
    wp_text_put(stdout, m->source);
    printf("\nloop: %d steps, %d forwards per step, %d blocks per expert, switch at ", f->steps, f->forwards,
           f->blocks);
    if (f->switch_step >= 0)
        printf("step %d", f->switch_step);
    else
        printf("no known step");
    printf(" (%s); %d rank%s copying through one host\n", f->switch_from, w->sharing, w->sharing > 1 ? "s" : "");
    printf("weights: one expert %.2f GB, a block %.3f GB, outside the blocks %.3f GB (%s)\n", f->expert_bytes / 1e9,
           f->block_bytes / 1e9, f->nonblock_bytes / 1e9, f->weights_from);
    printf("compute: an ordinary step %.3f s without weight traffic, one block %.2f ms per forward (%s)\n", f->base_s,
           f->block_s * 1e3, f->time_from);
    if (w->recorded >= 0) {
        const wp_whatif_pred *p = &w->preds[w->recorded];
        printf("\nthe recorded mode, predicted beside measured (how far to trust the rest):\n");
        printf("  %-14s %-28s %s\n", "", "predicted (s)", "measured (s)");
        wp_fmt_spread(&p->step_s, a, sizeof(a));
        printf("  %-14s %-28s %.3f\n", "ordinary step", a, w->measured.step_s);
        if (w->measured.switch_s >= 0) {
            wp_fmt_spread(&p->switch_s, a, sizeof(a));
            printf("  %-14s %-28s %.3f\n", "switch step", a, w->measured.switch_s);
        }
        wp_fmt_spread(&p->first_s, a, sizeof(a));
        printf("  %-14s %-28s %.3f\n", "first step", a, w->measured.first_s);
        wp_fmt_spread(&p->total_s, a, sizeof(a));
        printf("  %-14s %-28s %.3f\n", "total", a, w->measured.total_s);
        gb(p->peak_bytes, a, sizeof(a));
        gb(w->measured.peak_bytes, b, sizeof(b));
        printf("  %-14s %-28s %s\n", "peak GB", a, b);
    }
    printf("\n%-4s %-58s %-24s %-24s %-26s %8s  %s\n", "rank", "mode", "step s", "switch step s", "total s",
           "peak GB", "bound");
    int order[WP_WHATIF_MAX_MODES], n = wp_whatif_order(w, order);
    for (int k = 0; k < n; k++) {
        const wp_whatif_pred *p = &w->preds[order[k]];
        wp_fmt_spread(&p->step_s, a, sizeof(a));
        wp_fmt_spread(&p->switch_s, b, sizeof(b));
        wp_fmt_spread(&p->total_s, c, sizeof(c));
        gb(p->peak_bytes, d, sizeof(d));
        char rank[8];
        snprintf(rank, sizeof(rank), p->rank ? "%d" : "-", p->rank);
        printf("%-4s %-58s %-24s %-24s %-26s %8s  %s%s\n", rank, p->name, a, b, c, d, wp_bound_name(p->bound),
               p->recorded ? "  (recorded)" : "");
    }
    if (f->notes[0] || w->notes[0]) {
        fputs("\nassumptions: ", stdout);
        wp_text_put(stdout, f->notes);
        fputs(f->notes[0] && w->notes[0] ? "; " : "", stdout);
        wp_text_put(stdout, w->notes);
        fputc('\n', stdout);
    }
}

static void json_spread(json_out *j, const char *key, const wp_spread *s)
{
    json_key(j, key);
    json_begin_object(j);
    json_key_double(j, "median", s->median);
    json_key_double(j, "min", s->min);
    json_key_double(j, "max", s->max);
    json_end_object(j);
}

static void json_bytes(json_out *j, const char *key, double v)
{
    json_key(j, key);
    if (v < 0)
        json_null(j);
    else
        json_double(j, v);
}

static void json_mode(json_out *j, const wp_offload_mode *m)
{
    static const char *const kinds[] = {"none", "model", "layerwise"};
    json_begin_object(j);
    json_key_string(j, "kind", kinds[m->kind]);
    if (m->kind != WP_MODE_NONE) {
        json_key_string(j, "host_memory", m->pinned ? "pinned" : "pageable");
        json_key_bool(j, "new_host_memory", m->new_memory);
    }
    if (m->kind == WP_MODE_LAYERWISE) {
        json_key_int(j, "prefetch", m->prefetch);
        json_key_bool(j, "layer_sync", m->layer_sync);
        json_key_bool(j, "rest_round_trips", m->rest_trips);
        json_key_bool(j, "learns_order", m->learns_order);
    }
    json_end_object(j);
}

static void json_out_doc(const char *input, const wp_loop_facts *f, const wp_machine *m, const char *mwhere,
                         const wp_whatif *w)
{
    json_out j;
    json_document_begin(&j, stdout, "wanprof.whatif/1");
    json_key_string(&j, "input", input);
    json_key_int(&j, "rank", f->rank);
    json_key(&j, "machine");
    json_begin_object(&j);
    json_key_string(&j, "name", m->name);
    json_key_string(&j, "from", mwhere);
    json_key_string(&j, "source", m->source);
    json_key_bool(&j, "measured", m->measured);
    json_end_object(&j);
    json_key(&j, "loop");
    json_begin_object(&j);
    json_key(&j, "recorded_mode");
    json_mode(&j, &f->recorded);
    json_key_string(&j, "recorded_mode_from", f->recorded_from);
    json_key_int(&j, "steps", f->steps);
    json_key_int(&j, "forwards_per_step", f->forwards);
    json_key_int(&j, "blocks", f->blocks);
    json_key(&j, "switch_step");
    if (f->switch_step >= 0)
        json_int(&j, f->switch_step);
    else
        json_null(&j);
    json_key_string(&j, "switch_step_from", f->switch_from);
    json_key_int(&j, "sharing_ranks", w->sharing);
    json_key_double(&j, "expert_bytes", f->expert_bytes);
    json_key_double(&j, "block_bytes", f->block_bytes);
    json_key_double(&j, "nonblock_bytes", f->nonblock_bytes);
    json_key_string(&j, "weights_from", f->weights_from);
    json_key_double(&j, "base_step_s", f->base_s);
    json_key_double(&j, "block_compute_s", f->block_s);
    json_key_double(&j, "kernel_s_per_step", f->kernel_s);
    json_key_double(&j, "switch_excess_s", f->switch_extra_s);
    json_key_string(&j, "compute_from", f->time_from);
    json_end_object(&j);
    json_key(&j, "measured");
    json_begin_object(&j);
    json_key_double(&j, "step_s", w->measured.step_s);
    json_key(&j, "switch_step_s");
    if (w->measured.switch_s >= 0)
        json_double(&j, w->measured.switch_s);
    else
        json_null(&j);
    json_key_double(&j, "first_step_s", w->measured.first_s);
    json_key_double(&j, "total_s", w->measured.total_s);
    json_bytes(&j, "peak_bytes", w->measured.peak_bytes);
    json_end_object(&j);
    json_key(&j, "modes");
    json_begin_array(&j);
    for (int i = 0; i < w->npreds; i++) {
        const wp_whatif_pred *p = &w->preds[i];
        json_begin_object(&j);
        json_key_string(&j, "name", p->name);
        json_key(&j, "mode");
        json_mode(&j, &p->mode);
        json_key_bool(&j, "recorded", p->recorded);
        json_spread(&j, "step_s", &p->step_s);
        json_spread(&j, "switch_step_s", &p->switch_s);
        json_spread(&j, "first_step_s", &p->first_s);
        json_spread(&j, "total_s", &p->total_s);
        json_key_double(&j, "host_link_s_per_step", p->link_s);
        json_key_double(&j, "kernel_scale", p->kernel_scale);
        json_bytes(&j, "peak_bytes", p->peak_bytes);
        json_key_bool(&j, "fits", p->fits);
        json_key_string(&j, "bound", wp_bound_name(p->bound));
        json_key(&j, "rank");
        if (p->rank)
            json_int(&j, p->rank);
        else
            json_null(&j);
        json_end_object(&j);
    }
    json_end_array(&j);
    json_key_string(&j, "assumptions", f->notes);
    json_key_string(&j, "model_notes", w->notes);
    json_end_object(&j);
    fputc('\n', stdout);
}

int cmd_whatif(int argc, char **argv)
{
    whatif_opts o = {0};
    o.switch_step = -1;
    wp_analysis_opts_init(&o.analysis);
    int npaths;
    int parsed = wp_options_parse(CMD, cmd_whatif_options, &o, 0, argc, argv, &npaths);
    if (parsed != WP_OPTS_OK)
        return parsed == WP_OPTS_HELP ? EXIT_OK : parsed;
    char **paths = argv + 1;
    if (npaths == 0)
        return cli_usage_error(CMD, "no TRACE given");
    wp_diag diag;
    cli_diag_init(&diag, CMD);
    wp_analysis a;
    int rc = wp_analysis_load(&o.analysis, (const char *const *)paths, npaths, &diag, &a);
    if (rc != WP_OK) {
        wp_analysis_free(&a);
        return cli_fail_rc(CMD, &diag, rc);
    }
    const char *input = npaths == 1 ? paths[0] : "traces";
    wp_loop_overrides ov = {o.forwards, o.blocks, o.expert_bytes, o.switch_step, o.model_config};
    cli_whatif *p = calloc(1, sizeof(*p));
    rc = p ? cli_whatif_predict(&a, &ov, o.machine, o.gpus,
                                o.copies == COPIES_RUN || (o.copies == COPIES_AUTO && !o.machine), p, &diag)
           : WP_ERR_NOMEM;
    if (rc == WP_OK) {
        if (o.json)
            json_out_doc(input, &p->facts, &p->machine, p->machine_from, &p->w);
        else
            text_out(input, &p->facts, &p->machine, p->machine_from, &p->w);
    }
    if (p)
        cli_whatif_free(p);
    free(p);
    wp_analysis_free(&a);
    if (rc == WP_ERR_NOMEM) {
        fprintf(stderr, "wanprof %s: out of memory\n", CMD);
        return EXIT_BAD_INPUT;
    }
    return rc == WP_OK ? EXIT_OK : cli_fail(CMD, &diag);
}
