// AArch64 instruction selection for tier 1's float operators: every opcode
// whose operand or result is f32/f64, except loads, stores and constants.
//
// Values live in general registers as raw bits (f32 zero-extended in the low
// half, f64 as all 64 bits, i32 results zero-extended); they cross into
// s0/d0.. with fmov. x16, x17 and v0-v7 are scratch; nothing else but dst
// changes.
//
// Every result must be bit-identical to module/numeric.h and to the x86-64
// backend, NaN payloads and signs included. The rules, and how AArch64 (with
// the FPCR as Linux leaves it: round to nearest, DN = 0, FZ = 0; we never
// change it) meets them:
//
//  - add, sub, mul, div, sqrt, min, max, ceil, floor, trunc, nearest: a NaN
//    result is always the positive canonical NaN 0x7fc00000 /
//    0x7ff8000000000000, whatever NaNs went in. With DN = 0 the hardware
//    propagates an input's payload instead, so after the instruction a
//    `fcmp r, r` flags a NaN result (V set) and csel swaps in the constant.
//  - abs, neg, copysign work on the bits in general registers: no FPU, so NaN
//    payloads pass through untouched.
//  - min/max: fmin/fmax already give wasm's rules apart from the payload
//    (NaN if either operand is NaN; -0 < +0); the NaN is then canonicalized.
//  - ceil/floor/trunc/nearest are frintp/frintm/frintz/frintn, which keep
//    the sign of zero results and round ties to even (nearest).
//  - demote/promote are fcvt: a NaN is quieted keeping its sign and the high
//    payload bits (truncated or zero-extended), exactly what x86's
//    cvtsd2ss/cvtss2sd and numeric.h's static_casts do; other values are
//    rounded to nearest even.
//  - comparisons: fcmp sets NZCV = 0011 for unordered operands, so the
//    conditions used (eq, mi, ls, gt, ge) are false for NaN and ne is true.
//  - trapping float->int: NaN traps with InvalidConversionToInteger; outside
//    numeric.h's exclusive bounds (lo < x < hi, compared exactly as floats)
//    with IntegerOverflow; inside them fcvtzs/fcvtzu truncate.
//  - saturating float->int: fcvtzs/fcvtzu are wasm's trunc_sat on their own
//    (NaN -> 0, out of range clamps to the W or X destination's range), and a
//    W destination zero-extends.
//  - int->float: scvtf/ucvtf from W or X, one correctly rounded conversion.
//  - reinterpret: plain moves (a W move zero-extends).
#include <bit>
#include <cstdint>

#include <asmjit/arm/a64assembler.h>

#include "codegen-arm64/masm_arm64.h"
#include "module/numeric.h"
#include "module/opcodes.h"

