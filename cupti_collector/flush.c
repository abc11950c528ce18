/* flush.c: the writer thread. It sleeps on a pipe; it wakes when CUPTI completes a buffer (convert and write it), every
 * flush interval (ask CUPTI for its completed buffers, write them, commit: a SIGKILL then loses at most one interval),
 * when a signal handler asks for a full flush, and at exit (forced flush, close). Application threads never wait for
 * it, except the exit and signal paths, and those only for a bounded time. */
#include "collector.h"

#include <cupti.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FINISH_WAIT_S 10 /* the longest exit waits for the last buffers to be written */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void wpc_writer_wake(void)
{
    if (wpc.wake_fd[1] >= 0) {
        char c = 1;
        ssize_t r = write(wpc.wake_fd[1], &c, 1); /* a full pipe already means "wake up" */
        (void)r;
    }
}

static void drain_fd(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
}

void wpc_drain_and_commit(void)
{
    wpc_buffer *b = wpc_queue_take();
    while (b) {
        wpc_buffer *next = b->next;
        wpc_convert_buffer(b->data, b->valid);
        wpc_buffer_release(b);
        b = next;
    }
    wpc_write_dropped();
    wp_diag diag;
    memset(&diag, 0, sizeof(diag));
    if (wpc.out && wp_writer_flush(wpc.out, &diag) != 0) {
        static int warned;
        if (!warned++)
            wpc_warn("writing %s failed: %s; the file holds what was written before", wpc.cfg.output, diag.error);
    }
}

static void write_queued(void)
{
    wpc_buffer *b = wpc_queue_take();
    while (b) {
        wpc_buffer *next = b->next;
        wpc_convert_buffer(b->data, b->valid);
        wpc_buffer_release(b);
        b = next;
    }
}

static void close_output(void)
{
    if (!wpc.out)
        return;
    wpc_write_dropped();
    wpc_nvtx_flush_pending();
    uint64_t open_ranges = wpc_nvtx_open_ranges();
    if ((wpc.ranges_unmatched || open_ranges) && wpc.tool->meta) {
        char v[96];
        snprintf(v, sizeof(v), "{\"unmatched_ends\":%llu,\"open_at_exit\":%llu}",
                 (unsigned long long)wpc.ranges_unmatched, (unsigned long long)open_ranges);
        wpc.tool->meta(wpc.tool, 0, "nvtx_incomplete_ranges", v);
    }
    if (wpc.tool->meta) { /* its absence tells `wanprof run` the process ended early (killed, signal) */
        char v[96];
        snprintf(v, sizeof(v), "{\"events\":%llu,\"dropped\":%llu}", (unsigned long long)wpc.events,
                 (unsigned long long)wpc.dropped);
        wpc.tool->meta(wpc.tool, 0, "collector_end", v);
    }
    if (wpc.buffers_refused)
        wpc_warn("%llu CUPTI buffer requests refused (writer behind); %llu records dropped, counted in the output",
                 (unsigned long long)wpc.buffers_refused, (unsigned long long)wpc.dropped);
    wp_diag diag;
    memset(&diag, 0, sizeof(diag));
    if (wp_writer_close(wpc.out, &diag) != 0)
        wpc_warn("closing %s failed: %s", wpc.cfg.output, diag.error);
    wpc.out = NULL;
    wpc_nvtx_free();
}

static void *writer_main(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* signals are the application's threads' business */
    double next_flush = now_s() + wpc.cfg.flush_interval;
    for (;;) {
        int timeout_ms = -1;
        if (wpc.cfg.flush_interval > 0) {
            double left = next_flush - now_s();
            timeout_ms = left > 0 ? (int)(left * 1000) + 1 : 0;
        }
        struct pollfd pfd = {.fd = wpc.wake_fd[0], .events = POLLIN};
        poll(&pfd, 1, timeout_ms);
        drain_fd(wpc.wake_fd[0]);
        int stop = wpc.stop_requested, sig = wpc.signal_flush;
        int periodic = wpc.cfg.flush_interval > 0 && now_s() >= next_flush;
        if (stop || sig || periodic)
            cuptiActivityFlushAll(stop || sig ? CUPTI_ACTIVITY_FLAG_FLUSH_FORCED : 0);
        pthread_mutex_lock(&wpc.out_lock);
        if (stop || sig || periodic)
            wpc_drain_and_commit();
        else
            write_queued();
        if (stop)
            close_output();
        pthread_mutex_unlock(&wpc.out_lock);
        if (periodic)
            next_flush = now_s() + wpc.cfg.flush_interval;
        if (sig) {
            wpc.signal_flush = 0;
            char c = 1;
            ssize_t r = write(wpc.done_fd[1], &c, 1);
            (void)r;
        }
        if (stop)
            return NULL;
    }
}

static int make_pipe(int fd[2])
{
    if (pipe2(fd, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    return 0;
}

int wpc_writer_start(void)
{
    if (make_pipe(wpc.wake_fd) != 0 || make_pipe(wpc.done_fd) != 0) {
        wpc_warn("pipe: %s; not recording", strerror(errno));
        return -1;
    }
    if (pthread_create(&wpc.writer, NULL, writer_main, NULL) != 0) {
        wpc_warn("cannot start the writer thread; not recording");
        return -1;
    }
    wpc.writer_running = 1;
    return 0;
}

void wpc_writer_finish(void)
{
    if (!wpc.writer_running)
        return;
    wpc.stop_requested = 1;
    wpc_writer_wake();
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += FINISH_WAIT_S;
    if (pthread_timedjoin_np(wpc.writer, NULL, &deadline) == 0) {
        wpc.writer_running = 0;
        wpc.active = 0;
        return;
    }
    wpc_warn("the last buffers were not written within %d s; the output holds everything up to the last flush",
             FINISH_WAIT_S);
}
