// The chunk walk that runs before any pixel is decoded.
//
// The reference is OpenCV's PNG decoder: its own reader goes over the chunks up to the first IDAT
// (with a few limits of its own), then libpng 1.6.58 reads the file from the start to IEND. This
// walk applies both sets of rules to the chunk list, so the refusals match, and it finds what must
// be known before the first row: the eXIf orientation (which may stand after IDAT), the palette, the
// run of IDAT chunks, and the first frame of an animated PNG. It reads lengths, types and the small
// chunks it needs; libpng checks the image data (IDAT CRCs, zlib, filters) while decoding.
#include "engine.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define CHUNK(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

enum {
    ID_IHDR = CHUNK('I', 'H', 'D', 'R'),
    ID_IDAT = CHUNK('I', 'D', 'A', 'T'),
    ID_IEND = CHUNK('I', 'E', 'N', 'D'),
    ID_PLTE = CHUNK('P', 'L', 'T', 'E'),
    ID_tRNS = CHUNK('t', 'R', 'N', 'S'),
    ID_tEXt = CHUNK('t', 'E', 'X', 't'),
    ID_bKGD = CHUNK('b', 'K', 'G', 'D'),
    ID_eXIf = CHUNK('e', 'X', 'I', 'f'),
    ID_acTL = CHUNK('a', 'c', 'T', 'L'),
    ID_fcTL = CHUNK('f', 'c', 'T', 'L'),
    ID_fdAT = CHUNK('f', 'd', 'A', 'T'),
    ID_CgBI = CHUNK('C', 'g', 'B', 'I'),
};

/// libpng's default limit on the size of an ancillary chunk, which OpenCV's own chunk reader
/// also applies to the chunks before IDAT.
#define USER_CHUNK_MALLOC_MAX 8000000u

static const uint8_t png_signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

cps_status cps_fail(cps_result *result, cps_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(result->message, sizeof result->message, format, args);
    va_end(args);
    result->status = status;
    return status;
}

/// The CRC of the chunk whose length field is at `chunk`.
static int crc_ok(const uint8_t *chunk, uint32_t length) {
    uLong crc = crc32(0L, chunk + 4, (uInt)length + 4);
    return (uint32_t)crc == be32(chunk + 8 + length);
}

/// libpng 1.6.58's rule for chunk types: four ASCII letters, the third one upper case.
static int valid_type(uint32_t id) {
    for (int i = 0; i < 4; i++) {
        unsigned c = (id >> (24 - 8 * i)) & 0xFFu;
        if (i != 2)
            c &= ~32u;
        if (c < 'A' || c > 'Z')
            return 0;
    }
    return 1;
}

static int is_critical(uint32_t id) { return ((id >> 24) & 32u) == 0; }

/// As png_check_IHDR: the combinations of colour type and bit depth that PNG allows.
static int valid_depth(int color_type, int bit_depth) {
    switch (color_type) {
    case 0: return bit_depth == 1 || bit_depth == 2 || bit_depth == 4 || bit_depth == 8 || bit_depth == 16;
    case 3: return bit_depth == 1 || bit_depth == 2 || bit_depth == 4 || bit_depth == 8;
    case 2: case 4: case 6: return bit_depth == 8 || bit_depth == 16;
    default: return 0;
    }
}

static cps_status read_header(const uint8_t *data, size_t size, uint32_t side_limit, cps_png_info *info,
                              cps_result *result) {
    if (size < 8 || memcmp(data, png_signature, 8) != 0)
        return cps_fail(result, CPS_NOT_PNG, "The data is not a PNG image (no PNG signature).");
    if (size < 16)
        return cps_fail(result, CPS_TRUNCATED, "The PNG file ends before its header.");
    uint32_t length = be32(data + 8);
    uint32_t id = be32(data + 12);
    if (id == ID_CgBI)
        return cps_fail(result, CPS_INVALID_HEADER,
                        "The PNG starts with Apple's CgBI chunk instead of IHDR (an iOS-optimised file).");
    if (id != ID_IHDR)
        return cps_fail(result, CPS_INVALID_HEADER, "The first chunk of the PNG is not IHDR.");
    if (length != 13)
        return cps_fail(result, CPS_INVALID_HEADER, "The IHDR chunk has %u bytes instead of 13.", length);
    if (size < 8 + 25)
        return cps_fail(result, CPS_TRUNCATED, "The PNG file ends inside its header.");
    const uint8_t *h = data + 16;
    info->width = be32(h);
    info->height = be32(h + 4);
    info->bit_depth = h[8];
    info->color_type = h[9];
    info->interlace = h[12];
    result->source_width = info->width;
    result->source_height = info->height;
    if (!crc_ok(data + 8, 13))
        return cps_fail(result, CPS_CORRUPT, "The IHDR chunk has a CRC error.");
    if (info->width == 0 || info->height == 0)
        return cps_fail(result, CPS_INVALID_HEADER, "The image has zero width or height.");
    if (info->width > side_limit || info->height > side_limit)
        return cps_fail(result, CPS_INVALID_HEADER, "The image is %u×%u: width or height is over %u.",
                        info->width, info->height, side_limit);
    if (!valid_depth(info->color_type, info->bit_depth))
        return cps_fail(result, CPS_INVALID_HEADER, "IHDR has an invalid colour type (%d) or bit depth (%d).",
                        info->color_type, info->bit_depth);
    if (h[10] != 0 || h[11] != 0 || info->interlace > 1)
        return cps_fail(result, CPS_INVALID_HEADER, "IHDR has an unknown compression, filter or interlace method.");
    return CPS_OK;
}

