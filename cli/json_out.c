/* json_out.c: see json_out.h. */
#include "json_out.h"

#include "../core/version.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_emit.h"

void json_out_init(json_out *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->count[0] = 0;
    j->after_key = 0;
}

static void before_value(json_out *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth]++ > 0)
        fputc(',', j->out);
}

static void open_level(json_out *j, char c)
{
    before_value(j);
    fputc(c, j->out);
    if (j->depth < JSON_OUT_MAX_DEPTH - 1)
        j->count[++j->depth] = 0;
}

static void close_level(json_out *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    fputc(c, j->out);
}

void json_begin_object(json_out *j) { open_level(j, '{'); }
void json_end_object(json_out *j) { close_level(j, '}'); }
void json_begin_array(json_out *j) { open_level(j, '['); }
void json_end_array(json_out *j) { close_level(j, ']'); }

void json_write_escaped(FILE *out, const char *s)
{
    wp_json_put_str(out, s, strlen(s)); /* the one JSON string escaper: names from a trace may hold any bytes */
}

void json_key(json_out *j, const char *key)
{
    before_value(j);
    json_write_escaped(j->out, key);
    fputc(':', j->out);
    j->after_key = 1;
}

void json_string(json_out *j, const char *s)
{
    before_value(j);
    json_write_escaped(j->out, s ? s : "");
}

void json_int(json_out *j, long long v)
{
    before_value(j);
    fprintf(j->out, "%lld", v);
}

void json_double(json_out *j, double v)
{
    before_value(j);
    if (isfinite(v)) {
        /* The shortest of 15 or 17 significant digits that reads back as the same double: exact, yet 0.1 stays 0.1. */
        char buf[32];
        snprintf(buf, sizeof(buf), "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, sizeof(buf), "%.17g", v);
        fputs(buf, j->out);
    } else
        fputs("null", j->out);
}

void json_bool(json_out *j, int v)
{
    before_value(j);
    fputs(v ? "true" : "false", j->out);
}

void json_null(json_out *j)
{
    before_value(j);
    fputs("null", j->out);
}

void json_key_string(json_out *j, const char *key, const char *s) { json_key(j, key); json_string(j, s); }
void json_key_int(json_out *j, const char *key, long long v) { json_key(j, key); json_int(j, v); }
void json_key_double(json_out *j, const char *key, double v) { json_key(j, key); json_double(j, v); }
void json_key_bool(json_out *j, const char *key, int v) { json_key(j, key); json_bool(j, v); }

void json_document_begin(json_out *j, FILE *out, const char *schema)
{
    json_out_init(j, out);
    json_begin_object(j);
    json_key_string(j, "schema", schema);
    json_key_string(j, "wanprof", wp_version_text());
}
