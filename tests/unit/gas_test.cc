// Gas metering: hand-computed figures under the uniform and cosmwasm
// profiles, the exact boundary, traps mid-run, host-charged gas, per-unit
// costs, the locals entry charge (cosmwasm-vm 3.0.9's placement), and
// metering off vs on. Every test runs on every tier.
//
// Rules being checked (metering/cost_model.h): each operator's cost joins
// the current run; at an accounting operator (loop, end, if, else, br,
// br_if, br_table, call, call_indirect, return) the run including that
// operator is charged before it executes; a charge in unreachable code never
// happens; a trap before the metering point charges nothing for its run.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/builder.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

constexpr uint64_t kOp = 115;           // cosmwasm: any operator
constexpr uint64_t kAcc = 115 * 14;     // cosmwasm: accounting operator

struct Tier {
  const char* name;
  BoundsStrategy bounds;
  TierPolicy policy;
};
const Tier kTiers[] = {{"interp", BoundsStrategy::GuardPages, TierPolicy::Interp},
                       {"interp_explicit_bounds", BoundsStrategy::ExplicitChecks, TierPolicy::Interp},
                       {"jit", BoundsStrategy::GuardPages, TierPolicy::Jit},
                       {"jit_explicit_bounds", BoundsStrategy::ExplicitChecks, TierPolicy::Jit},
                       {"auto", BoundsStrategy::GuardPages, TierPolicy::Auto}};
void PrintTo(const Tier& t, std::ostream* os) { *os << t.name; }

class GasTest : public ::testing::TestWithParam<Tier> {
 protected:
  struct Run {
    TrapKind trap;
    std::vector<Value> results;
    GasReport gas;
    std::vector<TraceFrame> trace;
  };

