// `select` whose condition is an integer comparison: tier 1 emits one compare
// and a conditional move (tier1-jit/compiler.cc, select_on_compare). Every
// i32/i64 comparison (eqz too) picks i32, i64, f32 and f64 values, with its
// operands from locals, its right operand a constant (an immediate where it
// fits, a register where it does not) and the selected values sharing the
// comparison's registers, at the boundaries where a wrong condition code or
// width shows (0, -1, the signed extremes, values with high 32 bits set).
// Each result is checked against the same computation in C++, in every tier
// (tier 1 must compile every function).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_instance.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

struct Comparison {
  Opcode op;
  ValType type;  // of its operands
  bool (*holds)(uint64_t a, uint64_t b);
};

constexpr uint32_t u32(uint64_t v) { return static_cast<uint32_t>(v); }
constexpr int32_t s32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }
constexpr int64_t s64(uint64_t v) { return static_cast<int64_t>(v); }

constexpr Comparison kComparisons[] = {
    {Opcode::I32Eqz, I32, [](uint64_t a, uint64_t) { return u32(a) == 0; }},
    {Opcode::I32Eq, I32, [](uint64_t a, uint64_t b) { return u32(a) == u32(b); }},
    {Opcode::I32Ne, I32, [](uint64_t a, uint64_t b) { return u32(a) != u32(b); }},
    {Opcode::I32LtS, I32, [](uint64_t a, uint64_t b) { return s32(a) < s32(b); }},
    {Opcode::I32LtU, I32, [](uint64_t a, uint64_t b) { return u32(a) < u32(b); }},
    {Opcode::I32GtS, I32, [](uint64_t a, uint64_t b) { return s32(a) > s32(b); }},
    {Opcode::I32GtU, I32, [](uint64_t a, uint64_t b) { return u32(a) > u32(b); }},
    {Opcode::I32LeS, I32, [](uint64_t a, uint64_t b) { return s32(a) <= s32(b); }},
    {Opcode::I32LeU, I32, [](uint64_t a, uint64_t b) { return u32(a) <= u32(b); }},
    {Opcode::I32GeS, I32, [](uint64_t a, uint64_t b) { return s32(a) >= s32(b); }},
    {Opcode::I32GeU, I32, [](uint64_t a, uint64_t b) { return u32(a) >= u32(b); }},
    {Opcode::I64Eqz, I64, [](uint64_t a, uint64_t) { return a == 0; }},
    {Opcode::I64Eq, I64, [](uint64_t a, uint64_t b) { return a == b; }},
    {Opcode::I64Ne, I64, [](uint64_t a, uint64_t b) { return a != b; }},
    {Opcode::I64LtS, I64, [](uint64_t a, uint64_t b) { return s64(a) < s64(b); }},
    {Opcode::I64LtU, I64, [](uint64_t a, uint64_t b) { return a < b; }},
    {Opcode::I64GtS, I64, [](uint64_t a, uint64_t b) { return s64(a) > s64(b); }},
    {Opcode::I64GtU, I64, [](uint64_t a, uint64_t b) { return a > b; }},
    {Opcode::I64LeS, I64, [](uint64_t a, uint64_t b) { return s64(a) <= s64(b); }},
    {Opcode::I64LeU, I64, [](uint64_t a, uint64_t b) { return a <= b; }},
    {Opcode::I64GeS, I64, [](uint64_t a, uint64_t b) { return s64(a) >= s64(b); }},
    {Opcode::I64GeU, I64, [](uint64_t a, uint64_t b) { return a >= b; }},
};

bool is_eqz(Opcode op) { return op == Opcode::I32Eqz || op == Opcode::I64Eqz; }

// Operands: as the operand type holds them (an i32 zero-extended).
const std::vector<uint64_t> kI32Operands = {
    0, 1, 2, 100, 0xffffffff, 0xfffffffb, 0x7fffffff, 0x7ffffffe, 0x80000000, 0x80000001};
const std::vector<uint64_t> kI64Operands = {0,
                                            1,
                                            ~0ull,
                                            ~0ull - 4,
                                            0x8000'0000'0000'0000,
                                            0x7fff'ffff'ffff'ffff,
                                            0xffffffff,
                                            0x1'0000'0000,
                                            0x1'0000'0001,
                                            0x7fffffff,
                                            0x80000000,
                                            0xffff'ffff'8000'0000,
                                            0x8000'0000'ffff'ffff,
                                            0x12345};
// Right-hand constants: immediates (on AArch64 also ones that need cmn or a
// scratch register) and, for i64, ones no 32-bit immediate holds.
const std::vector<int64_t> kI32Constants = {0, 1, -1, -5, 4095, 0x12345, INT32_MIN, INT32_MAX};
const std::vector<int64_t> kI64Constants = {
    0, 1, -1, -5, 0x12345, INT32_MIN, INT32_MAX, 0xffffffff, 1ll << 32, INT64_MIN, INT64_MAX};

