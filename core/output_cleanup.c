/* output_cleanup.c: see output_cleanup.h. The slots are fixed arrays: a signal handler may not allocate, and a slot
 * is marked used only after its name is complete, so the handler never reads a half-written name. */
#include "output_cleanup.h"

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define CLEANUP_SLOTS 16 /* outputs open at once: run writes two, the other commands one */

static char slot_path[CLEANUP_SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[CLEANUP_SLOTS];
static const int cleanup_signals[] = {SIGINT, SIGTERM};

void wp_cleanup_unlink_all(void)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (slot_used[i])
            unlink(slot_path[i]);
}

static void on_signal(int sig)
{
    wp_cleanup_unlink_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_once(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    for (size_t i = 0; i < sizeof(cleanup_signals) / sizeof(cleanup_signals[0]); i++) {
        struct sigaction old;
        if (sigaction(cleanup_signals[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

int wp_cleanup_register(const char *path)
{
    if (strlen(path) >= PATH_MAX)
        return -1;
    install_once();
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (!slot_used[i]) {
            strcpy(slot_path[i], path);
            slot_used[i] = 1;
            return 0;
        }
    return -1;
}

void wp_cleanup_forget(const char *path)
{
    for (int i = 0; i < CLEANUP_SLOTS; i++)
        if (slot_used[i] && strcmp(slot_path[i], path) == 0) {
            slot_used[i] = 0;
            return;
        }
}
