// compile() under policy jit: tier 1 validates and compiles each body alone
// and tier-0 code is prepared only where a function stays in tier 0
// (engine/engine.cc, engine/tier_manager.cc). Checked here: compiled
// functions carry no tier-0 code but the frame tier 0 would give them; a
// function tier 1 cannot compile gets prepared tier-0 code and runs, calling
// and called by compiled code, with the results and gas of policy interp; an
// invalid body fails with tier 0's error; and the frame size tier 1 patches
// into its prologues makes the value stack run out at the same depth as in
// tier 0.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "tests/unit/tier_instance.h"
#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using test::Bytes;
using test::Code;
using test::ModuleBuilder;
constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

// grow(n): memory.grow by n pages, then sum(n) (compiled code calling it).
// sum(n): n + (n-1) + ... + 1 in a loop, calling back into `grow(0)` once.
ModuleBuilder grow_and_sum() {
  ModuleBuilder m;
  m.add_memory(1);
  const uint32_t t = m.type({I32}, {I32});
  // Function 0: grow (its memory.grow is what tier 1 cannot compile below).
  const uint32_t grow = m.add_func(
      t, {}, Code().local_get(0).memory_grow().drop().local_get(0).i32_const(1).op(Opcode::I32Add));
  // Function 1: sum, compiled; calls grow(0) on the way.
  const uint32_t sum = m.add_func(t, {I32},
                                  Code()
                                      .i32_const(0)
                                      .call(grow)
                                      .drop()
                                      .block()
                                      .loop()
                                      .local_get(0)
                                      .op(Opcode::I32Eqz)
                                      .br_if(1)
                                      .local_get(1)
                                      .local_get(0)
                                      .op(Opcode::I32Add)
                                      .local_set(1)
                                      .local_get(0)
                                      .i32_const(1)
                                      .op(Opcode::I32Sub)
                                      .local_set(0)
                                      .br(0)
                                      .end()
                                      .end()
                                      .local_get(1));
  // Function 2: entry, calls sum then grow (tier 1 -> tier 1 -> tier 0).
  const uint32_t entry = m.add_func(
      t, {}, Code().local_get(0).call(sum).local_get(0).call(grow).op(Opcode::I32Add));
  m.export_func("grow", grow);
  m.export_func("sum", sum);
  m.export_func("entry", entry);
  return m;
}

Config metered(TierPolicy policy, uint64_t grow_per_page) {
  Config c;
  c.tiers.policy = policy;
  c.metering.enabled = true;
  c.metering.profile = GasProfile::uniform();
  c.metering.profile.memory_grow_per_page = grow_per_page;
  return c;
}

struct Outcome {
  TrapKind trap;
  std::vector<Value> results;
  uint64_t gas_left;
};

Outcome run(Engine& engine, const std::shared_ptr<const Module>& module, const std::string& name,
            int32_t arg) {
  Store store(engine);
  auto inst = store.instantiate(module, {});
  EXPECT_TRUE(inst.ok()) << inst.error().to_string();
  if (!inst) return {TrapKind::None, {}, 0};
  store.set_gas_limit(1'000'000);
  CallResult r = store.call(inst.value()->find_export(name).as_func(), {Value::i32(arg)});
  return {r.trap, r.results, store.gas_left()};
}

// `b` compiled under policy interp and under policy jit, metered with
// `grow_rate`, each module checked to have compiled.
struct InterpAndJit {
  explicit InterpAndJit(const Bytes& b, uint64_t grow_rate)
      : reference(metered(TierPolicy::Interp, grow_rate)),
        engine(metered(TierPolicy::Jit, grow_rate)) {
    auto r = compile(reference, b.data(), b.size());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    if (r) ref_mod = r.value();
    auto j = compile(engine, b.data(), b.size());
    EXPECT_TRUE(j.ok()) << j.error().to_string();
    if (j) mod = j.value();
  }
  bool ok() const { return ref_mod != nullptr && mod != nullptr; }
  Engine reference;
  Engine engine;
  std::shared_ptr<const Module> ref_mod;
  std::shared_ptr<const Module> mod;
};

// `name`(arg) gives the same trap, results and gas in both engines.
void expect_same_outcome(Engine& reference, const std::shared_ptr<const Module>& ref_mod,
                         Engine& engine, const std::shared_ptr<const Module>& mod,
                         const std::string& name, int32_t arg) {
  const Outcome want = run(reference, ref_mod, name, arg);
  const Outcome got = run(engine, mod, name, arg);
  EXPECT_EQ(got.trap, want.trap) << name << " " << arg;
  EXPECT_EQ(got.results, want.results) << name << " " << arg;
  EXPECT_EQ(got.gas_left, want.gas_left) << name << " " << arg;
}

