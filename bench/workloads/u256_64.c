// u256.c in four 64-bit limbs instead of eight 32-bit ones: the same 256-bit
// EVM arithmetic (ADD, MUL, MULMOD, EXP, MODEXP) on the same inputs, so run()
// returns u256.c's checksum. 64-bit limbs are what native EVMs use (evmone's
// intx): x86-64 and arm64 multiply 64x64->128 in one instruction and add with
// carry. wasm has neither: i64.mul keeps the low 64 bits, there is no carry
// flag, and wasm32 has no 128-bit type without compiler-rt helpers (__multi3,
// __udivti3), which -nostdlib does not link. So a 64x64->128 product here is
// four 32x32->64 partial products, carries come back from comparisons, and
// i64.div_u divides 64 by 64 bits only, so the reduction's 128-by-64 digit
// division is two 64-by-32 steps. The multiplies then run as many 32x32
// products as u256.c's; what 64-bit limbs still gain in wasm is a quarter of
// the limb pairs to loop over and half the quotient digits in the reduction.
// The wide-arithmetic proposal adds i64.mul_wide_u, i64.add128 and
// i64.sub128 (one instruction each for mul_64x64 and the carry chains); it
// has no 128-by-64 division.

#include "workload.h"

enum { kLimbs = 4 };

// Little-endian limbs: w[0] is the least significant.
typedef struct {
  uint64_t w[kLimbs];
} U256;

static U256 u256_small(uint32_t v) {
  U256 r = {{0}};
  r.w[0] = v;
  return r;
}

static int u256_is_zero(const U256* a) {
  uint64_t any = 0;
  for (int i = 0; i < kLimbs; i++) any |= a->w[i];
  return any == 0;
}

// a * b = lo + 2^64 hi; returns lo.
static uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t* hi) {
  uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  // Three values below 2^32: the middle column cannot overflow.
  uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
  *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return mid << 32 | (uint32_t)p00;
}

// x + a * b + *carry; returns the low limb and leaves the high one in *carry.
// Never overflows: (2^64 - 1)^2 + 2 (2^64 - 1) = 2^128 - 1.
static uint64_t mul_add(uint64_t a, uint64_t b, uint64_t x, uint64_t* carry) {
  uint64_t hi;
  uint64_t lo = mul_64x64(a, b, &hi);
  lo += x;
  hi += lo < x;
  lo += *carry;
  hi += lo < *carry;
  *carry = hi;
  return lo;
}

// a + b + *carry with the carry out (0 or 1) in *carry.
static uint64_t add_carry(uint64_t a, uint64_t b, uint64_t* carry) {
  uint64_t s = a + *carry;
  uint64_t out = s < a;
  s += b;
  *carry = out + (s < b);
  return s;
}

// a - b - *borrow with the borrow out (0 or 1) in *borrow.
static uint64_t sub_borrow(uint64_t a, uint64_t b, uint64_t* borrow) {
  uint64_t d = a - b;
  uint64_t out = a < b;
  uint64_t r = d - *borrow;
  *borrow = out | (d < *borrow);
  return r;
}

static U256 u256_add(const U256* a, const U256* b) {
  U256 r;
  uint64_t carry = 0;
  for (int i = 0; i < kLimbs; i++) r.w[i] = add_carry(a->w[i], b->w[i], &carry);
  return r;
}

_Static_assert(kLimbs == 4, "u256_mul is unrolled for four limbs");

// Low 256 bits of a * b, row by row; the top limb keeps only the low halves
// of its products, one i64.mul each. Unrolled by hand: clang -O2 unrolls
// u256.c's triangle of small bodies but not this one, and as a loop r stays
// in linear memory.
static U256 u256_mul(const U256* a, const U256* b) {
  uint64_t x0 = a->w[0], x1 = a->w[1], x2 = a->w[2], x3 = a->w[3];
  uint64_t y0 = b->w[0], y1 = b->w[1], y2 = b->w[2], y3 = b->w[3];
  uint64_t c = 0;
  uint64_t r0 = mul_add(x0, y0, 0, &c);
  uint64_t r1 = mul_add(x0, y1, 0, &c);
  uint64_t r2 = mul_add(x0, y2, 0, &c);
  uint64_t r3 = x0 * y3 + c;
  c = 0;
  r1 = mul_add(x1, y0, r1, &c);
  r2 = mul_add(x1, y1, r2, &c);
  r3 += x1 * y2 + c;
  c = 0;
  r2 = mul_add(x2, y0, r2, &c);
  r3 += x2 * y1 + c + x3 * y0;
  U256 r = {{r0, r1, r2, r3}};
  return r;
}

