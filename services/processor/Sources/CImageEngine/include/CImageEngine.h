/// CImageEngine: PNG decoding, OpenCV-exact binarization and PNG encoding.
///
/// Decoding has its own inflate, exactly as strict as zlib's, for every image it can vouch for, and
/// libpng for the others (damaged files); the output PNG is written without libpng. libpng reports
/// errors with longjmp, which Swift cannot catch; every setjmp stays inside the .c files of this
/// target, and this header only exposes plain calls that return a status.
///
/// Memory: a plain (non-interlaced) PNG is decoded, converted and encoded row by row, so memory is
/// proportional to the width (plus the 32 KiB deflate window and a 256 KiB batch of rows). A whole-image buffer of width*height bytes (one gray byte a pixel)
/// is used only when the image needs it: Adam7 interlacing (rows arrive in seven passes), an eXIf
/// orientation 2...8 (rows leave in another order), Otsu's threshold (the histogram of the whole
/// image comes before the first output row), and CPS_OUTPUT_GRAY_RAW (the output is that buffer).
#ifndef CPNGSHIM_H
#define CPNGSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of cps_process. Everything but CPS_OK is a refusal, with a sentence in the message.
typedef enum {
    CPS_OK = 0,
    /// The bytes do not start with the PNG signature.
    CPS_NOT_PNG = 1,
    /// The data ends before the IEND chunk (or before the end of a chunk).
    CPS_TRUNCATED = 2,
    /// IHDR is missing, not first (Apple CgBI files), malformed, or out of range.
    CPS_INVALID_HEADER = 3,
    /// width*height is over the caller's limit (source_width/source_height tell the size).
    CPS_TOO_MANY_PIXELS = 4,
    /// A CRC error in a critical chunk, a bad zlib stream, missing image data, and the like.
    CPS_CORRUPT = 5,
    /// A valid PNG that the reference refuses too, for a reason other than corruption.
    CPS_UNSUPPORTED = 6,
    /// An allocation failed.
    CPS_OUT_OF_MEMORY = 7,
    /// The output PNG could not be written (should not happen).
    CPS_ENCODE_FAILED = 8,
} cps_status;

/// What cps_process produces.
typedef enum {
    /// A grayscale PNG of the binary image (0 or 255), 1 or 8 bits a pixel.
    CPS_OUTPUT_BINARY_PNG = 0,
    /// The gray image before thresholding, width*height bytes, row-major (for tests and tools).
    CPS_OUTPUT_GRAY_RAW = 1,
} cps_output;

/// Pass as threshold to use Otsu's method (OpenCV's THRESH_OTSU) over the whole gray image.
#define CPS_THRESHOLD_OTSU (-1)

typedef struct {
    /// 0...255: a pixel is white when its gray value is greater. Or CPS_THRESHOLD_OTSU.
    int threshold;
    /// Bits a pixel of the output PNG: 1 or 8.
    int bit_depth;
    /// Refuse, before decoding any pixel, an image with more pixels than this (the pixel limit in
    /// force: Swift's ImageLimits.effectiveMaxPixels). 0 until set: every image is refused.
    uint64_t max_pixels;
    /// Refuse an image whose width or height is over this (ImageLimits.maxSide). 0 until set.
    uint32_t max_side;
    /// A cps_output value.
    int output;
    /// 1 when the input is a read-only file mapping (mmap): the pages already read are given back
    /// (madvise MADV_DONTNEED) as decoding moves on, so a large file never stays resident whole.
    /// Never set it for memory the caller wrote: released pages of such memory would read as zeros.
    int release_input;
} cps_options;

typedef struct {
    /// The output (PNG or raw gray bytes), allocated with malloc; release with cps_result_release.
    uint8_t *data;
    size_t size;
    /// Size of the output image (after an eXIf rotation).
    uint32_t width;
    uint32_t height;
    /// Size in IHDR, set as soon as the header is read (also on most refusals).
    uint32_t source_width;
    uint32_t source_height;
    /// The pixel limit applied: max_pixels.
    uint64_t pixel_limit;
    /// The threshold used (Otsu's result with CPS_THRESHOLD_OTSU).
    int threshold;
    /// The eXIf orientation applied (1 when none).
    int orientation;
    cps_status status;
    /// A short English sentence for a refusal, empty on success.
    char message[200];
} cps_result;

/// Fills options with the defaults: threshold 127, 1-bit output; the caller sets the limits.
void cps_options_init(cps_options *options);

/// Decodes the PNG in png[0..<size], converts it to gray with OpenCV's formula, thresholds it and
/// encodes the result, as options say. Returns result->status. Safe on any input bytes.
cps_status cps_process(const uint8_t *png, size_t size, const cps_options *options, cps_result *result);

/// Frees result->data.
void cps_result_release(cps_result *result);

#ifdef __cplusplus
}
#endif

#endif