// The selected values: both halves differ, so a move of the wrong width shows.
struct Selected {
  ValType type;
  uint64_t if_true, if_false;
};
constexpr Selected kSelected[] = {
    {I32, 0x89abcdef, 0x12345678},
    {I64, 0xdead'beef'0000'0001, 0x0000'0001'ffff'fffe},
    {F32, 0x3fc00000, 0x80000000},                        // 1.5f, -0.0f
    {F64, 0x4009'21fb'5444'2d18, 0xc004'0000'0000'0000},  // pi, -2.5
};

Value typed(ValType t, uint64_t bits) {
  switch (t) {
    case I32: return Value::i32(u32(bits));
    case I64: return Value::i64(bits);
    case F32: return Value::f32_bits(u32(bits));
    default: return Value::f64_bits(bits);
  }
}
uint64_t width_mask(ValType t) { return t == I32 || t == F32 ? 0xffffffffu : ~0ull; }

class SelectCompareTest : public ::testing::TestWithParam<std::string> {
 protected:
  Instance* instantiate(const ModuleBuilder& m) { return tier_.instantiate(m, GetParam()); }
  // Export `name`'s one result, as raw bits of its type's width.
  uint64_t call(Instance* inst, const std::string& name, const std::vector<Value>& args) {
    const Value v = tier_.call(inst, name, args);
    return v.bits & width_mask(v.type);
  }

  TierInstance tier_;
};

// Pushes the comparison of local `a` with local `b` (eqz: of `a` alone).
Code& compare_locals(Code& c, const Comparison& cmp, uint32_t a, uint32_t b) {
  c.local_get(a);
  if (!is_eqz(cmp.op)) c.local_get(b);
  return c.op(cmp.op);
}

// Functions, each (a, b: the comparison's type; x, y: the selected type):
//   regs:      select(x, y, a CMP b)
//   shared:    select(a, b, a CMP b) and select(b, a, a CMP b), when the types
//              agree: the values share the comparison's (local) registers
//   const<i>:  select(x, y, a CMP constant i)
TEST_P(SelectCompareTest, EveryComparisonEveryType) {
  for (const Comparison& cmp : kComparisons) {
    for (const Selected& sel : kSelected) {
      SCOPED_TRACE(std::string(op_info(cmp.op).name) + " selecting " + val_type_name(sel.type));
      const bool is64 = cmp.type == I64;
      const std::vector<int64_t>& constants = is64 ? kI64Constants : kI32Constants;
      ModuleBuilder m;
      const uint32_t t = m.add_type({cmp.type, cmp.type, sel.type, sel.type}, {sel.type});
      Code regs;
      regs.local_get(2).local_get(3);
      compare_locals(regs, cmp, 0, 1).select();
      m.export_func("regs", m.add_func(t, {}, regs));
      const bool shared = cmp.type == sel.type;
      if (shared) {
        Code lhs, rhs;
        lhs.local_get(0).local_get(1);
        compare_locals(lhs, cmp, 0, 1).select();
        rhs.local_get(1).local_get(0);
        compare_locals(rhs, cmp, 0, 1).select();
        m.export_func("shared_lhs", m.add_func(t, {}, lhs));
        m.export_func("shared_rhs", m.add_func(t, {}, rhs));
      }
      if (!is_eqz(cmp.op)) {
        for (size_t i = 0; i < constants.size(); ++i) {
          Code c;
          c.local_get(2).local_get(3).local_get(0);
          if (is64) {
            c.i64_const(constants[i]);
          } else {
            c.i32_const(static_cast<int32_t>(constants[i]));
          }
          m.export_func("const" + std::to_string(i), m.add_func(t, {}, c.op(cmp.op).select()));
        }
      }
      Instance* inst = instantiate(m);
      ASSERT_NE(inst, nullptr);

      const uint64_t mask = width_mask(cmp.type);
      const std::vector<uint64_t>& operands = is64 ? kI64Operands : kI32Operands;
      const Value x = typed(sel.type, sel.if_true), y = typed(sel.type, sel.if_false);
      for (uint64_t a : operands) {
        for (uint64_t b : operands) {
          const bool holds = cmp.holds(a, b);
          const std::vector<Value> args = {typed(cmp.type, a), typed(cmp.type, b), x, y};
          EXPECT_EQ(call(inst, "regs", args), holds ? sel.if_true : sel.if_false)
              << std::hex << "a " << a << " b " << b;
          if (!shared) continue;
          EXPECT_EQ(call(inst, "shared_lhs", args), holds ? a : b)
              << std::hex << "a " << a << " b " << b;
          EXPECT_EQ(call(inst, "shared_rhs", args), holds ? b : a)
              << std::hex << "a " << a << " b " << b;
        }
        if (is_eqz(cmp.op)) continue;
        for (size_t i = 0; i < constants.size(); ++i) {
          const uint64_t k = static_cast<uint64_t>(constants[i]) & mask;
          // Around the constant too, where eq and the orderings change.
          for (uint64_t v : {a, (k - 1) & mask, k, (k + 1) & mask}) {
            const std::vector<Value> args = {typed(cmp.type, v), typed(cmp.type, 0), x, y};
            EXPECT_EQ(call(inst, "const" + std::to_string(i), args),
                      cmp.holds(v, k) ? sel.if_true : sel.if_false)
                << std::hex << "a " << v << " constant " << k;
          }
        }
      }
    }
  }
}

