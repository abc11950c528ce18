/* json_out.h: a small streaming JSON printer for --json outputs (commas and nesting tracked for the caller, strings
 * escaped, non-finite numbers written as null), so commands never assemble JSON by hand. */
#ifndef WP_JSON_OUT_H
#define WP_JSON_OUT_H

#include <stdio.h>

#define JSON_OUT_MAX_DEPTH 64

typedef struct json_out {
    FILE *out;
    int depth;
    int count[JSON_OUT_MAX_DEPTH]; /* values written at each level, for commas */
    int after_key;                 /* a key was just written: the next value needs no comma */
} json_out;

void json_out_init(json_out *j, FILE *out);
void json_begin_object(json_out *j);
void json_end_object(json_out *j);
void json_begin_array(json_out *j);
void json_end_array(json_out *j);
void json_key(json_out *j, const char *key);
void json_string(json_out *j, const char *s);
void json_int(json_out *j, long long v);
void json_double(json_out *j, double v);
void json_bool(json_out *j, int v);
void json_null(json_out *j);
void json_key_string(json_out *j, const char *key, const char *s);
void json_key_int(json_out *j, const char *key, long long v);
void json_key_double(json_out *j, const char *key, double v);
void json_key_bool(json_out *j, const char *key, int v);
/* Starts a command's JSON document on out: the opening brace, "schema" (e.g. "wanprof.info/1", the id its
 * schemas/NAME.schema.json fixes) and "wanprof" (the version and revision that wrote it). */
void json_document_begin(json_out *j, FILE *out, const char *schema);
/* Writes s as a JSON string literal (quotes included) to out. */
void json_write_escaped(FILE *out, const char *s);

#endif
