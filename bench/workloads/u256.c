// 256-bit unsigned arithmetic as the EVM does it: ADD and MUL wrap mod 2^256,
// MULMOD reduces the full 512-bit product, EXP is square-and-multiply mod
// 2^256 and MODEXP (EIP-198) square-and-multiply mod an arbitrary modulus.
// Limbs are 32 bits so every product fits a native 64-bit multiply: wasm32
// has no 128-bit type without compiler-rt helpers (__multi3, __udivti3).

#include "workload.h"

enum { kLimbs = 8 };

// Little-endian limbs: w[0] is the least significant.
typedef struct {
  uint32_t w[kLimbs];
} U256;

static U256 u256_small(uint32_t v) {
  U256 r = {{0}};
  r.w[0] = v;
  return r;
}

static int u256_is_zero(const U256* a) {
  uint32_t any = 0;
  for (int i = 0; i < kLimbs; i++) any |= a->w[i];
  return any == 0;
}

static U256 u256_add(const U256* a, const U256* b) {
  U256 r;
  uint64_t carry = 0;
  for (int i = 0; i < kLimbs; i++) {
    carry += (uint64_t)a->w[i] + b->w[i];
    r.w[i] = (uint32_t)carry;
    carry >>= 32;
  }
  return r;
}

// Low 256 bits of a * b.
static U256 u256_mul(const U256* a, const U256* b) {
  U256 r = {{0}};
  for (int i = 0; i < kLimbs; i++) {
    uint64_t carry = 0;
    for (int j = 0; i + j < kLimbs; j++) {
      carry += (uint64_t)a->w[i] * b->w[j] + r.w[i + j];
      r.w[i + j] = (uint32_t)carry;
      carry >>= 32;
    }
  }
  return r;
}

// Full 512-bit product into out[0..16).
static void u256_mul_wide(const U256* a, const U256* b, uint32_t out[2 * kLimbs]) {
  for (int i = 0; i < 2 * kLimbs; i++) out[i] = 0;
  for (int i = 0; i < kLimbs; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < kLimbs; j++) {
      carry += (uint64_t)a->w[i] * b->w[j] + out[i + j];
      out[i + j] = (uint32_t)carry;
      carry >>= 32;
    }
    out[i + kLimbs] = (uint32_t)carry;
  }
}

static int significant_limbs(const uint32_t* x, int len) {
  while (len > 0 && x[len - 1] == 0) len--;
  return len;
}

static int leading_zeros(uint32_t x) {
  int n = 0;
  for (; !(x & 0x80000000u); x <<= 1) n++;
  return n;
}

// u mod m for u of ulen <= 16 limbs and m != 0: Knuth's Algorithm D
// (TAOCP vol. 2, 4.3.1) in base 2^32, keeping only the remainder.
static U256 reduce(const uint32_t* u, int ulen, const U256* m) {
  U256 r = {{0}};
  int n = significant_limbs(m->w, kLimbs);
  ulen = significant_limbs(u, ulen);
  if (ulen < n) {
    for (int i = 0; i < ulen; i++) r.w[i] = u[i];
    return r;
  }
  if (n == 1) {
    uint64_t rem = 0;
    for (int i = ulen - 1; i >= 0; i--) rem = ((rem << 32) | u[i]) % m->w[0];
    r.w[0] = (uint32_t)rem;
    return r;
  }

  // D1: shift so the divisor's top limb has its high bit set; the quotient
  // digit estimate below is then off by at most two.
  int s = leading_zeros(m->w[n - 1]);
  uint32_t v[kLimbs];
  uint32_t un[2 * kLimbs + 1];
  for (int i = n - 1; i > 0; i--) {
    v[i] = s ? (m->w[i] << s) | (m->w[i - 1] >> (32 - s)) : m->w[i];
  }
  v[0] = m->w[0] << s;
  un[ulen] = s ? u[ulen - 1] >> (32 - s) : 0;
  for (int i = ulen - 1; i > 0; i--) un[i] = s ? (u[i] << s) | (u[i - 1] >> (32 - s)) : u[i];
  un[0] = u[0] << s;

  for (int j = ulen - n; j >= 0; j--) {
    // D3: estimate the quotient digit from the top two limbs, then correct
    // it with the next limb.
    uint64_t num = (uint64_t)un[j + n] << 32 | un[j + n - 1];
    uint64_t qhat = num / v[n - 1];
    uint64_t rhat = num % v[n - 1];
    while (qhat >> 32 || qhat * v[n - 2] > (rhat << 32 | un[j + n - 2])) {
      qhat--;
      rhat += v[n - 1];
      if (rhat >> 32) break;
    }

    // D4: un[j..j+n] -= qhat * v.
    uint64_t carry = 0, borrow = 0;
    for (int i = 0; i < n; i++) {
      uint64_t p = qhat * v[i] + carry;
      carry = p >> 32;
      uint64_t t = (uint64_t)un[i + j] - (uint32_t)p - borrow;
      un[i + j] = (uint32_t)t;
      borrow = t >> 63;
    }
    uint64_t top = carry + borrow;
    int negative = un[j + n] < top;
    un[j + n] = (uint32_t)(un[j + n] - top);

    // D6: the estimate was one too large (rare); add v back.
    if (negative) {
      uint64_t sum = 0;
      for (int i = 0; i < n; i++) {
        sum += (uint64_t)un[i + j] + v[i];
        un[i + j] = (uint32_t)sum;
        sum >>= 32;
      }
      un[j + n] += (uint32_t)sum;
    }
  }

  // D8: the remainder is un[0..n) shifted back.
  for (int i = 0; i < n; i++) r.w[i] = s ? (un[i] >> s) | (un[i + 1] << (32 - s)) : un[i];
  return r;
}

