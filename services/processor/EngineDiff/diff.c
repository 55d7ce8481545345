// engine-diff: the new C engine against the old one (a git revision: the libpng-only engine by default), on every PNG given and on many
// damaged and re-encoded variants of each. Built and run by run.sh.
//
// For each input (a file or a variant) and each of three modes (raw gray; binary PNG, 1 bit,
// threshold 127; binary PNG, 8 bits, Otsu), both engines run cps_process. They must return the
// same status; when both succeed, the same size, threshold and orientation, the same gray bytes,
// and output PNGs that the old decoder reads back to the same pixels. Messages are compared too
// and reported, but only statuses and pixels count as mismatches.
//
//   engine-diff [-q] [-v] FILE...      exit status 1 on any mismatch; -v lists the inputs that
//                                      libpng accepted after the fast decoder gave up
#include "CImageEngine.h"
#include "read_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

cps_status old_cps_process(const uint8_t *png, size_t size, const cps_options *options, cps_result *result);
void old_cps_result_release(cps_result *result);
/// decode.c's counts (built with CPS_DECODE_STATS): images its fast path accepted, and left to libpng.
extern long cps_decode_stats[2];

static int quiet, verbose;
static long inputs, runs, mismatches, message_differences, accepted, refused, accepted_by_libpng;
static double old_seconds, new_seconds;

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

// ---------------------------------------------------------------------------------------------
// Comparison

static void options_for(int mode, cps_options *o) {
    cps_options_init(o);
    o->max_pixels = 1u << 28;
    o->max_side = 1000000;
    if (mode == 0)
        o->output = CPS_OUTPUT_GRAY_RAW;
    else if (mode == 2)
        o->threshold = CPS_THRESHOLD_OTSU, o->bit_depth = 8;
}

/// The pixels of an output PNG, read back by the old decoder.
static uint8_t *read_back(const cps_result *r, size_t *size) {
    cps_options o;
    options_for(0, &o);
    cps_result back;
    if (old_cps_process(r->data, r->size, &o, &back) != CPS_OK)
        return NULL;
    *size = back.size;
    return back.data; // released with free()
}

static void report(const char *label, int mode, const char *what, const cps_result *a, const cps_result *b) {
    mismatches++;
    if (mismatches <= 200)
        fprintf(stderr, "MISMATCH %s mode %d: %s (old %d \"%s\", new %d \"%s\")\n", label, mode, what, a->status,
                a->message, b->status, b->message);
}

static void compare(const char *label, const uint8_t *data, size_t size) {
    inputs++;
    for (int mode = 0; mode < 3; mode++) {
        cps_options o;
        options_for(mode, &o);
        cps_result a, b;
        double t0 = cpu_now();
        old_cps_process(data, size, &o, &a);
        double t1 = cpu_now();
        long fallbacks = cps_decode_stats[1];
        cps_process(data, size, &o, &b);
        double t2 = cpu_now();
        if (b.status == CPS_OK && cps_decode_stats[1] != fallbacks) {
            accepted_by_libpng++;
            if (verbose)
                fprintf(stderr, "accepted by libpng after the fast decoder gave up: %s mode %d\n", label, mode);
        }
        old_seconds += t1 - t0;
        new_seconds += t2 - t1;
        runs++;
        if (a.status != b.status) {
            report(label, mode, "status", &a, &b);
        } else if (a.status != CPS_OK) {
            refused++;
            if (strcmp(a.message, b.message) != 0) {
                message_differences++;
                if (!quiet && message_differences <= 50)
                    fprintf(stderr, "message %s mode %d: old \"%s\", new \"%s\"\n", label, mode, a.message, b.message);
            }
        } else {
            accepted++;
            if (a.width != b.width || a.height != b.height || a.threshold != b.threshold ||
                a.orientation != b.orientation) {
                report(label, mode, "size, threshold or orientation", &a, &b);
            } else if (mode == 0) {
                if (a.size != b.size || memcmp(a.data, b.data, a.size) != 0)
                    report(label, mode, "gray pixels", &a, &b);
            } else {
                size_t na = 0, nb = 0;
                uint8_t *pa = read_back(&a, &na), *pb = read_back(&b, &nb);
                if (!pa || !pb || na != nb || memcmp(pa, pb, na) != 0)
                    report(label, mode, "binary pixels", &a, &b);
                free(pa);
                free(pb);
            }
        }
        old_cps_result_release(&a);
        cps_result_release(&b);
    }
}

