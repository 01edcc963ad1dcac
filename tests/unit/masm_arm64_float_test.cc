// The AArch64 backend's float operators (codegen-arm64/masm_arm64_float.cc)
// against module/numeric.h, bit for bit: every float operator of the opcode
// table, compiled by tier 1 (a function it cannot compile is an error), on
// the values where float semantics have edges -- signed zeros, subnormals,
// infinities, NaNs with payloads (quiet and signalling, both signs), ties for
// nearest and for int->float rounding, and the neighbours of every
// float->int bound. Builds only for AArch64 with tier 1 (see CMakeLists.txt),
// though nothing in it is specific to the target.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "module/numeric.h"
#include "module/opcodes.h"
#include "tests/unit/builder.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

using T_I32 = uint32_t;
using T_I64 = uint64_t;
using T_F32 = float;
using T_F64 = double;

template <class T>
T from_bits(uint64_t b) {
  if constexpr (sizeof(T) == 4) {
    return std::bit_cast<T>(static_cast<uint32_t>(b));
  } else {
    return std::bit_cast<T>(b);
  }
}
template <class T>
uint64_t to_bits(T v) {
  if constexpr (sizeof(T) == 4) {
    return std::bit_cast<uint32_t>(v);
  } else {
    return std::bit_cast<uint64_t>(v);
  }
}

struct Expected {
  TrapKind trap = TrapKind::None;
  uint64_t bits = 0;
};

template <class In, class Out, int Flags, class Fn>
Expected expect_unary(Fn fn, uint64_t a) {
  if constexpr ((Flags & kTraps) != 0) {
    Out out{};
    const TrapKind t = fn(from_bits<In>(a), &out);
    return {t, t == TrapKind::None ? to_bits(out) : 0};
  } else {
    return {TrapKind::None, to_bits<Out>(fn(from_bits<In>(a)))};
  }
}
template <class In, class Out, int Flags, class Fn>
Expected expect_binary(Fn fn, uint64_t a, uint64_t b) {
  if constexpr ((Flags & kTraps) != 0) {
    Out out{};
    const TrapKind t = fn(from_bits<In>(a), from_bits<In>(b), &out);
    return {t, t == TrapKind::None ? to_bits(out) : 0};
  } else {
    return {TrapKind::None, to_bits<Out>(fn(from_bits<In>(a), from_bits<In>(b)))};
  }
}

// numeric.h's function for `op`, applied to raw operand bits.
Expected reference(Opcode op, uint64_t a, uint64_t b) {
  switch (op) {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_STORE(...)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                           \
    return expect_unary<T_##in, T_##out, flags>([](auto... x) { return ops::impl(x...); }, a);
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                            \
    return expect_binary<T_##in, T_##out, flags>([](auto... x) { return ops::impl(x...); }, a, b);
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
    default:
      return {TrapKind::HostError, 0};
  }
}

bool is_float(ValType t) { return t == ValType::F32 || t == ValType::F64; }

bool is_float_operator(Opcode op) {
  const OpInfo& info = op_info(op);
  return (info.shape == OpShape::Unary || info.shape == OpShape::Binary) &&
         (is_float(info.in) || is_float(info.out));
}

template <class F>
void add_with_neighbours(std::vector<uint64_t>& out, F f) {
  for (F x : {f, -f}) {
    out.push_back(to_bits(x));
    out.push_back(to_bits(std::nextafter(x, F(INFINITY))));
    out.push_back(to_bits(std::nextafter(x, -F(INFINITY))));
  }
}

