// Edwards25519 arithmetic for ZIP-215 verification: the field mod
// p = 2^255 - 19 in five 51-bit limbs, points in extended coordinates
// (X:Y:Z:T) with x = X/Z, y = Y/Z, xy = T/Z on -x^2 + y^2 = 1 + d x^2 y^2,
// a width-5 wNAF double-scalar multiplication, and scalars mod
// l = 2^252 + 27742317777372353535851937790883648493.
#include "hosts/cosmwasm/ed25519.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>

namespace wvm::cosmwasm::ed25519 {
namespace {

using u128 = unsigned __int128;

// ---------------------------------------------------------------------------
// The field. A value is sum(v[i] * 2^(51 i)), not necessarily reduced.
// Invariant: every Fe that leaves an operation below has limbs < 2^52, which
// keeps all products of mul() far below 2^128 (5 * 19 * 2^104 < 2^111).

struct Fe {
  uint64_t v[5];
};

constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;

constexpr Fe fe_small(uint64_t n) { return Fe{{n, 0, 0, 0, 0}}; }

// Brings every limb below 2^51, except limb 1 which may exceed it by a tiny
// carry; the value is unchanged mod p.
inline Fe fe_carry(Fe a) {
  uint64_t c;
  c = a.v[0] >> 51; a.v[0] &= kMask51; a.v[1] += c;
  c = a.v[1] >> 51; a.v[1] &= kMask51; a.v[2] += c;
  c = a.v[2] >> 51; a.v[2] &= kMask51; a.v[3] += c;
  c = a.v[3] >> 51; a.v[3] &= kMask51; a.v[4] += c;
  c = a.v[4] >> 51; a.v[4] &= kMask51; a.v[0] += 19 * c;  // 2^255 = 19 (mod p)
  c = a.v[0] >> 51; a.v[0] &= kMask51; a.v[1] += c;
  return a;
}

inline Fe fe_add(const Fe& a, const Fe& b) {
  Fe r;
  for (int i = 0; i < 5; ++i) r.v[i] = a.v[i] + b.v[i];
  return fe_carry(r);
}

// a - b computed as a + 4p - b: 4p's limbs (2^53 - 76, 2^53 - 4, ...) exceed
// any limb of b (< 2^52), so no limb underflows.
inline Fe fe_sub(const Fe& a, const Fe& b) {
  constexpr uint64_t k4p0 = (uint64_t{1} << 53) - 76;
  constexpr uint64_t k4pi = (uint64_t{1} << 53) - 4;
  Fe r;
  r.v[0] = a.v[0] + k4p0 - b.v[0];
  for (int i = 1; i < 5; ++i) r.v[i] = a.v[i] + k4pi - b.v[i];
  return fe_carry(r);
}

inline Fe fe_neg(const Fe& a) { return fe_sub(fe_small(0), a); }

// Carries five column sums into a field element. With input limbs below 2^52
// every column is below 2^112, and column 4, which has no wrapped (x19)
// products, below 2^108: the carry c out of it is below 2^57, so 19c fits.
inline Fe fe_reduce_wide(u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) {
  r1 += (uint64_t)(r0 >> 51);
  r2 += (uint64_t)(r1 >> 51);
  r3 += (uint64_t)(r2 >> 51);
  r4 += (uint64_t)(r3 >> 51);
  uint64_t c = (uint64_t)(r4 >> 51);
  Fe out;
  out.v[0] = ((uint64_t)r0 & kMask51) + 19 * c;
  out.v[1] = (uint64_t)r1 & kMask51;
  out.v[2] = (uint64_t)r2 & kMask51;
  out.v[3] = (uint64_t)r3 & kMask51;
  out.v[4] = (uint64_t)r4 & kMask51;
  c = out.v[0] >> 51;
  out.v[0] &= kMask51;
  out.v[1] += c;
  return out;
}

inline Fe fe_mul(const Fe& a, const Fe& b) {
  const uint64_t* x = a.v;
  const uint64_t* y = b.v;
  // Limb products that overflow 2^255 wrap around multiplied by 19.
  const uint64_t y1_19 = 19 * y[1], y2_19 = 19 * y[2], y3_19 = 19 * y[3], y4_19 = 19 * y[4];
  return fe_reduce_wide(
      (u128)x[0] * y[0] + (u128)x[1] * y4_19 + (u128)x[2] * y3_19 + (u128)x[3] * y2_19 +
          (u128)x[4] * y1_19,
      (u128)x[0] * y[1] + (u128)x[1] * y[0] + (u128)x[2] * y4_19 + (u128)x[3] * y3_19 +
          (u128)x[4] * y2_19,
      (u128)x[0] * y[2] + (u128)x[1] * y[1] + (u128)x[2] * y[0] + (u128)x[3] * y4_19 +
          (u128)x[4] * y3_19,
      (u128)x[0] * y[3] + (u128)x[1] * y[2] + (u128)x[2] * y[1] + (u128)x[3] * y[0] +
          (u128)x[4] * y4_19,
      (u128)x[0] * y[4] + (u128)x[1] * y[3] + (u128)x[2] * y[2] + (u128)x[3] * y[1] +
          (u128)x[4] * y[0]);
}

// fe_mul(a, a) with the symmetric products computed once.
inline Fe fe_sq(const Fe& a) {
  const uint64_t* x = a.v;
  const uint64_t x0_2 = 2 * x[0], x1_2 = 2 * x[1], x2_2 = 2 * x[2], x3_2 = 2 * x[3];
  const uint64_t x3_19 = 19 * x[3], x4_19 = 19 * x[4];
  return fe_reduce_wide((u128)x[0] * x[0] + (u128)x1_2 * x4_19 + (u128)x2_2 * x3_19,
                        (u128)x0_2 * x[1] + (u128)x2_2 * x4_19 + (u128)x[3] * x3_19,
                        (u128)x0_2 * x[2] + (u128)x[1] * x[1] + (u128)x3_2 * x4_19,
                        (u128)x0_2 * x[3] + (u128)x1_2 * x[2] + (u128)x[4] * x4_19,
                        (u128)x0_2 * x[4] + (u128)x1_2 * x[3] + (u128)x[2] * x[2]);
}

inline Fe fe_sq_n(Fe a, int n) {
  for (int i = 0; i < n; ++i) a = fe_sq(a);
  return a;
}

// Reads 255 bits; bit 255 (the sign of x in a point encoding) is ignored.
// Values in [p, 2^255) are taken as they are, i.e. reduced mod p later:
// ZIP 215 accepts such non-canonical y coordinates.
Fe fe_from_bytes(const uint8_t s[32]) {
  uint64_t w[4];
  for (int i = 0; i < 4; ++i) {
    w[i] = 0;
    for (int j = 7; j >= 0; --j) w[i] = (w[i] << 8) | s[8 * i + j];
  }
  Fe r;
  r.v[0] = w[0] & kMask51;
  r.v[1] = ((w[0] >> 51) | (w[1] << 13)) & kMask51;
  r.v[2] = ((w[1] >> 38) | (w[2] << 26)) & kMask51;
  r.v[3] = ((w[2] >> 25) | (w[3] << 39)) & kMask51;
  r.v[4] = (w[3] >> 12) & kMask51;
  return r;
}

// The canonical little-endian encoding of a mod p.
void fe_to_bytes(const Fe& a, uint8_t out[32]) {
  // After one carry the value h is below 2^255 + 2^66 < 2p, so h mod p is
  // h - q p with q = 1 iff h + 19 >= 2^255.
  Fe h = fe_carry(a);
  uint64_t q = (h.v[0] + 19) >> 51;
  q = (h.v[1] + q) >> 51;
  q = (h.v[2] + q) >> 51;
  q = (h.v[3] + q) >> 51;
  q = (h.v[4] + q) >> 51;
  h.v[0] += 19 * q;
  uint64_t c;
  c = h.v[0] >> 51; h.v[0] &= kMask51; h.v[1] += c;
  c = h.v[1] >> 51; h.v[1] &= kMask51; h.v[2] += c;
  c = h.v[2] >> 51; h.v[2] &= kMask51; h.v[3] += c;
  c = h.v[3] >> 51; h.v[3] &= kMask51; h.v[4] += c;
  h.v[4] &= kMask51;  // drops q * 2^255
  const uint64_t w[4] = {
      h.v[0] | (h.v[1] << 51),
      (h.v[1] >> 13) | (h.v[2] << 38),
      (h.v[2] >> 26) | (h.v[3] << 25),
      (h.v[3] >> 39) | (h.v[4] << 12),
  };
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 8; ++j) out[8 * i + j] = static_cast<uint8_t>(w[i] >> (8 * j));
  }
}

