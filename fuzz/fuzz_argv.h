/* fuzz_argv.h: turns fuzzer bytes into an argv vector for a wanprof subcommand: arguments separated by '\n', at most
 * FUZZ_MAX_ARGS, every '/' replaced by '_' so that no argument names a path outside the scratch directory the CLI
 * targets run in (commands write their outputs where their arguments say). */
#ifndef WP_FUZZ_ARGV_H
#define WP_FUZZ_ARGV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"

#define FUZZ_MAX_ARGS 24

typedef struct fuzz_argv {
    char *text;                    /* the arguments, NUL-separated (owned) */
    char *argv[FUZZ_MAX_ARGS + 2]; /* argv[0] the command name, NULL-terminated */
    int argc;
} fuzz_argv;

/* Splits data into f->argv after argv[0] = name. Returns 0, or -1 when out of memory. */
static inline int fuzz_argv_split(fuzz_argv *f, const char *name, const uint8_t *data, size_t size)
{
    f->text = malloc(size + 1);
    if (!f->text)
        return -1;
    memcpy(f->text, data, size);
    f->text[size] = '\0';
    f->argc = 0;
    f->argv[f->argc++] = (char *)name;
    char *p = f->text, *end = f->text + size;
    while (p < end && f->argc <= FUZZ_MAX_ARGS) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl)
            *nl = '\0';
        for (char *q = p; *q; q++)
            if (*q == '/')
                *q = '_';
        f->argv[f->argc++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    f->argv[f->argc] = NULL;
    return 0;
}

/* Runs cmd on f as the wanprof dispatcher does (each command's option table handles -h/--help itself). */
static inline int fuzz_argv_run(const wp_command *cmd, fuzz_argv *f)
{
    return cmd->run(f->argc, f->argv);
}

static inline void fuzz_argv_free(fuzz_argv *f)
{
    free(f->text);
}

#endif
