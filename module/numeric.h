// Semantics of every WebAssembly 2.0 numeric operator (no SIMD): one function
// per `impl` name in module/opcodes.def, shared by the interpreter, the JIT's
// slow paths and the tests.
//
// Signature conventions (callers deduce the shape from them):
//   Out name(In a) noexcept                       non-trapping unary
//   Out name(In a, In b) noexcept                 non-trapping binary; comparisons give 0/1
//   TrapKind name(In a, Out* out) noexcept        trapping unary (kTraps rows)
//   TrapKind name(In a, In b, Out* out) noexcept  trapping binary (kTraps rows)
// with I32 = uint32_t, I64 = uint64_t, F32 = float, F64 = double. A trapping
// function writes *out only when it returns TrapKind::None.
//
// Everything here is free of C++ undefined behaviour for every input: signed
// arithmetic goes through unsigned types, shift counts are masked, and
// float->int casts happen only after a range check. Float arithmetic relies on
// IEEE-754 with round-to-nearest-even and no contraction (-ffp-contract=off).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

#include "wvm/types.h"

namespace wvm::ops {

namespace detail {

template <class F>
struct FloatBits;
template <>
struct FloatBits<float> {
  using Bits = uint32_t;
  static constexpr Bits kSign = 0x8000'0000u;
  static constexpr Bits kQuiet = 0x0040'0000u;  // top mantissa bit
};
template <>
struct FloatBits<double> {
  using Bits = uint64_t;
  static constexpr Bits kSign = 0x8000'0000'0000'0000u;
  static constexpr Bits kQuiet = 0x0008'0000'0000'0000u;
};

// The NaN rule every tier implements: a NaN result of an arithmetic operator
// (add, sub, mul, div, sqrt, min, max, ceil, floor, trunc, nearest) is the
// positive canonical NaN 0x7fc00000 / 0x7ff8000000000000, whatever NaNs the
// operands were. Wasm allows it for any operands, it needs no knowledge of
// which operand the hardware prefers (x86 and AArch64 differ), and it is what
// cosmwasm-vm's wasmer produces with NaN canonicalization on, so contracts
// see the same bits. abs, neg, copysign, demote, promote, loads, stores and
// reinterprets keep payloads.
template <class F>
constexpr typename FloatBits<F>::Bits canonical_nan_bits_of() noexcept {
  using B = FloatBits<F>;
  // Exponent all ones and the quiet bit: the bits above the quiet bit.
  return static_cast<typename B::Bits>(~B::kSign & ~(B::kQuiet - 1));
}
template <class F>
inline F canonical_nan() noexcept {
  return std::bit_cast<F>(canonical_nan_bits_of<F>());
}
template <class F>
inline F canonical(F r) noexcept {
  return std::isnan(r) ? canonical_nan<F>() : r;
}
// The canonical NaN's bits, f64 or f32 (for the backends' constants).
constexpr uint64_t canonical_nan_bits(bool is64) noexcept {
  return is64 ? canonical_nan_bits_of<double>() : canonical_nan_bits_of<float>();
}

// abs/neg/copysign are defined on the bit pattern so NaN payloads pass through
// untouched (an FPU op could quiet or canonicalize them).
template <class F>
inline F abs_bits(F a) noexcept {
  using B = FloatBits<F>;
  return std::bit_cast<F>(std::bit_cast<typename B::Bits>(a) & ~B::kSign);
}
template <class F>
inline F neg_bits(F a) noexcept {
  using B = FloatBits<F>;
  return std::bit_cast<F>(std::bit_cast<typename B::Bits>(a) ^ B::kSign);
}
template <class F>
inline F copysign_bits(F a, F b) noexcept {
  using B = FloatBits<F>;
  return std::bit_cast<F>((std::bit_cast<typename B::Bits>(a) & ~B::kSign) |
                          (std::bit_cast<typename B::Bits>(b) & B::kSign));
}

// wasm min/max: NaN if either operand is NaN, and -0 < +0. C's fmin/fmax and
// the x86 minss/maxss instructions get one or both of those wrong.
template <class F>
inline F float_min(F a, F b) noexcept {
  using Bits = typename FloatBits<F>::Bits;
  if (std::isnan(a) || std::isnan(b)) return canonical_nan<F>();
  // Equal operands differ at most in the sign of zero; OR picks -0.
  if (a == b) return std::bit_cast<F>(std::bit_cast<Bits>(a) | std::bit_cast<Bits>(b));
  return a < b ? a : b;
}
template <class F>
inline F float_max(F a, F b) noexcept {
  using Bits = typename FloatBits<F>::Bits;
  if (std::isnan(a) || std::isnan(b)) return canonical_nan<F>();
  // Equal operands differ at most in the sign of zero; AND picks +0.
  if (a == b) return std::bit_cast<F>(std::bit_cast<Bits>(a) & std::bit_cast<Bits>(b));
  return a > b ? a : b;
}

// Round half to even without depending on the current rounding mode.
// x - trunc(x) is exact, and whenever it is nonzero |x| < 2^mantissa_bits, so
// the +-1 step is exact and the integer cast below is in range. trunc keeps the
// sign (-0.5 -> -0); infinities fall through unchanged.
template <class F>
inline F nearest(F x) noexcept {
  if (std::isnan(x)) return canonical_nan<F>();
  F r = std::trunc(x);
  F frac = std::fabs(x - r);
  if (frac > F(0.5) || (frac == F(0.5) && (static_cast<int64_t>(r) & 1) != 0)) {
    r += std::copysign(F(1), x);
  }
  return r;
}

// Exclusive lower bounds for float->int truncation, as hex literals so they
// are visibly exact: the first value of F below the target range. -2^31-1 is
// exact in f64, but in f32 the first value below -2^31 is -(2^31 + 2^8);
// likewise below -2^63 (f32: -(2^63 + 2^40), f64: -(2^63 + 2^11)). Upper
// bounds are the powers of two 2^31, 2^32, 2^63, 2^64.
inline constexpr float kF32I32Lo = -0x1.000002p31f;
inline constexpr double kF64I32Lo = -0x1.00000002p31;
inline constexpr float kF32I64Lo = -0x1.000002p63f;
inline constexpr double kF64I64Lo = -0x1.0000000000001p63;

// The exclusive bounds lo < x < hi of float->int truncation as bits of the
// source type (f64 if in64, else f32): the table the backends compile in,
// the same numbers the trunc functions below pass to trunc_checked.
struct TruncBounds {
  uint64_t lo, hi;
};
constexpr TruncBounds trunc_bounds(bool in64, bool out64, bool is_signed) noexcept {
  const auto bits = [in64](double d, float f) -> uint64_t {
    return in64 ? std::bit_cast<uint64_t>(d) : std::bit_cast<uint32_t>(f);
  };
  if (!out64) {
    return is_signed ? TruncBounds{bits(kF64I32Lo, kF32I32Lo), bits(0x1p31, 0x1p31f)}
                     : TruncBounds{bits(-1.0, -1.0f), bits(0x1p32, 0x1p32f)};
  }
  return is_signed ? TruncBounds{bits(kF64I64Lo, kF32I64Lo), bits(0x1p63, 0x1p63f)}
                   : TruncBounds{bits(-1.0, -1.0f), bits(0x1p64, 0x1p64f)};
}

// Truncating float->int conversion, valid for lo < x < hi. Both bounds are
// exact in F, so the comparisons are exact and the cast is always defined.
template <class Int, class F>
inline TrapKind trunc_checked(F x, F lo, F hi, Int* out) noexcept {
  if (std::isnan(x)) return TrapKind::InvalidConversionToInteger;
  if (!(x > lo && x < hi)) return TrapKind::IntegerOverflow;
  *out = static_cast<Int>(x);  // the cast truncates toward zero
  return TrapKind::None;
}

// Saturating form: NaN -> 0, out-of-range values clamp to the target range.
template <class Int, class F>
inline Int trunc_sat(F x, F lo, F hi, Int min, Int max) noexcept {
  if (std::isnan(x)) return 0;
  if (x <= lo) return min;
  if (x >= hi) return max;
  return static_cast<Int>(x);
}

}  // namespace detail

// ---- i32 comparisons ----------------------------------------------------

inline uint32_t i32_eqz(uint32_t a) noexcept { return a == 0; }
inline uint32_t i32_eq(uint32_t a, uint32_t b) noexcept { return a == b; }
inline uint32_t i32_ne(uint32_t a, uint32_t b) noexcept { return a != b; }
inline uint32_t i32_lt_s(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a) < static_cast<int32_t>(b);
}
inline uint32_t i32_lt_u(uint32_t a, uint32_t b) noexcept { return a < b; }
inline uint32_t i32_gt_s(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a) > static_cast<int32_t>(b);
}
inline uint32_t i32_gt_u(uint32_t a, uint32_t b) noexcept { return a > b; }
inline uint32_t i32_le_s(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a) <= static_cast<int32_t>(b);
}
inline uint32_t i32_le_u(uint32_t a, uint32_t b) noexcept { return a <= b; }
inline uint32_t i32_ge_s(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a) >= static_cast<int32_t>(b);
}
inline uint32_t i32_ge_u(uint32_t a, uint32_t b) noexcept { return a >= b; }

