/* steppattern.h: the step pattern (--step-pattern) as a PCRE2 regular expression with bounded cost. A pattern comes
 * from a user, and every range name of a trace is matched against it, so both sides are limited: the pattern's length,
 * group nesting and compiled size when it is compiled, and the backtracking steps, depth and heap of each match. A
 * pattern over a compile limit is refused (a usage error naming the limit); a match that runs past a match limit stops
 * all further matching, and the caller reports it (wp_step_pattern_exceeded), so a trace of many names cannot
 * multiply the cost of one bad match. Matching is case-insensitive and byte-wise (names need not be UTF-8). */
#ifndef WP_STEPPATTERN_H
#define WP_STEPPATTERN_H

#include <stdint.h>

#include "diag.h"

#define WP_STEP_PATTERN_MAX_LEN 256         /* bytes of pattern text */
#define WP_STEP_PATTERN_MAX_NEST 32         /* nested parentheses */
#define WP_STEP_PATTERN_MAX_CODE 65536      /* bytes of compiled pattern (repetitions like {1,20000} multiply it) */
#define WP_STEP_PATTERN_MATCH_LIMIT 100000  /* backtracking steps per name (PCRE2 match limit) */
#define WP_STEP_PATTERN_DEPTH_LIMIT 1000    /* nested backtracking depth per name (PCRE2 depth limit) */
#define WP_STEP_PATTERN_HEAP_KIB 4096       /* heap for one match's backtracking (PCRE2 heap limit, KiB) */

typedef struct wp_step_pattern wp_step_pattern;

/* Compiles text. Returns WP_OK with *out set, WP_ERR_USAGE (diag names the pattern, the offset and the limit or
 * syntax error) or WP_ERR_NOMEM. */
int wp_step_pattern_new(const char *text, wp_step_pattern **out, wp_diag *diag);
void wp_step_pattern_free(wp_step_pattern *p);
/* 1 when name matches (then *number is the value of the pattern's last capture group that holds only digits, -1
 * when none does), 0 when it does not or when matching has stopped at a limit. number may be NULL. */
int wp_step_pattern_match(wp_step_pattern *p, const char *name, int64_t *number);
/* 1 when a match ran past a match limit (every match since has answered 0). */
int wp_step_pattern_exceeded(const wp_step_pattern *p);
/* The pattern's text. */
const char *wp_step_pattern_text(const wp_step_pattern *p);

#endif