// The operand values for one type.
std::vector<uint64_t> operands(ValType t) {
  std::vector<uint64_t> v;
  std::mt19937_64 rng(static_cast<uint64_t>(t) + 1);
  switch (t) {
    case ValType::F32:
      for (float f : {0.0f, 1.0f, 0.5f, 1.5f, 2.5f, 1e-45f, 0x1p-126f, 0x1.fffffep127f,
                      HUGE_VALF, 0x1p23f, 0x1p31f, 0x1p32f, 0x1p63f, 0x1p64f, 123.456f}) {
        add_with_neighbours(v, f);
      }
      for (uint32_t nan : {0x7fc00000u, 0xffc00000u, 0x7fc12345u, 0xffc54321u, 0x7f800001u,
                           0xff812345u, 0x7fa00000u, 0xffffffffu}) {
        v.push_back(nan);
      }
      for (int i = 0; i < 8; ++i) v.push_back(static_cast<uint32_t>(rng()));
      break;
    case ValType::F64:
      for (double f : {0.0, 1.0, 0.5, 1.5, 2.5, 4.9e-324, 0x1p-1022, 0x1.fffffffffffffp1023,
                       HUGE_VAL, 0x1p52, 0x1p31, 0x1p32, 0x1p63, 0x1p64, -0x1.00000002p31,
                       0x1.fffffep127, 0x1.fffffefffffffp127, 0x1p-150, 0x1.8p-150, 0.1}) {
        add_with_neighbours(v, f);
      }
      for (uint64_t nan : {0x7ff8000000000000u, 0xfff8000000000000u, 0x7ff8123456789abcu,
                           0x7ff0000000000001u, 0xfff0000012345678u, 0x7ff00000e0000000u,
                           0x7ff000001fffffffu, 0xffffffffffffffffu}) {
        v.push_back(nan);
      }
      for (int i = 0; i < 8; ++i) v.push_back(rng());
      break;
    case ValType::I32:
      for (uint32_t x : {0u, 1u, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x01000001u, 0x01000003u,
                         0x7fffffc0u, 0xffffff80u, 0x80000080u, 0x80000001u, 16777217u}) {
        v.push_back(x);
      }
      for (int i = 0; i < 16; ++i) v.push_back(static_cast<uint32_t>(rng()));
      break;
    default:
      // Ties and sticky bits of the 53- and 24-bit roundings, near 2^63 too.
      for (uint64_t x :
           {0ull, 1ull, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x0020000000000001ull,
            0x0020000000000003ull, 0x8000000000000400ull, 0x8000000000000401ull,
            0x8000000000000c00ull, 0xfffffffffffffc00ull, 0x7ffffe0000000000ull,
            0x7fffff8000000001ull, 0xffffff8000000000ull, 0xffffff7fffffffffull,
            0x8000008000000001ull}) {
        v.push_back(x);
      }
      for (int i = 0; i < 16; ++i) v.push_back(rng() >> (rng() % 64));
      break;
  }
  return v;
}

std::string hex(uint64_t bits) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(bits));
  return buf;
}

class A64FloatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config;
    config.tiers.policy = TierPolicy::Jit;
    config.tiers.unsupported_is_fatal = true;  // every operator must compile
    engine_ = std::make_unique<Engine>(config);
    store_ = std::make_unique<Store>(*engine_);

    // One export per operator, "<text>", plus "<text>/same" = op(x, x) for
    // binary ones (the same register on both sides).
    ModuleBuilder m;
    for (size_t i = 0; i < kNumOpcodes; ++i) {
      const Opcode op = static_cast<Opcode>(i);
      if (!is_float_operator(op)) continue;
      const OpInfo& info = op_info(op);
      const bool binary = info.shape == OpShape::Binary;
      const auto t = m.add_type(std::vector<ValType>(binary ? 2 : 1, info.in), {info.out});
      Code c;
      c.local_get(0);
      if (binary) c.local_get(1);
      c.op(op);
      m.export_func(info.name, m.add_func(t, {}, c));
      if (binary) {
        Code same;
        same.local_get(0).local_get(0).op(op);
        const auto t1 = m.add_type({info.in}, {info.out});
        m.export_func(std::string(info.name) + "/same", m.add_func(t1, {}, same));
      }
    }
    const Bytes bytes = m.build();
    auto mod = wvm::compile(*engine_, bytes.data(), bytes.size());
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    auto inst = store_->instantiate(mod.value(), {});
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    instance_ = inst.value();
  }

  // Calls export `name` and checks it against numeric.h's `op`.
  void check(const std::string& name, Opcode op, std::vector<uint64_t> args) {
    const OpInfo& info = op_info(op);
    Func* f = instance_->find_export(name).as_func();
    ASSERT_NE(f, nullptr) << name;
    std::vector<Value> values;
    for (uint64_t a : args) values.push_back(Value{info.in, a});
    const CallResult r = store_->call(f, values);
    const Expected e = reference(op, args[0], args.size() > 1 ? args[1] : args[0]);
    const std::string what =
        name + "(" + hex(args[0]) + (args.size() > 1 ? ", " + hex(args[1]) : "") + ")";
    ASSERT_EQ(r.trap, e.trap) << what;
    if (e.trap != TrapKind::None) return;
    ASSERT_EQ(r.results.size(), 1u) << what;
    EXPECT_EQ(r.results[0].type, info.out) << what;
    EXPECT_EQ(hex(r.results[0].bits), hex(e.bits)) << what;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
  Instance* instance_ = nullptr;
};

