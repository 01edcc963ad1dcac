// On-stack replacement: under policy auto, a call whose loop gets hot moves
// from tier 0 into tier-1 code at the loop's header and finishes there. Each
// case runs one call under auto (low threshold) and compares it with the same
// call in tier 0 and in tier 1: results, trap kind, trap backtrace and gas must
// be identical, and the engine must have counted the OSR entries. Every case
// runs with guard pages and explicit checks, metered and not.
#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/background_compiler.h"
#include "engine/tier_manager.h"
#include "tests/unit/builder.h"
#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

struct OsrVariant {
  BoundsStrategy bounds;
  bool metered;
  const char *name;
};

// ctest's test names show the parameter: its name, not its bytes.
void PrintTo(const OsrVariant &v, std::ostream *os) { *os << v.name; }

// Function indices: the host import `env.wait` is 0.
enum : uint32_t {
  kWait = 0,
  kSum,
  kNested,
  kInExpr,
  kParams,
  kOob,
  kDivZero,
  kOuter,
  kWaiting,
  kConsts
};

// i += 1 at the end of a loop over local `i` while i < local 0, then a
// back-edge.
Code count_up(uint32_t i, uint32_t depth) {
  return Code()
      .local_get(i)
      .i32_const(1)
      .op(Opcode::I32Add)
      .local_tee(i)
      .local_get(0)
      .op(Opcode::I32LtU)
      .br_if(depth);
}

// acc += `value` for i < local 0 (acc: local 2), `before` first at each
// step; returns acc.
Code accumulate(const Code &value, const Code &before = Code()) {
  return Code()
      .loop()
      .append(before)
      .local_get(2)
      .append(value)
      .op(Opcode::I32Add)
      .local_set(2)
      .append(count_up(1, 0))
      .end()
      .local_get(2);
}

Bytes osr_module() {
  ModuleBuilder m;
  const uint32_t t_void = m.type({}, {});
  const uint32_t t_i32 = m.type({I32}, {I32});
  const uint32_t t_pair = m.type({I32, I32}, {I32});
  m.add_import_func("env", "wait", t_void);
  m.add_memory(1);
  // sum(n): acc = acc * 31 + i over i < n (wrapping).
  m.add_func(t_i32, {I32, I32},
             accumulate(Code().i32_const(31).op(Opcode::I32Mul).local_get(1)));
  // nested(n): two loops deep, the inner one hot first.
  m.add_func(t_i32, {I32, I32, I32},
             Code()
                 .loop()
                 .i32_const(0)
                 .local_set(2)
                 .loop()
                 .local_get(3)
                 .local_get(1)
                 .local_get(2)
                 .op(Opcode::I32Mul)
                 .op(Opcode::I32Xor)
                 .i32_const(7)
                 .op(Opcode::I32Add)
                 .local_set(3)
                 .append(count_up(2, 0))
                 .end()
                 .append(count_up(1, 0))
                 .end()
                 .local_get(3));
  // in_expr(n): 5 + (loop (result i32) ... ): an operand below the loop and
  // one above its height at the back-edge (dropped by the branch).
  m.add_func(t_i32, {I32},
             Code()
                 .i32_const(5)
                 .loop(BlockType::val(I32))
                 .local_get(1)
                 .i32_const(1)
                 .op(Opcode::I32Add)
                 .local_tee(1)
                 .local_get(1)
                 .local_get(0)
                 .op(Opcode::I32LtU)
                 .br_if(0)
                 .end()
                 .op(Opcode::I32Add));
  // params(n): 1000 + a loop with params (count, acc) carried on the stack.
  m.add_func(t_i32, {I32, I32},
             Code()
                 .i32_const(1000)
                 .local_get(0)
                 .i32_const(0)
                 .loop(BlockType::type(t_pair))
                 .local_set(2)
                 .local_set(1)
                 .local_get(1)
                 .i32_const(1)
                 .op(Opcode::I32Sub)
                 .local_get(2)
                 .local_get(1)
                 .local_get(1)
                 .op(Opcode::I32Mul)
                 .op(Opcode::I32Add)
                 .local_get(1)
                 .i32_const(1)
                 .op(Opcode::I32GtU)
                 .br_if(0)
                 .local_set(2)
                 .drop()
                 .local_get(2)
                 .end()
                 .op(Opcode::I32Add));
  // oob(n): loads at 256 * i; past the page (i >= 256) it traps.
  m.add_func(t_i32, {I32, I32},
             accumulate(Code()
                            .local_get(1)
                            .i32_const(256)
                            .op(Opcode::I32Mul)
                            .mem(Opcode::I32Load)));
  // div_zero(n): 1 / (n - 1 - i) at each step: traps when i reaches n - 1.
  m.add_func(t_i32, {I32, I32},
             accumulate(Code()
                            .i32_const(1)
                            .local_get(0)
                            .i32_const(1)
                            .op(Opcode::I32Sub)
                            .local_get(1)
                            .op(Opcode::I32Sub)
                            .op(Opcode::I32DivU)));
  // outer(n): calls div_zero from a tier-0 frame, so a trace has two frames.
  m.add_func(
      t_i32, {},
      Code().i32_const(1).local_get(0).call(kDivZero).op(Opcode::I32Add));
  // waiting(n): a loop calling env.wait at each step.
  m.add_func(t_i32, {I32, I32},
             accumulate(Code().local_get(1), Code().call(kWait)));
  // consts(n): constants below a loop, one of them outside the block
  // around it and one 64-bit, used after the loop: tier 0 keeps operands
  // in constants without writing their slots, and on-stack replacement
  // enters tier 1 with every operand in its slot.
  m.add_func(t_i32, {I32},
             Code()
                 .i64_const(0x100000001)
                 .i32_const(3)
                 .block(BlockType::val(I32))
                 .i32_const(5)
                 .loop(BlockType::val(I32))
                 .append(count_up(1, 0))
                 .local_get(1)
                 .end()
                 .op(Opcode::I32Add)
                 .end()
                 .op(Opcode::I32Add)
                 .op(Opcode::I64ExtendI32U)
                 .op(Opcode::I64Add)
                 .op(Opcode::I32WrapI64));
  const char *names[] = {"sum", "nested",   "in_expr", "params",
                         "oob", "div_zero", "outer",   "waiting", "consts"};
  for (uint32_t f = kSum; f <= kConsts; ++f)
    m.export_func(names[f - kSum], f);
  return m.build();
}

