// A zlib stream made the way zlib's Z_RLE strategy makes it: a byte repeating the one before it
// three times or more becomes a match at distance 1, everything else a literal; each block of
// tokens then gets its own Huffman codes. Binary images are runs of equal bytes (more so after
// the UP filter), which these matches take whole, for sizes within a few per cent of zlib's
// level 1 Z_RLE at a fraction of its time; the measurements are in png_write.c.
#include "engine.h"

#include <isa-l/igzip_lib.h>
#include <stdlib.h>
#include <string.h>

/// Tokens per block: a literal (0...255) or 256 + a match length (3...258).
#define BLOCK_TOKENS 32768

struct cps_rle_deflater {
    cps_bytes_out out;
    void *out_context;
    uint16_t *tokens;
    size_t token_count;
    /// The last byte compressed (matches repeat it), and whether there is one.
    int last;
    uint32_t adler;
    uint64_t bits;
    unsigned bit_count;
    uint8_t pending[4096];
    size_t pending_size;
    int failed;
};

static const uint16_t length_base[29] = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,  15,  17,  19,  23, 27,
                                         31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint8_t code_length_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/// Length (3...258) to length symbol minus 257; filled once (every thread writes the same).
static uint8_t length_code[259];
static int length_code_ready;

static void flush_pending(cps_rle_deflater *d) {
    if (d->pending_size && !d->failed && d->out(d->out_context, d->pending, d->pending_size) != 0)
        d->failed = 1;
    d->pending_size = 0;
}

/// Appends n bits (n <= 32), first bit lowest; whole 32-bit words go out.
static inline void put_bits(cps_rle_deflater *d, uint32_t value, unsigned n) {
    d->bits |= (uint64_t)value << d->bit_count;
    d->bit_count += n;
    if (d->bit_count >= 32) {
        if (d->pending_size + 4 > sizeof d->pending)
            flush_pending(d);
        uint8_t *p = d->pending + d->pending_size;
        p[0] = (uint8_t)d->bits, p[1] = (uint8_t)(d->bits >> 8), p[2] = (uint8_t)(d->bits >> 16),
        p[3] = (uint8_t)(d->bits >> 24);
        d->pending_size += 4;
        d->bits >>= 32;
        d->bit_count -= 32;
    }
}

/// The bits left over as whole bytes (the last one padded with zeros).
static void flush_bits(cps_rle_deflater *d) {
    while (d->bit_count > 0) {
        if (d->pending_size == sizeof d->pending)
            flush_pending(d);
        d->pending[d->pending_size++] = (uint8_t)d->bits;
        d->bits >>= 8;
        d->bit_count = d->bit_count > 8 ? d->bit_count - 8 : 0;
    }
}

static unsigned reverse_bits(unsigned code, unsigned length) {
    unsigned r = 0;
    for (unsigned i = 0; i < length; i++, code >>= 1)
        r = (r << 1) | (code & 1);
    return r;
}

/// Huffman code lengths for counts[0...n), none over limit, the code complete (a code the reading
/// zlib accepts: at least two symbols, Kraft sum exactly 1).
static void code_lengths(const uint32_t *counts, unsigned n, unsigned limit, uint8_t *lengths) {
    // Symbols by count, then the two-queue Huffman construction over them.
    uint16_t symbols[288];
    unsigned used = 0;
    for (unsigned i = 0; i < n; i++)
        if (counts[i])
            symbols[used++] = (uint16_t)i;
    memset(lengths, 0, n);
    if (used < 2) { // one code alone would be incomplete: give it a partner
        unsigned a = used ? symbols[0] : 0, b = a == 0 ? 1 : 0;
        lengths[a] = lengths[b] = 1;
        return;
    }
    for (unsigned i = 1; i < used; i++) // insertion sort by count: few distinct symbols here
        for (unsigned j = i; j > 0 && counts[symbols[j]] < counts[symbols[j - 1]]; j--) {
            uint16_t t = symbols[j];
            symbols[j] = symbols[j - 1];
            symbols[j - 1] = t;
        }
    uint64_t weight[2 * 288];
    uint16_t parent[2 * 288];
    for (unsigned i = 0; i < used; i++)
        weight[i] = counts[symbols[i]];
    unsigned leaf = 0, node = used, next = used;
    for (unsigned k = 0; k + 1 < used; k++, next++) {
        unsigned pick[2];
        for (int p = 0; p < 2; p++)
            pick[p] = leaf < used && (node == next || weight[leaf] <= weight[node]) ? leaf++ : node++;
        weight[next] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)next;
    }
    // Depths from the root (the last node) down.
    uint8_t depth[2 * 288];
    depth[next - 1] = 0;
    for (unsigned i = next - 1; i-- > 0;)
        depth[i] = (uint8_t)(depth[parent[i]] + 1);
    // Over the limit: cap, then lengthen the longest codes under it until the Kraft sum fits,
    // then shorten the longest codes while it stays within 1 (it ends exactly at 1).
    uint64_t kraft = 0, full = 1ull << limit;
    for (unsigned i = 0; i < used; i++) {
        unsigned len = depth[i] > limit ? limit : depth[i];
        lengths[symbols[i]] = (uint8_t)len;
        kraft += full >> len;
    }
    while (kraft > full) {
        unsigned best = used;
        for (unsigned i = 0; i < used; i++)
            if (lengths[symbols[i]] < limit && (best == used || lengths[symbols[i]] > lengths[symbols[best]]))
                best = i;
        kraft -= full >> (lengths[symbols[best]] + 1);
        lengths[symbols[best]]++;
    }
    while (kraft < full) {
        unsigned best = used;
        for (unsigned i = used; i-- > 0;) // the most frequent among the longest
            if (lengths[symbols[i]] > 1 && (full >> lengths[symbols[i]]) <= full - kraft &&
                (best == used || lengths[symbols[i]] > lengths[symbols[best]]))
                best = i;
        kraft += full >> lengths[symbols[best]];
        lengths[symbols[best]]--;
    }
}