// ---- i64 comparisons ----------------------------------------------------

inline uint32_t i64_eqz(uint64_t a) noexcept { return a == 0; }
inline uint32_t i64_eq(uint64_t a, uint64_t b) noexcept { return a == b; }
inline uint32_t i64_ne(uint64_t a, uint64_t b) noexcept { return a != b; }
inline uint32_t i64_lt_s(uint64_t a, uint64_t b) noexcept {
  return static_cast<int64_t>(a) < static_cast<int64_t>(b);
}
inline uint32_t i64_lt_u(uint64_t a, uint64_t b) noexcept { return a < b; }
inline uint32_t i64_gt_s(uint64_t a, uint64_t b) noexcept {
  return static_cast<int64_t>(a) > static_cast<int64_t>(b);
}
inline uint32_t i64_gt_u(uint64_t a, uint64_t b) noexcept { return a > b; }
inline uint32_t i64_le_s(uint64_t a, uint64_t b) noexcept {
  return static_cast<int64_t>(a) <= static_cast<int64_t>(b);
}
inline uint32_t i64_le_u(uint64_t a, uint64_t b) noexcept { return a <= b; }
inline uint32_t i64_ge_s(uint64_t a, uint64_t b) noexcept {
  return static_cast<int64_t>(a) >= static_cast<int64_t>(b);
}
inline uint32_t i64_ge_u(uint64_t a, uint64_t b) noexcept { return a >= b; }