  // Compiles `m` with `profile` (metering on unless `metered` is false),
  // instantiates it with `imports_for(store)`, sets `limit`, calls `name`.
  Run run(const ModuleBuilder& m, const GasProfile& profile, const std::string& name,
          std::vector<Value> args, uint64_t limit = UINT64_MAX, bool metered = true) {
    Config config;
    config.memory.bounds = GetParam().bounds;
    config.tiers.policy = GetParam().policy;
    config.tiers.tier_up_threshold = 2;
    config.metering.enabled = metered;
    config.metering.profile = profile;
    store_.reset();  // a store must not outlive its engine
    engine_ = std::make_unique<Engine>(config);
    store_ = std::make_unique<Store>(*engine_);
    const Bytes b = m.build();
    auto mod = compile(*engine_, b.data(), b.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    if (!mod.ok()) return {TrapKind::HostError, {}, {}};
    std::vector<Extern> imports;
    for (const Import& im : mod.value()->imports) {
      EXPECT_EQ(im.name, "charge") << "only env.charge is provided";
      imports.push_back(Extern::func(store_->create_host_func(
          mod.value()->types[im.func_type], &charge_host, nullptr)));
    }
    auto inst = store_->instantiate(mod.value(), imports);
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    if (!inst.ok()) return {TrapKind::HostError, {}, {}};
    store_->set_gas_limit(limit);
    CallResult r = store_->call(inst.value()->find_export(name).as_func(), args);
    return {r.trap, r.results, store_->gas_report(), r.trace};
  }

  static uint64_t used(const Run& r) { return r.gas.limit - r.gas.remaining; }

  // env.charge(i64 amount): charges `amount` through the host API.
  static TrapKind charge_host(HostCall& call, const Value* args, Value*) {
    return call.charge(args[0].as_i64());
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Tiers, GasTest, ::testing::ValuesIn(kTiers),
                         [](const ::testing::TestParamInfo<Tier>& info) {
                           return std::string(info.param.name);
                         });

// (func (result i32) i32.const 1  i32.const 2  i32.add  end)
ModuleBuilder straight_line() {
  ModuleBuilder m;
  const uint32_t t = m.type({}, {I32});
  m.export_func("f", m.add_func(t, {}, Code().i32_const(1).i32_const(2).op(Opcode::I32Add)));
  return m;
}

TEST_P(GasTest, StraightLineIsChargedAtTheFunctionEnd) {
  Run u = run(straight_line(), GasProfile::uniform(), "f", {});
  ASSERT_EQ(u.trap, TrapKind::None);
  EXPECT_EQ(u.results[0].as_i32(), 3u);
  EXPECT_EQ(used(u), 4u);  // const, const, add, end
  Run c = run(straight_line(), GasProfile::cosmwasm(), "f", {});
  EXPECT_EQ(used(c), 3 * kOp + kAcc);
  EXPECT_EQ(c.gas.used_internally, 3 * kOp + kAcc);
  EXPECT_EQ(c.gas.used_externally, 0u);
}

TEST_P(GasTest, ExactBoundary) {
  const uint64_t cost = 3 * kOp + kAcc;
  Run ok = run(straight_line(), GasProfile::cosmwasm(), "f", {}, cost);
  EXPECT_EQ(ok.trap, TrapKind::None);
  EXPECT_EQ(ok.gas.remaining, 0u);
  Run out = run(straight_line(), GasProfile::cosmwasm(), "f", {}, cost - 1);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  EXPECT_EQ(out.gas.remaining, 0u);
  Run zero = run(straight_line(), GasProfile::uniform(), "f", {}, 0);
  EXPECT_EQ(zero.trap, TrapKind::OutOfGas);
}

// (func (param $n i32)  loop  get 0, const 1, sub, tee 0, br_if 0  end  end)
ModuleBuilder countdown() {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {});
  m.export_func("f", m.add_func(t, {}, Code()
                                           .loop()
                                           .local_get(0)
                                           .i32_const(1)
                                           .op(Opcode::I32Sub)
                                           .local_tee(0)
                                           .br_if(0)
                                           .end()));
  return m;
}

TEST_P(GasTest, LoopChargesItsBodyPerIterationNotItsHeader) {
  // loop: 1 once; body + br_if: 5 per iteration; end of loop, end of function: 1 each.
  for (uint32_t n : {1u, 2u, 10u}) {
    Run u = run(countdown(), GasProfile::uniform(), "f", {Value::i32(n)});
    ASSERT_EQ(u.trap, TrapKind::None);
    EXPECT_EQ(used(u), 5 * n + 3) << "n=" << n;
    Run c = run(countdown(), GasProfile::cosmwasm(), "f", {Value::i32(n)});
    EXPECT_EQ(used(c), kAcc + (4 * kOp + kAcc) * n + 2 * kAcc) << "n=" << n;
  }
}

// (func (param $n i32) (local $i i32)  loop  get $i, const 1, add, tee $i,
//  get $n, lt_u, br_if 0  end  end): tier 0 fuses the add into the charging
// compare-and-branch; its charge must still come per iteration, and running
// out inside the loop must stop at the same place as before.
TEST_P(GasTest, CountedLoopChargesEveryIteration) {
  for (const bool constant_limit : {false, true}) {
    ModuleBuilder m;
    Code body = Code().loop().local_get(1).i32_const(1).op(Opcode::I32Add).local_tee(1);
    if (constant_limit) {
      body.i32_const(10);
    } else {
      body.local_get(0);
    }
    body.op(Opcode::I32LtU).br_if(0).end();
    m.export_func("f", m.add_func(m.type({I32}, {}), {I32}, body));
    // loop: 1 once; body + br_if: 7 per iteration; end of loop, end of function: 1 each.
    const uint32_t n = 10;
    Run u = run(m, GasProfile::uniform(), "f", {Value::i32(n)});
    ASSERT_EQ(u.trap, TrapKind::None);
    EXPECT_EQ(used(u), 7 * n + 3);
    // Out of gas at the last iteration's charge: everything before it paid.
    Run out = run(m, GasProfile::uniform(), "f", {Value::i32(n)}, 7 * n);
    EXPECT_EQ(out.trap, TrapKind::OutOfGas);
    EXPECT_EQ(out.gas.remaining, 0u);
    Run exact = run(m, GasProfile::uniform(), "f", {Value::i32(n)}, 7 * n + 3);
    EXPECT_EQ(exact.trap, TrapKind::None);
  }
}

// (func (param $n i32)  block  block  loop  get $n, eqz, br_if 1
//    get $n, const 1, sub, tee $n, br_if 0  end  end  end  end): the ends of
// the loop and the two blocks are three charges in a row (tier 0 runs the
// first two as one instruction), and br_if 1 lands between the second and
// the third. Out of gas at each of them names that end.
TEST_P(GasTest, ChargesOfNestedEndsInOrder) {
  ModuleBuilder m;
  Code body = Code().block().block().loop();
  body.local_get(0).op(Opcode::I32Eqz).br_if(1);
  body.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0);
  body.end().end().end();
  m.export_func("f", m.add_func(m.type({I32}, {}), {}, body));
  // The module's last four end opcodes: the loop's, the blocks', the function's.
  const Bytes bytes = m.build();
  uint32_t first_end = UINT32_MAX;
  for (uint32_t i = 0; i + 4 <= bytes.size(); ++i)
    if (bytes[i] == 0x0b && bytes[i + 1] == 0x0b && bytes[i + 2] == 0x0b && bytes[i + 3] == 0x0b)
      first_end = i;
  ASSERT_NE(first_end, UINT32_MAX);
  // block + block + loop at the loop: 3; get, eqz, br_if 1: 3 per check;
  // get, const, sub, tee, br_if 0: 5 per iteration; each end: 1.
  Run zero = run(m, GasProfile::uniform(), "f", {Value::i32(0)});
  ASSERT_EQ(zero.trap, TrapKind::None);
  EXPECT_EQ(used(zero), 3u + 3 + 1 + 1);  // br_if 1 skips two ends' charges
  const uint64_t k = 4, loop_done = 3 + 8 * k;
  Run full = run(m, GasProfile::uniform(), "f", {Value::i32(k)});
  ASSERT_EQ(full.trap, TrapKind::None);
  EXPECT_EQ(used(full), loop_done + 4);
  for (uint32_t e = 0; e < 4; ++e) {
    Run out = run(m, GasProfile::uniform(), "f", {Value::i32(k)}, loop_done + e);
    EXPECT_EQ(out.trap, TrapKind::OutOfGas) << "end " << e;
    EXPECT_EQ(out.gas.remaining, 0u);
    ASSERT_FALSE(out.trace.empty()) << "end " << e;
    EXPECT_EQ(out.trace[0].offset, first_end + e) << "end " << e;
  }
  Run out = run(m, GasProfile::uniform(), "f", {Value::i32(0)}, 3 + 3);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  ASSERT_FALSE(out.trace.empty());
  EXPECT_EQ(out.trace[0].offset, first_end + 2);
}

