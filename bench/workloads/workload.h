// Shared by every benchmark workload. Each workload is one C file that builds
// two ways (see bench/CMakeLists.txt):
//   wasm:   a standalone module exporting `uint64_t run(uint32_t iterations)`;
//   native: an object file where `run` is renamed with -Drun=wl_<name>_run so
//           all workloads link into one binary. Every other symbol in a
//           workload file is therefore static.
// run() returns a checksum of all work done; it must not depend on pointer
// width, so workloads use fixed-width integer types only and no floating point.
#ifndef WL_WORKLOAD_H
#define WL_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __wasm__

#define WL_EXPORT __attribute__((export_name("run")))

// There is no libc in the wasm build, but clang may lower struct copies and
// array initialisers to calls to these. -ffreestanding keeps clang from
// turning the loops below back into calls to themselves. Weak, so a module
// that brings its own copy still links.
__attribute__((weak)) void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  while (n--) *d++ = *s++;
  return dst;
}

__attribute__((weak)) void* memmove(void* dst, const void* src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

__attribute__((weak)) void* memset(void* dst, int c, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

__attribute__((weak)) int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t* x = (const uint8_t*)a;
  const uint8_t* y = (const uint8_t*)b;
  for (size_t i = 0; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

#else

#include <string.h>

#define WL_EXPORT

#endif

// splitmix64: deterministic inputs without a libc rand().
static inline uint64_t wl_next(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Fills buf[0, len) with deterministic bytes from `seed`.
static inline void wl_fill(uint8_t* buf, uint32_t len, uint64_t seed) {
  for (uint32_t i = 0; i < len; i += 8) {
    uint64_t r = wl_next(&seed);
    for (uint32_t j = 0; j < 8 && i + j < len; j++) buf[i + j] = (uint8_t)(r >> (8 * j));
  }
}

// Folds a value into a running checksum; order-sensitive so reordered or
// skipped work changes the result.
static inline uint64_t wl_fold(uint64_t acc, uint64_t v) {
  acc ^= v + 0x9e3779b97f4a7c15ull + (acc << 6) + (acc >> 2);
  return acc * 0x100000001b3ull;
}

#ifdef WL_SELFTEST
#include <stdio.h>

// Self-tests build natively only. Compares got[0..len) with a hex string and
// reports a mismatch; returns the number of failures (0 or 1).
static inline int wl_check(const char* what, const uint8_t* got, size_t len, const char* want_hex) {
  char hex[2 * 256 + 1];
  for (size_t i = 0; i < len; i++) snprintf(hex + 2 * i, 3, "%02x", got[i]);
  if (strcmp(hex, want_hex) == 0) return 0;
  printf("FAIL %s\n  got  %s\n  want %s\n", what, hex, want_hex);
  return 1;
}
#endif

// bench() = run(WL_ITERATIONS), for engines whose command line cannot pass
// arguments (wabt's `wasm-interp --run-all-exports`). The build defines
// WL_ITERATIONS from workloads.txt.
#if defined(__wasm__) && defined(WL_ITERATIONS)
uint64_t run(uint32_t iterations);
__attribute__((export_name("bench"))) uint64_t bench(void) { return run(WL_ITERATIONS); }
#endif

#endif  // WL_WORKLOAD_H
