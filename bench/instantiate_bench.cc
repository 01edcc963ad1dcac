// Instantiation benchmarks: a real contract (hackatom.wasm: 17 pages of
// memory, data segments, a 175-entry table) instantiated from the engine's
// memory pool. Names follow <tier>/<phase>/<case>.
//
//  interp/instantiate/<contract>        Store::instantiate() alone (manual timing)
//  interp/instantiate-store/<contract>  a new store, its host imports, the
//                                       instance, and tearing all down: what a
//                                       node pays per contract call
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "wvm/wvm.h"

namespace {

std::string shared_dir() {
  if (const char* env = std::getenv("WVM_SHARED_DIR")) return env;
  return WVM_SHARED_DIR;
}

wvm::TrapKind unavailable_import(wvm::HostCall&, const wvm::Value*, wvm::Value*) {
  return wvm::TrapKind::HostError;
}

// One host function per import; the benchmark never calls them.
std::vector<wvm::Extern> make_imports(wvm::Store& store, const wvm::Module& m) {
  std::vector<wvm::Extern> imports;
  for (const wvm::Import& im : m.imports) {
    if (im.kind != wvm::ExternKind::Func) return {};
    imports.push_back(wvm::Extern::func(
        store.create_host_func(m.types[im.func_type], unavailable_import, nullptr)));
  }
  return imports;
}

// Checks the instance is usable: the memory exists at its declared size.
bool check_instance(const wvm::Instance& inst, const wvm::Module& m) {
  return m.memories.empty() || (inst.memory() != nullptr &&
                                inst.memory()->pages() == m.memories[0].limits.min);
}

void bench_instantiate(benchmark::State& state, wvm::Engine* engine,
                       std::shared_ptr<const wvm::Module> module) {
  for (auto _ : state) {
    wvm::Store store(*engine);
    std::vector<wvm::Extern> imports = make_imports(store, *module);
    const auto start = std::chrono::steady_clock::now();
    auto inst = store.instantiate(module, imports);
    const auto stop = std::chrono::steady_clock::now();
    if (!inst.ok() || !check_instance(*inst.value(), *module)) {
      state.SkipWithError(inst.ok() ? "instance check failed" : inst.error().to_string().c_str());
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
  }
}

void bench_instantiate_store(benchmark::State& state, wvm::Engine* engine,
                             std::shared_ptr<const wvm::Module> module) {
  for (auto _ : state) {
    wvm::Store store(*engine);
    std::vector<wvm::Extern> imports = make_imports(store, *module);
    auto inst = store.instantiate(module, imports);
    if (!inst.ok() || !check_instance(*inst.value(), *module)) {
      state.SkipWithError(inst.ok() ? "instance check failed" : inst.error().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(inst.value());
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  static wvm::Engine engine([] {  // outlives every store the benchmarks make
    wvm::Config c;
    c.tiers.policy = wvm::TierPolicy::Interp;  // the names say tier 0
    return c;
  }());
  static std::vector<std::shared_ptr<const wvm::Module>> modules;
  const fs::path dir = fs::path(shared_dir()) / "contracts" / "cosmwasm";
  for (const char* name : {"hackatom", "cyberpunk", "queue"}) {
    const fs::path file = dir / (std::string(name) + ".wasm");
    auto bytes = wvm::read_file(file.string());
    if (!bytes.ok()) {
      std::fprintf(stderr, "%s not found: skipping its benchmarks\n", file.c_str());
      continue;
    }
    auto module = wvm::compile(engine, bytes->data(), bytes->size());
    if (!module.ok()) {
      std::fprintf(stderr, "%s: %s\n", file.c_str(), module.error().to_string().c_str());
      return 1;
    }
    modules.push_back(module.value());
    benchmark::RegisterBenchmark((std::string("interp/instantiate/") + name).c_str(),
                                 bench_instantiate, &engine, module.value())
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark((std::string("interp/instantiate-store/") + name).c_str(),
                                 bench_instantiate_store, &engine, module.value())
        ->Unit(benchmark::kMicrosecond)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