// (func (result i32)  block (result i32)  const 7  br 0  const 8  end  end)
ModuleBuilder branch_over_dead_code() {
  ModuleBuilder m;
  const uint32_t t = m.type({}, {I32});
  m.export_func("f", m.add_func(t, {}, Code()
                                           .block(I32)
                                           .i32_const(7)
                                           .br(0)
                                           .i32_const(8)  // dead
                                           .end()));
  return m;
}

TEST_P(GasTest, DeadCodeAndTheChargeAfterItAreNeverPaid) {
  // block + const + br = 3 at the br; the dead const and the block's end are
  // charged at a point that is never reached; the function's end costs 1.
  Run u = run(branch_over_dead_code(), GasProfile::uniform(), "f", {});
  ASSERT_EQ(u.trap, TrapKind::None);
  EXPECT_EQ(u.results[0].as_i32(), 7u);
  EXPECT_EQ(used(u), 4u);
  Run c = run(branch_over_dead_code(), GasProfile::cosmwasm(), "f", {});
  EXPECT_EQ(used(c), (2 * kOp + kAcc) + kAcc);
}

// (func (param i32) (result i32)
//   block  block  get 0  br_table 0 1 (default 1)  end
//          const 10  nop  return  end
//   const 20  end)
ModuleBuilder table_switch() {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {I32});
  m.export_func("f", m.add_func(t, {}, Code()
                                           .block()
                                           .block()
                                           .local_get(0)
                                           .br_table({0, 1}, 1)
                                           .end()
                                           .i32_const(10)
                                           .nop()
                                           .return_()
                                           .end()
                                           .i32_const(20)));
  return m;
}

TEST_P(GasTest, BrTableTargetsStartNewRuns) {
  // block, block, get, br_table = 4 at the br_table.
  // Target 0 (after the inner end): const, nop, return = 3.
  // Target 1 (after the outer end): const, end = 2.
  Run a = run(table_switch(), GasProfile::uniform(), "f", {Value::i32(0)});
  EXPECT_EQ(a.results[0].as_i32(), 10u);
  EXPECT_EQ(used(a), 7u);
  Run b = run(table_switch(), GasProfile::uniform(), "f", {Value::i32(1)});
  EXPECT_EQ(b.results[0].as_i32(), 20u);
  EXPECT_EQ(used(b), 6u);
  Run c = run(table_switch(), GasProfile::uniform(), "f", {Value::i32(99)});
  EXPECT_EQ(used(c), 6u);
  Run ca = run(table_switch(), GasProfile::cosmwasm(), "f", {Value::i32(0)});
  EXPECT_EQ(used(ca), (3 * kOp + kAcc) + (2 * kOp + kAcc));
  Run cb = run(table_switch(), GasProfile::cosmwasm(), "f", {Value::i32(1)});
  EXPECT_EQ(used(cb), (3 * kOp + kAcc) + (kOp + kAcc));
}

// (func (param i32) (result i32)  get 0  if (result i32)  const 1  return
//                                 else  const 2  end  end)
ModuleBuilder early_return() {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {I32});
  m.export_func("f", m.add_func(t, {}, Code()
                                           .local_get(0)
                                           .if_(I32)
                                           .i32_const(1)
                                           .return_()
                                           .else_()
                                           .i32_const(2)
                                           .end()));
  return m;
}

