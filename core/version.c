#include "version.h"

#include "wp_revision.h" /* generated into the build tree at every build */

const char *wp_version(void) { return WANPROF_VERSION; }
const char *wp_revision(void) { return WP_GIT_REVISION; }
const char *wp_version_text(void) { return WANPROF_VERSION " (git " WP_GIT_REVISION ")"; }