bool fe_is_zero(const Fe& a) {
  uint8_t s[32];
  fe_to_bytes(a, s);
  uint8_t acc = 0;
  for (uint8_t b : s) acc |= b;
  return acc == 0;
}

bool fe_equal(const Fe& a, const Fe& b) { return fe_is_zero(fe_sub(a, b)); }

// "Negative" means odd in canonical form (RFC 8032's sign of x).
bool fe_is_negative(const Fe& a) {
  uint8_t s[32];
  fe_to_bytes(a, s);
  return s[0] & 1;
}

// z^(2^250 - 1), and z^11 on the side: the common trunk of the exponent
// chains below.
Fe fe_pow_2_250_minus_1(const Fe& z, Fe* z11) {
  Fe z2 = fe_sq(z);
  Fe z9 = fe_mul(fe_sq_n(z2, 2), z);
  *z11 = fe_mul(z9, z2);
  Fe z_5_0 = fe_mul(fe_sq(*z11), z9);                 // 2^5 - 1
  Fe z_10_0 = fe_mul(fe_sq_n(z_5_0, 5), z_5_0);       // 2^10 - 1
  Fe z_20_0 = fe_mul(fe_sq_n(z_10_0, 10), z_10_0);    // 2^20 - 1
  Fe z_40_0 = fe_mul(fe_sq_n(z_20_0, 20), z_20_0);    // 2^40 - 1
  Fe z_50_0 = fe_mul(fe_sq_n(z_40_0, 10), z_10_0);    // 2^50 - 1
  Fe z_100_0 = fe_mul(fe_sq_n(z_50_0, 50), z_50_0);   // 2^100 - 1
  Fe z_200_0 = fe_mul(fe_sq_n(z_100_0, 100), z_100_0);  // 2^200 - 1
  return fe_mul(fe_sq_n(z_200_0, 50), z_50_0);        // 2^250 - 1
}

