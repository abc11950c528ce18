/* launch.h: `wanprof-runner --nproc N`: the same command as N processes, one per GPU, as torchrun would start them
 * (RANK, WORLD_SIZE, LOCAL_RANK in their environment, a fresh rendezvous file), then waits for them all. The
 * launcher itself never touches CUDA, so a profiler injected into it records only the ranks. */
#ifndef WP_RUNNER_LAUNCH_H
#define WP_RUNNER_LAUNCH_H

/* Returns the exit status for the launcher: 0 when every rank succeeded, else 1 (a failed rank stops the others). */
int wp_launch(int nproc, int argc, char **argv, const char *rendezvous);

#endif
