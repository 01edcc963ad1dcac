// Keccak-256 as Ethereum uses it: Keccak-f[1600] (FIPS 202 3.3), rate 136
// bytes, original Keccak padding (domain byte 0x01, not SHA-3's 0x06). Hashes
// a 1 KiB message, chained: each digest is written back into the message.

#include "keccak_sponge.h"
#include "workload.h"

enum { kMessageLen = 1024 };

static uint8_t message[kMessageLen];

WL_EXPORT uint64_t run(uint32_t iterations) {
  wl_fill(message, kMessageLen, 0x3ecc4c);

  uint64_t checksum = 0;
  uint8_t digest[32];
  for (uint32_t i = 0; i < iterations; i++) {
    keccak256(message, kMessageLen, 0x01, digest);
    uint8_t* slot = message + (i % (kMessageLen / 32)) * 32;
    for (int j = 0; j < 32; j++) slot[j] = digest[j];
    checksum = wl_fold(checksum, load_le64(digest) ^ load_le64(digest + 24));
  }
  return checksum;
}

#ifdef WL_SELFTEST
int main(void) {
  int failures = 0;
  uint8_t digest[32];
  keccak256((const uint8_t*)"", 0, 0x01, digest);
  failures += wl_check("keccak256('')", digest, 32,
                       "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  keccak256((const uint8_t*)"abc", 3, 0x01, digest);
  failures += wl_check("keccak256('abc')", digest, 32,
                       "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  // SHA3-256 shares the sponge; its published vectors cover multi-block
  // input and a message that fills a block exactly (136 bytes).
  keccak256((const uint8_t*)"abc", 3, 0x06, digest);
  failures += wl_check("sha3-256('abc')", digest, 32,
                       "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
  static uint8_t a3[200];
  memset(a3, 0xa3, sizeof a3);
  keccak256(a3, 200, 0x06, digest);
  failures += wl_check("sha3-256(0xa3 x 200)", digest, 32,
                       "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787");
  keccak256(a3, 136, 0x06, digest);
  failures += wl_check("sha3-256(0xa3 x 136)", digest, 32,
                       "0adf6bfb359ae40019b67d8c49c361574b70242a6b752de6f9e0d426ca177f7a");
  printf("keccak selftest: %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}
#endif
