/* output_cleanup.h: temporary files removed when the process is stopped by SIGINT or SIGTERM (Ctrl-C, kill), so an
 * interrupted write leaves nothing behind. The handler unlinks the registered names (async-signal-safe) and re-raises
 * the signal with its default action, so the exit status still says how the process ended. It is installed on the
 * first registration, only for a signal whose action is the default one (an ignored signal stays ignored, a handler
 * set by the program stays in charge). */
#ifndef WP_OUTPUT_CLEANUP_H
#define WP_OUTPUT_CLEANUP_H

/* Registers path for removal; 0, or -1 when all slots are taken or the name is too long (the file is then only
 * removed by a normal failure path). */
int wp_cleanup_register(const char *path);
/* Forgets path (after it was renamed or removed). */
void wp_cleanup_forget(const char *path);
/* Removes every registered file now: for a handler of the program's own that ends the process. Async-signal-safe. */
void wp_cleanup_unlink_all(void);

#endif