/// Canonical codes (bit-reversed, ready to send) for lengths.
static void canonical_codes(const uint8_t *lengths, unsigned n, uint16_t *codes) {
    unsigned count[16] = {0}, next[16];
    for (unsigned i = 0; i < n; i++)
        count[lengths[i]]++;
    count[0] = 0;
    unsigned code = 0;
    for (unsigned len = 1; len < 16; len++) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    for (unsigned i = 0; i < n; i++)
        codes[i] = lengths[i] ? (uint16_t)reverse_bits(next[lengths[i]]++, lengths[i]) : 0;
}

/// Writes the tokens gathered as one dynamic block.
static void write_block(cps_rle_deflater *d, int final) {
    // Counts by token (four tables: the same token in a row would wait on its own count).
    uint32_t by_token[4][256 + 259] = {{0}}, counts[286] = {0};
    size_t k = 0;
    for (; k + 4 <= d->token_count; k += 4)
        for (int j = 0; j < 4; j++)
            by_token[j][d->tokens[k + j]]++;
    for (; k < d->token_count; k++)
        by_token[0][d->tokens[k]]++;
    for (unsigned t = 0; t < 256 + 259; t++) {
        uint32_t c = by_token[0][t] + by_token[1][t] + by_token[2][t] + by_token[3][t];
        counts[t < 256 ? t : 257 + length_code[t >= 259 ? t - 256 : 3]] += c;
    }
    counts[256] = 1;
    uint8_t lengths[286 + 2];
    code_lengths(counts, 286, 15, lengths);
    unsigned nlen = 286;
    while (nlen > 257 && lengths[nlen - 1] == 0)
        nlen--;
    // Two distance codes of 1 bit (distance 1 is code 0): a complete code, as zlib writes it.
    uint8_t *dist_lengths = lengths + nlen;
    dist_lengths[0] = dist_lengths[1] = 1;
    unsigned ndist = 2, total = nlen + ndist;

    // The code lengths, run-length coded with symbols 16 (repeat), 17 and 18 (zeros).
    uint8_t cl_symbols[288 + 2], cl_extra[288 + 2];
    unsigned cl_count = 0;
    uint32_t cl_counts[19] = {0};
    for (unsigned i = 0; i < total;) {
        unsigned v = lengths[i], run = 1;
        while (i + run < total && lengths[i + run] == v)
            run++;
        unsigned left = run;
        if (v == 0) {
            while (left >= 11) {
                unsigned k = left > 138 ? 138 : left;
                cl_symbols[cl_count] = 18, cl_extra[cl_count++] = (uint8_t)(k - 11);
                left -= k;
            }
            if (left >= 3) {
                cl_symbols[cl_count] = 17, cl_extra[cl_count++] = (uint8_t)(left - 3);
                left = 0;
            }
        } else {
            cl_symbols[cl_count] = (uint8_t)v, cl_extra[cl_count++] = 0;
            left--;
            while (left >= 3) {
                unsigned k = left > 6 ? 6 : left;
                cl_symbols[cl_count] = 16, cl_extra[cl_count++] = (uint8_t)(k - 3);
                left -= k;
            }
        }
        while (left > 0) {
            cl_symbols[cl_count] = (uint8_t)v, cl_extra[cl_count++] = 0;
            left--;
        }
        i += run;
    }
    for (unsigned i = 0; i < cl_count; i++)
        cl_counts[cl_symbols[i]]++;
    uint8_t cl_lengths[19];
    uint16_t cl_codes[19], codes[286 + 2];
    code_lengths(cl_counts, 19, 7, cl_lengths);
    canonical_codes(cl_lengths, 19, cl_codes);
    canonical_codes(lengths, nlen, codes);
    unsigned ncode = 19;
    while (ncode > 4 && cl_lengths[code_length_order[ncode - 1]] == 0)
        ncode--;

    put_bits(d, (uint32_t)final, 1);
    put_bits(d, 2, 2); // dynamic Huffman codes
    put_bits(d, nlen - 257, 5);
    put_bits(d, ndist - 1, 5);
    put_bits(d, ncode - 4, 4);
    for (unsigned i = 0; i < ncode; i++)
        put_bits(d, cl_lengths[code_length_order[i]], 3);
    static const uint8_t extra_bits[19] = {[16] = 2, [17] = 3, [18] = 7};
    for (unsigned i = 0; i < cl_count; i++) {
        unsigned s = cl_symbols[i];
        put_bits(d, cl_codes[s], cl_lengths[s]);
        if (extra_bits[s])
            put_bits(d, cl_extra[i], extra_bits[s]);
    }
    // Each token in one put: a literal's code, or a length's code, extra bits and the distance
    // code (0, one bit).
    uint32_t word[256 + 259];
    uint8_t size[256 + 259];
    for (unsigned t = 0; t < 256; t++)
        word[t] = codes[t], size[t] = lengths[t];
    for (unsigned length = 3; length <= 258; length++) {
        unsigned c = length_code[length], s = 257 + c;
        if (!lengths[s])
            continue;
        word[256 + length] = codes[s] | (uint32_t)(length - length_base[c]) << lengths[s];
        size[256 + length] = (uint8_t)(lengths[s] + length_extra[c] + 1);
    }
    for (size_t i = 0; i < d->token_count; i++) {
        unsigned t = d->tokens[i];
        put_bits(d, word[t], size[t]);
    }
    put_bits(d, codes[256], lengths[256]);
    d->token_count = 0;
}