TEST_P(GasTest, IfElseAndEarlyReturn) {
  // get + if = 2. Then: const + return = 2 (the else behind the return is never
  // charged). Else: const + end = 2, then the function's end 1.
  Run t = run(early_return(), GasProfile::uniform(), "f", {Value::i32(1)});
  EXPECT_EQ(t.results[0].as_i32(), 1u);
  EXPECT_EQ(used(t), 4u);
  Run e = run(early_return(), GasProfile::uniform(), "f", {Value::i32(0)});
  EXPECT_EQ(e.results[0].as_i32(), 2u);
  EXPECT_EQ(used(e), 5u);
  Run ct = run(early_return(), GasProfile::cosmwasm(), "f", {Value::i32(1)});
  EXPECT_EQ(used(ct), (kOp + kAcc) + (kOp + kAcc));
  Run ce = run(early_return(), GasProfile::cosmwasm(), "f", {Value::i32(0)});
  EXPECT_EQ(used(ce), (kOp + kAcc) + (kOp + kAcc) + kAcc);
}

// $f: (param i32) (result i32) get 0, const 1, add, end
// g:  (result i32) const 5, call $f, end
ModuleBuilder calls() {
  ModuleBuilder m;
  const uint32_t tf = m.type({I32}, {I32});
  const uint32_t tg = m.type({}, {I32});
  const uint32_t f =
      m.add_func(tf, {}, Code().local_get(0).i32_const(1).op(Opcode::I32Add));
  m.export_func("g", m.add_func(tg, {}, Code().i32_const(5).call(f)));
  return m;
}

TEST_P(GasTest, CallsChargeBeforeTheCall) {
  Run u = run(calls(), GasProfile::uniform(), "g", {});
  EXPECT_EQ(u.results[0].as_i32(), 6u);
  EXPECT_EQ(used(u), 2u + 4u + 1u);
  Run c = run(calls(), GasProfile::cosmwasm(), "g", {});
  EXPECT_EQ(used(c), (kOp + kAcc) + (3 * kOp + kAcc) + kAcc);
  // Enough for the caller's first run but not the callee's: the call happened.
  Run out = run(calls(), GasProfile::uniform(), "g", {}, 3);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  EXPECT_EQ(out.gas.remaining, 0u);
}

// (func (param i32) (result i32)  const 1  get 0  div_u  end)
TEST_P(GasTest, ATrapBeforeTheMeteringPointChargesNothingForItsRun) {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {I32});
  m.export_func("f", m.add_func(t, {}, Code().i32_const(1).local_get(0).op(Opcode::I32DivU)));
  Run trap = run(m, GasProfile::cosmwasm(), "f", {Value::i32(0)});
  EXPECT_EQ(trap.trap, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(used(trap), 0u);
  Run ok = run(m, GasProfile::cosmwasm(), "f", {Value::i32(1)});
  EXPECT_EQ(ok.trap, TrapKind::None);
  EXPECT_EQ(used(ok), 3 * kOp + kAcc);
}

TEST_P(GasTest, ATrapAfterAMeteringPointKeepsWhatWasCharged) {
  // g: const 5, call $f (charged 2), $f traps in its first run (charges nothing).
  ModuleBuilder m;
  const uint32_t tf = m.type({I32}, {I32});
  const uint32_t tg = m.type({}, {I32});
  const uint32_t f = m.add_func(tf, {}, Code().unreachable());
  m.export_func("g", m.add_func(tg, {}, Code().i32_const(5).call(f)));
  Run r = run(m, GasProfile::uniform(), "g", {});
  EXPECT_EQ(r.trap, TrapKind::Unreachable);
  EXPECT_EQ(used(r), 2u);
}

