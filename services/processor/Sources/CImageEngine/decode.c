// PNG decoding without libpng: the image data chunks walked in place, inflated (inflate.c),
// unfiltered (unfilter.c) and converted to gray (gray.c) a row or two at a time.
//
// This is the path of every image; libpng (decode_libpng.c) stays for those it cannot vouch for.
// It returns CPS_OK only when libpng 1.6.39 + zlib 1.2.13, reading the same clean stream, would
// accept the image and produce the same rows: all IDAT CRCs right (except in an animation, where
// the reference ignores them), a zlib stream that inflate.c accepts to its Adler-32, enough image
// data, filter types 0...4. Anything else - a CRC error, a damaged, truncated or unusual stream,
// too little data, a bad filter type - returns CPS_DECODE_FALLBACK, and libpng decides, from the
// start, with its own verdict and messages: on damaged data, libpng's verdict depends on details
// (an error after the last row is only a warning, and where the last row ends depends on its
// 8 KiB reads), which re-running it reproduces exactly. Extra image data and data after the zlib
// stream are accepted here, as libpng accepts them. services/processor/EngineDiff checks all
// this against the libpng path on 92,000 files and damaged variants.
//
// CPU ms of cps_process (1-bit output, threshold 127), median of 9, interleaved in one process
// with OpenCV 5.0 (imdecode, cvtColor, threshold, imencode) on one core of a 2.6 GHz EPYC:
//
//                                              OpenCV   before   now   now/OpenCV
//   12.6 MP photo mosaic, level 3, Paeth/Avg     433      359     128      0.30
//   12 MP photo with grain, level 3, Average     364      300     143      0.39
//   11.2 MP upscaled photo, OpenCV's Sub/Z_RLE   241      186     100      0.42
//   11.2 MP upscaled photo, Pillow's Paeth       256      219      73      0.29
//   8.3 MP screenshot, level 3                   130       92      27      0.21
//   8.3 MP exoplanet-phase-curve diagram         130      109      24      0.18
//   12.6 MP mosaic-4096x3072.png (test data)     247      165      51      0.21
//
// Of "now" on the grain photo: inflate about 70%, unfiltering 10%, gray 3%, output PNG 5%.
#include "engine.h"

#include <isa-l/crc.h>
#include <stdlib.h>
#include <string.h>

#ifdef CPS_DECODE_STATS
/// For engine-diff: images this path accepted, and images it left to libpng.
long cps_decode_stats[2];
#endif

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/// The run of IDAT chunks, handed out one at a time, each checked against its CRC as libpng
/// checks every IDAT it reads (not in animations, where the reference ignores CRCs). A bad CRC
/// ends the data and is remembered: the decode then falls back to libpng for its verdict.
typedef struct {
    const uint8_t *data;
    size_t pos, end;
    int check_crc, bad_crc;
    /// Pages before the chunk handed out last are given back (a mapped input file).
    cps_input input;
    size_t last_start;
} idat_source;

static int next_idat(void *context, const uint8_t **data, size_t *size) {
    idat_source *s = context;
    if (s->pos >= s->end || s->bad_crc)
        return 0;
    uint32_t length = be32(s->data + s->pos);
    if (s->check_crc) {
        uint32_t crc = crc32_gzip_refl(0, s->data + s->pos + 4, (uint64_t)length + 4);
        cps_after_isal();
        if (crc != be32(s->data + s->pos + 8 + length)) {
            s->bad_crc = 1;
            return 0;
        }
    }
    // The inflater is done with every chunk before the previous one.
    cps_input_release(&s->input, s->last_start, 1u << 20);
    s->last_start = s->pos;
    *data = s->data + s->pos + 8;
    *size = length;
    s->pos += 12 + (size_t)length;
    return 1;
}

/// The fdAT chunks of an animation's first frame, their sequence numbers left out.
typedef struct {
    const uint8_t *data;
    const cps_chunk_ref *chunks;
    int count, index;
} fdat_source;

static int next_fdat(void *context, const uint8_t **data, size_t *size) {
    fdat_source *s = context;
    if (s->index >= s->count)
        return 0;
    const cps_chunk_ref *c = &s->chunks[s->index++];
    *data = s->data + c->offset + 12;
    *size = c->length - 4;
    return 1;
}

/// Adam7: first column and row of each pass, and their steps.
static const uint8_t pass_x0[7] = {0, 4, 0, 2, 0, 1, 0}, pass_dx[7] = {8, 8, 4, 4, 2, 2, 1};
static const uint8_t pass_y0[7] = {0, 0, 4, 0, 2, 0, 1}, pass_dy[7] = {8, 8, 8, 4, 4, 2, 2};

static uint32_t pass_count(uint32_t size, uint32_t start, uint32_t step) {
    return size > start ? (size - start + step - 1) / step : 0;
}

/// Where the gray rows go, and the pass being decoded.
typedef struct {
    const cps_png_info *info;
    cps_row_format format;
    uint8_t *canvas;
    uint32_t canvas_width;
    cps_row_sink sink;
    void *sink_context;
    uint8_t *gray;
    uint32_t x0, dx, columns;
} output;

/// Converts an unfiltered row (row y of the pass) to gray and hands it on. Returns 0, or -1 when
/// the sink fails.
static int emit_row(output *o, uint32_t y, const uint8_t *row) {
    const cps_png_info *info = o->info;
    if (y >= info->frame_height)
        return 0;
    uint8_t *line = o->canvas ? o->canvas + (size_t)(info->frame_y + y) * o->canvas_width + info->frame_x : NULL;
    if (info->interlace) {
        cps_row_to_gray(&o->format, row, o->gray, o->columns);
        for (uint32_t i = 0, x = o->x0; i < o->columns && x < info->frame_width; i++, x += o->dx)
            line[x] = o->gray[i];
        return 0;
    }
    if (line) {
        cps_row_to_gray(&o->format, row, line, info->frame_width);
        return 0;
    }
    cps_row_to_gray(&o->format, row, o->gray, info->frame_width);
    return o->sink(o->sink_context, y, o->gray);
}