// z^(p - 2) = z^(2^255 - 21) = 1/z.
Fe fe_invert(const Fe& z) {
  Fe z11;
  Fe t = fe_pow_2_250_minus_1(z, &z11);
  return fe_mul(fe_sq_n(t, 5), z11);
}

// z^((p - 5) / 8) = z^(2^252 - 3).
Fe fe_pow_p58(const Fe& z) {
  Fe z11;
  Fe t = fe_pow_2_250_minus_1(z, &z11);
  return fe_mul(fe_sq_n(t, 2), z);
}

struct Constants {
  Fe d;        // -121665 / 121666
  Fe d2;       // 2d
  Fe sqrt_m1;  // a square root of -1
};

const Constants& constants() {
  static const Constants kConstants = [] {
    Constants c;
    c.d = fe_mul(fe_neg(fe_small(121665)), fe_invert(fe_small(121666)));
    c.d2 = fe_add(c.d, c.d);
    // 2 is not a square mod p (p = 5 mod 8), so 2^((p-1)/4) squares to -1;
    // (p - 1) / 4 = 2^253 - 5 = (2^250 - 1) * 8 + 3.
    Fe two = fe_small(2), unused;
    c.sqrt_m1 = fe_mul(fe_sq_n(fe_pow_2_250_minus_1(two, &unused), 3), fe_mul(fe_sq(two), two));
    return c;
  }();
  return kConstants;
}

