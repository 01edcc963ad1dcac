// Sieve of Eratosthenes over a 2 MiB static byte array: memory-bound strided
// stores, then a sequential scan. The limit shrinks a little each iteration so
// every pass is different work.

#include "workload.h"

enum { kSieveLen = 2 * 1024 * 1024 };

static uint8_t composite[kSieveLen];

WL_EXPORT uint64_t run(uint32_t iterations) {
  uint64_t checksum = 0;
  for (uint32_t iter = 0; iter < iterations; iter++) {
    uint32_t limit = kSieveLen - (iter % 64) * 1024;
    for (uint32_t i = 0; i < limit; i++) composite[i] = 0;
    for (uint32_t p = 2; p * p < limit; p++) {
      if (composite[p]) continue;
      for (uint32_t j = p * p; j < limit; j += p) composite[j] = 1;
    }
    uint32_t count = 0;
    uint64_t sum = 0;
    for (uint32_t i = 2; i < limit; i++) {
      if (!composite[i]) {
        count++;
        sum += i;
      }
    }
    checksum = wl_fold(wl_fold(checksum, count), sum);
  }
  return checksum;
}
