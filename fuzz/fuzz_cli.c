/* fuzz_cli.c: the wanprof command line: a fuzzed argv handed to a subcommand's run function, as main() would. Runs in
 * a scratch directory (chdir at start) holding small valid traces, restored before every input because commands
 * write (export, report -o, explain --write-back), and arguments cannot name paths outside it (fuzz_argv.h).
 * `run` is left out: it executes the program its arguments name, so a fuzzed argv would run arbitrary programs;
 * its option parsing is shared with nothing else and is covered by tests/cli/test_run.sh.
 * Input: the subcommand name, a newline, then its arguments one per line. The traces in the directory are
 * s.json, s.json.gz, s.sqlite (ours), n.sqlite (nsys layout), read at start from WP_FUZZ_SEED_DIR/base. */
#include "fuzz_argv.h"
#include "fuzz_common.h"

#include <dirent.h>
#include <sys/stat.h>

#ifndef WP_FUZZ_SEED_DIR
#define WP_FUZZ_SEED_DIR "."
#endif

typedef struct scratch_file {
    const char *name; /* in the scratch directory */
    const char *base; /* in the seed directory's base/ */
    unsigned char *data;
    size_t len;
} scratch_file;

static scratch_file files[] = {
    {"s.json", "small.json", NULL, 0},
    {"s.json.gz", "small.json.gz", NULL, 0},
    {"s.sqlite", "ours.sqlite", NULL, 0},
    {"n.sqlite", "nsys.sqlite", NULL, 0},
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static void load(scratch_file *f, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/base/%s", dir, f->base);
    FILE *in = fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "fuzz_cli: cannot open %s (run fuzz/make_seeds.sh or set WP_FUZZ_SEED_DIR)\n", path);
        exit(1);
    }
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    rewind(in);
    f->data = malloc((size_t)n);
    f->len = fread(f->data, 1, (size_t)n, in);
    fclose(in);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("WP_FUZZ_SEED_DIR");
    for (size_t i = 0; i < NFILES; i++)
        load(&files[i], dir ? dir : WP_FUZZ_SEED_DIR);
    char scratch[512];
    fuzz_path(scratch, sizeof(scratch), "cli", ".d");
    mkdir(scratch, 0700);
    if (chdir(scratch) != 0) {
        perror(scratch);
        exit(1);
    }
    return 0;
}

/* Empties the scratch directory (the current one) and puts the traces back. */
static void reset_scratch(void)
{
    DIR *d = opendir(".");
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(e->d_name);
    if (d)
        closedir(d);
    for (size_t i = 0; i < NFILES; i++)
        fuzz_write_file(files[i].name, files[i].data, files[i].len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    if (!nl || nl - data > 31)
        return 0;
    char name[32];
    memcpy(name, data, (size_t)(nl - data));
    name[nl - data] = '\0';
    const wp_command *cmd = wp_command_find(name);
    if (!cmd || strcmp(cmd->name, "run") == 0)
        return 0;
    fuzz_argv f;
    if (fuzz_argv_split(&f, cmd->name, nl + 1, size - (size_t)(nl + 1 - data)) != 0)
        return 0;
    reset_scratch();
    int rc = fuzz_argv_run(cmd, &f);
    if (rc != EXIT_OK && rc != EXIT_BAD_INPUT && rc != EXIT_USAGE)
        abort(); /* the documented exit codes are 0, 1, 2 */
    fuzz_argv_free(&f);
    fflush(stdout);
    return 0;
}
