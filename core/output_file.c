/* output_file.c: see output_file.h. */
#include "output_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int wp_output_check(const char *path, int force, wp_diag *diag)
{
    struct stat st;
    if (!force && stat(path, &st) == 0)
        return wp_diag_error(diag, WP_ERR_EXISTS, "%s: already exists (use --force to overwrite)", path);
    return WP_OK;
}

char *wp_output_temp_name(const char *path)
{
    size_t len = strlen(path) + 32;
    char *temp = malloc(len);
    if (temp)
        snprintf(temp, len, "%s.partial-%ld", path, (long)getpid());
    return temp;
}

static void output_free(wp_output *out)
{
    free(out->path);
    free(out->temp);
    out->path = out->temp = NULL;
    out->file = NULL;
}

int wp_output_open(wp_output *out, const char *path, int force, wp_diag *diag)
{
    memset(out, 0, sizeof(*out));
    int rc = wp_output_check(path, force, diag);
    if (rc != WP_OK)
        return rc;
    out->path = strdup(path);
    out->temp = wp_output_temp_name(path);
    if (!out->path || !out->temp) {
        output_free(out);
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    }
    out->file = fopen(out->temp, "w");
    if (!out->file) {
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot create: %s", out->temp, strerror(errno));
        output_free(out);
        return rc;
    }
    return WP_OK;
}

int wp_output_close(wp_output *out, wp_diag *diag)
{
    int rc = WP_OK;
    int failed = fflush(out->file) != 0 || ferror(out->file);
    int err = errno;
    if (fclose(out->file) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    if (failed)
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: write failed: %s (partial output kept in %s)", out->path,
                           strerror(err), out->temp);
    else if (rename(out->temp, out->path) != 0)
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot rename into place: %s (output kept in %s)", out->path,
                           strerror(errno), out->temp);
    output_free(out);
    return rc;
}

void wp_output_abort(wp_output *out)
{
    fclose(out->file);
    unlink(out->temp);
    output_free(out);
}
