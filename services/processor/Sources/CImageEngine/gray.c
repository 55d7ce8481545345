// Raw PNG rows to OpenCV's gray, and gray to binary.
//
// The reference decodes to 8-bit BGR and converts with cvtColor(BGR2GRAY), whose exact integer
// formula is gray = (R*9798 + G*19235 + B*3735 + 16384) >> 15. For gray input R = G = B = v and the
// formula gives v back, so gray images only need their samples scaled to 8 bits.
//
// 8-bit RGB and RGBA rows, the photos, go 8 pixels at a time through SSE2 (pmaddwd computes the
// formula exactly, in 32 bits) and SSSE3 (pshufb spreads RGB pixels); the 1-bit binary rows 16
// at a time. Elsewhere, and for the other layouts, plain C.
#include "engine.h"

#include <float.h>
#include <math.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#include <tmmintrin.h>
#define CPS_SSE2 1
#endif

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
static void color8_gray_scalar(const uint8_t *raw, uint8_t *gray, uint32_t n, uint32_t stride) {
    for (uint32_t i = 0; i < n; i++, raw += stride)
        gray[i] = luma(raw[0], raw[1], raw[2]);
}

#ifdef CPS_SSE2
/// The formula on 4 pixels whose samples are 16-bit lanes R G B x R G B x (two registers): pmaddwd
/// makes R*9798 + G*19235 and B*3735 + x*0, then the pairs are added. Exact: the sums fit 32 bits.
static inline __m128i luma4(__m128i p01, __m128i p23) {
    const __m128i weights = _mm_setr_epi16(9798, 19235, 3735, 0, 9798, 19235, 3735, 0);
    __m128 m01 = _mm_castsi128_ps(_mm_madd_epi16(p01, weights));
    __m128 m23 = _mm_castsi128_ps(_mm_madd_epi16(p23, weights));
    __m128i rg = _mm_castps_si128(_mm_shuffle_ps(m01, m23, _MM_SHUFFLE(2, 0, 2, 0)));
    __m128i b = _mm_castps_si128(_mm_shuffle_ps(m01, m23, _MM_SHUFFLE(3, 1, 3, 1)));
    return _mm_srli_epi32(_mm_add_epi32(_mm_add_epi32(rg, b), _mm_set1_epi32(16384)), 15);
}

static inline void store8(uint8_t *gray, __m128i lo, __m128i hi) {
    __m128i g = _mm_packs_epi32(lo, hi);
    _mm_storel_epi64((__m128i *)gray, _mm_packus_epi16(g, g));
}

/// RGBA, 8 pixels a step (SSE2).
static void rgba8_gray_sse2(const uint8_t *raw, uint8_t *gray, uint32_t n) {
    const __m128i zero = _mm_setzero_si128();
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8, raw += 32) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)raw), v1 = _mm_loadu_si128((const __m128i *)(raw + 16));
        __m128i lo = luma4(_mm_unpacklo_epi8(v0, zero), _mm_unpackhi_epi8(v0, zero));
        __m128i hi = luma4(_mm_unpacklo_epi8(v1, zero), _mm_unpackhi_epi8(v1, zero));
        store8(gray + i, lo, hi);
    }
    color8_gray_scalar(raw, gray + i, n - i, 4);
}

/// RGB, 8 pixels (24 bytes) a step: pshufb spreads each pixel over 16-bit lanes (SSSE3).
__attribute__((target("ssse3"))) static void rgb8_gray_ssse3(const uint8_t *raw, uint8_t *gray, uint32_t n) {
    const __m128i p01 = _mm_setr_epi8(0, -1, 1, -1, 2, -1, -1, -1, 3, -1, 4, -1, 5, -1, -1, -1);
    const __m128i p23 = _mm_setr_epi8(6, -1, 7, -1, 8, -1, -1, -1, 9, -1, 10, -1, 11, -1, -1, -1);
    const __m128i p45 = _mm_setr_epi8(4, -1, 5, -1, 6, -1, -1, -1, 7, -1, 8, -1, 9, -1, -1, -1);
    const __m128i p67 = _mm_setr_epi8(10, -1, 11, -1, 12, -1, -1, -1, 13, -1, 14, -1, 15, -1, -1, -1);
    uint32_t i = 0;
    // Two overlapping 16-byte loads cover the step's 24 bytes.
    for (; i + 8 <= n; i += 8, raw += 24) {
        __m128i v0 = _mm_loadu_si128((const __m128i *)raw), v1 = _mm_loadu_si128((const __m128i *)(raw + 8));
        __m128i lo = luma4(_mm_shuffle_epi8(v0, p01), _mm_shuffle_epi8(v0, p23));
        __m128i hi = luma4(_mm_shuffle_epi8(v1, p45), _mm_shuffle_epi8(v1, p67));
        store8(gray + i, lo, hi);
    }
    color8_gray_scalar(raw, gray + i, n - i, 3);
}

#endif

static void color8_gray(const uint8_t *raw, uint8_t *gray, uint32_t n, uint32_t stride) {
#ifdef CPS_SSE2
    if (stride == 4) {
        rgba8_gray_sse2(raw, gray, n);
        return;
    }
    if (cps_cpu_features() & CPS_CPU_SSSE3) {
        rgb8_gray_ssse3(raw, gray, n);
        return;
    }
#endif
    color8_gray_scalar(raw, gray, n, stride);
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
    uint32_t whole = n / 8, b = 0;
#ifdef CPS_SSE2
    // 16 pixels a step: a signed compare after flipping the top bits is the unsigned one; movemask
    // puts the first pixel in the lowest bit, PNG wants it in the highest.
    static const uint8_t reversed[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
    const __m128i flip = _mm_set1_epi8((char)0x80), limit = _mm_set1_epi8((char)(t ^ 0x80));
    for (; b + 2 <= whole; b += 2) {
        __m128i g = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(gray + 8 * b)), flip);
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(g, limit));
        out[b] = (uint8_t)(reversed[bits & 15] << 4 | reversed[(bits >> 4) & 15]);
        out[b + 1] = (uint8_t)(reversed[(bits >> 8) & 15] << 4 | reversed[(bits >> 12) & 15]);
    }
#endif
    for (; b < whole; b++) {
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

void cps_palette_gray(const cps_png_info *info, cps_row_format *format) {
    memset(format->palette_gray, 0, sizeof format->palette_gray);
    for (int i = 0; i < info->palette_count; i++) {
        const uint8_t *c = info->palette + 3 * i;
        format->palette_gray[i] = (uint8_t)((c[0] * 9798u + c[1] * 19235u + c[2] * 3735u + 16384u) >> 15);
    }
}
