// libFuzzer target: executes valid modules. binaryen's `wasm-opt -ttf` turns
// the input bytes into a valid module (tests/common/random_module.h); its
// exports run metered in tier 0 and tier 1, with guard pages and with
// explicit bounds checks, and tiered (functions change tier mid-run). Every
// run must agree with the reference, tier 0 with explicit checks, on each
// call's results, trap kind and gas left, the logged values and the final
// memory; a difference prints both sides and aborts (a crash to libFuzzer).
//
// Each input is bounded: wasm-opt's hang limits bound loops and recursion,
// the gas limit bounds the whole run and memory is capped at kMaxPages.
// Built by the clang-ubsan preset and scripts/fuzz.sh (clang, libFuzzer);
// replay_main.cc replays inputs in every other build.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/common/differential.h"
#include "tests/common/random_module.h"
#include "wvm/wvm.h"

namespace {

namespace fs = std::filesystem;
using namespace wvm;

// cosmwasm profile: about 400,000 tier-0 operators per input at most.
constexpr uint64_t kGasLimit = 50'000'000;
constexpr uint32_t kMaxPages = 64;  // 4 MiB, also the cap of memory.grow

// All metered (gas must agree exactly); the first is the reference.
const test::Variant kVariants[] = {
    {"interp+explicit", BoundsStrategy::ExplicitChecks, true, TierPolicy::Interp},
    {"interp+guard", BoundsStrategy::GuardPages, true, TierPolicy::Interp},
    {"jit+guard", BoundsStrategy::GuardPages, true, TierPolicy::Jit},
    {"jit+explicit", BoundsStrategy::ExplicitChecks, true, TierPolicy::Jit},
    {"auto+guard", BoundsStrategy::GuardPages, true, TierPolicy::Auto},
    {"osr+explicit", BoundsStrategy::ExplicitChecks, true, TierPolicy::Auto, true},
};
constexpr size_t kNumVariants = std::size(kVariants);

struct Stats {
  uint64_t inputs = 0, modules = 0, skipped = 0, calls = 0, traps = 0, out_of_gas = 0;
};
Stats g_stats;

void print_stats() {
  std::fprintf(stderr,
               "[fuzz-execute] %llu inputs: %llu modules executed in %zu configurations "
               "(%llu skipped), %llu export calls, %llu traps (%llu out of gas), all agreeing\n",
               static_cast<unsigned long long>(g_stats.inputs),
               static_cast<unsigned long long>(g_stats.modules), kNumVariants,
               static_cast<unsigned long long>(g_stats.skipped),
               static_cast<unsigned long long>(g_stats.calls),
               static_cast<unsigned long long>(g_stats.traps),
               static_cast<unsigned long long>(g_stats.out_of_gas));
}

struct Fixture {
  std::unique_ptr<Engine> engines[kNumVariants];
  fs::path dir;

  Fixture() {
    for (size_t i = 0; i < kNumVariants; ++i) {
      Config config = test::variant_config(kVariants[i]);
      config.module_limits.max_memory_pages = kMaxPages;
      // A function tier 1 cannot compile must not hide in tier 0.
      config.tiers.unsupported_is_fatal = kVariants[i].policy == TierPolicy::Jit;
      engines[i] = std::make_unique<Engine>(config);
    }
    dir = fs::temp_directory_path() / ("wvm-fuzz-execute-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::atexit([] { print_stats(); });
  }
};

[[noreturn]] void fail(const fs::path& wasm_file, const char* what, const std::string& detail) {
  std::fprintf(stderr, "[fuzz-execute] %s: %s\n[fuzz-execute] module kept: %s\n", what,
               detail.c_str(), wasm_file.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fx;
  ++g_stats.inputs;
  const fs::path seed_file = fx.dir / "input.bin", wasm_file = fx.dir / "module.wasm";
  if (!test::make_module_from_bytes(data, size, seed_file, wasm_file)) {
    fail(wasm_file, "wasm-opt -ttf failed", WVM_WASM_OPT);
  }
  auto wasm = read_file(wasm_file.string());
  if (!wasm.ok()) fail(wasm_file, "cannot read wasm-opt's module", wasm.error().to_string());

  test::Execution runs[kNumVariants];
  for (size_t i = 0; i < kNumVariants; ++i) runs[i] = test::execute(*fx.engines[i], wasm.value(), kGasLimit);
  const test::Execution& ref = runs[0];
  // wasm-opt's modules are valid: only our memory cap may refuse one.
  if (!ref.compile_error.empty() &&
      !ref.compile_error.starts_with(error_kind_name(ErrorKind::LimitExceeded)))
    fail(wasm_file, "the module does not compile", ref.compile_error);
  for (size_t i = 1; i < kNumVariants; ++i) {
    const std::string diff = test::first_difference(ref, runs[i], /*compare_gas=*/true);
    if (!diff.empty())
      fail(wasm_file, (std::string(kVariants[0].name) + " vs " + kVariants[i].name).c_str(), diff);
  }
  if (!ref.compile_error.empty() || !ref.linked) {
    ++g_stats.skipped;
    return 0;
  }
  ++g_stats.modules;
  g_stats.calls += ref.calls.size();
  for (const auto& c : ref.calls) {
    g_stats.traps += c.trap != TrapKind::None;
    g_stats.out_of_gas += c.trap == TrapKind::OutOfGas;
  }
  return 0;
}
