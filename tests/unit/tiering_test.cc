// The tier manager: when functions reach tier 1, synchronously and on the
// background thread, and that results do not depend on where a function runs.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/background_compiler.h"
#include "tests/unit/builder.h"
#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

// sum(n) = 0 + 1 + ... + n-1, with a loop (back-edges) and a call per step.
ModuleBuilder summing_module() {
  ModuleBuilder m;
  const uint32_t t_add = m.type({I32, I32}, {I32});
  const uint32_t t_sum = m.type({I32}, {I32});
  const uint32_t add = m.add_func(t_add, {}, Code().local_get(0).local_get(1).op(Opcode::I32Add));
  m.export_func("sum", m.add_func(t_sum, {I32, I32}, Code()
                                                    .block()
                                                    .loop()
                                                    .local_get(1)
                                                    .local_get(0)
                                                    .op(Opcode::I32GeU)
                                                    .br_if(1)
                                                    .local_get(2)
                                                    .local_get(1)
                                                    .call(add)
                                                    .local_set(2)
                                                    .local_get(1)
                                                    .i32_const(1)
                                                    .op(Opcode::I32Add)
                                                    .local_set(1)
                                                    .br(0)
                                                    .end()
                                                    .end()
                                                    .local_get(2)));
  return m;
}

struct Tiered {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Store> store;
  Instance* instance = nullptr;

  explicit Tiered(const Config& config) {
    engine = std::make_unique<Engine>(config);
    store = std::make_unique<Store>(*engine);
    const Bytes b = summing_module().build();
    auto mod = compile(*engine, b.data(), b.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    auto inst = store->instantiate(mod.value(), {});
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    instance = inst.value();
  }
  ~Tiered() {
    store.reset();
    engine.reset();
  }
  uint32_t sum(uint32_t n) {
    CallResult r = store->call(instance->find_export("sum").as_func(), {Value::i32(n)});
    EXPECT_TRUE(r.ok()) << trap_message(r.trap);
    return r.ok() ? r.results[0].as_i32() : 0;
  }
  bool compiled(const char* name) {
    return instance->find_export(name).as_func()->code->jit_entry.load() != nullptr;
  }
};

// A tier-0 caller whose compiled callee grows the memory sees the new size:
// with explicit bounds checks, a store into the new page must not trap.
TEST(TieringTest, Tier0CallerSeesMemoryGrownByCompiledCallee) {
  ModuleBuilder m;
  m.add_memory(1);
  const uint32_t t_grow = m.type({}, {});
  const uint32_t t_run = m.type({}, {I32});
  const uint32_t grow =
      m.add_func(t_grow, {}, Code().i32_const(1).memory_grow().op(Opcode::Drop));
  // Three calls: the callee is compiled at the second (threshold 2), so the
  // third runs compiled; then a store into the fourth page, and its load.
  m.export_func("run", m.add_func(t_run, {}, Code()
                                                 .call(grow)
                                                 .call(grow)
                                                 .call(grow)
                                                 .i32_const(3 * 65536 + 8)
                                                 .i32_const(42)
                                                 .store(Opcode::I32Store, 2)
                                                 .i32_const(3 * 65536 + 8)
                                                 .load(Opcode::I32Load, 2)));
  Config c;
  c.tiers.policy = TierPolicy::Auto;
  c.tiers.tier_up_threshold = 2;
  c.memory.bounds = BoundsStrategy::ExplicitChecks;
  Engine engine(c);
  Store store(engine);
  const Bytes b = m.build();
  auto mod = compile(engine, b.data(), b.size());
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  auto inst = store.instantiate(mod.value(), {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  CallResult r = store.call(inst.value()->find_export("run").as_func(), {});
  ASSERT_TRUE(r.ok()) << trap_message(r.trap);
  EXPECT_EQ(r.results[0].as_i32(), 42u);
  EXPECT_EQ(inst.value()->memory()->size_bytes(), 4u * 65536);
}

TEST(TieringTest, InterpNeverCompiles) {
  Config c;
  c.tiers.policy = TierPolicy::Interp;
  Tiered s(c);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.sum(100), 4950u);
  EXPECT_FALSE(s.compiled("sum"));
  EXPECT_EQ(s.engine->tier_stats().compiled, 0u);
}

TEST(TieringTest, JitCompilesEverythingUpFront) {
  Config c;
  c.tiers.policy = TierPolicy::Jit;
  Tiered s(c);
  EXPECT_TRUE(s.compiled("sum"));
  EXPECT_EQ(s.engine->tier_stats().compiled, 2u);
  EXPECT_EQ(s.sum(100), 4950u);
}

TEST(TieringTest, AutoCompilesWhenCallsOrBackEdgesReachTheThreshold) {
  Config c;
  c.tiers.policy = TierPolicy::Auto;
  c.tiers.tier_up_threshold = 50;
  Tiered s(c);
  EXPECT_FALSE(s.compiled("sum"));
  // One call with 60 iterations: 60 calls of `add` and 60 back-edges of `sum`.
  EXPECT_EQ(s.sum(60), 1770u);
  EXPECT_TRUE(s.compiled("sum"));  // by its back-edges, though entered once
  EXPECT_EQ(s.engine->tier_stats().compiled, 2u);
  EXPECT_EQ(s.sum(60), 1770u);     // now runs compiled
}

TEST(TieringTest, BackgroundCompilationInstallsCodeWhileTier0Runs) {
  Config c;
  c.tiers.policy = TierPolicy::Auto;
  c.tiers.tier_up_threshold = 1;
  c.tiers.background_compile = true;
  Tiered s(c);
  ASSERT_NE(s.engine->background_compiler(), nullptr);
  EXPECT_EQ(s.sum(1000), 499500u);  // runs on while the worker compiles
  s.engine->background_compiler()->drain();
  EXPECT_TRUE(s.compiled("sum"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.sum(1000), 499500u);
}

TEST(TieringTest, EngineStopsItsCompileThreadWithWorkQueued) {
  for (int round = 0; round < 20; ++round) {
    Config c;
    c.tiers.policy = TierPolicy::Auto;
    c.tiers.tier_up_threshold = 1;
    c.tiers.background_compile = true;
    Tiered s(c);
    EXPECT_EQ(s.sum(10), 45u);
    // Tiered's destructor destroys the engine while compilation may be queued.
  }
}

}  // namespace
}  // namespace wvm
