// The benchmark workloads (bench/workloads/, C compiled to wasm32 and
// natively) in every tier and phase. Every execute benchmark first checks the
// workload's checksum against its native twin.
//
//   native/execute/<case>             the C source compiled natively (-O2)
//   <tier>/compile/<case>             compile() under the tier's policy: decode,
//                                     validate, tier-0 preparation, and for
//                                     jit every function in tier 1 (bytes/s of
//                                     the module)
//   <tier>/instantiate/<case>         a store, its imports and the instance
//   <tier>/execute/<case>             one call of run(iterations)
//   <tier>/execute-metered/<case>     the same under the cosmwasm gas profile
// with <tier> = interp, jit or auto (tier 0 first, hot code tiered up).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "workload_host.h"

namespace {

using namespace wvm;
using namespace wvm::bench;

void bench_native(benchmark::State& state, const Workload* w) {
  for (auto _ : state) benchmark::DoNotOptimize(w->native(w->iterations));
}

void bench_compile(benchmark::State& state, const std::vector<uint8_t>* wasm, RunConfig rc) {
  Engine engine(engine_config(rc));
  for (auto _ : state) {
    auto module = compile(engine, wasm->data(), wasm->size());
    if (!module) return state.SkipWithError(module.error().to_string().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wasm->size()));
}

void bench_instantiate(benchmark::State& state, const std::vector<uint8_t>* wasm, RunConfig rc) {
  Engine engine(engine_config(rc));
  auto module = compile(engine, wasm->data(), wasm->size());
  if (!module) return state.SkipWithError(module.error().to_string().c_str());
  for (auto _ : state) {
    Store store(engine);
    auto imports = workload_imports(store, *module.value());
    if (!imports) return state.SkipWithError(imports.error().to_string().c_str());
    auto inst = store.instantiate(module.value(), imports.value());
    if (!inst) return state.SkipWithError(inst.error().to_string().c_str());
    benchmark::DoNotOptimize(inst.value());
  }
}

void bench_execute(benchmark::State& state, const Workload* wl, const std::vector<uint8_t>* wasm,
                   RunConfig rc) {
  Engine engine(engine_config(rc));
  auto w = LoadedWorkload::load(engine, *wasm);
  if (!w) return state.SkipWithError(w.error().to_string().c_str());
  const uint64_t expected = wl->native(wl->iterations);
  for (auto _ : state) {
    uint64_t sum = 0;
    TrapKind trap = TrapKind::None;
    if (!w.value()->run(wl->iterations, &sum, &trap))
      return state.SkipWithError(trap_message(trap));
    if (sum != expected) return state.SkipWithError("checksum differs from native");
  }
  if (rc.metered) state.counters["gas"] = static_cast<double>(w.value()->last_gas());
}

}  // namespace

int main(int argc, char** argv) {
  // The wasm bytes live as long as the registered benchmarks.
  static std::vector<std::vector<uint8_t>> modules;
  modules.reserve(workloads().size());
  for (const Workload& w : workloads()) {
    auto bytes = read_file(wasm_path(w));
    if (!bytes) {
      std::fprintf(stderr, "%s\n", bytes.error().to_string().c_str());
      return 1;
    }
    modules.push_back(std::move(bytes.value()));
  }
  const std::pair<const char*, TierPolicy> tiers[] = {
      {"interp", TierPolicy::Interp}, {"jit", TierPolicy::Jit}, {"auto", TierPolicy::Auto}};
  for (size_t i = 0; i < workloads().size(); ++i) {
    const Workload* w = &workloads()[i];
    const std::vector<uint8_t>* wasm = &modules[i];
    const std::string name = w->name;
    benchmark::RegisterBenchmark(("native/execute/" + name).c_str(), bench_native, w)
        ->Unit(benchmark::kMillisecond);
    for (const auto& [tier, policy] : tiers) {
      const std::string t = tier;
      benchmark::RegisterBenchmark((t + "/compile/" + name).c_str(), bench_compile, wasm,
                                   RunConfig{policy, false})
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark((t + "/instantiate/" + name).c_str(), bench_instantiate, wasm,
                                   RunConfig{policy, false})
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark((t + "/execute/" + name).c_str(), bench_execute, w, wasm,
                                   RunConfig{policy, false})
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark((t + "/execute-metered/" + name).c_str(), bench_execute, w,
                                   wasm, RunConfig{policy, true})
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
