/* calibrate_out.h: the two faces of the machine document wanprof-calibrate measured: the JSON that is stored (and
 * printed by --json) and the table people read. */
#ifndef WP_CALIBRATE_OUT_H
#define WP_CALIBRATE_OUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* Writes doc as a wanprof JSON document (json_document_begin: "schema" and this wanprof's "wanprof") holding every
 * other member of doc as it is, and a newline. */
void calibrate_write_json(const cJSON *doc, FILE *out);
/* The figures as tables: machine, GPUs, host<->GPU bandwidth, latency, GPU<->GPU bandwidth, each with its spread. */
void calibrate_print_table(const cJSON *doc, FILE *out);

#endif
