/* test_convert.c: dtype conversion against independent references: F16 -> F32 for all 65,536 halves against the
 * IEEE formula (ldexp); F32 -> BF16 against rounding done in double (the nearer of the two neighbours, ties to the
 * even one) on a million pseudo-random floats plus the corner cases (ties both ways, carries into the exponent and
 * to infinity, subnormals, signed zero, NaNs that plain truncation would turn into infinity). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "wpmodel.h"

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static double f16_reference(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    double v = exp == 0 ? ldexp(man, -24) : exp == 31 ? (man ? NAN : INFINITY) : ldexp(1024 + man, exp - 25);
    return sign ? -v : v;
}

/* The bf16 nearest to f, ties to even, computed with doubles from the two bf16 neighbours. */
static uint16_t bf16_reference(float f)
{
    if (isnan(f))
        return 0x7fc0;
    uint32_t u = to_bits(f);
    uint16_t lo = (uint16_t)(u >> 16), hi = (uint16_t)(lo + 1);
    if ((u & 0xffff) == 0)
        return lo;
    double x = fabs((double)f), a = fabs((double)from_bits((uint32_t)lo << 16));
    /* hi may be infinity (lo = largest finite): treat it as 2^128, where round-to-nearest puts the boundary */
    double b = (hi & 0x7fff) == 0x7f80 ? ldexp(1.0, 128) : fabs((double)from_bits((uint32_t)hi << 16));
    if (x - a < b - x)
        return lo;
    if (x - a > b - x)
        return hi;
    return (lo & 1) ? hi : lo;
}

static uint16_t bf16_of(float f)
{
    uint16_t out;
    wp_convert_to_bf16(&out, &f, WP_ST_F32, 1);
    return out;
}

static void test_bf16_corners(void)
{
    static const struct { uint32_t in; uint16_t out; } cases[] = {
        {0x3f800000, 0x3f80}, /* 1.0 exact */
        {0x3f808000, 0x3f80}, /* tie between 0x3f80 and 0x3f81: to even, down */
        {0x3f818000, 0x3f82}, /* tie between 0x3f81 and 0x3f82: to even, up */
        {0x3f808001, 0x3f81}, /* just above the tie */
        {0x3f807fff, 0x3f80}, /* just below */
        {0xbf808000, 0xbf80}, /* negative tie */
        {0xbf818000, 0xbf82},
        {0x3fffffff, 0x4000}, /* carry into the exponent */
        {0x7f7fffff, 0x7f80}, /* largest float rounds to infinity */
        {0x7f7f7fff, 0x7f7f}, /* stays finite */
        {0x7f800000, 0x7f80}, {0xff800000, 0xff80}, /* infinities */
        {0x7f800001, 0x7fc0}, /* signalling NaN: truncation would give infinity */
        {0xffc00000, 0x7fc0}, {0x7fffffff, 0x7fc0},
        {0x00008000, 0x0000}, /* subnormal tie to even zero */
        {0x00018000, 0x0002},
        {0x80000000, 0x8000}, /* -0 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint16_t got = bf16_of(from_bits(cases[i].in));
        if (got != cases[i].out)
            fprintf(stderr, "bf16(0x%08x) = 0x%04x, expected 0x%04x\n", cases[i].in, got, cases[i].out);
        CHECK_EQ_INT(got, cases[i].out);
    }
}

static void test_bf16_random(void)
{
    uint64_t state = 0x9e3779b97f4a7c15ull;
    int bad = 0;
    for (int i = 0; i < 1000000; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t u = (uint32_t)(state >> 32);
        if (i % 4 == 0) /* a quarter on exact ties */
            u = (u & 0xffff0000u) | 0x8000u;
        float f = from_bits(u);
        bad += bf16_of(f) != bf16_reference(f);
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_f16_all(void)
{
    int bad = 0, bad_bf16 = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        uint16_t in = (uint16_t)h;
        float f;
        wp_convert_to_f32(&f, &in, WP_ST_F16, 1);
        double ref = f16_reference(in);
        if (isnan(ref) ? !isnan(f) : (f != ref || !signbit(f) != !signbit(ref)))
            bad++;
        uint16_t b;
        wp_convert_to_bf16(&b, &in, WP_ST_F16, 1);
        bad_bf16 += b != bf16_reference((float)ref);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(bad_bf16, 0);
    uint16_t h = 0x3c0c, b; /* 1 + 3*2^-8: a bf16 tie, to even 0x3f82 */
    wp_convert_to_bf16(&b, &h, WP_ST_F16, 1);
    CHECK_EQ_INT(b, 0x3f82);
}

static void test_unaligned_and_bf16(void)
{
    unsigned char buf[1 + 3 * 4];
    float in[3] = {1.5f, -2.25f, 3.0e-40f};
    memcpy(buf + 1, in, sizeof(in));
    float out[3];
    wp_convert_to_f32(out, buf + 1, WP_ST_F32, 3); /* src at an odd address */
    CHECK(memcmp(out, in, sizeof(in)) == 0);

    uint16_t bf[3] = {0x3fc0, 0xc010, 0x7fa1}; /* 1.5, -2.25, a NaN with a payload */
    wp_convert_to_f32(out, bf, WP_ST_BF16, 3);
    CHECK(out[0] == 1.5f && out[1] == -2.25f && isnan(out[2]));
    uint16_t copy[3];
    wp_convert_to_bf16(copy, bf, WP_ST_BF16, 3);
    CHECK(memcmp(copy, bf, sizeof(bf)) == 0);

    out[0] = 7.0f; /* OTHER: nothing written */
    wp_convert_to_f32(out, bf, WP_ST_OTHER, 1);
    CHECK(out[0] == 7.0f);
}

int main(void)
{
    test_bf16_corners();
    test_bf16_random();
    test_f16_all();
    test_unaligned_and_bf16();
    return check_done();
}
