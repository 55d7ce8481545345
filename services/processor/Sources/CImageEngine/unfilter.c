// PNG row filters reversed (None, Sub, Up, Average, Paeth), as libpng reverses them.
//
// Photos are 3 or 4 bytes a pixel and mostly Paeth or Average (libpng's and Pillow's adaptive
// filtering) or Sub (OpenCV's writer). With Sub, Average and Paeth each pixel depends on the one
// before it: on x86_64 the pixel's 3 or 4 bytes go through SSE2 (SSE4.1 for Paeth) together, and
// two rows with the same filter are unfiltered in one loop, their dependency chains overlapping.
// CPU ms for a 12.6 MP RGB image, every row with the filter (one core of a 2.6 GHz EPYC):
//
//               plain C    one row    two rows at once
//   Sub           32.4       10.9       -
//   Up            32.3        4.3       -
//   Average       49.6       15.3      11.2
//   Paeth        226.0       36.6      27.9
//
// The plain C does the other layouts, and everything off x86_64.
#include "engine.h"

#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#include <smmintrin.h>
#include <tmmintrin.h>
#define CPS_SSE2 1
#endif

static void unfilter_sub(const uint8_t *raw, uint8_t *out, size_t n, unsigned bpp) {
    memcpy(out, raw, bpp);
    for (size_t i = bpp; i < n; i++)
        out[i] = (uint8_t)(raw[i] + out[i - bpp]);
}

static void unfilter_up(const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(raw[i] + prev[i]);
}

static void unfilter_average(const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n, unsigned bpp) {
    for (size_t i = 0; i < bpp; i++)
        out[i] = (uint8_t)(raw[i] + (prev[i] >> 1));
    for (size_t i = bpp; i < n; i++)
        out[i] = (uint8_t)(raw[i] + ((out[i - bpp] + prev[i]) >> 1));
}

static inline uint8_t paeth(int a, int b, int c) {
    int pa = b - c, pb = a - c, pc = pa + pb;
    pa = pa < 0 ? -pa : pa;
    pb = pb < 0 ? -pb : pb;
    pc = pc < 0 ? -pc : pc;
    if (pa <= pb && pa <= pc)
        return (uint8_t)a;
    return (uint8_t)(pb <= pc ? b : c);
}

static void unfilter_paeth(const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n, unsigned bpp) {
    for (size_t i = 0; i < bpp; i++) // no left pixel: the prediction is the pixel above
        out[i] = (uint8_t)(raw[i] + prev[i]);
    for (size_t i = bpp; i < n; i++)
        out[i] = (uint8_t)(raw[i] + paeth(out[i - bpp], prev[i], prev[i - bpp]));
}

#ifdef CPS_SSE2
// A pixel of 3 or 4 bytes in the low 4 bytes of a register; reading or writing 4 bytes for a
// 3-byte pixel is fine: rows have 16 bytes of slack, and the 4th byte is rewritten next.
static inline __m128i load_pixel(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return _mm_cvtsi32_si128((int)v);
}

static inline void store_pixel(uint8_t *p, __m128i v) {
    uint32_t x = (uint32_t)_mm_cvtsi128_si32(v);
    memcpy(p, &x, 4);
}

static inline __m128i abs16(__m128i v) { return _mm_max_epi16(v, _mm_sub_epi16(_mm_setzero_si128(), v)); }

/// Up: 16 bytes a step (the plain loop is not vectorised: the rows might overlap, for all gcc knows).
static void up_sse2(const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_add_epi8(_mm_loadu_si128((const __m128i *)(raw + i)), _mm_loadu_si128((const __m128i *)(prev + i)));
        _mm_storeu_si128((__m128i *)(out + i), v);
    }
    for (; i < n; i++)
        out[i] = (uint8_t)(raw[i] + prev[i]);
}

/// Sub: a running sum per byte lane, 4 pixels a step (a prefix sum in 2 shifted adds).
static void sub_sse2(const uint8_t *raw, uint8_t *out, size_t n, unsigned bpp) {
    __m128i last = _mm_setzero_si128(); // the previous pixel, repeated over the lanes
    size_t step = 4 * (size_t)bpp, i = 0;
    for (; i + step <= n; i += step) {
        __m128i v = _mm_loadu_si128((const __m128i *)(raw + i));
        if (bpp == 4) {
            v = _mm_add_epi8(v, _mm_slli_si128(v, 4));
            v = _mm_add_epi8(v, _mm_slli_si128(v, 8));
            v = _mm_add_epi8(v, last);
            last = _mm_shuffle_epi32(v, 0xFF);
        } else {
            v = _mm_add_epi8(v, _mm_slli_si128(v, 3));
            v = _mm_add_epi8(v, _mm_slli_si128(v, 6));
            v = _mm_add_epi8(v, last);
            __m128i p = _mm_srli_si128(_mm_slli_si128(v, 4), 13); // bytes 9..11 to 0..2
            p = _mm_or_si128(p, _mm_slli_si128(p, 3));
            last = _mm_or_si128(p, _mm_slli_si128(p, 6));
        }
        _mm_storeu_si128((__m128i *)(out + i), v); // bytes past the 4 pixels are rewritten next
    }
    for (; i < n; i++)
        out[i] = (uint8_t)(raw[i] + (i >= bpp ? out[i - bpp] : 0));
}

