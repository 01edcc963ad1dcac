// Execute-phase benchmarks of tier 0 on small kernels, unmetered and metered
// (cosmwasm profile), with the native C++ twin of each kernel as reference.
// Each benchmark checks its result against the native one.
//
//   native/execute/<case>            the C++ twin, -O2
//   interp/execute/<case>            tier 0, metering off
//   interp/execute-metered/<case>    tier 0, cosmwasm gas profile
//   jit/execute/<case>               tier 1 (every function compiled first)
//   jit/execute-metered/<case>       tier 1, cosmwasm gas profile
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace {

__attribute__((noinline)) uint32_t native_mix_loop(uint32_t n) {
  uint32_t i = 0, acc = 0;
  do {
    acc = acc + ((i * 0x9e3779b1u) ^ (acc >> 7));
    ++i;
  } while (i < n);
  return acc;
}

__attribute__((noinline)) uint32_t native_fib(uint32_t n) {
  return n < 2 ? n : native_fib(n - 1) + native_fib(n - 2);
}

__attribute__((noinline)) uint32_t native_sieve(uint32_t n) {
  static std::vector<uint8_t> mem(131072);
  std::fill(mem.begin(), mem.begin() + n, 0);
  uint32_t count = 0;
  for (uint32_t i = 2; i < n; ++i) {
    if (mem[i] == 0) {
      ++count;
      for (uint32_t j = i + i; j < n; j += i) mem[j] = 1;
    }
  }
  benchmark::ClobberMemory();
  return count;
}

struct Kernel {
  const char* name;
  uint32_t arg;
  uint32_t (*native)(uint32_t);
};

const Kernel kKernels[] = {
    {"mix_loop", 2'000'000, native_mix_loop},
    {"fib", 24, native_fib},
    {"sieve", 100'000, native_sieve},
};

void bench_native(benchmark::State& state, const Kernel* k) {
  for (auto _ : state) benchmark::DoNotOptimize(k->native(k->arg));
}

void bench_wasm(benchmark::State& state, const Kernel* k, std::vector<uint8_t> wasm,
                wvm::TierPolicy policy, bool metered) {
  wvm::Config config;
  config.tiers.policy = policy;
  config.metering.enabled = metered;
  config.metering.profile = wvm::GasProfile::cosmwasm();
  wvm::Engine engine(config);
  auto module = wvm::compile(engine, wasm.data(), wasm.size());
  if (!module.ok()) return state.SkipWithError(module.error().to_string().c_str());
  wvm::Store store(engine);
  auto inst = store.instantiate(module.value(), {});
  if (!inst.ok()) return state.SkipWithError(inst.error().to_string().c_str());
  wvm::Func* f = inst.value()->find_export(k->name).as_func();
  if (policy == wvm::TierPolicy::Jit &&
      f->code->jit_entry.load(std::memory_order_acquire) == nullptr)
    return state.SkipWithError("tier 1 does not compile this kernel yet");
  const uint32_t expected = k->native(k->arg);
  uint64_t gas = 0;
  for (auto _ : state) {
    store.set_gas_limit(UINT64_MAX);
    wvm::CallResult r = store.call(f, {wvm::Value::i32(k->arg)});
    if (!r.ok() || r.results[0].as_i32() != expected)
      return state.SkipWithError("wrong result");
    gas = UINT64_MAX - store.gas_left();
  }
  if (metered) state.counters["gas"] = static_cast<double>(gas);
}

}  // namespace

int main(int argc, char** argv) {
  auto wasm = wvm::read_file(WVM_KERNELS_WASM);
  if (!wasm.ok()) {
    std::fprintf(stderr, "%s\n", wasm.error().to_string().c_str());
    return 1;
  }
  for (const Kernel& k : kKernels) {
    const std::string name = k.name;
    benchmark::RegisterBenchmark(("native/execute/" + name).c_str(), bench_native, &k)
        ->Unit(benchmark::kMillisecond);
    for (const auto& [tier, policy] : {std::pair{"interp", wvm::TierPolicy::Interp},
                                       std::pair{"jit", wvm::TierPolicy::Jit}}) {
      benchmark::RegisterBenchmark((std::string(tier) + "/execute/" + name).c_str(), bench_wasm,
                                   &k, wasm.value(), policy, false)
          ->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark((std::string(tier) + "/execute-metered/" + name).c_str(),
                                   bench_wasm, &k, wasm.value(), policy, true)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