// Under unsupported_is_fatal, with grow's per-page rate past what tier 1
// takes, the module fails with tier 1's reason.
void expect_refused_as_unsupported(const Bytes& b) {
  Config fatal = metered(TierPolicy::Jit, uint64_t{1} << 32);
  fatal.tiers.unsupported_is_fatal = true;
  Engine strict(fatal);
  auto refused = compile(strict, b.data(), b.size());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::Unsupported) << refused.error().to_string();
}

TEST(JitOnlyCompile, CompiledFunctionsCarryNoTier0CodeButTier0sFrame) {
  for (BoundsStrategy bounds : {BoundsStrategy::GuardPages, BoundsStrategy::ExplicitChecks}) {
    Config c = metered(TierPolicy::Jit, 3);
    c.memory.bounds = bounds;
    c.tiers.unsupported_is_fatal = true;
    Engine engine(c);
    const Bytes b = grow_and_sum().build();
    auto mod = compile(engine, b.data(), b.size());
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    const Module& m = *mod.value();
    for (const std::unique_ptr<FuncCode>& code : m.code) {
      EXPECT_NE(code->jit_entry.load(), nullptr) << code->func_index;
      EXPECT_TRUE(code->code.empty()) << code->func_index;
      EXPECT_TRUE(code->sites.empty()) << code->func_index;
      auto prepared = prepare_function(m, c.module_limits, code->func_index);
      ASSERT_TRUE(prepared.ok());
      EXPECT_EQ(code->num_params, prepared.value()->num_params) << code->func_index;
      EXPECT_EQ(code->num_results, prepared.value()->num_results) << code->func_index;
      EXPECT_EQ(code->num_locals, prepared.value()->num_locals) << code->func_index;
      EXPECT_EQ(code->max_slots, prepared.value()->max_slots) << code->func_index;
    }
    EXPECT_EQ(engine.tier_stats().compiled, 3u);
    const Outcome out = run(engine, mod.value(), "entry", 10);
    ASSERT_EQ(out.trap, TrapKind::None);
    ASSERT_EQ(out.results.size(), 1u);
    EXPECT_EQ(static_cast<int32_t>(out.results[0].as_i32()), 55 + 11);
  }
}

// memory.grow's per-page rate past 2^31 is the one thing tier 1 refuses
// (tier1-jit/compiler.cc): `grow` stays in tier 0.
TEST(JitOnlyCompile, AFunctionTier1CannotCompileRunsPreparedInTier0) {
  const Bytes b = grow_and_sum().build();
  InterpAndJit both(b, uint64_t{1} << 32);
  ASSERT_TRUE(both.ok());
  const FuncCode& grow = *both.mod->code[0];
  EXPECT_EQ(grow.jit_entry.load(), nullptr);
  EXPECT_FALSE(grow.code.empty()) << "the fallback needs its tier-0 code";
  EXPECT_EQ(grow.code, both.ref_mod->code[0]->code);
  EXPECT_EQ(grow.max_slots, both.ref_mod->code[0]->max_slots);
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_NE(both.mod->code[i]->jit_entry.load(), nullptr) << i;
    EXPECT_TRUE(both.mod->code[i]->code.empty()) << i;
  }
  EXPECT_EQ(both.engine.tier_stats().compiled, 2u);
  EXPECT_EQ(both.engine.tier_stats().unsupported, 1u);

  for (const char* name : {"grow", "sum", "entry"})
    for (int32_t arg : {0, 1, 7})
      expect_same_outcome(both.reference, both.ref_mod, both.engine, both.mod, name, arg);

  // Fatal: the module does not compile, with tier 1's reason.
  expect_refused_as_unsupported(b);
}

// An invalid body, after valid ones: the same error as tier 0's preparation,
// with or without unsupported_is_fatal.
TEST(JitOnlyCompile, AnInvalidBodyFailsWithTier0sError) {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {I32});
  m.add_func(t, {}, Code().local_get(0));
  m.add_func(t, {I64}, Code().local_get(0).local_get(1).op(Opcode::I32Add));  // i32 + i64
  m.add_func(t, {}, Code().local_get(0));
  const Bytes b = m.build();
  Engine interp(Config{});
  auto want = compile(interp, b.data(), b.size());
  ASSERT_FALSE(want.ok());
  for (bool fatal : {false, true}) {
    Config c;
    c.tiers.policy = TierPolicy::Jit;
    c.tiers.unsupported_is_fatal = fatal;
    Engine engine(c);
    auto got = compile(engine, b.data(), b.size());
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().to_string(), want.error().to_string());
    EXPECT_EQ(got.error().offset, want.error().offset);
    EXPECT_EQ(engine.tier_stats().unsupported, 0u) << "an invalid body is not unsupported";
  }
}