/// Average: (left + up) >> 1 per byte, as pavgb's rounded mean minus the odd bit.
static void average_sse2(const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n, unsigned bpp) {
    const __m128i one = _mm_set1_epi8(1);
    __m128i a = _mm_setzero_si128();
    for (size_t i = 0; i < n; i += bpp) {
        __m128i b = load_pixel(prev + i);
        __m128i mean = _mm_sub_epi8(_mm_avg_epu8(a, b), _mm_and_si128(_mm_xor_si128(a, b), one));
        a = _mm_add_epi8(load_pixel(raw + i), mean);
        store_pixel(out + i, a);
    }
}

/// Paeth with 16-bit lanes. Only a (the pixel just made) is on the loop's critical path; what
/// depends on the row above alone (b - c, |b - c|) is computed off it.
static void paeth_sse2(const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n, unsigned bpp) {
    const __m128i zero = _mm_setzero_si128(), low = _mm_set1_epi16(0xFF);
    __m128i a = zero, c = zero;
    for (size_t i = 0; i < n; i += bpp) {
        __m128i b = _mm_unpacklo_epi8(load_pixel(prev + i), zero);
        __m128i x = _mm_unpacklo_epi8(load_pixel(raw + i), zero);
        __m128i e = _mm_sub_epi16(b, c), pa = abs16(e), bc = _mm_xor_si128(b, c);
        __m128i d = _mm_sub_epi16(a, c);
        __m128i pb = abs16(d), pc = abs16(_mm_add_epi16(d, e));
        // pa <= pb && pa <= pc: a; otherwise pb <= pc: b; otherwise c.
        __m128i not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
        __m128i b_or_c = _mm_xor_si128(b, _mm_and_si128(bc, _mm_cmpgt_epi16(pb, pc)));
        __m128i pred = _mm_xor_si128(a, _mm_and_si128(_mm_xor_si128(a, b_or_c), not_a));
        a = _mm_and_si128(_mm_add_epi16(x, pred), low);
        store_pixel(out + i, _mm_packus_epi16(a, a));
        c = b;
    }
}

/// Paeth with SSSE3's abs and SSE4.1's blend: a shorter critical path (8 operations, not 11).
__attribute__((target("ssse3,sse4.1"))) static void paeth_sse41(const uint8_t *raw, const uint8_t *prev,
                                                                 uint8_t *out, size_t n, unsigned bpp) {
    const __m128i zero = _mm_setzero_si128(), low = _mm_set1_epi16(0xFF);
    __m128i a = zero, c = zero;
    for (size_t i = 0; i < n; i += bpp) {
        __m128i b = _mm_cvtepu8_epi16(load_pixel(prev + i));
        __m128i x = _mm_cvtepu8_epi16(load_pixel(raw + i));
        __m128i e = _mm_sub_epi16(b, c), pa = _mm_abs_epi16(e);
        __m128i d = _mm_sub_epi16(a, c);
        __m128i pb = _mm_abs_epi16(d), pc = _mm_abs_epi16(_mm_add_epi16(d, e));
        __m128i not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
        __m128i b_or_c = _mm_blendv_epi8(b, c, _mm_cmpgt_epi16(pb, pc));
        __m128i pred = _mm_blendv_epi8(a, b_or_c, not_a);
        a = _mm_and_si128(_mm_add_epi16(x, pred), low);
        store_pixel(out + i, _mm_packus_epi16(a, a));
        c = b;
    }
}

