// Giving back the pages of a mapped input file that decoding has moved past (cps_input_release).
//
// The CLI maps its input file instead of reading it into memory. Read pages of a file mapping
// stay resident until the mapping ends, so a 24 MB input would still count 24 MB of resident
// memory at the end of the decode; released behind the read position, it counts about a batch.
#include "engine.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#endif

void cps_input_release(cps_input *input, size_t upto, size_t batch) {
#if defined(__unix__) || defined(__APPLE__)
    if (!input->enabled || upto > input->size)
        return;
    static size_t page = 0;
    if (page == 0) {
        long size = sysconf(_SC_PAGESIZE);
        page = size > 0 ? (size_t)size : 4096;
    }
    // Whole pages only: the mapping starts on a page boundary, so offsets are page-aligned too.
    size_t end = upto / page * page;
    if (end <= input->released || end - input->released < batch)
        return;
    // Only advice: if the system refuses, the pages simply stay.
    (void)madvise((void *)(input->base + input->released), end - input->released, MADV_DONTNEED);
    input->released = end;
#else
    (void)input;
    (void)upto;
    (void)batch;
#endif
}