// compile() under policy jit compiles the last function first (so that calls
// to callees placed after their callers are direct): its errors must still be
// those of index order, the first failing body's.
TEST(JitOnlyCompile, OfSeveralFailingBodiesTheFirstGivesTheError) {
  ModuleBuilder m;
  m.add_memory(1);
  const uint32_t t = m.type({I32}, {I32});
  m.add_func(t, {}, Code().local_get(0));
  m.add_func(t, {I64}, Code().local_get(0).local_get(1).op(Opcode::I32Add));  // i32 + i64
  m.add_func(t, {}, Code().local_get(0));
  m.add_func(t, {}, Code().local_get(7));  // unknown local
  const Bytes b = m.build();
  Engine interp(Config{});
  auto want = compile(interp, b.data(), b.size());
  ASSERT_FALSE(want.ok());
  Config c;
  c.tiers.policy = TierPolicy::Jit;
  Engine engine(c);
  auto got = compile(engine, b.data(), b.size());
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().to_string(), want.error().to_string());
  EXPECT_EQ(got.error().offset, want.error().offset);

  // Fatal unsupported (grow's per-page rate) before an invalid body: the
  // unsupported one is first.
  ModuleBuilder u;
  u.add_memory(1);
  const uint32_t ut = u.type({I32}, {I32});
  u.add_func(ut, {}, Code().local_get(0).memory_grow());
  u.add_func(ut, {}, Code().local_get(3));  // unknown local
  expect_refused_as_unsupported(u.build());
}

// Calls to functions after the caller, one compiled (a direct call) and one
// that stays in tier 0: results and gas as under policy interp.
TEST(JitOnlyCompile, CallsToLaterFunctionsMatchTier0) {
  ModuleBuilder m;
  m.add_memory(1);
  const uint32_t t = m.type({I32}, {I32});
  // Function 0: entry(n) = sum(n) + grow(n) + sum(1).
  const uint32_t entry = m.add_func(t, {},
                                    Code()
                                        .local_get(0)
                                        .call(1)
                                        .local_get(0)
                                        .call(2)
                                        .op(Opcode::I32Add)
                                        .i32_const(1)
                                        .call(1)
                                        .op(Opcode::I32Add));
  // Function 1: sum(n) = n + (n - 1) + ... + 1, recursively.
  m.add_func(t, {},
             Code()
                 .local_get(0)
                 .op(Opcode::I32Eqz)
                 .if_(test::BlockType::val(I32))
                 .i32_const(0)
                 .else_()
                 .local_get(0)
                 .local_get(0)
                 .i32_const(1)
                 .op(Opcode::I32Sub)
                 .call(1)
                 .op(Opcode::I32Add)
                 .end());
  // Function 2: grow(n): memory.grow by n pages, then n + 1.
  m.add_func(t, {},
             Code().local_get(0).memory_grow().drop().local_get(0).i32_const(1).op(Opcode::I32Add));
  m.export_func("entry", entry);
  InterpAndJit both(m.build(), uint64_t{1} << 32);  // grow stays in tier 0
  ASSERT_TRUE(both.ok());
  EXPECT_NE(both.mod->code[0]->jit_entry.load(), nullptr);
  EXPECT_NE(both.mod->code[1]->jit_entry.load(), nullptr);
  EXPECT_EQ(both.mod->code[2]->jit_entry.load(), nullptr);
  for (int32_t arg : {0, 1, 9})
    expect_same_outcome(both.reference, both.ref_mod, both.engine, both.mod, "entry", arg);
}

// rec(n) = 1+2+3+4+5 + (n == 0 ? 0 : rec(n - 1) + 1), with 40 extra locals: a deep
// operand stack: with a small value stack, each tier must run out of it at
// the same depth (tier 1's prologues check the frame size filled in at
// finish(); tier 0 checks max_slots).
TEST(JitOnlyCompile, TheValueStackRunsOutAtTheSameDepthInEveryTier) {
  ModuleBuilder m;
  test::add_rec(m, 40, 5);  // six operands deep at the call
  const Bytes b = m.build();
  auto first_exhausted = [&](const char* tier, uint32_t slots) {
    return test::first_exhausted(tier, b, slots, [](int32_t n) { return test::rec_result(n, 5); });
  };
  // A frame advances the stack by about 50 slots: 64 sizes put the limit at
  // every offset within one, so a frame size off by one slot shows.
  for (uint32_t slots = 3000; slots < 3064; ++slots) {
    const int32_t want = first_exhausted("interp", slots);
    ASSERT_GT(want, 10);
    ASSERT_LT(want, 200);
    for (const char* tier : {"jit", "jit-explicit-bounds", "auto"})
      ASSERT_EQ(first_exhausted(tier, slots), want) << tier << " with " << slots << " slots";
  }
}

}  // namespace
}  // namespace wvm
