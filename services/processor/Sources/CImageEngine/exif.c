// The eXIf orientation, read exactly as OpenCV's ExifReader reads it.
//
// OpenCV walks the entries of IFD0 in order and stops at the first one it cannot read; the entries
// read before that still count, and the first Orientation entry wins. It reads the values of some
// other tags (and so may stop on them), so those reads are replayed here for their bounds only.
#include "engine.h"

typedef struct {
    const uint8_t *data;
    size_t size;
    int intel;
    /// Set by the first read out of bounds (OpenCV throws there); later reads return 0.
    int failed;
} exif_reader;

static uint32_t u16(exif_reader *r, size_t offset) {
    if (r->failed || offset + 1 >= r->size) {
        r->failed = 1;
        return 0;
    }
    const uint8_t *p = r->data + offset;
    return r->intel ? (uint32_t)(p[0] | (p[1] << 8)) : (uint32_t)((p[0] << 8) | p[1]);
}

static uint32_t u32(exif_reader *r, size_t offset) {
    if (r->failed || offset + 3 >= r->size) {
        r->failed = 1;
        return 0;
    }
    const uint8_t *p = r->data + offset;
    if (r->intel)
        return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/// Reads `count` rationals at the offset stored in the entry, as OpenCV does (bounds only).
static void rationals(exif_reader *r, size_t entry, uint32_t count) {
    size_t offset = u32(r, entry + 8);
    for (uint32_t i = 0; i < count; i++, offset += 8) {
        (void)u32(r, offset);
        (void)u32(r, offset + 4);
    }
}

static void string_value(exif_reader *r, size_t entry) {
    size_t count = u32(r, entry + 4);
    // OpenCV's getString: a value of up to 4 bytes is taken at absolute offset 8 (sic).
    size_t offset = 8;
    if (count > 4)
        offset = u32(r, entry + 8);
    if (offset > r->size || offset + count > r->size)
        r->failed = 1;
}

int cps_exif_orientation(const uint8_t *exif, size_t size) {
    exif_reader r = {exif, size, 0, 0};
    if (size == 0 || (size > 1 && exif[0] != exif[1]))
        return 1;
    if (exif[0] == 'I')
        r.intel = 1;
    else if (exif[0] != 'M')
        return 1;
    if (u16(&r, 2) != 0x2A)
        return 1;
    size_t offset = u32(&r, 4);
    uint32_t entries = u16(&r, offset);
    offset += 2;
    for (uint32_t i = 0; i < entries && !r.failed; i++, offset += 12) {
        switch (u16(&r, offset)) {
        case 0x0112: { // Orientation: the first readable one wins.
            uint32_t value = u16(&r, offset + 8);
            if (!r.failed)
                return (int)value;
            break;
        }
        case 0x010E: case 0x010F: case 0x0110: case 0x0131: case 0x0132: case 0x8298: // strings
            string_value(&r, offset);
            break;
        case 0x011A: case 0x011B: // X and Y resolution
            rationals(&r, offset, 1);
            break;
        case 0x013E: // white point
            rationals(&r, offset, 2);
            break;
        case 0x013F: case 0x0214: // primary chromaticities, reference black and white
            rationals(&r, offset, 6);
            break;
        case 0x0211: // YCbCr coefficients
            rationals(&r, offset, 3);
            break;
        case 0x0128: case 0x0213: // resolution unit, YCbCr positioning
            (void)u16(&r, offset + 8);
            break;
        default:
            break;
        }
    }
    return 1;
}