namespace wvm::a64 {

namespace a64 = asmjit::a64;
using asmjit::Imm;
using CondCode = asmjit::arm::CondCode;

namespace {

bool is_float(ValType t) noexcept { return t == ValType::F32 || t == ValType::F64; }

// Scalar view of v<i> for a value of the given width.
a64::Vec fp_reg(uint32_t id, bool is64) noexcept {
  return is64 ? a64::Vec(a64::VecD(id)) : a64::Vec(a64::VecS(id));
}

// The W or X view of a general register.
a64::Gp sized(const a64::Gp& r, bool is64) noexcept {
  return is64 ? a64::Gp(r.x()) : a64::Gp(r.w());
}

// Bits -> FP register and back (fmov: a W destination zero-extends).
void to_fp(a64::Assembler& a, const a64::Vec& v, const a64::Gp& src, bool is64) {
  a.fmov(v, sized(src, is64));
}
void from_fp(a64::Assembler& a, const a64::Gp& dst, const a64::Vec& v, bool is64) {
  a.fmov(sized(dst, is64), v);
}

bool is_signed_trunc(Opcode op) noexcept {
  switch (op) {
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF64S:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF64S:
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF64S:
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF64S:
      return true;
    default:
      return false;
  }
}

// The NaN rule of arithmetic: `result` (an FP register) was just written and
// its bits are in dst; replace them with the canonical NaN if it is a NaN.
void canonicalize_nan(a64::Assembler& a, const a64::Gp& dst, const a64::Vec& result, bool is64) {
  const a64::Gp d = sized(dst, is64);
  const a64::Gp nan = sized(a64::x16, is64);
  a.fcmp(result, result);  // unordered (V set) only for a NaN
  // The canonical NaN has bits only in its top 16: one movz.
  const int shift = is64 ? 48 : 16;
  a.movz(nan, Imm(ops::detail::canonical_nan_bits(is64) >> shift), Imm(shift));
  a.csel(d, nan, d, Imm(CondCode::kVS));
}

}  // namespace

bool A64MacroAssembler::binary_float(Opcode op, const a64::Gp& dst, const a64::Gp& lhs,
                                     const a64::Gp& rhs) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Binary || !is_float(info.in)) return false;
  const bool is64 = info.in == ValType::F64;

  if (op == Opcode::F32Copysign || op == Opcode::F64Copysign) {
    // On the bits (numeric.h's copysign_bits): rhs's sign is read into x16
    // before dst is written (dst may be lhs, and lhs may be rhs).
    const int sign = is64 ? 63 : 31;
    const a64::Gp d = sized(dst, is64);
    const a64::Gp t = sized(a64::x16, is64);
    a_.lsr(t, sized(rhs, is64), Imm(sign));
    if (dst.id() != lhs.id()) a_.mov(d, sized(lhs, is64));
    a_.bfi(d, t, Imm(sign), Imm(1));  // a W write zero-extends
    return true;
  }

  const a64::Vec v0 = fp_reg(0, is64);
  const a64::Vec v1 = fp_reg(1, is64);
  // Both operands are read before dst is written.
  to_fp(a_, v0, lhs, is64);
  to_fp(a_, v1, rhs, is64);

  // Comparisons: after fcmp, unordered is NZCV = 0011, less 1000, equal
  // 0110, greater 0010. Each condition below is false for unordered except
  // ne, which IEEE (and wasm) make true.
  const auto compare = [&](CondCode cc) {
    a_.fcmp(v0, v1);
    a_.cset(dst.w(), Imm(cc));
    return true;
  };
  switch (op) {
    case Opcode::F32Eq:
    case Opcode::F64Eq:
      return compare(CondCode::kEQ);  // Z
    case Opcode::F32Ne:
    case Opcode::F64Ne:
      return compare(CondCode::kNE);  // !Z
    case Opcode::F32Lt:
    case Opcode::F64Lt:
      return compare(CondCode::kMI);  // N (lt would be N != V: true if unordered)
    case Opcode::F32Gt:
    case Opcode::F64Gt:
      return compare(CondCode::kGT);  // !Z && N == V
    case Opcode::F32Le:
    case Opcode::F64Le:
      return compare(CondCode::kLS);  // !C || Z (le would be true if unordered)
    case Opcode::F32Ge:
    case Opcode::F64Ge:
      return compare(CondCode::kGE);  // N == V
    default:
      break;
  }

  switch (op) {
    case Opcode::F32Add:
    case Opcode::F64Add:
      a_.fadd(v0, v0, v1);
      break;
    case Opcode::F32Sub:
    case Opcode::F64Sub:
      a_.fsub(v0, v0, v1);
      break;
    case Opcode::F32Mul:
    case Opcode::F64Mul:
      a_.fmul(v0, v0, v1);
      break;
    case Opcode::F32Div:
    case Opcode::F64Div:
      a_.fdiv(v0, v0, v1);
      break;
    // fmin/fmax: NaN if either operand is NaN, and -0 < +0, as wasm asks
    // (unlike fminnm/fmaxnm, which prefer the number).
    case Opcode::F32Min:
    case Opcode::F64Min:
      a_.fmin(v0, v0, v1);
      break;
    case Opcode::F32Max:
    case Opcode::F64Max:
      a_.fmax(v0, v0, v1);
      break;
    default:
      return false;
  }
  from_fp(a_, dst, v0, is64);
  canonicalize_nan(a_, dst, v0, is64);
  return true;
}

