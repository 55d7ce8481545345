/* The whole of a file in a malloc'ed buffer (one byte spare), or NULL when it cannot be read
   whole; shared by diff.c and bench.c. */
#ifndef ENGINE_DIFF_READ_FILE_H
#define ENGINE_DIFF_READ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint8_t *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(data);
        return NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return data;
}

#endif