struct Outcome {
  CallResult result;
  GasReport gas;
  uint64_t osr_entries = 0;
};

class OsrTest : public ::testing::TestWithParam<OsrVariant> {
protected:
  Config config(TierPolicy policy, uint32_t threshold,
                bool background = false) const {
    Config c;
    c.memory.bounds = GetParam().bounds;
    c.metering.enabled = GetParam().metered;
    c.metering.profile = GasProfile::cosmwasm();
    c.tiers.policy = policy;
    c.tiers.tier_up_threshold = threshold;
    c.tiers.background_compile = background;
    return c;
  }

  // One call of export `name` on a fresh engine.
  Outcome run(const Config &c, const char *name, uint32_t arg,
              uint64_t gas_limit) const {
    Engine engine(c);
    Store store(engine);
    const Bytes bytes = osr_module();
    auto module = compile(engine, bytes.data(), bytes.size());
    EXPECT_TRUE(module.ok()) << module.error().to_string();
    if (!module.ok())
      return {};
    // env.wait lets a background compilation finish while tier 0 runs.
    Func *wait = store.create_host_func(
        FuncType{{}, {}}, [&engine](HostCall &, const Value *, Value *) {
          if (engine.background_compiler() != nullptr)
            engine.background_compiler()->drain();
          return TrapKind::None;
        });
    auto instance = store.instantiate(module.value(), {Extern::func(wait)});
    EXPECT_TRUE(instance.ok()) << instance.error().to_string();
    if (!instance.ok())
      return {};
    store.set_gas_limit(gas_limit);
    Outcome out;
    out.result = store.call(instance.value()->find_export(name).as_func(),
                            {Value::i32(arg)});
    out.gas = store.gas_report();
    out.osr_entries = engine.tier_stats().osr_entries;
    return out;
  }

