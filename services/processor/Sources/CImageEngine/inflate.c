// The zlib stream of a PNG's image data, decoded for the fast path of decode.c.
//
// Its contract is one-sided: it accepts a stream only if zlib 1.2.13, driven by libpng 1.6.39 as
// the reference path drives it, accepts it and produces the same bytes. It gives up (returns -1) on
// anything else, and decode.c then lets libpng decide. Being stricter than zlib costs only time on
// damaged files; being more lenient would change a verdict, so every check of zlib's is here:
//
// - the zlib header: CMF/FLG check, method 8, no preset dictionary, and libpng's own refusal of a
//   window over 32K (CINFO > 7);
// - the Huffman codes: over-subscribed or incomplete sets are refused as zlib's inflate_table
//   refuses them (an incomplete set is allowed only for a single code of length 1, or no distance
//   code at all), as are too many symbols, bad repeats, a missing end-of-block code, literal/length
//   symbols 286-287 and distance codes 30-31;
// - distances: farther back than the output so far. A stream whose zlib header claims a window
//   under 32K is accepted only while no distance exceeds it (zlib's verdict on longer distances
//   depends on where libpng's calls to inflate() begin and end);
// - stored block lengths, and the Adler-32 at the end.
//
// A stream that ends before its end (truncated) or before the image is complete is given up too.
// Data after the end of the stream is ignored, as libpng ignores it.
//
// Why not ISA-L's isal_inflate, which the plan was: it accepts incomplete Huffman codes that zlib
// refuses (measured: a dynamic block whose literal/length code leaves codes unused decodes without
// error), and it decodes a block's header and data in one go, so the header cannot be checked
// here first. Nor is it much faster than this file. CPU ms to inflate the whole stream (zlib
// 1.2.13 / ISA-L 2.30 / this file, best of 7, one core of the 2.6 GHz EPYC these were measured on):
//
//   12 MP photo with grain, Average filter, zlib level 3     142 / 87 / 97
//   12.6 MP photo mosaic, Paeth and Average, level 3         133 / 69 / 68
//   11 MP upscaled photo written by OpenCV (Sub, Z_RLE)      130 / 94 / 75
//   8.3 MP diagram (exoplanet-phase-curve), level 6           52 / 10 /  6
//   8.3 MP screenshot, level 3                                25 / 10 / 10
//
// What makes it fast: 11-bit root tables whose entries are their own shift counts; a literal
// followed by a literal, or a length with its distance code, decoded by one lookup when their
// codes fit in the root bits; 64-bit refills; matches copied 8 or 16 bytes at a time (distance 1
// as a byte pattern).
#include "engine.h"

#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>

/// The deflate window, and the most bytes one decoding step writes past its target (a stored block).
#define HISTORY 32768u
#define SLACK (65536u + 1024u)
/// How many bytes the decoder produces between two looks at the rows.
#define BATCH (256u * 1024u)

#define LITLEN_ROOT 11
#define DIST_ROOT 8
#define LITLEN_MASK ((1u << LITLEN_ROOT) - 1)
#define DIST_MASK ((1u << DIST_ROOT) - 1)
/// Root tables plus room for sub-tables (an upper bound; build_table checks it anyway).
#define LITLEN_TABLE (2048 + 2560)
#define DIST_TABLE (256 + 2048)

// A table entry. Bits 0-5: the bits to use up (the code; a literal pair's two codes; a length's
// or distance's code and extra bits; the root size in a sub-table pointer), so that the entry
// itself is the shift count. Bits 8-11: the code length alone (lengths, distances; sub-tables:
// their size in bits), bits 12-15: the number of extra bits. Bits 16-30: the value (length base,
// distance base, code length symbol, sub-table offset). Literals: the literal in bits 8-15, and
// when E_PAIR a second one in bits 16-23.
//
// A length whose code, extra bits and distance code all fit in the root bits becomes one entry
// too, E_MATCH (both E_LEN and E_EOB): bits 8-11 where the distance's extra bits start, 12-19
// the distance table index, 20-28 the length; bits 0-5 all the bits but the distance's extra ones.
#define E_LIT 0x80000000u
#define E_LEN 0x40000000u
#define E_EOB 0x20000000u
#define E_MATCH (E_LEN | E_EOB)
#define E_PAIR 0x01000000u
#define E_SUB 0x40u
#define E_BAD 0x80u

enum { KIND_CODES, KIND_LENS, KIND_DISTS };
enum { S_ZLIB_HEADER, S_BLOCK_HEADER, S_CODED, S_DONE };