/// The state of libpng's reading: what it has seen so far.
typedef struct {
    int have_palette;
    /// A valid tRNS or bKGD chunk came first: libpng then drops the (optional) PLTE of a colour image.
    int have_trns_or_bkgd;
    int have_exif;
    const uint8_t *exif;
    uint32_t exif_length;
    int after_idat;
    int animated;
} walk_state;

/// libpng 1.6.58's png_handle_PLTE, whose errors are fatal for palette images only.
static cps_status palette_chunk(walk_state *w, cps_png_info *info, const uint8_t *chunk, uint32_t length,
                                cps_result *result) {
    if (info->color_type == 3) {
        if (w->have_palette)
            return cps_fail(result, CPS_CORRUPT, "The PNG has a second PLTE chunk.");
        if (length > 768 || length % 3 != 0)
            return cps_fail(result, CPS_CORRUPT, "The PLTE chunk has an invalid length (%u bytes).", length);
        // CRC errors are ignored in the reference's animation path.
        if (!w->animated && !crc_ok(chunk, length))
            return cps_fail(result, CPS_CORRUPT, "The PLTE chunk has a CRC error.");
    } else if ((info->color_type & 2) == 0 || w->have_palette || w->after_idat || length > 768 || length % 3 != 0 ||
               w->have_trns_or_bkgd) {
        return CPS_OK; // An optional palette: libpng skips it with a warning.
    }
    uint32_t limit = info->color_type == 3 ? 1u << info->bit_depth : 256;
    uint32_t count = length / 3 > limit ? limit : length / 3;
    if (count == 0)
        return cps_fail(result, CPS_CORRUPT, "The PLTE chunk is empty.");
    w->have_palette = 1;
    if (info->color_type == 3) {
        info->palette_count = (int)count;
        memcpy(info->palette, chunk + 8, (size_t)count * 3);
    }
    return CPS_OK;
}

/// libpng 1.6.58's rules for a chunk other than IDAT, before or after the image data.
static cps_status other_chunk(walk_state *w, cps_png_info *info, const uint8_t *chunk, uint32_t length,
                              cps_result *result) {
    uint32_t id = be32(chunk + 4);
    switch (id) {
    case ID_IHDR:
        return cps_fail(result, CPS_CORRUPT, "The PNG has a second IHDR chunk.");
    case ID_IEND:
        return cps_fail(result, CPS_CORRUPT, "The IEND chunk comes before the image data.");
    case ID_PLTE:
        return palette_chunk(w, info, chunk, length, result);
    case ID_tRNS:
        if (!w->after_idat && info->color_type == 2 && length == 6 && crc_ok(chunk, length))
            w->have_trns_or_bkgd = 1;
        return CPS_OK;
    case ID_bKGD:
        if (!w->after_idat && (info->color_type & 2) && info->color_type != 3 && length == 6 && crc_ok(chunk, length))
            w->have_trns_or_bkgd = 1;
        return CPS_OK;
    case ID_eXIf: {
        // The first valid eXIf of the file counts, before or after IDAT; libpng drops the others.
        const uint8_t *d = chunk + 8;
        if (!w->have_exif && length >= 4 && length <= USER_CHUNK_MALLOC_MAX && crc_ok(chunk, length) &&
            (be32(d) == 0x49492A00u || be32(d) == 0x4D4D002Au)) {
            w->have_exif = 1;
            w->exif = d;
            w->exif_length = length;
        }
        return CPS_OK;
    }
    default:
        if (is_critical(id))
            return cps_fail(result, CPS_CORRUPT, "The PNG has an unknown critical chunk %.4s.", (const char *)chunk + 4);
        return CPS_OK;
    }
}

