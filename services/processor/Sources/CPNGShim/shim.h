// Internal declarations shared by the .c files of CPNGShim.
#ifndef CPNGSHIM_INTERNAL_H
#define CPNGSHIM_INTERNAL_H

#include "include/CPNGShim.h"

#include <stdarg.h>

/// A chunk's place in the input: the offset of its length field, and its data length.
typedef struct {
    size_t offset;
    uint32_t length;
} cps_chunk_ref;

/// The most fdAT chunks of a first animation frame.
#define CPS_MAX_FRAME_CHUNKS 4096

/// What the chunk walk (scan.c) learnt before any pixel is decoded.
///
/// The reference runs libpng 1.6.58, and its chunk rules differ from those of the system's libpng
/// (1.6.39). So the walk applies 1.6.58's rules to every chunk, and libpng then decodes a clean
/// stream made of the signature, IHDR, the palette, the image data chunks and IEND (decode.c).
typedef struct {
    uint32_t width, height;
    int bit_depth, color_type, interlace;
    /// eXIf orientation (1 when absent or unreadable), chosen as libpng and OpenCV would.
    int orientation;
    /// The palette entries libpng keeps (palette images only), RGB triplets.
    int palette_count;
    uint8_t palette[768];
    /// The image data: the run of consecutive IDAT chunks from the first, [idat_offset, idat_end).
    size_t idat_offset, idat_end;

    /// Animated PNG: acTL before the first IDAT announces more than one frame. OpenCV then shows
    /// the first frame only, composed at its fcTL offset on a black canvas, with no orientation.
    int animated;
    /// With animated: 1 when a fcTL stands before IDAT (IDAT is the first frame), 0 when IDAT is a
    /// hidden default image and the first frame comes in fdAT chunks (frame_chunks).
    int idat_is_frame;
    /// The rectangle of the canvas (width x height) that the decoded image fills: all of it,
    /// except for an animation frame.
    uint32_t frame_x, frame_y, frame_width, frame_height;
    cps_chunk_ref frame_chunks[CPS_MAX_FRAME_CHUNKS];
    int frame_chunk_count;
} cps_png_info;

/// Walks the chunk list (cheap: lengths and types, CRCs of small chunks only) and refuses what the
/// reference refuses before pixels (see scan.c), and an image of more than pixel_limit pixels as
/// soon as IHDR is read.
cps_status cps_scan(const uint8_t *data, size_t size, uint64_t pixel_limit, uint32_t side_limit, cps_png_info *info,
                    cps_result *result);

/// The eXIf orientation as OpenCV's ExifReader reads it, 1 when none.
int cps_exif_orientation(const uint8_t *exif, size_t size);

/// Sets result->status and result->message; returns the status.
cps_status cps_fail(cps_result *result, cps_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// The layout of decoded rows, for cps_row_to_gray.
typedef struct {
    int color_type;
    int bit_depth;
    /// Gray value of each palette index (0 past the end of PLTE), for palette images.
    uint8_t palette_gray[256];
    /// 16-bit samples scaled as OpenCV does for animation frames (round(v / 255), saturated),
    /// instead of taking the high byte.
    int scale16;
} cps_row_format;

/// Converts n pixels of a raw (unfiltered, untransformed) PNG row to 8-bit gray with OpenCV's
/// formula gray = (R*9798 + G*19235 + B*3735 + 16384) >> 15.
void cps_row_to_gray(const cps_row_format *format, const uint8_t *raw, uint8_t *gray, uint32_t n);

/// The Otsu threshold of a gray image as OpenCV's PyPI wheels compute it (Intel IPP's arithmetic).
int cps_otsu_threshold(const uint8_t *gray, size_t count);

/// Binary row for the output PNG: 1 bit a pixel (MSB first) or 0/255 bytes.
void cps_binarize_row(const uint8_t *gray, uint32_t n, int threshold, int bit_depth, uint8_t *out);

/// Row-by-row PNG writer into a growing memory buffer.
typedef struct cps_encoder cps_encoder;

cps_encoder *cps_encoder_create(uint32_t width, uint32_t height, int bit_depth, const cps_options *options,
                                cps_result *result);
/// Writes the next row, already in PNG layout (packed for 1 bit). Returns 0 on success.
int cps_encoder_write_row(cps_encoder *encoder, const uint8_t *row, cps_result *result);
/// Writes the end of the PNG and hands its bytes over. Returns 0 on success.
int cps_encoder_finish(cps_encoder *encoder, uint8_t **data, size_t *size, cps_result *result);
void cps_encoder_destroy(cps_encoder *encoder);

/// Receives the gray rows of the decoded image (frame coordinates) in order, for streaming.
typedef int (*cps_row_sink)(void *context, uint32_t row, const uint8_t *gray);

/// Decodes the image (the first frame of an animation) with libpng. When canvas is not NULL, the
/// gray pixels go there (canvas_width wide, at the frame's offset); otherwise, for a non-interlaced
/// image only, each gray row goes to sink. Returns a status and fills result on failure.
cps_status cps_decode(const uint8_t *data, const cps_png_info *info, uint8_t *canvas,
                      uint32_t canvas_width, cps_row_sink sink, void *sink_context, cps_result *result);

#endif