bool A64MacroAssembler::unary_float(Opcode op, const a64::Gp& dst, const a64::Gp& src) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Unary || (!is_float(info.in) && !is_float(info.out))) return false;
  const bool in64 = info.in == ValType::F64 || info.in == ValType::I64;
  const bool out64 = info.out == ValType::F64 || info.out == ValType::I64;

  // f -> f of one width, canonicalizing a NaN result.
  const auto arith = [&](auto emit) {
    const a64::Vec v0 = fp_reg(0, in64);
    to_fp(a_, v0, src, in64);
    emit(v0);
    from_fp(a_, dst, v0, in64);
    canonicalize_nan(a_, dst, v0, in64);
    return true;
  };

  switch (op) {
    // abs/neg on the bits (numeric.h's abs_bits/neg_bits); both masks are
    // logical immediates.
    case Opcode::F32Abs:
      a_.and_(dst.w(), src.w(), Imm(0x7fff'ffffu));
      return true;
    case Opcode::F64Abs:
      a_.and_(dst.x(), src.x(), Imm(0x7fff'ffff'ffff'ffffu));
      return true;
    case Opcode::F32Neg:
      a_.eor(dst.w(), src.w(), Imm(0x8000'0000u));
      return true;
    case Opcode::F64Neg:
      a_.eor(dst.x(), src.x(), Imm(0x8000'0000'0000'0000u));
      return true;

    case Opcode::F32Sqrt:
    case Opcode::F64Sqrt:
      return arith([&](const a64::Vec& v) { a_.fsqrt(v, v); });
    case Opcode::F32Ceil:
    case Opcode::F64Ceil:
      return arith([&](const a64::Vec& v) { a_.frintp(v, v); });
    case Opcode::F32Floor:
    case Opcode::F64Floor:
      return arith([&](const a64::Vec& v) { a_.frintm(v, v); });
    case Opcode::F32Trunc:
    case Opcode::F64Trunc:
      return arith([&](const a64::Vec& v) { a_.frintz(v, v); });
    case Opcode::F32Nearest:
    case Opcode::F64Nearest:
      return arith([&](const a64::Vec& v) { a_.frintn(v, v); });  // ties to even

    // fcvt with DN = 0 quiets a NaN keeping sign and high payload bits, as
    // numeric.h's static_casts (and x86's cvtsd2ss/cvtss2sd) do.
    case Opcode::F32DemoteF64:
      a_.fmov(a64::d0, src.x());
      a_.fcvt(a64::s0, a64::d0);
      a_.fmov(dst.w(), a64::s0);
      return true;
    case Opcode::F64PromoteF32:
      a_.fmov(a64::s0, src.w());
      a_.fcvt(a64::d0, a64::s0);
      a_.fmov(dst.x(), a64::d0);
      return true;

    case Opcode::I32ReinterpretF32:
    case Opcode::F32ReinterpretI32:
      a_.mov(dst.w(), src.w());  // zero-extends
      return true;
    case Opcode::I64ReinterpretF64:
    case Opcode::F64ReinterpretI64:
      if (dst.id() != src.id()) a_.mov(dst.x(), src.x());
      return true;

    // Saturating: fcvtzs/fcvtzu are trunc_sat for the destination's width.
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF32U:
    case Opcode::I32TruncSatF64S:
    case Opcode::I32TruncSatF64U:
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF32U:
    case Opcode::I64TruncSatF64S:
    case Opcode::I64TruncSatF64U: {
      const a64::Vec v0 = fp_reg(0, in64);
      to_fp(a_, v0, src, in64);
      if (is_signed_trunc(op)) {
        a_.fcvtzs(sized(dst, out64), v0);
      } else {
        a_.fcvtzu(sized(dst, out64), v0);
      }
      return true;
    }

    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64S:
    case Opcode::I32TruncF64U:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64S:
    case Opcode::I64TruncF64U: {
      // numeric.h's trunc_checked: NaN first, then lo < x < hi with the same
      // exact bounds, and only then the (always in range) truncation.
      const bool is_signed = is_signed_trunc(op);
      const ops::detail::TruncBounds bounds = ops::detail::trunc_bounds(in64, out64, is_signed);
      const a64::Vec v0 = fp_reg(0, in64);
      const a64::Vec v1 = fp_reg(1, in64);
      const a64::Gp t = sized(a64::x16, in64);
      to_fp(a_, v0, src, in64);
      load_imm(t, bounds.lo);
      to_fp(a_, v1, t, in64);
      a_.fcmp(v0, v1);
      a_.b(CondCode::kVS, trap_label(TrapKind::InvalidConversionToInteger));  // x is NaN
      a_.b(CondCode::kLS, trap_label(TrapKind::IntegerOverflow));             // x <= lo
      load_imm(t, bounds.hi);
      to_fp(a_, v1, t, in64);
      a_.fcmp(v0, v1);
      a_.b(CondCode::kGE, trap_label(TrapKind::IntegerOverflow));  // x >= hi
      if (is_signed) {
        a_.fcvtzs(sized(dst, out64), v0);
      } else {
        a_.fcvtzu(sized(dst, out64), v0);
      }
      return true;
    }

    // One correctly rounded conversion each (round to nearest even), as
    // numeric.h's static_casts; a W source reads only the i32's 32 bits.
    case Opcode::F32ConvertI32S:
    case Opcode::F64ConvertI32S:
    case Opcode::F32ConvertI64S:
    case Opcode::F64ConvertI64S:
    case Opcode::F32ConvertI32U:
    case Opcode::F64ConvertI32U:
    case Opcode::F32ConvertI64U:
    case Opcode::F64ConvertI64U: {
      const bool is_unsigned = op == Opcode::F32ConvertI32U || op == Opcode::F64ConvertI32U ||
                               op == Opcode::F32ConvertI64U || op == Opcode::F64ConvertI64U;
      const a64::Vec v0 = fp_reg(0, out64);
      if (is_unsigned) {
        a_.ucvtf(v0, sized(src, in64));
      } else {
        a_.scvtf(v0, sized(src, in64));
      }
      from_fp(a_, dst, v0, out64);
      return true;
    }

    default:
      return false;
  }
}

}  // namespace wvm::a64
