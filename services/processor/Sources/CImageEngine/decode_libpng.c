// PNG decoding with libpng's row API, one raw row at a time: the reference path, which decides
// every image the fast decoder (decode.c) cannot vouch for. That is where libpng stays: on
// damaged image data, libpng's verdict (and message) depends on how it drives zlib - an error
// after the last row is a warning, and where the last row ends depends on its 8 KiB reads - and
// running it is the exact way to have it. Valid files never come here (engine-diff counts them).
//
// libpng reads a clean stream built from the input (build_stream): the signature, IHDR, the palette
// chosen by the chunk walk, the input's own IDAT chunks and IEND. The walk (scan.c) has already
// applied the reference's chunk rules, which are those of libpng 1.6.58 and differ from the
// system's 1.6.39; what is left to libpng is the image data, where both behave the same: IDAT CRC
// errors, zlib errors (the Adler-32 included), too little data and bad filter bytes are errors,
// extra data is tolerated. The first frame of an animated PNG is fed the same way, its fdAT chunks
// renamed IDAT, with CRCs ignored as OpenCV does there.
//
// No libpng transform is set: each raw row is converted to gray here (gray.c), which is exact and
// cheaper than expanding to BGR first.
#include "engine.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/// A piece of the stream libpng reads.
typedef struct {
    const uint8_t *bytes;
    size_t length;
} segment;

typedef struct {
    png_structp png;
    png_infop info, end_info;
    segment *segments;
    int segment_count, segment_index;
    size_t segment_offset;
    /// Chunk headers and IHDR made for the virtual stream.
    uint8_t *scratch;
    uint8_t *raw, *gray;
    int truncated;
    char message[160];
} decoder;