// sqrt(u / v) when u / v is a square: returns true and the non-negative root.
// Otherwise returns false. (u = 0 gives true and 0.)
bool fe_sqrt_ratio(const Fe& u, const Fe& v, Fe* root) {
  const Constants& k = constants();
  Fe v3 = fe_mul(fe_sq(v), v);
  Fe v7 = fe_mul(fe_sq(v3), v);
  Fe r = fe_mul(fe_mul(u, v3), fe_pow_p58(fe_mul(u, v7)));
  Fe check = fe_mul(v, fe_sq(r));
  Fe u_neg = fe_neg(u);
  bool correct_sign = fe_equal(check, u);
  bool flipped_sign = fe_equal(check, u_neg);
  bool flipped_sign_i = fe_equal(check, fe_mul(u_neg, k.sqrt_m1));
  if (flipped_sign || flipped_sign_i) r = fe_mul(r, k.sqrt_m1);
  if (fe_is_negative(r)) r = fe_neg(r);
  *root = r;
  return correct_sign || flipped_sign;
}

// ---------------------------------------------------------------------------
// Points. The addition formulas (Hisil-Wong-Carter-Dawson 2008, a = -1) are
// complete on this curve: they hold for doubling, the identity and points of
// small order, which ZIP 215 lets through.

struct Point {
  Fe X, Y, Z, T;
};

// A point prepared for addition: (Y + X, Y - X, Z, 2dT).
struct Cached {
  Fe y_plus_x, y_minus_x, z, t2d;
};

constexpr Point kIdentity = {fe_small(0), fe_small(1), fe_small(1), fe_small(0)};

Cached to_cached(const Point& p) {
  return Cached{fe_add(p.Y, p.X), fe_sub(p.Y, p.X), p.Z, fe_mul(p.T, constants().d2)};
}

Point add(const Point& p, const Cached& q) {
  Fe a = fe_mul(fe_sub(p.Y, p.X), q.y_minus_x);
  Fe b = fe_mul(fe_add(p.Y, p.X), q.y_plus_x);
  Fe c = fe_mul(p.T, q.t2d);
  Fe d = fe_mul(p.Z, q.z);
  d = fe_add(d, d);
  Fe e = fe_sub(b, a), f = fe_sub(d, c), g = fe_add(d, c), h = fe_add(b, a);
  return Point{fe_mul(e, f), fe_mul(g, h), fe_mul(f, g), fe_mul(e, h)};
}

// p - q: q negated is (-X, Y, Z, -T), which swaps Y+X with Y-X and negates 2dT.
Point sub(const Point& p, const Cached& q) {
  Fe a = fe_mul(fe_sub(p.Y, p.X), q.y_plus_x);
  Fe b = fe_mul(fe_add(p.Y, p.X), q.y_minus_x);
  Fe c = fe_mul(p.T, q.t2d);
  Fe d = fe_mul(p.Z, q.z);
  d = fe_add(d, d);
  Fe e = fe_sub(b, a), f = fe_add(d, c), g = fe_sub(d, c), h = fe_add(b, a);
  return Point{fe_mul(e, f), fe_mul(g, h), fe_mul(f, g), fe_mul(e, h)};
}

Point dbl(const Point& p) {
  Fe a = fe_sq(p.X);
  Fe b = fe_sq(p.Y);
  Fe c = fe_sq(p.Z);
  c = fe_add(c, c);
  Fe e = fe_sub(fe_sub(fe_sq(fe_add(p.X, p.Y)), a), b);
  Fe g = fe_sub(b, a);
  Fe f = fe_sub(g, c);
  Fe h = fe_neg(fe_add(a, b));
  return Point{fe_mul(e, f), fe_mul(g, h), fe_mul(f, g), fe_mul(e, h)};
}

bool is_identity(const Point& p) { return fe_is_zero(p.X) && fe_equal(p.Y, p.Z); }

