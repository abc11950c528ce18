#include "schedule.h"
int wp_schedule_placeholder(void) { return 0; }
