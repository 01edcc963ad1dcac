// Recursive Fibonacci without memoization: call overhead and shallow
// recursion, like a contract's internal function calls.

#include "workload.h"

// Volatile so the compiler cannot hoist the pure call out of the loop.
static volatile uint32_t fib_n = 20;

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

WL_EXPORT uint64_t run(uint32_t iterations) {
  uint64_t checksum = 0;
  for (uint32_t i = 0; i < iterations; i++) checksum = wl_fold(checksum, fib(fib_n) + i);
  return checksum;
}
