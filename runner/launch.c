/* launch.c: see launch.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "launch.h"

/* argv without --nproc N / --nproc=N, plus --rendezvous PATH when the command has none. NULL-terminated. */
static char **rank_argv(int argc, char **argv, const char *rendezvous, int add_rendezvous) {
    char **out = calloc((size_t)argc + 3, sizeof *out);
    if (!out) return NULL;
    int k = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--nproc") == 0) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--nproc=", 8) == 0) continue;
        out[k++] = argv[i];
    }
    if (add_rendezvous) {
        out[k++] = "--rendezvous";
        out[k++] = (char *)rendezvous;
    }
    return out;
}

int wp_launch(int nproc, int argc, char **argv, const char *rendezvous) {
    char path[256];
    if (!rendezvous) {
        snprintf(path, sizeof path, "/tmp/wanprof-rendezvous-%d-%ld", (int)getpid(), (long)time(NULL));
        unlink(path);
    }
    char **args = rank_argv(argc, argv, rendezvous ? rendezvous : path, !rendezvous);
    pid_t *pids = calloc((size_t)nproc, sizeof *pids);
    if (!args || !pids) {
        fprintf(stderr, "wanprof-runner: out of memory\n");
        return 1;
    }
    char world[16];
    snprintf(world, sizeof world, "%d", nproc);
    for (int r = 0; r < nproc; r++) {
        pids[r] = fork();
        if (pids[r] < 0) {
            fprintf(stderr, "wanprof-runner: fork: %s\n", strerror(errno));
            nproc = r;
            break;
        }
        if (pids[r] == 0) {
            char rank[16];
            snprintf(rank, sizeof rank, "%d", r);
            setenv("RANK", rank, 1);
            setenv("LOCAL_RANK", rank, 1);
            setenv("WORLD_SIZE", world, 1);
            execv("/proc/self/exe", args);
            fprintf(stderr, "wanprof-runner: exec: %s\n", strerror(errno));
            _exit(127);
        }
    }
    int failed = 0;
    for (int left = nproc; left > 0; left--) {
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) break;
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok && !failed) { /* the others would wait forever in a collective */
            failed = 1;
            for (int r = 0; r < nproc; r++)
                if (pids[r] != pid) kill(pids[r], SIGTERM);
        }
    }
    free(pids);
    free(args);
    return failed;
}
