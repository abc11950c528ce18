/* steppattern.c: the step pattern on PCRE2 with compile and match limits (see steppattern.h). */
#include "steppattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wp_step_pattern {
    char *text;
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    int exceeded;
};

void wp_step_pattern_free(wp_step_pattern *p)
{
    if (!p)
        return;
    pcre2_match_context_free(p->mctx);
    pcre2_match_data_free(p->md);
    pcre2_code_free(p->code);
    free(p->text);
    free(p);
}

/* what: "longer than %d bytes" and the like, with the limit. */
static int limit_error(wp_diag *diag, const char *text, const char *what, int limit)
{
    char why[96];
    snprintf(why, sizeof(why), what, limit);
    return wp_diag_error(diag, WP_ERR_USAGE, "bad step pattern '%.80s%s': %s, the limit for step patterns (see "
                         "`wanprof explain --help`)", text, strlen(text) > 80 ? "..." : "", why);
}

static int compile(wp_step_pattern *p, wp_diag *diag)
{
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!cctx)
        return wp_diag_error(diag, WP_ERR_NOMEM, "out of memory");
    pcre2_set_max_pattern_length(cctx, WP_STEP_PATTERN_MAX_LEN);
    pcre2_set_parens_nest_limit(cctx, WP_STEP_PATTERN_MAX_NEST);
    int err = 0;
    PCRE2_SIZE at = 0;
    p->code = pcre2_compile((PCRE2_SPTR)p->text, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &err, &at, cctx);
    pcre2_compile_context_free(cctx);
    if (!p->code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof(msg));
        if (err == PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP)
            return limit_error(diag, p->text, "parentheses nested deeper than %d", WP_STEP_PATTERN_MAX_NEST);
        return wp_diag_error(diag, WP_ERR_USAGE, "bad step pattern '%.80s%s': %s at offset %zu (PCRE2 syntax, "
                             "compiled patterns up to %d bytes)", p->text, strlen(p->text) > 80 ? "..." : "",
                             (const char *)msg, (size_t)at, WP_STEP_PATTERN_MAX_CODE);
    }
    size_t size = 0;
    pcre2_pattern_info(p->code, PCRE2_INFO_SIZE, &size);
    if (size > WP_STEP_PATTERN_MAX_CODE)
        return limit_error(diag, p->text, "compiled to more than %d bytes (repetition counts multiply it)",
                           WP_STEP_PATTERN_MAX_CODE);
    return WP_OK;
}

int wp_step_pattern_new(const char *text, wp_step_pattern **out, wp_diag *diag)
{
    *out = NULL;
    if (strlen(text) > WP_STEP_PATTERN_MAX_LEN)
        return limit_error(diag, text, "longer than %d bytes", WP_STEP_PATTERN_MAX_LEN);
    wp_step_pattern *p = calloc(1, sizeof(*p));
    if (!p || !(p->text = strdup(text))) {
        free(p);
        return wp_diag_error(diag, WP_ERR_NOMEM, "out of memory");
    }
    int rc = compile(p, diag);
    if (rc == WP_OK) {
        p->md = pcre2_match_data_create_from_pattern(p->code, NULL);
        p->mctx = pcre2_match_context_create(NULL);
        if (!p->md || !p->mctx)
            rc = wp_diag_error(diag, WP_ERR_NOMEM, "out of memory");
    }
    if (rc != WP_OK) {
        wp_step_pattern_free(p);
        return rc;
    }
    pcre2_set_match_limit(p->mctx, WP_STEP_PATTERN_MATCH_LIMIT);
    pcre2_set_depth_limit(p->mctx, WP_STEP_PATTERN_DEPTH_LIMIT);
    pcre2_set_heap_limit(p->mctx, WP_STEP_PATTERN_HEAP_KIB);
    *out = p;
    return WP_OK;
}

/* The last capture group that matched a non-empty run of digits, or -1. */
static int64_t last_digit_group(const wp_step_pattern *p, const char *name, int groups)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(p->md);
    for (int g = groups - 1; g >= 1; g--) {
        PCRE2_SIZE so = ov[2 * g], eo = ov[2 * g + 1];
        if (so == PCRE2_UNSET || eo <= so)
            continue;
        int digits = 1;
        for (PCRE2_SIZE k = so; k < eo; k++)
            digits &= isdigit((unsigned char)name[k]) != 0;
        if (digits)
            return strtoll(name + so, NULL, 10);
    }
    return -1;
}

int wp_step_pattern_match(wp_step_pattern *p, const char *name, int64_t *number)
{
    if (p->exceeded)
        return 0;
    int rc = pcre2_match(p->code, (PCRE2_SPTR)name, PCRE2_ZERO_TERMINATED, 0, 0, p->md, p->mctx);
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
        rc == PCRE2_ERROR_NOMEMORY) {
        p->exceeded = 1;
        return 0;
    }
    if (rc < 0)
        return 0;
    if (number)
        *number = last_digit_group(p, name, rc == 0 ? (int)pcre2_get_ovector_count(p->md) : rc);
    return 1;
}

int wp_step_pattern_exceeded(const wp_step_pattern *p)
{
    return p->exceeded;
}

const char *wp_step_pattern_text(const wp_step_pattern *p)
{
    return p->text;
}