// Decoding as curve25519-dalek's CompressedEdwardsY::decompress, which
// ed25519-zebra uses: y = the low 255 bits mod p (non-canonical y accepted);
// x^2 = (y^2 - 1) / (d y^2 + 1) must be a square (else the point is not on
// the curve); x is the non-negative root, negated when the sign bit is set,
// even when x = 0.
bool decode_point(const uint8_t s[32], Point* out) {
  const Constants& k = constants();
  Fe y = fe_from_bytes(s);
  Fe yy = fe_sq(y);
  Fe u = fe_sub(yy, fe_small(1));
  Fe v = fe_add(fe_mul(yy, k.d), fe_small(1));
  Fe x;
  if (!fe_sqrt_ratio(u, v, &x)) return false;
  if (s[31] >> 7) x = fe_neg(x);
  *out = Point{x, y, fe_small(1), fe_mul(x, y)};
  return true;
}

// ---------------------------------------------------------------------------
// Scalars: 32-byte little-endian integers.

// l in little-endian bytes.
constexpr uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

// S < l: ed25519-zebra (curve25519-dalek's Scalar::from_canonical_bytes)
// rejects every other S, even one equal to a valid S mod l.
bool scalar_is_canonical(const uint8_t s[32]) {
  for (int i = 31; i >= 0; --i) {
    if (s[i] != kOrder[i]) return s[i] < kOrder[i];
  }
  return false;  // s == l
}

// x mod l for a 512-bit little-endian x (a SHA-512 output), by binary long
// division: the remainder r stays below l < 2^253, so 2r + 1 fits 4 words.
void scalar_reduce512(const uint8_t x[64], uint8_t out[32]) {
  uint64_t l[4], r[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) {
    l[i] = 0;
    for (int j = 7; j >= 0; --j) l[i] = (l[i] << 8) | kOrder[8 * i + j];
  }
  for (int bit = 511; bit >= 0; --bit) {
    r[3] = (r[3] << 1) | (r[2] >> 63);
    r[2] = (r[2] << 1) | (r[1] >> 63);
    r[1] = (r[1] << 1) | (r[0] >> 63);
    r[0] = (r[0] << 1) | ((x[bit >> 3] >> (bit & 7)) & 1);
    bool ge = true;  // r >= l
    for (int i = 3; i >= 0; --i) {
      if (r[i] != l[i]) {
        ge = r[i] > l[i];
        break;
      }
    }
    if (ge) {
      uint64_t borrow = 0;
      for (int i = 0; i < 4; ++i) {
        u128 d = (u128)r[i] - l[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
      }
    }
  }
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 8; ++j) out[8 * i + j] = static_cast<uint8_t>(r[i] >> (8 * j));
  }
}

constexpr int kWindow = 5;                       // digits are odd, |digit| < 16
constexpr int kTableSize = 1 << (kWindow - 2);   // P, 3P, ..., 15P
constexpr int kNafLength = 256;

// Width-5 non-adjacent form: scalar = sum(naf[i] * 2^i), each naf[i] zero or
// odd in (-16, 16), any nonzero digit followed by at least four zeros.
// Invariant: scalar < 2^253 (both S and k are below l), so the form ends by
// bit 253 and the windows read at most up to bit 259 of `bits`.
void compute_wnaf(const uint8_t scalar[32], int8_t naf[kNafLength]) {
  uint8_t bits[kNafLength + 8] = {};
  for (int i = 0; i < 256; ++i) bits[i] = (scalar[i >> 3] >> (i & 7)) & 1;
  std::memset(naf, 0, kNafLength);
  for (int i = 0; i < kNafLength; ++i) {
    if (!bits[i]) continue;
    int window = 0;
    for (int j = 0; j < kWindow; ++j) {
      window |= bits[i + j] << j;
      bits[i + j] = 0;
    }
    if (window >= (1 << (kWindow - 1))) {
      // Take window - 32 here and carry 32 into bit i + 5.
      naf[i] = static_cast<int8_t>(window - (1 << kWindow));
      int j = i + kWindow;
      while (j < kNafLength + 7 && bits[j]) bits[j++] = 0;
      bits[j] = 1;
    } else {
      naf[i] = static_cast<int8_t>(window);
    }
    i += kWindow - 1;
  }
}

