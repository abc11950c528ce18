/* test_strtab.c: interning returns stable ids, resolves them back, and survives growth past its first blocks. */
#include "check.h"
#include "event.h"
#include "strtab.h"

int main(void)
{
    wp_strtab *t = wp_strtab_new();
    CHECK(t != NULL);
    CHECK_EQ_INT(wp_strtab_intern_cstr(t, ""), 0);
    uint32_t a = wp_strtab_intern_cstr(t, "ampere_sgemm");
    uint32_t b = wp_strtab_intern(t, "ampere_sgemm_extra", 12); /* same first 12 bytes */
    CHECK_EQ_INT(a, b);
    CHECK_EQ_STR(wp_strtab_get(t, a), "ampere_sgemm");
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        snprintf(buf, sizeof(buf), "kernel_%d", i);
        if (wp_strtab_intern_cstr(t, buf) != (uint32_t)(i + 2)) {
            CHECK(!"ids are dense and in insertion order");
            break;
        }
    }
    CHECK_EQ_INT(wp_strtab_count(t), 200002);
    CHECK_EQ_INT(wp_strtab_intern_cstr(t, "kernel_123"), 125);
    CHECK_EQ_STR(wp_strtab_get(t, 200001), "kernel_199999");
    CHECK_EQ_STR(wp_strtab_get(t, 999999999), "");
    char big[5000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    uint32_t id = wp_strtab_intern_cstr(t, big);
    CHECK_EQ_INT(strlen(wp_strtab_get(t, id)), sizeof(big) - 1);
    wp_strtab_free(t);

    CHECK_EQ_INT(wp_mem_kind_from_cupti(1), WP_MEM_PAGEABLE);
    CHECK_EQ_INT(wp_mem_kind_from_cupti(2), WP_MEM_PINNED);
    CHECK_EQ_INT(wp_mem_kind_from_cupti(0), WP_MEM_UNKNOWN);
    CHECK_EQ_STR(wp_copy_kind_name(WP_COPY_PTOP), "PtoP");
    return check_done();
}