TEST_P(GasTest, AnOutOfBoundsFaultKeepsWhatWasCharged) {
  // f(addr): loop { addr += 65536; i32.load addr; drop; br 0 }: each
  // iteration's run (get, const, add, tee, load, drop, br = 7) is charged at
  // the br, so the load of iteration k (0-based) traps with k runs charged
  // plus the loop header's run (1). With one 64 KiB page and addr starting at
  // -65536, the load traps when addr reaches 65536: iteration 1. Under guard
  // pages that is a hardware fault in compiled code, whose gas lives in a
  // register until the fault hands it back.
  ModuleBuilder m;
  m.add_memory(1);
  const uint32_t t = m.type({I32}, {});
  Code c;
  c.loop()
      .local_get(0)
      .i32_const(65536)
      .op(Opcode::I32Add)
      .local_tee(0)
      .load(Opcode::I32Load, 2)
      .op(Opcode::Drop)
      .br(0)
      .end();
  m.export_func("f", m.add_func(t, {}, c));
  Run r = run(m, GasProfile::uniform(), "f", {Value::i32(static_cast<uint32_t>(-65536))});
  EXPECT_EQ(r.trap, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(used(r), 1u + 7u);
}

// Imports env.charge(i64); f(i64): const.., call charge, end.
ModuleBuilder host_charge() {
  ModuleBuilder m;
  const uint32_t th = m.type({I64}, {});
  const uint32_t charge = m.add_import_func("env", "charge", th);
  m.export_func("f", m.add_func(th, {}, Code().local_get(0).call(charge)));
  return m;
}

TEST_P(GasTest, HostChargedGasIsReportedSeparately) {
  Run r = run(host_charge(), GasProfile::uniform(), "f", {Value::i64(1000)}, 10'000);
  ASSERT_EQ(r.trap, TrapKind::None);
  EXPECT_EQ(r.gas.used_internally, 3u);  // get, call, end
  EXPECT_EQ(r.gas.used_externally, 1000u);
  EXPECT_EQ(r.gas.remaining, 10'000u - 1003u);
  // The host asks for more than is left: out of gas, nothing left.
  Run out = run(host_charge(), GasProfile::uniform(), "f", {Value::i64(9'999)}, 10'000);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  EXPECT_EQ(out.gas.remaining, 0u);
  // Exactly what is left succeeds.
  Run exact = run(host_charge(), GasProfile::uniform(), "f", {Value::i64(9'997)}, 10'000);
  EXPECT_EQ(exact.trap, TrapKind::None);
  EXPECT_EQ(exact.gas.remaining, 0u);
}

TEST_P(GasTest, PerUnitCostsForBulkMemoryAndGrowth) {
  // fill(n): const 0, const 0xab, get 0, memory.fill, end = 5 ops + 2 per byte.
  ModuleBuilder m;
  m.add_memory(1, 4);
  const uint32_t t = m.type({I32}, {});
  m.export_func("fill", m.add_func(t, {}, Code()
                                              .i32_const(0)
                                              .i32_const(0xab)
                                              .local_get(0)
                                              .memory_fill()));
  m.export_func("grow", m.add_func(t, {}, Code().local_get(0).memory_grow().drop()));
  GasProfile p = GasProfile::uniform();
  p.bulk_memory_per_byte = 2;
  p.memory_grow_per_page = 1000;
  EXPECT_EQ(used(run(m, p, "fill", {Value::i32(100)})), 5u + 200u);
  EXPECT_EQ(used(run(m, p, "fill", {Value::i32(0)})), 5u);
  EXPECT_EQ(used(run(m, p, "grow", {Value::i32(3)})), 4u + 3000u);
  // The per-unit charge comes first: out of gas before any byte is written.
  Run out = run(m, p, "fill", {Value::i32(100)}, 50);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  // Profiles that do not ask for per-unit costs charge only the operators.
  EXPECT_EQ(used(run(m, GasProfile::cosmwasm(), "fill", {Value::i32(100)})), 4 * kOp + kAcc);
}

TEST_P(GasTest, LocalsEntryChargeIsAProfileSwitch) {
  // Five declared i64 locals; the function just ends.
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {});
  m.export_func("f", m.add_func(t, {I64, I64, I64, I64, I64}, Code()));
  GasProfile p = GasProfile::cosmwasm();
  EXPECT_EQ(used(run(m, p, "f", {Value::i32(0)})), kAcc);
  p.charge_locals = true;
  p.free_locals = 2;
  p.gas_per_local = 10;
  EXPECT_EQ(used(run(m, p, "f", {Value::i32(0)})), kAcc + 3 * 10);
  p.free_locals = 5;
  EXPECT_EQ(used(run(m, p, "f", {Value::i32(0)})), kAcc);
}

// ---- cosmwasm-vm 3.0.9's locals entry charge: cost(nop) = kOp for each
// declared local beyond 29, with the first run when the body's first
// operator is an accounting one, else charged alone before the body.

// Declared locals and how many of them 3.0.9 charges.
constexpr std::pair<uint32_t, uint64_t> kLocalsCases[] = {{0, 0}, {29, 0}, {30, 1}, {100, 71}};

// `n` declared locals in two declaration groups (i32s, then i64s).
std::vector<ValType> declared_locals(uint32_t n) {
  std::vector<ValType> locals(n / 2, I32);
  locals.insert(locals.end(), n - n / 2, I64);
  return locals;
}

// Exports "f": (func) with `n` locals and `body`, and the function it may
// call, index 0: (func) that just ends.
ModuleBuilder with_locals(uint32_t n, const Code& body) {
  ModuleBuilder m;
  const uint32_t t = m.type({}, {});
  m.add_func(t, {}, Code());
  m.export_func("f", m.add_func(t, declared_locals(n), body));
  return m;
}

TEST_P(GasTest, CosmwasmProfilesDifferOnlyInTheLocalsCharge) {
  GasProfile p = GasProfile::cosmwasm_3_0_9();
  EXPECT_EQ(p.name, "cosmwasm-3.0.9");
  EXPECT_TRUE(p.charge_locals);
  EXPECT_EQ(p.free_locals, 29u);
  EXPECT_EQ(p.gas_per_local, kOp);
  p.name = GasProfile::cosmwasm().name;
  p.charge_locals = false;
  p.free_locals = 0;
  p.gas_per_local = 0;
  EXPECT_EQ(p, GasProfile::cosmwasm());
}

TEST_P(GasTest, LocalsChargeWithEitherKindOfFirstOperator) {
  // Without a trap or a tight limit the total is the same either way:
  // 3.0.0-3.0.8's figure plus the locals charge.
  struct Case {
    const char* what;
    Code body;
    uint64_t gas;  // without the locals charge
  };
  const Case cases[] = {
      // Accounting first operators: the charge joins the first run.
      {"end", Code(), kAcc},
      {"loop", Code().loop().end(), 3 * kAcc},  // loop, its end, the function's end
      {"call", Code().call(0), kAcc + kAcc + kAcc},  // call, the callee's end, end
      // Ordinary ones: the charge comes alone, before the body.
      {"i32.const", Code().i32_const(1).drop(), 2 * kOp + kAcc},
      {"nop", Code().nop().call(0), (kOp + kAcc) + kAcc + kAcc},
      {"block", Code().block().end(), kOp + kAcc + kAcc},
  };
  for (const Case& c : cases) {
    for (auto [n, extra] : kLocalsCases) {
      const ModuleBuilder m = with_locals(n, c.body);
      Run old = run(m, GasProfile::cosmwasm(), "f", {});
      ASSERT_EQ(old.trap, TrapKind::None) << c.what << " n=" << n;
      EXPECT_EQ(used(old), c.gas) << c.what << " n=" << n;
      Run now = run(m, GasProfile::cosmwasm_3_0_9(), "f", {});
      ASSERT_EQ(now.trap, TrapKind::None) << c.what << " n=" << n;
      EXPECT_EQ(used(now), c.gas + extra * kOp) << c.what << " n=" << n;
      EXPECT_EQ(now.gas.used_internally, c.gas + extra * kOp) << c.what << " n=" << n;
    }
  }
}

TEST_P(GasTest, LocalsChargeIsPaidWhenTheFirstRunTraps) {
  // nop, unreachable: the run never reaches a metering point, but 3.0.9's
  // separate check before the body has run. 3.0.0-3.0.8 charge nothing.
  for (auto [n, extra] : kLocalsCases) {
    const ModuleBuilder nop_first = with_locals(n, Code().nop().unreachable());
    const ModuleBuilder trap_first = with_locals(n, Code().unreachable());
    for (const ModuleBuilder* m : {&nop_first, &trap_first}) {
      Run old = run(*m, GasProfile::cosmwasm(), "f", {});
      EXPECT_EQ(old.trap, TrapKind::Unreachable);
      EXPECT_EQ(used(old), 0u) << "n=" << n;
      Run now = run(*m, GasProfile::cosmwasm_3_0_9(), "f", {});
      EXPECT_EQ(now.trap, TrapKind::Unreachable);
      EXPECT_EQ(used(now), extra * kOp) << "n=" << n;
    }
  }
  // loop first: the charge joins the loop's run, paid before the trap.
  Run loop = run(with_locals(30, Code().loop().unreachable().end()),
                 GasProfile::cosmwasm_3_0_9(), "f", {});
  EXPECT_EQ(loop.trap, TrapKind::Unreachable);
  EXPECT_EQ(used(loop), kOp + kAcc);
}

TEST_P(GasTest, LocalsChargeExactBoundary) {
  const uint64_t locals = 71 * kOp;  // 100 locals
  // Charged alone: a limit below it is out of gas before the body runs; the
  // limit equal to it passes the check (and the trap is the body's own).
  const ModuleBuilder traps = with_locals(100, Code().nop().unreachable());
  Run out = run(traps, GasProfile::cosmwasm_3_0_9(), "f", {}, locals - 1);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  EXPECT_EQ(out.gas.remaining, 0u);
  EXPECT_EQ(out.gas.used_internally, locals - 1);
  Run passes = run(traps, GasProfile::cosmwasm_3_0_9(), "f", {}, locals);
  EXPECT_EQ(passes.trap, TrapKind::Unreachable);
  EXPECT_EQ(passes.gas.remaining, 0u);
  // The whole call: exactly enough, and one less (out of gas at the end).
  const ModuleBuilder ends = with_locals(100, Code().i32_const(1).drop());
  const uint64_t all = locals + 2 * kOp + kAcc;
  Run ok = run(ends, GasProfile::cosmwasm_3_0_9(), "f", {}, all);
  EXPECT_EQ(ok.trap, TrapKind::None);
  EXPECT_EQ(ok.gas.remaining, 0u);
  Run short_by_one = run(ends, GasProfile::cosmwasm_3_0_9(), "f", {}, all - 1);
  EXPECT_EQ(short_by_one.trap, TrapKind::OutOfGas);
  EXPECT_EQ(short_by_one.gas.remaining, 0u);
  Run at_entry = run(ends, GasProfile::cosmwasm_3_0_9(), "f", {}, locals - 1);
  EXPECT_EQ(at_entry.trap, TrapKind::OutOfGas);
  EXPECT_EQ(at_entry.gas.remaining, 0u);
  // With the first run: the loop's charge is locals + kAcc.
  const ModuleBuilder loops = with_locals(100, Code().loop().end());
  Run loop_out = run(loops, GasProfile::cosmwasm_3_0_9(), "f", {}, locals + kAcc - 1);
  EXPECT_EQ(loop_out.trap, TrapKind::OutOfGas);
  EXPECT_EQ(loop_out.gas.remaining, 0u);
  Run loop_ok = run(loops, GasProfile::cosmwasm_3_0_9(), "f", {}, locals + 3 * kAcc);
  EXPECT_EQ(loop_ok.trap, TrapKind::None);
  EXPECT_EQ(loop_ok.gas.remaining, 0u);
}

TEST_P(GasTest, ParametersAreNotChargedLocals) {
  // 40 i32 parameters; 29 or 30 declared locals; the body just ends.
  for (auto [n, extra] : kLocalsCases) {
    ModuleBuilder m;
    const uint32_t t = m.type(std::vector<ValType>(40, I32), {});
    m.export_func("f", m.add_func(t, declared_locals(n), Code()));
    const std::vector<Value> args(40, Value::i32(7));
    EXPECT_EQ(used(run(m, GasProfile::cosmwasm(), "f", args)), kAcc) << "n=" << n;
    EXPECT_EQ(used(run(m, GasProfile::cosmwasm_3_0_9(), "f", args)), kAcc + extra * kOp)
        << "n=" << n;
  }
}

// $f: (param $n i32) with 31 locals (2 charged):
//   get 0  if  get 0  const 1  sub  call $f  end  end
ModuleBuilder recursive_with_locals() {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {});
  m.export_func("f", m.add_func(t, declared_locals(31), Code()
                                                           .local_get(0)
                                                           .if_()
                                                           .local_get(0)
                                                           .i32_const(1)
                                                           .op(Opcode::I32Sub)
                                                           .call(0)
                                                           .end()));
  return m;
}

TEST_P(GasTest, EveryCallPaysItsLocalsCharge) {
  // f(n) makes n + 1 entries. Each: get + if, the function's end; the n
  // with an argument > 0 also: get, const, sub, call; the if's end. Each
  // entry pays 2 * kOp more in 3.0.9. Under `auto` the recursion tiers up
  // mid-call.
  for (uint32_t n : {0u, 1u, 5u}) {
    const uint64_t base = (n + 1) * ((kOp + kAcc) + kAcc) + n * ((3 * kOp + kAcc) + kAcc);
    Run old = run(recursive_with_locals(), GasProfile::cosmwasm(), "f", {Value::i32(n)});
    ASSERT_EQ(old.trap, TrapKind::None);
    EXPECT_EQ(used(old), base) << "n=" << n;
    Run now = run(recursive_with_locals(), GasProfile::cosmwasm_3_0_9(), "f", {Value::i32(n)});
    ASSERT_EQ(now.trap, TrapKind::None);
    EXPECT_EQ(used(now), base + (n + 1) * 2 * kOp) << "n=" << n;
  }
  // g calls h (35 locals: 6 charged, first operator a const) three times.
  ModuleBuilder m;
  const uint32_t t = m.type({}, {});
  const uint32_t h = m.add_func(t, declared_locals(35), Code().i32_const(1).drop());
  m.export_func("g", m.add_func(t, {}, Code().call(h).call(h).call(h)));
  const uint64_t h_runs = 2 * kOp + kAcc;
  EXPECT_EQ(used(run(m, GasProfile::cosmwasm(), "g", {})), 4 * kAcc + 3 * h_runs);
  EXPECT_EQ(used(run(m, GasProfile::cosmwasm_3_0_9(), "g", {})),
            4 * kAcc + 3 * (h_runs + 6 * kOp));
}

// ---- uniform's own rules for work that one operator scales (README,
// "## Gas"): 1 per declared local beyond 32, 1 per byte of memory.fill /
// copy / init, 1 per element of table.fill / copy / init / grow. (Until
// these rules, uniform charged none of it: a call could zero 400 KB of
// locals or fill 4 GiB of memory for a handful of gas.)

TEST_P(GasTest, UniformPricesDeclaredLocals) {
  const GasProfile p = GasProfile::uniform();
  EXPECT_TRUE(p.charge_locals);
  EXPECT_EQ(p.free_locals, 32u);
  EXPECT_EQ(p.gas_per_local, 1u);
  // f: (param i32), n declared locals, an empty body: its `end` costs 1.
  const std::pair<uint32_t, uint64_t> cases[] = {
      {0, 0}, {32, 0}, {33, 1}, {1000, 968}, {49'999, 49'967}};
  for (auto [n, charged] : cases) {
    ModuleBuilder m;
    m.export_func("f", m.add_func(m.type({I32}, {}), declared_locals(n), Code()));
    Run r = run(m, p, "f", {Value::i32(0)});
    ASSERT_EQ(r.trap, TrapKind::None) << n;
    EXPECT_EQ(used(r), 1 + charged) << n << " locals";
  }
}

TEST_P(GasTest, UniformPricesBulkWorkPerByteAndElement) {
  ModuleBuilder m;
  m.add_memory(1);
  m.add_table(FuncRef, 10);
  const uint32_t t = m.type({I32}, {});
  // Each function: three operands, the operator, `end` = 5, plus 1 per unit.
  m.export_func("fill", m.add_func(t, {}, Code().i32_const(0).i32_const(0xab).local_get(0)
                                              .memory_fill()));
  m.export_func("copy", m.add_func(t, {}, Code().i32_const(100).i32_const(0).local_get(0)
                                              .memory_copy()));
  m.export_func("table_fill", m.add_func(t, {}, Code().i32_const(0).ref_null(FuncRef)
                                                    .local_get(0).table_fill()));
  m.export_func("table_grow", m.add_func(t, {}, Code().ref_null(FuncRef).local_get(0)
                                                    .table_grow().drop()));
  const GasProfile p = GasProfile::uniform();
  for (uint32_t n : {0u, 7u, 10u}) {
    for (const char* f : {"fill", "copy", "table_fill", "table_grow"}) {
      Run r = run(m, p, f, {Value::i32(n)});
      ASSERT_EQ(r.trap, TrapKind::None) << f << " " << n;
      EXPECT_EQ(used(r), 5u + n) << f << " " << n;
    }
  }
  Run out = run(m, p, "fill", {Value::i32(60'000)}, 1000);
  EXPECT_EQ(out.trap, TrapKind::OutOfGas);
  EXPECT_EQ(out.gas.remaining, 0u);
}

// Tier 1 charges per-unit costs itself; it used to leave every function
// with such an operator in tier 0 (now the default profile has them).
// Tier 1 compiles the per-unit charges (every function compiled first, a
// function it cannot compile is fatal), under both bounds strategies.
TEST(GasTier1Test, PerUnitCostsCompileInTier1) {
  ModuleBuilder m;
  m.add_memory(1);
  m.add_table(FuncRef, 4);
  const uint32_t t = m.type({I32}, {});
  m.export_func("f", m.add_func(t, {}, Code().i32_const(0).i32_const(1).local_get(0)
                                           .memory_fill().local_get(0).memory_grow().drop()
                                           .i32_const(0).ref_null(FuncRef).local_get(0)
                                           .table_fill()));
  for (BoundsStrategy bounds : {BoundsStrategy::GuardPages, BoundsStrategy::ExplicitChecks}) {
    Config config;
    config.memory.bounds = bounds;
    config.tiers.policy = TierPolicy::Jit;
    config.tiers.unsupported_is_fatal = true;
    config.metering.enabled = true;
    config.metering.profile = GasProfile::uniform();
    config.metering.profile.memory_grow_per_page = 3;
    Engine engine(config);
    const Bytes b = m.build();
    auto mod = compile(engine, b.data(), b.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
  }
}

TEST_P(GasTest, MeteringOffAndOnGiveTheSameResults) {
  struct Case {
    ModuleBuilder m;
    const char* name;
    std::vector<Value> args;
  };
  std::vector<Case> cases;
  cases.push_back({countdown(), "f", {Value::i32(7)}});
  cases.push_back({table_switch(), "f", {Value::i32(0)}});
  cases.push_back({table_switch(), "f", {Value::i32(3)}});
  cases.push_back({early_return(), "f", {Value::i32(0)}});
  cases.push_back({calls(), "g", {}});
  for (const Case& c : cases) {
    Run off = run(c.m, GasProfile::uniform(), c.name, c.args, UINT64_MAX, /*metered=*/false);
    Run on = run(c.m, GasProfile::cosmwasm(), c.name, c.args);
    EXPECT_EQ(off.trap, on.trap);
    ASSERT_EQ(off.results.size(), on.results.size());
    for (size_t i = 0; i < off.results.size(); ++i) EXPECT_EQ(off.results[i], on.results[i]);
    EXPECT_EQ(off.gas.remaining, UINT64_MAX) << "unmetered code uses no gas";
    EXPECT_GT(used(on), 0u);
  }
}

TEST_P(GasTest, InfiniteLoopRunsOutOfGas) {
  ModuleBuilder m;
  const uint32_t t = m.type({}, {});
  m.export_func("spin", m.add_func(t, {}, Code().loop().br(0).end()));
  Run r = run(m, GasProfile::cosmwasm(), "spin", {}, 1'000'000);
  EXPECT_EQ(r.trap, TrapKind::OutOfGas);
  EXPECT_EQ(r.gas.remaining, 0u);
  EXPECT_EQ(r.gas.used_internally, 1'000'000u);
}

}  // namespace
}  // namespace wvm
