/*
 * Shared by the fuzz targets: the libFuzzer entry point every target
 * defines, and the one-time setup (quiet log, lasso and libxml2 ready).
 * Built with clang and -fsanitize=fuzzer for the fuzzers, and with the
 * normal compiler against fuzz/replay.c for the 'fuzz' test suite.
 */
#ifndef IDP_FUZZ_FUZZ_COMMON_H
#define IDP_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Run one input; always returns 0 (libFuzzer's convention). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Once per process: log only errors (every refusal is logged at info,
 * which would drown the fuzzer's output and slow it down), and init lasso.
 */
void fuzz_setup(void);

#endif