  static void expect_same(const Outcome &want, const Outcome &got,
                          const char *tier) {
    EXPECT_EQ(got.result.trap, want.result.trap) << tier;
    ASSERT_EQ(got.result.results.size(), want.result.results.size()) << tier;
    for (size_t i = 0; i < want.result.results.size(); ++i)
      EXPECT_EQ(got.result.results[i].bits, want.result.results[i].bits)
          << tier;
    ASSERT_EQ(got.result.trace.size(), want.result.trace.size()) << tier;
    for (size_t i = 0; i < want.result.trace.size(); ++i) {
      EXPECT_EQ(got.result.trace[i].func_index, want.result.trace[i].func_index)
          << tier;
      EXPECT_EQ(got.result.trace[i].offset, want.result.trace[i].offset)
          << tier;
    }
    EXPECT_EQ(got.gas.remaining, want.gas.remaining) << tier;
    EXPECT_EQ(got.gas.used_internally, want.gas.used_internally) << tier;
  }

  // The call under auto entered tier 1 by OSR and agrees with both tiers.
  Outcome check(const char *name, uint32_t arg, uint64_t gas_limit = UINT64_MAX,
                uint32_t threshold = 10) {
    const Outcome interp =
        run(config(TierPolicy::Interp, threshold), name, arg, gas_limit);
    const Outcome jit =
        run(config(TierPolicy::Jit, threshold), name, arg, gas_limit);
    const Outcome tiered =
        run(config(TierPolicy::Auto, threshold), name, arg, gas_limit);
    expect_same(interp, jit, "jit");
    expect_same(interp, tiered, "auto");
    EXPECT_EQ(interp.osr_entries, 0u);
    EXPECT_EQ(jit.osr_entries, 0u);
    EXPECT_GE(tiered.osr_entries, 1u)
        << "the running call should have entered tier 1";
    return tiered;
  }
};

TEST_P(OsrTest, HotLoopOfOneLongCallMovesToTier1) {
  const Outcome o = check("sum", 100000);
  ASSERT_EQ(o.result.trap, TrapKind::None);
  EXPECT_EQ(o.osr_entries, 1u); // once there, the call stays in tier 1
}

TEST_P(OsrTest, NestedLoops) { check("nested", 300); }

TEST_P(OsrTest, LoopInsideAnExpression) {
  const Outcome o = check("in_expr", 5000);
  ASSERT_EQ(o.result.results.size(), 1u);
  EXPECT_EQ(o.result.results[0].as_i32(), 5005u);
}

TEST_P(OsrTest, LoopWithParams) { check("params", 5000); }

TEST_P(OsrTest, ConstantsBelowTheLoop) {
  const Outcome o = check("consts", 5000);
  ASSERT_EQ(o.result.results.size(), 1u);
  EXPECT_EQ(o.result.results[0].as_i32(), 5000u + 5 + 3 + 1);
}

