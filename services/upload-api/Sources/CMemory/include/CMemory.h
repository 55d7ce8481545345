#ifndef CMEMORY_H
#define CMEMORY_H

/// Makes glibc hand large blocks (the upload's 5 MiB part buffers) back to the system as soon as
/// they are freed: a fixed mmap threshold of 128 KiB instead of the adaptive one, which rises after
/// the first large free and then keeps such blocks in the heap. Does nothing off glibc.
void cmemory_return_large_blocks(void);

#endif
