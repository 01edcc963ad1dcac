// CosmWasm execute in each tier: hackatom's release and cyberpunk's cpu_loop
// with a fixed gas limit, on the in-memory backends (hosts/cosmwasm/mock.h).
// Each iteration instantiates a fresh contract instance (as a node does per
// call) on storage already holding the instantiated contract's state, then
// runs the call; gas used is reported and must be the same in every tier.
//
//   <tier>/execute/hackatom_release     release: reads state, pays the beneficiary
//   <tier>/execute/cyberpunk_cpu_loop   an endless loop stopped by 10^9 gas
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "hosts/cosmwasm/mock.h"
#include "hosts/cosmwasm/vm.h"
#include "wvm/wvm.h"

namespace {

using namespace wvm;
using namespace wvm::cosmwasm;

constexpr uint64_t kGas = 500'000'000'000;    // plenty for one release
constexpr uint64_t kLoopGas = 1'000'000'000;  // what stops cpu_loop

struct Case {
  const char* contract;
  // Returns the instantiate msg; `api` makes addresses.
  std::string (*init_msg)(const MockApi& api);
  const char* execute_msg;
  bool expect_out_of_gas;
  uint64_t gas;
};

std::string hackatom_init(const MockApi& api) {
  return R"({"verifier":")" + api.addr_make("verifier") + R"(","beneficiary":")" +
         api.addr_make("beneficiary") + R"("})";
}
std::string empty_init(const MockApi&) { return "{}"; }

void bench_execute(benchmark::State& state, const Case* c, TierPolicy tier) {
  auto wasm = wvm::read_file(std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/" + c->contract);
  if (!wasm) return state.SkipWithError(("needs ../shared: " + wasm.error().to_string()).c_str());
  RuntimeOptions options;
  options.tier = tier;
  Runtime runtime(options);
  auto contract = runtime.compile(wasm.value());
  if (!contract.ok()) return state.SkipWithError(contract.error->to_string().c_str());
  MockStorage storage;
  MockApi api;
  MockQuerier querier;
  const Backend backend{&storage, &api, &querier};
  const std::string sender = api.addr_make("verifier");
  {
    auto inst = ContractInstance::create(runtime, contract.value, backend);
    if (!inst.ok()) return state.SkipWithError(inst.error->to_string().c_str());
    const cosmwasm::CallResult r = inst.value->instantiate(
        mock_env_json(), mock_info_json(sender, {{"earth", "1000"}}), c->init_msg(api), kGas);
    if (!r.ok()) return state.SkipWithError(r.error_message().c_str());
  }
  uint64_t gas_used = 0;
  for (auto _ : state) {
    auto inst = ContractInstance::create(runtime, contract.value, backend);
    if (!inst.ok()) return state.SkipWithError(inst.error->to_string().c_str());
    const cosmwasm::CallResult r =
        inst.value->execute(mock_env_json(), mock_info_json(sender), c->execute_msg, c->gas);
    const bool out_of_gas = !r.ok() && r.gas.remaining == 0;
    if (r.ok() == c->expect_out_of_gas || out_of_gas != c->expect_out_of_gas)
      return state.SkipWithError(("unexpected outcome: " + r.error_message()).c_str());
    gas_used = r.gas.used_internally + r.gas.used_externally;
  }
  state.counters["gas"] = static_cast<double>(gas_used);
}

const Case kCases[] = {
    {"hackatom.wasm", hackatom_init, R"({"release":{}})", false, kGas},
    {"cyberpunk.wasm", empty_init, R"({"cpu_loop":{}})", true, kLoopGas},
};
const char* const kNames[] = {"hackatom_release", "cyberpunk_cpu_loop"};

}  // namespace

int main(int argc, char** argv) {
  const std::pair<const char*, TierPolicy> tiers[] = {{"interp", TierPolicy::Interp},
                                                       {"jit", TierPolicy::Jit}};
  for (size_t i = 0; i < std::size(kCases); ++i) {
    for (const auto& [tier, policy] : tiers) {
      benchmark::RegisterBenchmark(
          (std::string(tier) + "/execute/" + kNames[i]).c_str(), bench_execute, &kCases[i], policy)
          ->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