// ---- float comparisons (IEEE: any NaN operand makes all but ne false) ----

inline uint32_t f32_eq(float a, float b) noexcept { return a == b; }
inline uint32_t f32_ne(float a, float b) noexcept { return a != b; }
inline uint32_t f32_lt(float a, float b) noexcept { return a < b; }
inline uint32_t f32_gt(float a, float b) noexcept { return a > b; }
inline uint32_t f32_le(float a, float b) noexcept { return a <= b; }
inline uint32_t f32_ge(float a, float b) noexcept { return a >= b; }
inline uint32_t f64_eq(double a, double b) noexcept { return a == b; }
inline uint32_t f64_ne(double a, double b) noexcept { return a != b; }
inline uint32_t f64_lt(double a, double b) noexcept { return a < b; }
inline uint32_t f64_gt(double a, double b) noexcept { return a > b; }
inline uint32_t f64_le(double a, double b) noexcept { return a <= b; }
inline uint32_t f64_ge(double a, double b) noexcept { return a >= b; }

// ---- i32 arithmetic -----------------------------------------------------

// std::countl_zero/countr_zero are defined for 0 (they return the bit width).
inline uint32_t i32_clz(uint32_t a) noexcept { return static_cast<uint32_t>(std::countl_zero(a)); }
inline uint32_t i32_ctz(uint32_t a) noexcept { return static_cast<uint32_t>(std::countr_zero(a)); }
inline uint32_t i32_popcnt(uint32_t a) noexcept { return static_cast<uint32_t>(std::popcount(a)); }
inline uint32_t i32_add(uint32_t a, uint32_t b) noexcept { return a + b; }
inline uint32_t i32_sub(uint32_t a, uint32_t b) noexcept { return a - b; }
inline uint32_t i32_mul(uint32_t a, uint32_t b) noexcept { return a * b; }

inline TrapKind i32_div_s(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  if (a == 0x8000'0000u && b == 0xffff'ffffu) return TrapKind::IntegerOverflow;
  *out = static_cast<uint32_t>(static_cast<int32_t>(a) / static_cast<int32_t>(b));
  return TrapKind::None;
}
inline TrapKind i32_div_u(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  *out = a / b;
  return TrapKind::None;
}
inline TrapKind i32_rem_s(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  // INT_MIN % -1 is 0 in wasm but UB in C++ (and faults on x86).
  if (b == 0xffff'ffffu) {
    *out = 0;
    return TrapKind::None;
  }
  *out = static_cast<uint32_t>(static_cast<int32_t>(a) % static_cast<int32_t>(b));
  return TrapKind::None;
}
inline TrapKind i32_rem_u(uint32_t a, uint32_t b, uint32_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  *out = a % b;
  return TrapKind::None;
}