/// Paeth on two rows at once: the lower row takes its `b` from the upper row's pixel just made, in
/// a register. The two dependency chains overlap, nearly twice the pixels per cycle.
__attribute__((target("ssse3,sse4.1"))) static void paeth_pair_sse41(const uint8_t *raw0, const uint8_t *raw1,
                                                                      const uint8_t *prev, uint8_t *out0,
                                                                      uint8_t *out1, size_t n, unsigned bpp) {
    const __m128i zero = _mm_setzero_si128(), low = _mm_set1_epi16(0xFF);
    __m128i a0 = zero, c0 = zero, a1 = zero, c1 = zero;
    for (size_t i = 0; i < n; i += bpp) {
        __m128i b0 = _mm_cvtepu8_epi16(load_pixel(prev + i));
        __m128i x0 = _mm_cvtepu8_epi16(load_pixel(raw0 + i));
        __m128i x1 = _mm_cvtepu8_epi16(load_pixel(raw1 + i));
        __m128i e = _mm_sub_epi16(b0, c0), pa = _mm_abs_epi16(e), d = _mm_sub_epi16(a0, c0);
        __m128i pb = _mm_abs_epi16(d), pc = _mm_abs_epi16(_mm_add_epi16(d, e));
        __m128i not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
        __m128i pred = _mm_blendv_epi8(a0, _mm_blendv_epi8(b0, c0, _mm_cmpgt_epi16(pb, pc)), not_a);
        a0 = _mm_and_si128(_mm_add_epi16(x0, pred), low);
        store_pixel(out0 + i, _mm_packus_epi16(a0, a0));
        // The row below: b is a0.
        e = _mm_sub_epi16(a0, c1), pa = _mm_abs_epi16(e), d = _mm_sub_epi16(a1, c1);
        pb = _mm_abs_epi16(d), pc = _mm_abs_epi16(_mm_add_epi16(d, e));
        not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
        pred = _mm_blendv_epi8(a1, _mm_blendv_epi8(a0, c1, _mm_cmpgt_epi16(pb, pc)), not_a);
        a1 = _mm_and_si128(_mm_add_epi16(x1, pred), low);
        store_pixel(out1 + i, _mm_packus_epi16(a1, a1));
        c0 = b0;
        c1 = a0;
    }
}

/// Average on two rows at once, as paeth_pair_sse41.
static void average_pair_sse2(const uint8_t *raw0, const uint8_t *raw1, const uint8_t *prev, uint8_t *out0,
                              uint8_t *out1, size_t n, unsigned bpp) {
    const __m128i one = _mm_set1_epi8(1);
    __m128i a0 = _mm_setzero_si128(), a1 = a0;
    for (size_t i = 0; i < n; i += bpp) {
        __m128i b = load_pixel(prev + i);
        a0 = _mm_add_epi8(load_pixel(raw0 + i),
                          _mm_sub_epi8(_mm_avg_epu8(a0, b), _mm_and_si128(_mm_xor_si128(a0, b), one)));
        store_pixel(out0 + i, a0);
        a1 = _mm_add_epi8(load_pixel(raw1 + i),
                          _mm_sub_epi8(_mm_avg_epu8(a1, a0), _mm_and_si128(_mm_xor_si128(a1, a0), one)));
        store_pixel(out1 + i, a1);
    }
}
#endif

int cps_unfilter_pair(int filter, const uint8_t *raw0, const uint8_t *raw1, const uint8_t *prev, uint8_t *out0,
                      uint8_t *out1, size_t n, unsigned bpp) {
#ifdef CPS_SSE2
    if ((bpp == 3 || bpp == 4) && n >= bpp) {
        if (filter == 3) {
            average_pair_sse2(raw0, raw1, prev, out0, out1, n, bpp);
            return 1;
        }
        if (filter == 4 && (cps_cpu_features() & CPS_CPU_SSE41)) {
            paeth_pair_sse41(raw0, raw1, prev, out0, out1, n, bpp);
            return 1;
        }
    }
#endif
    (void)filter, (void)raw0, (void)raw1, (void)prev, (void)out0, (void)out1, (void)n, (void)bpp;
    return 0;
}

void cps_unfilter_row(int filter, const uint8_t *raw, const uint8_t *prev, uint8_t *out, size_t n, unsigned bpp) {
    if (bpp > n)
        bpp = (unsigned)n;
#ifdef CPS_SSE2
    if (filter == 2) {
        up_sse2(raw, prev, out, n);
        return;
    }
    if (bpp == 3 || bpp == 4) {
        switch (filter) {
        case 1: sub_sse2(raw, out, n, bpp); return;
        case 3: average_sse2(raw, prev, out, n, bpp); return;
        case 4:
            if (cps_cpu_features() & CPS_CPU_SSE41)
                paeth_sse41(raw, prev, out, n, bpp);
            else
                paeth_sse2(raw, prev, out, n, bpp);
            return;
        default: break;
        }
    }
#endif
    switch (filter) {
    case 1: unfilter_sub(raw, out, n, bpp); break;
    case 2: unfilter_up(raw, prev, out, n); break;
    case 3: unfilter_average(raw, prev, out, n, bpp); break;
    case 4: unfilter_paeth(raw, prev, out, n, bpp); break;
    default: memcpy(out, raw, n); break;
    }
}
