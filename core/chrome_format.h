/* chrome_format.h: the conventions our Chrome trace files follow, shared by the writer and the reader (private to
 * core/). Layout of a file we write:
 *
 *   {"wanprof":{"format":1,"version":"...","revision":"..."},"schemaVersion":1,"displayTimeUnit":"ms","traceEvents":[
 *   {"name":"process_name","ph":"M",...,"args":{"name":"rank 0 (pid 4000)","wp_index":0,...}},   <- one per process
 *   {"name":"wp_device","ph":"M",...}, {"name":"wp_meta","ph":"M",...}, {"name":"wp_dropped","ph":"M",...},
 *   {"ph":"X","cat":"kernel",...},                                                                <- one event a line
 *   ...
 *   ],"wanprofRun":{"processes":[...]},"deviceProperties":[...],"distributedInfo":{...}}
 *
 * Everything the reader needs comes inside traceEvents, in the order it is needed, so a cut file keeps every event
 * before the cut; wanprofRun (processes, metadata, drop counts), deviceProperties and distributedInfo at the end
 * are for tools that read the whole file (HTA, scripts) and are not read back.
 *
 * Tracks (Chrome tids) inside one pid: host threads keep their OS tid (masked to WP_CHROME_HOST_MASK), events of an
 * unknown thread (tid 0) go to WP_CHROME_UNKNOWN_TID, after the real threads (viewers such as speedscope order tracks
 * by tid and open the first); a GPU stream gets
 * WP_CHROME_GPU_BIT | device << 22 | stream, so it can never collide with a host tid; an X event that would partially
 * overlap the enclosing one on its track (which Perfetto drops) goes to the sibling track tid | WP_CHROME_OVERLAP_BIT.
 * The event's own fields always travel in args, so the track number is for display only. */
#ifndef WP_CHROME_FORMAT_H
#define WP_CHROME_FORMAT_H

#include <stdint.h>

#define WP_CHROME_FORMAT_VERSION 1
#define WP_CHROME_HOST_MASK 0x1fffffffu   /* Linux tids are < 2^22; anything larger is masked */
#define WP_CHROME_UNKNOWN_TID WP_CHROME_HOST_MASK
#define WP_CHROME_OVERLAP_BIT 0x20000000u /* sibling track for X events that would overlap partially */
#define WP_CHROME_GPU_BIT 0x40000000u     /* GPU tracks: device in bits 22..29, stream in bits 0..21 */
#define WP_CHROME_STREAM_MASK 0x3fffffu
#define WP_CHROME_DEVICE_MASK 0x7fu
#define WP_CHROME_NO_STREAM WP_CHROME_STREAM_MASK /* GPU track of events with a device but no stream (memory) */
#define WP_CHROME_ANON_PID 1000000000LL       /* Chrome pid base for processes whose OS pid is unknown or taken */
/* Flow ids: correlation + (process index << 40), so that ranks merged in one file never cross-link. */
#define WP_CHROME_FLOW_PROC_SHIFT 40

/* The host thread a track stands for, when an event has no "tid" arg: none for GPU, overlap and unknown tracks. */
static inline uint32_t wp_chrome_track_thread(uint32_t track)
{
    return track & (WP_CHROME_GPU_BIT | WP_CHROME_OVERLAP_BIT) || track == WP_CHROME_UNKNOWN_TID ? 0 : track;
}

#endif
