// What the x86_64 CPU offers beyond SSE2 (the baseline these files are compiled for), read once
// with cpuid, and the clean-up ISA-L's AVX code needs. Elsewhere: nothing, and no-ops.
#include "engine.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <immintrin.h>

static int features = -1;

int cps_cpu_features(void) {
    if (features >= 0)
        return features;
    unsigned a, b, c, d;
    int found = 0;
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        if (c & bit_SSSE3)
            found |= CPS_CPU_SSSE3;
        if ((c & bit_SSSE3) && (c & bit_SSE4_1))
            found |= CPS_CPU_SSE41;
        // AVX needs the OS to save the upper halves of the registers too (XCR0 bits 1 and 2).
        if ((c & bit_AVX) && (c & bit_OSXSAVE)) {
            unsigned lo, hi;
            __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
            if ((lo & 6) == 6)
                found |= CPS_CPU_AVX;
        }
    }
    features = found; // racing threads all store the same value
    return found;
}

__attribute__((target("avx"))) static void zero_upper(void) { _mm256_zeroupper(); }

void cps_after_isal(void) {
    if (cps_cpu_features() & CPS_CPU_AVX)
        zero_upper();
}
#else
int cps_cpu_features(void) { return 0; }
void cps_after_isal(void) {}
#endif