// ---------------------------------------------------------------------------------------------
// Variants

typedef struct {
    size_t offset; // of the length field
    uint32_t length;
    uint32_t type;
} chunk;

typedef struct {
    uint8_t *data;
    size_t size, capacity;
} buffer;

static void append(buffer *b, const void *p, size_t n) {
    if (b->size + n > b->capacity) {
        b->capacity = (b->size + n) * 2 + 1024;
        b->data = realloc(b->data, b->capacity);
    }
    if (n > 0)
        memcpy(b->data + b->size, p, n);
    b->size += n;
}

static void append_chunk(buffer *b, const char *type, const uint8_t *p, size_t n, int break_crc) {
    uint8_t head[8];
    put32(head, (uint32_t)n);
    memcpy(head + 4, type, 4);
    append(b, head, 8);
    append(b, p, n);
    uint32_t crc = (uint32_t)crc32(crc32(0, (const uint8_t *)type, 4), p, (uInt)n);
    if (break_crc)
        crc ^= 0x01000000u;
    uint8_t tail[4];
    put32(tail, crc);
    append(b, tail, 4);
}

static uint32_t rng_state;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/// A file split into: what comes before the first IDAT, the zlib stream of the IDAT run, and what
/// follows the run.
typedef struct {
    const uint8_t *file;
    size_t size;
    size_t run_start, run_end; // offsets of the first IDAT and of the chunk after the run
    int idat_count;
    uint8_t *stream;
    size_t stream_size;
    uint8_t *raw; // the inflated stream, when zlib inflates it
    size_t raw_size;
} parsed;

static int parse(const uint8_t *file, size_t size, parsed *p) {
    memset(p, 0, sizeof *p);
    p->file = file;
    p->size = size;
    if (size < 8)
        return -1;
    size_t pos = 8;
    buffer stream = {0};
    int in_run = 0, done = 0;
    while (pos + 12 <= size) {
        uint32_t length = be32(file + pos), type = be32(file + pos + 4);
        if (length > size - pos - 12)
            break;
        int idat = type == 0x49444154u;
        if (idat && !in_run && !done) {
            in_run = 1;
            p->run_start = pos;
        }
        if (!idat && in_run) {
            in_run = 0;
            done = 1;
            p->run_end = pos;
        }
        if (idat && in_run) {
            append(&stream, file + pos + 8, length);
            p->idat_count++;
        }
        pos += 12 + (size_t)length;
    }
    if (in_run)
        p->run_end = pos;
    if (!p->idat_count) {
        free(stream.data);
        return -1;
    }
    p->stream = stream.data;
    p->stream_size = stream.size;
    // Inflate it, to re-encode the image data.
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) == Z_OK) {
        size_t cap = p->stream_size * 4 + 65536;
        buffer raw = {0};
        raw.data = malloc(cap);
        raw.capacity = cap;
        z.next_in = p->stream;
        z.avail_in = (uInt)p->stream_size;
        int r;
        for (;;) {
            if (raw.size == raw.capacity) {
                raw.capacity *= 2;
                raw.data = realloc(raw.data, raw.capacity);
            }
            z.next_out = raw.data + raw.size;
            z.avail_out = (uInt)(raw.capacity - raw.size);
            r = inflate(&z, Z_NO_FLUSH);
            raw.size = raw.capacity - z.avail_out;
            if (r != Z_OK || z.avail_in == 0 || raw.size > (256u << 20))
                break;
        }
        inflateEnd(&z);
        if (r == Z_STREAM_END && raw.size < (256u << 20)) {
            p->raw = raw.data;
            p->raw_size = raw.size;
        } else {
            free(raw.data);
        }
    }
    return 0;
}

