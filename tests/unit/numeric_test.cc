// Unit tests for module/numeric.h: the operator semantics every tier shares.
// Expected values follow the spec testsuite (core/{i32,i64,conversions,f32,f64}.wast).
#include "module/numeric.h"

#include <gtest/gtest.h>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <type_traits>
#include <utility>

#include "module/opcodes.h"

namespace wvm {
namespace {

// ---- every impl named in opcodes.def exists with the expected signature --

namespace sig {
using I32 = uint32_t;
using I64 = uint64_t;
using F32 = float;
using F64 = double;

template <class In, class Out, unsigned kFlags>
using Unary = std::conditional_t<(kFlags & kTraps) != 0, TrapKind (*)(In, Out*) noexcept,
                                 Out (*)(In) noexcept>;
template <class In, class Out, unsigned kFlags>
using Binary = std::conditional_t<(kFlags & kTraps) != 0, TrapKind (*)(In, In, Out*) noexcept,
                                  Out (*)(In, In) noexcept>;
}  // namespace sig

#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)
#define WVM_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)                                \
  static_assert(std::is_same_v<decltype(&ops::impl), sig::Unary<sig::in, sig::out, (flags)>>, \
                "ops::" #impl " missing or has the wrong signature");
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags)                                \
  static_assert(std::is_same_v<decltype(&ops::impl), sig::Binary<sig::in, sig::out, (flags)>>, \
                "ops::" #impl " missing or has the wrong signature");
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY

// ---- helpers -------------------------------------------------------------

// Inputs go through a volatile so the compiler cannot constant-fold an
// operator and hide what the generated code does at run time (GCC folds
// x * 1.0 to x and int->float conversions at compile time, for example).
template <class T>
T opaque(T v) {
  volatile T x = v;
  return x;
}

float f32(uint32_t b) { return opaque(std::bit_cast<float>(b)); }
double f64(uint64_t b) { return opaque(std::bit_cast<double>(b)); }
uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }

// Quiet NaN: exponent all ones and the top mantissa bit set (what wasm calls
// an arithmetic NaN; the canonical NaN is one of them).
bool is_arithmetic_nan(float f) { return (bits(f) & 0x7fc0'0000u) == 0x7fc0'0000u; }
bool is_arithmetic_nan(double d) {
  return (bits(d) & 0x7ff8'0000'0000'0000u) == 0x7ff8'0000'0000'0000u;
}

constexpr uint32_t kF32Nan = 0x7fc0'0000u;   // canonical
constexpr uint32_t kF32SNan = 0x7fa0'0000u;  // nan:0x200000, signalling
constexpr uint64_t kF64Nan = 0x7ff8'0000'0000'0000u;
constexpr uint64_t kF64SNan = 0x7ff4'0000'0000'0000u;  // nan:0x4000000000000

constexpr float kInf32 = std::numeric_limits<float>::infinity();
constexpr double kInf64 = std::numeric_limits<double>::infinity();
constexpr uint64_t kSentinel64 = 0xdead'beef'dead'beefu;

// Run a trapping operator; returns its TrapKind and checks that a trap leaves
// *out untouched.
template <class Out, class In>
TrapKind trap_of(TrapKind (*fn)(In, Out*) noexcept, std::type_identity_t<In> a) {
  Out out = static_cast<Out>(kSentinel64);
  TrapKind t = fn(opaque(a), &out);
  if (t != TrapKind::None) {
    EXPECT_EQ(out, static_cast<Out>(kSentinel64));
  }
  return t;
}
template <class Out, class In>
TrapKind trap_of(TrapKind (*fn)(In, In, Out*) noexcept, std::type_identity_t<In> a,
                 std::type_identity_t<In> b) {
  Out out = static_cast<Out>(kSentinel64);
  TrapKind t = fn(opaque(a), opaque(b), &out);
  if (t != TrapKind::None) {
    EXPECT_EQ(out, static_cast<Out>(kSentinel64));
  }
  return t;
}
// Run a trapping operator that must succeed; returns its result.
template <class Out, class In>
Out value_of(TrapKind (*fn)(In, Out*) noexcept, std::type_identity_t<In> a) {
  Out out = 0;
  EXPECT_EQ(fn(opaque(a), &out), TrapKind::None);
  return out;
}
template <class Out, class In>
Out value_of(TrapKind (*fn)(In, In, Out*) noexcept, std::type_identity_t<In> a,
             std::type_identity_t<In> b) {
  Out out = 0;
  EXPECT_EQ(fn(opaque(a), opaque(b), &out), TrapKind::None);
  return out;
}

constexpr auto kNone = TrapKind::None;
constexpr auto kDivZero = TrapKind::IntegerDivideByZero;
constexpr auto kOverflow = TrapKind::IntegerOverflow;
constexpr auto kInvalid = TrapKind::InvalidConversionToInteger;

// ---- integer comparisons -------------------------------------------------

TEST(Numeric, IntegerComparisons) {
  EXPECT_EQ(ops::i32_eqz(opaque(0)), 1u);
  EXPECT_EQ(ops::i32_eqz(opaque(0x8000'0000u)), 0u);
  EXPECT_EQ(ops::i64_eqz(opaque(0)), 1u);
  EXPECT_EQ(ops::i64_eqz(opaque(uint64_t{1} << 63)), 0u);
  EXPECT_EQ(ops::i64_eqz(opaque(uint64_t{1} << 32)), 0u);  // not truncated to 32 bits

  EXPECT_EQ(ops::i32_eq(opaque(5), opaque(5)), 1u);
  EXPECT_EQ(ops::i32_ne(opaque(5), opaque(5)), 0u);
  // 0x80000000 is INT_MIN signed but large unsigned.
  EXPECT_EQ(ops::i32_lt_s(opaque(0x8000'0000u), opaque(0)), 1u);
  EXPECT_EQ(ops::i32_lt_u(opaque(0x8000'0000u), opaque(0)), 0u);
  EXPECT_EQ(ops::i32_gt_s(opaque(0xffff'ffffu), opaque(0)), 0u);
  EXPECT_EQ(ops::i32_gt_u(opaque(0xffff'ffffu), opaque(0)), 1u);
  EXPECT_EQ(ops::i32_le_s(opaque(0x8000'0000u), opaque(0x8000'0000u)), 1u);
  EXPECT_EQ(ops::i32_le_u(opaque(1), opaque(0)), 0u);
  EXPECT_EQ(ops::i32_ge_s(opaque(0), opaque(0xffff'ffffu)), 1u);
  EXPECT_EQ(ops::i32_ge_u(opaque(0), opaque(0xffff'ffffu)), 0u);

  constexpr uint64_t kMin = uint64_t{1} << 63;
  EXPECT_EQ(ops::i64_eq(opaque(kMin), opaque(kMin)), 1u);
  EXPECT_EQ(ops::i64_ne(opaque(kMin), opaque(0)), 1u);
  EXPECT_EQ(ops::i64_lt_s(opaque(kMin), opaque(0)), 1u);
  EXPECT_EQ(ops::i64_lt_u(opaque(kMin), opaque(0)), 0u);
  EXPECT_EQ(ops::i64_gt_s(opaque(~uint64_t{0}), opaque(0)), 0u);
  EXPECT_EQ(ops::i64_gt_u(opaque(~uint64_t{0}), opaque(0)), 1u);
  EXPECT_EQ(ops::i64_le_s(opaque(kMin), opaque(kMin - 1)), 1u);
  EXPECT_EQ(ops::i64_le_u(opaque(kMin), opaque(kMin - 1)), 0u);
  EXPECT_EQ(ops::i64_ge_s(opaque(0), opaque(~uint64_t{0})), 1u);
  EXPECT_EQ(ops::i64_ge_u(opaque(0), opaque(~uint64_t{0})), 0u);
}

// ---- integer arithmetic --------------------------------------------------

TEST(Numeric, IntegerArithmeticWraps) {
  EXPECT_EQ(ops::i32_add(opaque(0x7fff'ffffu), opaque(1)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_sub(opaque(0x8000'0000u), opaque(1)), 0x7fff'ffffu);
  EXPECT_EQ(ops::i32_mul(opaque(0x0123'4567u), opaque(0x7654'3210u)), 0x358e'7470u);
  EXPECT_EQ(ops::i32_mul(opaque(0x7fff'ffffu), opaque(0x7fff'ffffu)), 1u);
  EXPECT_EQ(ops::i64_add(opaque(0x7fff'ffff'ffff'ffffu), opaque(1)), 0x8000'0000'0000'0000u);
  EXPECT_EQ(ops::i64_sub(opaque(0), opaque(1)), ~uint64_t{0});
  EXPECT_EQ(ops::i64_mul(opaque(0x0123'4567'89ab'cdefu), opaque(0xfedc'ba98'7654'3210u)),
            0x2236'd88f'e561'8cf0u);
  EXPECT_EQ(ops::i32_and(opaque(0xf0f0'ffffu), opaque(0xffff'f0f0u)), 0xf0f0'f0f0u);
  EXPECT_EQ(ops::i32_or(opaque(0xf0f0'0000u), opaque(0x0000'f0f0u)), 0xf0f0'f0f0u);
  EXPECT_EQ(ops::i32_xor(opaque(0xffff'ffffu), opaque(0x0f0f'0f0fu)), 0xf0f0'f0f0u);
  EXPECT_EQ(ops::i64_and(opaque(~uint64_t{0}), opaque(0x1234u)), 0x1234u);
  EXPECT_EQ(ops::i64_or(opaque(uint64_t{1} << 63), opaque(1)), 0x8000'0000'0000'0001u);
  EXPECT_EQ(ops::i64_xor(opaque(~uint64_t{0}), opaque(1)), ~uint64_t{1});
}

TEST(Numeric, I32DivRem) {
  EXPECT_EQ(trap_of(ops::i32_div_s, 1, 0), kDivZero);
  EXPECT_EQ(trap_of(ops::i32_div_s, 0, 0), kDivZero);
  EXPECT_EQ(trap_of(ops::i32_div_s, 0x8000'0000u, 0), kDivZero);
  EXPECT_EQ(trap_of(ops::i32_div_s, 0x8000'0000u, 0xffff'ffffu), kOverflow);
  EXPECT_EQ(value_of(ops::i32_div_s, 0x8000'0000u, 2), 0xc000'0000u);
  EXPECT_EQ(value_of(ops::i32_div_s, 0x8000'0001u, 0xffff'ffffu), 0x7fff'ffffu);
  EXPECT_EQ(value_of(ops::i32_div_s, static_cast<uint32_t>(-7), 2), static_cast<uint32_t>(-3));
  EXPECT_EQ(value_of(ops::i32_div_s, 7, static_cast<uint32_t>(-2)), static_cast<uint32_t>(-3));

  EXPECT_EQ(trap_of(ops::i32_div_u, 1, 0), kDivZero);
  EXPECT_EQ(value_of(ops::i32_div_u, 0x8000'0000u, 0xffff'ffffu), 0u);
  EXPECT_EQ(value_of(ops::i32_div_u, 0x8000'0000u, 2), 0x4000'0000u);
  EXPECT_EQ(value_of(ops::i32_div_u, static_cast<uint32_t>(-5), 2), 0x7fff'fffdu);

  EXPECT_EQ(trap_of(ops::i32_rem_s, 1, 0), kDivZero);
  EXPECT_EQ(trap_of(ops::i32_rem_s, 0x8000'0000u, 0xffff'ffffu), kNone);
  EXPECT_EQ(value_of(ops::i32_rem_s, 0x8000'0000u, 0xffff'ffffu), 0u);
  EXPECT_EQ(value_of(ops::i32_rem_s, 0x7fff'ffffu, 0xffff'ffffu), 0u);
  EXPECT_EQ(value_of(ops::i32_rem_s, 0x8000'0000u, 2), 0u);
  EXPECT_EQ(value_of(ops::i32_rem_s, static_cast<uint32_t>(-7), 2), static_cast<uint32_t>(-1));
  EXPECT_EQ(value_of(ops::i32_rem_s, 7, static_cast<uint32_t>(-2)), 1u);

  EXPECT_EQ(trap_of(ops::i32_rem_u, 1, 0), kDivZero);
  EXPECT_EQ(value_of(ops::i32_rem_u, 0x8000'0000u, 0xffff'ffffu), 0x8000'0000u);
  EXPECT_EQ(value_of(ops::i32_rem_u, static_cast<uint32_t>(-5), 2), 1u);
}

TEST(Numeric, I64DivRem) {
  constexpr uint64_t kMin = uint64_t{1} << 63;
  constexpr uint64_t kMinus1 = ~uint64_t{0};
  EXPECT_EQ(trap_of(ops::i64_div_s, 1, 0), kDivZero);
  EXPECT_EQ(trap_of(ops::i64_div_s, kMin, 0), kDivZero);
  EXPECT_EQ(trap_of(ops::i64_div_s, kMin, kMinus1), kOverflow);
  EXPECT_EQ(value_of(ops::i64_div_s, kMin + 1, kMinus1), kMin - 1);
  EXPECT_EQ(value_of(ops::i64_div_s, kMin, 2), 0xc000'0000'0000'0000u);
  EXPECT_EQ(value_of(ops::i64_div_s, static_cast<uint64_t>(-7), 2), static_cast<uint64_t>(-3));

  EXPECT_EQ(trap_of(ops::i64_div_u, 1, 0), kDivZero);
  EXPECT_EQ(value_of(ops::i64_div_u, kMin, kMinus1), 0u);
  EXPECT_EQ(value_of(ops::i64_div_u, kMin, 2), 0x4000'0000'0000'0000u);

  EXPECT_EQ(trap_of(ops::i64_rem_s, 1, 0), kDivZero);
  EXPECT_EQ(value_of(ops::i64_rem_s, kMin, kMinus1), 0u);
  EXPECT_EQ(value_of(ops::i64_rem_s, static_cast<uint64_t>(-7), 2), kMinus1);
  EXPECT_EQ(value_of(ops::i64_rem_s, 7, static_cast<uint64_t>(-2)), 1u);

  EXPECT_EQ(trap_of(ops::i64_rem_u, 1, 0), kDivZero);
  EXPECT_EQ(value_of(ops::i64_rem_u, kMin, kMinus1), kMin);
  EXPECT_EQ(value_of(ops::i64_rem_u, static_cast<uint64_t>(-5), 2), 1u);
}

TEST(Numeric, ShiftsMaskTheCount) {
  EXPECT_EQ(ops::i32_shl(opaque(1), opaque(31)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_shl(opaque(1), opaque(32)), 1u);
  EXPECT_EQ(ops::i32_shl(opaque(1), opaque(33)), 2u);
  EXPECT_EQ(ops::i32_shl(opaque(1), opaque(0xffff'ffffu)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_shr_s(opaque(0x8000'0000u), opaque(31)), 0xffff'ffffu);
  EXPECT_EQ(ops::i32_shr_s(opaque(0x8000'0000u), opaque(32)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_shr_s(opaque(0x4000'0000u), opaque(0x8000'001eu)), 1u);
  EXPECT_EQ(ops::i32_shr_s(opaque(0xffff'fff0u), opaque(2)), 0xffff'fffcu);
  EXPECT_EQ(ops::i32_shr_u(opaque(0x8000'0000u), opaque(31)), 1u);
  EXPECT_EQ(ops::i32_shr_u(opaque(0x8000'0000u), opaque(32)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_shr_u(opaque(0xffff'ffffu), opaque(33)), 0x7fff'ffffu);

  EXPECT_EQ(ops::i64_shl(opaque(1), opaque(63)), uint64_t{1} << 63);
  EXPECT_EQ(ops::i64_shl(opaque(1), opaque(64)), 1u);
  EXPECT_EQ(ops::i64_shl(opaque(1), opaque(0x8000'0000'0000'0041u)), 2u);
  EXPECT_EQ(ops::i64_shl(opaque(1), opaque(32)), uint64_t{1} << 32);  // not a 32-bit shift
  EXPECT_EQ(ops::i64_shr_s(opaque(uint64_t{1} << 63), opaque(63)), ~uint64_t{0});
  EXPECT_EQ(ops::i64_shr_s(opaque(uint64_t{1} << 63), opaque(64)), uint64_t{1} << 63);
  EXPECT_EQ(ops::i64_shr_u(opaque(uint64_t{1} << 63), opaque(63)), 1u);
  EXPECT_EQ(ops::i64_shr_u(opaque(~uint64_t{0}), opaque(65)), ~uint64_t{0} >> 1);
}

TEST(Numeric, Rotations) {
  EXPECT_EQ(ops::i32_rotl(opaque(1), opaque(32)), 1u);
  EXPECT_EQ(ops::i32_rotl(opaque(0xfe00'dc00u), opaque(4)), 0xe00d'c00fu);
  EXPECT_EQ(ops::i32_rotl(opaque(0xb0c1'd2e3u), opaque(0xff05)), 0x183a'5c76u);
  EXPECT_EQ(ops::i32_rotl(opaque(0x769a'bcdfu), opaque(0xffff'ffedu)), 0x579b'eed3u);
  EXPECT_EQ(ops::i32_rotl(opaque(0x8000'0000u), opaque(1)), 1u);
  EXPECT_EQ(ops::i32_rotr(opaque(1), opaque(1)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_rotr(opaque(1), opaque(32)), 1u);
  EXPECT_EQ(ops::i32_rotr(opaque(0xff00'cc00u), opaque(1)), 0x7f80'6600u);
  EXPECT_EQ(ops::i32_rotr(opaque(0xb0c1'd2e3u), opaque(0xff05)), 0x1d86'0e97u);

  EXPECT_EQ(ops::i64_rotl(opaque(1), opaque(63)), uint64_t{1} << 63);
  EXPECT_EQ(ops::i64_rotl(opaque(1), opaque(64)), 1u);
  EXPECT_EQ(ops::i64_rotl(opaque(0xabcd'9876'0246'8aceu), opaque(1)), 0x579b'30ec'048d'159du);
  EXPECT_EQ(ops::i64_rotl(opaque(uint64_t{1} << 63), opaque(1)), 1u);
  EXPECT_EQ(ops::i64_rotr(opaque(1), opaque(1)), uint64_t{1} << 63);
  EXPECT_EQ(ops::i64_rotr(opaque(1), opaque(0x8000'0000'0000'0040u)), 1u);
  EXPECT_EQ(ops::i64_rotr(opaque(0x0000'0000'0000'00ffu), opaque(8)), 0xff00'0000'0000'0000u);
}

TEST(Numeric, BitCounts) {
  EXPECT_EQ(ops::i32_clz(opaque(0)), 32u);
  EXPECT_EQ(ops::i32_clz(opaque(0xffff'ffffu)), 0u);
  EXPECT_EQ(ops::i32_clz(opaque(1)), 31u);
  EXPECT_EQ(ops::i32_ctz(opaque(0)), 32u);
  EXPECT_EQ(ops::i32_ctz(opaque(0xffff'ffffu)), 0u);
  EXPECT_EQ(ops::i32_ctz(opaque(0x8000'0000u)), 31u);
  EXPECT_EQ(ops::i32_popcnt(opaque(0)), 0u);
  EXPECT_EQ(ops::i32_popcnt(opaque(0xffff'ffffu)), 32u);
  EXPECT_EQ(ops::i32_popcnt(opaque(0x5555'5555u)), 16u);

  EXPECT_EQ(ops::i64_clz(opaque(0)), 64u);
  EXPECT_EQ(ops::i64_clz(opaque(~uint64_t{0})), 0u);
  EXPECT_EQ(ops::i64_clz(opaque(1)), 63u);
  EXPECT_EQ(ops::i64_ctz(opaque(0)), 64u);
  EXPECT_EQ(ops::i64_ctz(opaque(~uint64_t{0})), 0u);
  EXPECT_EQ(ops::i64_ctz(opaque(uint64_t{1} << 63)), 63u);
  EXPECT_EQ(ops::i64_popcnt(opaque(0)), 0u);
  EXPECT_EQ(ops::i64_popcnt(opaque(~uint64_t{0})), 64u);
  EXPECT_EQ(ops::i64_popcnt(opaque(0x8000'0000'0000'0001u)), 2u);
}

TEST(Numeric, WidthChanges) {
  EXPECT_EQ(ops::i32_wrap_i64(opaque(0x1'0000'0002u)), 2u);
  EXPECT_EQ(ops::i32_wrap_i64(opaque(~uint64_t{0})), 0xffff'ffffu);
  EXPECT_EQ(ops::i64_extend_i32_s(opaque(0x8000'0000u)), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(ops::i64_extend_i32_s(opaque(0x7fff'ffffu)), 0x7fff'ffffu);
  EXPECT_EQ(ops::i64_extend_i32_u(opaque(0x8000'0000u)), 0x8000'0000u);

  EXPECT_EQ(ops::i32_extend8_s(opaque(0x7f)), 0x7fu);
  EXPECT_EQ(ops::i32_extend8_s(opaque(0x80)), 0xffff'ff80u);
  EXPECT_EQ(ops::i32_extend8_s(opaque(0x1234'5680u)), 0xffff'ff80u);  // upper bits ignored
  EXPECT_EQ(ops::i32_extend8_s(opaque(0xffff'ff7fu)), 0x7fu);
  EXPECT_EQ(ops::i32_extend16_s(opaque(0x7fff)), 0x7fffu);
  EXPECT_EQ(ops::i32_extend16_s(opaque(0x8000)), 0xffff'8000u);
  EXPECT_EQ(ops::i32_extend16_s(opaque(0x1234'8000u)), 0xffff'8000u);

  EXPECT_EQ(ops::i64_extend8_s(opaque(0x80)), 0xffff'ffff'ffff'ff80u);
  EXPECT_EQ(ops::i64_extend8_s(opaque(0x0123'4567'89ab'cd7fu)), 0x7fu);
  EXPECT_EQ(ops::i64_extend16_s(opaque(0x8000)), 0xffff'ffff'ffff'8000u);
  EXPECT_EQ(ops::i64_extend16_s(opaque(0xffff'ffff'ffff'7fffu)), 0x7fffu);
  EXPECT_EQ(ops::i64_extend32_s(opaque(0x8000'0000u)), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(ops::i64_extend32_s(opaque(0xffff'ffff'7fff'ffffu)), 0x7fff'ffffu);
}

// ---- float comparisons and arithmetic -------------------------------------

TEST(Numeric, FloatComparisons) {
  const float nan32 = f32(kF32Nan);
  EXPECT_EQ(ops::f32_eq(opaque(nan32), opaque(nan32)), 0u);
  EXPECT_EQ(ops::f32_ne(opaque(nan32), opaque(nan32)), 1u);
  EXPECT_EQ(ops::f32_lt(opaque(nan32), opaque(1.0f)), 0u);
  EXPECT_EQ(ops::f32_gt(opaque(1.0f), opaque(nan32)), 0u);
  EXPECT_EQ(ops::f32_le(opaque(nan32), opaque(nan32)), 0u);
  EXPECT_EQ(ops::f32_ge(opaque(nan32), opaque(1.0f)), 0u);
  EXPECT_EQ(ops::f32_eq(opaque(-0.0f), opaque(0.0f)), 1u);
  EXPECT_EQ(ops::f32_lt(opaque(-0.0f), opaque(0.0f)), 0u);
  EXPECT_EQ(ops::f32_le(opaque(-0.0f), opaque(0.0f)), 1u);

  const double nan64 = f64(kF64Nan);
  EXPECT_EQ(ops::f64_eq(opaque(nan64), opaque(nan64)), 0u);
  EXPECT_EQ(ops::f64_ne(opaque(nan64), opaque(1.0)), 1u);
  EXPECT_EQ(ops::f64_lt(opaque(nan64), opaque(1.0)), 0u);
  EXPECT_EQ(ops::f64_gt(opaque(1.0), opaque(nan64)), 0u);
  EXPECT_EQ(ops::f64_le(opaque(1.0), opaque(1.0)), 1u);
  EXPECT_EQ(ops::f64_ge(opaque(nan64), opaque(nan64)), 0u);
  EXPECT_EQ(ops::f64_eq(opaque(-0.0), opaque(0.0)), 1u);
  EXPECT_EQ(ops::f64_gt(opaque(0.0), opaque(-0.0)), 0u);
}

TEST(Numeric, FloatArithmetic) {
  EXPECT_EQ(ops::f64_add(opaque(0.1), opaque(0.2)), 0.30000000000000004);
  EXPECT_EQ(ops::f32_sub(opaque(1.0f), opaque(0x1p-24f)), 1.0f - 0x1p-24f);
  EXPECT_EQ(ops::f32_mul(opaque(0x1p100f), opaque(0x1p100f)), kInf32);
  EXPECT_EQ(bits(ops::f64_div(opaque(-1.0), opaque(kInf64))), bits(-0.0));
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_add(f32(kF32SNan), opaque(1.0f))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_mul(f64(kF64SNan), opaque(1.0))));
  EXPECT_TRUE(std::isnan(ops::f64_div(opaque(0.0), opaque(0.0))));
  EXPECT_TRUE(std::isnan(ops::f32_sub(opaque(kInf32), opaque(kInf32))));
}

TEST(Numeric, MinMaxNan) {
  const float qnan = f32(kF32Nan);
  const float snan = f32(kF32SNan);
  for (float other : {0.0f, -0.0f, 1.0f, -kInf32, kInf32}) {
    EXPECT_TRUE(is_arithmetic_nan(ops::f32_min(opaque(qnan), opaque(other))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f32_min(opaque(other), opaque(qnan))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f32_max(opaque(qnan), opaque(other))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f32_max(opaque(other), opaque(qnan))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f32_min(opaque(other), opaque(snan))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f32_max(opaque(snan), opaque(other))));
  }
  const double dq = f64(kF64Nan);
  const double ds = f64(kF64SNan);
  for (double other : {0.0, -0.0, 1.0, -kInf64, kInf64}) {
    EXPECT_TRUE(is_arithmetic_nan(ops::f64_min(opaque(dq), opaque(other))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f64_min(opaque(other), opaque(dq))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f64_max(opaque(dq), opaque(other))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f64_max(opaque(other), opaque(dq))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f64_min(opaque(other), opaque(ds))));
    EXPECT_TRUE(is_arithmetic_nan(ops::f64_max(opaque(ds), opaque(other))));
  }
}

TEST(Numeric, MinMaxSignedZero) {
  EXPECT_EQ(bits(ops::f32_min(opaque(0.0f), opaque(-0.0f))), bits(-0.0f));
  EXPECT_EQ(bits(ops::f32_min(opaque(-0.0f), opaque(0.0f))), bits(-0.0f));
  EXPECT_EQ(bits(ops::f32_max(opaque(0.0f), opaque(-0.0f))), bits(0.0f));
  EXPECT_EQ(bits(ops::f32_max(opaque(-0.0f), opaque(0.0f))), bits(0.0f));
  EXPECT_EQ(bits(ops::f64_min(opaque(0.0), opaque(-0.0))), bits(-0.0));
  EXPECT_EQ(bits(ops::f64_min(opaque(-0.0), opaque(0.0))), bits(-0.0));
  EXPECT_EQ(bits(ops::f64_max(opaque(0.0), opaque(-0.0))), bits(0.0));
  EXPECT_EQ(bits(ops::f64_max(opaque(-0.0), opaque(0.0))), bits(0.0));

  EXPECT_EQ(ops::f32_min(opaque(1.0f), opaque(2.0f)), 1.0f);
  EXPECT_EQ(ops::f32_max(opaque(-kInf32), opaque(-1.0f)), -1.0f);
  EXPECT_EQ(ops::f64_min(opaque(-kInf64), opaque(0.0)), -kInf64);
  EXPECT_EQ(ops::f64_max(opaque(3.0), opaque(2.0)), 3.0);
  EXPECT_EQ(bits(ops::f64_min(opaque(-0.0), opaque(-0.0))), bits(-0.0));
  EXPECT_EQ(bits(ops::f32_max(opaque(0.0f), opaque(0.0f))), bits(0.0f));
}

TEST(Numeric, NearestRoundsHalfToEven) {
  EXPECT_EQ(bits(ops::f32_nearest(opaque(0.5f))), bits(0.0f));
  EXPECT_EQ(bits(ops::f32_nearest(opaque(-0.5f))), bits(-0.0f));
  EXPECT_EQ(ops::f32_nearest(opaque(1.5f)), 2.0f);
  EXPECT_EQ(ops::f32_nearest(opaque(2.5f)), 2.0f);
  EXPECT_EQ(ops::f32_nearest(opaque(3.5f)), 4.0f);
  EXPECT_EQ(ops::f32_nearest(opaque(-1.5f)), -2.0f);
  EXPECT_EQ(ops::f32_nearest(opaque(-2.5f)), -2.0f);
  EXPECT_EQ(ops::f32_nearest(opaque(2.6f)), 3.0f);
  EXPECT_EQ(bits(ops::f32_nearest(opaque(-0.4f))), bits(-0.0f));
  EXPECT_EQ(bits(ops::f32_nearest(opaque(0x1.fffffep-2f))), bits(0.0f));  // just below 0.5
  EXPECT_EQ(ops::f32_nearest(opaque(8388609.0f)), 8388609.0f);            // 2^23 + 1
  EXPECT_EQ(ops::f32_nearest(opaque(0x1.fffffep+22f)), 0x1p+23f);         // 8388607.5 -> even
  EXPECT_EQ(ops::f32_nearest(opaque(kInf32)), kInf32);
  EXPECT_EQ(ops::f32_nearest(opaque(-kInf32)), -kInf32);
  EXPECT_EQ(bits(ops::f32_nearest(opaque(-0.0f))), bits(-0.0f));
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_nearest(f32(kF32SNan))));

  EXPECT_EQ(bits(ops::f64_nearest(opaque(0.5))), bits(0.0));
  EXPECT_EQ(bits(ops::f64_nearest(opaque(-0.5))), bits(-0.0));
  EXPECT_EQ(ops::f64_nearest(opaque(1.5)), 2.0);
  EXPECT_EQ(ops::f64_nearest(opaque(2.5)), 2.0);
  EXPECT_EQ(ops::f64_nearest(opaque(-3.5)), -4.0);
  EXPECT_EQ(bits(ops::f64_nearest(opaque(0x1.fffffffffffffp-2))), bits(0.0));
  EXPECT_EQ(ops::f64_nearest(opaque(4503599627370497.0)), 4503599627370497.0);  // 2^52 + 1
  EXPECT_EQ(ops::f64_nearest(opaque(0x1.fffffffffffffp+51)), 0x1p+52);
  EXPECT_EQ(ops::f64_nearest(opaque(-kInf64)), -kInf64);
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_nearest(f64(kF64SNan))));
}

TEST(Numeric, NearestIgnoresRoundingMode) {
  volatile float half32 = 2.5f;
  volatile double half64 = -2.5;
  for (int mode : {FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO}) {
    ASSERT_EQ(std::fesetround(mode), 0);
    float r32 = ops::f32_nearest(opaque(half32));
    double r64 = ops::f64_nearest(opaque(half64));
    std::fesetround(FE_TONEAREST);
    EXPECT_EQ(r32, 2.0f) << "mode " << mode;
    EXPECT_EQ(r64, -2.0) << "mode " << mode;
  }
}

TEST(Numeric, CeilFloorTruncSqrt) {
  EXPECT_EQ(bits(ops::f32_ceil(opaque(-0.5f))), bits(-0.0f));
  EXPECT_EQ(ops::f32_ceil(opaque(0x1p-149f)), 1.0f);
  EXPECT_EQ(ops::f32_floor(opaque(-0x1p-149f)), -1.0f);
  EXPECT_EQ(bits(ops::f32_floor(opaque(-0.0f))), bits(-0.0f));
  EXPECT_EQ(ops::f32_trunc(opaque(-1.5f)), -1.0f);
  EXPECT_EQ(bits(ops::f32_trunc(opaque(-0.5f))), bits(-0.0f));
  EXPECT_EQ(ops::f32_sqrt(opaque(4.0f)), 2.0f);
  EXPECT_EQ(bits(ops::f32_sqrt(opaque(-0.0f))), bits(-0.0f));
  EXPECT_TRUE(std::isnan(ops::f32_sqrt(opaque(-1.0f))));

  EXPECT_EQ(bits(ops::f64_ceil(opaque(-0.5))), bits(-0.0));
  EXPECT_EQ(ops::f64_ceil(opaque(1.0000000000000002)), 2.0);
  EXPECT_EQ(ops::f64_floor(opaque(-0.5)), -1.0);
  EXPECT_EQ(ops::f64_trunc(opaque(1.9)), 1.0);
  EXPECT_EQ(ops::f64_sqrt(opaque(2.0)), 0x1.6a09e667f3bcdp+0);
  EXPECT_TRUE(std::isnan(ops::f64_sqrt(opaque(-kInf64))));

  // A signalling NaN comes out quiet (an arithmetic NaN), as wasm requires.
  const float s32 = f32(kF32SNan);
  const double s64 = f64(kF64SNan);
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_ceil(opaque(s32))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_floor(opaque(s32))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_trunc(opaque(s32))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_sqrt(opaque(s32))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_ceil(opaque(s64))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_floor(opaque(s64))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_trunc(opaque(s64))));
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_sqrt(opaque(s64))));
}

// The engine's NaN rule (numeric.h's canonical, cosmwasm-vm's
// canonicalize_nans): every NaN result of add .. nearest is the positive
// canonical NaN, whatever the operands' NaNs were, in either operand order;
// demote and promote keep sign and payload (quieted).
TEST(Numeric, ArithmeticNanResultsAreCanonical) {
  constexpr uint32_t kCanon32 = 0x7fc0'0000u;
  constexpr uint64_t kCanon64 = 0x7ff8'0000'0000'0000u;
  static_assert(ops::detail::canonical_nan_bits(false) == kCanon32);
  static_assert(ops::detail::canonical_nan_bits(true) == kCanon64);
  const uint32_t nans32[] = {0x7f80'0001u, 0xff80'0001u, 0x7fc0'0002u, 0xffc0'0000u, 0xffff'ffffu};
  const float others32[] = {1.0f, -0.0f, kInf32, -kInf32};
  for (uint32_t n : nans32) {
    const float a = f32(n);
    for (float o : others32) {
      for (auto [x, y] : {std::pair{a, o}, std::pair{o, a}, std::pair{a, a}}) {
        EXPECT_EQ(bits(ops::f32_add(opaque(x), opaque(y))), kCanon32) << std::hex << n;
        EXPECT_EQ(bits(ops::f32_sub(opaque(x), opaque(y))), kCanon32) << std::hex << n;
        EXPECT_EQ(bits(ops::f32_mul(opaque(x), opaque(y))), kCanon32) << std::hex << n;
        EXPECT_EQ(bits(ops::f32_div(opaque(x), opaque(y))), kCanon32) << std::hex << n;
        EXPECT_EQ(bits(ops::f32_min(opaque(x), opaque(y))), kCanon32) << std::hex << n;
        EXPECT_EQ(bits(ops::f32_max(opaque(x), opaque(y))), kCanon32) << std::hex << n;
      }
    }
    EXPECT_EQ(bits(ops::f32_sqrt(opaque(a))), kCanon32);
    EXPECT_EQ(bits(ops::f32_ceil(opaque(a))), kCanon32);
    EXPECT_EQ(bits(ops::f32_floor(opaque(a))), kCanon32);
    EXPECT_EQ(bits(ops::f32_trunc(opaque(a))), kCanon32);
    EXPECT_EQ(bits(ops::f32_nearest(opaque(a))), kCanon32);
    // promote quiets and keeps sign and payload (shifted to the wider field).
    EXPECT_EQ(bits(ops::f64_promote_f32(opaque(a))),
              (uint64_t{n & 0x8000'0000u} << 32) | 0x7ff8'0000'0000'0000u |
                  (uint64_t{n & 0x003f'ffffu} << 29));
  }
  // Operations that make a NaN from numbers give it too.
  EXPECT_EQ(bits(ops::f32_sub(opaque(kInf32), opaque(kInf32))), kCanon32);
  EXPECT_EQ(bits(ops::f32_mul(opaque(0.0f), opaque(kInf32))), kCanon32);
  EXPECT_EQ(bits(ops::f32_sqrt(opaque(-1.0f))), kCanon32);
  EXPECT_EQ(bits(ops::f64_div(opaque(0.0), opaque(0.0))), kCanon64);
  EXPECT_EQ(bits(ops::f64_sqrt(opaque(-2.0))), kCanon64);

  const uint64_t nans64[] = {0x7ff0'0000'0000'0001u, 0xfff8'0000'0000'0003u, 0xffff'ffff'ffff'ffffu};
  for (uint64_t n : nans64) {
    const double a = f64(n);
    for (double o : {1.0, -kInf64}) {
      for (auto [x, y] : {std::pair{a, o}, std::pair{o, a}}) {
        EXPECT_EQ(bits(ops::f64_add(opaque(x), opaque(y))), kCanon64) << std::hex << n;
        EXPECT_EQ(bits(ops::f64_mul(opaque(x), opaque(y))), kCanon64) << std::hex << n;
        EXPECT_EQ(bits(ops::f64_min(opaque(x), opaque(y))), kCanon64) << std::hex << n;
        EXPECT_EQ(bits(ops::f64_max(opaque(x), opaque(y))), kCanon64) << std::hex << n;
      }
    }
    EXPECT_EQ(bits(ops::f64_nearest(opaque(a))), kCanon64);
    EXPECT_EQ(bits(ops::f64_floor(opaque(a))), kCanon64);
    // demote quiets and keeps sign and the payload's high bits.
    EXPECT_EQ(bits(ops::f32_demote_f64(opaque(a))),
              static_cast<uint32_t>(n >> 32 & 0x8000'0000u) | 0x7fc0'0000u |
                  static_cast<uint32_t>(n >> 29 & 0x003f'ffffu));
  }
}

TEST(Numeric, SignOpsPreserveNanPayload) {
  // A signalling NaN with a payload must pass through bit for bit.
  EXPECT_EQ(bits(ops::f32_abs(f32(0xffa0'0001u))), 0x7fa0'0001u);
  EXPECT_EQ(bits(ops::f32_abs(f32(0x7fa0'0001u))), 0x7fa0'0001u);
  EXPECT_EQ(bits(ops::f32_neg(f32(0x7fa0'0001u))), 0xffa0'0001u);
  EXPECT_EQ(bits(ops::f32_neg(f32(0xffc0'0000u))), 0x7fc0'0000u);
  EXPECT_EQ(bits(ops::f32_copysign(f32(0x7fa0'0001u), opaque(-1.0f))), 0xffa0'0001u);
  EXPECT_EQ(bits(ops::f32_copysign(opaque(1.0f), f32(0xffc0'0000u))), bits(-1.0f));
  EXPECT_EQ(bits(ops::f32_copysign(opaque(-2.0f), opaque(0.0f))), bits(2.0f));
  EXPECT_EQ(bits(ops::f32_neg(opaque(0.0f))), bits(-0.0f));
  EXPECT_EQ(bits(ops::f32_abs(opaque(-0.0f))), bits(0.0f));

  EXPECT_EQ(bits(ops::f64_abs(f64(0xfff4'0000'0000'0001u))), 0x7ff4'0000'0000'0001u);
  EXPECT_EQ(bits(ops::f64_neg(f64(0x7ff4'0000'0000'0001u))), 0xfff4'0000'0000'0001u);
  EXPECT_EQ(bits(ops::f64_copysign(f64(0x7ff4'0000'0000'0001u), opaque(-0.0))),
            0xfff4'0000'0000'0001u);
  EXPECT_EQ(bits(ops::f64_copysign(f64(0xfff4'0000'0000'0001u), opaque(1.0))),
            0x7ff4'0000'0000'0001u);
  EXPECT_EQ(bits(ops::f64_copysign(opaque(3.0), f64(0xfff8'0000'0000'0000u))), bits(-3.0));
  EXPECT_EQ(bits(ops::f64_neg(opaque(-0.0))), bits(0.0));
}

// ---- float -> int ---------------------------------------------------------

TEST(Numeric, TruncNanTrapsAsInvalidConversion) {
  for (uint32_t b : {0x7fc0'0000u, 0xffc0'0000u, 0x7fa0'0000u, 0xffa0'0000u}) {
    const float x = f32(b);
    EXPECT_EQ(trap_of(ops::i32_trunc_f32_s, x), kInvalid);
    EXPECT_EQ(trap_of(ops::i32_trunc_f32_u, x), kInvalid);
    EXPECT_EQ(trap_of(ops::i64_trunc_f32_s, x), kInvalid);
    EXPECT_EQ(trap_of(ops::i64_trunc_f32_u, x), kInvalid);
  }
  for (uint64_t b : {0x7ff8'0000'0000'0000u, 0xfff8'0000'0000'0000u, 0x7ff4'0000'0000'0000u,
                     0xfff4'0000'0000'0000u}) {
    const double x = f64(b);
    EXPECT_EQ(trap_of(ops::i32_trunc_f64_s, x), kInvalid);
    EXPECT_EQ(trap_of(ops::i32_trunc_f64_u, x), kInvalid);
    EXPECT_EQ(trap_of(ops::i64_trunc_f64_s, x), kInvalid);
    EXPECT_EQ(trap_of(ops::i64_trunc_f64_u, x), kInvalid);
  }
}

TEST(Numeric, TruncInfinityOverflows) {
  for (float x : {kInf32, -kInf32}) {
    EXPECT_EQ(trap_of(ops::i32_trunc_f32_s, x), kOverflow);
    EXPECT_EQ(trap_of(ops::i32_trunc_f32_u, x), kOverflow);
    EXPECT_EQ(trap_of(ops::i64_trunc_f32_s, x), kOverflow);
    EXPECT_EQ(trap_of(ops::i64_trunc_f32_u, x), kOverflow);
  }
  for (double x : {kInf64, -kInf64}) {
    EXPECT_EQ(trap_of(ops::i32_trunc_f64_s, x), kOverflow);
    EXPECT_EQ(trap_of(ops::i32_trunc_f64_u, x), kOverflow);
    EXPECT_EQ(trap_of(ops::i64_trunc_f64_s, x), kOverflow);
    EXPECT_EQ(trap_of(ops::i64_trunc_f64_u, x), kOverflow);
  }
}

TEST(Numeric, I32TruncBoundaries) {
  EXPECT_EQ(value_of(ops::i32_trunc_f32_s, -0.0f), 0u);
  EXPECT_EQ(value_of(ops::i32_trunc_f32_s, -1.9f), 0xffff'ffffu);
  EXPECT_EQ(value_of(ops::i32_trunc_f32_s, -2147483648.0f), 0x8000'0000u);
  EXPECT_EQ(value_of(ops::i32_trunc_f32_s, 2147483520.0f), 2147483520u);
  EXPECT_EQ(trap_of(ops::i32_trunc_f32_s, 2147483648.0f), kOverflow);
  EXPECT_EQ(trap_of(ops::i32_trunc_f32_s, -2147483904.0f), kOverflow);

  EXPECT_EQ(value_of(ops::i32_trunc_f32_u, -0x1.fffffep-1f), 0u);
  EXPECT_EQ(value_of(ops::i32_trunc_f32_u, 2147483648.0f), 0x8000'0000u);
  EXPECT_EQ(value_of(ops::i32_trunc_f32_u, 4294967040.0f), 0xffff'ff00u);
  EXPECT_EQ(trap_of(ops::i32_trunc_f32_u, 4294967296.0f), kOverflow);
  EXPECT_EQ(trap_of(ops::i32_trunc_f32_u, -1.0f), kOverflow);

  EXPECT_EQ(value_of(ops::i32_trunc_f64_s, 2147483647.9), 0x7fff'ffffu);
  EXPECT_EQ(value_of(ops::i32_trunc_f64_s, -2147483648.9), 0x8000'0000u);
  EXPECT_EQ(value_of(ops::i32_trunc_f64_s, -1.5), 0xffff'ffffu);
  EXPECT_EQ(trap_of(ops::i32_trunc_f64_s, 2147483648.0), kOverflow);
  EXPECT_EQ(trap_of(ops::i32_trunc_f64_s, -2147483649.0), kOverflow);

  EXPECT_EQ(value_of(ops::i32_trunc_f64_u, -0.9), 0u);
  EXPECT_EQ(value_of(ops::i32_trunc_f64_u, -0x1.fffffffffffffp-1), 0u);
  EXPECT_EQ(value_of(ops::i32_trunc_f64_u, 1e8), 100000000u);
  EXPECT_EQ(value_of(ops::i32_trunc_f64_u, 4294967295.0), 0xffff'ffffu);
  EXPECT_EQ(value_of(ops::i32_trunc_f64_u, 4294967295.9), 0xffff'ffffu);
  EXPECT_EQ(trap_of(ops::i32_trunc_f64_u, 4294967296.0), kOverflow);
  EXPECT_EQ(trap_of(ops::i32_trunc_f64_u, -1.0), kOverflow);
  EXPECT_EQ(trap_of(ops::i32_trunc_f64_u, 1e16), kOverflow);
  EXPECT_EQ(trap_of(ops::i32_trunc_f64_u, 9223372036854775808.0), kOverflow);
}

TEST(Numeric, I64TruncBoundaries) {
  constexpr uint64_t kMin = uint64_t{1} << 63;
  EXPECT_EQ(value_of(ops::i64_trunc_f32_s, -4294967296.0f), 0xffff'ffff'0000'0000u);
  EXPECT_EQ(value_of(ops::i64_trunc_f32_s, 9223371487098961920.0f), 9223371487098961920u);
  EXPECT_EQ(value_of(ops::i64_trunc_f32_s, -9223372036854775808.0f), kMin);
  EXPECT_EQ(trap_of(ops::i64_trunc_f32_s, 9223372036854775808.0f), kOverflow);
  EXPECT_EQ(trap_of(ops::i64_trunc_f32_s, -9223373136366403584.0f), kOverflow);

  EXPECT_EQ(value_of(ops::i64_trunc_f32_u, -0x1.fffffep-1f), 0u);
  EXPECT_EQ(value_of(ops::i64_trunc_f32_u, 18446742974197923840.0f), 0xffff'ff00'0000'0000u);
  EXPECT_EQ(trap_of(ops::i64_trunc_f32_u, 18446744073709551616.0f), kOverflow);
  EXPECT_EQ(trap_of(ops::i64_trunc_f32_u, -1.0f), kOverflow);

  EXPECT_EQ(value_of(ops::i64_trunc_f64_s, 9223372036854774784.0), 0x7fff'ffff'ffff'fc00u);
  EXPECT_EQ(value_of(ops::i64_trunc_f64_s, -9223372036854775808.0), kMin);
  EXPECT_EQ(value_of(ops::i64_trunc_f64_s, -1.9), ~uint64_t{0});
  EXPECT_EQ(trap_of(ops::i64_trunc_f64_s, 9223372036854775808.0), kOverflow);
  EXPECT_EQ(trap_of(ops::i64_trunc_f64_s, -9223372036854777856.0), kOverflow);

  EXPECT_EQ(value_of(ops::i64_trunc_f64_u, -0.9), 0u);
  EXPECT_EQ(value_of(ops::i64_trunc_f64_u, 9223372036854775808.0), kMin);
  EXPECT_EQ(value_of(ops::i64_trunc_f64_u, 18446744073709549568.0), 0xffff'ffff'ffff'f800u);
  EXPECT_EQ(trap_of(ops::i64_trunc_f64_u, 18446744073709551616.0), kOverflow);
  EXPECT_EQ(trap_of(ops::i64_trunc_f64_u, -1.0), kOverflow);
}

TEST(Numeric, SaturatingTrunc) {
  for (uint32_t b : {0x7fc0'0000u, 0xffc0'0000u, 0x7fa0'0000u}) {
    const float x = f32(b);
    EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(x)), 0u);
    EXPECT_EQ(ops::i32_trunc_sat_f32_u(opaque(x)), 0u);
    EXPECT_EQ(ops::i64_trunc_sat_f32_s(opaque(x)), 0u);
    EXPECT_EQ(ops::i64_trunc_sat_f32_u(opaque(x)), 0u);
  }
  for (uint64_t b : {0x7ff8'0000'0000'0000u, 0xfff8'0000'0000'0000u, 0x7ff4'0000'0000'0000u}) {
    const double x = f64(b);
    EXPECT_EQ(ops::i32_trunc_sat_f64_s(opaque(x)), 0u);
    EXPECT_EQ(ops::i32_trunc_sat_f64_u(opaque(x)), 0u);
    EXPECT_EQ(ops::i64_trunc_sat_f64_s(opaque(x)), 0u);
    EXPECT_EQ(ops::i64_trunc_sat_f64_u(opaque(x)), 0u);
  }

  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(-2147483648.0f)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(2147483520.0f)), 2147483520u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(2147483648.0f)), 0x7fff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(-2147483904.0f)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(kInf32)), 0x7fff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(-kInf32)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_s(opaque(-1.9f)), 0xffff'ffffu);

  EXPECT_EQ(ops::i32_trunc_sat_f32_u(opaque(-0x1.fffffep-1f)), 0u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_u(opaque(4294967040.0f)), 0xffff'ff00u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_u(opaque(4294967296.0f)), 0xffff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f32_u(opaque(-1.0f)), 0u);
  EXPECT_EQ(ops::i32_trunc_sat_f32_u(opaque(-kInf32)), 0u);

  EXPECT_EQ(ops::i32_trunc_sat_f64_s(opaque(2147483647.9)), 0x7fff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f64_s(opaque(-2147483648.9)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_trunc_sat_f64_s(opaque(2147483648.0)), 0x7fff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f64_s(opaque(-2147483649.0)), 0x8000'0000u);

  EXPECT_EQ(ops::i32_trunc_sat_f64_u(opaque(4294967295.9)), 0xffff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f64_u(opaque(4294967296.0)), 0xffff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f64_u(opaque(1e16)), 0xffff'ffffu);
  EXPECT_EQ(ops::i32_trunc_sat_f64_u(opaque(-0.9)), 0u);
  EXPECT_EQ(ops::i32_trunc_sat_f64_u(opaque(-1.0)), 0u);

  constexpr uint64_t kMin = uint64_t{1} << 63;
  constexpr uint64_t kMax = kMin - 1;
  EXPECT_EQ(ops::i64_trunc_sat_f32_s(opaque(-9223372036854775808.0f)), kMin);
  EXPECT_EQ(ops::i64_trunc_sat_f32_s(opaque(9223372036854775808.0f)), kMax);
  EXPECT_EQ(ops::i64_trunc_sat_f32_s(opaque(-9223373136366403584.0f)), kMin);
  EXPECT_EQ(ops::i64_trunc_sat_f32_s(opaque(kInf32)), kMax);
  EXPECT_EQ(ops::i64_trunc_sat_f32_u(opaque(18446742974197923840.0f)), 0xffff'ff00'0000'0000u);
  EXPECT_EQ(ops::i64_trunc_sat_f32_u(opaque(18446744073709551616.0f)), ~uint64_t{0});
  EXPECT_EQ(ops::i64_trunc_sat_f32_u(opaque(-1.0f)), 0u);

  EXPECT_EQ(ops::i64_trunc_sat_f64_s(opaque(9223372036854774784.0)), 0x7fff'ffff'ffff'fc00u);
  EXPECT_EQ(ops::i64_trunc_sat_f64_s(opaque(9223372036854775808.0)), kMax);
  EXPECT_EQ(ops::i64_trunc_sat_f64_s(opaque(-9223372036854775808.0)), kMin);
  EXPECT_EQ(ops::i64_trunc_sat_f64_s(opaque(-9223372036854777856.0)), kMin);
  EXPECT_EQ(ops::i64_trunc_sat_f64_s(opaque(-kInf64)), kMin);
  EXPECT_EQ(ops::i64_trunc_sat_f64_u(opaque(18446744073709549568.0)), 0xffff'ffff'ffff'f800u);
  EXPECT_EQ(ops::i64_trunc_sat_f64_u(opaque(18446744073709551616.0)), ~uint64_t{0});
  EXPECT_EQ(ops::i64_trunc_sat_f64_u(opaque(kInf64)), ~uint64_t{0});
  EXPECT_EQ(ops::i64_trunc_sat_f64_u(opaque(-0.9)), 0u);
  EXPECT_EQ(ops::i64_trunc_sat_f64_u(opaque(-1.0)), 0u);
}

// ---- int -> float -----------------------------------------------------------

TEST(Numeric, ConvertFromI32) {
  EXPECT_EQ(ops::f32_convert_i32_s(opaque(0x8000'0000u)), -2147483648.0f);
  EXPECT_EQ(ops::f32_convert_i32_s(opaque(0x7fff'ffffu)), 2147483648.0f);
  EXPECT_EQ(ops::f32_convert_i32_s(opaque(16777217)), 16777216.0f);
  EXPECT_EQ(ops::f32_convert_i32_s(opaque(static_cast<uint32_t>(-16777219))), -16777220.0f);
  EXPECT_EQ(ops::f32_convert_i32_u(opaque(0xffff'ffffu)), 4294967296.0f);
  EXPECT_EQ(ops::f32_convert_i32_u(opaque(0x8000'0080u)), 0x1.000000p+31f);  // tie -> even
  EXPECT_EQ(ops::f32_convert_i32_u(opaque(0x8000'0081u)), 0x1.000002p+31f);
  EXPECT_EQ(ops::f32_convert_i32_u(opaque(0xffff'fe80u)), 0x1.fffffcp+31f);
  EXPECT_EQ(ops::f64_convert_i32_s(opaque(0x8000'0000u)), -2147483648.0);
  EXPECT_EQ(ops::f64_convert_i32_s(opaque(0xffff'ffffu)), -1.0);
  EXPECT_EQ(ops::f64_convert_i32_u(opaque(0xffff'ffffu)), 4294967295.0);
  EXPECT_EQ(ops::f64_convert_i32_u(opaque(0x8000'0000u)), 2147483648.0);
}

TEST(Numeric, ConvertFromI64RoundsOnce) {
  EXPECT_EQ(ops::f32_convert_i64_s(opaque(0x7fff'ff40'0000'0001u)), 0x1.fffffep+62f);
  EXPECT_EQ(ops::f32_convert_i64_s(opaque(0x8000'0040'0000'0001u)), -0x1.fffffep+62f);
  EXPECT_EQ(ops::f32_convert_i64_s(opaque(0x0020'0000'2000'0001u)), 0x1.000002p+53f);
  EXPECT_EQ(ops::f32_convert_i64_s(opaque(0xffdf'ffff'dfff'ffffu)), -0x1.000002p+53f);
  EXPECT_EQ(ops::f32_convert_i64_s(opaque(uint64_t{1} << 63)), -0x1p63f);

  EXPECT_EQ(ops::f32_convert_i64_u(opaque(0x7fff'ff40'0000'0001u)), 0x1.fffffep+62f);
  EXPECT_EQ(ops::f32_convert_i64_u(opaque(0x7fff'ffbf'ffff'ffffu)), 0x1.fffffep+62f);
  EXPECT_EQ(ops::f32_convert_i64_u(opaque(0x8000'0080'0000'0001u)), 0x1.000002p+63f);
  EXPECT_EQ(ops::f32_convert_i64_u(opaque(0xffff'fe80'0000'0001u)), 0x1.fffffep+63f);
  EXPECT_EQ(ops::f32_convert_i64_u(opaque(0x0020'0000'2000'0001u)), 0x1.000002p+53f);
  EXPECT_EQ(ops::f32_convert_i64_u(opaque(~uint64_t{0})), 0x1p64f);
  EXPECT_EQ(ops::f32_convert_i64_u(opaque(16777219)), 16777220.0f);

  EXPECT_EQ(ops::f64_convert_i64_s(opaque(9007199254740993u)), 9007199254740992.0);
  EXPECT_EQ(ops::f64_convert_i64_s(opaque(static_cast<uint64_t>(-9007199254740995))),
            -9007199254740996.0);
  EXPECT_EQ(ops::f64_convert_i64_s(opaque(uint64_t{1} << 63)), -0x1p63);

  EXPECT_EQ(ops::f64_convert_i64_u(opaque(9007199254740993u)), 9007199254740992.0);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(9007199254740995u)), 9007199254740996.0);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(0x8000'0000'0000'0400u)), 0x1.0000000000000p+63);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(0x8000'0000'0000'0401u)), 0x1.0000000000001p+63);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(0x8000'0000'0000'0402u)), 0x1.0000000000001p+63);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(0xffff'ffff'ffff'f400u)), 0x1.ffffffffffffep+63);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(0xffff'ffff'ffff'f401u)), 0x1.fffffffffffffp+63);
  EXPECT_EQ(ops::f64_convert_i64_u(opaque(~uint64_t{0})), 0x1p64);
}

// ---- float <-> float and reinterpretation ----------------------------------

TEST(Numeric, DemotePromote) {
  EXPECT_EQ(bits(ops::f32_demote_f64(opaque(-0.0))), bits(-0.0f));
  EXPECT_EQ(bits(ops::f32_demote_f64(opaque(-0x0.0000000000001p-1022))), bits(-0.0f));
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1.fffffe0000000p-127)), 0x1p-126f);
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1.fffffd0000001p+127)), 0x1.fffffep+127f);
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1.fffffefffffffp+127)), 0x1.fffffep+127f);
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1.ffffffp+127)), kInf32);
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1.0000010000000p+0)), 1.0f);  // tie -> even
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1.0000030000000p+0)), 0x1.000004p+0f);
  EXPECT_EQ(ops::f32_demote_f64(opaque(0x1p-149)), 0x1p-149f);
  EXPECT_EQ(bits(ops::f32_demote_f64(opaque(0x1.0p-150))), bits(0.0f));
  EXPECT_EQ(bits(ops::f32_demote_f64(f64(kF64Nan))), kF32Nan);
  EXPECT_TRUE(is_arithmetic_nan(ops::f32_demote_f64(f64(kF64SNan))));

  EXPECT_EQ(bits(ops::f64_promote_f32(opaque(-0.0f))), bits(-0.0));
  EXPECT_EQ(ops::f64_promote_f32(opaque(0x1p-149f)), 0x1p-149);
  EXPECT_EQ(ops::f64_promote_f32(opaque(0x1.fffffep+127f)), 0x1.fffffep+127);
  EXPECT_EQ(ops::f64_promote_f32(opaque(-kInf32)), -kInf64);
  EXPECT_EQ(bits(ops::f64_promote_f32(f32(kF32Nan))), kF64Nan);
  EXPECT_TRUE(is_arithmetic_nan(ops::f64_promote_f32(f32(kF32SNan))));
}

TEST(Numeric, ReinterpretKeepsBits) {
  EXPECT_EQ(ops::i32_reinterpret_f32(opaque(-0.0f)), 0x8000'0000u);
  EXPECT_EQ(ops::i32_reinterpret_f32(opaque(ops::f32_reinterpret_i32(opaque(0x7fa0'0001u)))),
            0x7fa0'0001u);
  EXPECT_EQ(ops::i32_reinterpret_f32(opaque(ops::f32_reinterpret_i32(opaque(0xffa0'0001u)))),
            0xffa0'0001u);
  EXPECT_EQ(bits(ops::f32_reinterpret_i32(opaque(0x3f80'0000u))), bits(1.0f));
  EXPECT_EQ(ops::i64_reinterpret_f64(opaque(1.0)), 0x3ff0'0000'0000'0000u);
  EXPECT_EQ(
      ops::i64_reinterpret_f64(opaque(ops::f64_reinterpret_i64(opaque(0x7ff4'0000'0000'0001u)))),
      0x7ff4'0000'0000'0001u);
  EXPECT_EQ(bits(ops::f64_reinterpret_i64(opaque(0x8000'0000'0000'0000u))), bits(-0.0));
}

// ---- randomized cross-checks against independent references ----------------

TEST(Numeric, NearestMatchesNearbyint) {
  // Under the default rounding mode nearbyint is round-half-even too.
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t r = rng();
    // Alternate raw bit patterns with exact halves k + 0.5 up to the mantissa limit.
    const float x32 = i % 2 ? f32(static_cast<uint32_t>(r))
                            : opaque(static_cast<float>(static_cast<int32_t>(r) >> 8) + 0.5f);
    const double x64 =
        i % 2 ? f64(r) : opaque(static_cast<double>(static_cast<int64_t>(r) >> 11) + 0.5);
    if (!std::isnan(x32)) {
      EXPECT_EQ(bits(ops::f32_nearest(x32)), bits(std::nearbyint(x32))) << x32;
    }
    if (!std::isnan(x64)) {
      EXPECT_EQ(bits(ops::f64_nearest(x64)), bits(std::nearbyint(x64))) << x64;
    }
  }
}

TEST(Numeric, ConvertI64MatchesLongDouble) {
  // Where long double holds every uint64_t exactly, long double -> float/double
  // is a single rounding and so a reference for the direct conversion.
  if (std::numeric_limits<long double>::digits < 64) GTEST_SKIP() << "long double too narrow";
  std::mt19937_64 rng(2);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t x = opaque(rng() >> (rng() % 64));  // every magnitude
    const auto wide_u = static_cast<long double>(x);
    const auto wide_s = static_cast<long double>(static_cast<int64_t>(x));
    EXPECT_EQ(bits(ops::f32_convert_i64_u(x)), bits(static_cast<float>(wide_u))) << x;
    EXPECT_EQ(bits(ops::f64_convert_i64_u(x)), bits(static_cast<double>(wide_u))) << x;
    EXPECT_EQ(bits(ops::f32_convert_i64_s(x)), bits(static_cast<float>(wide_s))) << x;
    EXPECT_EQ(bits(ops::f64_convert_i64_s(x)), bits(static_cast<double>(wide_s))) << x;
  }
}

}  // namespace
}  // namespace wvm