static const uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,  15,  17,  19,  23, 27,
                                         31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
                                       193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t code_length_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

struct cps_inflater {
    cps_piece_source source;
    void *source_context;
    int source_done;
    const uint8_t *in, *in_end;
    /// Bits not yet used, the first one lowest; bits above bitcount repeat input still unread.
    uint64_t bitbuf;
    unsigned bitcount;
    /// Zero bytes fed past the end of the input (a truncated stream uses them).
    unsigned overread;

    /// Output: [buf, out) holds the history and the bytes not yet taken, from cursor on.
    uint8_t *buf, *buf_end, *out, *cursor;
    size_t batch;
    uint32_t adler;
    uint8_t *adler_from;
    uint32_t window;
    int state, final_block;
    uint32_t litlen[LITLEN_TABLE];
    uint32_t dist[DIST_TABLE];
};

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/// Moves to the next non-empty piece of input. Returns 0, or -1 at the end of the input.
static int next_piece(cps_inflater *z) {
    while (!z->source_done) {
        const uint8_t *data;
        size_t size;
        if (!z->source(z->source_context, &data, &size)) {
            z->source_done = 1;
            break;
        }
        if (size > 0) {
            z->in = data;
            z->in_end = data + size;
            return 0;
        }
    }
    return -1;
}

/// Tops the bit buffer up to at least 56 bits, a byte at a time, across pieces; past the end of the
/// input with zeros. Returns -1 once more zeros were fed than the buffer can hold unused: the
/// stream was then read past its end.
static int refill(cps_inflater *z) {
    while (z->bitcount < 56) {
        if (z->in < z->in_end) {
            z->bitbuf |= (uint64_t)*z->in++ << z->bitcount;
        } else if (next_piece(z) == 0) {
            continue;
        } else {
            // Bits above bitcount must be zero here: they would be input, and there is none left.
            z->bitbuf &= z->bitcount ? ~(uint64_t)0 >> (64 - z->bitcount) : 0;
            if (++z->overread > 8)
                return -1;
        }
        z->bitcount += 8;
    }
    return 0;
}

static inline uint32_t take(cps_inflater *z, unsigned n) {
    uint32_t v = (uint32_t)(z->bitbuf & ((1ull << n) - 1));
    z->bitbuf >>= n;
    z->bitcount -= n;
    return v;
}

/// The entry of a symbol whose code is `length` bits long.
static uint32_t symbol_entry(int kind, unsigned symbol, unsigned length) {
    unsigned extra;
    switch (kind) {
    case KIND_CODES:
        return symbol << 16 | length;
    case KIND_LENS:
        if (symbol < 256)
            return E_LIT | symbol << 8 | length;
        if (symbol == 256)
            return E_EOB | length;
        if (symbol >= 286)
            return E_BAD | length; // 286 and 287 (fixed code only)
        extra = length_extra[symbol - 257];
        return E_LEN | (uint32_t)length_base[symbol - 257] << 16 | extra << 12 | length << 8 | (length + extra);
    default:
        if (symbol >= 30)
            return E_BAD | length; // 30 and 31 (fixed code only)
        extra = dist_extra[symbol];
        return (uint32_t)dist_base[symbol] << 16 | extra << 12 | length << 8 | (length + extra);
    }
}

static const uint8_t reversed_byte[256] = {
#define R2(n) n, n + 128, n + 64, n + 192
#define R4(n) R2(n), R2(n + 32), R2(n + 16), R2(n + 48)
#define R6(n) R4(n), R4(n + 8), R4(n + 4), R4(n + 12)
    R6(0), R6(2), R6(1), R6(3)
#undef R2
#undef R4
#undef R6
};

/// The first `length` bits of a code (as the stream sends them, first bit lowest).
static inline unsigned reverse_bits(unsigned code, unsigned length) {
    return ((unsigned)reversed_byte[code & 0xff] << 8 | reversed_byte[code >> 8]) >> (16 - length);
}

