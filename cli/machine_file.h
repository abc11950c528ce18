/* machine_file.h: the machine file `wanprof calibrate` writes (schemas/machine.schema.json) and `wanprof run` records
 * in a trace's metadata: where it lives by default, and telling one from any other file. */
#ifndef WP_MACHINE_FILE_H
#define WP_MACHINE_FILE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../core/diag.h"
#include "../core/machine_protocol.h"

#define WP_MACHINE_META_KEY "machine" /* the trace metadata key holding the file's text */

/* $XDG_CACHE_HOME/wanprof/machine.json (XDG_CACHE_HOME only when absolute, as the XDG spec says), else
 * $HOME/.cache/wanprof/machine.json, into buf. Returns buf, or NULL (diag set) when neither variable is usable. */
const char *wp_machine_cache_path(char *buf, size_t n, wp_diag *diag);

/* Whether doc (NULL included) is a machine document: an object whose "schema" is WP_MACHINE_SCHEMA. */
int wp_machine_doc_is_ours(const cJSON *doc);

/* The text of the file at path (malloc'd), whatever JSON it holds, at most 1 MiB: for readers that take other
 * machine documents too (whatif's machine descriptions). NULL with diag naming path; *exists as below. */
char *wp_machine_file_text(const char *path, int *exists, wp_diag *diag);

/* The text of the machine file at path (malloc'd, the caller frees it) when it is one: a JSON object, at most 1 MiB,
 * whose "schema" is WP_MACHINE_SCHEMA. NULL otherwise, with diag naming path and what is wrong; *exists (may be
 * NULL) tells whether anything was there at all. */
char *wp_machine_file_load(const char *path, int *exists, wp_diag *diag);

#endif
