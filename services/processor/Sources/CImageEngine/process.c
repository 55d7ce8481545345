// cps_process: scan, decode, threshold and encode, streaming rows whenever the image allows.
#include "engine.h"

#include <stdlib.h>
#include <string.h>

void cps_options_init(cps_options *options) {
    options->threshold = 127;
    options->bit_depth = 1;
    options->max_pixels = 0;
    options->max_side = 0;
    options->output = CPS_OUTPUT_BINARY_PNG;
    options->release_input = 0;
}

void cps_result_release(cps_result *result) {
    free(result->data);
    result->data = NULL;
    result->size = 0;
}

/// Writes canvas rows to the encoder, in order, filling the rows and columns outside the frame
/// with black (only animation frames have any).
typedef struct {
    cps_encoder *encoder;
    cps_result *result;
    const cps_png_info *info;
    int threshold, bit_depth;
    uint32_t next_row;
    uint8_t *line;   // canvas-wide gray row, black outside the frame
    uint8_t *packed; // the PNG row
} stream;

static int write_line(stream *s, const uint8_t *gray) {
    cps_binarize_row(gray, s->info->width, s->threshold, s->bit_depth, s->packed);
    return cps_encoder_write_row(s->encoder, s->packed, s->result);
}

static int write_black_rows(stream *s, uint32_t until) {
    memset(s->line, 0, s->info->width);
    for (; s->next_row < until; s->next_row++)
        if (write_line(s, s->line) != 0)
            return -1;
    return 0;
}

static int stream_row(void *context, uint32_t row, const uint8_t *gray) {
    stream *s = context;
    const cps_png_info *info = s->info;
    uint32_t y = info->frame_y + row;
    if (s->next_row < y && write_black_rows(s, y) != 0)
        return -1;
    s->next_row = y + 1;
    if (info->frame_x == 0 && info->frame_width == info->width)
        return write_line(s, gray);
    memset(s->line, 0, info->width);
    memcpy(s->line + info->frame_x, gray, info->frame_width);
    return write_line(s, s->line);
}

/// Output row y of the canvas seen through the eXIf orientation (OpenCV's ExifTransform).
static void oriented_row(const uint8_t *canvas, uint32_t w, uint32_t h, int orientation, uint32_t y, uint8_t *out) {
    switch (orientation) {
    case 2: // mirrored left-right
        for (uint32_t x = 0; x < w; x++) out[x] = canvas[(size_t)y * w + (w - 1 - x)];
        break;
    case 3: // rotated 180°
        for (uint32_t x = 0; x < w; x++) out[x] = canvas[(size_t)(h - 1 - y) * w + (w - 1 - x)];
        break;
    case 4: // mirrored top-bottom
        memcpy(out, canvas + (size_t)(h - 1 - y) * w, w);
        break;
    case 5: // transposed
        for (uint32_t x = 0; x < h; x++) out[x] = canvas[(size_t)x * w + y];
        break;
    case 6: // rotated 90° clockwise
        for (uint32_t x = 0; x < h; x++) out[x] = canvas[(size_t)(h - 1 - x) * w + y];
        break;
    case 7: // transverse
        for (uint32_t x = 0; x < h; x++) out[x] = canvas[(size_t)(h - 1 - x) * w + (w - 1 - y)];
        break;
    case 8: // rotated 90° counter-clockwise
        for (uint32_t x = 0; x < h; x++) out[x] = canvas[(size_t)x * w + (w - 1 - y)];
        break;
    default:
        memcpy(out, canvas + (size_t)y * w, w);
        break;
    }
}

/// Encodes the whole gray canvas, oriented, as the binary output PNG.
static cps_status encode_canvas(const uint8_t *canvas, const cps_png_info *info, const cps_options *options,
                                cps_result *result) {
    uint32_t w = result->width, h = result->height;
    uint8_t *line = malloc((size_t)w + 16), *packed = malloc((size_t)w + 16);
    cps_encoder *encoder = NULL;
    cps_status status = CPS_OK;
    if (!line || !packed) {
        status = cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while writing the output PNG.");
        goto done;
    }
    encoder = cps_encoder_create(w, h, options->bit_depth, options, result);
    if (!encoder) {
        status = result->status;
        goto done;
    }
    for (uint32_t y = 0; y < h; y++) {
        oriented_row(canvas, info->width, info->height, info->orientation, y, line);
        cps_binarize_row(line, w, result->threshold, options->bit_depth, packed);
        if (cps_encoder_write_row(encoder, packed, result) != 0) {
            status = result->status;
            goto done;
        }
    }
    if (cps_encoder_finish(encoder, &result->data, &result->size, result) != 0)
        status = result->status;
done:
    cps_encoder_destroy(encoder);
    free(line);
    free(packed);
    return status;
}