static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
static const uint8_t iend_chunk[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void read_data(png_structp png, png_bytep out, size_t length) {
    decoder *d = png_get_io_ptr(png);
    while (length > 0) {
        if (d->segment_index >= d->segment_count) {
            d->truncated = 1;
            png_error(png, "the data ends early");
        }
        const segment *s = &d->segments[d->segment_index];
        size_t n = s->length - d->segment_offset;
        if (n > length)
            n = length;
        memcpy(out, s->bytes + d->segment_offset, n);
        out += n;
        length -= n;
        d->segment_offset += n;
        if (d->segment_offset == s->length) {
            d->segment_index++;
            d->segment_offset = 0;
        }
    }
}

static void on_error(png_structp png, png_const_charp message) {
    decoder *d = png_get_error_ptr(png);
    strncpy(d->message, message ? message : "unknown error", sizeof d->message - 1);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static uint8_t *put_chunk_header(uint8_t *p, uint32_t length, const char *type) {
    put32(p, length);
    memcpy(p + 4, type, 4);
    return p + 8;
}

/// The clean stream that libpng decodes: signature, IHDR, the palette chosen by the chunk walk,
/// the image data chunks and IEND (see cps_png_info). The image data are the input's own IDAT
/// chunks, so that libpng checks their CRCs and sees the same chunk boundaries as the reference;
/// for a hidden-IDAT animation they are the first frame's fdAT chunks, renamed.
static int build_stream(decoder *d, const uint8_t *data, const cps_png_info *info) {
    int fdat = info->animated && !info->idat_is_frame ? info->frame_chunk_count : 0;
    d->segments = calloc((size_t)fdat * 3 + 6, sizeof(segment));
    d->scratch = malloc(25 + 12 + 768 + (size_t)fdat * 8);
    if (!d->segments || !d->scratch)
        return -1;
    segment *s = d->segments;
    *s++ = (segment){signature, 8};
    uint8_t *ihdr = d->scratch;
    memcpy(ihdr, data + 8, 25);
    if (fdat) {
        put32(ihdr + 8, info->frame_width);
        put32(ihdr + 12, info->frame_height);
        put32(ihdr + 21, (uint32_t)crc32(0L, ihdr + 4, 17));
    }
    *s++ = (segment){ihdr, 25};
    uint8_t *p = ihdr + 25;
    if (info->color_type == PNG_COLOR_TYPE_PALETTE) {
        uint32_t length = (uint32_t)info->palette_count * 3;
        uint8_t *body = put_chunk_header(p, length, "PLTE");
        memcpy(body, info->palette, length);
        put32(body + length, (uint32_t)crc32(0L, p + 4, length + 4));
        *s++ = (segment){p, length + 12};
        p = body + length + 4;
    }
    if (!fdat) {
        *s++ = (segment){data + info->idat_offset, info->idat_end - info->idat_offset};
    }
    for (int i = 0; i < fdat; i++) {
        // fdAT = sequence number + IDAT data: drop the number, rename, keep the CRC (ignored).
        const cps_chunk_ref *c = &info->frame_chunks[i];
        const uint8_t *chunk = data + c->offset;
        put_chunk_header(p, c->length - 4, "IDAT");
        *s++ = (segment){p, 8};
        *s++ = (segment){chunk + 12, (size_t)c->length - 4};
        *s++ = (segment){chunk + 8 + c->length, 4};
        p += 8;
    }
    *s++ = (segment){iend_chunk, 12};
    d->segment_count = (int)(s - d->segments);
    return 0;
}

/// Rows of an interlaced image arrive pass by pass, each pass a reduced image: scatter them.
static void read_interlaced(decoder *d, const cps_row_format *format, uint32_t width, uint32_t height,
                            const cps_png_info *info, uint8_t *canvas, uint32_t canvas_width) {
    for (int pass = 0; pass < 7; pass++) {
        uint32_t columns = PNG_PASS_COLS(width, pass), rows = PNG_PASS_ROWS(height, pass);
        // libpng skips empty passes.
        if (columns == 0 || rows == 0)
            continue;
        uint32_t x0 = PNG_PASS_START_COL(pass), dx = 1u << PNG_PASS_COL_SHIFT(pass);
        uint32_t y0 = PNG_PASS_START_ROW(pass), dy = 1u << PNG_PASS_ROW_SHIFT(pass);
        for (uint32_t r = 0; r < rows; r++) {
            png_read_row(d->png, d->raw, NULL);
            uint32_t y = y0 + r * dy;
            if (y >= info->frame_height)
                continue;
            cps_row_to_gray(format, d->raw, d->gray, columns);
            uint8_t *line = canvas + (size_t)(info->frame_y + y) * canvas_width + info->frame_x;
            for (uint32_t i = 0, x = x0; i < columns && x < info->frame_width; i++, x += dx)
                line[x] = d->gray[i];
        }
    }
}

static cps_status failure(decoder *d, cps_result *result) {
    if (d->truncated)
        return cps_fail(result, CPS_TRUNCATED, "The PNG file is truncated.");
    if (strstr(d->message, "out of memory") || strstr(d->message, "Out of memory"))
        return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while decoding the PNG.");
    return cps_fail(result, CPS_CORRUPT, "The PNG data is corrupt: %s.", d->message);
}

static void destroy(decoder *d) {
    if (d->png)
        png_destroy_read_struct(&d->png, d->info ? &d->info : NULL, d->end_info ? &d->end_info : NULL);
    free(d->raw);
    free(d->gray);
    free(d->segments);
    free(d->scratch);
}

cps_status cps_decode_libpng(const uint8_t *data, const cps_png_info *info, uint8_t *canvas,
                      uint32_t canvas_width, cps_row_sink sink, void *sink_context, cps_result *result) {
    decoder d_storage;
    decoder *d = &d_storage;
    memset(d, 0, sizeof *d);
    if (build_stream(d, data, info) != 0) {
        destroy(d);
        return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while decoding the PNG.");
    }
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, on_error, on_warning);
    if (d->png) {
        d->info = png_create_info_struct(d->png);
        d->end_info = png_create_info_struct(d->png);
    }
    if (!d->png || !d->info || !d->end_info) {
        destroy(d);
        return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while decoding the PNG.");
    }
    if (setjmp(png_jmpbuf(d->png))) {
        cps_status status = failure(d, result);
        destroy(d);
        return status;
    }
    png_set_read_fn(d->png, d, read_data);
    // The reference ignores CRCs in animations; elsewhere an IDAT CRC error is an error.
    if (info->animated)
        png_set_crc_action(d->png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
    else
        png_set_crc_action(d->png, PNG_CRC_DEFAULT, PNG_CRC_DEFAULT);
    // libpng 1.6.39 limits an IDAT chunk to about the image's size; 1.6.58 does not.
    png_set_chunk_malloc_max(d->png, 0);
    png_read_info(d->png, d->info);

    png_uint_32 width, height;
    int bit_depth, color_type, interlace;
    png_get_IHDR(d->png, d->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    cps_row_format format = {.color_type = color_type, .bit_depth = bit_depth, .scale16 = info->animated};
    if (color_type == PNG_COLOR_TYPE_PALETTE)
        cps_palette_gray(info, &format);
    png_read_update_info(d->png, d->info);
    d->raw = malloc(png_get_rowbytes(d->png, d->info) + 16);
    d->gray = malloc((size_t)width + 16);
    if (!d->raw || !d->gray)
        png_error(d->png, "out of memory");

    if (interlace != PNG_INTERLACE_NONE) {
        read_interlaced(d, &format, width, height, info, canvas, canvas_width);
    } else {
        for (uint32_t y = 0; y < height; y++) {
            png_read_row(d->png, d->raw, NULL);
            if (y >= info->frame_height)
                continue;
            if (canvas) {
                uint8_t *line = canvas + (size_t)(info->frame_y + y) * canvas_width + info->frame_x;
                cps_row_to_gray(&format, d->raw, line, info->frame_width);
            } else {
                cps_row_to_gray(&format, d->raw, d->gray, info->frame_width);
                if (sink(sink_context, y, d->gray) != 0) {
                    destroy(d);
                    return result->status;
                }
            }
        }
    }
    png_read_end(d->png, d->end_info);
    destroy(d);
    return CPS_OK;
}