/// Builds a decoding table (root bits, then sub-tables) from code lengths, with zlib's rules
/// (inflate_table): an over-subscribed set is refused; so is an incomplete one, except a single
/// code of length 1, or no code at all for distances. Returns 0 or -1.
static int build_table(uint32_t *table, unsigned table_size, unsigned root, const uint8_t *lengths, unsigned n,
                       int kind) {
    unsigned count[16] = {0}, offsets[16];
    uint16_t sorted[288];
    for (unsigned i = 0; i < n; i++)
        count[lengths[i]]++;
    unsigned max = 15;
    while (max > 0 && count[max] == 0)
        max--;
    int left = 1;
    for (unsigned len = 1; len <= 15; len++) {
        left <<= 1;
        left -= (int)count[len];
        if (left < 0)
            return -1;
    }
    if (left > 0) {
        // Incomplete: no code at all (distances only: an error if one is used), or a single code
        // of length 1; the codes it leaves are errors.
        if (max == 0 ? kind != KIND_DISTS : kind == KIND_CODES || max != 1)
            return -1;
        for (unsigned i = 0; i < (1u << root); i++)
            table[i] = E_BAD | 1;
    }

    offsets[1] = 0;
    for (unsigned len = 1; len < 15; len++)
        offsets[len + 1] = offsets[len] + count[len];
    for (unsigned i = 0; i < n; i++)
        if (lengths[i])
            sorted[offsets[lengths[i]]++] = (uint16_t)i;

    unsigned code = 0, index = 0, next = 1u << root, sub_base = 0, sub_bits = 0, prefix = ~0u;
    unsigned remaining[16];
    memcpy(remaining, count, sizeof remaining);
    for (unsigned len = 1; len <= max; len++, code <<= 1) {
        for (unsigned k = 0; k < count[len]; k++, code++, index++) {
            uint32_t entry = symbol_entry(kind, sorted[index], len);
            if (len <= root) {
                for (unsigned i = reverse_bits(code, len); i < (1u << root); i += 1u << len)
                    table[i] = entry;
            } else {
                unsigned p = reverse_bits(code >> (len - root), root);
                if (p != prefix) {
                    // A new sub-table, as large as the codes under this prefix need (zlib's rule).
                    sub_bits = len - root;
                    int room = 1 << sub_bits;
                    while (sub_bits + root < max) {
                        room -= (int)remaining[sub_bits + root];
                        if (room <= 0)
                            break;
                        sub_bits++;
                        room <<= 1;
                    }
                    if (next + (1u << sub_bits) > table_size)
                        return -1;
                    prefix = p;
                    sub_base = next;
                    next += 1u << sub_bits;
                    table[p] = E_SUB | sub_base << 16 | sub_bits << 8 | root;
                }
                for (unsigned i = reverse_bits(code, len) >> root; i < (1u << sub_bits); i += 1u << (len - root))
                    table[sub_base + i] = entry;
            }
            remaining[len]--;
        }
    }
    return 0;
}

/// Where the codes fit in the root bits, a literal followed by a literal becomes one entry, and so
/// does a length with its distance code: half the lookups on photos.
static void combine_entries(uint32_t *litlen, const uint32_t *dist) {
    // Downwards: the second lookup's index (i >> used) is below i, not yet rewritten.
    for (unsigned i = (1u << LITLEN_ROOT); i-- > 0;) {
        uint32_t first = litlen[i];
        unsigned used = first & 63;
        if (used >= LITLEN_ROOT) // no room left for a second code
            continue;
        if (first & E_LIT) {
            uint32_t second = litlen[i >> used]; // right when its code fits in the bits left
            if ((second & E_LIT) && used + (second & 63) <= LITLEN_ROOT)
                litlen[i] = E_LIT | E_PAIR | (second & 0xff00) << 8 | (first & 0xff00) | (used + (second & 63));
        } else if ((first & (E_LEN | E_EOB)) == E_LEN) {
            unsigned index = (i >> used) & DIST_MASK;
            uint32_t d = dist[index];
            unsigned code = (d >> 8) & 15;
            if ((d & (E_SUB | E_BAD)) || used + code > LITLEN_ROOT)
                continue;
            uint32_t length = ((first >> 16) & 0x1ff) + ((i >> ((first >> 8) & 15)) & ((1u << ((first >> 12) & 15)) - 1));
            litlen[i] = E_MATCH | length << 20 | index << 12 | (used + code) << 8 | (used + (d & 63));
        }
    }
}

static inline uint32_t sub_entry(const uint32_t *table, uint32_t e, uint64_t bits) {
    return table[((e >> 16) & 0x7fff) + ((uint32_t)(bits >> (e & 63)) & ((1u << ((e >> 8) & 15)) - 1))];
}

