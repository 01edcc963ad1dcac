// Compile time on generated worst-case modules at 1x, 10x and 100x size:
// deep nesting, a huge br_table, thousands of locals, long straight-line
// code. Decoding, validation, tier-0 preparation and tier-1 compilation must
// stay linear: bytes/s should not fall as the size grows.
//
//   interp/compile/<case>/<scale>   decode + validate + tier-0 preparation
//   jit/compile/<case>/<scale>      tier 1 for every function of the
//                                   prepared module (as wvm-bench-compile)
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/tier_manager.h"
#include "tests/unit/builder.h"
#include "wvm/wvm.h"

namespace {

using namespace wvm::test;
using wvm::Opcode;

// `depth` nested blocks around one add (each block: block ... end).
Bytes deep_nesting(uint32_t depth) {
  ModuleBuilder m;
  const uint32_t t = m.type({wvm::ValType::I32}, {wvm::ValType::I32});
  Code c;
  for (uint32_t i = 0; i < depth; ++i) c.block();
  c.local_get(0).i32_const(1).op(Opcode::I32Add).local_set(0);
  for (uint32_t i = 0; i < depth; ++i) c.end();
  c.local_get(0);
  m.export_func("f", m.add_func(t, {}, c));
  return m.build();
}

// `tables` br_tables of 10,000 targets each, inside 4 blocks.
Bytes big_br_table(uint32_t tables) {
  ModuleBuilder m;
  const uint32_t t = m.type({wvm::ValType::I32}, {});
  Code c;
  for (uint32_t k = 0; k < tables; ++k) {
    c.block().block().block().block();
    std::vector<uint32_t> targets(10'000);
    for (uint32_t i = 0; i < targets.size(); ++i) targets[i] = i % 4;
    c.local_get(0).br_table(targets, 3);
    c.end().end().end().end();
  }
  m.export_func("f", m.add_func(t, {}, c));
  return m.build();
}

// `funcs` functions, each with 5,000 i64 locals touched by a short body.
Bytes many_locals(uint32_t funcs) {
  ModuleBuilder m;
  const uint32_t t = m.type({}, {wvm::ValType::I64});
  const std::vector<wvm::ValType> locals(5'000, wvm::ValType::I64);
  for (uint32_t f = 0; f < funcs; ++f) {
    Code c;
    for (uint32_t i = 0; i < 5'000; i += 50) c.local_get(i).local_set(i + 1);
    c.local_get(4'999);
    m.export_func("f" + std::to_string(f), m.add_func(t, locals, c));
  }
  return m.build();
}

// One function of `n` groups of local.get, i32.const, i32.add, local.set.
Bytes straight_line(uint32_t n) {
  ModuleBuilder m;
  const uint32_t t = m.type({wvm::ValType::I32}, {wvm::ValType::I32});
  Code c;
  for (uint32_t i = 0; i < n; ++i)
    c.local_get(0).i32_const(static_cast<int32_t>(i)).op(Opcode::I32Add).local_set(0);
  c.local_get(0);
  m.export_func("f", m.add_func(t, {}, c));
  return m.build();
}

// `n` constants left on the stack, one local still on it above them, then
// `n` blocks and loops, each followed by a local.set: every block start
// finds a deep stack, and every local.set an operand still in a local.
Bytes deep_stack(uint32_t n) {
  ModuleBuilder m;
  const uint32_t t = m.type({wvm::ValType::I32}, {wvm::ValType::I32});
  Code c;
  for (uint32_t i = 0; i < n; ++i) c.i32_const(static_cast<int32_t>(i));
  c.local_get(0);
  for (uint32_t i = 0; i < n; ++i) c.block().end().loop().end().i32_const(1).local_set(0);
  for (uint32_t i = 0; i < n; ++i) c.op(Opcode::I32Add);
  m.export_func("f", m.add_func(t, {}, c));
  return m.build();
}

void bench_compile(benchmark::State& state, Bytes bytes, wvm::TierPolicy policy) {
  wvm::Config config;
  // Auto: a backend, but nothing compiled by compile(); tier 1 is timed alone.
  config.tiers.policy = policy == wvm::TierPolicy::Jit ? wvm::TierPolicy::Auto : policy;
  config.tiers.unsupported_is_fatal = true;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<wvm::Engine>(config);  // fresh code memory each time
    if (policy != wvm::TierPolicy::Jit) state.ResumeTiming();
    auto module = wvm::compile(*engine, bytes.data(), bytes.size());
    if (!module.ok()) {
      state.SkipWithError(module.error().to_string().c_str());
      return;
    }
    if (policy == wvm::TierPolicy::Jit) {
      state.ResumeTiming();
      const wvm::Result<void> r = wvm::compile_all_tier1(*engine, *module.value());
      if (!r.ok()) {
        state.SkipWithError(r.error().to_string().c_str());
        return;
      }
    }
    state.PauseTiming();
    module = wvm::Result<std::shared_ptr<const wvm::Module>>(wvm::Error{});
    engine.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
  state.counters["module_KiB"] = static_cast<double>(bytes.size()) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  struct Case {
    const char* name;
    Bytes (*make)(uint32_t);
    uint32_t base;
  };
  // Bases chosen so that 100x stays inside the default ModuleLimits
  // (control depth 65,536; function body 7,654,321 bytes).
  const Case cases[] = {{"deep_nesting", deep_nesting, 500},
                        {"br_table_10k", big_br_table, 1},
                        {"many_locals", many_locals, 1},
                        {"straight_line", straight_line, 5'000},
                        {"deep_stack", deep_stack, 500}};
  for (const Case& c : cases) {
    for (uint32_t scale : {1u, 10u, 100u}) {
      Bytes bytes = c.make(c.base * scale);
      const std::string suffix = std::string(c.name) + "/" + std::to_string(scale) + "x";
      benchmark::RegisterBenchmark(("interp/compile/" + suffix).c_str(), bench_compile, bytes,
                                   wvm::TierPolicy::Interp)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("jit/compile/" + suffix).c_str(), bench_compile, bytes,
                                   wvm::TierPolicy::Jit)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
