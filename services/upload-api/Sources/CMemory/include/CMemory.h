#ifndef CMEMORY_H
#define CMEMORY_H

#include <stddef.h>

/// Makes glibc hand large blocks (the upload's 5 MiB part buffers) back to the system as soon as
/// they are freed: a fixed mmap threshold of 128 KiB instead of the adaptive one, which rises after
/// the first large free and then keeps such blocks in the heap. Does nothing off glibc.
void cmemory_return_large_blocks(void);

/// The first occurrence of `needle` in `haystack` (libc's memmem: linear time whatever the bytes),
/// or NULL. For the multipart boundary search, which Swift's Glibc module does not expose.
const void *cmemory_find(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

#endif