// Running extremes in a loop, locals cached in registers under pressure
// (more live locals than x86-64 keeps for a loop): the selected values and
// the comparisons' operands are the same locals, results are renamed back
// into them, and an i32 comparison (of a wrapped value, against an
// immediate) selects i64 values.
TEST_P(SelectCompareTest, RunningExtremesInALoop) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I64});
  // locals: 0 n, 1 v, 2 min_s, 3 max_u, 4 abs_sum, 5 low_count, 6 clamp
  constexpr int64_t kMul = 6364136223846793005, kAdd = 1442695040888963407;
  Code c;
  c.i64_const(0x1234'5678'9abc'def0).local_set(1);
  c.i64_const(INT64_MAX).local_set(2);
  c.i64_const(0).local_set(3);
  c.loop();
  c.local_get(1).i64_const(kMul).op(Opcode::I64Mul).i64_const(kAdd).op(Opcode::I64Add);
  c.local_set(1);
  c.local_get(1).local_get(2).local_get(1).local_get(2).op(Opcode::I64LtS).select().local_set(2);
  c.local_get(3).local_get(1).local_get(3).local_get(1).op(Opcode::I64GeU).select().local_set(3);
  // abs_sum += v >= 0 ? v : -v
  c.local_get(4).local_get(1).i64_const(0).local_get(1).op(Opcode::I64Sub);
  c.local_get(1).i64_const(0).op(Opcode::I64GeS).select().op(Opcode::I64Add).local_set(4);
  // low_count += u32(v) < 0x40000000 ? 1 : 0 (i64 values, i32 comparison)
  c.local_get(5).i64_const(1).i64_const(0);
  c.local_get(1).op(Opcode::I32WrapI64).i32_const(0x40000000).op(Opcode::I32LtU).select();
  c.op(Opcode::I64Add).local_set(5);
  // clamp ^= min(max(v >> 40, -1000), 1000), signed
  c.local_get(6);
  c.local_get(1).i64_const(40).op(Opcode::I64ShrS).local_tee(7);
  c.i64_const(-1000).local_get(7).i64_const(-1000).op(Opcode::I64GtS).select().local_tee(7);
  c.i64_const(1000).local_get(7).i64_const(1000).op(Opcode::I64LtS).select();
  c.op(Opcode::I64Xor).local_set(6);
  c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0);
  c.end();
  c.local_get(2).local_get(3).i64_const(3).op(Opcode::I64Mul).op(Opcode::I64Xor);
  c.local_get(4).i64_const(5).op(Opcode::I64Mul).op(Opcode::I64Xor);
  c.local_get(5).i64_const(7).op(Opcode::I64Mul).op(Opcode::I64Xor);
  c.local_get(6).i64_const(11).op(Opcode::I64Mul).op(Opcode::I64Xor);
  m.export_func("f", m.add_func(t, {I64, I64, I64, I64, I64, I64, I64}, c));
  Instance* inst = instantiate(m);
  ASSERT_NE(inst, nullptr);

  for (uint32_t n : {1u, 2u, 100u, 1000u}) {
    uint64_t v = 0x1234'5678'9abc'def0, max_u = 0, abs_sum = 0, low_count = 0, clamp = 0;
    int64_t min_s = INT64_MAX;
    for (uint32_t i = 0; i < n; ++i) {
      v = v * static_cast<uint64_t>(kMul) + static_cast<uint64_t>(kAdd);
      min_s = s64(v) < min_s ? s64(v) : min_s;
      max_u = max_u >= v ? max_u : v;
      abs_sum += s64(v) >= 0 ? v : 0 - v;
      low_count += u32(v) < 0x40000000u ? 1 : 0;
      int64_t h = s64(v) >> 40;
      h = h > -1000 ? h : -1000;
      h = h < 1000 ? h : 1000;
      clamp ^= static_cast<uint64_t>(h);
    }
    const uint64_t want =
        static_cast<uint64_t>(min_s) ^ max_u * 3 ^ abs_sum * 5 ^ low_count * 7 ^ clamp * 11;
    EXPECT_EQ(call(inst, "f", {Value::i32(n)}), want) << "n " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, SelectCompareTest,
                         ::testing::Values("interp", "jit", "jit-explicit-bounds", "auto"),
                         tier_test_name);

}  // namespace
}  // namespace wvm
