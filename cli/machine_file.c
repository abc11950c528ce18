/* machine_file.c: see machine_file.h. */
#include "machine_file.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A machine file is a few KB even with 8 GPUs (56 peer pairs); anything near this is something else. */
#define MACHINE_FILE_MAX (1 << 20)

const char *wp_machine_cache_path(char *buf, size_t n, wp_diag *diag)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(buf, n, "%s/wanprof/machine.json", xdg);
    else if (home && home[0])
        snprintf(buf, n, "%s/.cache/wanprof/machine.json", home);
    else {
        wp_diag_error(diag, WP_ERR_USAGE, "no cache folder: neither XDG_CACHE_HOME (absolute) nor HOME is set");
        return NULL;
    }
    return buf;
}

int wp_machine_doc_is_ours(const cJSON *doc)
{
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
    return cJSON_IsObject(doc) && cJSON_IsString(schema) && strcmp(schema->valuestring, WP_MACHINE_SCHEMA) == 0;
}

/* Only a regular file is read: a FIFO planted at the path would block its reader (calibrate, or every `wanprof run`). */
static FILE *open_regular(const char *path, int *exists, wp_diag *diag)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (exists)
        *exists = fd >= 0 || errno != ENOENT;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        wp_diag_error(diag, WP_ERR_IO, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        wp_diag_error(diag, WP_ERR_NOMEM, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

char *wp_machine_file_text(const char *path, int *exists, wp_diag *diag)
{
    FILE *f = open_regular(path, exists, diag);
    if (!f)
        return NULL;
    char *text = malloc(MACHINE_FILE_MAX + 1);
    size_t len = text ? fread(text, 1, MACHINE_FILE_MAX + 1, f) : 0;
    int bad = !text || ferror(f) || len > MACHINE_FILE_MAX;
    fclose(f);
    if (bad) {
        free(text);
        wp_diag_error(diag, WP_ERR_FORMAT, "%s: %s", path,
                      len > MACHINE_FILE_MAX ? "over 1 MiB: not a machine file" : "cannot be read");
        return NULL;
    }
    text[len] = '\0';
    return text;
}

char *wp_machine_file_load(const char *path, int *exists, wp_diag *diag)
{
    char *text = wp_machine_file_text(path, exists, diag);
    if (!text)
        return NULL;
    cJSON *doc = cJSON_ParseWithOpts(text, NULL, 1); /* 1: nothing but blanks may follow the object */
    int ours = wp_machine_doc_is_ours(doc);
    cJSON_Delete(doc);
    if (!ours) {
        free(text);
        wp_diag_error(diag, WP_ERR_FORMAT, "%s: not a wanprof machine file (a JSON object with \"schema\": \"%s\")",
                      path, WP_MACHINE_SCHEMA);
        return NULL;
    }
    return text;
}
