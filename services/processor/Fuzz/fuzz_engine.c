// libFuzzer target for the C engine's entry point, cps_process: any bytes, in the three modes the
// processor and its tests use (raw gray; binary PNG, 1 bit, threshold 127; binary PNG, 8 bits,
// Otsu). Built with AddressSanitizer and UndefinedBehaviorSanitizer by scripts/fuzz.sh (make fuzz),
// which seeds the corpus with the test data's PNGs. The engine promises to be safe on any input:
// a crash, a sanitizer report, a leak or a result that breaks its own contract stops the run.
#include "CImageEngine.h"

#include <stdint.h>
#include <stdlib.h>

// Small enough that a header claiming a huge image is refused before the run takes seconds; the
// service's limit (MAX_PIXELS) is larger, but the decoding path is the same.
enum { FUZZ_MAX_PIXELS = 1 << 22, FUZZ_MAX_SIDE = 1000000 };

static void check(int condition) {
    if (!condition) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (int mode = 0; mode < 3; mode++) {
        cps_options options;
        cps_options_init(&options);
        options.max_pixels = FUZZ_MAX_PIXELS;
        options.max_side = FUZZ_MAX_SIDE;
        if (mode == 0) options.output = CPS_OUTPUT_GRAY_RAW;
        if (mode == 2) {
            options.bit_depth = 8;
            options.threshold = CPS_THRESHOLD_OTSU;
        }
        cps_result result;
        cps_status status = cps_process(data, size, &options, &result);
        check(status == result.status);
        if (status == CPS_OK) {
            check(result.data != NULL && result.width > 0 && result.height > 0);
            check((uint64_t)result.width * result.height <= FUZZ_MAX_PIXELS);
            if (mode == 0) check(result.size == (size_t)result.width * result.height);
            check(result.message[0] == '\0');
        } else {
            check(result.message[0] != '\0');  // every refusal says why
        }
        cps_result_release(&result);
    }
    return 0;
}
