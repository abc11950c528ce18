/* run_launch.c: finding the collector, the environment children inherit, and the child process itself: execvp (never
 * a shell), signals sent to wanprof passed on, wanprof's death passed on, the exit status passed back. */
#include "run_priv.h"

#include "../core/parts.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child_pid;

const char *run_find_collector(char *buf, size_t n) { return wp_part_find(WP_PART_COLLECTOR, buf, n, NULL); }

const char *run_find_runner(char *buf, size_t n) { return wp_part_find(WP_PART_RUNNER, buf, n, NULL); }

int run_visible_gpus(void)
{
    const char *visible = getenv("CUDA_VISIBLE_DEVICES");
    if (visible) {
        int count = 0;
        for (const char *p = visible; *p;) {
            size_t len = strcspn(p, ",");
            if (len)
                count++;
            p += len + (p[len] == ',');
        }
        return count;
    }
    DIR *d = opendir("/proc/driver/nvidia/gpus");
    if (!d)
        return 0;
    int count = 0;
    for (struct dirent *e; (e = readdir(d));)
        count += e->d_name[0] != '.';
    closedir(d);
    return count;
}

/* libcupti handles NVTX for the collector; naming it up front also catches NVTX calls made before CUDA starts. The
 * libcupti meant is the one the collector loads: found by loading the collector here (its dependencies resolve as
 * they will in the program) and asking where a CUPTI function came from. */
static void set_nvtx_injection(const char *collector)
{
    const char *set = getenv("NVTX_INJECTION64_PATH");
    if (set && *set)
        return;
    void *lib = dlopen(collector, RTLD_LAZY | RTLD_LOCAL);
    if (!lib)
        return; /* the collector sets it when CUDA starts (it knows where its libcupti is) */
    Dl_info where;
    void *fn = dlsym(lib, "cuptiGetVersion");
    if (fn && dladdr(fn, &where) && where.dli_fname && strstr(where.dli_fname, "cupti"))
        setenv("NVTX_INJECTION64_PATH", where.dli_fname, 1);
    dlclose(lib);
}

int run_set_environment(const run_opts *o, const char *collector)
{
    char parts[4400];
    snprintf(parts, sizeof(parts), "%s/r%%r-p%%p.sqlite", o->parts_dir);
    if (setenv("WANPROF_OUTPUT", parts, 1) != 0 || setenv("WANPROF_QUIET", "1", 1) != 0)
        return -1;
    if (o->trace)
        setenv("WANPROF_TRACE", o->trace, 1);
    if (o->flush_interval)
        setenv("WANPROF_FLUSH_INTERVAL", o->flush_interval, 1);
    if (o->capture_range) {
        char v[1100];
        snprintf(v, sizeof(v), "nvtx:%s", o->capture_range);
        setenv("WANPROF_CAPTURE_RANGE", v, 1);
    }
    if (!collector)
        return 0;
    const char *prev = getenv("CUDA_INJECTION64_PATH");
    if (prev && *prev && strcmp(prev, collector) != 0)
        fprintf(stderr, "wanprof run: warning: CUDA_INJECTION64_PATH was %s (another profiler?); replaced by the "
                        "wanprof collector (one CUPTI user per process)\n", prev);
    if (setenv("CUDA_INJECTION64_PATH", collector, 1) != 0)
        return -1;
    if (!o->trace || strstr(o->trace, "nvtx") || strstr(o->trace, "all"))
        set_nvtx_injection(collector);
    return 0;
}

/* A signal sent to wanprof alone (kill, a batch system) goes on to the child. One the terminal sends (Ctrl-C) has
 * already reached the whole process group, the child included: passing it on would deliver it twice. */
static void forward_signal(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    if (child_pid > 0 && info->si_code != SI_KERNEL)
        kill(child_pid, sig);
}

static void install_forwarding(struct sigaction saved[3])
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = forward_signal;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, &saved[i]);
    }
}

static void restore_signals(const struct sigaction saved[3])
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &saved[i], NULL);
}

/* In the child: dies with wanprof (a `kill -9` of wanprof must not leave the program running unprofiled and
 * unwatched), then exec, or report errno through the close-on-exec pipe and exit 127. SIGTERM rather than SIGKILL: the
 * collector flushes on it, so what was recorded is kept. The death signal survives exec. */
static void exec_child(char **command, int report_fd, pid_t parent, int stdout_to_stderr)
{
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent) /* wanprof died before prctl took effect */
        _exit(128 + SIGTERM);
    if (stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        _exit(126);
    execvp(command[0], command);
    int err = errno;
    ssize_t r = write(report_fd, &err, sizeof(err));
    (void)r;
    _exit(127);
}

int run_command(char **command, int stdout_to_stderr)
{
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        fprintf(stderr, "wanprof run: pipe: %s\n", strerror(errno));
        return 1;
    }
    fflush(NULL);
    struct sigaction saved[3];
    install_forwarding(saved);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "wanprof run: fork: %s\n", strerror(errno));
        restore_signals(saved);
        return 1;
    }
    if (pid == 0) {
        restore_signals(saved);
        close(report[0]);
        exec_child(command, report[1], parent, stdout_to_stderr);
    }
    child_pid = pid;
    close(report[1]);
    int err = 0;
    ssize_t got;
    do
        got = read(report[0], &err, sizeof(err));
    while (got < 0 && errno == EINTR);
    close(report[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    child_pid = 0;
    restore_signals(saved);
    if (got == (ssize_t)sizeof(err)) {
        fprintf(stderr, "wanprof run: cannot run '%s': %s\n", command[0], strerror(err));
        return err == ENOENT ? 127 : 126;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