/// The file with its IDAT run replaced by `stream` cut into chunks of `split` bytes (0: one chunk);
/// break_crc: the CRC of that IDAT (1-based) is wrong; empty_first: a zero-length IDAT first.
static buffer rebuild(const parsed *p, const uint8_t *stream, size_t n, size_t split, int break_crc, int empty_first) {
    buffer b = {0};
    append(&b, p->file, p->run_start);
    int index = 0;
    if (empty_first)
        append_chunk(&b, "IDAT", NULL, 0, ++index == break_crc);
    if (split == 0 || split > n)
        split = n ? n : 1;
    size_t at = 0;
    do {
        size_t k = n - at < split ? n - at : split;
        append_chunk(&b, "IDAT", stream + at, k, ++index == break_crc);
        at += k;
    } while (at < n);
    append(&b, p->file + p->run_end, p->size - p->run_end);
    return b;
}

static void run_variant(const char *name, const char *what, buffer b) {
    char label[600];
    snprintf(label, sizeof label, "%s [%s]", name, what);
    compare(label, b.data, b.size);
    free(b.data);
}

static uint8_t *compress_raw(const uint8_t *raw, size_t n, int level, int window_bits, int strategy, size_t *out_size) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, strategy) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    uint8_t *out = malloc(cap);
    z.next_in = (uint8_t *)raw;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out_size = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void variants(const char *name, const uint8_t *file, size_t size) {
    parsed p;
    rng_state = 2463534242u ^ (uint32_t)size;
    // Truncated files, at evenly spaced offsets and near the end.
    for (int k = 1; k < 24; k++) {
        buffer b = {0};
        append(&b, file, size * (size_t)k / 24);
        run_variant(name, "truncated", b);
    }
    for (size_t cut = 1; cut <= 16 && cut < size; cut++) {
        buffer b = {0};
        append(&b, file, size - cut);
        run_variant(name, "truncated at the end", b);
    }
    if (parse(file, size, &p) != 0)
        return;
    int big = p.stream_size > (2u << 20);
    int flips = big ? 12 : 60;
    uint8_t *s = malloc(p.stream_size + 4096);

    // Single bytes changed in the zlib stream, CRC fixed (zlib sees them) or not.
    for (int i = 0; i < flips; i++) {
        memcpy(s, p.stream, p.stream_size);
        size_t at = i < flips / 3 ? rnd() % (p.stream_size < 64 ? p.stream_size : 64) : rnd() % p.stream_size;
        s[at] ^= (uint8_t)(1u << (rnd() % 8));
        if (i % 4 == 3)
            s[at] = (uint8_t)rnd();
        run_variant(name, "byte changed in the zlib stream", rebuild(&p, s, p.stream_size, 0, 0, 0));
    }
    for (int i = 0; i < 4; i++) {
        buffer b = {0};
        append(&b, file, size);
        size_t at = p.run_start + 8 + rnd() % (p.run_end - p.run_start - 8);
        b.data[at] ^= 0x10;
        run_variant(name, "byte changed in an IDAT chunk, CRC not fixed", b);
    }
    // The Adler-32.
    if (p.stream_size >= 6) {
        for (int k = 1; k <= 4; k++) {
            memcpy(s, p.stream, p.stream_size);
            s[p.stream_size - (size_t)k] ^= 0x40;
            run_variant(name, "Adler-32 changed", rebuild(&p, s, p.stream_size, 0, 0, 0));
        }
    }
    // The zlib header: every window size, preset dictionary, method, a broken check.
    if (p.stream_size >= 2) {
        for (unsigned cinfo = 0; cinfo < 16; cinfo++) {
            memcpy(s, p.stream, p.stream_size);
            s[0] = (uint8_t)(cinfo << 4 | 8);
            s[1] = (uint8_t)(s[1] & 0xe0);
            s[1] = (uint8_t)(s[1] + (31 - (s[0] * 256 + s[1]) % 31) % 31);
            run_variant(name, "zlib window size", rebuild(&p, s, p.stream_size, 0, 0, 0));
        }
        uint8_t headers[][2] = {{0x78, 0xbb}, {0x77, 0x00}, {0x78, 0x9d}, {0x79, 0x9c}, {0x08, 0x1d}, {0x78, 0x01}};
        for (size_t i = 0; i < sizeof headers / 2; i++) {
            memcpy(s, p.stream, p.stream_size);
            s[0] = headers[i][0], s[1] = headers[i][1];
            run_variant(name, "zlib header", rebuild(&p, s, p.stream_size, 0, 0, 0));
        }
    }
    // The stream cut short, inside the IDAT data (CRCs right, IEND present).
    size_t cuts[] = {1, 2, 3, 4, 5, 6, 8, 16, 100};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0] && cuts[i] < p.stream_size; i++)
        run_variant(name, "zlib stream truncated", rebuild(&p, p.stream, p.stream_size - cuts[i], 0, 0, 0));
    run_variant(name, "zlib stream truncated to half", rebuild(&p, p.stream, p.stream_size / 2, 0, 0, 0));
    // Extra bytes after the end of the zlib stream, in the last IDAT or in one more.
    size_t extras[] = {1, 4, 100};
    for (size_t i = 0; i < 3; i++) {
        memcpy(s, p.stream, p.stream_size);
        for (size_t k = 0; k < extras[i]; k++)
            s[p.stream_size + k] = i == 2 ? (uint8_t)rnd() : 0;
        run_variant(name, "bytes after the zlib stream", rebuild(&p, s, p.stream_size + extras[i], 0, 0, 0));
    }
    {
        buffer b = {0};
        append(&b, file, p.run_end);
        uint8_t junk[50];
        for (int k = 0; k < 50; k++)
            junk[k] = (uint8_t)rnd();
        append_chunk(&b, "IDAT", junk, sizeof junk, 0);
        append(&b, file + p.run_end, size - p.run_end);
        run_variant(name, "an IDAT of junk after the stream", b);
    }
    // The same stream in chunks of other sizes, with empty chunks, and with a CRC broken.
    size_t splits[] = {1, 2, 3, 7, 64, 1000, 8192, 65536};
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        if (p.stream_size / splits[i] > 300000)
            continue;
        run_variant(name, "IDAT split", rebuild(&p, p.stream, p.stream_size, splits[i], 0, (int)(i & 1)));
    }
    run_variant(name, "first IDAT CRC broken", rebuild(&p, p.stream, p.stream_size, 1000, 1, 0));
    run_variant(name, "last IDAT CRC broken", rebuild(&p, p.stream, p.stream_size, 0, 1, 0));
    run_variant(name, "empty first IDAT CRC broken", rebuild(&p, p.stream, p.stream_size, 0, 1, 1));

    // The image data re-encoded: other compressors' settings, too much or too little data, and
    // bad filter types.
    if (p.raw && p.raw_size > 0) {
        struct {
            int level, window_bits, strategy;
        } settings[] = {{0, 15, Z_DEFAULT_STRATEGY}, {1, 15, Z_RLE},        {1, 15, Z_DEFAULT_STRATEGY},
                        {6, 15, Z_FILTERED},         {9, 15, Z_DEFAULT_STRATEGY}, {6, 15, Z_HUFFMAN_ONLY},
                        {6, 15, Z_FIXED},            {6, 9, Z_DEFAULT_STRATEGY},  {6, 10, Z_DEFAULT_STRATEGY},
                        {6, 12, Z_DEFAULT_STRATEGY}, {1, 8, Z_DEFAULT_STRATEGY}};
        for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
            if (big && settings[i].level >= 6 && i != 3)
                continue;
            size_t n;
            uint8_t *z = compress_raw(p.raw, p.raw_size, settings[i].level, settings[i].window_bits,
                                      settings[i].strategy, &n);
            if (!z)
                continue;
            run_variant(name, "recompressed", rebuild(&p, z, n, 8192, 0, 0));
            // A smaller window claimed than the stream uses.
            if (n > 2 && settings[i].window_bits == 15 && (z[0] >> 4) == 7) {
                z[0] = 0x28;
                z[1] = (uint8_t)(z[1] & 0xe0);
                z[1] = (uint8_t)(z[1] + (31 - (z[0] * 256 + z[1]) % 31) % 31);
                run_variant(name, "recompressed, 1K window claimed", rebuild(&p, z, n, 8192, 0, 0));
            }
            // Flips in the recompressed stream reach other code paths (stored, fixed blocks).
            for (int f = 0; f < (big ? 2 : 8); f++) {
                uint8_t *c = malloc(n);
                memcpy(c, z, n);
                c[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
                run_variant(name, "recompressed, byte changed", rebuild(&p, c, n, 0, 0, 0));
                free(c);
            }
            free(z);
        }
        long deltas[] = {-4096, -1, 1, 4096};
        for (size_t i = 0; i < 4; i++) {
            size_t n = (size_t)((long)p.raw_size + deltas[i]);
            if ((long)p.raw_size + deltas[i] <= 0)
                continue;
            uint8_t *r = calloc(n + 1, 1);
            memcpy(r, p.raw, n < p.raw_size ? n : p.raw_size);
            size_t zn;
            uint8_t *z = compress_raw(r, n, 1, 15, Z_DEFAULT_STRATEGY, &zn);
            run_variant(name, deltas[i] < 0 ? "too little image data" : "too much image data", rebuild(&p, z, zn, 0, 0, 0));
            free(z);
            free(r);
        }
        for (int i = 0; i < 6; i++) {
            uint8_t *r = malloc(p.raw_size);
            memcpy(r, p.raw, p.raw_size);
            size_t at = i == 0 ? 0 : rnd() % p.raw_size;
            r[at] = (uint8_t)(i < 3 ? 5 + rnd() % 251 : rnd() % 5); // some hit a filter byte, some pixels
            size_t zn;
            uint8_t *z = compress_raw(r, p.raw_size, 1, 15, Z_DEFAULT_STRATEGY, &zn);
            run_variant(name, "image data changed", rebuild(&p, z, zn, 0, 0, 0));
            free(z);
            free(r);
        }
    }
    free(s);
    free(p.stream);
    free(p.raw);
}