static int fixed_tables(cps_inflater *z) {
    uint8_t lengths[288 + 32];
    memset(lengths, 8, 144);
    memset(lengths + 144, 9, 112);
    memset(lengths + 256, 7, 24);
    memset(lengths + 280, 8, 8);
    memset(lengths + 288, 5, 32);
    if (build_table(z->litlen, LITLEN_TABLE, LITLEN_ROOT, lengths, 288, KIND_LENS) != 0 ||
        build_table(z->dist, DIST_TABLE, DIST_ROOT, lengths + 288, 32, KIND_DISTS) != 0)
        return -1;
    combine_entries(z->litlen, z->dist);
    return 0;
}

/// A dynamic block's header, checked as zlib checks it.
static int dynamic_header(cps_inflater *z) {
    if (refill(z) != 0)
        return -1;
    unsigned nlen = take(z, 5) + 257, ndist = take(z, 5) + 1, ncode = take(z, 4) + 4;
    if (nlen > 286 || ndist > 30)
        return -1;
    uint8_t lengths[320];
    memset(lengths, 0, 19);
    for (unsigned i = 0; i < ncode; i++) {
        if (z->bitcount < 3 && refill(z) != 0)
            return -1;
        lengths[code_length_order[i]] = (uint8_t)take(z, 3);
    }
    uint32_t codes[128];
    if (build_table(codes, 128, 7, lengths, 19, KIND_CODES) != 0)
        return -1;
    unsigned have = 0, total = nlen + ndist;
    while (have < total) {
        if (z->bitcount < 14 && refill(z) != 0)
            return -1;
        uint32_t e = codes[z->bitbuf & 127];
        take(z, e & 63);
        unsigned symbol = (e >> 16) & 0x1f, repeat, value = 0;
        if (symbol < 16) {
            lengths[have++] = (uint8_t)symbol;
            continue;
        }
        if (symbol == 16) {
            if (have == 0)
                return -1;
            value = lengths[have - 1];
            repeat = 3 + take(z, 2);
        } else if (symbol == 17) {
            repeat = 3 + take(z, 3);
        } else {
            repeat = 11 + take(z, 7);
        }
        if (have + repeat > total)
            return -1;
        memset(lengths + have, (int)value, repeat);
        have += repeat;
    }
    if (lengths[256] == 0) // no end-of-block code
        return -1;
    if (build_table(z->litlen, LITLEN_TABLE, LITLEN_ROOT, lengths, nlen, KIND_LENS) != 0 ||
        build_table(z->dist, DIST_TABLE, DIST_ROOT, lengths + nlen, ndist, KIND_DISTS) != 0)
        return -1;
    combine_entries(z->litlen, z->dist);
    return 0;
}

/// A stored block: its length check, then its bytes, from the bit buffer and the input.
static int stored_block(cps_inflater *z) {
    take(z, z->bitcount & 7);
    if (refill(z) != 0)
        return -1;
    uint32_t length = take(z, 16), complement = take(z, 16);
    if (length != (~complement & 0xffff))
        return -1;
    // Whole bytes left in the bit buffer come first; zeros fed past the end are not input.
    while (length > 0 && z->bitcount >= 8) {
        if (z->bitcount / 8 <= z->overread)
            return -1;
        *z->out++ = (uint8_t)take(z, 8);
        length--;
    }
    if (length > 0) {
        z->bitbuf = 0;
        z->bitcount = 0;
    }
    while (length > 0) {
        if (z->in == z->in_end) {
            if (next_piece(z) != 0)
                return -1;
            continue;
        }
        size_t n = (size_t)(z->in_end - z->in);
        if (n > length)
            n = length;
        memcpy(z->out, z->in, n);
        z->out += n;
        z->in += n;
        length -= (uint32_t)n;
    }
    return 0;
}

/// Copies a match; may write up to 15 bytes past its end (the buffer has slack).
static inline void copy_match(uint8_t *out, uint32_t dist, uint32_t length) {
    uint8_t *end = out + length;
    const uint8_t *src = out - dist;
    if (dist >= 16) {
        do {
            memcpy(out, src, 16);
            out += 16;
            src += 16;
        } while (out < end);
    } else if (dist == 1) {
        uint64_t v = 0x0101010101010101ull * out[-1];
        do {
            memcpy(out, &v, 8);
            memcpy(out + 8, &v, 8);
            out += 16;
        } while (out < end);
    } else if (dist >= 8) {
        do {
            memcpy(out, src, 8);
            out += 8;
            src += 8;
        } while (out < end);
    } else {
        // A short period: its first 8 bytes one at a time, then 8 at a time from a whole number
        // of periods back, at least 8 bytes.
        for (int i = 0; i < 8; i++)
            out[i] = src[i];
        unsigned step = dist * ((8 + dist - 1) / dist);
        for (uint8_t *p = out + 8; p < end; p += 8)
            memcpy(p, p - step, 8);
    }
}