/// Decodes into a whole-image gray buffer, then thresholds (Otsu needs all pixels first) and
/// orients it. Costs width*height bytes.
static cps_status process_buffered(const uint8_t *png, const cps_png_info *info,
                                   const cps_options *options, cps_result *result) {
    size_t area = (size_t)info->width * info->height;
    uint8_t *canvas = calloc(area, 1);
    if (!canvas)
        return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory for a %u×%u image.", info->width, info->height);
    cps_status status = cps_decode(png, info, canvas, info->width, NULL, NULL, result);
    if (status == CPS_DECODE_FALLBACK) // libpng decides, over the same canvas
        status = cps_decode_libpng(png, info, canvas, info->width, NULL, NULL, result);
    if (status != CPS_OK) {
        free(canvas);
        return status;
    }
    result->threshold = options->threshold == CPS_THRESHOLD_OTSU ? cps_otsu_threshold(canvas, area)
                                                                 : options->threshold;
    if (options->output == CPS_OUTPUT_GRAY_RAW) {
        if (info->orientation < 2 || info->orientation > 8) {
            result->data = canvas;
            result->size = area;
            return CPS_OK;
        }
        uint8_t *oriented = malloc(area);
        if (!oriented) {
            free(canvas);
            return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory for a %u×%u image.", info->width, info->height);
        }
        for (uint32_t y = 0; y < result->height; y++)
            oriented_row(canvas, info->width, info->height, info->orientation, y, oriented + (size_t)y * result->width);
        free(canvas);
        result->data = oriented;
        result->size = area;
        return CPS_OK;
    }
    status = encode_canvas(canvas, info, options, result);
    free(canvas);
    return status;
}

/// Decodes, thresholds and encodes one row at a time: memory proportional to the width.
static cps_status process_streaming(const uint8_t *png, const cps_png_info *info,
                                    const cps_options *options, cps_result *result) {
    stream s = {.result = result, .info = info, .threshold = options->threshold, .bit_depth = options->bit_depth};
    s.line = malloc((size_t)info->width + 16);
    s.packed = malloc((size_t)info->width + 16);
    cps_status status = CPS_OK;
    if (!s.line || !s.packed) {
        status = cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory while writing the output PNG.");
        goto done;
    }
    result->threshold = options->threshold;
    for (int attempt = 0; attempt < 2; attempt++) {
        // The second attempt is libpng's, from scratch: the rows of the first went to a discarded encoder.
        cps_encoder_destroy(s.encoder);
        s.next_row = 0;
        s.encoder = cps_encoder_create(info->width, info->height, options->bit_depth, options, result);
        if (!s.encoder) {
            status = result->status;
            goto done;
        }
        status = attempt == 0 ? cps_decode(png, info, NULL, 0, stream_row, &s, result)
                              : cps_decode_libpng(png, info, NULL, 0, stream_row, &s, result);
        if (status != CPS_DECODE_FALLBACK)
            break;
    }
    if (status == CPS_OK && write_black_rows(&s, info->height) != 0)
        status = result->status;
    if (status == CPS_OK && cps_encoder_finish(s.encoder, &result->data, &result->size, result) != 0)
        status = result->status;
done:
    cps_encoder_destroy(s.encoder);
    free(s.line);
    free(s.packed);
    return status;
}

cps_status cps_process(const uint8_t *png, size_t size, const cps_options *options, cps_result *result) {
    memset(result, 0, sizeof *result);
    result->orientation = 1;
    uint64_t limit = options->max_pixels;
    result->pixel_limit = limit;
    if (options->output == CPS_OUTPUT_BINARY_PNG && options->bit_depth != 1 && options->bit_depth != 8)
        return cps_fail(result, CPS_UNSUPPORTED, "The output bit depth must be 1 or 8.");
    if (options->threshold != CPS_THRESHOLD_OTSU && (options->threshold < 0 || options->threshold > 255))
        return cps_fail(result, CPS_UNSUPPORTED, "The threshold must be between 0 and 255.");
    if (!png && size > 0)
        return cps_fail(result, CPS_NOT_PNG, "The data is not a PNG image (no PNG signature).");

    // The scan result holds up to CPS_MAX_FRAME_CHUNKS chunk references: keep it off the stack.
    cps_png_info *info = malloc(sizeof *info);
    if (!info)
        return cps_fail(result, CPS_OUT_OF_MEMORY, "Out of memory.");
    info->input = (cps_input){.base = png, .size = size, .enabled = options->release_input && png};
    cps_status status = cps_scan(png ? png : (const uint8_t *)"", size, limit, options->max_side, info, result);
    if (status != CPS_OK)
        goto done;
    // What the walk read is given back; decoding reads the image data again from the start.
    cps_input_release(&info->input, size, 0);
    info->input.released = 0;
    int transposed = info->orientation >= 5 && info->orientation <= 8;
    result->width = transposed ? info->height : info->width;
    result->height = transposed ? info->width : info->height;
    result->orientation = info->orientation >= 2 && info->orientation <= 8 ? info->orientation : 1;
    int buffered = info->interlace || result->orientation != 1 || options->threshold == CPS_THRESHOLD_OTSU ||
                   options->output == CPS_OUTPUT_GRAY_RAW;
    status = buffered ? process_buffered(png, info, options, result)
                      : process_streaming(png, info, options, result);
done:
    free(info);
    if (status != CPS_OK) {
        cps_result_release(result);
        result->status = status;
    } else {
        result->status = CPS_OK;
        result->message[0] = 0;
    }
    return status;
}
