// SHA-256 (FIPS 180-4) of a 1 KiB message, chained: each digest is written
// back into the message before the next hash.

#include "workload.h"

enum { kMessageLen = 1024 };

// First 32 bits of the fractional parts of the cube roots of the first 64
// primes (FIPS 180-4 4.2.2).
static const uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// Initial hash value (FIPS 180-4 5.3.3).
static const uint32_t kInitial[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint8_t message[kMessageLen];

static inline uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t* p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void compress(uint32_t h[8], const uint8_t block[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++) w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  uint32_t e = h[4], f = h[5], g = h[6], k = h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t t1 =
        k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

static void sha256(const uint8_t* data, uint32_t len, uint8_t digest[32]) {
  uint32_t h[8];
  for (int i = 0; i < 8; i++) h[i] = kInitial[i];
  uint32_t done = 0;
  for (; len - done >= 64; done += 64) compress(h, data + done);

  // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian integer;
  // one extra block when fewer than 9 bytes are left in the last one.
  uint8_t tail[128];
  uint32_t rest = len - done;
  for (uint32_t i = 0; i < rest; i++) tail[i] = data[done + i];
  tail[rest] = 0x80;
  uint32_t tail_len = rest < 56 ? 64 : 128;
  for (uint32_t i = rest + 1; i < tail_len - 8; i++) tail[i] = 0;
  uint64_t bits = (uint64_t)len * 8;
  store_be32(tail + tail_len - 8, (uint32_t)(bits >> 32));
  store_be32(tail + tail_len - 4, (uint32_t)bits);
  for (uint32_t i = 0; i < tail_len; i += 64) compress(h, tail + i);

  for (int i = 0; i < 8; i++) store_be32(digest + 4 * i, h[i]);
}

WL_EXPORT uint64_t run(uint32_t iterations) {
  wl_fill(message, kMessageLen, 0x5a256);

  uint64_t checksum = 0;
  uint8_t digest[32];
  for (uint32_t i = 0; i < iterations; i++) {
    sha256(message, kMessageLen, digest);
    uint8_t* slot = message + (i % (kMessageLen / 32)) * 32;
    for (int j = 0; j < 32; j++) slot[j] = digest[j];
    checksum = wl_fold(checksum, load_be32(digest) | (uint64_t)load_be32(digest + 28) << 32);
  }
  return checksum;
}

#ifdef WL_SELFTEST
int main(void) {
  static const char* const kMsgs[] = {
      "",
      "abc",
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
  };
  static const char* const kWant[] = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  };
  int failures = 0;
  uint8_t digest[32];
  for (int i = 0; i < 3; i++) {
    sha256((const uint8_t*)kMsgs[i], (uint32_t)strlen(kMsgs[i]), digest);
    failures += wl_check(kMsgs[i], digest, 32, kWant[i]);
  }
  // One million 'a' (FIPS 180-4 example), exercising many blocks.
  static uint8_t million[1000000];
  memset(million, 'a', sizeof million);
  sha256(million, sizeof million, digest);
  failures += wl_check("million a", digest, 32,
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  printf("sha256 selftest: %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}
#endif