// (a * b) mod m, or 0 when m is 0 (EVM MULMOD).
static U256 u256_mulmod(const U256* a, const U256* b, const U256* m) {
  if (u256_is_zero(m)) return u256_small(0);
  uint32_t wide[2 * kLimbs];
  u256_mul_wide(a, b, wide);
  return reduce(wide, 2 * kLimbs, m);
}

// base^exponent mod 2^256 (EVM EXP), left to right over the exponent's bits.
static U256 u256_exp(const U256* base, const U256* exponent) {
  U256 r = u256_small(1);
  for (int bit = 255; bit >= 0; bit--) {
    r = u256_mul(&r, &r);
    if (exponent->w[bit / 32] >> (bit % 32) & 1) r = u256_mul(&r, base);
  }
  return r;
}

// base^exponent mod m, or 0 when m is 0 (EIP-198 MODEXP with 32-byte
// operands).
static U256 u256_modexp(const U256* base, const U256* exponent, const U256* m) {
  if (u256_is_zero(m)) return u256_small(0);
  U256 one = u256_small(1);
  U256 r = reduce(one.w, kLimbs, m);
  U256 b = reduce(base->w, kLimbs, m);
  int bits = 32 * significant_limbs(exponent->w, kLimbs);
  for (int bit = bits - 1; bit >= 0; bit--) {
    r = u256_mulmod(&r, &r, m);
    if (exponent->w[bit / 32] >> (bit % 32) & 1) r = u256_mulmod(&r, &b, m);
  }
  return r;
}

static U256 u256_random(uint64_t* seed) {
  U256 r;
  for (int i = 0; i < kLimbs; i += 2) {
    uint64_t x = wl_next(seed);
    r.w[i] = (uint32_t)x;
    r.w[i + 1] = (uint32_t)(x >> 32);
  }
  return r;
}

static uint64_t fold_u256(uint64_t acc, const U256* a) {
  for (int i = 0; i < kLimbs; i += 2) acc = wl_fold(acc, (uint64_t)a->w[i + 1] << 32 | a->w[i]);
  return acc;
}

WL_EXPORT uint64_t run(uint32_t iterations) {
  uint64_t seed = 0x0256;
  U256 a = u256_random(&seed);
  U256 b = u256_random(&seed);
  U256 m = u256_random(&seed);
  uint64_t checksum = 0;
  for (uint32_t i = 0; i < iterations; i++) {
    // Cheap opcodes in a dependent chain.
    U256 c = u256_small(0);
    for (int k = 0; k < 16; k++) {
      a = u256_add(&a, &b);
      b = u256_mul(&b, &a);
      b.w[0] |= 1;  // keep b odd so the chain never collapses to zero
      c = u256_mulmod(&a, &b, &m);
      a = u256_add(&a, &c);
    }
    U256 d = u256_exp(&c, &b);
    U256 e = u256_modexp(&a, &d, &m);
    checksum = fold_u256(fold_u256(checksum, &d), &e);

    // Next modulus: 1 to 8 limbs, so every path of the reduction runs.
    m = u256_add(&e, &c);
    int keep = kLimbs - (int)(i % kLimbs);
    for (int k = keep; k < kLimbs; k++) m.w[k] = 0;
    m.w[keep - 1] |= 1u << (i % 32);
  }
  return checksum;
}

#ifdef WL_SELFTEST
static U256 u256_from_hex(const char* hex) {
  U256 r = {{0}};
  for (int i = 0; i < 64; i++) {
    unsigned digit;
    sscanf(hex + i, "%1x", &digit);
    r.w[(63 - i) / 8] |= (uint32_t)digit << (4 * ((63 - i) % 8));
  }
  return r;
}

static void u256_to_bytes(const U256* a, uint8_t out[32]) {
  for (int j = 0; j < 32; j++) out[j] = (uint8_t)(a->w[(31 - j) / 4] >> (8 * ((31 - j) % 4)));
}

#include "u256_selftest.h"

int main(void) { return u256_selftest("u256"); }
#endif
