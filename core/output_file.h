/* output_file.h: writing a file the safe way, for every output wanprof makes: refuse to replace an existing file
 * unless forced, write under a temporary name beside it, and rename into place only once everything was written
 * (a full disk leaves the partial file, named as such, and the old file untouched). */
#ifndef WP_OUTPUT_FILE_H
#define WP_OUTPUT_FILE_H

#include <stdio.h>

#include "diag.h"

/* WP_ERR_EXISTS (message naming path) when path exists and force is 0; WP_OK otherwise. */
int wp_output_check(const char *path, int force, wp_diag *diag);
/* The temporary name used beside path ("PATH.partial-PID"); the caller frees it. NULL when out of memory. */
char *wp_output_temp_name(const char *path);

typedef struct wp_output {
    FILE *file; /* write here between open and close */
    char *path;
    char *temp;
} wp_output;

/* Checks path (see wp_output_check) and opens its temporary file for writing. */
int wp_output_open(wp_output *out, const char *path, int force, wp_diag *diag);
/* Flushes, checks for write errors, closes and renames into place. On failure the partial file is kept and the
 * message says where. Frees the names in all cases. */
int wp_output_close(wp_output *out, wp_diag *diag);
/* Closes and removes the temporary file. */
void wp_output_abort(wp_output *out);

#endif
