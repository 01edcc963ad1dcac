// Execution tests, run on every tier (TEST_P over the tier name): arithmetic,
// every trap kind, control flow, multi-value, globals, memory, bulk memory,
// tables, host functions, start functions and call-depth accounting.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

/// The tiers every execution test runs on: tier 0 with guard-page memory and
/// with explicit bounds checks. "jit" and "jit-explicit-bounds" join when
/// tier 1 exists; make_config() must then learn their settings.
const std::vector<std::string> kTiers{"interp", "interp-explicit-bounds", "jit",
                                      "jit-explicit-bounds", "auto", "auto-background"};

Value v32(int64_t x) { return Value::i32(static_cast<uint32_t>(x)); }
Value v64(int64_t x) { return Value::i64(static_cast<uint64_t>(x)); }
Value vf32(float x) { return Value::f32(x); }
Value vf64(double x) { return Value::f64(x); }

// A constant of type t with the given bits (the low 32 for i32 and f32).
Code const_bits(ValType t, uint64_t bits) {
  switch (t) {
    case ValType::I32: return Code().i32_const(static_cast<int32_t>(bits));
    case ValType::I64: return Code().i64_const(static_cast<int64_t>(bits));
    case ValType::F32: return Code().f32_const_bits(static_cast<uint32_t>(bits));
    default: return Code().f64_const_bits(bits);
  }
}

std::string str(const Value& v) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%s:0x%llx", val_type_name(v.type),
                static_cast<unsigned long long>(v.bits));
  return buf;
}

/// Equal types and equal bits in the type's width.
bool same_value(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  if (a.type == ValType::I32 || a.type == ValType::F32) return a.as_i32() == b.as_i32();
  return a.bits == b.bits;
}

class ExecTest : public ::testing::TestWithParam<std::string> {
 protected:
  /// Settings a test may change before its first instantiate().
  Config config;

  void SetUp() override {
  }

  /// The configuration for the tier under test.
  Config make_config() const {
    Config c = config;
    apply_tier(c, GetParam());
    return c;
  }

  Engine& engine() {
    if (!engine_) engine_ = std::make_unique<Engine>(make_config());
    return *engine_;
  }
  Store& store() {
    if (!store_) store_ = std::make_unique<Store>(engine());
    return *store_;
  }

  Result<std::shared_ptr<const Module>> compile(const ModuleBuilder& m) {
    const Bytes b = m.build();
    return wvm::compile(engine(), b.data(), b.size());
  }

  /// Compiles and instantiates; records a failure and returns nullptr on error.
  /// Later call()s go to the last instance made.
  Instance* instantiate(const ModuleBuilder& m, const std::vector<Extern>& imports = {}) {
    auto mod = compile(m);
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    if (!mod) return nullptr;
    auto inst = store().instantiate(mod.value(), imports);
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    if (!inst) return nullptr;
    instance_ = inst.value();
    return instance_;
  }

  CallResult call(const std::string& name, const std::vector<Value>& args = {}) {
    if (instance_ == nullptr) {
      ADD_FAILURE() << "no instance";
      return {TrapKind::HostError, {}, {}, 0, {}};
    }
    Func* f = instance_->find_export(name).as_func();
    if (f == nullptr) {
      ADD_FAILURE() << "no exported function " << name;
      return {TrapKind::HostError, {}, {}, 0, {}};
    }
    return store().call(f, args);
  }

  /// Calls a function that must return exactly one value.
  Value run(const std::string& name, const std::vector<Value>& args = {}) {
    CallResult r = call(name, args);
    EXPECT_TRUE(r.ok()) << name << " trapped: " << trap_message(r.trap);
    EXPECT_EQ(r.results.size(), 1u) << name;
    return r.results.empty() ? Value{} : r.results[0];
  }
  uint32_t run_i32(const std::string& name, const std::vector<Value>& args = {}) {
    return run(name, args).as_i32();
  }
  uint64_t run_i64(const std::string& name, const std::vector<Value>& args = {}) {
    return run(name, args).as_i64();
  }
  /// The trap kind of a call (None if it returned).
  TrapKind trap(const std::string& name, const std::vector<Value>& args = {}) {
    return call(name, args).trap;
  }

  Global* exported_global(const std::string& name) {
    return instance_ ? instance_->find_export(name).as_global() : nullptr;
  }
  Memory* memory0() {
    return instance_ ? instance_->memory() : nullptr;
  }

  /// Builds "f" = (in[, in]) -> out applying `op`, instantiates it, calls it.
  CallResult run_op(Opcode op, const std::vector<Value>& args) {
    const OpInfo& info = op_info(op);
    ModuleBuilder m;
    std::vector<ValType> params(args.size(), info.in);
    auto t = m.add_type(params, {info.out});
    Code c;
    for (uint32_t i = 0; i < args.size(); ++i) c.local_get(i);
    c.op(op);
    m.export_func("f", m.add_func(t, {}, c));
    if (instantiate(m) == nullptr) return {TrapKind::HostError, {}, {}, 0, {}};
    return call("f", args);
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
  Instance* instance_ = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Tiers, ExecTest, ::testing::ValuesIn(kTiers),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// ---------------------------------------------------------------- arithmetic

struct OpCase {
  Opcode op;
  std::vector<Value> args;
  Value expected;
};

TEST_P(ExecTest, Arithmetic) {
  constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  const float inf32 = std::numeric_limits<float>::infinity();
  const double inf64 = std::numeric_limits<double>::infinity();
  const float nan32 = std::numeric_limits<float>::quiet_NaN();
  const std::vector<OpCase> cases = {
      {Opcode::I32Add, {v32(1), v32(2)}, v32(3)},
      {Opcode::I32Add, {v32(-1), v32(1)}, v32(0)},
      {Opcode::I32Sub, {v32(0), v32(1)}, v32(-1)},
      {Opcode::I32Mul, {v32(0x10000), v32(0x10000)}, v32(0)},
      {Opcode::I32Mul, {v32(-3), v32(7)}, v32(-21)},
      {Opcode::I32DivS, {v32(-7), v32(2)}, v32(-3)},
      {Opcode::I32DivU, {v32(-7), v32(2)}, v32(0x7ffffffc)},
      {Opcode::I32RemS, {v32(-7), v32(2)}, v32(-1)},
      {Opcode::I32RemU, {v32(7), v32(3)}, v32(1)},
      {Opcode::I32RemS, {v32(kMin32), v32(-1)}, v32(0)},
      {Opcode::I32And, {v32(0xff00), v32(0x0ff0)}, v32(0x0f00)},
      {Opcode::I32Or, {v32(0xff00), v32(0x0ff0)}, v32(0xfff0)},
      {Opcode::I32Xor, {v32(0xff00), v32(0x0ff0)}, v32(0xf0f0)},
      {Opcode::I32Shl, {v32(1), v32(33)}, v32(2)},
      {Opcode::I32ShrS, {v32(kMin32), v32(31)}, v32(-1)},
      {Opcode::I32ShrU, {v32(kMin32), v32(31)}, v32(1)},
      {Opcode::I32Rotl, {v32(0x80000001), v32(1)}, v32(3)},
      {Opcode::I32Rotr, {v32(1), v32(1)}, v32(0x80000000)},
      {Opcode::I32Clz, {v32(0)}, v32(32)},
      {Opcode::I32Clz, {v32(1)}, v32(31)},
      {Opcode::I32Ctz, {v32(0)}, v32(32)},
      {Opcode::I32Ctz, {v32(0x80)}, v32(7)},
      {Opcode::I32Popcnt, {v32(-1)}, v32(32)},
      {Opcode::I32Eqz, {v32(0)}, v32(1)},
      {Opcode::I32Eqz, {v32(5)}, v32(0)},
      {Opcode::I32LtS, {v32(-1), v32(0)}, v32(1)},
      {Opcode::I32LtU, {v32(-1), v32(0)}, v32(0)},
      {Opcode::I32GeU, {v32(-1), v32(0)}, v32(1)},
      {Opcode::I32Extend8S, {v32(0x80)}, v32(-128)},
      {Opcode::I32Extend16S, {v32(0x7fff)}, v32(0x7fff)},
      {Opcode::I64Add, {v64(-1), v64(1)}, v64(0)},
      {Opcode::I64Mul, {v64(0x100000000), v64(0x100000000)}, v64(0)},
      {Opcode::I64DivS, {v64(-9), v64(4)}, v64(-2)},
      {Opcode::I64RemS, {v64(kMin64), v64(-1)}, v64(0)},
      {Opcode::I64Shl, {v64(1), v64(65)}, v64(2)},
      {Opcode::I64ShrS, {v64(kMin64), v64(63)}, v64(-1)},
      {Opcode::I64Rotl, {v64(kMin64), v64(1)}, v64(1)},
      {Opcode::I64Clz, {v64(0)}, v64(64)},
      {Opcode::I64Popcnt, {v64(-1)}, v64(64)},
      {Opcode::I64Eqz, {v64(0)}, v32(1)},
      {Opcode::I64LtU, {v64(1), v64(-1)}, v32(1)},
      {Opcode::I64Extend32S, {v64(0x80000000)}, v64(-0x80000000LL)},
      {Opcode::I64ExtendI32S, {v32(-1)}, v64(-1)},
      {Opcode::I64ExtendI32U, {v32(-1)}, v64(0xffffffff)},
      {Opcode::I32WrapI64, {v64(0x100000005)}, v32(5)},
      {Opcode::F32Add, {vf32(1.5f), vf32(2.25f)}, vf32(3.75f)},
      {Opcode::F32Div, {vf32(1.0f), vf32(0.0f)}, vf32(inf32)},
      {Opcode::F32Min, {vf32(-0.0f), vf32(0.0f)}, vf32(-0.0f)},
      {Opcode::F32Max, {vf32(-0.0f), vf32(0.0f)}, vf32(0.0f)},
      {Opcode::F32Sqrt, {vf32(4.0f)}, vf32(2.0f)},
      {Opcode::F32Neg, {vf32(0.0f)}, vf32(-0.0f)},
      {Opcode::F32Abs, {Value::f32_bits(0xffc00001)}, Value::f32_bits(0x7fc00001)},
      {Opcode::F32Copysign, {vf32(2.0f), vf32(-0.0f)}, vf32(-2.0f)},
      {Opcode::F32Nearest, {vf32(2.5f)}, vf32(2.0f)},
      {Opcode::F32Nearest, {vf32(-0.5f)}, vf32(-0.0f)},
      {Opcode::F32Trunc, {vf32(-1.7f)}, vf32(-1.0f)},
      {Opcode::F32Ceil, {vf32(-0.5f)}, vf32(-0.0f)},
      {Opcode::F32Floor, {vf32(-0.5f)}, vf32(-1.0f)},
      {Opcode::F32Lt, {vf32(nan32), vf32(1.0f)}, v32(0)},
      {Opcode::F32Ne, {vf32(nan32), vf32(nan32)}, v32(1)},
      {Opcode::F64Add, {vf64(0.1), vf64(0.2)}, vf64(0.1 + 0.2)},
      {Opcode::F64Mul, {vf64(-inf64), vf64(2.0)}, vf64(-inf64)},
      {Opcode::F64Min, {vf64(0.0), vf64(-0.0)}, vf64(-0.0)},
      {Opcode::F64Nearest, {vf64(3.5)}, vf64(4.0)},
      {Opcode::F64Sqrt, {vf64(2.0)}, vf64(std::sqrt(2.0))},
      {Opcode::I32TruncF32S, {vf32(-1.9f)}, v32(-1)},
      {Opcode::I32TruncF64U, {vf64(-0.9)}, v32(0)},
      {Opcode::I32TruncF64S, {vf64(2147483647.9)}, v32(2147483647)},
      {Opcode::I32TruncF64S, {vf64(-2147483648.9)}, v32(kMin32)},
      {Opcode::I64TruncF64U, {vf64(1e19)}, v64(10000000000000000000ULL)},
      {Opcode::I32TruncSatF32S, {vf32(nan32)}, v32(0)},
      {Opcode::I32TruncSatF32U, {vf32(-5.0f)}, v32(0)},
      {Opcode::I32TruncSatF64S, {vf64(1e100)}, v32(0x7fffffff)},
      {Opcode::I64TruncSatF64U, {vf64(inf64)}, v64(-1)},
      {Opcode::I64TruncSatF32S, {vf32(-inf32)}, v64(kMin64)},
      {Opcode::F32ConvertI64U, {v64(-1)}, Value::f32_bits(0x5f800000)},
      {Opcode::F32ConvertI32S, {v32(16777217)}, vf32(16777216.0f)},
      {Opcode::F64ConvertI32U, {v32(-1)}, vf64(4294967295.0)},
      {Opcode::F64ConvertI64S, {v64(-1)}, vf64(-1.0)},
      {Opcode::F32DemoteF64, {vf64(1e300)}, vf32(inf32)},
      {Opcode::F64PromoteF32, {vf32(1.5f)}, vf64(1.5)},
      {Opcode::I32ReinterpretF32, {vf32(-0.0f)}, v32(0x80000000)},
      {Opcode::F64ReinterpretI64, {v64(0x3ff0000000000000)}, vf64(1.0)},
  };
  for (const OpCase& c : cases) {
    SCOPED_TRACE(op_info(c.op).name);
    CallResult r = run_op(c.op, c.args);
    ASSERT_TRUE(r.ok()) << trap_message(r.trap);
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_TRUE(same_value(r.results[0], c.expected))
        << "got " << str(r.results[0]) << ", want " << str(c.expected);
  }
}

TEST_P(ExecTest, NanResultIsNan) {
  CallResult r = run_op(Opcode::F32Add, {vf32(std::nanf("")), vf32(1.0f)});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(r.results.at(0).as_f32()));
  r = run_op(Opcode::F64Sqrt, {vf64(-1.0)});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(r.results.at(0).as_f64()));
}