inline uint32_t i32_and(uint32_t a, uint32_t b) noexcept { return a & b; }
inline uint32_t i32_or(uint32_t a, uint32_t b) noexcept { return a | b; }
inline uint32_t i32_xor(uint32_t a, uint32_t b) noexcept { return a ^ b; }
inline uint32_t i32_shl(uint32_t a, uint32_t b) noexcept { return a << (b & 31); }
// C++20 defines >> on a negative signed value as an arithmetic shift.
inline uint32_t i32_shr_s(uint32_t a, uint32_t b) noexcept {
  return static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31));
}
inline uint32_t i32_shr_u(uint32_t a, uint32_t b) noexcept { return a >> (b & 31); }
inline uint32_t i32_rotl(uint32_t a, uint32_t b) noexcept {
  return std::rotl(a, static_cast<int>(b & 31));
}
inline uint32_t i32_rotr(uint32_t a, uint32_t b) noexcept {
  return std::rotr(a, static_cast<int>(b & 31));
}

// ---- i64 arithmetic -----------------------------------------------------

inline uint64_t i64_clz(uint64_t a) noexcept { return static_cast<uint64_t>(std::countl_zero(a)); }
inline uint64_t i64_ctz(uint64_t a) noexcept { return static_cast<uint64_t>(std::countr_zero(a)); }
inline uint64_t i64_popcnt(uint64_t a) noexcept { return static_cast<uint64_t>(std::popcount(a)); }
inline uint64_t i64_add(uint64_t a, uint64_t b) noexcept { return a + b; }
inline uint64_t i64_sub(uint64_t a, uint64_t b) noexcept { return a - b; }
inline uint64_t i64_mul(uint64_t a, uint64_t b) noexcept { return a * b; }

inline TrapKind i64_div_s(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  if (a == 0x8000'0000'0000'0000u && b == ~uint64_t{0}) return TrapKind::IntegerOverflow;
  *out = static_cast<uint64_t>(static_cast<int64_t>(a) / static_cast<int64_t>(b));
  return TrapKind::None;
}
inline TrapKind i64_div_u(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  *out = a / b;
  return TrapKind::None;
}
inline TrapKind i64_rem_s(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  // INT_MIN % -1 is 0 in wasm but UB in C++ (and faults on x86).
  if (b == ~uint64_t{0}) {
    *out = 0;
    return TrapKind::None;
  }
  *out = static_cast<uint64_t>(static_cast<int64_t>(a) % static_cast<int64_t>(b));
  return TrapKind::None;
}
inline TrapKind i64_rem_u(uint64_t a, uint64_t b, uint64_t* out) noexcept {
  if (b == 0) return TrapKind::IntegerDivideByZero;
  *out = a % b;
  return TrapKind::None;
}

inline uint64_t i64_and(uint64_t a, uint64_t b) noexcept { return a & b; }
inline uint64_t i64_or(uint64_t a, uint64_t b) noexcept { return a | b; }
inline uint64_t i64_xor(uint64_t a, uint64_t b) noexcept { return a ^ b; }
inline uint64_t i64_shl(uint64_t a, uint64_t b) noexcept { return a << (b & 63); }
inline uint64_t i64_shr_s(uint64_t a, uint64_t b) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(a) >> (b & 63));
}
inline uint64_t i64_shr_u(uint64_t a, uint64_t b) noexcept { return a >> (b & 63); }
inline uint64_t i64_rotl(uint64_t a, uint64_t b) noexcept {
  return std::rotl(a, static_cast<int>(b & 63));
}
inline uint64_t i64_rotr(uint64_t a, uint64_t b) noexcept {
  return std::rotr(a, static_cast<int>(b & 63));
}

// ---- f32 arithmetic -----------------------------------------------------

