/* run_summary.c: what `wanprof run` prints after the command: events by kind, bytes copied by direction and memory
 * kind, dropped records, the outputs. Text on stderr (stdout belongs to the command), or JSON on stdout with --json
 * (schemas/run_summary.schema.json). */
#include "run_priv.h"

#include <string.h>

#include "json_out.h"

static void print_bytes(FILE *out, uint64_t b)
{
    if (b >= (1ull << 30))
        fprintf(out, "%.2f GiB", (double)b / (1ull << 30));
    else if (b >= (1ull << 20))
        fprintf(out, "%.2f MiB", (double)b / (1ull << 20));
    else if (b >= 1024)
        fprintf(out, "%.2f KiB", (double)b / 1024);
    else
        fprintf(out, "%llu B", (unsigned long long)b);
}

void run_summary_print(const run_opts *o, const run_summary *s, FILE *out)
{
    fprintf(out, "wanprof run: %u process%s recorded, %.2f s wall\n", s->processes, s->processes == 1 ? "" : "es",
            s->wall_s);
    fprintf(out, "  %-10s %12s\n", "kind", "events");
    for (int k = 1; k < WP_EV_KIND_COUNT; k++)
        if (s->events[k])
            fprintf(out, "  %-10s %12llu\n", wp_event_kind_name((uint32_t)k), (unsigned long long)s->events[k]);
    int header = 0;
    for (int c = 0; c < 16; c++)
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b++) {
                if (!s->copy_count[c][a][b])
                    continue;
                if (!header++)
                    fprintf(out, "  %-6s %-10s %-10s %10s %14s\n", "copy", "from", "to", "count", "bytes");
                fprintf(out, "  %-6s %-10s %-10s %10llu %14llu (", wp_copy_kind_name((uint32_t)c),
                        wp_mem_kind_name((uint32_t)a), wp_mem_kind_name((uint32_t)b),
                        (unsigned long long)s->copy_count[c][a][b], (unsigned long long)s->copy_bytes[c][a][b]);
                print_bytes(out, s->copy_bytes[c][a][b]);
                fprintf(out, ")\n");
            }
    if (s->memset_bytes) {
        fprintf(out, "  memset total %llu bytes (", (unsigned long long)s->memset_bytes);
        print_bytes(out, s->memset_bytes);
        fprintf(out, ")\n");
    }
    if (s->dropped)
        fprintf(out, "  WARNING: %llu records dropped by CUPTI (buffers full); the trace is incomplete\n",
                (unsigned long long)s->dropped);
    else
        fprintf(out, "  dropped records: 0\n");
    if (s->truncated_inputs)
        fprintf(out, "  note: %llu process%s ended before a normal exit (killed or signalled): recorded up to the last "
                     "flush\n",
                (unsigned long long)s->truncated_inputs, s->truncated_inputs == 1 ? "" : "es");
    if (o->capture_range)
        fprintf(out, "  capture range nvtx:%s: %llu events outside it left out\n", o->capture_range,
                (unsigned long long)s->outside_range);
    fprintf(out, "  outputs: %s\n           %s\n", o->sqlite_path, o->chrome_path);
    if (o->keep_per_process)
        fprintf(out, "  per-process files: %s/\n", o->parts_dir);
}

static void key_path(json_out *j, const char *key, const char *path)
{
    json_key(j, key);
    if (path)
        json_string(j, path);
    else
        json_null(j);
}

void run_summary_json(const run_opts *o, const run_summary *s, FILE *out)
{
    json_out j;
    json_document_begin(&j, out, "wanprof.run_summary/1");
    json_key(&j, "command");
    json_begin_array(&j);
    for (char **a = o->command; *a; a++)
        json_string(&j, *a);
    json_end_array(&j);
    json_key_int(&j, "exit_status", s->exit_status);
    json_key_double(&j, "wall_s", s->wall_s);
    json_key_int(&j, "processes", s->processes);
    json_key(&j, "outputs");
    json_begin_object(&j);
    key_path(&j, "sqlite", s->parts ? o->sqlite_path : NULL);
    key_path(&j, "chrome", s->parts ? o->chrome_path : NULL);
    key_path(&j, "per_process_dir", o->keep_per_process && s->parts ? o->parts_dir : NULL);
    json_end_object(&j);
    json_key(&j, "events");
    json_begin_object(&j);
    for (int k = 1; k < WP_EV_KIND_COUNT; k++)
        json_key_int(&j, wp_event_kind_name((uint32_t)k), (long long)s->events[k]);
    json_end_object(&j);
    json_key(&j, "copies");
    json_begin_array(&j);
    for (int c = 0; c < 16; c++)
        for (int a = 0; a < 8; a++)
            for (int b = 0; b < 8; b++) {
                if (!s->copy_count[c][a][b])
                    continue;
                json_begin_object(&j);
                json_key_string(&j, "direction", wp_copy_kind_name((uint32_t)c));
                json_key_string(&j, "src_kind", wp_mem_kind_name((uint32_t)a));
                json_key_string(&j, "dst_kind", wp_mem_kind_name((uint32_t)b));
                json_key_int(&j, "count", (long long)s->copy_count[c][a][b]);
                json_key_int(&j, "bytes", (long long)s->copy_bytes[c][a][b]);
                json_end_object(&j);
            }
    json_end_array(&j);
    json_key_int(&j, "memset_bytes", (long long)s->memset_bytes);
    json_key_int(&j, "dropped_records", (long long)s->dropped);
    json_key_int(&j, "truncated_inputs", (long long)s->truncated_inputs);
    key_path(&j, "capture_range", o->capture_range);
    json_key_int(&j, "events_outside_capture_range", (long long)s->outside_range);
    json_end_object(&j);
    fputc('\n', out);
}
