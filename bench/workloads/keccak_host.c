// keccak.c's work with the hashing done by the host: each Keccak-256 is one
// call of the imported env.keccak256(data, len, out), the ewasm/Stylus style
// of precompile, beside keccak.c's hashing in wasm. The same message, chain
// and checksum as keccak.c. The hosts: host_keccak.c natively and in wvm's
// benchmark harness (the same C sponge), run_node.mjs for node.

#include "host_keccak.h"
#include "workload.h"

enum { kMessageLen = 1024 };

static uint8_t message[kMessageLen];

static inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

WL_EXPORT uint64_t run(uint32_t iterations) {
  wl_fill(message, kMessageLen, 0x3ecc4c);

  uint64_t checksum = 0;
  uint8_t digest[32];
  for (uint32_t i = 0; i < iterations; i++) {
    keccak256_host(message, kMessageLen, digest);
    uint8_t* slot = message + (i % (kMessageLen / 32)) * 32;
    for (int j = 0; j < 32; j++) slot[j] = digest[j];
    checksum = wl_fold(checksum, load_le64(digest) ^ load_le64(digest + 24));
  }
  return checksum;
}