inline float f32_abs(float a) noexcept { return detail::abs_bits(a); }
inline float f32_neg(float a) noexcept { return detail::neg_bits(a); }
inline float f32_ceil(float a) noexcept { return detail::canonical(std::ceil(a)); }
inline float f32_floor(float a) noexcept { return detail::canonical(std::floor(a)); }
inline float f32_trunc(float a) noexcept { return detail::canonical(std::trunc(a)); }
inline float f32_nearest(float a) noexcept { return detail::nearest(a); }
inline float f32_sqrt(float a) noexcept { return detail::canonical(std::sqrt(a)); }
inline float f32_add(float a, float b) noexcept { return detail::canonical(a + b); }
inline float f32_sub(float a, float b) noexcept { return detail::canonical(a - b); }
inline float f32_mul(float a, float b) noexcept { return detail::canonical(a * b); }
inline float f32_div(float a, float b) noexcept { return detail::canonical(a / b); }
inline float f32_min(float a, float b) noexcept { return detail::float_min(a, b); }
inline float f32_max(float a, float b) noexcept { return detail::float_max(a, b); }
inline float f32_copysign(float a, float b) noexcept { return detail::copysign_bits(a, b); }

// ---- f64 arithmetic -----------------------------------------------------

inline double f64_abs(double a) noexcept { return detail::abs_bits(a); }
inline double f64_neg(double a) noexcept { return detail::neg_bits(a); }
inline double f64_ceil(double a) noexcept { return detail::canonical(std::ceil(a)); }
inline double f64_floor(double a) noexcept { return detail::canonical(std::floor(a)); }
inline double f64_trunc(double a) noexcept { return detail::canonical(std::trunc(a)); }
inline double f64_nearest(double a) noexcept { return detail::nearest(a); }
inline double f64_sqrt(double a) noexcept { return detail::canonical(std::sqrt(a)); }
inline double f64_add(double a, double b) noexcept { return detail::canonical(a + b); }
inline double f64_sub(double a, double b) noexcept { return detail::canonical(a - b); }
inline double f64_mul(double a, double b) noexcept { return detail::canonical(a * b); }
inline double f64_div(double a, double b) noexcept { return detail::canonical(a / b); }
inline double f64_min(double a, double b) noexcept { return detail::float_min(a, b); }
inline double f64_max(double a, double b) noexcept { return detail::float_max(a, b); }
inline double f64_copysign(double a, double b) noexcept { return detail::copysign_bits(a, b); }

// ---- integer width changes ----------------------------------------------

inline uint32_t i32_wrap_i64(uint64_t a) noexcept { return static_cast<uint32_t>(a); }
inline uint64_t i64_extend_i32_s(uint32_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
}
inline uint64_t i64_extend_i32_u(uint32_t a) noexcept { return a; }
inline uint32_t i32_extend8_s(uint32_t a) noexcept {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(a)));
}
inline uint32_t i32_extend16_s(uint32_t a) noexcept {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(a)));
}
inline uint64_t i64_extend8_s(uint64_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(a)));
}
inline uint64_t i64_extend16_s(uint64_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(a)));
}
inline uint64_t i64_extend32_s(uint64_t a) noexcept {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
}

// ---- float -> int, trapping ---------------------------------------------

inline TrapKind i32_trunc_f32_s(float a, uint32_t* out) noexcept {
  int32_t r;
  TrapKind t = detail::trunc_checked(a, detail::kF32I32Lo, 0x1p31f, &r);
  if (t == TrapKind::None) *out = static_cast<uint32_t>(r);
  return t;
}
inline TrapKind i32_trunc_f32_u(float a, uint32_t* out) noexcept {
  return detail::trunc_checked(a, -1.0f, 0x1p32f, out);
}
inline TrapKind i32_trunc_f64_s(double a, uint32_t* out) noexcept {
  int32_t r;
  TrapKind t = detail::trunc_checked(a, detail::kF64I32Lo, 0x1p31, &r);
  if (t == TrapKind::None) *out = static_cast<uint32_t>(r);
  return t;
}
inline TrapKind i32_trunc_f64_u(double a, uint32_t* out) noexcept {
  return detail::trunc_checked(a, -1.0, 0x1p32, out);
}
inline TrapKind i64_trunc_f32_s(float a, uint64_t* out) noexcept {
  int64_t r;
  TrapKind t = detail::trunc_checked(a, detail::kF32I64Lo, 0x1p63f, &r);
  if (t == TrapKind::None) *out = static_cast<uint64_t>(r);
  return t;
}
inline TrapKind i64_trunc_f32_u(float a, uint64_t* out) noexcept {
  return detail::trunc_checked(a, -1.0f, 0x1p64f, out);
}
inline TrapKind i64_trunc_f64_s(double a, uint64_t* out) noexcept {
  int64_t r;
  TrapKind t = detail::trunc_checked(a, detail::kF64I64Lo, 0x1p63, &r);
  if (t == TrapKind::None) *out = static_cast<uint64_t>(r);
  return t;
}
inline TrapKind i64_trunc_f64_u(double a, uint64_t* out) noexcept {
  return detail::trunc_checked(a, -1.0, 0x1p64, out);
}

