// wvm-evmc-run: a Solidity twin's EVM bytecode on any EVMC VM a user has
// (ABI version 12, e.g. evmone v0.14-v0.19's libevmone.so), through a host
// of ours kept in memory (storage of the one contract, a fixed transaction
// context, every account and slot warm after its first access). Deploys the
// contract by running its creation code (CREATE), then times `run(N)`:
//
//   wvm-evmc-run VM.so[,NAME=VALUE...] CREATION.hex ITERATIONS [REPEATS]
//
// and prints `checksum=<u64> ms=<median ms of one execute>`, as
// wvm-bench-native does. CREATION.hex holds solc's creation bytecode (what
// `run_evm.mjs FILE CONTRACT --bytecode` prints). Revision: Prague.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hosts/evmc/evmc_abi.h"

extern "C" {
#include "host_keccak.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

std::string key(const uint8_t* p, size_t n) { return std::string(p, p + n); }

struct Host {
  std::map<std::string, evmc_bytes32> storage;  // address + key
  std::set<std::string> warm;

  static Host& of(evmc_host_context* c) { return *reinterpret_cast<Host*>(c); }

  static bool account_exists(evmc_host_context*, const evmc_address*) { return true; }
  static evmc_bytes32 get_storage(evmc_host_context* c, const evmc_address* a,
                                  const evmc_bytes32* k) {
    auto it = of(c).storage.find(key(a->bytes, 20) + key(k->bytes, 32));
    return it == of(c).storage.end() ? evmc_bytes32{} : it->second;
  }
  static evmc_storage_status set_storage(evmc_host_context* c, const evmc_address* a,
                                         const evmc_bytes32* k, const evmc_bytes32* v) {
    evmc_bytes32& slot = of(c).storage[key(a->bytes, 20) + key(k->bytes, 32)];
    const bool same = std::memcmp(slot.bytes, v->bytes, 32) == 0;
    slot = *v;
    return same ? EVMC_STORAGE_ASSIGNED : EVMC_STORAGE_MODIFIED;
  }
  static evmc_uint256be get_balance(evmc_host_context*, const evmc_address*) { return {}; }
  static size_t get_code_size(evmc_host_context*, const evmc_address*) { return 0; }
  static evmc_bytes32 get_code_hash(evmc_host_context*, const evmc_address*) { return {}; }
  static size_t copy_code(evmc_host_context*, const evmc_address*, size_t, uint8_t*, size_t) {
    return 0;
  }
  static bool selfdestruct(evmc_host_context*, const evmc_address*, const evmc_address*) {
    return false;
  }
  static evmc_result call(evmc_host_context*, const evmc_message* m) {
    evmc_result r{};  // the twins call no other contract
    r.status_code = EVMC_FAILURE;
    r.gas_left = m->gas;
    return r;
  }
  static evmc_tx_context get_tx_context(evmc_host_context*) {
    evmc_tx_context t{};
    t.block_number = 1;
    t.block_timestamp = 1700000000;
    t.block_gas_limit = INT64_MAX;
    return t;
  }
  static evmc_bytes32 get_block_hash(evmc_host_context*, int64_t) { return {}; }
  static void emit_log(evmc_host_context*, const evmc_address*, const uint8_t*, size_t,
                       const evmc_bytes32*, size_t) {}
  static evmc_access_status access_account(evmc_host_context* c, const evmc_address* a) {
    return of(c).warm.insert(key(a->bytes, 20)).second ? EVMC_ACCESS_COLD : EVMC_ACCESS_WARM;
  }
  static evmc_access_status access_storage(evmc_host_context* c, const evmc_address* a,
                                           const evmc_bytes32* k) {
    return of(c).warm.insert(key(a->bytes, 20) + key(k->bytes, 32)).second ? EVMC_ACCESS_COLD
                                                                           : EVMC_ACCESS_WARM;
  }
  static evmc_bytes32 get_transient_storage(evmc_host_context*, const evmc_address*,
                                            const evmc_bytes32*) {
    return {};
  }
  static void set_transient_storage(evmc_host_context*, const evmc_address*, const evmc_bytes32*,
                                    const evmc_bytes32*) {}
};

const evmc_host_interface kHost = {
    Host::account_exists, Host::get_storage,    Host::set_storage,    Host::get_balance,
    Host::get_code_size,  Host::get_code_hash,  Host::copy_code,      Host::selfdestruct,
    Host::call,           Host::get_tx_context, Host::get_block_hash, Host::emit_log,
    Host::access_account, Host::access_storage, Host::get_transient_storage,
    Host::set_transient_storage};

int fail(const std::string& message) {
  std::fprintf(stderr, "wvm-evmc-run: %s\n", message.c_str());
  return 1;
}

bool read_hex(const char* path, Bytes& out) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return std::isspace(c); }),
             text.end());
  if (text.rfind("0x", 0) == 0) text.erase(0, 2);
  if (text.empty() || text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned v;
    if (std::sscanf(text.c_str() + i, "%2x", &v) != 1) return false;
    out.push_back(static_cast<uint8_t>(v));
  }
  return true;
}