/// Reads the header of the chunk at pos as libpng does: the chunk must be whole, its length under
/// 2^31 and its type made of letters.
static cps_status chunk_header(const uint8_t *data, size_t size, size_t pos, uint32_t *length, uint32_t *id,
                               cps_result *result) {
    if (pos > size || size - pos < 8)
        return cps_fail(result, CPS_TRUNCATED, "The PNG file ends before its IEND chunk.");
    *length = be32(data + pos);
    *id = be32(data + pos + 4);
    if (*length > 0x7fffffffu)
        return cps_fail(result, CPS_CORRUPT, "A chunk length is out of range.");
    if (!valid_type(*id))
        return cps_fail(result, CPS_CORRUPT, "A chunk has an invalid type.");
    if ((uint64_t)*length + 12 > size - pos)
        return cps_fail(result, CPS_TRUNCATED, "The PNG file ends inside a %.4s chunk.", (const char *)data + pos + 4);
    return CPS_OK;
}

/// OpenCV's own reading of the chunks before the first IDAT (PngDecoder::readHeader): returns the
/// offset of the first IDAT in *idat, and the animation control it saw.
static cps_status opencv_prepass(const uint8_t *data, size_t size, cps_png_info *info, size_t *idat,
                                 const uint8_t **fctl, cps_result *result) {
    size_t pos = 33;
    int frames = 0, iend = 0;
    *fctl = NULL;
    for (;;) {
        if (size - pos < 8 && iend)
            return cps_fail(result, CPS_CORRUPT, "The PNG has no image data (no IDAT chunk).");
        if (size - pos < 8)
            return cps_fail(result, CPS_TRUNCATED, "The PNG file ends before its image data.");
        uint32_t length = be32(data + pos);
        uint32_t id = be32(data + pos + 4);
        uint64_t chunk_size = (uint64_t)length + 12;
        if (id == 0)
            return cps_fail(result, CPS_CORRUPT, "A chunk has an empty type.");
        if ((id == ID_IHDR && length != 13) || (id == ID_acTL && length != 8) || (id == ID_fcTL && length != 26) ||
            (id == ID_bKGD && length != 1 && length != 2 && length != 6))
            return cps_fail(result, CPS_CORRUPT, "A %.4s chunk has a wrong length (%u bytes).",
                            (const char *)data + pos + 4, length);
        if (id != ID_fdAT && id != ID_IDAT && id != ID_IEND && id != ID_PLTE && id != ID_tEXt && id != ID_tRNS &&
            id != ID_IHDR && id != ID_acTL && id != ID_fcTL && id != ID_bKGD && chunk_size > USER_CHUNK_MALLOC_MAX)
            return cps_fail(result, CPS_CORRUPT, "A %.4s chunk is over 8 MB.", (const char *)data + pos + 4);
        if (chunk_size > size - pos)
            return cps_fail(result, CPS_TRUNCATED, "The PNG file ends inside a %.4s chunk.",
                            (const char *)data + pos + 4);
        if (id == ID_IDAT)
            break;
        const uint8_t *d = data + pos + 8;
        iend |= id == ID_IEND;
        if (id == ID_acTL) {
            frames = be32(d) > 1 ? 2 : (int)be32(d);
            if (frames == 0)
                return cps_fail(result, CPS_CORRUPT, "The acTL chunk announces zero frames.");
        } else if (id == ID_fcTL) {
            *fctl = data + pos;
            if (d[24] > 2 || d[25] > 1)
                return cps_fail(result, CPS_CORRUPT, "An fcTL chunk has an invalid dispose or blend operation.");
        }
        pos += (size_t)chunk_size;
    }
    if (*fctl) {
        const uint8_t *d = *fctl + 8;
        if ((uint64_t)be32(d + 12) + be32(d + 4) > info->width || (uint64_t)be32(d + 16) + be32(d + 8) > info->height)
            return cps_fail(result, CPS_CORRUPT, "The first animation frame (fcTL) is outside the image.");
    }
    info->animated = frames > 1;
    *idat = pos;
    return CPS_OK;
}

