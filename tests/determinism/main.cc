// wvm-determinism: the differential-test modules as a corpus whose outcomes
// are written to a text file, so that runs in other tiers or on another
// target (AArch64 under qemu) can be compared with `cmp` (scripts/determinism.sh).
//
//   wvm-determinism generate DIR COUNT [FIRST_SEED]
//       writes DIR/seed-N.wasm with binaryen's wasm-opt -ttf, from the same
//       seeded random bytes as tests/unit/differential_test.cc
//   wvm-determinism run [--tier=interp|jit|auto] [--bounds=guard|explicit]
//                       [--gas-limit=N] [--gas-profile=NAME] FILE.wasm...
//       runs each module metered (the cosmwasm profile unless NAME says
//       otherwise, e.g. cosmwasm-3.0.9; N gas per module, default
//       2e9) with the fuzzing-support logging imports, calls every export with
//       zero arguments, and prints per module: each call's results (exact
//       bits) or trap and the gas left after it, the logged values, and a
//       hash of the final memory.
//
// Exit codes: 0 done, 1 a module could not be generated, read or compiled,
// 2 usage.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/common/differential.h"
#include "tests/common/random_module.h"
#include "wvm/wvm.h"

#ifndef WVM_WASM_OPT
#define WVM_WASM_OPT "wasm-opt"
#endif


namespace {

namespace fs = std::filesystem;
using namespace wvm;

constexpr int kExitUsage = 2;

struct RunOptions {
  TierPolicy tier = TierPolicy::Interp;
  BoundsStrategy bounds = BoundsStrategy::GuardPages;
  uint64_t gas_limit = 2'000'000'000;  // as the differential test
  GasProfile profile = GasProfile::cosmwasm();
};

// A value as its exact bits; a funcref only as null or not (its handle is an address).
std::string dump_value(const Value& v) {
  char buf[48];
  if (v.type == ValType::FuncRef) return v.bits == 0 ? "funcref:null" : "funcref:func";
  std::snprintf(buf, sizeof buf, "%s:0x%llx", val_type_name(v.type),
                static_cast<unsigned long long>(v.bits));
  return buf;
}

// Runs one module; the outcome goes to stdout. False if it cannot be read or compiled.
bool run_module(const std::string& path, const RunOptions& opts) {
  const std::string name = fs::path(path).filename().string();
  auto wasm = read_file(path);
  if (!wasm) {
    std::printf("%s: cannot read: %s\n", name.c_str(), wasm.error().to_string().c_str());
    return false;
  }
  Config config;
  config.memory.bounds = opts.bounds;
  config.metering.enabled = true;
  config.metering.profile = opts.profile;
  config.tiers.policy = opts.tier;
  config.tiers.tier_up_threshold = 3;  // auto: functions change tier mid-run
  Engine engine(config);
  const test::Execution ex = test::execute(engine, wasm.value(), opts.gas_limit);
  if (!ex.compile_error.empty()) {
    std::printf("%s: does not compile: %s\n", name.c_str(), ex.compile_error.c_str());
    return false;
  }
  if (!ex.unmodelled_import.empty()) {
    std::printf("%s: import %s not modelled: skipped\n", name.c_str(), ex.unmodelled_import.c_str());
    return true;
  }
  std::printf("%s:\n", name.c_str());
  if (!ex.instantiate_error.empty()) {
    std::printf("  instantiate -> %s gas_left %llu\n", ex.instantiate_error.c_str(),
                static_cast<unsigned long long>(ex.calls.at(0).gas_left));
    return true;
  }
  size_t logged = 0;
  for (const test::Execution::Call& c : ex.calls) {
    std::string outcome = c.trap == TrapKind::None ? "ok" : std::string("trap ") + trap_message(c.trap);
    for (const Value& v : c.results) outcome += " " + dump_value(v);
    for (; logged < c.log_end; ++logged) std::printf("  log %s\n", dump_value(ex.log[logged]).c_str());
    std::printf("  call %s -> %s gas_left %llu\n", c.name.c_str(), outcome.c_str(),
                static_cast<unsigned long long>(c.gas_left));
  }
  if (ex.has_memory) {
    std::printf("  memory %llu bytes hash %016llx\n",
                static_cast<unsigned long long>(ex.memory_bytes),
                static_cast<unsigned long long>(ex.memory_hash));
  }
  return true;
}

int generate(const fs::path& dir, uint64_t count, uint64_t first_seed) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path seed_file = dir / "seed.bin";
  for (uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    char name[32];
    std::snprintf(name, sizeof name, "seed-%06llu.wasm", static_cast<unsigned long long>(seed));
    if (!test::make_random_module(seed, seed_file, dir / name)) {
      std::fprintf(stderr, "wvm-determinism: wasm-opt -ttf failed for seed %llu\n",
                   static_cast<unsigned long long>(seed));
      return 1;
    }
  }
  fs::remove(seed_file, ec);
  return 0;
}

void usage(FILE* out) {
  std::fprintf(out,
               "usage: wvm-determinism generate DIR COUNT [FIRST_SEED]\n"
               "       wvm-determinism run [--tier=interp|jit|auto] [--bounds=guard|explicit]\n"
               "                           [--gas-limit=N] [--gas-profile=NAME] FILE.wasm...\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
  if (argc >= 4 && std::string_view(argv[1]) == "generate") {
    return generate(argv[2], std::strtoull(argv[3], nullptr, 10),
                    argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1);
  }
  if (argc < 2 || std::string_view(argv[1]) != "run") {
    usage(stderr);
    return kExitUsage;
  }
  RunOptions opts;
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--tier=interp") {
      opts.tier = TierPolicy::Interp;
    } else if (arg == "--tier=jit") {
      opts.tier = TierPolicy::Jit;
    } else if (arg == "--tier=auto") {
      opts.tier = TierPolicy::Auto;
    } else if (arg == "--bounds=guard") {
      opts.bounds = BoundsStrategy::GuardPages;
    } else if (arg == "--bounds=explicit") {
      opts.bounds = BoundsStrategy::ExplicitChecks;
    } else if (arg.starts_with("--gas-limit=")) {
      opts.gas_limit = std::strtoull(argv[i] + 12, nullptr, 10);
    } else if (arg.starts_with("--gas-profile=")) {
      std::optional<GasProfile> p = GasProfile::named(arg.substr(14));
      if (!p) {
        std::fprintf(stderr, "wvm-determinism: unknown gas profile '%s'\n", argv[i] + 14);
        return kExitUsage;
      }
      opts.profile = *p;
    } else if (arg.starts_with("-")) {
      usage(stderr);
      return kExitUsage;
    } else {
      files.emplace_back(arg);
    }
  }
  if (opts.tier != TierPolicy::Interp) {
    // Without a backend jit and auto would run tier 0 only: never report that as tier 1.
    Config config;
    config.tiers.policy = opts.tier;
    Engine probe(config);
    if (probe.jit_backend() == nullptr) {
      std::fprintf(stderr, "wvm-determinism: this build has no tier-1 backend\n");
      return 1;
    }
  }
  bool ok = true;
  for (const std::string& f : files) ok &= run_module(f, opts);
  return ok ? 0 : 1;
}
