/* marks.c: see marks.h. */
#include <string.h>
#include <nvtx3/nvToolsExt.h>
#include "marks.h"

static nvtxDomainHandle_t wanprof_domain(void) {
    static nvtxDomainHandle_t domain;
    if (!domain) domain = nvtxDomainCreateA("wanprof");
    return domain;
}

static nvtxEventAttributes_t text_attributes(const char *text) {
    nvtxEventAttributes_t a;
    memset(&a, 0, sizeof a);
    a.version = NVTX_VERSION;
    a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
    a.messageType = NVTX_MESSAGE_TYPE_ASCII;
    a.message.ascii = text;
    return a;
}

void wp_mark_push(const char *text, int64_t payload) {
    nvtxEventAttributes_t a = text_attributes(text);
    if (payload >= 0) {
        a.payloadType = NVTX_PAYLOAD_TYPE_INT64;
        a.payload.llValue = payload;
    }
    nvtxDomainRangePushEx(wanprof_domain(), &a);
}

void wp_mark_pop(void) { nvtxDomainRangePop(wanprof_domain()); }

void wp_mark_instant(const char *text) {
    nvtxEventAttributes_t a = text_attributes(text);
    nvtxDomainMarkEx(wanprof_domain(), &a);
}