cps_status cps_decode(const uint8_t *data, const cps_png_info *info, uint8_t *canvas,
                      uint32_t canvas_width, cps_row_sink sink, void *sink_context, cps_result *result) {
    // A hidden-IDAT animation: the frame's fdAT chunks are an image of the frame's size.
    int fdat = info->animated && !info->idat_is_frame;
    uint32_t width = fdat ? info->frame_width : info->width, height = fdat ? info->frame_height : info->height;
    static const unsigned channels[7] = {1, 0, 3, 1, 2, 0, 4};
    unsigned bits = channels[info->color_type] * (unsigned)info->bit_depth;
    unsigned bpp = bits >= 8 ? bits / 8 : 1;
    size_t max_row = ((size_t)width * bits + 7) / 8;
    // Rows of 3 or 4 bytes a pixel are taken two at a time: two Average or Paeth rows are
    // unfiltered together (cps_unfilter_pair).
    int pairs = !info->interlace && (bpp == 3 || bpp == 4);

    output o = {.info = info, .canvas = canvas, .canvas_width = canvas_width, .sink = sink, .sink_context = sink_context};
    o.format = (cps_row_format){.color_type = info->color_type, .bit_depth = info->bit_depth, .scale16 = info->animated};
    if (info->color_type == 3)
        cps_palette_gray(info, &o.format);

    idat_source idat = {.data = data, .pos = info->idat_offset, .end = info->idat_end, .check_crc = !info->animated,
                        .input = info->input, .last_start = info->idat_offset};
    fdat_source frame = {data, info->frame_chunks, info->frame_chunk_count, 0};
    size_t most = (max_row + 1) * (pairs ? 2 : 1);
    cps_inflater *z = fdat ? cps_inflater_create(next_fdat, &frame, most) : cps_inflater_create(next_idat, &idat, most);
    // The row above, and the one or two being made.
    uint8_t *prev = calloc(max_row + 16, 1), *cur = calloc(max_row + 16, 1), *next = calloc(max_row + 16, 1);
    o.gray = malloc((size_t)width + 16);
    cps_status status = CPS_OK;
    if (!z || !prev || !cur || !next || !o.gray) {
        status = cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while decoding the PNG.");
        goto done;
    }

    int passes = info->interlace ? 7 : 1;
    for (int pass = 0; pass < passes; pass++) {
        uint32_t y0 = 0, dy = 1;
        o.x0 = 0, o.dx = 1;
        if (info->interlace)
            o.x0 = pass_x0[pass], o.dx = pass_dx[pass], y0 = pass_y0[pass], dy = pass_dy[pass];
        uint32_t rows = pass_count(height, y0, dy);
        o.columns = pass_count(width, o.x0, o.dx);
        if (o.columns == 0 || rows == 0) // libpng skips empty passes
            continue;
        size_t row_bytes = ((size_t)o.columns * bits + 7) / 8;
        memset(prev, 0, row_bytes);
        for (uint32_t r = 0; r < rows;) {
            int two = pairs && r + 1 < rows;
            const uint8_t *raw = cps_inflate_take(z, (row_bytes + 1) * (two ? 2 : 1));
            if (!raw) {
                status = CPS_DECODE_FALLBACK;
                goto done;
            }
            // Only once raw is known: an offset from NULL is undefined (found by make fuzz).
            const uint8_t *below = two ? raw + row_bytes + 1 : NULL;
            if (raw[0] > 4 || (two && below[0] > 4)) {
                status = CPS_DECODE_FALLBACK;
                goto done;
            }
            if (two && raw[0] == below[0] && cps_unfilter_pair(raw[0], raw + 1, below + 1, prev, cur, next, row_bytes, bpp)) {
                // both rows done
            } else {
                cps_unfilter_row(raw[0], raw + 1, prev, cur, row_bytes, bpp);
                if (two)
                    cps_unfilter_row(below[0], below + 1, cur, next, row_bytes, bpp);
            }
            if (emit_row(&o, y0 + r * dy, cur) != 0 || (two && emit_row(&o, y0 + (r + 1) * dy, next) != 0)) {
                status = result->status;
                goto done;
            }
            // The last row made is the next one's row above.
            uint8_t *t = prev;
            if (two) {
                prev = next;
                next = t;
            } else {
                prev = cur;
                cur = t;
            }
            r += two ? 2 : 1;
        }
    }
    if (cps_inflate_finish(z) != 0)
        status = CPS_DECODE_FALLBACK;
    // libpng reads (and checks) the IDAT chunks after the end of the stream too.
    if (status == CPS_OK && !fdat) {
        const uint8_t *rest;
        size_t rest_size;
        while (next_idat(&idat, &rest, &rest_size)) {
        }
        if (idat.bad_crc)
            status = CPS_DECODE_FALLBACK;
    }

done:
#ifdef CPS_DECODE_STATS
    if (status == CPS_OK || status == CPS_DECODE_FALLBACK)
        cps_decode_stats[status == CPS_DECODE_FALLBACK]++;
#endif
    cps_inflater_destroy(z);
    free(prev);
    free(cur);
    free(next);
    free(o.gray);
    return status;
}