// The symbol EVMC's loader looks for: evmc_create_ and the file name without
// its directory, a "lib" prefix and its extension, '-' as '_'.
std::string create_symbol(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (name.rfind("lib", 0) == 0) name.erase(0, 3);
  name = name.substr(0, name.find('.'));
  std::replace(name.begin(), name.end(), '-', '_');
  return "evmc_create_" + name;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: %s VM.so[,NAME=VALUE...] CREATION.hex ITERATIONS [REPEATS]\n",
                 argv[0]);
    return 2;
  }
  std::string config = argv[1];
  const std::string path = config.substr(0, config.find(','));
  const uint32_t iterations = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
  const int repeats = argc == 5 ? std::max(1, std::atoi(argv[4])) : 3;
  Bytes creation;
  if (!read_hex(argv[2], creation)) return fail(std::string("no hex bytecode in ") + argv[2]);

  void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return fail(dlerror());
  auto create = reinterpret_cast<evmc_vm* (*)()>(dlsym(lib, create_symbol(path).c_str()));
  if (create == nullptr) create = reinterpret_cast<evmc_vm* (*)()>(dlsym(lib, "evmc_create"));
  if (create == nullptr) return fail("no " + create_symbol(path) + " or evmc_create in " + path);
  evmc_vm* vm = create();
  if (vm == nullptr) return fail("the VM's create function returned null");
  if (vm->abi_version != EVMC_ABI_VERSION)
    return fail(path + " speaks EVMC ABI " + std::to_string(vm->abi_version) +
                ", this harness " + std::to_string(EVMC_ABI_VERSION));
  for (size_t at = config.find(','); at != std::string::npos;) {
    const size_t next = config.find(',', at + 1);
    const std::string option = config.substr(at + 1, next - at - 1);
    const size_t eq = option.find('=');
    if (eq == std::string::npos || vm->set_option == nullptr ||
        vm->set_option(vm, option.substr(0, eq).c_str(), option.substr(eq + 1).c_str()) !=
            EVMC_SET_OPTION_SUCCESS)
      return fail("option " + option + " refused");
    at = next;
  }

  Host host;
  auto* context = reinterpret_cast<evmc_host_context*>(&host);
  const evmc_revision rev = EVMC_PRAGUE;
  evmc_message m{};
  m.kind = EVMC_CREATE;
  m.gas = INT64_MAX / 2;
  m.recipient.bytes[19] = 0xc0;
  m.sender.bytes[19] = 0x01;
  evmc_result deployed = vm->execute(vm, &kHost, context, rev, &m, creation.data(), creation.size());
  if (deployed.status_code != EVMC_SUCCESS)
    return fail("deploying failed with status " + std::to_string(deployed.status_code));
  const Bytes code(deployed.output_data, deployed.output_data + deployed.output_size);
  if (deployed.release != nullptr) deployed.release(&deployed);

  // run(uint32): its selector, then the count as a 32-byte big-endian word.
  uint8_t hash[32];
  const char* signature = "run(uint32)";
  keccak256_host(reinterpret_cast<const uint8_t*>(signature),
                 static_cast<uint32_t>(std::strlen(signature)), hash);
  Bytes input(hash, hash + 4);
  input.resize(36, 0);
  for (int i = 0; i < 4; ++i) input[35 - i] = static_cast<uint8_t>(iterations >> (8 * i));

  m = evmc_message{};
  m.kind = EVMC_CALL;
  m.gas = INT64_MAX / 2;
  m.recipient.bytes[19] = 0xc0;
  m.sender.bytes[19] = 0x01;
  m.input_data = input.data();
  m.input_size = input.size();
  std::vector<double> times;
  uint64_t checksum = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    evmc_result res = vm->execute(vm, &kHost, context, rev, &m, code.data(), code.size());
    const auto end = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    if (res.status_code != EVMC_SUCCESS || res.output_size != 32) {
      const int status = res.status_code;
      if (res.release != nullptr) res.release(&res);
      return fail("run(" + std::to_string(iterations) + ") failed with status " +
                  std::to_string(status));
    }
    uint64_t v = 0;
    for (int i = 24; i < 32; ++i) v = v << 8 | res.output_data[i];
    if (r > 0 && v != checksum) return fail("two calls of run() gave different checksums");
    checksum = v;
    if (res.release != nullptr) res.release(&res);
  }
  std::sort(times.begin(), times.end());
  std::printf("checksum=%" PRIu64 " ms=%.3f\n", checksum, times[times.size() / 2]);
  vm->destroy(vm);
  dlclose(lib);
  return 0;
}
