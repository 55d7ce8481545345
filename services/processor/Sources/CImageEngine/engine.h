// Internal declarations shared by the .c files of CImageEngine.
#ifndef CPNGSHIM_INTERNAL_H
#define CPNGSHIM_INTERNAL_H

#include "include/CImageEngine.h"

#include <stdarg.h>

/// The input as a file mapping whose read pages can be given back to the kernel.
typedef struct {
    const uint8_t *base;
    size_t size;
    /// Bytes before this offset are released already (a page boundary).
    size_t released;
    /// 0: the input is ordinary memory and nothing is released.
    int enabled;
} cps_input;

/// Gives back the whole pages of [input->released, upto) once at least `batch` bytes have been
/// read past the last release (0: any whole page), so the system calls stay few. Re-reading a
/// released page maps it again from the page cache.
void cps_input_release(cps_input *input, size_t upto, size_t batch);

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
/// (1.6.39). So the walk applies 1.6.58's rules to every chunk; what is left is the image data,
/// which decode.c reads itself, or libpng as a clean stream made of the signature, IHDR, the
/// palette, the image data chunks and IEND (decode_libpng.c).
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
    /// The input, for giving read pages back (see cps_options.release_input). Set before cps_scan,
    /// which leaves it alone.
    cps_input input;
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

/// Fills format->palette_gray: each palette entry's gray value (0 past the end of PLTE).
void cps_palette_gray(const cps_png_info *info, cps_row_format *format);

/// Converts n pixels of a raw (unfiltered, untransformed) PNG row to 8-bit gray with OpenCV's
/// formula gray = (R*9798 + G*19235 + B*3735 + 16384) >> 15.
void cps_row_to_gray(const cps_row_format *format, const uint8_t *raw, uint8_t *gray, uint32_t n);

/// The Otsu threshold of a gray image as OpenCV's PyPI wheels compute it (Intel IPP's arithmetic).
int cps_otsu_threshold(const uint8_t *gray, size_t count);

/// Binary row for the output PNG: 1 bit a pixel (MSB first) or 0/255 bytes.
void cps_binarize_row(const uint8_t *gray, uint32_t n, int threshold, int bit_depth, uint8_t *out);

/// Receives compressed bytes: returns 0, or -1 to stop (memory ran out).
typedef int (*cps_bytes_out)(void *context, const uint8_t *bytes, size_t n);

/// A zlib stream of runs and literals, zlib's Z_RLE strategy (deflate_rle.c), handed to out.
typedef struct cps_rle_deflater cps_rle_deflater;

cps_rle_deflater *cps_rle_create(cps_bytes_out out, void *context);
/// Compresses the next n bytes of the stream. Returns 0, or -1 when out failed.
int cps_rle_compress(cps_rle_deflater *deflater, const uint8_t *in, size_t n);
/// Ends the stream (last block, Adler-32). Returns 0, or -1 when out failed.
int cps_rle_finish(cps_rle_deflater *deflater);
void cps_rle_destroy(cps_rle_deflater *deflater);

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

/// What cps_decode returns when it cannot vouch for the image (damaged or unusual image data):
/// cps_decode_libpng then decides, from the start. Never returned by cps_process.
#define CPS_DECODE_FALLBACK ((cps_status)100)

/// Decodes the image (the first frame of an animation) without libpng: inflate.c, unfilter.c and
/// gray.c. When canvas is not NULL, the gray pixels go there (canvas_width wide, at the frame's
/// offset); otherwise, for a non-interlaced image only, each gray row goes to sink. Returns
/// CPS_OK only when libpng would accept the image with the same pixels; CPS_DECODE_FALLBACK (rows
/// may have gone out already) when libpng must decide; another status on failure of its own.
cps_status cps_decode(const uint8_t *data, const cps_png_info *info, uint8_t *canvas,
                      uint32_t canvas_width, cps_row_sink sink, void *sink_context, cps_result *result);

/// Decodes as cps_decode does, with libpng (decode_libpng.c): the reference behaviour, refusals
/// and their messages included. Returns a status and fills result on failure.
cps_status cps_decode_libpng(const uint8_t *data, const cps_png_info *info, uint8_t *canvas,
                             uint32_t canvas_width, cps_row_sink sink, void *sink_context, cps_result *result);

/// Hands out the pieces of a zlib stream in order (the data of each IDAT chunk): returns 1 and
/// sets data and size, or 0 when there are no more.
typedef int (*cps_piece_source)(void *context, const uint8_t **data, size_t *size);

/// A zlib stream decoder that accepts only what zlib (driven by libpng) accepts (inflate.c).
typedef struct cps_inflater cps_inflater;

/// A decoder for the stream of source; row_bytes is the most bytes cps_inflate_take will ask for.
cps_inflater *cps_inflater_create(cps_piece_source source, void *context, size_t row_bytes);
/// The next n decoded bytes, valid until the next call; NULL when the stream is damaged, unusual,
/// or ends before them.
const uint8_t *cps_inflate_take(cps_inflater *inflater, size_t n);
/// Decodes the rest of the stream (extra data) and checks its end and Adler-32: 0 when clean.
int cps_inflate_finish(cps_inflater *inflater);
void cps_inflater_destroy(cps_inflater *inflater);

/// SIMD beyond SSE2 that the CPU offers (cpu.c): CPS_CPU_* bits, 0 off x86_64.
int cps_cpu_features(void);
#define CPS_CPU_SSSE3 1
#define CPS_CPU_SSE41 2
#define CPS_CPU_AVX 4

/// To call after ISA-L's functions: its AVX code returns with the upper halves of the vector
/// registers dirty (no vzeroupper), and every SSE instruction after it then pays for the transition
/// (measured: the Paeth filter and the gray conversion 2.2x slower). Clears them where AVX exists.
void cps_after_isal(void);

/// Reverses PNG filter type `filter` (0...4) on a row of n bytes: out = raw + the prediction from
/// out's previous pixel (bpp bytes back) and prev, the row above (zeros for a first row). raw, prev
/// and out are distinct and readable (out writable) 16 bytes past n.
void cps_unfilter_row(int filter, const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n, unsigned bpp);

/// Reverses filter type `filter` on two consecutive rows that both have it: raw0 (the row below
/// prev) into out0 and raw1 (the row below that) into out1, their work interleaved: Average and
/// Paeth go a pixel at a time, and two rows' chains of dependent operations overlap. Returns 0,
/// having done nothing, where that is not available (another filter, bpp other than 3 or 4, no
/// SSE4.1 for Paeth): cps_unfilter_row then, twice.
int cps_unfilter_pair(int filter, const uint8_t *raw0, const uint8_t *raw1, const uint8_t *prev, uint8_t *out0,
                      uint8_t *out1, size_t n, unsigned bpp);

#endif