TEST_P(OsrTest, TrapAfterOsrKeepsKindAndTrace) {
  const Outcome oob = check("oob", 100000);
  EXPECT_EQ(oob.result.trap, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(oob.result.trace.size(), 1u);
  const Outcome div = check("outer", 500);
  EXPECT_EQ(div.result.trap, TrapKind::IntegerDivideByZero);
  ASSERT_EQ(div.result.trace.size(), 2u); // div_zero, then outer at its call
  EXPECT_EQ(div.result.trace[0].func_index, kDivZero);
  EXPECT_EQ(div.result.trace[1].func_index, kOuter);
}

// Gas runs out only when metered: this runs in the metered variants alone.
class OsrGasTest : public OsrTest {};

TEST_P(OsrGasTest, OutOfGasAfterOsr) {
  ASSERT_TRUE(GetParam().metered);
  const Outcome o = check("sum", 10'000'000, 200'000);
  EXPECT_EQ(o.result.trap, TrapKind::OutOfGas);
  EXPECT_EQ(o.gas.remaining, 0u);
}

// Threshold 2: the call starts in tier 0, its second back-edge enters.
TEST_P(OsrTest, LowThresholdEntersAtOnce) {
  check("nested", 40, UINT64_MAX, 2);
}

TEST_P(OsrTest, BackgroundCompileEntersOnceTheCodeIsPublished) {
  // Threshold 2: the second back-edge queues the function and tier 0 runs
  // on (unless the code is published at once); env.wait returns once it is
  // compiled, and a later back-edge enters.
  const Outcome interp =
      run(config(TierPolicy::Interp, 2), "waiting", 1000, UINT64_MAX);
  const Outcome tiered =
      run(config(TierPolicy::Auto, 2, true), "waiting", 1000, UINT64_MAX);
  expect_same(interp, tiered, "auto+background");
  EXPECT_EQ(tiered.osr_entries, 1u);
}

TEST_P(OsrTest, CachedModuleCarriesItsOsrEntries) {
  // Policy auto, every function compiled: its code has an OSR entry per loop.
  Engine engine(config(TierPolicy::Auto, 10));
  const Bytes bytes = osr_module();
  auto module = compile(engine, bytes.data(), bytes.size());
  ASSERT_TRUE(module.ok());
  const Module &m = *module.value();
  for (uint32_t i = 0; i < m.code.size(); ++i)
    ASSERT_TRUE(tier_up(engine, m, m.num_imported_funcs + i).ok());
  auto stored = serialize_module(engine, m);
  ASSERT_TRUE(stored.ok()) << stored.error().to_string();
  auto loaded =
      deserialize_module(engine, stored.value().data(), stored.value().size());
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  size_t loops = 0;
  for (size_t i = 0; i < m.code.size(); ++i) {
    const FuncCode &a = *m.code[i];
    const FuncCode &b = *loaded.value()->code[i];
    loops += a.loop_headers.size();
    EXPECT_EQ(a.loop_headers, b.loop_headers) << "function " << i;
    EXPECT_EQ(a.jit_osr_entries, b.jit_osr_entries) << "function " << i;
    EXPECT_EQ(a.jit_osr_entries.size(), a.loop_headers.size())
        << "function " << i;
    EXPECT_NE(b.osr_base.load(), nullptr) << "function " << i;
  }
  EXPECT_GE(loops, 3u);

  // Policy jit: no call of compiled code runs in tier 0, so there are no OSR
  // entries (and no tier-0 code until serialize_module prepares it).
  Engine jit_engine(config(TierPolicy::Jit, 10));
  auto jit_module = compile(jit_engine, bytes.data(), bytes.size());
  ASSERT_TRUE(jit_module.ok());
  auto jit_stored = serialize_module(jit_engine, *jit_module.value());
  ASSERT_TRUE(jit_stored.ok()) << jit_stored.error().to_string();
  auto jit_loaded = deserialize_module(jit_engine, jit_stored.value().data(),
                                       jit_stored.value().size());
  ASSERT_TRUE(jit_loaded.ok()) << jit_loaded.error().to_string();
  for (size_t i = 0; i < jit_module.value()->code.size(); ++i) {
    const FuncCode &a = *jit_module.value()->code[i];
    const FuncCode &b = *jit_loaded.value()->code[i];
    EXPECT_TRUE(a.code.empty()) << "function " << i;
    EXPECT_TRUE(a.jit_osr_entries.empty()) << "function " << i;
    EXPECT_EQ(b.loop_headers, m.code[i]->loop_headers) << "function " << i;
    EXPECT_TRUE(b.jit_osr_entries.empty()) << "function " << i;
    EXPECT_NE(b.jit_entry.load(), nullptr) << "function " << i;
  }
}

const OsrVariant kOsrVariants[] = {
    {BoundsStrategy::GuardPages, true, "guard_metered"},
    {BoundsStrategy::ExplicitChecks, true, "explicit_metered"},
    {BoundsStrategy::GuardPages, false, "guard"},
    {BoundsStrategy::ExplicitChecks, false, "explicit"},
};
INSTANTIATE_TEST_SUITE_P(Variants, OsrTest, ::testing::ValuesIn(kOsrVariants),
                         [](const auto &info) {
                           return std::string(info.param.name);
                         });
INSTANTIATE_TEST_SUITE_P(Metered, OsrGasTest,
                         ::testing::Values(kOsrVariants[0], kOsrVariants[1]),
                         [](const auto &info) {
                           return std::string(info.param.name);
                         });

} // namespace
} // namespace wvm