// ---- float -> int, saturating -------------------------------------------

inline uint32_t i32_trunc_sat_f32_s(float a) noexcept {
  return static_cast<uint32_t>(
      detail::trunc_sat<int32_t>(a, detail::kF32I32Lo, 0x1p31f, INT32_MIN, INT32_MAX));
}
inline uint32_t i32_trunc_sat_f32_u(float a) noexcept {
  return detail::trunc_sat<uint32_t>(a, -1.0f, 0x1p32f, 0, UINT32_MAX);
}
inline uint32_t i32_trunc_sat_f64_s(double a) noexcept {
  return static_cast<uint32_t>(
      detail::trunc_sat<int32_t>(a, detail::kF64I32Lo, 0x1p31, INT32_MIN, INT32_MAX));
}
inline uint32_t i32_trunc_sat_f64_u(double a) noexcept {
  return detail::trunc_sat<uint32_t>(a, -1.0, 0x1p32, 0, UINT32_MAX);
}
inline uint64_t i64_trunc_sat_f32_s(float a) noexcept {
  return static_cast<uint64_t>(
      detail::trunc_sat<int64_t>(a, detail::kF32I64Lo, 0x1p63f, INT64_MIN, INT64_MAX));
}
inline uint64_t i64_trunc_sat_f32_u(float a) noexcept {
  return detail::trunc_sat<uint64_t>(a, -1.0f, 0x1p64f, 0, UINT64_MAX);
}
inline uint64_t i64_trunc_sat_f64_s(double a) noexcept {
  return static_cast<uint64_t>(
      detail::trunc_sat<int64_t>(a, detail::kF64I64Lo, 0x1p63, INT64_MIN, INT64_MAX));
}
inline uint64_t i64_trunc_sat_f64_u(double a) noexcept {
  return detail::trunc_sat<uint64_t>(a, -1.0, 0x1p64, 0, UINT64_MAX);
}

// ---- int -> float -------------------------------------------------------
// Each is a single correctly rounded (nearest-even) conversion. x86-64 before
// AVX-512 has no unsigned 64-bit convert, but GCC and Clang lower the uint64_t
// casts to sequences that still round only once; the tests pin this.

inline float f32_convert_i32_s(uint32_t a) noexcept {
  return static_cast<float>(static_cast<int32_t>(a));
}
inline float f32_convert_i32_u(uint32_t a) noexcept { return static_cast<float>(a); }
inline float f32_convert_i64_s(uint64_t a) noexcept {
  return static_cast<float>(static_cast<int64_t>(a));
}
inline float f32_convert_i64_u(uint64_t a) noexcept { return static_cast<float>(a); }
inline double f64_convert_i32_s(uint32_t a) noexcept {
  return static_cast<double>(static_cast<int32_t>(a));
}
inline double f64_convert_i32_u(uint32_t a) noexcept { return static_cast<double>(a); }
inline double f64_convert_i64_s(uint64_t a) noexcept {
  return static_cast<double>(static_cast<int64_t>(a));
}
inline double f64_convert_i64_u(uint64_t a) noexcept { return static_cast<double>(a); }

// ---- float <-> float, reinterpretation ----------------------------------

// Hardware conversions quiet NaNs and keep the payload's high bits, which is
// what wasm asks for (canonical stays canonical, arithmetic stays arithmetic).
inline float f32_demote_f64(double a) noexcept { return static_cast<float>(a); }
inline double f64_promote_f32(float a) noexcept { return static_cast<double>(a); }

inline uint32_t i32_reinterpret_f32(float a) noexcept { return std::bit_cast<uint32_t>(a); }
inline uint64_t i64_reinterpret_f64(double a) noexcept { return std::bit_cast<uint64_t>(a); }
inline float f32_reinterpret_i32(uint32_t a) noexcept { return std::bit_cast<float>(a); }
inline double f64_reinterpret_i64(uint64_t a) noexcept { return std::bit_cast<double>(a); }

}  // namespace wvm::ops
