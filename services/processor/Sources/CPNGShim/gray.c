// Raw PNG rows to OpenCV's gray, and gray to binary.
//
// The reference decodes to 8-bit BGR and converts with cvtColor(BGR2GRAY), whose exact integer
// formula is gray = (R*9798 + G*19235 + B*3735 + 16384) >> 15. For gray input R = G = B = v and the
// formula gives v back, so gray images only need their samples scaled to 8 bits.
#include "shim.h"

#include <float.h>
#include <math.h>
#include <string.h>

static inline uint8_t luma(uint32_t r, uint32_t g, uint32_t b) {
    return (uint8_t)((r * 9798u + g * 19235u + b * 3735u + 16384u) >> 15);
}

/// OpenCV's conversion of a 16-bit animation frame to 8 bits: convertTo(CV_8U, 1/255.), that is
/// round(v / 255) saturated (v / 255 is never exactly halfway).
static inline uint32_t scale16(uint32_t v) {
    uint32_t s = (2 * v + 255) / 510;
    return s > 255 ? 255 : s;
}

/// Gray from samples of 1, 2 or 4 bits: scaled by 255, 85 or 17 (png_set_expand_gray_1_2_4_to_8).
static void low_bit_gray(const uint8_t *raw, uint8_t *gray, uint32_t n, int depth) {
    const uint32_t per_byte = 8u / (uint32_t)depth;
    const uint32_t mask = (1u << depth) - 1;
    const uint32_t scale = 255u / mask;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t shift = 8u - (uint32_t)depth * (i % per_byte + 1);
        gray[i] = (uint8_t)(((raw[i / per_byte] >> shift) & mask) * scale);
    }
}

static void palette_gray(const uint8_t *raw, uint8_t *gray, uint32_t n, int depth, const uint8_t *lut) {
    if (depth == 8) {
        for (uint32_t i = 0; i < n; i++)
            gray[i] = lut[raw[i]];
        return;
    }
    const uint32_t per_byte = 8u / (uint32_t)depth;
    const uint32_t mask = (1u << depth) - 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t shift = 8u - (uint32_t)depth * (i % per_byte + 1);
        gray[i] = lut[(raw[i / per_byte] >> shift) & mask];
    }
}

/// Colour samples of 8 bits, `stride` bytes a pixel (3 for RGB, 4 for RGBA: alpha is dropped).
static void color8_gray(const uint8_t *raw, uint8_t *gray, uint32_t n, uint32_t stride) {
    for (uint32_t i = 0; i < n; i++, raw += stride)
        gray[i] = luma(raw[0], raw[1], raw[2]);
}

/// Colour samples of 16 bits: the reference strips each to its high byte (png_set_strip_16).
static void color16_gray(const uint8_t *raw, uint8_t *gray, uint32_t n, uint32_t stride, int scaled) {
    if (!scaled) {
        for (uint32_t i = 0; i < n; i++, raw += stride)
            gray[i] = luma(raw[0], raw[2], raw[4]);
        return;
    }
    for (uint32_t i = 0; i < n; i++, raw += stride)
        gray[i] = luma(scale16((raw[0] << 8) | raw[1]), scale16((raw[2] << 8) | raw[3]), scale16((raw[4] << 8) | raw[5]));
}

/// Gray samples `stride` bytes apart (2 with alpha at 8 bits; 2 or 4 at 16 bits: the high byte).
static void strided_gray(const uint8_t *raw, uint8_t *gray, uint32_t n, uint32_t stride, int scaled16) {
    if (scaled16) {
        for (uint32_t i = 0; i < n; i++, raw += stride)
            gray[i] = (uint8_t)scale16((raw[0] << 8) | raw[1]);
        return;
    }
    for (uint32_t i = 0; i < n; i++, raw += stride)
        gray[i] = raw[0];
}

