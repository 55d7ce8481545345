// engine-bench: CPU time of cps_process, old engine (a git revision: the libpng-only engine by default) against new, in process. Built and
// run by bench.sh.
//
//   engine-bench [-r RUNS] [-m MODE] FILE...    MODE: binary (1 bit, 127: the default), otsu, gray
//   engine-bench -1 old|new [-m MODE] FILE      one run of one engine (for peak RSS)
//   engine-bench -e old|new [-r RUNS] FILE...   runs of one engine only (for perf)
//
// Prints, per file, the median CPU milliseconds (user + system) of each engine, their ratio and
// the output sizes.
#include "CImageEngine.h"
#include "read_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

cps_status old_cps_process(const uint8_t *png, size_t size, const cps_options *options, cps_result *result);
void old_cps_result_release(cps_result *result);

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void options_for(const char *mode, cps_options *o) {
    cps_options_init(o);
    o->max_pixels = 1u << 30;
    o->max_side = 1000000;
    if (strcmp(mode, "otsu") == 0)
        o->threshold = CPS_THRESHOLD_OTSU;
    else if (strcmp(mode, "gray") == 0)
        o->output = CPS_OUTPUT_GRAY_RAW;
}

int main(int argc, char **argv) {
    int runs = 9, i = 1;
    const char *mode = "binary", *single = NULL, *only = NULL;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            return 2;
        if (strcmp(argv[i], "-r") == 0)
            runs = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-m") == 0)
            mode = argv[i + 1];
        else if (strcmp(argv[i], "-1") == 0)
            single = argv[i + 1];
        else if (strcmp(argv[i], "-e") == 0)
            only = argv[i + 1];
    }
    cps_options o;
    options_for(mode, &o);
    for (; i < argc; i++) {
        size_t size;
        uint8_t *data = read_file(argv[i], &size);
        if (!data)
            return 2;
        cps_result r;
        if (single) {
            cps_status s = strcmp(single, "old") == 0 ? old_cps_process(data, size, &o, &r) : cps_process(data, size, &o, &r);
            printf("%s: status %d, %zu bytes\n", argv[i], s, r.size);
            free(data);
            return s == CPS_OK ? 0 : 1;
        }
        double *told = malloc(sizeof(double) * (size_t)runs), *tnew = malloc(sizeof(double) * (size_t)runs);
        size_t old_size = 0, new_size = 0;
        for (int k = 0; k < runs; k++) {
            double t0 = cpu_now(), t1 = t0, t2, t3;
            if (!only || strcmp(only, "old") == 0) {
                old_cps_process(data, size, &o, &r);
                t1 = cpu_now();
                old_size = r.size;
                old_cps_result_release(&r);
            }
            t2 = t3 = cpu_now();
            if (!only || strcmp(only, "new") == 0) {
                cps_process(data, size, &o, &r);
                t3 = cpu_now();
                new_size = r.size;
                cps_result_release(&r);
            }
            told[k] = (t1 - t0) * 1e3;
            tnew[k] = (t3 - t2) * 1e3;
        }
        qsort(told, (size_t)runs, sizeof(double), by_value);
        qsort(tnew, (size_t)runs, sizeof(double), by_value);
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        printf("%-40s old %7.1f ms  new %7.1f ms  new/old %.2f  output old %zu new %zu bytes\n", name,
               told[runs / 2], tnew[runs / 2], tnew[runs / 2] / told[runs / 2], old_size, new_size);
        fflush(stdout);
        free(told);
        free(tnew);
        free(data);
    }
    return 0;
}
