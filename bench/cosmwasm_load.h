// A node's transaction on hackatom, shared by the load benchmark
// (cosmwasm_load_bench.cc) and the soak test (tests/soak/). Each thread owns
// one chain: its backends, whose storage holds hackatom's state after
// `instantiate` and whose querier knows the contract's balance. A transaction
// creates a fresh instance of the compiled contract (shared by all threads)
// and executes {"release":{}} on it, as a node does per transaction; the
// outcome is the same on every call, thread and tier.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hosts/cosmwasm/mock.h"
#include "hosts/cosmwasm/vm.h"

namespace wvm::load {

/// Gas limit of every call: ample for one release.
constexpr uint64_t kTxGas = 500'000'000'000;

/// hackatom.wasm from the shared folder; the error names the path.
Result<std::vector<uint8_t>> read_hackatom();

/// One thread's chain with hackatom instantiated on it.
class HackatomChain {
 public:
  /// Instantiates `contract` on fresh backends. Not thread-safe with
  /// respect to one chain: give each thread its own.
  static cosmwasm::VmResult<std::unique_ptr<HackatomChain>> create(
      cosmwasm::Runtime& runtime,
      std::shared_ptr<const cosmwasm::Contract> contract);

  /// One transaction: a fresh instance, then execute release. A failure to
  /// instantiate comes back as a VmError result.
  cosmwasm::CallResult transact();
  /// "" if `r` is release's success response (the contract's balance sent
  /// to the beneficiary), else a description of the difference.
  std::string check(const cosmwasm::CallResult& r) const;

 private:
  HackatomChain(cosmwasm::Runtime& runtime, std::shared_ptr<const cosmwasm::Contract> contract);

  cosmwasm::Runtime& runtime_;
  std::shared_ptr<const cosmwasm::Contract> contract_;
  cosmwasm::MockStorage storage_;
  cosmwasm::MockApi api_;
  cosmwasm::MockQuerier querier_;
  std::string env_;
  std::string info_;
  std::string expected_;
};

/// Total gas of a call (internally plus externally).
inline uint64_t gas_used(const cosmwasm::CallResult& r) {
  return r.gas.used_internally + r.gas.used_externally;
}

/// VmRSS of this process in bytes (0 if /proc is unavailable), after
/// returning free heap pages to the kernel so that only live memory counts.
uint64_t resident_bytes();

}  // namespace wvm::load
