/* output_file.h: writing a file the safe way, for every output wanprof makes. The output is written to a temporary
 * file created exclusively beside it (a short random name: nothing planted at a predictable name is followed, and
 * every valid output name has room for it) and takes the output's name only once complete. Without --force the name
 * is taken by an operation that never replaces (renameat2 RENAME_NOREPLACE, or link): a file that appeared at the
 * output path meanwhile is kept and the write fails. With --force only a regular file is replaced, by rename, and the
 * new file keeps its mode; FIFOs, devices, directories and symbolic links are refused. A failed or interrupted
 * (SIGINT, SIGTERM) write removes the temporary file; every message names the output, never the temporary file. */
#ifndef WP_OUTPUT_FILE_H
#define WP_OUTPUT_FILE_H

#include <stdio.h>

#include "diag.h"

/* Checks, before any work, that path can become an output: its name fits the file system, its directory exists and
 * may be written. When something is there: WP_ERR_EXISTS without force (a dangling symbolic link included); with force
 * WP_ERR_USAGE unless it is a regular file. A regular file with other hard links is replaced with a warning (the other
 * names keep the old contents). Messages name path. */
int wp_output_check(const char *path, int force, wp_diag *diag);
/* WP_ERR_USAGE when path is the same file (device and inode, whatever the spelling or link) as one of the inputs. */
int wp_output_check_inputs(const char *path, const char *const *inputs, int ninputs, wp_diag *diag);

/* Creates path's temporary file (mode: that of the file --force replaces, else 0666 less the umask) and registers it
 * for removal on SIGINT/SIGTERM. On WP_OK *temp (freed by commit or discard) and *fd (open for writing; the caller
 * closes it) are set. Checks path first (wp_output_check). */
int wp_output_temp_create(const char *path, int force, char **temp, int *fd, wp_diag *diag);
/* Gives the complete temporary file path's name (see the top of this file) and frees temp. On failure the temporary
 * file is removed. */
int wp_output_temp_commit(char *temp, const char *path, int force, wp_diag *diag);
/* Removes the temporary file and frees temp (NULL is a no-op). */
void wp_output_temp_discard(char *temp);

typedef struct wp_output {
    FILE *file; /* write here between open and close */
    char *path;
    char *temp;
    int force;
} wp_output;

/* Checks path and opens its temporary file for writing. */
int wp_output_open(wp_output *out, const char *path, int force, wp_diag *diag);
/* Flushes, checks for write errors, closes and gives the file its name ("writing PATH: REASON" on failure, the
 * temporary file removed). Frees the names in all cases. */
int wp_output_close(wp_output *out, wp_diag *diag);
/* Closes and removes the temporary file. */
void wp_output_abort(wp_output *out);

#endif
