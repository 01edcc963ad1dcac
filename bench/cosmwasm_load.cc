#include "bench/cosmwasm_load.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace wvm::load {

using namespace wvm::cosmwasm;
using cosmwasm::CallResult;

namespace {

constexpr const char* kBalance = "1000";
constexpr const char* kDenom = "earth";

}  // namespace

Result<std::vector<uint8_t>> read_hackatom() {
  return wvm::read_file(std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/hackatom.wasm");
}

HackatomChain::HackatomChain(Runtime& runtime, std::shared_ptr<const Contract> contract)
    : runtime_(runtime), contract_(std::move(contract)) {}

VmResult<std::unique_ptr<HackatomChain>> HackatomChain::create(
    Runtime& runtime,
    std::shared_ptr<const Contract> contract) {
  std::unique_ptr<HackatomChain> chain(new HackatomChain(runtime, std::move(contract)));
  MockApi& api = chain->api_;
  const std::string verifier = api.addr_make("verifier");
  const std::string beneficiary = api.addr_make("beneficiary");
  // release queries the contract's own balance and sends all of it.
  chain->querier_.update_balance(mock_contract_addr(), {{kDenom, kBalance}});
  chain->env_ = mock_env_json();
  chain->info_ = mock_info_json(verifier);
  // hackatom 3.0's release response, byte for byte as the contract serializes it.
  chain->expected_ =
      R"({"messages":[{"id":0,"payload":"","msg":{"bank":{"send":{"to_address":")" +
      beneficiary + R"(","amount":[{"denom":")" + kDenom + R"(","amount":")" + kBalance +
      R"("}]}}},"gas_limit":null,"reply_on":"never"}],)"
      R"("attributes":[{"key":"action","value":"release"},{"key":"destination","value":")" +
      beneficiary +
      R"("}],"events":[{"type":"hackatom","attributes":[{"key":"action","value":"release"}]}],)"
      R"("data":"8Auq"})";

  auto inst = ContractInstance::create(runtime, chain->contract_,
                                       {&chain->storage_, &chain->api_, &chain->querier_});
  if (!inst.ok())
    return *inst.error;
  const std::string init = R"({"verifier":")" + verifier + R"(","beneficiary":")" +
                           beneficiary + R"("})";
  const CallResult r = inst.value->instantiate(chain->env_, mock_info_json(api.addr_make("creator")),
                                               init, kTxGas);
  if (!r.ok())
    return VmError::generic("instantiate: " + r.error_message());
  return chain;
}

CallResult HackatomChain::transact() {
  auto inst = ContractInstance::create(runtime_, contract_, {&storage_, &api_, &querier_});
  if (!inst.ok()) {
    CallResult failed;
    failed.status = CallResult::Status::VmError;
    failed.vm_error = *inst.error;
    return failed;
  }
  return inst.value->execute(env_, info_, R"({"release":{}})", kTxGas);
}

std::string HackatomChain::check(const CallResult& r) const {
  if (!r.ok())
    return "failed: " + r.error_message();
  if (r.data_string() != expected_)
    return "response " + r.data_string() + ", expected " + expected_;
  return {};
}

uint64_t resident_bytes() {
#ifdef __GLIBC__
  malloc_trim(0);  // freed heap pages would otherwise count as resident
#endif
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr)
    return 0;
  char line[256];
  uint64_t kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) {
      kib = std::strtoull(line + 6, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kib * 1024;
}

}  // namespace wvm::load
