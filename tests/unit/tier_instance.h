// An engine and a store set up for one test tier (tier_config.h), tier 1
// required to compile every function: what execution tests that build their
// modules with the builder DSL instantiate them with.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "wvm/wvm.h"

namespace wvm::test {

class TierInstance {
 public:
  /// Instantiates `m` in a new engine set up for `tier` (any previous
  /// instance is gone); nullptr, the test failed, if it does not instantiate.
  Instance* instantiate(const ModuleBuilder& m, std::string_view tier) {
    Config c;
    apply_tier(c, tier);
    c.tiers.unsupported_is_fatal = true;
    store_.reset();  // before the engine it lives in
    engine_ = std::make_unique<Engine>(c);
    store_ = std::make_unique<Store>(*engine_);
    const Bytes b = m.build();
    auto mod = compile(*engine_, b.data(), b.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    if (!mod) return nullptr;
    auto inst = store_->instantiate(mod.value(), {});
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    return inst ? inst.value() : nullptr;
  }
  /// Calls export `name` of `inst`, which must return one value without a trap.
  Value call(Instance* inst, const std::string& name, const std::vector<Value>& args) {
    CallResult r = store_->call(inst->find_export(name).as_func(), args);
    EXPECT_TRUE(r.ok()) << name << ": " << trap_message(r.trap);
    EXPECT_EQ(r.results.size(), 1u) << name;
    return r.results.empty() ? Value{} : r.results[0];
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
};

/// Adds export "rec", which must be the module's function 0: rec(n) recurses
/// n deep, with `extra_locals` i64 locals and the constants 1..`operands` on
/// the operand stack under each call (a deeper frame), and returns
/// rec_result(n, operands).
inline void add_rec(ModuleBuilder& m, uint32_t extra_locals, uint32_t operands) {
  const uint32_t t = m.type({ValType::I32}, {ValType::I32});
  Code body;
  for (uint32_t k = 1; k <= operands; ++k) body.i32_const(static_cast<int32_t>(k));
  body.local_get(0)
      .op(Opcode::I32Eqz)
      .if_(ValType::I32)
      .i32_const(0)
      .else_()
      .local_get(0)
      .i32_const(1)
      .op(Opcode::I32Sub)
      .call(0)
      .i32_const(1)
      .op(Opcode::I32Add)
      .end();
  for (uint32_t k = 0; k < operands; ++k) body.op(Opcode::I32Add);
  m.export_func("rec", m.add_func(t, std::vector<ValType>(extra_locals, ValType::I64), body));
}
/// What add_rec's rec(n) returns: each level adds 1 and 1 + ... + operands.
inline uint32_t rec_result(int32_t n, uint32_t operands) {
  const uint32_t sum = operands * (operands + 1) / 2;
  return static_cast<uint32_t>(n) * (sum + 1) + sum;
}

/// The smallest n for which export `rec` of module `b` (one i32 in, one i32
/// out, recursing n deep) runs out of a value stack of `slots` under
/// `tier`, by binary search over [0, 1000]; every shallower call must return
/// `expected(n)`. -1 (the test failed) on any other outcome.
inline int32_t first_exhausted(std::string_view tier, const Bytes& b, uint32_t slots,
                               const std::function<uint32_t(int32_t)>& expected) {
  Config c;
  apply_tier(c, tier);
  c.tiers.unsupported_is_fatal = true;
  c.runtime_limits.value_stack_slots = slots;
  Engine engine(c);
  auto mod = compile(engine, b.data(), b.size());
  EXPECT_TRUE(mod.ok()) << mod.error().to_string();
  if (!mod) return -1;
  Store store(engine);
  auto inst = store.instantiate(mod.value(), {});
  EXPECT_TRUE(inst.ok());
  if (!inst) return -1;
  Func* rec = inst.value()->find_export("rec").as_func();
  int32_t lo = 0, hi = 1000;  // rec(lo) runs, rec(hi) runs out
  while (hi - lo > 1) {
    const int32_t n = lo + (hi - lo) / 2;
    CallResult r = store.call(rec, {Value::i32(n)});
    if (r.trap == TrapKind::CallStackExhausted) {
      hi = n;
      continue;
    }
    EXPECT_EQ(r.trap, TrapKind::None) << tier << " " << n;
    if (r.trap != TrapKind::None) return -1;
    EXPECT_EQ(r.results.at(0).as_i32(), expected(n)) << tier << " " << n;
    lo = n;
  }
  return hi;
}

/// A tier as a test name part (gtest allows no '-').
inline std::string tier_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

}  // namespace wvm::test