int main(int argc, char **argv) {
    int first = 1, files = 0;
    for (; first < argc && argv[first][0] == '-' && argv[first][1] && !argv[first][2]; first++) {
        if (argv[first][1] == 'q')
            quiet = 1;
        else if (argv[first][1] == 'v')
            verbose = 1;
    }
    for (int i = first; i < argc; i++) {
        size_t size;
        uint8_t *data = read_file(argv[i], &size);
        if (!data) {
            fprintf(stderr, "engine-diff: cannot read %s\n", argv[i]);
            return 2;
        }
        files++;
        long before = mismatches;
        compare(argv[i], data, size);
        variants(argv[i], data, size);
        if (!quiet || mismatches != before)
            fprintf(stderr, "%s: %ld inputs so far, %ld mismatches\n", argv[i], inputs, mismatches);
        free(data);
    }
    printf("engine-diff: %d files, %ld inputs (files and variants), %ld runs of each engine (3 modes): "
           "%ld accepted, %ld refused by both; %ld mismatches; %ld refusals with another message; "
           "CPU old %.1f s, new %.1f s\n",
           files, inputs, runs, accepted, refused, mismatches, message_differences, old_seconds, new_seconds);
    printf("engine-diff: the new fast decoder accepted %ld images and left %ld to libpng, which accepted %ld of them\n",
           cps_decode_stats[0], cps_decode_stats[1], accepted_by_libpng);
    return mismatches ? 1 : 0;
}
