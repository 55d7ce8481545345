// Row-by-row grayscale PNG writer into a growing memory buffer: signature, IHDR, IDAT chunks of
// at most 1 MiB, IEND. Every row has the UP filter. libpng is not needed for this.
//
// The zlib stream, measured on the binary images (threshold 127) of 8 images: the exoplanet
// diagram, kodim23, and 8 to 12.6 MP ones (a photo with grain, two photo mosaics, an upscaled
// photo, two screenshots). Bytes of all 8 outputs; CPU of the compression of the 12.6 MP mosaic's:
//
//   1 bit,  zlib level 1, Z_RLE (libpng's, before):  1,602,596 bytes, 10.3 ms
//   1 bit,  ISA-L level 1 (levels 2, 3 no smaller):  1,805,783 bytes,  3.0 ms
//   1 bit,  deflate_rle.c:                           1,598,352 bytes,  5.2 ms   <- chosen
//   8 bits, zlib level 1, Z_RLE (before):            2,389,155 bytes, 30.4 ms
//   8 bits, ISA-L level 1:                           2,760,111 bytes,  6.7 ms
//   8 bits, deflate_rle.c:                           2,388,907 bytes, 10.0 ms   <- chosen
//
// ISA-L's matcher misses runs that distance-1 matches take whole: its files are 12% larger
// (up to 35% on a single image, 2x at 8 bits on some). deflate_rle.c makes zlib's Z_RLE tokens,
// and so zlib's sizes, in half zlib's time. The UP filter turns a row equal to the one above into
// zeros, which distance-1 matches could not otherwise reuse; text and diagrams gain most.
#include "engine.h"

#include <isa-l/crc.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#endif

/// An IDAT chunk is closed once it holds this much.
#define CHUNK_LIMIT (1u << 20)

struct cps_encoder {
    uint8_t *data;
    size_t size, capacity;
    /// Offset of the open IDAT chunk's length field.
    size_t chunk;
    int out_of_memory;
    size_t row_bytes;
    /// The row above, and the filtered row.
    uint8_t *prev, *filtered;
    cps_rle_deflater *deflater;
};

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/// Room for n more bytes. Returns 0, or -1 when memory runs out.
static int reserve(cps_encoder *e, size_t n) {
    if (n <= e->capacity - e->size)
        return 0;
    size_t capacity = e->capacity ? e->capacity : 4096;
    while (n > capacity - e->size) {
        if (capacity > SIZE_MAX / 2)
            return -1;
        capacity *= 2;
    }
    uint8_t *grown = realloc(e->data, capacity);
    if (!grown)
        return -1;
    e->data = grown;
    e->capacity = capacity;
    return 0;
}

static void open_idat(cps_encoder *e) {
    e->chunk = e->size;
    memcpy(e->data + e->size + 4, "IDAT", 4);
    e->size += 8;
}

/// Writes the open chunk's length and CRC (room for the CRC is always kept).
static void close_chunk(cps_encoder *e) {
    size_t length = e->size - e->chunk - 8;
    put32(e->data + e->chunk, (uint32_t)length);
    put32(e->data + e->size, crc32_gzip_refl(0, e->data + e->chunk + 4, (uint64_t)length + 4));
    cps_after_isal();
    e->size += 4;
}

/// The deflater's output, into IDAT chunks.
static int write_compressed(void *context, const uint8_t *bytes, size_t n) {
    cps_encoder *e = context;
    while (n > 0) {
        size_t room = CHUNK_LIMIT - (e->size - e->chunk - 8), k = n < room ? n : room;
        // k bytes, then the CRC and the next chunk's header.
        if (reserve(e, k + 16) != 0) {
            e->out_of_memory = 1;
            return -1;
        }
        memcpy(e->data + e->size, bytes, k);
        e->size += k;
        bytes += k;
        n -= k;
        if (e->size - e->chunk - 8 == CHUNK_LIMIT) {
            close_chunk(e);
            open_idat(e);
        }
    }
    return 0;
}

static cps_status failure(cps_result *result) {
    return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while writing the output PNG.");
}

cps_encoder *cps_encoder_create(uint32_t width, uint32_t height, int bit_depth, const cps_options *options,
                                cps_result *result) {
    (void)options;
    cps_encoder *e = calloc(1, sizeof *e);
    if (!e) {
        failure(result);
        return NULL;
    }
    e->row_bytes = bit_depth == 1 ? ((size_t)width + 7) / 8 : width;
    e->prev = calloc(e->row_bytes + 1, 1);
    e->filtered = malloc(e->row_bytes + 1);
    e->deflater = cps_rle_create(write_compressed, e);
    // A first guess of the output size saves most reallocations: binary images compress well.
    size_t guess = (size_t)width * height / (bit_depth == 1 ? 64 : 16) + 1024;
    if (!e->prev || !e->filtered || !e->deflater || reserve(e, guess < (1u << 20) ? guess : (1u << 20)) != 0) {
        cps_encoder_destroy(e);
        failure(result);
        return NULL;
    }
    static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    uint8_t *p = e->data;
    memcpy(p, signature, 8);
    put32(p + 8, 13);
    memcpy(p + 12, "IHDR", 4);
    put32(p + 16, width);
    put32(p + 20, height);
    p[24] = (uint8_t)bit_depth;
    p[25] = 0;                 // gray
    p[26] = p[27] = p[28] = 0; // deflate, adaptive filtering, no interlace
    put32(p + 29, (uint32_t)crc32(0L, p + 12, 17));
    e->size = 33;
    open_idat(e);
    return e;
}

int cps_encoder_write_row(cps_encoder *e, const uint8_t *row, cps_result *result) {
    uint8_t *out = e->filtered;
    out[0] = 2; // UP
    size_t i = 0;
#if defined(__x86_64__) || defined(_M_X64)
    for (; i + 16 <= e->row_bytes; i += 16) {
        __m128i up = _mm_loadu_si128((const __m128i *)(e->prev + i));
        _mm_storeu_si128((__m128i *)(out + 1 + i), _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(row + i)), up));
    }
#endif
    for (; i < e->row_bytes; i++)
        out[1 + i] = (uint8_t)(row[i] - e->prev[i]);
    memcpy(e->prev, row, e->row_bytes);
    if (cps_rle_compress(e->deflater, out, e->row_bytes + 1) != 0) {
        failure(result);
        return -1;
    }
    return 0;
}

int cps_encoder_finish(cps_encoder *e, uint8_t **data, size_t *size, cps_result *result) {
    if (cps_rle_finish(e->deflater) != 0 || reserve(e, 16) != 0) {
        failure(result);
        return -1;
    }
    close_chunk(e);
    static const uint8_t iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    memcpy(e->data + e->size, iend, 12);
    e->size += 12;
    *data = e->data;
    *size = e->size;
    e->data = NULL;
    return 0;
}

void cps_encoder_destroy(cps_encoder *e) {
    if (!e)
        return;
    cps_rle_destroy(e->deflater);
    free(e->filtered);
    free(e->prev);
    free(e->data);
    free(e);
}