// Full 512-bit product into out[0..8).
static void u256_mul_wide(const U256* a, const U256* b, uint64_t out[2 * kLimbs]) {
  for (int i = 0; i < 2 * kLimbs; i++) out[i] = 0;
  for (int i = 0; i < kLimbs; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < kLimbs; j++) out[i + j] = mul_add(a->w[i], b->w[j], out[i + j], &carry);
    out[i + kLimbs] = carry;
  }
}

static int significant_limbs(const uint64_t* x, int len) {
  while (len > 0 && x[len - 1] == 0) len--;
  return len;
}

// For x != 0; the bit loop runs at most 31 times, as u256.c's.
static int leading_zeros(uint64_t x) {
  int n = 0;
  if (!(x >> 32)) {
    n = 32;
    x <<= 32;
  }
  for (; !(x >> 63); x <<= 1) n++;
  return n;
}

// (hi:lo) / d for d with its top bit set and hi < d, so the quotient fits 64
// bits; the remainder goes to *rem. i64.div_u divides 64 by 64 bits, so this
// is algorithm D again with two base-2^32 digits (Hacker's Delight, divlu).
static uint64_t div_128_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) {
  uint64_t d1 = d >> 32, d0 = (uint32_t)d;
  uint64_t l1 = lo >> 32, l0 = (uint32_t)lo;
  uint64_t q1 = hi / d1, r = hi - q1 * d1;
  while (q1 >> 32 || q1 * d0 > (r << 32 | l1)) {
    q1--;
    r += d1;
    if (r >> 32) break;
  }
  // Below d, so exact modulo 2^64.
  uint64_t mid = (hi << 32 | l1) - q1 * d;
  uint64_t q0 = mid / d1;
  r = mid - q0 * d1;
  while (q0 >> 32 || q0 * d0 > (r << 32 | l0)) {
    q0--;
    r += d1;
    if (r >> 32) break;
  }
  *rem = (mid << 32 | l0) - q0 * d;
  return q1 << 32 | q0;
}

// u mod m for u of ulen <= 8 limbs and m != 0: Knuth's Algorithm D
// (TAOCP vol. 2, 4.3.1) in base 2^64, keeping only the remainder. Half the
// quotient digits of u256.c's base 2^32; in wvm this beats running u256.c's
// reduction on the limbs' 32-bit halves.
static U256 reduce(const uint64_t* u, int ulen, const U256* m) {
  U256 r = {{0}};
  int n = significant_limbs(m->w, kLimbs);
  ulen = significant_limbs(u, ulen);
  if (ulen < n) {
    for (int i = 0; i < ulen; i++) r.w[i] = u[i];
    return r;
  }

  // D1: shift so the divisor's top limb has its high bit set; the quotient
  // digit estimate below is then off by at most two.
  int s = leading_zeros(m->w[n - 1]);
  uint64_t v[kLimbs];
  uint64_t un[2 * kLimbs + 1];
  for (int i = n - 1; i > 0; i--) {
    v[i] = s ? (m->w[i] << s) | (m->w[i - 1] >> (64 - s)) : m->w[i];
  }
  v[0] = m->w[0] << s;
  un[ulen] = s ? u[ulen - 1] >> (64 - s) : 0;
  for (int i = ulen - 1; i > 0; i--) un[i] = s ? (u[i] << s) | (u[i - 1] >> (64 - s)) : u[i];
  un[0] = u[0] << s;

  if (n == 1) {
    // Short division: each partial remainder is below v[0], so every
    // quotient digit is exact.
    uint64_t rem = un[ulen];
    for (int i = ulen - 1; i >= 0; i--) div_128_64(rem, un[i], v[0], &rem);
    r.w[0] = rem >> s;
    return r;
  }

  for (int j = ulen - n; j >= 0; j--) {
    // D3: estimate the quotient digit from the top two limbs, then correct
    // it with the next limb. un[j + n] <= v[n - 1]; on equality the digit
    // is at most 2^64 - 1.
    uint64_t qhat, rhat;
    int rhat_fits = 1;
    if (un[j + n] < v[n - 1]) {
      qhat = div_128_64(un[j + n], un[j + n - 1], v[n - 1], &rhat);
    } else {
      qhat = ~0ull;
      rhat = un[j + n - 1] + v[n - 1];
      rhat_fits = rhat >= v[n - 1];
    }
    // Once rhat >= 2^64, qhat * v[n - 2] < 2^128 <= rhat:un[j + n - 2].
    while (rhat_fits) {
      uint64_t hi, lo = mul_64x64(qhat, v[n - 2], &hi);
      if (hi < rhat || (hi == rhat && lo <= un[j + n - 2])) break;
      qhat--;
      rhat += v[n - 1];
      rhat_fits = rhat >= v[n - 1];
    }

    // D4: un[j..j+n] -= qhat * v.
    uint64_t carry = 0, borrow = 0;
    for (int i = 0; i < n; i++) {
      uint64_t p = mul_add(qhat, v[i], 0, &carry);
      un[i + j] = sub_borrow(un[i + j], p, &borrow);
    }
    // carry <= 2^64 - 2, so top cannot wrap.
    uint64_t top = carry + borrow;
    int negative = un[j + n] < top;
    un[j + n] -= top;

    // D6: the estimate was one too large (rare); add v back.
    if (negative) {
      uint64_t sum = 0;
      for (int i = 0; i < n; i++) un[i + j] = add_carry(un[i + j], v[i], &sum);
      un[j + n] += sum;
    }
  }

  // D8: the remainder is un[0..n) shifted back.
  for (int i = 0; i < n; i++) r.w[i] = s ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i];
  return r;
}

