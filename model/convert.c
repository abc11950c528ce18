/* convert.c: F32/BF16/F16 -> fp32 (exact) and -> bf16 (round to nearest even), bit for bit as torch's .to() does.
 * Sources come straight from a mapped file, so elements are loaded with memcpy (no alignment assumed). */
#include <string.h>

#include "wpmodel.h"

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

/* IEEE half -> float, exact for every input (subnormals are normal in float; NaN payloads kept). */
static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f) /* inf, NaN */
        return bits_f32(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        if (man == 0)
            return bits_f32(sign);
        /* subnormal: man * 2^-24; normalise the mantissa into float's implicit-one form */
        int e = -1;
        do {
            man <<= 1;
            e++;
        } while (!(man & 0x400));
        return bits_f32(sign | (uint32_t)(127 - 15 - e) << 23 | (man & 0x3ff) << 13);
    }
    return bits_f32(sign | (exp + 127 - 15) << 23 | man << 13);
}

/* torch's c10::BFloat16 rounding: any NaN -> 0x7FC0; else add 0x7FFF plus the kept lowest bit and truncate, which
 * rounds to nearest, ties to even, and carries into the exponent (so the largest floats round to infinity). */
static uint16_t f32_to_bf16(float f)
{
    uint32_t u = f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return 0x7fc0;
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

static float load_f32(const unsigned char *p, wp_st_dtype dt, size_t i)
{
    uint16_t h;
    float f;
    switch (dt) {
    case WP_ST_F32:
        memcpy(&f, p + 4 * i, 4);
        return f;
    case WP_ST_BF16:
        memcpy(&h, p + 2 * i, 2);
        return bits_f32((uint32_t)h << 16);
    default:
        memcpy(&h, p + 2 * i, 2);
        return f16_to_f32(h);
    }
}

void wp_convert_to_f32(float *dst, const void *src, wp_st_dtype src_dt, size_t n)
{
    if (src_dt != WP_ST_F32 && src_dt != WP_ST_BF16 && src_dt != WP_ST_F16)
        return;
    for (size_t i = 0; i < n; i++)
        dst[i] = load_f32(src, src_dt, i);
}

void wp_convert_to_bf16(uint16_t *dst, const void *src, wp_st_dtype src_dt, size_t n)
{
    if (src_dt == WP_ST_BF16) { /* already bf16: a copy, NaN payloads included, as torch keeps them */
        memcpy(dst, src, n * 2);
        return;
    }
    if (src_dt != WP_ST_F32 && src_dt != WP_ST_F16)
        return;
    for (size_t i = 0; i < n; i++)
        dst[i] = f32_to_bf16(load_f32(src, src_dt, i));
}