// Steps of coded_block's loop, as macros so that its literal run stays unrolled; they use its
// locals bits, count, out and lt.
// The entry of the literal/length code at the front of `bits`.
#define LOOKUP_LITLEN(e)                                                                         \
    do {                                                                                         \
        (e) = lt[bits & LITLEN_MASK];                                                            \
        if ((e) & E_SUB)                                                                         \
            (e) = sub_entry(lt, (e), bits);                                                      \
    } while (0)
// Writes the one or two literals of entry `e` and drops its bits. The second byte written is
// garbage for a single literal, overwritten next.
#define PUT_LITERALS(e)                                                                          \
    do {                                                                                         \
        bits >>= (e) & 63;                                                                       \
        count -= (e) & 63;                                                                       \
        out[0] = (uint8_t)((e) >> 8);                                                            \
        out[1] = (uint8_t)((e) >> 16);                                                           \
        out += 1 + (((e) >> 24) & 1);                                                            \
    } while (0)

/// Decodes the symbols of a Huffman block until the output reaches target or the block ends.
/// Returns 0 (target reached), 1 (end of block) or -1.
static int coded_block(cps_inflater *z, uint8_t *target) {
    uint64_t bits = z->bitbuf;
    unsigned count = z->bitcount;
    const uint8_t *in = z->in, *in_end = z->in_end;
    uint8_t *out = z->out;
    uint8_t *const start = z->buf;
    const uint32_t *const lt = z->litlen, *const dt = z->dist;
    const uint32_t window = z->window;
    int result = 0;
    while (out < target) {
        if (__builtin_expect(in_end - in >= 8, 1)) {
            bits |= load64(in) << count;
            in += (63 - count) >> 3;
            count |= 56;
        } else {
            z->bitbuf = bits, z->bitcount = count, z->in = in;
            if (refill(z) != 0) {
                result = -1;
                break;
            }
            bits = z->bitbuf, count = z->bitcount, in = z->in, in_end = z->in_end;
        }
        uint32_t e;
        LOOKUP_LITLEN(e);
        if (e & E_LIT) {
            // Up to three lookups of literals from one refill (56 bits; 15 at most each).
            PUT_LITERALS(e);
            LOOKUP_LITLEN(e);
            if (e & E_LIT) {
                PUT_LITERALS(e);
                LOOKUP_LITLEN(e);
                if (e & E_LIT)
                    PUT_LITERALS(e);
            }
            continue;
        }

        if ((e & E_MATCH) == E_MATCH) {
            uint32_t d = dt[(e >> 12) & 0xff];
            uint32_t dist = ((d >> 16) & 0x7fff) + (uint32_t)((bits >> ((e >> 8) & 15)) & ((1u << ((d >> 12) & 15)) - 1));
            uint32_t length = (e >> 20) & 0x1ff;
            bits >>= e & 63;
            count -= e & 63;
            if (dist > (size_t)(out - start) || dist > window) {
                result = -1;
                break;
            }
            copy_match(out, dist, length);
            out += length;
            continue;
        }
        if (__builtin_expect((e & E_LEN) != 0, 1)) {
            // Code and extra bits go in one shift; the extra value is read off the bits before.
            uint32_t length = ((e >> 16) & 0x1ff) + (uint32_t)((bits >> ((e >> 8) & 15)) & ((1u << ((e >> 12) & 15)) - 1));
            bits >>= e & 63;
            count -= e & 63;
            uint32_t d = dt[bits & DIST_MASK];
            if (d & E_SUB)
                d = sub_entry(dt, d, bits);
            if (d & E_BAD) {
                result = -1;
                break;
            }
            uint32_t dist = ((d >> 16) & 0x7fff) + (uint32_t)((bits >> ((d >> 8) & 15)) & ((1u << ((d >> 12) & 15)) - 1));
            bits >>= d & 63;
            count -= d & 63;
            if (dist > (size_t)(out - start) || dist > window) {
                result = -1;
                break;
            }
            copy_match(out, dist, length);
            out += length;
            continue;
        }
        if (e & E_EOB) {
            bits >>= e & 63;
            count -= e & 63;
            result = 1;
            break;
        }
        result = -1; // an invalid code
        break;
    }
    z->bitbuf = bits, z->bitcount = count, z->in = in, z->in_end = in_end, z->out = out;
    return result;
}