// (a * b) mod m, or 0 when m is 0 (EVM MULMOD).
static U256 u256_mulmod(const U256* a, const U256* b, const U256* m) {
  if (u256_is_zero(m)) return u256_small(0);
  uint64_t wide[2 * kLimbs];
  u256_mul_wide(a, b, wide);
  return reduce(wide, 2 * kLimbs, m);
}

// base^exponent mod 2^256 (EVM EXP), left to right over the exponent's bits.
static U256 u256_exp(const U256* base, const U256* exponent) {
  U256 r = u256_small(1);
  for (int bit = 255; bit >= 0; bit--) {
    r = u256_mul(&r, &r);
    if (exponent->w[bit / 64] >> (bit % 64) & 1) r = u256_mul(&r, base);
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
  // From the top nonzero 32-bit half, as u256.c, so both square as often.
  int limbs = significant_limbs(exponent->w, kLimbs);
  int bits = 64 * limbs - (limbs > 0 && !(exponent->w[limbs - 1] >> 32) ? 32 : 0);
  for (int bit = bits - 1; bit >= 0; bit--) {
    r = u256_mulmod(&r, &r, m);
    if (exponent->w[bit / 64] >> (bit % 64) & 1) r = u256_mulmod(&r, &b, m);
  }
  return r;
}

static U256 u256_random(uint64_t* seed) {
  U256 r;
  for (int i = 0; i < kLimbs; i++) r.w[i] = wl_next(seed);
  return r;
}

static uint64_t fold_u256(uint64_t acc, const U256* a) {
  for (int i = 0; i < kLimbs; i++) acc = wl_fold(acc, a->w[i]);
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

    // Next modulus: u256.c's, 32 to 256 bits in steps of 32 so every path of
    // the reduction runs; keep_bits - 32 + i % 32 is the bit it sets.
    m = u256_add(&e, &c);
    int keep_bits = 256 - 32 * (int)(i % 8);
    for (int k = 0; k < kLimbs; k++) {
      int kept = keep_bits - 64 * k;
      if (kept <= 0) {
        m.w[k] = 0;
      } else if (kept < 64) {
        m.w[k] &= ~0ull >> (64 - kept);
      }
    }
    int top = keep_bits - 32 + (int)(i % 32);
    m.w[top / 64] |= 1ull << (top % 64);
  }
  return checksum;
}

#ifdef WL_SELFTEST
static U256 u256_from_hex(const char* hex) {
  U256 r = {{0}};
  for (int i = 0; i < 64; i++) {
    unsigned digit;
    sscanf(hex + i, "%1x", &digit);
    r.w[(63 - i) / 16] |= (uint64_t)digit << (4 * ((63 - i) % 16));
  }
  return r;
}

static void u256_to_bytes(const U256* a, uint8_t out[32]) {
  for (int j = 0; j < 32; j++) out[j] = (uint8_t)(a->w[(31 - j) / 8] >> (8 * ((31 - j) % 8)));
}

#include "u256_selftest.h"

int main(void) { return u256_selftest("u256_64"); }
#endif
