/*
 * tests/fuzz/fuzz.h - the libFuzzer entry point each fuzz target defines,
 * declared once so targets compile with -Wmissing-prototypes. The same
 * targets link with replay.c into plain programs that `make check` runs
 * over tests/fuzz/corpus/<target>/.
 */
#ifndef TLSAUDIT_TESTS_FUZZ_H
#define TLSAUDIT_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