using Table = std::array<Cached, kTableSize>;

// P, 3P, 5P, ..., 15P.
Table odd_multiples(const Point& p) {
  Table t;
  Cached two_p = to_cached(dbl(p));
  Point acc = p;
  t[0] = to_cached(acc);
  for (int i = 1; i < kTableSize; ++i) {
    acc = add(acc, two_p);
    t[i] = to_cached(acc);
  }
  return t;
}

const Table& base_table() {
  static const Table kBaseTable = [] {
    // The base point: y = 4/5, x non-negative.
    uint8_t encoding[32];
    std::memset(encoding, 0x66, sizeof encoding);
    encoding[0] = 0x58;
    Point b;
    bool ok = decode_point(encoding, &b);
    (void)ok;  // a fixed, valid encoding
    return odd_multiples(b);
  }();
  return kBaseTable;
}

// [s]B - [k]A, sharing one chain of doublings.
Point double_scalar_mul_base_minus(const uint8_t s[32], const uint8_t k[32], const Point& a) {
  int8_t naf_s[kNafLength], naf_k[kNafLength];
  compute_wnaf(s, naf_s);
  compute_wnaf(k, naf_k);
  const Table& b_table = base_table();
  const Table a_table = odd_multiples(a);
  int top = kNafLength - 1;
  while (top >= 0 && naf_s[top] == 0 && naf_k[top] == 0) --top;
  Point acc = kIdentity;
  for (int i = top; i >= 0; --i) {
    acc = dbl(acc);
    if (naf_s[i] > 0) acc = add(acc, b_table[naf_s[i] / 2]);
    if (naf_s[i] < 0) acc = sub(acc, b_table[-naf_s[i] / 2]);
    if (naf_k[i] > 0) acc = sub(acc, a_table[naf_k[i] / 2]);
    if (naf_k[i] < 0) acc = add(acc, a_table[-naf_k[i] / 2]);
  }
  return acc;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// k = SHA-512(R_bytes || A_bytes || M) mod l.
bool challenge(std::span<const uint8_t> r_bytes, std::span<const uint8_t> a_bytes,
               std::span<const uint8_t> message, uint8_t k[32]) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  uint8_t digest[64];
  unsigned int digest_len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), r_bytes.data(), r_bytes.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), a_bytes.data(), a_bytes.size()) != 1 ||
      (!message.empty() && EVP_DigestUpdate(ctx.get(), message.data(), message.size()) != 1) ||
      EVP_DigestFinal_ex(ctx.get(), digest, &digest_len) != 1 || digest_len != 64) {
    return false;
  }
  scalar_reduce512(digest, k);
  return true;
}

}  // namespace

bool verify_zip215(std::span<const uint8_t> message,
                   std::span<const uint8_t, kSignatureSize> signature,
                   std::span<const uint8_t, kPublicKeySize> public_key) {
  const uint8_t* r_bytes = signature.data();
  const uint8_t* s_bytes = signature.data() + 32;
  if (!scalar_is_canonical(s_bytes)) return false;
  Point r, a;
  if (!decode_point(r_bytes, &r) || !decode_point(public_key.data(), &a)) return false;
  uint8_t k[32];
  if (!challenge(signature.first<32>(), public_key, message, k)) return false;
  // [8][S]B = [8]R + [8][k]A  <=>  [8](R - ([S]B - [k]A)) = identity.
  Point r_prime = double_scalar_mul_base_minus(s_bytes, k, a);
  Point diff = sub(r, to_cached(r_prime));
  diff = dbl(dbl(dbl(diff)));
  return is_identity(diff);
}

}  // namespace wvm::cosmwasm::ed25519
