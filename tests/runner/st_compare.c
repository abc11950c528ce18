/* st_compare: ||a - b|| / ||b|| of one tensor in two safetensors files (fp32, bf16 or fp16), for the runner's
 * multi-GPU test. usage: st_compare A B NAME TOL   exit 0 when within TOL, 1 when not, 2 on bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "wpmodel.h"

static float *load(const char *path, const char *name, size_t *n) {
    char err[512];
    wp_safetensors *st;
    if (wp_st_open(path, &st, err, sizeof err)) {
        fprintf(stderr, "st_compare: %s\n", err);
        exit(2);
    }
    const wp_st_tensor *t = wp_st_find(st, name);
    if (!t || t->dtype == WP_ST_OTHER) {
        fprintf(stderr, "st_compare: %s: no float tensor \"%s\"\n", path, name);
        exit(2);
    }
    *n = t->nbytes / wp_st_dtype_size(t->dtype);
    float *v = malloc(*n * sizeof *v);
    wp_convert_to_f32(v, t->data, t->dtype, *n);
    wp_st_close(st);
    return v;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: st_compare A B NAME TOL\n");
        return 2;
    }
    size_t na, nb;
    float *a = load(argv[1], argv[3], &na), *b = load(argv[2], argv[3], &nb);
    if (na != nb) {
        fprintf(stderr, "st_compare: %s has %zu elements in %s, %zu in %s\n", argv[3], na, argv[1], nb, argv[2]);
        return 2;
    }
    double num = 0, den = 0, tol = atof(argv[4]);
    for (size_t i = 0; i < na; i++) {
        double d = (double)a[i] - b[i];
        num += isnan(d) ? INFINITY : d * d;
        den += (double)b[i] * b[i];
    }
    double rel = sqrt(num / den);
    printf("%s %s: rel %.3e (tol %.0e)\n", rel <= tol ? "PASS" : "FAIL", argv[3], rel, tol);
    free(a);
    free(b);
    return rel <= tol ? 0 : 1;
}
