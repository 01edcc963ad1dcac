// Keccak-256 as Ethereum uses it: Keccak-f[1600] (FIPS 202 3.3), rate 136
// bytes, original Keccak padding (domain byte 0x01, not SHA-3's 0x06): the
// sponge of keccak.c, and the host's keccak256 that keccak_host.wasm imports
// (host_keccak.c). Static functions: include once per file.
#ifndef WL_KECCAK_SPONGE_H
#define WL_KECCAK_SPONGE_H

#include <stdint.h>

enum { kRate = 136 };

// Round constants RC[i] from the rc(t) LFSR (FIPS 202 3.2.5).
static const uint64_t kRoundConst[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

// Rho offsets for lane A[x][y], indexed x + 5 * y (FIPS 202 3.2.2).
static const uint8_t kRho[25] = {
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

// Pi moves lane A[x][y] to B[y][2x + 3y mod 5]; destination index per lane.
static const uint8_t kPi[25] = {
    0, 10, 20, 5, 15, 16, 1, 11, 21, 6, 7, 17, 2, 12, 22, 23, 8, 18, 3, 13, 14, 24, 9, 19, 4,
};

// Also correct for n == 0, where both shifts are by 0.
static inline uint64_t rotl(uint64_t x, unsigned n) { return (x << n) | (x >> ((64 - n) & 63)); }

static inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

// Keccak-f[1600] on lanes a[x + 5 * y]. The x loops are written out so no
// index needs a "mod 5".
static void keccak_f(uint64_t a[25]) {
  uint64_t b[25];
  for (int round = 0; round < 24; round++) {
    // theta
    uint64_t c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    uint64_t c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    uint64_t c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    uint64_t c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    uint64_t c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
    uint64_t d0 = c4 ^ rotl(c1, 1);
    uint64_t d1 = c0 ^ rotl(c2, 1);
    uint64_t d2 = c1 ^ rotl(c3, 1);
    uint64_t d3 = c2 ^ rotl(c4, 1);
    uint64_t d4 = c3 ^ rotl(c0, 1);
    for (int y = 0; y < 25; y += 5) {
      a[y] ^= d0;
      a[y + 1] ^= d1;
      a[y + 2] ^= d2;
      a[y + 3] ^= d3;
      a[y + 4] ^= d4;
    }

    // rho and pi
    for (int i = 0; i < 25; i++) b[kPi[i]] = rotl(a[i], kRho[i]);

    // chi
    for (int y = 0; y < 25; y += 5) {
      a[y] = b[y] ^ (~b[y + 1] & b[y + 2]);
      a[y + 1] = b[y + 1] ^ (~b[y + 2] & b[y + 3]);
      a[y + 2] = b[y + 2] ^ (~b[y + 3] & b[y + 4]);
      a[y + 3] = b[y + 3] ^ (~b[y + 4] & b[y]);
      a[y + 4] = b[y + 4] ^ (~b[y] & b[y + 1]);
    }

    // iota
    a[0] ^= kRoundConst[round];
  }
}

// Sponge with a 256-bit output; `domain` is the first padding byte.
static void keccak256(const uint8_t* data, uint32_t len, uint8_t domain, uint8_t digest[32]) {
  uint64_t a[25] = {0};
  for (; len >= kRate; data += kRate, len -= kRate) {
    for (int i = 0; i < kRate / 8; i++) a[i] ^= load_le64(data + 8 * i);
    keccak_f(a);
  }

  // pad10*1 over the last, partial block.
  uint8_t block[kRate];
  for (uint32_t i = 0; i < kRate; i++) block[i] = i < len ? data[i] : 0;
  block[len] ^= domain;
  block[kRate - 1] ^= 0x80;
  for (int i = 0; i < kRate / 8; i++) a[i] ^= load_le64(block + 8 * i);
  keccak_f(a);

  for (int i = 0; i < 32; i++) digest[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}

#endif  // WL_KECCAK_SPONGE_H