cps_rle_deflater *cps_rle_create(cps_bytes_out out, void *context) {
    if (!length_code_ready) {
        for (unsigned c = 0; c < 29; c++)
            for (unsigned l = length_base[c]; l < length_base[c] + (1u << length_extra[c]) && l <= 258; l++)
                length_code[l] = (uint8_t)c;
        length_code_ready = 1;
    }
    cps_rle_deflater *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->tokens = malloc(BLOCK_TOKENS * sizeof *d->tokens);
    if (!d->tokens) {
        free(d);
        return NULL;
    }
    d->out = out;
    d->out_context = context;
    d->last = -1;
    d->adler = 1;
    put_bits(d, 0x78, 8); // zlib header: deflate, 32K window
    put_bits(d, 0x01, 8);
    return d;
}

int cps_rle_compress(cps_rle_deflater *d, const uint8_t *in, size_t n) {
    d->adler = isal_adler32(d->adler, in, n);
    cps_after_isal();
    size_t i = 0, count = d->token_count;
    uint16_t *tokens = d->tokens;
    int last = d->last;
    while (i < n) {
        if (count == BLOCK_TOKENS) {
            d->token_count = count;
            write_block(d, 0);
            count = 0;
        }
        unsigned byte = in[i];
        if ((int)byte == last && n - i >= 3) {
            // The run of the previous byte from here, 8 bytes at a time, up to 258.
            size_t run = 0, most = n - i < 258 ? n - i : 258;
            uint64_t pattern = 0x0101010101010101ull * byte;
            while (run + 8 <= most) {
                uint64_t v;
                memcpy(&v, in + i + run, 8);
                if (v != pattern)
                    break;
                run += 8;
            }
            while (run < most && in[i + run] == byte)
                run++;
            if (run >= 3) {
                tokens[count++] = (uint16_t)(256 + run);
                i += run;
                continue;
            }
        }
        tokens[count++] = (uint16_t)byte;
        last = (int)byte;
        i++;
    }
    d->token_count = count;
    d->last = last;
    return d->failed ? -1 : 0;
}

int cps_rle_finish(cps_rle_deflater *d) {
    write_block(d, 1);
    flush_bits(d);
    uint32_t a = d->adler;
    put_bits(d, (a >> 24 | (a >> 8 & 0xff00) | (a << 8 & 0xff0000) | a << 24), 32); // big-endian
    flush_bits(d);
    flush_pending(d);
    return d->failed ? -1 : 0;
}

void cps_rle_destroy(cps_rle_deflater *d) {
    if (!d)
        return;
    free(d->tokens);
    free(d);
}