TEST_F(A64FloatTest, EveryOperatorMatchesNumeric) {
  for (size_t i = 0; i < kNumOpcodes; ++i) {
    const Opcode op = static_cast<Opcode>(i);
    if (!is_float_operator(op)) continue;
    const OpInfo& info = op_info(op);
    const std::vector<uint64_t> values = operands(info.in);
    for (uint64_t a : values) {
      if (info.shape == OpShape::Unary) {
        check(info.name, op, {a});
        continue;
      }
      check(std::string(info.name) + "/same", op, {a});
      for (uint64_t b : values) check(info.name, op, {a, b});
      if (HasFatalFailure()) return;
    }
  }
}

// The NaN rules spelled out, so a failure names the rule that broke.
TEST_F(A64FloatTest, NanRules) {
  const auto run = [&](Opcode op, std::vector<Value> args) {
    Func* f = instance_->find_export(op_info(op).name).as_func();
    const CallResult r = store_->call(f, args);
    EXPECT_TRUE(r.ok()) << op_info(op).name;
    return r.results.empty() ? uint64_t{0} : r.results[0].bits;
  };
  const Value snan32 = Value::f32_bits(0xff812345u);  // negative, signalling, payload
  const Value snan64 = Value::f64_bits(0xfff0000012345678u);
  // Arithmetic: always the positive canonical NaN, whatever went in.
  EXPECT_EQ(run(Opcode::F32Add, {snan32, Value::f32(1.0f)}), 0x7fc00000u);
  EXPECT_EQ(run(Opcode::F32Max, {Value::f32(1.0f), snan32}), 0x7fc00000u);
  EXPECT_EQ(run(Opcode::F32Nearest, {snan32}), 0x7fc00000u);
  EXPECT_EQ(run(Opcode::F64Sqrt, {snan64}), 0x7ff8000000000000u);
  EXPECT_EQ(run(Opcode::F64Mul, {Value::f64(0.0), Value::f64(HUGE_VAL)}), 0x7ff8000000000000u);
  EXPECT_EQ(run(Opcode::F64Floor, {snan64}), 0x7ff8000000000000u);
  // Bit operators keep the payload untouched (even signalling).
  EXPECT_EQ(run(Opcode::F32Neg, {snan32}), 0x7f812345u);
  EXPECT_EQ(run(Opcode::F64Abs, {snan64}), 0x7ff0000012345678u);
  EXPECT_EQ(run(Opcode::F32Copysign, {snan32, Value::f32(1.0f)}), 0x7f812345u);
  // demote/promote quiet the NaN, keep its sign and the payload's high bits.
  EXPECT_EQ(run(Opcode::F32DemoteF64, {Value::f64_bits(0xfff0000012345678u)}), 0xffc00000u);
  EXPECT_EQ(run(Opcode::F32DemoteF64, {Value::f64_bits(0x7ff4000020000000u)}), 0x7fe00001u);
  EXPECT_EQ(run(Opcode::F64PromoteF32, {snan32}), 0xfff82468a0000000u);
}

}  // namespace
}  // namespace wvm