void cps_row_to_gray(const cps_row_format *format, const uint8_t *raw, uint8_t *gray, uint32_t n) {
    const int depth = format->bit_depth;
    switch (format->color_type) {
    case 0: // gray
        if (depth < 8)
            low_bit_gray(raw, gray, n, depth);
        else if (depth == 8)
            memcpy(gray, raw, n);
        else
            strided_gray(raw, gray, n, 2, format->scale16);
        break;
    case 2: // RGB
        if (depth == 8)
            color8_gray(raw, gray, n, 3);
        else
            color16_gray(raw, gray, n, 6, format->scale16);
        break;
    case 3: // palette
        palette_gray(raw, gray, n, depth, format->palette_gray);
        break;
    case 4: // gray + alpha
        strided_gray(raw, gray, n, depth == 8 ? 2 : 4, depth == 16 && format->scale16);
        break;
    case 6: // RGBA
        if (depth == 8)
            color8_gray(raw, gray, n, 4);
        else
            color16_gray(raw, gray, n, 8, format->scale16);
        break;
    default:
        memset(gray, 0, n);
        break;
    }
}

void cps_binarize_row(const uint8_t *gray, uint32_t n, int threshold, int bit_depth, uint8_t *out) {
    const uint8_t t = (uint8_t)threshold;
    if (bit_depth == 8) {
        for (uint32_t i = 0; i < n; i++)
            out[i] = gray[i] > t ? 255 : 0;
        return;
    }
    uint32_t whole = n / 8;
    for (uint32_t b = 0; b < whole; b++) {
        const uint8_t *g = gray + 8 * b;
        out[b] = (uint8_t)(((g[0] > t) << 7) | ((g[1] > t) << 6) | ((g[2] > t) << 5) | ((g[3] > t) << 4) |
                           ((g[4] > t) << 3) | ((g[5] > t) << 2) | ((g[6] > t) << 1) | (g[7] > t));
    }
    if (n % 8) {
        uint8_t last = 0;
        for (uint32_t i = whole * 8; i < n; i++)
            last |= (uint8_t)((gray[i] > t) << (7 - i % 8));
        out[whole] = last;
    }
}

int cps_otsu_threshold(const uint8_t *gray, size_t count) {
    // OpenCV's x86_64 wheels compute Otsu with Intel IPP (ippiComputeThreshold_Otsu_8u_C1R), not with
    // their own getThreshVal_Otsu_8u. This follows IPP's arithmetic, measured on the wheel: doubles;
    // bin i at level i + 0.5; p_i = h[i] * (1 / count); bins that leave a class under FLT_EPSILON are
    // skipped, moment included; m1 += (i + 0.5) * p_i and sigma = (m1 * q2 + (m1 - mu) * q1)^2 / (q2 * q1),
    // each with one fused multiply-add; the first strict maximum wins. Those roundings decide exact
    // ties, which 4-bit gray makes: 102 on basn0g04, where OpenCV's own code says 119.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF // no other fused operations than the two written
#endif
    if (count == 0)
        return 0;
    size_t histogram[256] = {0};
    for (size_t i = 0; i < count; i++)
        histogram[gray[i]]++;
    uint64_t twice_sum = 0; // sum of h[i] * (2i + 1), exact
    for (int i = 0; i < 256; i++)
        twice_sum += (uint64_t)histogram[i] * (uint64_t)(2 * i + 1);
    const double scale = 1. / (double)count, mu = (double)twice_sum * 0.5 * scale;
    double q1 = 0, m1 = 0, max_sigma = 0;
    int threshold = 0;
    for (int i = 0; i < 256; i++) {
        const double p_i = (double)histogram[i] * scale;
        q1 += p_i;
        const double q2 = 1. - q1;
        if ((q1 < q2 ? q1 : q2) < FLT_EPSILON || (q1 > q2 ? q1 : q2) > 1. - FLT_EPSILON)
            continue;
        m1 = fma(i + 0.5, p_i, m1);
        const double numerator = fma(m1, q2, (m1 - mu) * q1);
        const double sigma = numerator * numerator / (q2 * q1);
        if (sigma > max_sigma) {
            max_sigma = sigma;
            threshold = i;
        }
    }
    return threshold;
}
