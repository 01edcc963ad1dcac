// Runs the ERC-20 ewasm contract (contracts/erc20.c) on libwvm_evmc.so the
// way an EVMC client does: the VM loaded and configured by EVMC's own loader
// (evmc_load_and_configure), every message executed against EVMC's example
// host (examples/example_host.cpp: accounts and storage in memory). Built by
// run-evmc-tool.sh against ../shared/evmc's headers and libraries.
//
//   example-host-driver LIB CONTRACT.wasm
//
// Runs the same transactions in tier 0 and tier 1 (mint, transfer,
// balances, total supply, a transfer past the balance, an unknown
// selector), prints each one's status, gas used and output, checks the
// token's answers, and checks that both tiers print the same.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <evmc/evmc.h>
#include <evmc/loader.h>

#include "example_host.h"

namespace {

using Bytes = std::vector<uint8_t>;

Bytes word(uint64_t v) {
  Bytes w(32, 0);
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

Bytes address_word(uint8_t last) {
  Bytes w(32, 0);
  w[31] = last;
  return w;
}

Bytes call_data(uint32_t selector, std::initializer_list<Bytes> args) {
  Bytes d = {static_cast<uint8_t>(selector >> 24), static_cast<uint8_t>(selector >> 16),
             static_cast<uint8_t>(selector >> 8), static_cast<uint8_t>(selector)};
  for (const Bytes& a : args) d.insert(d.end(), a.begin(), a.end());
  return d;
}

std::string hex(const uint8_t* p, size_t n) {
  std::string s;
  char b[3];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  return s;
}

struct Step {
  const char* name;
  uint8_t sender;
  Bytes input;
  evmc_status_code status;
  Bytes output;  // expected
};

// Runs the steps in one tier; returns the transcript, or "" after a failure.
std::string run_tier(const std::string& lib, const char* tier, const Bytes& code,
                     const std::vector<Step>& steps, bool* ok) {
  const std::string config = lib + ",tier=" + tier;
  evmc_loader_error_code error = EVMC_LOADER_UNSPECIFIED_ERROR;
  evmc_vm* vm = evmc_load_and_configure(config.c_str(), &error);
  if (vm == nullptr) {
    std::printf("loading %s failed (%d): %s\n", config.c_str(), error, evmc_last_error_msg());
    *ok = false;
    return "";
  }
  evmc_tx_context tx{};
  tx.block_number = 42;
  tx.block_timestamp = 66;
  tx.block_gas_limit = 30000000;
  evmc_host_context* context = example_host_create_context(tx);
  const evmc_host_interface* host = example_host_get_interface();
  std::string transcript;
  for (const Step& s : steps) {
    evmc_message msg{};
    msg.kind = EVMC_CALL;
    msg.gas = 1000000;
    msg.recipient.bytes[19] = 0x70;  // the token
    msg.sender.bytes[19] = s.sender;
    msg.input_data = s.input.data();
    msg.input_size = s.input.size();
    evmc_result r = vm->execute(vm, host, context, EVMC_SHANGHAI, &msg, code.data(), code.size());
    char line[256];
    std::snprintf(line, sizeof line, "%s: status %d, gas used %" PRId64 ", output %s\n", s.name,
                  r.status_code, msg.gas - r.gas_left, hex(r.output_data, r.output_size).c_str());
    transcript += std::string(tier) + " " + line;
    const Bytes out(r.output_data, r.output_data + r.output_size);
    if (r.status_code != s.status || out != s.output) {
      std::printf("%s %s  expected status %d, output %s\n", tier, line, s.status,
                  hex(s.output.data(), s.output.size()).c_str());
      *ok = false;
    }
    if (r.release != nullptr) r.release(&r);
  }
  example_host_destroy_context(context);
  vm->destroy(vm);
  return transcript;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s LIB CONTRACT.wasm\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  const Bytes code((std::istreambuf_iterator<char>(in)), {});
  if (code.empty()) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  const uint8_t a = 0xaa, b = 0xbb;
  const std::string insufficient = "insufficient balance";
  const std::vector<Step> steps = {
      {"mint(A, 1000)", a, call_data(0x40c10f19, {address_word(a), word(1000)}), EVMC_SUCCESS, {}},
      {"transfer(B, 300) from A", a, call_data(0xa9059cbb, {address_word(b), word(300)}),
       EVMC_SUCCESS, word(1)},
      {"balanceOf(A)", b, call_data(0x70a08231, {address_word(a)}), EVMC_SUCCESS, word(700)},
      {"balanceOf(B)", a, call_data(0x70a08231, {address_word(b)}), EVMC_SUCCESS, word(300)},
      {"totalSupply()", a, call_data(0x18160ddd, {}), EVMC_SUCCESS, word(1000)},
      {"transfer(B, 800) from A", a, call_data(0xa9059cbb, {address_word(b), word(800)}),
       EVMC_REVERT, Bytes(insufficient.begin(), insufficient.end())},
      {"balanceOf(A) after it", b, call_data(0x70a08231, {address_word(a)}), EVMC_SUCCESS,
       word(700)},
      {"unknown selector", a, call_data(0x12345678, {}), EVMC_REVERT, {}},
  };
  bool ok = true;
  const std::string interp = run_tier(argv[1], "interp", code, steps, &ok);
  const std::string jit = run_tier(argv[1], "jit", code, steps, &ok);
  std::fputs(interp.c_str(), stdout);
  std::fputs(jit.c_str(), stdout);
  // The same transcript apart from the tier's name at each line's start.
  auto strip = [](const std::string& t) {
    std::string out;
    size_t pos = 0;
    while (pos < t.size()) {
      const size_t end = t.find('\n', pos);
      const size_t space = t.find(' ', pos);
      out += t.substr(space + 1, end - space);
      pos = end + 1;
    }
    return out;
  };
  if (strip(interp) != strip(jit)) {
    std::printf("tier 0 and tier 1 disagree\n");
    ok = false;
  }
  std::printf(ok ? "ok\n" : "FAILED\n");
  return ok ? 0 : 1;
}
