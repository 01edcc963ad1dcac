// The BLAKE2b compression function F (RFC 7693 3.2) behind the EIP-152
// precompile at address 0x09: decode the 213-byte input, compress with 12
// rounds, encode the 64-byte output. Each call's output becomes the next
// call's state, as when a contract hashes a long message block by block.

#include "workload.h"

enum { kInputLen = 213, kOutputLen = 64 };

// BLAKE2b IV, the same words as SHA-512's initial hash value.
static const uint64_t kIv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

// Message word schedule (RFC 7693 2.7); round r uses row r % 10.
static const uint8_t kSigma[10][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint64_t rotr(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static inline uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static inline void store_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

// The mixing function G (RFC 7693 3.1).
static inline void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = rotr(v[d] ^ v[a], 32);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 24);
  v[a] = v[a] + v[b] + y;
  v[d] = rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 63);
}

// F(h, m, t, f) with a caller-chosen number of rounds (EIP-152).
static void compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], uint64_t t0, uint64_t t1,
                     int final) {
  uint64_t v[16];
  for (int i = 0; i < 8; i++) {
    v[i] = h[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= t0;
  v[13] ^= t1;
  if (final) v[14] = ~v[14];
  for (uint32_t r = 0; r < rounds; r++) {
    const uint8_t* s = kSigma[r % 10];
    mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

// The precompile: rounds (u32 big-endian) | h (8 x u64 LE) | m (16 x u64 LE)
// | t0, t1 (u64 LE) | f (one byte, 0 or 1). Returns 0, or -1 when f is not a
// valid flag (the precompile then fails).
static int blake2f(const uint8_t in[kInputLen], uint8_t out[kOutputLen]) {
  uint8_t f = in[212];
  if (f > 1) return -1;
  uint32_t rounds = (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
  uint64_t h[8], m[16];
  for (int i = 0; i < 8; i++) h[i] = load_le64(in + 4 + 8 * i);
  for (int i = 0; i < 16; i++) m[i] = load_le64(in + 68 + 8 * i);
  compress(rounds, h, m, load_le64(in + 196), load_le64(in + 204), f);
  for (int i = 0; i < 8; i++) store_le64(out + 8 * i, h[i]);
  return 0;
}

WL_EXPORT uint64_t run(uint32_t iterations) {
  uint8_t in[kInputLen];
  uint8_t out[kOutputLen];
  uint64_t seed = 0xb1a4e2b;
  in[0] = 0;
  in[1] = 0;
  in[2] = 0;
  in[3] = 12;
  for (int i = 4; i < 196; i += 8) store_le64(in + i, wl_next(&seed));

  uint64_t checksum = 0;
  for (uint32_t i = 0; i < iterations; i++) {
    uint64_t offset = ((uint64_t)i + 1) * 128;
    store_le64(in + 196, offset);
    store_le64(in + 204, 0);
    in[212] = (i % 8) == 7;
    if (blake2f(in, out) != 0) return 0;
    // Chain the state and perturb one message word so no two calls match.
    for (int j = 0; j < kOutputLen; j++) in[4 + j] = out[j];
    uint8_t* word = in + 68 + 8 * (i % 16);
    store_le64(word, load_le64(word) ^ load_le64(out + 8 * (i % 8)));
    checksum = wl_fold(checksum, load_le64(out) ^ load_le64(out + 56));
  }
  return checksum;
}

#ifdef WL_SELFTEST
// EIP-152 test vectors 4-7: the "abc" block with BLAKE2b-512's parameter
// block folded into h, varying rounds and f.
int main(void) {
  static const char* const kH =
      "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
      "d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b";
  static const struct {
    uint32_t rounds;
    uint8_t f;
    const char* want;
  } kVectors[] = {
      {0, 1,
       "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5"
       "d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"},
      {12, 1,
       "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
       "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"},
      {12, 0,
       "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d28752"
       "98743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"},
      {1, 1,
       "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fb"
       "a551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"},
  };
  int failures = 0;
  for (int v = 0; v < 4; v++) {
    uint8_t in[kInputLen] = {0};
    in[3] = (uint8_t)kVectors[v].rounds;
    for (int i = 0; i < 64; i++) sscanf(kH + 2 * i, "%2hhx", &in[4 + i]);
    in[68] = 'a';
    in[69] = 'b';
    in[70] = 'c';
    in[196] = 3;
    in[212] = kVectors[v].f;
    uint8_t out[kOutputLen];
    char name[32];
    snprintf(name, sizeof name, "eip-152 vector %d", v + 4);
    failures += blake2f(in, out) != 0 || wl_check(name, out, kOutputLen, kVectors[v].want);
  }
  uint8_t bad[kInputLen] = {0};
  uint8_t out[kOutputLen];
  bad[212] = 2;
  failures += blake2f(bad, out) != -1;
  printf("blake2b selftest: %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}
#endif
