/* analysis_options.c: the option group every analysing command (explain, hist, diff, report) includes: how steps and
 * spikes are found and which schedule the switch is checked against. Values go into a wp_analysis_opts. */
#include <stddef.h>

#include "../analyzer/analysis.h"
#include "cli.h"

const char *cli_sampler_word(int i)
{
    return i >= 0 ? wp_sampler_name((wp_sampler)i) : NULL;
}

int cli_sampler_value(const char *word)
{
    wp_sampler s;
    return wp_sampler_parse(word, &s) == 0 ? (int)s : -1;
}

#define AT(field) offsetof(wp_analysis_opts, field)

const wp_option wp_analysis_options[] = {
    {.kind = WP_OPT_DOUBLE, .name = "threshold", .offset = AT(explain.threshold_mad), .arg = "K", .min = 0,
     .max = 1e6, .help = "a spike is more than K scaled MADs over the median step (default 3.5)"},
    {.kind = WP_OPT_DOUBLE, .name = "min-excess", .offset = AT(explain.min_excess), .arg = "F", .min = 0, .max = 1e6,
     .help = "... and more than the fraction F over the median (default 0.10)"},
    {.kind = WP_OPT_STRING, .name = "step-pattern", .offset = AT(step_pattern), .arg = "RE",
     .help = "PCRE2 regular expression (case-insensitive) for step ranges; its last all-digit group is the step "
             "number (default: " WP_DEFAULT_STEP_PATTERN "). Limits: 256 bytes, groups nested 32 deep, 64 KiB "
             "compiled; per range name 100000 backtracking steps, depth 1000, 4 MiB: a pattern or match past one is "
             "a usage error. A pattern that matches no range name is a warning and the steps come from the next "
             "source (an error with --step-source pattern). schemas/step_marks.md: how it differs from POSIX ERE"},
    {.kind = WP_OPT_INT, .name = "steps-per-call", .offset = AT(explain.calls_per_step), .arg = "N", .min = 1,
     .max = 1000, .alias = "calls-per-step",
     .help = "compiled-region calls per step when steps come from them (CFG: 2)"},
    {.kind = WP_OPT_ENUM, .name = "step-source", .offset = AT(explain.step_source), .arg = "S",
     .word = wp_step_source_word, .parse = wp_step_source_parse,
     .help = "insist on one way of finding steps (default auto; kernels was called structure); a trace that lacks "
             "it is a usage error"},
    {.kind = WP_OPT_ENUM, .name = "sampler", .offset = AT(sampler), .arg = "NAME", .word = cli_sampler_word,
     .parse = cli_sampler_value,
     .help = "the sampler of the schedule the expert switch is checked against (see `wanprof schedule`); any "
             "schedule option given (sampler, shift, steps, boundary) overrides the trace's metadata"},
    {.kind = WP_OPT_DOUBLE, .name = "shift", .offset = AT(shift), .arg = "S", .min = WP_SCHEDULE_MIN_SHIFT,
     .max = WP_SCHEDULE_MAX_SHIFT, .help = "the schedule's flow shift (default 12)"},
    {.kind = WP_OPT_INT, .name = "steps", .offset = AT(steps), .arg = "N", .min = 1, .max = WP_SCHEDULE_MAX_STEPS,
     .help = "the schedule's number of inference steps (default 27); also a hint for finding unmarked steps"},
    {.kind = WP_OPT_DOUBLE, .name = "boundary", .offset = AT(boundary), .arg = "B", .min = 0, .max = 1,
     .help = "the schedule's boundary ratio (default 0.875)"},
    {0},
};
