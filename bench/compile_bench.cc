// Compile-phase benchmarks: decode + validate + tier-0 preparation of the
// shared CosmWasm contracts, reported as bytes/s of module binary; and the
// time to a runnable module from the wasm (compile, policy jit: every
// function through tier 1) vs from serialize_module's bytes (deserialize).
// Names follow <tier>/<phase>/<case>.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/tier_manager.h"
#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace {

std::string shared_dir() {
  if (const char* env = std::getenv("WVM_SHARED_DIR")) return env;
  return WVM_SHARED_DIR;
}

void bench_compile(benchmark::State& state, std::vector<uint8_t> bytes) {
  wvm::Engine engine;
  size_t prepared = 0;  // tier-0 code and trap-site tables, bytes
  for (auto _ : state) {
    auto module = wvm::compile(engine, bytes.data(), bytes.size());
    if (!module.ok()) {
      state.SkipWithError(module.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(module.value().get());
    if (prepared == 0) {
      for (const std::unique_ptr<wvm::FuncCode>& c : module.value()->code)
        prepared += c->code.size() * sizeof(uint64_t) + c->sites.size() + c->loop_headers.size() * 4;
    }
  }
  state.counters["tier0_code_bytes"] = static_cast<double>(prepared);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes.size()));
}

// Tier 1 compile speed: the module is decoded and prepared once; each
// iteration compiles every function tier 1 supports into a fresh engine's
// code memory. Counts bytes of the compiled functions' bodies.
void bench_jit_compile(benchmark::State& state, std::vector<uint8_t> bytes) {
  wvm::Config config;
  config.tiers.policy = wvm::TierPolicy::Auto;  // a backend, but nothing compiled up front
  uint64_t body_bytes = 0, compiled = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<wvm::Engine>(config);
    auto module = wvm::compile(*engine, bytes.data(), bytes.size());
    if (!module.ok()) {
      state.SkipWithError(module.error().to_string().c_str());
      return;
    }
    const wvm::Module& m = *module.value();
    state.ResumeTiming();
    body_bytes = 0;
    for (uint32_t i = 0; i < m.bodies.size(); ++i) {
      if (wvm::tier_up(*engine, m, m.num_imported_funcs + i).ok())
        body_bytes += m.bodies[i].body_end - m.bodies[i].body_start;
    }
    compiled = engine->tier_stats().compiled;
    state.PauseTiming();
    module = wvm::Result<std::shared_ptr<const wvm::Module>>(wvm::Error{});
    engine.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body_bytes));
  state.counters["functions"] = static_cast<double>(compiled);
}

void bench_validate(benchmark::State& state, std::vector<uint8_t> bytes) {
  wvm::Engine engine;
  for (auto _ : state) {
    auto r = wvm::validate(engine, bytes.data(), bytes.size());
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      return;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(bytes.size()));
}

// A runnable module per iteration, in a fresh engine each time (created and
// destroyed outside the timing: tier-1 code lives as long as its engine's
// arena). From the wasm with compile(), or from `artifact` when it is not empty.
void bench_ready(benchmark::State& state, std::vector<uint8_t> wasm, wvm::TierPolicy policy,
                 bool from_artifact) {
  wvm::Config config;
  config.tiers.policy = policy;
  std::vector<uint8_t> artifact;
  if (from_artifact) {
    wvm::Engine engine(config);
    auto module = wvm::compile(engine, wasm.data(), wasm.size());
    auto bytes = module.ok() ? wvm::serialize_module(engine, *module.value())
                             : wvm::Result<std::vector<uint8_t>>(module.error());
    if (!bytes.ok()) {
      state.SkipWithError(bytes.error().to_string().c_str());
      return;
    }
    artifact = std::move(bytes.value());
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<wvm::Engine>(config);
    state.ResumeTiming();
    auto module = from_artifact ? wvm::deserialize_module(*engine, artifact.data(), artifact.size())
                                : wvm::compile(*engine, wasm.data(), wasm.size());
    state.PauseTiming();
    if (!module.ok()) {
      state.SkipWithError(module.error().to_string().c_str());
      return;
    }
    // The check: a loaded module is runnable without compiling anything.
    if (from_artifact && engine->tier_stats().compiled != 0) {
      state.SkipWithError("deserialize compiled tier-1 code");
      return;
    }
    module = wvm::Result<std::shared_ptr<const wvm::Module>>(wvm::Error{});
    engine.reset();
    state.ResumeTiming();
  }
  state.counters["artifact_bytes"] = static_cast<double>(artifact.size());
  // From the wasm: module bytes per second, as V8 reports a module compile
  // (bench/compile_node.mjs).
  if (!from_artifact)
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                            static_cast<int64_t>(wasm.size()));
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(shared_dir()) / "contracts" / "cosmwasm";
  if (!fs::is_directory(dir)) {
    std::fprintf(stderr, "%s not found: no compile benchmarks to run\n", dir.c_str());
  } else {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".wasm" && e.path().stem() != "corrupted") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      auto bytes = wvm::read_file(f.string());
      if (!bytes.ok()) continue;
      const std::string name = f.stem().string();
      benchmark::RegisterBenchmark(("interp/compile/" + name).c_str(), bench_compile, bytes.value())
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("validate/compile/" + name).c_str(), bench_validate,
                                   bytes.value())
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("jit/compile/" + name).c_str(), bench_jit_compile,
                                   bytes.value())
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("jit/compile-all/" + name).c_str(), bench_ready, bytes.value(),
                                   wvm::TierPolicy::Jit, false)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("jit/deserialize/" + name).c_str(), bench_ready, bytes.value(),
                                   wvm::TierPolicy::Jit, true)
          ->Unit(benchmark::kMicrosecond);
      benchmark::RegisterBenchmark(("interp/deserialize/" + name).c_str(), bench_ready,
                                   bytes.value(), wvm::TierPolicy::Interp, true)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
