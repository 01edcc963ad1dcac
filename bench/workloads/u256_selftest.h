// The self-test of u256.c and u256_64.c (built with -DWL_SELFTEST): the same
// published-style vectors through either file's operations. The including
// file defines U256, u256_add, u256_mul, u256_mulmod, u256_exp,
// u256_modexp, and u256_from_hex / u256_to_bytes (64 hex digits or 32 bytes,
// most significant first) for its limb width.
#ifndef WL_U256_SELFTEST_H
#define WL_U256_SELFTEST_H

typedef enum { kAdd, kMul, kMulMod, kExp, kModExp } Op;

// A one-limb modulus (short division) and a two-limb one where a quotient
// digit estimate in base 2^64 is 2^64 - 1 close the list.
#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define ONE "0000000000000000000000000000000000000000000000000000000000000001"
#define THREE "0000000000000000000000000000000000000000000000000000000000000003"
#define ALL_ONES "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
// secp256k1's field prime p, and p - 1.
#define P "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
#define P_MINUS_1 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e"
// Arbitrary operands; the expected values come from Python's integers.
#define A "9c0d4b2e7a1f36c58e24d70b1f6a93c2d48e0f57b3a1c69e2d7f4058b1c3e6a9"
#define B "3f7a2c91d6e8b4057c1e9a3d62f0b85e4a9c7d13e68f2b5a0c4d9e7f1b3a6c82"
#define M "00000000000000000000d3c1a2e5f7b9086c4e2a1d3f5b7c9e0a2c4e6f8a1b3d"
#define M1 "000000000000000000000000000000000000000000000000c3a5e1f7092b4d6f"
// (2^128 - 2) * 5 * 2^64 mod (2^128 - 1).
#define A2 "00000000000000000000000000000000fffffffffffffffffffffffffffffffe"
#define B2 "0000000000000000000000000000000000000000000000050000000000000000"
#define M2 "00000000000000000000000000000000ffffffffffffffffffffffffffffffff"

static int u256_selftest(const char* name) {
  static const struct {
    const char* name;
    Op op;
    const char *a, *b, *m, *want;
  } kVectors[] = {
      {"add wraps", kAdd, ALL_ONES, ONE, ZERO, ZERO},
      {"mul wraps", kMul, ALL_ONES, ALL_ONES, ZERO, ONE},
      {"mulmod by 0", kMulMod, A, B, ZERO, ZERO},
      {"modexp by 0", kModExp, A, B, ZERO, ZERO},
      // Fermat: 3^(p-1) = 1 mod p.
      {"fermat", kModExp, THREE, P_MINUS_1, P, ONE},
      {"add", kAdd, A, B, ZERO, "db8777c05107eacb0a437148825b4c211f2a8c6b9a30f1f839ccded7ccfe532b"},
      {"mul", kMul, A, B, ZERO, "319e6a8aa993318621bd57668daf0f63f7edd201da731d001dfcc39600146dd2"},
      {"mulmod p", kMulMod, A, B, P,
       "51a0c961fd86abc5272c5cc2c4c909404cd53db8b3c650aafb5d2319b56821a6"},
      {"mulmod m", kMulMod, A, B, M,
       "00000000000000000000353d9083a22f7760f94e5490e71c3a33dc28fbcc4bb7"},
      {"exp", kExp, A, B, ZERO, "8a8dcac65cd5780fe5ee4da2841fda7f702da1ca19c477d9bc5361c652f47f91"},
      {"modexp", kModExp, A, B, M,
       "0000000000000000000051c6f5006fd1c18f5680f4c9245152521113a9095ae8"},
      {"mulmod 1 limb", kMulMod, A, B, M1,
       "0000000000000000000000000000000000000000000000004af5a7526c355825"},
      {"mulmod qhat 2^64-1", kMulMod, A2, B2, M2,
       "00000000000000000000000000000000fffffffffffffffaffffffffffffffff"},
  };
  int failures = 0;
  for (size_t i = 0; i < sizeof kVectors / sizeof kVectors[0]; i++) {
    U256 a = u256_from_hex(kVectors[i].a), b = u256_from_hex(kVectors[i].b),
         m = u256_from_hex(kVectors[i].m);
    U256 r;
    switch (kVectors[i].op) {
      case kAdd:
        r = u256_add(&a, &b);
        break;
      case kMul:
        r = u256_mul(&a, &b);
        break;
      case kMulMod:
        r = u256_mulmod(&a, &b, &m);
        break;
      case kExp:
        r = u256_exp(&a, &b);
        break;
      case kModExp:
        r = u256_modexp(&a, &b, &m);
        break;
    }
    uint8_t bytes[32];
    u256_to_bytes(&r, bytes);
    failures += wl_check(kVectors[i].name, bytes, 32, kVectors[i].want);
  }
  printf("%s selftest: %s\n", name, failures ? "FAILED" : "ok");
  return failures != 0;
}

#endif  // WL_U256_SELFTEST_H
