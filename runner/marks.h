/* marks.h: the runner's NVTX marks in its domain "wanprof" (schemas/runner_nvtx.md): ranges with an optional int64
 * payload, and instant marks. */
#ifndef WP_RUNNER_MARKS_H
#define WP_RUNNER_MARKS_H

#include <stdint.h>

/* A range in the domain "wanprof"; payload < 0: none. */
void wp_mark_push(const char *text, int64_t payload);
void wp_mark_pop(void);
/* An instant mark in the domain "wanprof". */
void wp_mark_instant(const char *text);

#endif
