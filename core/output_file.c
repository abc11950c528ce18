/* output_file.c: see output_file.h. */
#include "output_file.h"

#include "output_cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMP_PATTERN ".wanprof-XXXXXX" /* short: fits beside any output name */

/* The directory part of path ("." when it has none), and where its last component starts. */
static char *dir_of(const char *path, const char **name)
{
    const char *slash = strrchr(path, '/');
    *name = slash ? slash + 1 : path;
    if (!slash)
        return strdup(".");
    return strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static int check_directory(const char *path, wp_diag *diag)
{
    const char *name;
    char *dir = dir_of(path, &name);
    if (!dir)
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    struct stat st;
    long name_max = pathconf(dir, _PC_NAME_MAX);
    int rc = WP_OK;
    if (!*name)
        rc = wp_diag_error(diag, WP_ERR_USAGE, "%s: names a directory, not a file", path);
    else if (stat(dir, &st) != 0)
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot write there: %s: %s", path, dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot write there: %s is not a directory", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot write there: %s: %s", path, dir, strerror(errno));
    else if (strlen(name) > (size_t)(name_max > 0 ? name_max : NAME_MAX))
        rc = wp_diag_error(diag, WP_ERR_USAGE, "%s: file name too long (%zu bytes, at most %ld here)", path,
                           strlen(name), name_max > 0 ? name_max : (long)NAME_MAX);
    free(dir);
    return rc;
}

static const char *kind_of(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISLNK(mode)  ? "a symbolic link"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

/* What is at path (not following a symbolic link) may be replaced: nothing, or with force a regular file. */
static int check_existing(const char *path, int force, wp_diag *diag)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? WP_OK : wp_diag_error(diag, WP_ERR_IO, "%s: %s", path, strerror(errno));
    if (!force)
        return wp_diag_error(diag, WP_ERR_EXISTS, "%s: already exists (use --force to overwrite)", path);
    if (!S_ISREG(st.st_mode))
        return wp_diag_error(diag, WP_ERR_USAGE, "%s: is %s; only a regular file is replaced, even with --force",
                             path, kind_of(st.st_mode));
    if (st.st_nlink > 1)
        wp_diag_warn(diag, "%s: has %lu hard links: replacing this name only (the other names keep the old contents)",
                     path, (unsigned long)st.st_nlink);
    return WP_OK;
}

int wp_output_check(const char *path, int force, wp_diag *diag)
{
    int rc = check_directory(path, diag);
    return rc != WP_OK ? rc : check_existing(path, force, diag);
}

int wp_output_check_inputs(const char *path, const char *const *inputs, int ninputs, wp_diag *diag)
{
    struct stat out, in;
    if (stat(path, &out) != 0)
        return WP_OK; /* nothing there yet: it cannot be an input */
    for (int i = 0; i < ninputs; i++)
        if (stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            return wp_diag_error(diag, WP_ERR_USAGE, "%s: is the input %s; writing it would destroy the input", path,
                                 inputs[i]);
    return WP_OK;
}

/* The mode the output gets: that of the regular file --force replaces, else what open(0666) would give. */
static mode_t output_mode(const char *path, int force)
{
    struct stat st;
    if (force && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    mode_t mask = umask(0); /* reading the umask means setting it: put it straight back */
    umask(mask);
    return 0666 & ~mask;
}

int wp_output_temp_create(const char *path, int force, char **temp, int *fd, wp_diag *diag)
{
    /* Checked again (something may have appeared since wp_output_check), its warnings already given there. */
    wp_diag quiet = {.warn = NULL};
    int rc = wp_output_check(path, force, &quiet);
    if (rc != WP_OK)
        return wp_diag_error(diag, rc, "%s", quiet.error);
    const char *name;
    char *dir = dir_of(path, &name);
    size_t len = (size_t)(name - path) + sizeof(TEMP_PATTERN);
    char *t = dir ? malloc(len) : NULL;
    free(dir);
    if (!t)
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    snprintf(t, len, "%.*s%s", (int)(name - path), path, TEMP_PATTERN);
    int f = mkostemp(t, O_CLOEXEC); /* O_CREAT|O_EXCL: never opens what is there, symbolic links included */
    if (f < 0) {
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        free(t);
        return rc;
    }
    wp_cleanup_register(t);
    if (fchmod(f, output_mode(path, force)) != 0) {
        rc = wp_diag_error(diag, WP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        close(f);
        wp_output_temp_discard(t);
        return rc;
    }
    *temp = t;
    *fd = f;
    return WP_OK;
}

/* Takes path's name for temp without ever replacing what is there: renameat2 where the file system has it, link
 * and unlink where not. */
static int take_name(const char *temp, const char *path)
{
    if (renameat2(AT_FDCWD, temp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(temp, path) != 0)
        return -1;
    unlink(temp);
    return 0;
}

int wp_output_temp_commit(char *temp, const char *path, int force, wp_diag *diag)
{
    int rc = WP_OK;
    if (!force) {
        if (take_name(temp, path) != 0)
            rc = errno == EEXIST ? wp_diag_error(diag, WP_ERR_EXISTS, "%s: appeared while wanprof was writing it; "
                                                 "left as it is (use --force to overwrite)", path)
                                 : wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", path, strerror(errno));
    } else {
        rc = check_existing(path, force, NULL) == WP_OK ? WP_OK
             : wp_diag_error(diag, WP_ERR_USAGE, "%s: is no longer a regular file; left as it is", path);
        if (rc == WP_OK && rename(temp, path) != 0)
            rc = wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", path, strerror(errno));
    }
    if (rc == WP_OK) {
        wp_cleanup_forget(temp);
        free(temp);
    } else {
        wp_output_temp_discard(temp);
    }
    return rc;
}

void wp_output_temp_discard(char *temp)
{
    if (!temp)
        return;
    unlink(temp);
    wp_cleanup_forget(temp);
    free(temp);
}

int wp_output_open(wp_output *out, const char *path, int force, wp_diag *diag)
{
    memset(out, 0, sizeof(*out));
    out->force = force;
    out->path = strdup(path);
    if (!out->path)
        return wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
    int fd = -1;
    int rc = wp_output_temp_create(path, force, &out->temp, &fd, diag);
    if (rc == WP_OK && !(out->file = fdopen(fd, "w"))) {
        rc = wp_diag_error(diag, WP_ERR_NOMEM, "%s: out of memory", path);
        close(fd);
        wp_output_temp_discard(out->temp);
    }
    if (rc != WP_OK) {
        free(out->path);
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

int wp_output_close(wp_output *out, wp_diag *diag)
{
    int failed = fflush(out->file) != 0 || ferror(out->file);
    int err = errno;
    if (fclose(out->file) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    int rc;
    if (failed) {
        rc = wp_diag_error(diag, WP_ERR_IO, "writing %s: %s", out->path, strerror(err ? err : EIO));
        wp_output_temp_discard(out->temp);
    } else {
        rc = wp_output_temp_commit(out->temp, out->path, out->force, diag);
    }
    free(out->path);
    memset(out, 0, sizeof(*out));
    return rc;
}

void wp_output_abort(wp_output *out)
{
    fclose(out->file);
    wp_output_temp_discard(out->temp);
    free(out->path);
    memset(out, 0, sizeof(*out));
}
