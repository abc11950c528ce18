/* version.h: the one version of this build: the release number (project() in CMakeLists.txt) and the git revision
 * of the commit built, read at build time (cmake/revision.cmake), so a rebuilt tree never reports a stale revision. */
#ifndef WP_VERSION_H
#define WP_VERSION_H

/* "0.1.0" */
const char *wp_version(void);
/* "1a2b3c4d5e6f", "1a2b3c4d5e6f-dirty" (uncommitted changes were built) or "unknown" (not built from a checkout). */
const char *wp_revision(void);
/* "0.1.0 (git 1a2b3c4d5e6f)": what --version prints and outputs record. */
const char *wp_version_text(void);

#endif
