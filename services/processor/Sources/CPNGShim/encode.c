// Row-by-row grayscale PNG writer into a growing memory buffer, over libpng's write API.
//
// zlib settings, measured on the seven photos of the test data (bytes of all outputs; time of the
// 3840x2160 one, whose decoding alone takes most of it):
//
//   1 bit,  no filter, Z_RLE, level 1:  93,768 bytes, 78.7 ms
//   1 bit,  UP,        Z_RLE, level 1:  81,310 bytes, 78.9 ms   <- chosen
//   1 bit,  adaptive,  Z_RLE, level 1:  77,998 bytes, 82.4 ms
//   1 bit,  UP,    default,   level 6:  89,627 bytes, 81.8 ms
//   8 bits, SUB,       Z_RLE, level 1: 153,220 bytes, 87.0 ms   (the reference's encoder)
//   8 bits, UP,        Z_RLE, level 1: 120,718 bytes, 86.9 ms   <- chosen
//
// A binary image is runs of equal bytes, which Z_RLE finds as well as the full matcher at a
// fraction of the cost; the UP filter turns a row equal to the one above into zeros, which Z_RLE
// (distance-1 matches only) could not otherwise reuse. Text and diagrams gain most.
#include "shim.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct cps_encoder {
    png_structp png;
    png_infop info;
    uint8_t *data;
    size_t size, capacity;
    int out_of_memory;
    char message[160];
};

static void write_data(png_structp png, png_bytep bytes, size_t length) {
    cps_encoder *e = png_get_io_ptr(png);
    if (length > e->capacity - e->size) {
        size_t capacity = e->capacity ? e->capacity : 4096;
        while (length > capacity - e->size) {
            if (capacity > SIZE_MAX / 2) {
                e->out_of_memory = 1;
                png_error(png, "output too large");
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(e->data, capacity);
        if (!grown) {
            e->out_of_memory = 1;
            png_error(png, "out of memory");
        }
        e->data = grown;
        e->capacity = capacity;
    }
    memcpy(e->data + e->size, bytes, length);
    e->size += length;
}

static void flush_data(png_structp png) { (void)png; }

static void on_error(png_structp png, png_const_charp message) {
    cps_encoder *e = png_get_error_ptr(png);
    strncpy(e->message, message ? message : "unknown error", sizeof e->message - 1);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static cps_status encoder_failure(cps_encoder *e, cps_result *result) {
    if (e->out_of_memory)
        return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while writing the output PNG.");
    return cps_fail(result, CPS_ENCODE_FAILED, "The output PNG could not be written: %s.", e->message);
}

/// Sets the header and zlib parameters and writes the chunks before IDAT. Returns 0 on success.
static int start(cps_encoder *e, uint32_t width, uint32_t height, int bit_depth, const cps_options *options) {
    if (setjmp(png_jmpbuf(e->png)))
        return -1;
    int level = 1;
    int strategy = Z_RLE;
    int filter = PNG_FILTER_UP;
    png_set_write_fn(e->png, e, write_data, flush_data);
    png_set_IHDR(e->png, e->info, width, height, bit_depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(e->png, PNG_FILTER_TYPE_BASE, filter);
    png_set_compression_level(e->png, level);
    png_set_compression_strategy(e->png, strategy);
    png_write_info(e->png, e->info);
    return 0;
}

cps_encoder *cps_encoder_create(uint32_t width, uint32_t height, int bit_depth, const cps_options *options,
                                cps_result *result) {
    cps_encoder *e = calloc(1, sizeof *e);
    if (!e) {
        cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while writing the output PNG.");
        return NULL;
    }
    e->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, e, on_error, on_warning);
    if (e->png)
        e->info = png_create_info_struct(e->png);
    if (!e->png || !e->info) {
        cps_encoder_destroy(e);
        cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while writing the output PNG.");
        return NULL;
    }
    // A first guess of the output size saves most reallocations: binary images compress well.
    size_t guess = (size_t)width * height / (bit_depth == 1 ? 64 : 16) + 1024;
    if (guess > (1u << 20))
        guess = 1u << 20;
    e->data = malloc(guess);
    e->capacity = e->data ? guess : 0;
    if (start(e, width, height, bit_depth, options) != 0) {
        encoder_failure(e, result);
        cps_encoder_destroy(e);
        return NULL;
    }
    return e;
}

int cps_encoder_write_row(cps_encoder *e, const uint8_t *row, cps_result *result) {
    if (setjmp(png_jmpbuf(e->png))) {
        encoder_failure(e, result);
        return -1;
    }
    png_write_row(e->png, row);
    return 0;
}

int cps_encoder_finish(cps_encoder *e, uint8_t **data, size_t *size, cps_result *result) {
    if (setjmp(png_jmpbuf(e->png))) {
        encoder_failure(e, result);
        return -1;
    }
    png_write_end(e->png, e->info);
    *data = e->data;
    *size = e->size;
    e->data = NULL;
    return 0;
}

void cps_encoder_destroy(cps_encoder *e) {
    if (!e)
        return;
    if (e->png)
        png_destroy_write_struct(&e->png, e->info ? &e->info : NULL);
    free(e->data);
    free(e);
}
