// A node restart: the time from a freshly opened contract cache to a contract
// ready to call (its compiled module in hand and an instance created), with
// the compiled module on disk (warm: the file-system module cache has it)
// and without (cold: only the stored wasm, which is compiled). This is
// libwasmvm's cache_t as libwvm_cosmwasm.so implements it (capi::Cache), on
// the in-memory backends.
//
//   <tier>/restart-open/cache        Cache::open: the engine and directories,
//                                    once per restart
//   <tier>/restart-warm/<contract>   get_contract on a fresh cache (a file-system
//                                    hit: read + deserialize_module) + instance
//   <tier>/restart-cold/<contract>   the same with the module file removed
//                                    first (a miss: decode, validate, prepare,
//                                    and under jit tier-1 compile everything)
//
// Each iteration checks the cache's counters (one file-system hit, or one
// miss) so a benchmark that silently compiled would fail.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "hosts/cosmwasm/capi/cache.h"
#include "hosts/cosmwasm/mock.h"
#include "hosts/cosmwasm/vm.h"
#include "wvm/wvm.h"

namespace {

using namespace wvm;
using namespace wvm::cosmwasm;
namespace fs = std::filesystem;

const char* const kContracts[] = {"hackatom.wasm", "cyberpunk.wasm", "queue.wasm",
                                  "reflect.wasm",  "floaty_2.0.wasm", "empty.wasm"};

capi::CacheConfig config_for(const std::string& dir, TierPolicy tier) {
  capi::CacheConfig c;
  c.base_dir = dir;
  c.available_capabilities = {"iterator",     "staking",      "stargate",     "cosmwasm_1_1",
                              "cosmwasm_1_2", "cosmwasm_1_3", "cosmwasm_1_4", "cosmwasm_2_0",
                              "cosmwasm_2_1", "cosmwasm_2_2", "cosmwasm_3_0"};
  c.memory_cache_size_bytes = 100u << 20;
  c.instance_memory_limit_bytes = 32u << 20;
  c.tier = tier;
  return c;
}

void bench_restart(benchmark::State& state, const char* name, TierPolicy tier, bool warm) {
  auto wasm = wvm::read_file(std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/" + name);
  if (!wasm) return state.SkipWithError(("needs ../shared: " + wasm.error().to_string()).c_str());
  char tmpl[] = "/tmp/wvm-restart-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return state.SkipWithError("mkdtemp failed");
  const std::string dir = tmpl;
  capi::Checksum checksum{};
  std::string module_file;
  {
    auto cache = capi::Cache::open(config_for(dir, tier));
    if (!cache.ok()) return state.SkipWithError(cache.error->to_string().c_str());
    auto stored = cache.value->store_code(wasm.value(), /*checked=*/false, /*persist=*/true);
    if (!stored.ok()) return state.SkipWithError(stored.error->to_string().c_str());
    checksum = stored.value;
  }
  for (const auto& e : fs::recursive_directory_iterator(dir + "/cache/modules"))
    if (e.path().extension() == ".module") module_file = e.path().string();
  std::vector<uint8_t> module_bytes;
  if (auto bytes = wvm::read_file(module_file); bytes) module_bytes = std::move(bytes.value());
  if (module_bytes.empty()) return state.SkipWithError("no module file after store_code");

  MockStorage storage;
  MockApi api;
  MockQuerier querier;
  for (auto _ : state) {
    state.PauseTiming();
    if (!warm) {
      fs::remove(module_file);
    } else if (!fs::exists(module_file)) {
      state.ResumeTiming();
      return state.SkipWithError("module file missing");
    }
    auto cache = capi::Cache::open(config_for(dir, tier));  // once per restart: not timed
    if (!cache.ok()) return state.SkipWithError(cache.error->to_string().c_str());
    state.ResumeTiming();
    auto contract = cache.value->get_contract(checksum);
    if (!contract.ok()) return state.SkipWithError(contract.error->to_string().c_str());
    auto inst = ContractInstance::create(cache.value->runtime(), contract.value,
                                         {&storage, &api, &querier});
    if (!inst.ok()) return state.SkipWithError(inst.error->to_string().c_str());
    benchmark::DoNotOptimize(inst.value.get());
    state.PauseTiming();
    const ::Metrics m = cache.value->metrics();
    if (m.hits_fs_cache != (warm ? 1u : 0u) || m.misses != (warm ? 0u : 1u))
      return state.SkipWithError("the cache did not hit/miss as the benchmark expects");
    inst.value.reset();
    cache.value.reset();
    state.ResumeTiming();
  }
  state.counters["module_bytes"] = static_cast<double>(module_bytes.size());
  state.counters["wasm_bytes"] = static_cast<double>(wasm.value().size());
  std::error_code ec;
  fs::remove_all(dir, ec);
}

void bench_open(benchmark::State& state, TierPolicy tier) {
  char tmpl[] = "/tmp/wvm-restart-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return state.SkipWithError("mkdtemp failed");
  const std::string dir = tmpl;
  for (auto _ : state) {
    auto cache = capi::Cache::open(config_for(dir, tier));
    if (!cache.ok()) return state.SkipWithError(cache.error->to_string().c_str());
    benchmark::DoNotOptimize(cache.value.get());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

const char* tier_name(TierPolicy t) {
  return t == TierPolicy::Jit ? "jit" : t == TierPolicy::Interp ? "interp" : "auto";
}

int register_all() {
  for (TierPolicy tier : {TierPolicy::Jit, TierPolicy::Auto}) {
    benchmark::RegisterBenchmark((std::string(tier_name(tier)) + "/restart-open/cache").c_str(),
                                 [=](benchmark::State& s) { bench_open(s, tier); })
        ->Unit(benchmark::kMicrosecond);
    for (const char* name : kContracts) {
      std::string stem(name);
      stem = stem.substr(0, stem.rfind('.'));
      for (bool warm : {true, false}) {
        benchmark::RegisterBenchmark(
            (std::string(tier_name(tier)) + (warm ? "/restart-warm/" : "/restart-cold/") + stem)
                .c_str(),
            [=](benchmark::State& s) { bench_restart(s, name, tier, warm); })
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  return 0;
}
const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