// ---------------------------------------------------------------- traps

struct TrapCase {
  Opcode op;
  std::vector<Value> args;
  TrapKind trap;
};

TEST_P(ExecTest, ArithmeticTraps) {
  constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  const float nan32 = std::numeric_limits<float>::quiet_NaN();
  const double nan64 = std::numeric_limits<double>::quiet_NaN();
  const double inf64 = std::numeric_limits<double>::infinity();
  const std::vector<TrapCase> cases = {
      {Opcode::I32DivS, {v32(1), v32(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I32DivU, {v32(1), v32(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I32RemS, {v32(1), v32(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I32RemU, {v32(1), v32(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I64DivS, {v64(1), v64(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I64DivU, {v64(1), v64(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I64RemS, {v64(1), v64(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I64RemU, {v64(1), v64(0)}, TrapKind::IntegerDivideByZero},
      {Opcode::I32DivS, {v32(kMin32), v32(-1)}, TrapKind::IntegerOverflow},
      {Opcode::I64DivS, {v64(kMin64), v64(-1)}, TrapKind::IntegerOverflow},
      {Opcode::I32TruncF32S, {vf32(nan32)}, TrapKind::InvalidConversionToInteger},
      {Opcode::I32TruncF64U, {vf64(nan64)}, TrapKind::InvalidConversionToInteger},
      {Opcode::I64TruncF32U, {vf32(nan32)}, TrapKind::InvalidConversionToInteger},
      {Opcode::I64TruncF64S, {vf64(nan64)}, TrapKind::InvalidConversionToInteger},
      {Opcode::I32TruncF32S, {vf32(2147483648.0f)}, TrapKind::IntegerOverflow},
      {Opcode::I32TruncF64S, {vf64(-2147483649.0)}, TrapKind::IntegerOverflow},
      {Opcode::I32TruncF64U, {vf64(-1.0)}, TrapKind::IntegerOverflow},
      {Opcode::I32TruncF64U, {vf64(4294967296.0)}, TrapKind::IntegerOverflow},
      {Opcode::I64TruncF64S, {vf64(inf64)}, TrapKind::IntegerOverflow},
      {Opcode::I64TruncF32S, {vf32(9.3e18f)}, TrapKind::IntegerOverflow},
      {Opcode::I64TruncF64U, {vf64(-1.0)}, TrapKind::IntegerOverflow},
  };
  for (const TrapCase& c : cases) {
    SCOPED_TRACE(op_info(c.op).name);
    CallResult r = run_op(c.op, c.args);
    EXPECT_EQ(r.trap, c.trap) << "got " << trap_message(r.trap);
    EXPECT_TRUE(r.results.empty());
  }
}

TEST_P(ExecTest, UnreachableTraps) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.export_func("f", m.add_func(t, {}, Code().unreachable()));
  // Unreachable inside nested blocks, after values were pushed.
  m.export_func("g", m.add_func(t, {},
                                Code().i32_const(1).block(I32).i32_const(2).unreachable().end()
                                    .op(Opcode::I32Add)));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(trap("f"), TrapKind::Unreachable);
  EXPECT_EQ(trap("g"), TrapKind::Unreachable);
}

TEST_P(ExecTest, TrapUnwindsNestedCalls) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  // inner(x) = 10 / x; outer(x) = inner(x) + 1, through three frames.
  auto inner = m.add_func(t, {}, Code().i32_const(10).local_get(0).op(Opcode::I32DivU));
  auto mid = m.add_func(t, {}, Code().local_get(0).call(inner));
  m.export_func("outer", m.add_func(t, {},
                                    Code().local_get(0).call(mid).i32_const(1).op(Opcode::I32Add)));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("outer", {v32(2)}), 6u);
  EXPECT_EQ(trap("outer", {v32(0)}), TrapKind::IntegerDivideByZero);
  EXPECT_EQ(run_i32("outer", {v32(5)}), 3u);  // the store is fine afterwards
}

// ---------------------------------------------------------------- memory

/// The value a load of `op` reads from `bytes` (little-endian, `width` bytes).
uint64_t expected_load(Opcode op, const uint8_t* bytes) {
  const OpInfo& info = op_info(op);
  uint64_t raw = 0;
  for (unsigned i = 0; i < info.mem_bytes; ++i) raw |= uint64_t{bytes[i]} << (8 * i);
  const std::string name = info.name;
  const unsigned bits = info.mem_bytes * 8;
  if (name.size() > 2 && name.substr(name.size() - 2) == "_s" && bits < 64) {
    const uint64_t sign = uint64_t{1} << (bits - 1);
    raw = (raw ^ sign) - sign;
  }
  if (info.in == ValType::I32 || info.in == ValType::F32) raw &= 0xffffffff;
  return raw;
}

TEST_P(ExecTest, LoadsAtMemoryEdge) {
  constexpr uint32_t kSize = 65536;
  const Bytes tail{0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88};
  for (size_t i = 0; i < kNumOpcodes; ++i) {
    const Opcode op = static_cast<Opcode>(i);
    const OpInfo& info = op_info(op);
    if (info.shape != OpShape::Load) continue;
    SCOPED_TRACE(info.name);
    const uint32_t w = info.mem_bytes;
    ModuleBuilder m;
    m.add_memory(1, 1);
    m.add_data(kSize - 8, tail);
    auto t = m.add_type({I32}, {info.in});
    m.export_func("load", m.add_func(t, {}, Code().local_get(0).load(op, 0, 0)));
    m.export_func("load_off", m.add_func(t, {}, Code().local_get(0).load(op, 0, kSize - w)));
    m.export_func("load_big_off", m.add_func(t, {}, Code().local_get(0).load(op, 0, 0xffffffff)));
    ASSERT_NE(instantiate(m), nullptr);

    const uint64_t want = expected_load(op, tail.data() + 8 - w);
    CallResult r = call("load", {v32(kSize - w)});
    ASSERT_TRUE(r.ok()) << trap_message(r.trap);
    EXPECT_EQ(r.results.at(0).type, info.in);
    EXPECT_EQ(r.results.at(0).bits & (info.in == I32 || info.in == F32 ? 0xffffffff : ~0ull), want);
    EXPECT_EQ(trap("load", {v32(kSize - w + 1)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("load", {v32(kSize - 1 + (w == 1 ? 1 : 0))}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("load", {v32(kSize)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("load", {v32(-1)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("load_off", {v32(0)}), TrapKind::None);
    EXPECT_EQ(trap("load_off", {v32(1)}), TrapKind::MemoryOutOfBounds);
    // address + offset must not wrap around 2^32.
    EXPECT_EQ(trap("load_big_off", {v32(1)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("load_big_off", {v32(0)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("load", {v32(0)}), TrapKind::None);
  }
}

TEST_P(ExecTest, StoresAtMemoryEdge) {
  constexpr uint32_t kSize = 65536;
  for (size_t i = 0; i < kNumOpcodes; ++i) {
    const Opcode op = static_cast<Opcode>(i);
    const OpInfo& info = op_info(op);
    if (info.shape != OpShape::Store) continue;
    SCOPED_TRACE(info.name);
    const uint32_t w = info.mem_bytes;
    ModuleBuilder m;
    m.add_memory(1, 1);
    auto t = m.add_type({I32}, {});
    const Code value = const_bits(info.in, ~uint64_t{0});  // all-ones bits of the value type
    m.export_func("store", m.add_func(t, {}, Code().local_get(0).append(value).store(op, 0, 0)));
    m.export_func("store_off",
                  m.add_func(t, {}, Code().local_get(0).append(value).store(op, 0, kSize - w)));
    ASSERT_NE(instantiate(m), nullptr);
    Memory* mem = memory0();
    ASSERT_NE(mem, nullptr);

    EXPECT_EQ(trap("store", {v32(kSize - w)}), TrapKind::None);
    for (uint32_t b = 0; b < w; ++b) EXPECT_EQ(mem->data()[kSize - w + b], 0xff);
    EXPECT_EQ(mem->data()[kSize - w - 1], 0);
    std::memset(mem->data() + kSize - 16, 0, 16);
    // A trapping store writes nothing, not even the bytes that were in bounds.
    EXPECT_EQ(trap("store", {v32(kSize - w + 1)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("store", {v32(kSize)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("store", {v32(-1)}), TrapKind::MemoryOutOfBounds);
    EXPECT_EQ(trap("store_off", {v32(1)}), TrapKind::MemoryOutOfBounds);
    for (uint32_t b = 0; b < 16; ++b) EXPECT_EQ(mem->data()[kSize - 16 + b], 0) << b;
    EXPECT_EQ(trap("store_off", {v32(0)}), TrapKind::None);
  }
}

// An address computed as `i32.add` of a constant (tier 0 folds the add
// into the load or store) wraps in 32 bits before the offset is added, and
// the access traps past the end of memory like any other; a constant stored
// value (tier 0 carries one of up to 32 bits in the store) keeps its bits.
TEST_P(ExecTest, AddressSumsAndConstantStoredValues) {
  constexpr uint32_t kSize = 65536;
  constexpr uint32_t kAdd = 0x40, kOffset = 8;
  for (size_t i = 0; i < kNumOpcodes; ++i) {
    const Opcode op = static_cast<Opcode>(i);
    const OpInfo& info = op_info(op);
    if (info.shape != OpShape::Load && info.shape != OpShape::Store) continue;
    SCOPED_TRACE(info.name);
    const uint32_t w = info.mem_bytes;
    const Code sum = Code().local_get(0).i32_const(kAdd).op(Opcode::I32Add);
    ModuleBuilder m;
    m.add_memory(1, 1);
    if (info.shape == OpShape::Load) {
      auto t = m.add_type({I32}, {info.in});
      // The result returned, and the result set to a local first.
      m.export_func("sum", m.add_func(t, {}, Code(sum).load(op, 0, kOffset)));
      m.export_func("sum_local", m.add_func(t, {info.in}, Code(sum).load(op, 0, kOffset)
                                                              .local_set(1).local_get(1)));
      m.export_func("plain", m.add_func(t, {}, Code().local_get(0).load(op, 0, 0)));
      ASSERT_NE(instantiate(m), nullptr);
      for (uint32_t b = 0; b < kSize; ++b) memory0()->data()[b] = static_cast<uint8_t>(b * 7 + 0x85);
      for (const char* f : {"sum", "sum_local"}) {
        SCOPED_TRACE(f);
        // 0xfffffff8 + 0x40 wraps to 0x38: the access is at 0x40.
        EXPECT_EQ(run(f, {v32(0xfffffff8)}).bits, run("plain", {v32(0x40)}).bits);
        EXPECT_EQ(run(f, {v32(kSize - kAdd - kOffset - w)}).bits,
                  run("plain", {v32(kSize - w)}).bits);
        EXPECT_EQ(trap(f, {v32(kSize - kAdd - kOffset - w + 1)}), TrapKind::MemoryOutOfBounds);
        EXPECT_EQ(trap(f, {v32(0xffffffc0)}), TrapKind::None);  // the sum wraps to 0
        EXPECT_EQ(trap(f, {v32(0xffffffb0)}), TrapKind::MemoryOutOfBounds);
      }
      continue;
    }
    // Stores: constants that fit in 32 bits and, for 64-bit values, one
    // that does not; the value from a parameter too.
    std::vector<uint64_t> values{0x89abcdefu};
    if (info.in == ValType::I64 || info.in == ValType::F64) values.push_back(0x0123456789abcdefu);
    auto constant = [&](uint64_t bits) { return const_bits(info.in, bits); };
    auto t = m.add_type({I32}, {});
    for (size_t v = 0; v < values.size(); ++v) {
      const std::string n = std::to_string(v);
      m.export_func("sum_const" + n,
                    m.add_func(t, {}, Code(sum).append(constant(values[v])).store(op, 0, kOffset)));
      m.export_func("const" + n, m.add_func(t, {}, Code().local_get(0).append(constant(values[v]))
                                                       .store(op, 0, kOffset + kAdd)));
      // The address in the accumulator (an xor with 0), the value a constant.
      m.export_func("acc_const" + n,
                    m.add_func(t, {}, Code().local_get(0).i32_const(0).op(Opcode::I32Xor)
                                          .append(constant(values[v])).store(op, 0, kOffset + kAdd)));
    }
    m.export_func("sum_param", m.add_func(m.add_type({I32, info.in}, {}),
                                          {}, Code(sum).local_get(1).store(op, 0, kOffset)));
    ASSERT_NE(instantiate(m), nullptr);
    uint8_t* mem = memory0()->data();
    // Runs `f` for the access at `ea` (the function adds kAdd + kOffset to
    // `base`) and checks the bytes written.
    auto expect_store = [&](const std::string& f, std::vector<Value> args, uint32_t ea,
                            uint64_t bits) {
      SCOPED_TRACE(f);
      std::memset(mem + ea - 8, 0, std::min(w + 16, kSize - (ea - 8)));
      ASSERT_EQ(trap(f, args), TrapKind::None);
      for (uint32_t b = 0; b < w; ++b) EXPECT_EQ(mem[ea + b], static_cast<uint8_t>(bits >> (8 * b)));
      EXPECT_EQ(mem[ea - 1], 0);
      if (ea + w < kSize) EXPECT_EQ(mem[ea + w], 0);
    };
    for (size_t v = 0; v < values.size(); ++v) {
      const std::string n = std::to_string(v);
      for (const std::string f : {"sum_const" + n, "const" + n, "acc_const" + n}) {
        const bool wraps = f.rfind("sum", 0) == 0;
        // 0xfffffff8 + 0x40 wraps to 0x38 in a sum, the offsets then add 8.
        expect_store(f, {v32(wraps ? 0xfffffff8 : 0)}, wraps ? 0x40 : kAdd + kOffset, values[v]);
        expect_store(f, {v32(kSize - kAdd - kOffset - w)}, kSize - w, values[v]);
        EXPECT_EQ(trap(f, {v32(kSize - kAdd - kOffset - w + 1)}), TrapKind::MemoryOutOfBounds) << f;
      }
    }
    const Value param = info.in == ValType::I32   ? v32(0x12345678)
                        : info.in == ValType::F32 ? Value::f32_bits(0x12345678)
                        : info.in == ValType::F64 ? Value::f64_bits(0x1122334455667788u)
                                                  : v64(0x1122334455667788);
    expect_store("sum_param", {v32(0xfffffff8), param}, 0x40, param.bits);
    EXPECT_EQ(trap("sum_param", {v32(0xffffffb0), param}), TrapKind::MemoryOutOfBounds);
  }
}

// Rotate-and-xor as the hash functions write it (tier 0 fuses the rotate
// or the xor that feeds the other): x ^ rotl(a, c) either way round, and
// rotl(a ^ b, c), with the result returned or set to a local, counts past
// the width too, in both widths.
TEST_P(ExecTest, RotateXorChains) {
  for (const bool i64 : {false, true}) {
    SCOPED_TRACE(i64 ? "i64" : "i32");
    const ValType t = i64 ? I64 : I32;
    const Opcode rotl = i64 ? Opcode::I64Rotl : Opcode::I32Rotl;
    const Opcode xor_ = i64 ? Opcode::I64Xor : Opcode::I32Xor;
    auto count = [&](int c) { return i64 ? Code().i64_const(c) : Code().i32_const(c); };
    ModuleBuilder m;
    auto type = m.add_type({t, t}, {t});
    // x ^ rotl(a, 7) ^ rotl(a, 45): the second rotate's xor takes it on
    // the right, the first one's on the left.
    m.export_func("xr", m.add_func(type, {}, Code().local_get(0).local_get(1).append(count(7))
                                                 .op(rotl).op(xor_).local_get(1).append(count(45))
                                                 .op(rotl).op(xor_)));
    m.export_func("rx", m.add_func(type, {t}, Code().local_get(0).local_get(1).op(xor_)
                                                  .append(count(13)).op(rotl).local_set(2)
                                                  .local_get(2).local_get(1).op(Opcode::Nop)
                                                  .op(xor_)));
    ASSERT_NE(instantiate(m), nullptr);
    const uint64_t x = 0x0123456789abcdefu, a = 0xfedcba9876543210u;
    auto rot = [&](uint64_t v, unsigned c) {
      if (i64) return c % 64 == 0 ? v : (v << (c % 64)) | (v >> (64 - c % 64));
      const uint32_t u = static_cast<uint32_t>(v);
      return uint64_t{c % 32 == 0 ? u : (u << (c % 32)) | (u >> (32 - c % 32))};
    };
    const uint64_t mask = i64 ? ~uint64_t{0} : 0xffffffffu;
    const Value vx = i64 ? v64(x) : v32(x & mask), va = i64 ? v64(a) : v32(a & mask);
    EXPECT_EQ(run("xr", {vx, va}).bits, (x ^ rot(a, 7) ^ rot(a, 45)) & mask);
    EXPECT_EQ(run("rx", {vx, va}).bits, (rot(x ^ a, 13) ^ a) & mask);
  }
}

// The operator pairs tier 0 fuses (tier0-interp/fused.def), each with its
// result returned and set to a local, against the same arithmetic here.
TEST_P(ExecTest, FusedOperatorPairs) {
  const uint32_t a32 = 0x9e3779b9u, b32 = 0x7f4a7c15u, c32 = 0x2545f491u;
  const uint64_t a64 = 0x9e3779b97f4a7c15u, b64 = 0xbf58476d1ce4e5b9u, c64 = 0x94d049bb133111ebu;
  struct Case {
    const char* name;
    ValType t;
    Code body;  // over parameters 0, 1, 2
    uint64_t expected;
  };
  const Case cases[] = {
      {"shr_u_and", I32,
       Code().local_get(0).i32_const(7).op(Opcode::I32ShrU).i32_const(0x7fff).op(Opcode::I32And),
       (a32 >> 7) & 0x7fff},
      {"and_shr_u_reversed", I32,  // the constant first: i32.and takes it on the left
       Code().i32_const(0x7fff).local_get(0).i32_const(7).op(Opcode::I32ShrU).op(Opcode::I32And),
       (a32 >> 7) & 0x7fff},
      {"shr_u_xor", I32,
       Code().local_get(1).local_get(0).i32_const(3).op(Opcode::I32ShrU).op(Opcode::I32Xor),
       b32 ^ (a32 >> 3)},
      {"and_xor", I32,
       Code().local_get(2).local_get(0).local_get(1).op(Opcode::I32And).op(Opcode::I32Xor),
       c32 ^ (a32 & b32)},
      {"and_xor_left", I32,
       Code().local_get(0).local_get(1).op(Opcode::I32And).local_get(2).op(Opcode::I32Xor),
       c32 ^ (a32 & b32)},
      {"mul_add", I64,
       Code().local_get(2).local_get(0).local_get(1).op(Opcode::I64Mul).op(Opcode::I64Add),
       c64 + a64 * b64},
      {"and_add", I64,
       Code().local_get(1).local_get(0).i64_const(0xffffffff).op(Opcode::I64And).op(Opcode::I64Add),
       b64 + (a64 & 0xffffffffu)},
      {"shr_u_add", I64,
       Code().local_get(1).local_get(0).i64_const(32).op(Opcode::I64ShrU).op(Opcode::I64Add),
       b64 + (a64 >> 32)},
  };
  ModuleBuilder m;
  for (const Case& c : cases) {
    auto t = m.add_type({c.t, c.t, c.t}, {c.t});
    m.export_func(c.name, m.add_func(t, {}, c.body));
    m.export_func(std::string(c.name) + "_local",
                  m.add_func(t, {c.t}, Code(c.body).local_set(3).local_get(3)));
  }
  ASSERT_NE(instantiate(m), nullptr);
  for (const Case& c : cases) {
    const std::vector<Value> args = c.t == I32 ? std::vector<Value>{v32(a32), v32(b32), v32(c32)}
                                               : std::vector<Value>{v64(a64), v64(b64), v64(c64)};
    const uint64_t mask = c.t == I32 ? 0xffffffffu : ~uint64_t{0};
    EXPECT_EQ(run(c.name, args).bits, c.expected & mask) << c.name;
    EXPECT_EQ(run(std::string(c.name) + "_local", args).bits, c.expected & mask) << c.name;
  }
}

// Counted loops: i = i + step, then a compare of i against a limit
// branches back (tier 0 fuses the add into the back-edge compare-and-branch
// of every i32 compare), with the step and the limit constants or locals.
TEST_P(ExecTest, CountedLoopsWithEveryCompare) {
  struct Case {
    Opcode cmp;
    int32_t start, step, limit;
    uint32_t iterations;
  };
  const Case cases[] = {
      {Opcode::I32Eq, 0, 1, 1, 2},     {Opcode::I32Ne, 0, 1, 9, 9},
      {Opcode::I32LtS, -5, 1, 4, 9},   {Opcode::I32LtU, 0, 1, 9, 9},
      {Opcode::I32GtS, 4, -1, -5, 9},  {Opcode::I32GtU, 9, -1, 0, 9},
      {Opcode::I32LeS, -5, 1, 3, 9},   {Opcode::I32LeU, 0, 1, 8, 9},
      {Opcode::I32GeS, 3, -1, -5, 9},  {Opcode::I32GeU, 9, -1, 1, 9},
  };
  ModuleBuilder m;
  auto t = m.add_type({I32, I32}, {I32});  // (step, limit) -> iterations
  for (const Case& c : cases) {
    for (int form = 0; form < 4; ++form) {
      const bool step_const = form & 1, limit_const = form & 2;
      Code body;
      body.i32_const(c.start).local_set(2).loop();
      body.local_get(3).i32_const(1).op(Opcode::I32Add).local_set(3);  // iterations
      body.local_get(2);
      if (step_const) {
        body.i32_const(c.step);
      } else {
        body.local_get(0);
      }
      body.op(Opcode::I32Add).local_tee(2);
      if (limit_const) {
        body.i32_const(c.limit);
      } else {
        body.local_get(1);
      }
      body.op(c.cmp).br_if(0).end().local_get(3);
      m.export_func(std::string(op_info(c.cmp).name) + "/" + std::to_string(form),
                    m.add_func(t, {I32, I32}, body));
    }
  }
  ASSERT_NE(instantiate(m), nullptr);
  for (const Case& c : cases) {
    for (int form = 0; form < 4; ++form) {
      const std::string name = std::string(op_info(c.cmp).name) + "/" + std::to_string(form);
      EXPECT_EQ(run_i32(name, {v32(c.step), v32(c.limit)}), c.iterations) << name;
    }
  }
}

// A select on a bit test, `x & c ? a : b` (tier 0 runs the and and the
// select as one instruction when they are adjacent): with the operands in
// locals, and with a constant operand whose copy to its slot comes between
// them, the result returned or set to a local.
TEST_P(ExecTest, SelectOnABitTest) {
  ModuleBuilder m;
  auto t = m.add_type({I32, I32, I32}, {I32});  // (x, a, b)
  const Code test = Code().local_get(0).i32_const(4).op(Opcode::I32And);
  m.export_func("locals", m.add_func(t, {}, Code().local_get(1).local_get(2).append(test).select()));
  m.export_func("to_local", m.add_func(t, {I32}, Code().local_get(1).local_get(2).append(test)
                                                     .select().local_set(3).local_get(3)));
  m.export_func("constant", m.add_func(t, {}, Code().local_get(1).i32_const(77).append(test).select()));
  ASSERT_NE(instantiate(m), nullptr);
  for (const char* f : {"locals", "to_local"}) {
    EXPECT_EQ(run_i32(f, {v32(0xfff4), v32(10), v32(20)}), 10u) << f;
    EXPECT_EQ(run_i32(f, {v32(0xfffb), v32(10), v32(20)}), 20u) << f;
  }
  EXPECT_EQ(run_i32("constant", {v32(4), v32(10), v32(20)}), 10u);
  EXPECT_EQ(run_i32("constant", {v32(3), v32(10), v32(20)}), 77u);
}

// A CRC step, x & 1 ? (y >> 1) ^ k : y >> 1, eight times over a byte, as
// CoreMark's crcu8 writes it (tier 0 runs the xor, the and and the select
// as one instruction); and the xor's result set to a local that is also the
// select's other operand.
TEST_P(ExecTest, CrcStepsSelectOnABitTest) {
  Code c;
  for (int bit = 0; bit < 8; ++bit) {
    c.local_get(0).local_get(1).op(Opcode::I32Xor).local_set(3)   // the bit to test
        .local_get(1).i32_const(1).op(Opcode::I32ShrU).local_tee(2)  // y >> 1
        .i32_const(0xa001).op(Opcode::I32Xor)
        .local_get(2)
        .local_get(3).i32_const(1).op(Opcode::I32And)
        .select().local_set(1)
        .local_get(0).i32_const(1).op(Opcode::I32ShrU).local_set(0);
  }
  c.local_get(1);
  ModuleBuilder m;
  auto t = m.add_type({I32, I32}, {I32});  // (data byte, crc)
  m.export_func("crc", m.add_func(t, {I32, I32}, c));
  // (x ^ 5) set to local 2, then select(local 2, local 2 ^ 1, p & 1): both
  // operands read the xor's result.
  m.export_func("same", m.add_func(t, {I32}, Code().local_get(0).i32_const(5).op(Opcode::I32Xor)
                                                   .local_tee(2).local_get(2).i32_const(1)
                                                   .op(Opcode::I32Xor).local_get(1).i32_const(1)
                                                   .op(Opcode::I32And).select()));
  ASSERT_NE(instantiate(m), nullptr);
  auto crc16 = [](uint32_t data, uint32_t crc) {
    for (int bit = 0; bit < 8; ++bit) {
      const uint32_t y = crc >> 1;
      crc = ((data ^ crc) & 1) ? y ^ 0xa001 : y;
      data >>= 1;
    }
    return crc;
  };
  for (uint32_t data : {0x00u, 0x5au, 0xffu})
    for (uint32_t crc : {0x0000u, 0x1234u, 0xffffu})
      EXPECT_EQ(run_i32("crc", {v32(data), v32(crc)}), crc16(data, crc)) << data << " " << crc;
  EXPECT_EQ(run_i32("same", {v32(8), v32(1)}), 8u ^ 5u);
  EXPECT_EQ(run_i32("same", {v32(8), v32(0)}), 8u ^ 5u ^ 1u);
}

// The shape clang gives a CRC-16 step on a uint16_t (t = crc >> 1 & 0x7fff;
// crc = crc & 1 ? t ^ 0xa001 : t), which tier 0 runs as one instruction,
// and near misses of it that must still run in order: the bit tested on
// the shifted value, the result stored over the shifted value, a shift
// count past 31, the select's second operand another local.
TEST_P(ExecTest, CrcStepsAsOneInstruction) {
  enum Shape { kStep, kTestShifted, kIntoShifted, kWideShift, kOtherElse };
  auto step = [](Code& c, Shape shape) {
    c.local_get(1).i32_const(shape == kWideShift ? 33 : 1).op(Opcode::I32ShrU)
        .i32_const(0x7fff).op(Opcode::I32And).local_tee(2)
        .i32_const(static_cast<int32_t>(0xffffa001u)).op(Opcode::I32Xor)
        .local_get(shape == kOtherElse ? 0 : 2)
        .local_get(shape == kTestShifted ? 2 : 1).i32_const(1).op(Opcode::I32And)
        .select();
    if (shape == kIntoShifted) {
      c.local_tee(2).local_set(1);
    } else {
      c.local_set(1);
    }
  };
  auto model = [](Shape shape, uint32_t other, uint32_t crc) {
    for (int i = 0; i < 8; ++i) {
      const uint32_t t = crc >> 1 & 0x7fff;  // a count of 33 is 1
      const uint32_t tested = shape == kTestShifted ? t : crc;
      crc = (tested & 1) ? t ^ 0xffffa001u : (shape == kOtherElse ? other : t);
    }
    return crc;
  };
  ModuleBuilder m;
  auto type = m.add_type({I32, I32}, {I32});  // (other, crc)
  const char* names[] = {"step", "test_shifted", "into_shifted", "wide_shift", "other_else"};
  for (Shape shape : {kStep, kTestShifted, kIntoShifted, kWideShift, kOtherElse}) {
    Code c;
    for (int i = 0; i < 8; ++i) step(c, shape);
    c.local_get(1);
    m.export_func(names[shape], m.add_func(type, {I32}, c));
  }
  ASSERT_NE(instantiate(m), nullptr);
  for (Shape shape : {kStep, kTestShifted, kIntoShifted, kWideShift, kOtherElse})
    for (uint32_t crc : {0x0000u, 0x0001u, 0x1234u, 0xffffu, 0xdeadbeefu})
      EXPECT_EQ(run_i32(names[shape], {v32(0x5a5a), v32(crc)}), model(shape, 0x5a5a, crc))
          << names[shape] << " " << crc;
}

// Runs of local-to-local copies (tier 0 merges up to four into one
// instruction) happen in order: rotating six locals n times.
TEST_P(ExecTest, LocalRotationCopiesInOrder) {
  Code c;
  for (uint32_t i = 1; i <= 6; ++i) c.i32_const(static_cast<int32_t>(i)).local_set(i);
  c.loop();
  c.local_get(1).local_set(7);
  for (uint32_t i = 1; i < 6; ++i) c.local_get(i + 1).local_set(i);
  c.local_get(7).local_set(6);
  c.local_get(0).i32_const(-1).op(Opcode::I32Add).local_tee(0).br_if(0).end();
  c.i32_const(0);  // sum of local i * 10^(i-1)
  for (uint32_t i = 1, scale = 1; i <= 6; ++i, scale *= 10)
    c.local_get(i).i32_const(static_cast<int32_t>(scale)).op(Opcode::I32Mul).op(Opcode::I32Add);
  ModuleBuilder m;
  m.export_func("f", m.add_func(m.type({I32}, {I32}), std::vector<ValType>(7, I32), c));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("f", {v32(1)}), 165432u);  // locals 2 3 4 5 6 1
  EXPECT_EQ(run_i32("f", {v32(2)}), 216543u);
  EXPECT_EQ(run_i32("f", {v32(6)}), 654321u);
}

// Locals start zero: tier 0 knows it until a label or a set, and a set to
// zero before then emits nothing; after a label or another set it must
// read and write the local again.
TEST_P(ExecTest, LocalsKnownZeroUntilALabelOrASet) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  // local 1: set to 7, then to 0 (not skipped), read back.
  m.export_func("set_then_zero", m.add_func(t, {I32}, Code().i32_const(7).local_set(1)
                                                       .i32_const(0).local_set(1)
                                                       .local_get(1).local_get(0).op(Opcode::I32Add)));
  // local 1 set to 5 on one path into a block's end, read after it.
  m.export_func("after_label",
                m.add_func(t, {I32}, Code().i32_const(0).local_set(1)
                                         .block().local_get(0).br_if(0).i32_const(5).local_set(1).end()
                                         .local_get(1)));
  // A loop adds 3 to local 1 while it is below p; local 2 counts the rounds.
  m.export_func("loop", m.add_func(t, {I32, I32}, Code().i32_const(0).local_set(1)
                                         .loop().local_get(1).i32_const(3).op(Opcode::I32Add).local_set(1)
                                         .local_get(2).i32_const(1).op(Opcode::I32Add).local_set(2)
                                         .local_get(1).local_get(0).op(Opcode::I32LtU).br_if(0).end()
                                         .local_get(2)));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("set_then_zero", {v32(4)}), 4u);
  EXPECT_EQ(run_i32("after_label", {v32(1)}), 0u);
  EXPECT_EQ(run_i32("after_label", {v32(0)}), 5u);
  EXPECT_EQ(run_i32("loop", {v32(10)}), 4u);
  EXPECT_EQ(run_i32("loop", {v32(0)}), 1u);
}

// Every load and store at every misalignment, in bounds and straddling the
// end of memory. Tier 0 must make these plain single-instruction accesses:
// under clang an over-aligned access is undefined (UBSan aborts), and with
// guard pages the out-of-bounds one must fault inside the guarded loop
// itself, never inside a library call (that fault would not be a trap).
TEST_P(ExecTest, UnalignedLoadsAndStores) {
  constexpr uint32_t kSize = 65536;
  Bytes pattern(16);
  for (size_t b = 0; b < pattern.size(); ++b) pattern[b] = static_cast<uint8_t>(0x91 + 7 * b);
  for (size_t i = 0; i < kNumOpcodes; ++i) {
    const Opcode op = static_cast<Opcode>(i);
    const OpInfo& info = op_info(op);
    if (info.shape != OpShape::Load && info.shape != OpShape::Store) continue;
    SCOPED_TRACE(info.name);
    const uint32_t w = info.mem_bytes;
    ModuleBuilder m;
    m.add_memory(1, 1);
    m.add_data(0, pattern);
    m.add_data(kSize - 16, pattern);
    if (info.shape == OpShape::Load) {
      m.export_func("f", m.add_func(m.add_type({I32}, {info.in}), {},
                                    Code().local_get(0).load(op, 0, 0)));
    } else {
      // Stores the value loaded (as the value type) from the address in the
      // second parameter, so every byte pattern round-trips.
      const Opcode full = info.in == I32 ? Opcode::I32Load
                          : info.in == I64 ? Opcode::I64Load
                          : info.in == F32 ? Opcode::F32Load
                                           : Opcode::F64Load;
      m.export_func("f", m.add_func(m.add_type({I32, I32}, {}), {},
                                    Code().local_get(0).local_get(1).load(full, 0, 0).store(op, 0, 0)));
    }
    ASSERT_NE(instantiate(m), nullptr);
    Memory* mem = memory0();
    ASSERT_NE(mem, nullptr);
    for (uint32_t mis = 1; mis < 8; ++mis) {
      SCOPED_TRACE("misalignment " + std::to_string(mis));
      if (info.shape == OpShape::Load) {
        CallResult r = call("f", {v32(mis)});
        ASSERT_TRUE(r.ok()) << trap_message(r.trap);
        EXPECT_EQ(r.results.at(0).bits & (info.in == I32 || info.in == F32 ? 0xffffffff : ~0ull),
                  expected_load(op, pattern.data() + mis));
        EXPECT_EQ(trap("f", {v32(kSize - 8 + mis)}), mis + w > 8 ? TrapKind::MemoryOutOfBounds
                                                                 : TrapKind::None);
      } else {
        std::memset(mem->data() + 32, 0, 16);
        EXPECT_EQ(trap("f", {v32(32 + mis), v32(mis)}), TrapKind::None);
        for (uint32_t b = 0; b < 16; ++b) {
          const bool written = b >= mis && b < mis + w;
          EXPECT_EQ(mem->data()[32 + b], written ? pattern[b] : 0) << b;
        }
        // Straddling the end: traps and writes nothing.
        std::memset(mem->data() + kSize - 16, 0, 16);
        EXPECT_EQ(trap("f", {v32(kSize - 8 + mis), v32(mis)}),
                  mis + w > 8 ? TrapKind::MemoryOutOfBounds : TrapKind::None);
        if (mis + w > 8) {
          for (uint32_t b = 0; b < 16; ++b) EXPECT_EQ(mem->data()[kSize - 16 + b], 0) << b;
        }
      }
    }
  }
}

TEST_P(ExecTest, MemoryGrowAndSize) {
  ModuleBuilder m;
  m.add_memory(1, 3);
  auto t_grow = m.add_type({I32}, {I32});
  auto t_size = m.add_type({}, {I32});
  m.export_func("grow", m.add_func(t_grow, {}, Code().local_get(0).memory_grow()));
  m.export_func("size", m.add_func(t_size, {}, Code().memory_size()));
  m.export_func("load", m.add_func(t_grow, {}, Code().local_get(0).mem(Opcode::I32Load)));
  m.export_func("store", m.add_func(m.add_type({I32, I32}, {}), {},
                                    Code().local_get(0).local_get(1).mem(Opcode::I32Store)));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("size"), 1u);
  ASSERT_EQ(trap("store", {v32(100), v32(0x12345678)}), TrapKind::None);
  EXPECT_EQ(trap("load", {v32(65536)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 1u);
  EXPECT_EQ(run_i32("size"), 2u);
  EXPECT_EQ(run_i32("load", {v32(65536)}), 0u);         // new pages are zero
  EXPECT_EQ(run_i32("load", {v32(100)}), 0x12345678u);  // old contents stay
  EXPECT_EQ(trap("load", {v32(2 * 65536 - 3)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(run_i32("grow", {v32(2)}), 0xffffffffu);  // past the maximum
  EXPECT_EQ(run_i32("size"), 2u);
  EXPECT_EQ(run_i32("grow", {v32(0)}), 2u);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 2u);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 0xffffffffu);
  EXPECT_EQ(run_i32("grow", {v32(-1)}), 0xffffffffu);
  EXPECT_EQ(run_i32("size"), 3u);
  EXPECT_EQ(run_i32("load", {v32(3 * 65536 - 4)}), 0u);
  EXPECT_EQ(memory0()->pages(), 3u);
}

TEST_P(ExecTest, MemoryGrowWithoutMaximum) {
  config.module_limits.max_memory_pages = 16;  // the engine's cap applies
  ModuleBuilder m;
  m.add_memory(0);
  auto t = m.add_type({I32}, {I32});
  m.export_func("grow", m.add_func(t, {}, Code().local_get(0).memory_grow()));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("grow", {v32(0)}), 0u);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 0u);
  EXPECT_EQ(run_i32("grow", {v32(0x10000)}), 0xffffffffu);
  EXPECT_EQ(run_i32("grow", {v32(15)}), 1u);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 0xffffffffu);
}

/// A module for bulk-memory tests: one page, passive segment 1 "hello",
/// active segment 0 "AB" at 0.
ModuleBuilder bulk_memory_module() {
  ModuleBuilder m;
  m.add_memory(1, 1);
  m.add_data(0, {'A', 'B'});
  m.add_passive_data({'h', 'e', 'l', 'l', 'o'});
  auto t3 = m.add_type({I32, I32, I32}, {});
  auto t0 = m.add_type({}, {});
  auto t1 = m.add_type({I32}, {I32});
  const Code args = Code().local_get(0).local_get(1).local_get(2);
  m.export_func("fill", m.add_func(t3, {}, Code(args).memory_fill()));
  m.export_func("copy", m.add_func(t3, {}, Code(args).memory_copy()));
  m.export_func("init0", m.add_func(t3, {}, Code(args).memory_init(0)));
  m.export_func("init1", m.add_func(t3, {}, Code(args).memory_init(1)));
  m.export_func("drop1", m.add_func(t0, {}, Code().data_drop(1)));
  m.export_func("load8", m.add_func(t1, {}, Code().local_get(0).mem(Opcode::I32Load8U)));
  return m;
}

TEST_P(ExecTest, MemoryFillAtEdges) {
  ASSERT_NE(instantiate(bulk_memory_module()), nullptr);
  Memory* mem = memory0();
  EXPECT_EQ(trap("fill", {v32(65532), v32(0xab), v32(4)}), TrapKind::None);
  EXPECT_EQ(mem->data()[65532], 0xab);
  EXPECT_EQ(mem->data()[65535], 0xab);
  EXPECT_EQ(mem->data()[65531], 0);
  // Out of bounds by one byte: traps before writing anything.
  EXPECT_EQ(trap("fill", {v32(65531), v32(0xcd), v32(6)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(mem->data()[65531], 0);
  EXPECT_EQ(mem->data()[65532], 0xab);
  EXPECT_EQ(trap("fill", {v32(65536), v32(1), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("fill", {v32(65537), v32(1), v32(0)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("fill", {v32(1), v32(1), v32(-1)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("fill", {v32(0), v32(0x1ff), v32(65536)}), TrapKind::None);
  EXPECT_EQ(mem->data()[12345], 0xff);  // the value is truncated to a byte
}

TEST_P(ExecTest, MemoryCopyAtEdgesAndOverlap) {
  ASSERT_NE(instantiate(bulk_memory_module()), nullptr);
  Memory* mem = memory0();
  for (int i = 0; i < 8; ++i) mem->data()[i] = static_cast<uint8_t>(i + 1);
  // Overlapping forward copy (dst > src) must act like memmove.
  EXPECT_EQ(trap("copy", {v32(2), v32(0), v32(6)}), TrapKind::None);
  const uint8_t fwd[8] = {1, 2, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(std::memcmp(mem->data(), fwd, 8), 0);
  // Overlapping backward copy (dst < src).
  EXPECT_EQ(trap("copy", {v32(0), v32(2), v32(6)}), TrapKind::None);
  const uint8_t back[8] = {1, 2, 3, 4, 5, 6, 5, 6};
  EXPECT_EQ(std::memcmp(mem->data(), back, 8), 0);

  EXPECT_EQ(trap("copy", {v32(65532), v32(0), v32(4)}), TrapKind::None);
  EXPECT_EQ(mem->data()[65535], 4);
  EXPECT_EQ(trap("copy", {v32(0), v32(65532), v32(4)}), TrapKind::None);
  EXPECT_EQ(trap("copy", {v32(65533), v32(0), v32(4)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("copy", {v32(0), v32(65533), v32(4)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(mem->data()[65533], 2);  // nothing written by the trapping copies
  EXPECT_EQ(trap("copy", {v32(65536), v32(65536), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("copy", {v32(65537), v32(0), v32(0)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("copy", {v32(0), v32(65537), v32(0)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("copy", {v32(-1), v32(0), v32(2)}), TrapKind::MemoryOutOfBounds);
}

TEST_P(ExecTest, MemoryInitAndDataDrop) {
  ASSERT_NE(instantiate(bulk_memory_module()), nullptr);
  Memory* mem = memory0();
  EXPECT_EQ(mem->data()[0], 'A');  // the active segment was applied
  EXPECT_EQ(trap("init1", {v32(65531), v32(0), v32(5)}), TrapKind::None);
  EXPECT_EQ(std::memcmp(mem->data() + 65531, "hello", 5), 0);
  EXPECT_EQ(trap("init1", {v32(100), v32(1), v32(3)}), TrapKind::None);
  EXPECT_EQ(std::memcmp(mem->data() + 100, "ell", 3), 0);
  EXPECT_EQ(trap("init1", {v32(65532), v32(0), v32(5)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("init1", {v32(0), v32(1), v32(5)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("init1", {v32(0), v32(5), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("init1", {v32(0), v32(6), v32(0)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("init1", {v32(65536), v32(0), v32(0)}), TrapKind::None);  // empty, at the end
  EXPECT_EQ(trap("init1", {v32(65537), v32(0), v32(0)}), TrapKind::MemoryOutOfBounds);
  // Active segments are dropped once instantiation has applied them.
  EXPECT_EQ(trap("init0", {v32(0), v32(0), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("init0", {v32(0), v32(0), v32(1)}), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(trap("drop1"), TrapKind::None);
  EXPECT_EQ(trap("drop1"), TrapKind::None);  // dropping twice is fine
  EXPECT_EQ(trap("init1", {v32(0), v32(0), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("init1", {v32(0), v32(0), v32(1)}), TrapKind::MemoryOutOfBounds);
}

TEST_P(ExecTest, ActiveDataSegmentOutOfBoundsFailsInstantiation) {
  ModuleBuilder m;
  m.add_memory(1, 1);
  m.add_data(65534, {1, 2, 3});
  auto mod = compile(m);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  auto inst = store().instantiate(mod.value(), {});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Uninstantiable);
}

// ---------------------------------------------------------------- tables

/// Table 0 of 4 slots: [f42, f_i64, null, null] with max 6; type 0 is () -> i32.
ModuleBuilder table_module() {
  ModuleBuilder m;
  auto t_i32 = m.add_type({}, {I32});
  auto t_i64 = m.add_type({}, {I64});
  auto t_call = m.add_type({I32}, {I32});
  auto t_set = m.add_type({I32, I32}, {});
  auto t3 = m.add_type({I32, I32, I32}, {});
  auto f42 = m.add_func(t_i32, {}, Code().i32_const(42));
  auto f64v = m.add_func(t_i64, {}, Code().i64_const(64));
  auto f7 = m.add_func(t_i32, {}, Code().i32_const(7));
  m.add_table(FuncRef, 4, 6);
  m.add_elem(0, 0, {f42, f64v});
  m.add_passive_elem({f7, f42});
  m.export_func("call", m.add_func(t_call, {}, Code().local_get(0).call_indirect(t_i32)));
  m.export_func("is_null",
                m.add_func(t_call, {}, Code().local_get(0).table_get().ref_is_null()));
  // set(dst, src): table[dst] = table[src]
  m.export_func("set", m.add_func(t_set, {},
                                  Code().local_get(0).local_get(1).table_get().table_set()));
  m.export_func("fill_null",
                m.add_func(t_set, {},
                           Code().local_get(0).ref_null(FuncRef).local_get(1).table_fill()));
  m.export_func("copy", m.add_func(t3, {},
                                   Code().local_get(0).local_get(1).local_get(2).table_copy()));
  m.export_func("init1", m.add_func(t3, {},
                                    Code().local_get(0).local_get(1).local_get(2).table_init(1)));
  m.export_func("drop1", m.add_func(m.add_type({}, {}), {}, Code().elem_drop(1)));
  m.export_func("size", m.add_func(t_i32, {}, Code().table_size()));
  m.export_func("grow", m.add_func(t_call, {},
                                   Code().ref_null(FuncRef).local_get(0).table_grow()));
  return m;
}

TEST_P(ExecTest, CallIndirect) {
  ASSERT_NE(instantiate(table_module()), nullptr);
  EXPECT_EQ(run_i32("call", {v32(0)}), 42u);
  EXPECT_EQ(trap("call", {v32(1)}), TrapKind::IndirectCallTypeMismatch);
  EXPECT_EQ(trap("call", {v32(2)}), TrapKind::UninitializedElement);
  EXPECT_EQ(trap("call", {v32(3)}), TrapKind::UninitializedElement);
  EXPECT_EQ(trap("call", {v32(4)}), TrapKind::UndefinedElement);
  EXPECT_EQ(trap("call", {v32(-1)}), TrapKind::UndefinedElement);
  EXPECT_EQ(trap("set", {v32(3), v32(0)}), TrapKind::None);
  EXPECT_EQ(run_i32("call", {v32(3)}), 42u);
}

TEST_P(ExecTest, TableAccessOutOfBounds) {
  ASSERT_NE(instantiate(table_module()), nullptr);
  EXPECT_EQ(run_i32("is_null", {v32(0)}), 0u);
  EXPECT_EQ(run_i32("is_null", {v32(3)}), 1u);
  EXPECT_EQ(trap("is_null", {v32(4)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("set", {v32(4), v32(0)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("fill_null", {v32(3), v32(2)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(run_i32("is_null", {v32(3)}), 1u);
  EXPECT_EQ(trap("fill_null", {v32(4), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("fill_null", {v32(5), v32(0)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("copy", {v32(2), v32(0), v32(2)}), TrapKind::None);
  EXPECT_EQ(run_i32("call", {v32(2)}), 42u);
  EXPECT_EQ(trap("copy", {v32(3), v32(0), v32(2)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("copy", {v32(0), v32(3), v32(2)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("init1", {v32(2), v32(0), v32(2)}), TrapKind::None);
  EXPECT_EQ(run_i32("call", {v32(2)}), 7u);
  EXPECT_EQ(run_i32("call", {v32(3)}), 42u);
  EXPECT_EQ(trap("init1", {v32(3), v32(0), v32(2)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("init1", {v32(0), v32(1), v32(2)}), TrapKind::TableOutOfBounds);
  EXPECT_EQ(trap("drop1"), TrapKind::None);
  EXPECT_EQ(trap("init1", {v32(0), v32(0), v32(0)}), TrapKind::None);
  EXPECT_EQ(trap("init1", {v32(0), v32(0), v32(1)}), TrapKind::TableOutOfBounds);
}

TEST_P(ExecTest, TableGrowAndSize) {
  ASSERT_NE(instantiate(table_module()), nullptr);
  EXPECT_EQ(run_i32("size"), 4u);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 4u);
  EXPECT_EQ(run_i32("size"), 5u);
  EXPECT_EQ(run_i32("is_null", {v32(4)}), 1u);
  EXPECT_EQ(run_i32("grow", {v32(2)}), 0xffffffffu);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 5u);
  EXPECT_EQ(run_i32("grow", {v32(0)}), 6u);
  EXPECT_EQ(trap("call", {v32(5)}), TrapKind::UninitializedElement);
  EXPECT_EQ(trap("call", {v32(6)}), TrapKind::UndefinedElement);
}

// ---------------------------------------------------------------- control flow

TEST_P(ExecTest, LoopWithBrIf) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  // sum(n) = n + (n-1) + ... + 1, with a wrapping i32 accumulator.
  m.export_func("sum", m.add_func(t, {I32},
                                  Code()
                                      .block()
                                      .loop()
                                      .local_get(0).op(Opcode::I32Eqz).br_if(1)
                                      .local_get(1).local_get(0).op(Opcode::I32Add).local_set(1)
                                      .local_get(0).i32_const(1).op(Opcode::I32Sub).local_set(0)
                                      .br(0)
                                      .end()
                                      .end()
                                      .local_get(1)));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("sum", {v32(0)}), 0u);
  EXPECT_EQ(run_i32("sum", {v32(100)}), 5050u);
  EXPECT_EQ(run_i32("sum", {v32(100000)}), static_cast<uint32_t>(5000050000ull));
}

TEST_P(ExecTest, BrTableSwitch) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  m.export_func("switch", m.add_func(t, {},
                                     Code()
                                         .block()
                                         .block()
                                         .block()
                                         .block()
                                         .local_get(0)
                                         .br_table({0, 1, 2}, 3)
                                         .end()
                                         .i32_const(100).return_()
                                         .end()
                                         .i32_const(101).return_()
                                         .end()
                                         .i32_const(102).return_()
                                         .end()
                                         .i32_const(999)));
  // br_table carrying a value out of nested blocks.
  m.export_func("carry", m.add_func(t, {},
                                    Code()
                                        .block(I32)
                                        .block(I32)
                                        .i32_const(7)
                                        .local_get(0)
                                        .br_table({0}, 1)
                                        .end()
                                        .i32_const(1).op(Opcode::I32Add)
                                        .end()));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("switch", {v32(0)}), 100u);
  EXPECT_EQ(run_i32("switch", {v32(1)}), 101u);
  EXPECT_EQ(run_i32("switch", {v32(2)}), 102u);
  EXPECT_EQ(run_i32("switch", {v32(3)}), 999u);
  EXPECT_EQ(run_i32("switch", {v32(-1)}), 999u);
  EXPECT_EQ(run_i32("carry", {v32(0)}), 8u);
  EXPECT_EQ(run_i32("carry", {v32(1)}), 7u);
  EXPECT_EQ(run_i32("carry", {v32(12345)}), 7u);
}

TEST_P(ExecTest, IfElse) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  m.export_func("sign", m.add_func(t, {},
                                   Code()
                                       .local_get(0).i32_const(0).op(Opcode::I32LtS)
                                       .if_(I32)
                                       .i32_const(-1)
                                       .else_()
                                       .local_get(0).op(Opcode::I32Eqz)
                                       .if_(I32).i32_const(0).else_().i32_const(1).end()
                                       .end()));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("sign", {v32(-5)}), 0xffffffffu);
  EXPECT_EQ(run_i32("sign", {v32(0)}), 0u);
  EXPECT_EQ(run_i32("sign", {v32(9)}), 1u);
}

TEST_P(ExecTest, MultiValue) {
  ModuleBuilder m;
  auto t_three = m.add_type({}, {I32, I64, F64});
  auto t_swap = m.add_type({I32, I32}, {I32, I32});
  auto t_bin = m.add_type({I32, I32}, {I32});
  auto t_pair = m.add_type({}, {I32, I32});
  auto t_ret = m.add_type({}, {I32});
  m.export_func("three", m.add_func(t_three, {}, Code().i32_const(1).i64_const(-2).f64_const(3.5)));
  auto swap = m.add_func(t_swap, {}, Code().local_get(1).local_get(0));
  m.export_func("swap", swap);
  // (a, b) -> b - a, by calling swap.
  m.export_func("rsub", m.add_func(t_bin, {},
                                   Code().local_get(0).local_get(1).call(swap).op(Opcode::I32Sub)));
  // A block taking two parameters.
  m.export_func("block_params",
                m.add_func(t_bin, {},
                           Code().local_get(0).local_get(1).block(BlockType::type(t_bin))
                               .op(Opcode::I32Sub).end()));
  // br out of a two-result block discards the extra value beneath.
  m.export_func("br_pair", m.add_func(t_ret, {},
                                      Code().block(BlockType::type(t_pair))
                                          .i32_const(9).i32_const(1).i32_const(2).br(0)
                                          .end()
                                          .op(Opcode::I32Add)));
  // A loop with a parameter: counts (x) down to 0, returning how many turns.
  auto t_loop = m.add_type({I32}, {I32});
  m.export_func("countdown",
                m.add_func(t_loop, {I32},
                           Code()
                               .local_get(0)
                               .loop(BlockType::type(t_loop))
                               .local_get(1).i32_const(1).op(Opcode::I32Add).local_set(1)
                               .i32_const(1).op(Opcode::I32Sub)
                               .local_tee(0)
                               .local_get(0).br_if(0)
                               .end()
                               .drop()
                               .local_get(1)));
  // return from inside nested blocks with two values.
  m.export_func("early", m.add_func(t_pair, {},
                                    Code().block().block().i32_const(5).i32_const(6).return_()
                                        .end().end().i32_const(0).i32_const(0)));
  ASSERT_NE(instantiate(m), nullptr);
  CallResult r = call("three");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_TRUE(same_value(r.results[0], v32(1)));
  EXPECT_TRUE(same_value(r.results[1], v64(-2)));
  EXPECT_TRUE(same_value(r.results[2], vf64(3.5)));
  r = call("swap", {v32(1), v32(2)});
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].as_i32(), 2u);
  EXPECT_EQ(r.results[1].as_i32(), 1u);
  EXPECT_EQ(run_i32("rsub", {v32(10), v32(3)}), static_cast<uint32_t>(-7));
  EXPECT_EQ(run_i32("block_params", {v32(10), v32(3)}), 7u);
  EXPECT_EQ(run_i32("br_pair"), 3u);
  EXPECT_EQ(run_i32("countdown", {v32(5)}), 5u);
  r = call("early");
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].as_i32(), 5u);
  EXPECT_EQ(r.results[1].as_i32(), 6u);
}

TEST_P(ExecTest, Globals) {
  ModuleBuilder m;
  auto gi = m.add_global(I32, true, Code().i32_const(10));
  auto gl = m.add_global(I64, true, Code().i64_const(-1));
  auto gf = m.add_global(F64, false, Code().f64_const(2.5));
  auto t_inc = m.add_type({I32}, {I32});
  m.export_func("inc", m.add_func(t_inc, {},
                                  Code().global_get(gi).local_get(0).op(Opcode::I32Add)
                                      .global_set(gi).global_get(gi)));
  m.export_func("get64", m.add_func(m.add_type({}, {I64}), {}, Code().global_get(gl)));
  m.export_func("getf", m.add_func(m.add_type({}, {F64}), {}, Code().global_get(gf)));
  m.export_global("gi", gi);
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("inc", {v32(5)}), 15u);
  EXPECT_EQ(run_i32("inc", {v32(1)}), 16u);
  EXPECT_EQ(run_i64("get64"), ~0ull);
  EXPECT_EQ(run("getf").as_f64(), 2.5);
  Global* g = exported_global("gi");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(static_cast<uint32_t>(g->bits), 16u);
  g->bits = 100;  // the embedder's write is seen by wasm
  EXPECT_EQ(run_i32("inc", {v32(0)}), 100u);
}

TEST_P(ExecTest, ImportedGlobalInitializesDefinedGlobal) {
  Global* imported = store().create_global(GlobalType{I32, false}, v32(77));
  ModuleBuilder m;
  auto g0 = m.add_import_global("env", "g", I32, false);
  auto g1 = m.add_global(I32, false, Code().global_get(g0));
  m.export_func("get", m.add_func(m.add_type({}, {I32}), {},
                                  Code().global_get(g0).global_get(g1).op(Opcode::I32Add)));
  ASSERT_NE(instantiate(m, {Extern::global(imported)}), nullptr);
  EXPECT_EQ(run_i32("get"), 154u);
}

// ---------------------------------------------------------------- calls and depth

/// f(n) = n == 0 ? 0 : f(n - 1) + 1, using n + 1 frames.
ModuleBuilder recursion_module(uint32_t extra_locals = 0) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  std::vector<ValType> locals(extra_locals, I64);
  m.export_func("rec", m.add_func(t, locals,
                                  Code()
                                      .local_get(0).op(Opcode::I32Eqz)
                                      .if_(I32)
                                      .i32_const(0)
                                      .else_()
                                      .local_get(0).i32_const(1).op(Opcode::I32Sub).call(0)
                                      .i32_const(1).op(Opcode::I32Add)
                                      .end()));
  m.export_func("forever", m.add_func(m.add_type({}, {}), {}, Code().call(1)));
  return m;
}

TEST_P(ExecTest, DeepRecursionExhaustsCallStack) {
  ASSERT_NE(instantiate(recursion_module()), nullptr);
  EXPECT_EQ(run_i32("rec", {v32(1000)}), 1000u);
  EXPECT_EQ(trap("rec", {v32(10'000'000)}), TrapKind::CallStackExhausted);
  EXPECT_EQ(trap("forever"), TrapKind::CallStackExhausted);
  // The store is usable afterwards, and the full depth is available again.
  EXPECT_EQ(run_i32("rec", {v32(1000)}), 1000u);
  EXPECT_EQ(trap("forever"), TrapKind::CallStackExhausted);
  EXPECT_EQ(run_i32("rec", {v32(5000)}), 5000u);
}

TEST_P(ExecTest, ValueStackExhaustionIsCallStackExhausted) {
  // 2000 locals per frame: the value stack runs out long before the frame limit.
  ASSERT_NE(instantiate(recursion_module(2000)), nullptr);
  EXPECT_EQ(run_i32("rec", {v32(10)}), 10u);
  EXPECT_EQ(trap("rec", {v32(9000)}), TrapKind::CallStackExhausted);
  EXPECT_EQ(run_i32("rec", {v32(10)}), 10u);
}

TEST_P(ExecTest, CallDepthCountsFrames) {
  config.runtime_limits.max_call_depth = 50;
  ASSERT_NE(instantiate(recursion_module()), nullptr);
  // rec(n) needs n + 1 wasm frames.
  EXPECT_EQ(run_i32("rec", {v32(49)}), 49u);
  EXPECT_EQ(trap("rec", {v32(50)}), TrapKind::CallStackExhausted);
  EXPECT_EQ(run_i32("rec", {v32(49)}), 49u);
}

TEST_P(ExecTest, CallDepthCountsIndirectCalls) {
  config.runtime_limits.max_call_depth = 50;
  // rec(n) recurses through call_indirect; every level is one frame.
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  auto f = m.add_func(t, {},
                      Code()
                          .local_get(0).op(Opcode::I32Eqz)
                          .if_(I32)
                          .i32_const(0)
                          .else_()
                          .local_get(0).i32_const(1).op(Opcode::I32Sub)
                          .i32_const(0).call_indirect(t)
                          .i32_const(1).op(Opcode::I32Add)
                          .end());
  m.add_table(FuncRef, 1, 1);
  m.add_elem(0, 0, {f});
  m.export_func("rec", f);
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("rec", {v32(49)}), 49u);
  EXPECT_EQ(trap("rec", {v32(50)}), TrapKind::CallStackExhausted);
}

TEST_P(ExecTest, CallArgumentsAreChecked) {
  ASSERT_NE(instantiate(recursion_module()), nullptr);
  EXPECT_EQ(trap("rec", {}), TrapKind::HostError);
  EXPECT_EQ(trap("rec", {v64(1)}), TrapKind::HostError);
  EXPECT_EQ(trap("rec", {v32(1), v32(2)}), TrapKind::HostError);
  EXPECT_EQ(run_i32("rec", {v32(3)}), 3u);
}

// ---------------------------------------------------------------- host functions

struct HostState {
  int calls = 0;
  int32_t bias = 0;
};

TrapKind host_add(HostCall& call, const Value* args, Value* results) {
  auto* st = static_cast<HostState*>(call.user_data);
  ++st->calls;
  results[0] = Value::i32(args[0].as_i32() + args[1].as_i32() + st->bias);
  return TrapKind::None;
}

TrapKind host_split(HostCall& call, const Value* args, Value* results) {
  // (i64) -> (i32 low, i32 high, f64 as double)
  const uint64_t x = args[0].as_i64();
  results[0] = Value::i32(static_cast<uint32_t>(x));
  results[1] = Value::i32(static_cast<uint32_t>(x >> 32));
  results[2] = Value::f64(static_cast<double>(x));
  return TrapKind::None;
}

TrapKind host_peek(HostCall& call, const Value* args, Value* results) {
  Memory* mem = call.memory();
  if (mem == nullptr || args[0].as_i32() >= mem->size_bytes()) return TrapKind::HostError;
  results[0] = Value::i32(mem->data()[args[0].as_i32()]);
  return TrapKind::None;
}

TrapKind host_fail(HostCall& call, const Value* args, Value* results) {
  auto* st = static_cast<HostState*>(call.user_data);
  ++st->calls;
  return TrapKind::HostError;
}

// A host call counts one frame on top of the wasm frames below it, also
// when compiled code makes it (tier 1 counts its frames by the native stack
// and hands the depth to C++ at the call).
TEST_P(ExecTest, CallDepthCountsHostCallFrames) {
  config.runtime_limits.max_call_depth = 50;
  HostState st;
  Func* add = store().create_host_func(FuncType{{I32, I32}, {I32}}, host_add, &st);
  ModuleBuilder m;
  auto t = m.type({I32}, {I32});
  auto h_add = m.add_import_func("env", "add", m.type({I32, I32}, {I32}));
  // rec(n) = n == 0 ? add(0, 0) : rec(n - 1) + 1: n + 1 wasm frames, then the host's.
  m.export_func("rec", m.add_func(t, {},
                                  Code()
                                      .local_get(0).op(Opcode::I32Eqz)
                                      .if_(I32)
                                      .i32_const(0).i32_const(0).call(h_add)
                                      .else_()
                                      .local_get(0).i32_const(1).op(Opcode::I32Sub).call(1)
                                      .i32_const(1).op(Opcode::I32Add)
                                      .end()));
  ASSERT_NE(instantiate(m, {Extern::func(add)}), nullptr);
  EXPECT_EQ(run_i32("rec", {v32(48)}), 48u);
  EXPECT_EQ(st.calls, 1);
  EXPECT_EQ(trap("rec", {v32(49)}), TrapKind::CallStackExhausted);
  EXPECT_EQ(st.calls, 1);
  EXPECT_EQ(run_i32("rec", {v32(48)}), 48u);
}

TEST_P(ExecTest, HostFunctionsCalledFromWasm) {
  HostState st;
  st.bias = 1000;
  Func* add = store().create_host_func(FuncType{{I32, I32}, {I32}}, host_add, &st);
  Func* split = store().create_host_func(FuncType{{I64}, {I32, I32, F64}}, host_split, nullptr);
  Func* peek = store().create_host_func(FuncType{{I32}, {I32}}, host_peek, nullptr);

  ModuleBuilder m;
  auto t_add = m.type({I32, I32}, {I32});
  auto t_split = m.type({I64}, {I32, I32, F64});
  auto t_peek = m.type({I32}, {I32});
  auto h_add = m.add_import_func("env", "add", t_add);
  auto h_split = m.add_import_func("env", "split", t_split);
  auto h_peek = m.add_import_func("env", "peek", t_peek);
  m.add_memory(1, 1);
  m.add_data(10, {0x5a});
  // f(x) = add(x, 5) + 1
  m.export_func("f", m.add_func(t_peek, {},
                                Code().local_get(0).i32_const(5).call(h_add)
                                    .i32_const(1).op(Opcode::I32Add)));
  // g(x) = low - high of split(x), ignoring the double.
  m.export_func("g", m.add_func(m.type({I64}, {I32}), {},
                                Code().local_get(0).call(h_split).drop().op(Opcode::I32Sub)));
  m.export_func("peek", m.add_func(t_peek, {}, Code().local_get(0).call(h_peek)));
  // The host import is also callable through a table.
  m.add_table(FuncRef, 1, 1);
  m.add_elem(0, 0, {h_add});
  m.export_func("indirect", m.add_func(t_add, {},
                                       Code().local_get(0).local_get(1).i32_const(0)
                                           .call_indirect(t_add)));
  m.export_func("add", h_add);  // re-exported host function
  ASSERT_NE(instantiate(m, {Extern::func(add), Extern::func(split), Extern::func(peek)}),
            nullptr);
  EXPECT_EQ(run_i32("f", {v32(2)}), 1008u);
  EXPECT_EQ(st.calls, 1);
  EXPECT_EQ(run_i32("g", {v64(0x0000000900000002)}), static_cast<uint32_t>(-7));
  EXPECT_EQ(run_i32("peek", {v32(10)}), 0x5au);
  EXPECT_EQ(trap("peek", {v32(70000)}), TrapKind::HostError);
  EXPECT_EQ(run_i32("indirect", {v32(1), v32(2)}), 1003u);
  EXPECT_EQ(run_i32("add", {v32(1), v32(1)}), 1002u);
  EXPECT_EQ(st.calls, 3);
}

TEST_P(ExecTest, HostFunctionTrap) {
  HostState st;
  Func* fail = store().create_host_func(FuncType{{}, {}}, host_fail, &st);
  ModuleBuilder m;
  auto t0 = m.type({}, {});
  auto t1 = m.type({}, {I32});
  auto h = m.add_import_func("env", "fail", t0);
  auto f = m.add_func(t1, {}, Code().call(h).i32_const(1));
  m.export_func("f", f);
  m.export_func("g", m.add_func(t1, {}, Code().call(f).i32_const(1).op(Opcode::I32Add)));
  m.export_func("ok", m.add_func(t1, {}, Code().i32_const(3)));
  ASSERT_NE(instantiate(m, {Extern::func(fail)}), nullptr);
  EXPECT_EQ(trap("f"), TrapKind::HostError);
  EXPECT_EQ(trap("g"), TrapKind::HostError);
  EXPECT_EQ(st.calls, 2);
  EXPECT_EQ(run_i32("ok"), 3u);
}

TEST_P(ExecTest, ImportedMemoryIsShared) {
  auto created = store().create_memory(MemoryType{SizeLimits{1, 2, true}});
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  Memory* mem = created.value();
  ASSERT_NE(mem, nullptr);
  ModuleBuilder m;
  m.add_import_memory("env", "memory", 1, 2);
  auto t = m.type({I32, I32}, {});
  m.export_func("store", m.add_func(t, {}, Code().local_get(0).local_get(1).mem(Opcode::I32Store)));
  m.export_func("grow", m.add_func(m.type({I32}, {I32}), {}, Code().local_get(0).memory_grow()));
  ASSERT_NE(instantiate(m, {Extern::memory(mem)}), nullptr);
  EXPECT_EQ(trap("store", {v32(8), v32(0x11223344)}), TrapKind::None);
  uint32_t got;
  std::memcpy(&got, mem->data() + 8, 4);
  EXPECT_EQ(got, 0x11223344u);
  EXPECT_EQ(run_i32("grow", {v32(1)}), 1u);
  EXPECT_EQ(mem->pages(), 2u);
  EXPECT_EQ(trap("store", {v32(65536 * 2 - 4), v32(1)}), TrapKind::None);
  EXPECT_EQ(trap("store", {v32(65536 * 2 - 3), v32(1)}), TrapKind::MemoryOutOfBounds);
}

TEST_P(ExecTest, MissingImportIsUnlinkable) {
  ModuleBuilder m;
  m.add_import_func("env", "f", m.type({}, {}));
  auto mod = compile(m);
  ASSERT_TRUE(mod.ok());
  auto inst = store().instantiate(mod.value(), {});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Unlinkable);
  // A host function of the wrong type does not link either.
  Func* wrong = store().create_host_func(FuncType{{I32}, {}}, host_fail, nullptr);
  auto inst2 = store().instantiate(mod.value(), {Extern::func(wrong)});
  ASSERT_FALSE(inst2.ok());
  EXPECT_EQ(inst2.error().kind, ErrorKind::Unlinkable);
}

// ---------------------------------------------------------------- start function

TEST_P(ExecTest, StartFunctionRuns) {
  ModuleBuilder m;
  m.add_memory(1, 1);
  auto g = m.add_global(I32, true, Code().i32_const(0));
  auto start = m.add_func(m.type({}, {}), {},
                          Code().i32_const(42).global_set(g)
                              .i32_const(0).i32_const(0x2a).mem(Opcode::I32Store8));
  m.set_start(start);
  m.export_global("g", g);
  m.export_func("get", m.add_func(m.type({}, {I32}), {}, Code().global_get(g)));
  ASSERT_NE(instantiate(m), nullptr);
  EXPECT_EQ(run_i32("get"), 42u);
  EXPECT_EQ(exported_global("g")->bits & 0xffffffff, 42u);
  EXPECT_EQ(memory0()->data()[0], 0x2a);
}

TEST_P(ExecTest, StartFunctionTrapFailsInstantiation) {
  ModuleBuilder m;
  auto start = m.add_func(m.type({}, {}), {}, Code().i32_const(1).i32_const(0)
                                                  .op(Opcode::I32DivU).drop());
  m.set_start(start);
  auto mod = compile(m);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  auto inst = store().instantiate(mod.value(), {});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(inst.error().trap, TrapKind::IntegerDivideByZero);
}

TEST_P(ExecTest, StartFunctionSeesSegmentsAndImports) {
  HostState st;
  Func* add = store().create_host_func(FuncType{{I32, I32}, {I32}}, host_add, &st);
  ModuleBuilder m;
  auto h = m.add_import_func("env", "add", m.type({I32, I32}, {I32}));
  m.add_memory(1, 1);
  m.add_data(0, {20});
  auto g = m.add_global(I32, true, Code().i32_const(0));
  // start: g = add(mem[0], 22)
  auto start = m.add_func(m.type({}, {}), {},
                          Code().i32_const(0).mem(Opcode::I32Load8U).i32_const(22).call(h)
                              .global_set(g));
  m.set_start(start);
  m.export_global("g", g);
  ASSERT_NE(instantiate(m, {Extern::func(add)}), nullptr);
  EXPECT_EQ(st.calls, 1);
  EXPECT_EQ(exported_global("g")->bits & 0xffffffff, 42u);
}

// Declared locals start zero even where the previous call left garbage in the
// same value-stack slots, however many there are (the prologue switches to a
// bulk zeroing loop for large counts) and whatever their types. "dirty"
// fills 50,000 locals with non-zero bits; "check" (one parameter, 49,999
// locals of the same mix) returns the OR of all its locals' bits plus its
// parameter, which must survive the zeroing.
TEST_P(ExecTest, ManyLocalsStartZeroOverDirtySlots) {
  constexpr uint32_t kLocals = 50'000;
  const ValType kinds[] = {I32, I64, F32, F64};
  auto kind = [&](uint32_t i) { return kinds[(i / 5) % 4]; };
  std::vector<ValType> dirty_locals, check_locals;
  Code dirty, check;
  check.i64_const(0);
  for (uint32_t i = 0; i < kLocals; ++i) {
    dirty_locals.push_back(kind(i));
    switch (kind(i)) {
      case ValType::I32: dirty.i32_const(-1 - static_cast<int32_t>(i)); break;
      case ValType::I64: dirty.i64_const(-1 - static_cast<int64_t>(i)); break;
      case ValType::F32: dirty.f32_const_bits(0x7fc0'0000u + i); break;
      default: dirty.f64_const_bits(0xfff8'0000'0000'0000u + i); break;
    }
    dirty.local_set(i);
    if (i == 0) continue;  // check's parameter
    check_locals.push_back(kind(i));
    check.local_get(i);
    switch (kind(i)) {
      case ValType::I32: check.op(Opcode::I64ExtendI32U); break;
      case ValType::F32: check.op(Opcode::I32ReinterpretF32).op(Opcode::I64ExtendI32U); break;
      case ValType::F64: check.op(Opcode::I64ReinterpretF64); break;
      default: break;
    }
    check.op(Opcode::I64Or);
  }
  check.local_get(0).op(Opcode::I64Add);
  ModuleBuilder m;
  const uint32_t dirty_f = m.add_func(m.type({}, {}), dirty_locals, dirty);
  const uint32_t check_f = m.add_func(m.type({I64}, {I64}), check_locals, check);
  m.export_func("dirty", dirty_f);
  m.export_func("check", check_f);
  m.export_func("both", m.add_func(m.type({}, {I64}), {},
                                   Code().call(dirty_f).i64_const(7).call(check_f)));
  ASSERT_NE(instantiate(m), nullptr);
  // Several rounds, so the auto tiers run both functions in tier 1 too.
  for (int round = 0; round < 4; ++round) {
    ASSERT_TRUE(call("dirty").ok());
    EXPECT_EQ(run_i64("check", {v64(5)}), 5u) << "round " << round;
    EXPECT_EQ(run_i64("both"), 7u) << "round " << round;
  }
}


// n constants on the stack, a local above them, then n blocks and loops each
// followed by a local.set, then n adds: every block start sees a deep stack
// and every local.set an operand still in its local (tier 0 keeps both
// without copying). f(p) = p + 0 + 1 + ... + (n - 1).
ModuleBuilder deep_stack_module(uint32_t n) {
  Code c;
  for (uint32_t i = 0; i < n; ++i) c.i32_const(static_cast<int32_t>(i));
  c.local_get(0);
  for (uint32_t i = 0; i < n; ++i) c.block().end().loop().end().i32_const(1).local_set(0);
  for (uint32_t i = 0; i < n; ++i) c.op(Opcode::I32Add);
  ModuleBuilder m;
  m.export_func("f", m.add_func(m.type({I32}, {I32}), {}, c));
  return m;
}

TEST_P(ExecTest, DeepStackUnderBlocksAndLocalSets) {
  const uint32_t n = 3000;
  ASSERT_NE(instantiate(deep_stack_module(n)), nullptr);
  EXPECT_EQ(run_i32("f", {v32(5)}), 5u + n * (n - 1) / 2);
}

// Tier-0 code grows with the body, not with the stack under each block:
// constants are written to their slots once, not at every block start.
TEST(TierZeroCode, LinearInTheBodyOnADeepStack) {
  const uint32_t n = 20000;
  const Bytes bytes = deep_stack_module(n).build();
  Config c;
  c.tiers.policy = TierPolicy::Interp;
  Engine engine(c);
  auto module = compile(engine, bytes.data(), bytes.size());
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  const FuncCode& code = *module.value()->code[0];
  EXPECT_LE(code.code.size(), bytes.size()) << "words of tier-0 code for " << bytes.size()
                                            << " bytes of module";
}

}  // namespace
}  // namespace wvm
