/* signals.c: SIGINT and SIGTERM. The handler asks the writer thread for a full flush (through its pipe: the only
 * async-signal-safe way to reach it), waits for the acknowledgement at most FLUSH_WAIT_MS (the interrupted thread may
 * hold a lock CUPTI needs), then hands the signal on exactly as if the collector were not there: to the handler the
 * application had installed before, or the default action (re-raised, so the exit status says "killed by SIGTERM").
 * A handler the application installs later replaces this one; the exit path and the periodic flush still hold. */
#include "collector.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_WAIT_MS 3000

static struct sigaction previous[2];
static const int handled[2] = {SIGINT, SIGTERM};

static int slot_of(int sig)
{
    return sig == SIGINT ? 0 : 1;
}

static void flush_for_signal(void)
{
    if (!wpc.active || !wpc.writer_running || getpid() != wpc.pid)
        return;
    char buf[64];
    while (read(wpc.done_fd[0], buf, sizeof(buf)) > 0) {
    }
    wpc.signal_flush = 1;
    wpc_writer_wake();
    struct pollfd pfd = {.fd = wpc.done_fd[0], .events = POLLIN};
    poll(&pfd, 1, FLUSH_WAIT_MS);
}

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
    int saved_errno = errno;
    flush_for_signal();
    const struct sigaction *prev = &previous[slot_of(sig)];
    errno = saved_errno;
    if (prev->sa_flags & SA_SIGINFO) {
        if (prev->sa_sigaction)
            prev->sa_sigaction(sig, info, uctx);
    } else if (prev->sa_handler == SIG_IGN) {
        return;
    } else if (prev->sa_handler == SIG_DFL) {
        /* Default action (terminate): restore it and deliver the signal again once this handler returns. */
        signal(sig, SIG_DFL);
        raise(sig);
    } else {
        prev->sa_handler(sig);
    }
}

void wpc_signals_install(void)
{
    for (int i = 0; i < 2; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_signal;
        if (sigaction(handled[i], NULL, &previous[i]) != 0)
            continue;
        /* Keep the application's restart semantics for interrupted system calls. */
        sa.sa_flags = SA_SIGINFO | (previous[i].sa_flags & (SA_RESTART | SA_ONSTACK));
        sigemptyset(&sa.sa_mask);
        if (!(previous[i].sa_flags & SA_SIGINFO) && previous[i].sa_handler == SIG_IGN)
            continue; /* nohup-style: the application ignores it; so do we */
        sigaction(handled[i], &sa, NULL);
    }
}
