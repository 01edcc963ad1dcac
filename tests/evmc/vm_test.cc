// libwvm_evmc.so driven as an EVMC host drives it: loaded with dlopen,
// created by evmc_create_wvm_evmc, executing the ewasm contracts of
// tests/evmc/contracts/ against a host kept here in memory (accounts with
// code, storage with EIP-2929 warm/cold access, a fixed transaction
// context). Every case runs in each tier; status, output and gas must be
// the same in all of them.
#include <dlfcn.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "hosts/evmc/evmc_abi.h"

namespace {

using Bytes = std::vector<uint8_t>;

Bytes contract(const std::string& name) {
  std::ifstream in(std::string(WVM_EVMC_CONTRACTS_DIR) + "/" + name + ".wasm", std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

evmc_address address(uint8_t last) {
  evmc_address a{};
  a.bytes[19] = last;
  return a;
}

// Map keys: the bytes of an address or a bytes32.
std::string key(const evmc_address& a) { return std::string(a.bytes, a.bytes + 20); }
std::string key(const evmc_bytes32& b) { return std::string(b.bytes, b.bytes + 32); }
bool is_zero(const evmc_bytes32& v) {
  for (uint8_t b : v.bytes)
    if (b != 0) return false;
  return true;
}
bool same(const evmc_bytes32& a, const evmc_bytes32& b) {
  return std::memcmp(a.bytes, b.bytes, 32) == 0;
}

// The host: accounts' code and storage, and the execute() of the VM under
// test for calls between contracts.
struct Host {
  evmc_vm* vm = nullptr;
  std::map<std::string, Bytes> code;
  std::map<std::string, std::map<std::string, evmc_bytes32>> storage;
  std::set<std::string> warm_accounts;
  std::set<std::string> warm_slots;

  static Host& of(evmc_host_context* c) { return *reinterpret_cast<Host*>(c); }
  evmc_host_context* context() { return reinterpret_cast<evmc_host_context*>(this); }

  static bool account_exists(evmc_host_context* c, const evmc_address* a) {
    return of(c).code.count(key(*a)) != 0;
  }
  static evmc_bytes32 get_storage(evmc_host_context* c, const evmc_address* a,
                                  const evmc_bytes32* k) {
    return of(c).storage[key(*a)][key(*k)];
  }
  // Original values are not tracked: a slot's status is from its current value.
  static evmc_storage_status set_storage(evmc_host_context* c, const evmc_address* a,
                                         const evmc_bytes32* k, const evmc_bytes32* v) {
    evmc_bytes32& slot = of(c).storage[key(*a)][key(*k)];
    const evmc_storage_status s = same(slot, *v)   ? EVMC_STORAGE_ASSIGNED
                                  : is_zero(slot) ? EVMC_STORAGE_ADDED
                                  : is_zero(*v)   ? EVMC_STORAGE_DELETED
                                                  : EVMC_STORAGE_MODIFIED;
    slot = *v;
    return s;
  }
  static evmc_uint256be get_balance(evmc_host_context*, const evmc_address*) {
    evmc_uint256be b{};
    b.bytes[31] = 7;
    return b;
  }
  static size_t get_code_size(evmc_host_context* c, const evmc_address* a) {
    auto it = of(c).code.find(key(*a));
    return it == of(c).code.end() ? 0 : it->second.size();
  }
  static evmc_bytes32 get_code_hash(evmc_host_context*, const evmc_address*) { return {}; }
  static size_t copy_code(evmc_host_context* c, const evmc_address* a, size_t offset, uint8_t* out,
                          size_t size) {
    const Bytes& code = of(c).code[key(*a)];
    if (offset >= code.size()) return 0;
    const size_t n = std::min(size, code.size() - offset);
    std::memcpy(out, code.data() + offset, n);
    return n;
  }
  static bool selfdestruct(evmc_host_context*, const evmc_address*, const evmc_address*) {
    return true;
  }
  static evmc_result call(evmc_host_context* c, const evmc_message* m) {
    Host& h = of(c);
    const Bytes& code = h.code[key(m->code_address)];
    return h.vm->execute(h.vm, &kInterface, c, EVMC_SHANGHAI, m, code.data(), code.size());
  }
  static evmc_tx_context get_tx_context(evmc_host_context*) {
    evmc_tx_context t{};
    t.block_number = 100;
    t.block_timestamp = 1700000000;
    t.block_gas_limit = 30000000;
    return t;
  }
  static evmc_bytes32 get_block_hash(evmc_host_context*, int64_t) { return {}; }
  static void emit_log(evmc_host_context*, const evmc_address*, const uint8_t*, size_t,
                       const evmc_bytes32*, size_t) {}
  static evmc_access_status access_account(evmc_host_context* c, const evmc_address* a) {
    return of(c).warm_accounts.insert(key(*a)).second ? EVMC_ACCESS_COLD : EVMC_ACCESS_WARM;
  }
  static evmc_access_status access_storage(evmc_host_context* c, const evmc_address* a,
                                           const evmc_bytes32* k) {
    return of(c).warm_slots.insert(key(*a) + key(*k)).second ? EVMC_ACCESS_COLD
                                                                 : EVMC_ACCESS_WARM;
  }
  static evmc_bytes32 get_transient_storage(evmc_host_context*, const evmc_address*,
                                            const evmc_bytes32*) {
    return {};
  }
  static void set_transient_storage(evmc_host_context*, const evmc_address*, const evmc_bytes32*,
                                    const evmc_bytes32*) {}

  static const evmc_host_interface kInterface;
};

const evmc_host_interface Host::kInterface = {
    account_exists, get_storage,    set_storage,          get_balance,
    get_code_size,  get_code_hash,  copy_code,            selfdestruct,
    call,           get_tx_context, get_block_hash,       emit_log,
    access_account, access_storage, get_transient_storage, set_transient_storage};

struct Outcome {
  evmc_status_code status;
  int64_t gas_left;
  int64_t refund;
  Bytes output;
};

class EvmcVmTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    lib_ = dlopen(WVM_EVMC_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(lib_, nullptr) << dlerror();
    auto create = reinterpret_cast<evmc_vm* (*)()>(dlsym(lib_, "evmc_create_wvm_evmc"));
    ASSERT_NE(create, nullptr);
    vm_ = create();
    ASSERT_NE(vm_, nullptr);
    ASSERT_EQ(vm_->set_option(vm_, "tier", GetParam()), EVMC_SET_OPTION_SUCCESS);
    host_.vm = vm_;
  }
  void TearDown() override {
    if (vm_ != nullptr) vm_->destroy(vm_);
    if (lib_ != nullptr) dlclose(lib_);
  }

  Outcome run(const Bytes& code, const Bytes& input, int64_t gas, uint32_t flags = 0) {
    evmc_message m{};
    m.kind = EVMC_CALL;
    m.flags = flags;
    m.gas = gas;
    m.recipient = address(1);
    m.sender = address(9);
    m.input_data = input.data();
    m.input_size = input.size();
    evmc_result r = vm_->execute(vm_, &Host::kInterface, host_.context(), EVMC_SHANGHAI, &m,
                                 code.data(), code.size());
    Outcome o{r.status_code, r.gas_left, r.gas_refund,
              Bytes(r.output_data, r.output_data + r.output_size)};
    if (r.release != nullptr) r.release(&r);
    return o;
  }

  void* lib_ = nullptr;
  evmc_vm* vm_ = nullptr;
  Host host_;
};

INSTANTIATE_TEST_SUITE_P(Tiers, EvmcVmTest, ::testing::Values("interp", "jit", "auto"),
                         [](const auto& info) { return std::string(info.param); });

TEST_P(EvmcVmTest, DescribesItself) {
  EXPECT_EQ(vm_->abi_version, EVMC_ABI_VERSION);
  EXPECT_STREQ(vm_->name, "wvm");
  EXPECT_EQ(vm_->get_capabilities(vm_), static_cast<evmc_capabilities_flagset>(EVMC_CAPABILITY_EWASM));
  EXPECT_EQ(vm_->set_option(vm_, "tier", "turbo"), EVMC_SET_OPTION_INVALID_VALUE);
  EXPECT_EQ(vm_->set_option(vm_, "speed", "1"), EVMC_SET_OPTION_INVALID_NAME);
}

TEST_P(EvmcVmTest, EchoesCallData) {
  const Bytes input = {1, 2, 3, 4, 5};
  Outcome o = run(contract("echo"), input, 100000);
  EXPECT_EQ(o.status, EVMC_SUCCESS);
  EXPECT_EQ(o.output, input);
  EXPECT_GT(o.gas_left, 100000 - 100);  // a few wasm instructions, a copy of one word
  EXPECT_LT(o.gas_left, 100000);
}

TEST_P(EvmcVmTest, StorageRoundTrip) {
  Bytes input(64, 0);
  input[31] = 0x2a;                       // key 42
  for (int i = 32; i < 64; ++i) input[i] = static_cast<uint8_t>(i);  // the value
  Outcome o = run(contract("storage"), input, 100000);
  ASSERT_EQ(o.status, EVMC_SUCCESS);
  EXPECT_EQ(o.output, Bytes(input.begin() + 32, input.end()));
  evmc_bytes32 slot{};
  slot.bytes[31] = 0x2a;
  EXPECT_EQ(std::memcmp(host_.storage[key(address(1))][key(slot)].bytes, input.data() + 32, 32), 0);
  // A new slot: cold access 2100, set 20000, then a warm load 100, a
  // 2-word copy 6; the wasm itself a few dozen.
  const int64_t used = 100000 - o.gas_left;
  EXPECT_GE(used, 2100 + 20000 + 100 + 6);
  EXPECT_LT(used, 2100 + 20000 + 100 + 6 + 100);
  // The same store again: the slot is warm and keeps its value.
  Outcome again = run(contract("storage"), input, 100000);
  ASSERT_EQ(again.status, EVMC_SUCCESS);
  EXPECT_EQ(100000 - again.gas_left, used - 2100 - 20000 + 100);
}

TEST_P(EvmcVmTest, ShortCallDataIsAFailure) {
  Outcome o = run(contract("storage"), Bytes(40, 1), 100000);  // needs 64 bytes
  EXPECT_EQ(o.status, EVMC_FAILURE);
  EXPECT_EQ(o.gas_left, 0);
}

TEST_P(EvmcVmTest, StoreInAStaticCallIsAFailure) {
  Outcome o = run(contract("storage"), Bytes(64, 1), 100000, EVMC_STATIC);
  EXPECT_EQ(o.status, EVMC_FAILURE);
  EXPECT_TRUE(host_.storage[key(address(1))].empty());
}

TEST_P(EvmcVmTest, RevertKeepsDataAndGas) {
  Outcome o = run(contract("revert"), {}, 100000);
  EXPECT_EQ(o.status, EVMC_REVERT);
  EXPECT_EQ(o.output, (Bytes{'n', 'o', 'p', 'e'}));
  EXPECT_LE(o.gas_left, 100000 - 1000);
  EXPECT_GT(o.gas_left, 100000 - 1100);
}

TEST_P(EvmcVmTest, OutOfGas) {
  Outcome o = run(contract("spin"), {}, 50000);
  EXPECT_EQ(o.status, EVMC_OUT_OF_GAS);
  EXPECT_EQ(o.gas_left, 0);
  Outcome used_up = run(contract("revert"), {}, 999);  // useGas(1000)
  EXPECT_EQ(used_up.status, EVMC_OUT_OF_GAS);
}

TEST_P(EvmcVmTest, GasLeftSeesUseGas) {
  Outcome o = run(contract("gas"), {}, 100000);
  ASSERT_EQ(o.status, EVMC_SUCCESS);
  ASSERT_EQ(o.output.size(), 8u);
  int64_t seen = 0;
  std::memcpy(&seen, o.output.data(), 8);
  EXPECT_LE(seen, 100000 - 5000);
  EXPECT_GT(seen, 100000 - 5100);
  EXPECT_LE(o.gas_left, seen);
}

TEST_P(EvmcVmTest, TrapIsAFailure) {
  Outcome o = run(contract("trap"), {}, 100000);
  EXPECT_EQ(o.status, EVMC_FAILURE);
  EXPECT_EQ(o.gas_left, 0);
}

TEST_P(EvmcVmTest, InvalidContracts) {
  EXPECT_EQ(run(contract("bad_import"), {}, 100000).status, EVMC_CONTRACT_VALIDATION_FAILURE);
  const Bytes garbage = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00};
  EXPECT_EQ(run(garbage, {}, 100000).status, EVMC_CONTRACT_VALIDATION_FAILURE);
  EXPECT_EQ(run({}, {}, 100000).status, EVMC_CONTRACT_VALIDATION_FAILURE);
}

TEST_P(EvmcVmTest, CallsAnotherContractThroughTheHost) {
  host_.code[key(address(2))] = contract("echo");
  Bytes input(20, 0);
  input[19] = 2;  // the callee's address; it gets no data and echoes none
  Outcome o = run(contract("caller"), input, 200000);
  ASSERT_EQ(o.status, EVMC_SUCCESS);
  EXPECT_EQ(o.output, Bytes{0});  // status 0, empty return data
  host_.code[key(address(3))] = contract("revert");
  input[19] = 3;
  Outcome reverted = run(contract("caller"), input, 200000);
  ASSERT_EQ(reverted.status, EVMC_SUCCESS);
  EXPECT_EQ(reverted.output, (Bytes{2, 'n', 'o', 'p', 'e'}));
  // The callee's useGas(1000) is paid by the caller.
  EXPECT_LT(reverted.gas_left, o.gas_left - 1000);
}

// The ERC-20 contract (contracts/erc20.c, C against the EEI): balances move,
// a transfer past the balance reverts with its message and changes nothing.
TEST_P(EvmcVmTest, Erc20Transfers) {
  const Bytes token = contract("erc20");
  ASSERT_FALSE(token.empty());
  auto word = [](uint64_t v) {
    Bytes w(32, 0);
    for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
    return w;
  };
  auto call = [&](uint32_t selector, uint8_t who, uint64_t amount, bool with_amount) {
    Bytes d = {static_cast<uint8_t>(selector >> 24), static_cast<uint8_t>(selector >> 16),
               static_cast<uint8_t>(selector >> 8), static_cast<uint8_t>(selector)};
    Bytes a = word(who);
    d.insert(d.end(), a.begin(), a.end());
    if (with_amount) {
      Bytes v = word(amount);
      d.insert(d.end(), v.begin(), v.end());
    }
    return run(token, d, 1000000);  // the sender is address 9
  };
  ASSERT_EQ(call(0x40c10f19, 9, 1000, true).status, EVMC_SUCCESS);  // mint(9, 1000)
  Outcome sent = call(0xa9059cbb, 5, 300, true);                      // transfer(5, 300)
  ASSERT_EQ(sent.status, EVMC_SUCCESS);
  EXPECT_EQ(sent.output, word(1));
  EXPECT_EQ(call(0x70a08231, 9, 0, false).output, word(700));
  EXPECT_EQ(call(0x70a08231, 5, 0, false).output, word(300));
  Outcome refused = call(0xa9059cbb, 5, 701, true);
  EXPECT_EQ(refused.status, EVMC_REVERT);
  EXPECT_EQ(std::string(refused.output.begin(), refused.output.end()), "insufficient balance");
  EXPECT_GT(refused.gas_left, 0);
  EXPECT_EQ(call(0x70a08231, 9, 0, false).output, word(700));
}

// The outcome of every case is the same in every tier.
TEST(EvmcVmTiers, AgreeOnStatusOutputAndGas) {
  void* lib = dlopen(WVM_EVMC_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  auto create = reinterpret_cast<evmc_vm* (*)()>(dlsym(lib, "evmc_create_wvm_evmc"));
  ASSERT_NE(create, nullptr);
  Bytes storage_input(64, 3);
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"echo", {9, 8, 7}}, {"storage", storage_input}, {"revert", {}},
      {"spin", {}},        {"gas", {}},                {"trap", {}}};
  std::map<std::string, std::vector<std::tuple<int, int64_t, Bytes>>> seen;
  for (const char* tier : {"interp", "jit", "auto"}) {
    evmc_vm* vm = create();
    ASSERT_EQ(vm->set_option(vm, "tier", tier), EVMC_SET_OPTION_SUCCESS);
    Host host;
    host.vm = vm;
    for (const auto& [name, input] : cases) {
      const Bytes code = contract(name);
      evmc_message m{};
      m.gas = 60000;
      m.recipient = address(1);
      m.input_data = input.data();
      m.input_size = input.size();
      evmc_result r = vm->execute(vm, &Host::kInterface, host.context(), EVMC_SHANGHAI, &m,
                                  code.data(), code.size());
      seen[name].emplace_back(r.status_code, r.gas_left,
                              Bytes(r.output_data, r.output_data + r.output_size));
      if (r.release != nullptr) r.release(&r);
    }
    vm->destroy(vm);
  }
  for (const auto& [name, outcomes] : seen) {
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_EQ(outcomes[0], outcomes[1]) << name << ": interp against jit";
    EXPECT_EQ(outcomes[0], outcomes[2]) << name << ": interp against auto";
  }
  dlclose(lib);
}

}  // namespace
