/* check.h: the unit-test assertions. A failed CHECK prints file:line and the expression (and the values for the
 * typed forms) and counts a failure; check_done() prints "N passed, N failed" and gives the exit status. */
#ifndef WP_CHECK_H
#define WP_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                                                  \
    do {                                                                                                             \
        if (cond) {                                                                                                  \
            check_passed++;                                                                                          \
        } else {                                                                                                     \
            check_failed++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                 \
        }                                                                                                            \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                                           \
    do {                                                                                                             \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                                              \
        if (check_a_ == check_b_) {                                                                                  \
            check_passed++;                                                                                          \
        } else {                                                                                                     \
            check_failed++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, check_a_,  \
                    check_b_);                                                                                       \
        }                                                                                                            \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                                           \
    do {                                                                                                             \
        const char *check_a_ = (a), *check_b_ = (b);                                                                 \
        if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) {                                               \
            check_passed++;                                                                                          \
        } else {                                                                                                     \
            check_failed++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s == %s (\"%s\" vs \"%s\")\n", __FILE__, __LINE__, #a, #b,         \
                    check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");                                 \
        }                                                                                                            \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                                        \
    do {                                                                                                             \
        double check_a_ = (double)(a), check_b_ = (double)(b);                                                       \
        if (check_a_ - check_b_ <= (tol) && check_b_ - check_a_ <= (tol)) {                                          \
            check_passed++;                                                                                          \
        } else {                                                                                                     \
            check_failed++;                                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s ~= %s (%.17g vs %.17g, tol %g)\n", __FILE__, __LINE__, #a, #b,  \
                    check_a_, check_b_, (double)(tol));                                                              \
        }                                                                                                            \
    } while (0)

/* Path of a checked-in fixture (tests/fixtures/NAME); the WP_FIXTURES environment variable is set by ctest. */
static inline const char *check_fixture(const char *name)
{
    static char path[4096];
    const char *dir = getenv("WP_FIXTURES");
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
    return path;
}

/* The whole of a file as a NUL-terminated string (malloc'd), or NULL. */
static inline char *check_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = 0;
    fclose(f);
    return s;
}

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
