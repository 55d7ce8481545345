#define _GNU_SOURCE // memmem
#include "CMemory.h"

#include <stdlib.h> // defines __GLIBC__ on glibc
#include <string.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void cmemory_return_large_blocks(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

const void *cmemory_find(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
    return memmem(haystack, haystack_length, needle, needle_length);
}
