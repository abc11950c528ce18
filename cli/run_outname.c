/* run_outname.c: the collector's output-name placeholders (%p %h %r %q{VAR} %%), compiled into the CLI too so that
 * `wanprof run -o` and the per-process files follow one rule. */
#include "../cupti_collector/outname.c"