#undef PUT_LITERALS
#undef LOOKUP_LITLEN

static void update_adler(cps_inflater *z) {
    z->adler = isal_adler32(z->adler, z->adler_from, (uint64_t)(z->out - z->adler_from));
    cps_after_isal();
    z->adler_from = z->out;
}

/// After the last block: the Adler-32, and the proof that the stream lies within the input.
static int stream_end(cps_inflater *z) {
    update_adler(z);
    take(z, z->bitcount & 7);
    if (refill(z) != 0)
        return -1;
    uint32_t stored = take(z, 8) << 24;
    stored |= take(z, 8) << 16;
    stored |= take(z, 8) << 8;
    stored |= take(z, 8);
    if (z->overread * 8 > z->bitcount || stored != z->adler)
        return -1;
    z->state = S_DONE;
    return 0;
}

/// Makes room for a batch, keeping the window and the bytes not taken yet.
static void slide(cps_inflater *z) {
    if ((size_t)(z->buf_end - z->out) >= z->batch + SLACK)
        return;
    update_adler(z);
    uint8_t *keep = z->out - z->buf > HISTORY ? z->out - HISTORY : z->buf;
    if (z->cursor < keep)
        keep = z->cursor;
    size_t n = (size_t)(z->out - keep);
    memmove(z->buf, keep, n);
    z->cursor -= keep - z->buf;
    z->out = z->buf + n;
    z->adler_from = z->out;
}

/// Decodes about a batch more. Returns 0, or -1 when the stream is given up.
static int decode_batch(cps_inflater *z) {
    slide(z);
    uint8_t *target = z->out + z->batch;
    while (z->out < target) {
        switch (z->state) {
        case S_ZLIB_HEADER: {
            if (refill(z) != 0)
                return -1;
            unsigned cmf = take(z, 8), flg = take(z, 8);
            // libpng refuses a window over 32K itself, then zlib checks the header.
            if ((cmf >> 4) > 7 || (cmf * 256 + flg) % 31 != 0 || (cmf & 15) != 8 || (flg & 0x20))
                return -1;
            z->window = 1u << ((cmf >> 4) + 8);
            z->state = S_BLOCK_HEADER;
            break;
        }
        case S_BLOCK_HEADER: {
            if (refill(z) != 0)
                return -1;
            z->final_block = (int)take(z, 1);
            unsigned type = take(z, 2);
            int ok = type == 0 ? stored_block(z) : type == 1 ? fixed_tables(z) : type == 2 ? dynamic_header(z) : -1;
            if (ok != 0)
                return -1;
            if (type == 0) {
                if (z->final_block)
                    return stream_end(z);
            } else {
                z->state = S_CODED;
            }
            break;
        }
        case S_CODED: {
            int r = coded_block(z, target);
            if (r < 0)
                return -1;
            if (r == 1) {
                if (z->final_block)
                    return stream_end(z);
                z->state = S_BLOCK_HEADER;
            }
            break;
        }
        default:
            return 0;
        }
    }
    return 0;
}

cps_inflater *cps_inflater_create(cps_piece_source source, void *context, size_t row_bytes) {
    cps_inflater *z = malloc(sizeof *z);
    if (!z)
        return NULL;
    memset(z, 0, offsetof(cps_inflater, litlen));
    z->batch = row_bytes > BATCH ? row_bytes : BATCH;
    size_t size = HISTORY + row_bytes + z->batch + SLACK;
    z->buf = malloc(size);
    if (!z->buf) {
        free(z);
        return NULL;
    }
    z->buf_end = z->buf + size;
    z->out = z->cursor = z->adler_from = z->buf;
    z->source = source;
    z->source_context = context;
    z->adler = 1;
    z->state = S_ZLIB_HEADER;
    return z;
}

const uint8_t *cps_inflate_take(cps_inflater *z, size_t n) {
    while ((size_t)(z->out - z->cursor) < n) {
        if (z->state == S_DONE || decode_batch(z) != 0)
            return NULL;
    }
    const uint8_t *row = z->cursor;
    z->cursor += n;
    return row;
}

int cps_inflate_finish(cps_inflater *z) {
    while (z->state != S_DONE) {
        z->cursor = z->out; // the rest is extra data, not needed
        if (decode_batch(z) != 0)
            return -1;
    }
    return 0;
}

void cps_inflater_destroy(cps_inflater *z) {
    if (!z)
        return;
    free(z->buf);
    free(z);
}
