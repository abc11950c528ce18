/* machine_protocol.h: what wanprof-calibrate (calibrate/) and `wanprof calibrate` (cli/) agree on: the id of the
 * machine document the program prints and the command stores (schemas/machine.schema.json), and the program's exit
 * status for "no GPU to measure", which the command tells from a failed measurement. */
#ifndef WP_MACHINE_PROTOCOL_H
#define WP_MACHINE_PROTOCOL_H

#define WP_MACHINE_SCHEMA "wanprof.machine/1"
#define WP_CALIBRATE_EXIT_NO_GPU 3

#endif