/// The first frame of an animation whose IDAT is a hidden default image: the fcTL that follows
/// IDAT, then its fdAT chunks until the next fcTL or IEND.
static cps_status hidden_frame(const uint8_t *data, size_t size, size_t pos, cps_png_info *info, cps_result *result) {
    // The caller found a whole fcTL chunk at pos; its fields are read only when it has all 26 bytes.
    if (be32(data + pos) != 26)
        return cps_fail(result, CPS_CORRUPT, "An fcTL chunk has the wrong length.");
    const uint8_t *d = data + pos + 8;
    info->frame_width = be32(d + 4);
    info->frame_height = be32(d + 8);
    info->frame_x = be32(d + 12);
    info->frame_y = be32(d + 16);
    if ((uint64_t)info->frame_x + info->frame_width > info->width ||
        (uint64_t)info->frame_y + info->frame_height > info->height || d[24] > 2 || d[25] > 1)
        return cps_fail(result, CPS_CORRUPT, "The first animation frame (fcTL) is outside the image.");
    if (info->frame_width == 0 || info->frame_height == 0)
        return cps_fail(result, CPS_CORRUPT, "The first animation frame (fcTL) is empty.");
    pos += 38;
    for (;;) {
        uint32_t length, id;
        cps_status status = chunk_header(data, size, pos, &length, &id, result);
        if (status != CPS_OK)
            return status;
        if (id == ID_fcTL || id == ID_IEND)
            return CPS_OK;
        if (id == ID_fdAT) {
            if (length < 4)
                return cps_fail(result, CPS_CORRUPT, "An fdAT chunk is too short.");
            if (info->frame_chunk_count == CPS_MAX_FRAME_CHUNKS)
                return cps_fail(result, CPS_UNSUPPORTED, "The first animation frame has too many chunks.");
            info->frame_chunks[info->frame_chunk_count++] = (cps_chunk_ref){pos, length};
        }
        pos += 12 + (size_t)length;
    }
}

cps_status cps_scan(const uint8_t *data, size_t size, uint64_t pixel_limit, uint32_t side_limit, cps_png_info *info,
                    cps_result *result) {
    memset(info, 0, offsetof(cps_png_info, frame_chunks));
    info->frame_chunk_count = 0;
    info->orientation = 1;
    cps_status status = read_header(data, size, side_limit, info, result);
    if (status != CPS_OK)
        return status;
    if ((uint64_t)info->width * info->height > pixel_limit)
        return cps_fail(result, CPS_TOO_MANY_PIXELS, "The image has %u×%u pixels, over the limit of %llu.",
                        info->width, info->height, (unsigned long long)pixel_limit);
    size_t first_idat;
    const uint8_t *fctl;
    status = opencv_prepass(data, size, info, &first_idat, &fctl, result);
    if (status != CPS_OK)
        return status;
    info->frame_width = info->width;
    info->frame_height = info->height;
    if (info->animated && fctl) {
        const uint8_t *d = fctl + 8;
        info->idat_is_frame = 1;
        info->frame_width = be32(d + 4);
        info->frame_height = be32(d + 8);
        info->frame_x = be32(d + 12);
        info->frame_y = be32(d + 16);
    }

    // libpng from the start: the chunks before the image data...
    walk_state w = {.animated = info->animated};
    size_t pos = 33;
    uint32_t length, id;
    for (;;) {
        if ((status = chunk_header(data, size, pos, &length, &id, result)) != CPS_OK)
            return status;
        if (id == ID_IDAT)
            break;
        if ((status = other_chunk(&w, info, data + pos, length, result)) != CPS_OK)
            return status;
        pos += 12 + (size_t)length;
    }
    if (info->color_type == 3 && !w.have_palette)
        return cps_fail(result, CPS_CORRUPT, "The palette image has no PLTE chunk before its image data.");
    // ...the run of IDAT chunks that libpng reads for the rows...
    info->idat_offset = pos;
    while (id == ID_IDAT) {
        // Only the chunk headers are read here; the pages they pulled in are not needed again soon.
        cps_input_release(&info->input, pos, 1u << 20);
        pos += 12 + (size_t)length;
        if ((status = chunk_header(data, size, pos, &length, &id, result)) != CPS_OK)
            return status;
    }
    info->idat_end = pos;
    w.after_idat = 1;
    if (info->animated) {
        // OpenCV reads an animation up to the end of its first frame only.
        for (;;) {
            if (id == ID_IEND) {
                if (!info->idat_is_frame) {
                    // No frame at all: OpenCV decodes IDAT but composes nothing, a black image.
                    info->idat_is_frame = 1;
                    info->frame_width = info->frame_height = 0;
                }
                return CPS_OK;
            }
            if (id == ID_fcTL)
                return info->idat_is_frame ? CPS_OK : hidden_frame(data, size, pos, info, result);
            pos += 12 + (size_t)length;
            if ((status = chunk_header(data, size, pos, &length, &id, result)) != CPS_OK)
                return status;
        }
    }
    // ...and the chunks after it, up to IEND (png_read_end).
    while (id != ID_IEND) {
        if (id == ID_IDAT) {
            if (!crc_ok(data + pos, length))
                return cps_fail(result, CPS_CORRUPT, "An IDAT chunk has a CRC error.");
        } else if ((status = other_chunk(&w, info, data + pos, length, result)) != CPS_OK) {
            return status;
        }
        pos += 12 + (size_t)length;
        if ((status = chunk_header(data, size, pos, &length, &id, result)) != CPS_OK)
            return status;
    }
    if (w.have_exif)
        info->orientation = cps_exif_orientation(w.exif, w.exif_length);
    return CPS_OK;
}
