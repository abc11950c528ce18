/* schedule.h: placeholder, replaced by the schedule calculator. */
#ifndef WP_SCHEDULE_H
#define WP_SCHEDULE_H
int wp_schedule_placeholder(void);
#endif
