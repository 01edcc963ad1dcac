// The engine side of the benchmark workloads (bench/workloads/): their table
// (workloads.txt, through the build), loading and running them in wvm, and the
// host key-value store erc20 imports (env.kv_get, env.kv_set). The imports
// call host_kv.c, the store the native build links, so wasm and native share
// one implementation of its semantics (host_kv.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wvm/wvm.h"

namespace wvm::bench {

struct Workload {
  const char* name;
  uint32_t iterations;                // one call of run(iterations): ~10 ms natively
  uint64_t (*native)(uint32_t);       // the native twin of run()
};

/// Every workload, in workloads.txt order.
const std::vector<Workload>& workloads();
/// The workload called `name`, or nullptr.
const Workload* find_workload(std::string_view name);
/// Where the build put NAME.wasm.
std::string wasm_path(const Workload& w);

/// How a workload runs in wvm.
struct RunConfig {
  TierPolicy tier = TierPolicy::Jit;
  bool metered = false;  // cosmwasm gas profile, unlimited gas
};
Config engine_config(const RunConfig& rc);

/// A workload instantiated in a store of its own, ready to call run().
class LoadedWorkload {
 public:
  /// Compiles `wasm` in `engine` and instantiates it with the imports it
  /// names (only env.kv_get and env.kv_set are provided).
  static Result<std::unique_ptr<LoadedWorkload>> load(Engine& engine,
                                                      const std::vector<uint8_t>& wasm);
  /// Calls run(iterations); false (with the trap in `*trap`) if it trapped.
  bool run(uint32_t iterations, uint64_t* checksum, TrapKind* trap);
  /// Gas used by the last run() (metered engines only).
  uint64_t last_gas() const noexcept { return last_gas_; }
  Store& store() noexcept { return *store_; }

 private:
  std::shared_ptr<const Module> module_;
  std::unique_ptr<Store> store_;
  Func* run_ = nullptr;
  uint64_t last_gas_ = 0;
};

/// The median of `ms` (not empty).
double median(std::vector<double> ms);

/// For the single-run tools: calls `call` `repeats` times, timing each call,
/// and prints `checksum=<u64> ms=<median ms of one call>`. `call` returns
/// false (having printed why) on failure; a checksum that changes between
/// calls is one too. Returns the process exit code.
int time_calls(const char* tool, uint32_t repeats, const std::function<bool(uint64_t*)>& call);

/// The host imports for `module` made in `store`: a clear Unlinkable error
/// for any import other than env.kv_get / env.kv_set of the right type.
Result<std::vector<Extern>> workload_imports(Store& store, const Module& module);

}  // namespace wvm::bench
