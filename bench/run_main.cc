// wvm-bench-run: one benchmark workload in wvm, timed call by call, for
// bench/compare.sh; and the workloads' conformance check for ctest.
//
//   wvm-bench-run [--tier interp|jit|auto] [--metered] FILE.wasm ITERATIONS [REPEATS]
//       calls run(ITERATIONS) REPEATS times (default 1) in one instance and
//       prints `checksum=<u64> ms=<median ms of one call>`
//   wvm-bench-run --check-all
//       every workload of workloads.txt at a tenth of its iterations, in
//       tier 0, tier 1 and auto (threshold 1), metered and not: the checksum
//       must equal the native twin's, and gas must agree across tiers
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "workload_host.h"

namespace {

using namespace wvm;
using namespace wvm::bench;

int usage() {
  std::fprintf(stderr,
               "usage: wvm-bench-run [--tier interp|jit|auto] [--metered] FILE.wasm ITERATIONS "
               "[REPEATS]\n       wvm-bench-run --check-all\n");
  return 1;
}

bool parse_u32(const char* s, uint32_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long v = std::strtoul(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

int run_one(const RunConfig& rc, const char* path, uint32_t iterations, uint32_t repeats) {
  auto wasm = read_file(path);
  if (!wasm) {
    std::fprintf(stderr, "wvm-bench-run: %s\n", wasm.error().to_string().c_str());
    return 2;
  }
  Engine engine(engine_config(rc));
  auto w = LoadedWorkload::load(engine, wasm.value());
  if (!w) {
    std::fprintf(stderr, "wvm-bench-run: %s\n", w.error().to_string().c_str());
    return 3;
  }
  return time_calls("wvm-bench-run", repeats, [&](uint64_t* sum) {
    TrapKind trap = TrapKind::None;
    if (w.value()->run(iterations, sum, &trap)) return true;
    std::fprintf(stderr, "wvm-bench-run: run trapped: %s\n", trap_message(trap));
    return false;
  });
}

int check_all() {
  int failures = 0;
  for (const Workload& wl : workloads()) {
    const uint32_t iterations = std::max<uint32_t>(1, wl.iterations / 10);
    const uint64_t expected = wl.native(iterations);
    auto wasm = read_file(wasm_path(wl));
    if (!wasm) {
      std::printf("FAIL %s: %s\n", wl.name, wasm.error().to_string().c_str());
      ++failures;
      continue;
    }
    for (bool metered : {false, true}) {
      uint64_t gas[3] = {};
      const TierPolicy tiers[3] = {TierPolicy::Interp, TierPolicy::Jit, TierPolicy::Auto};
      const char* names[3] = {"interp", "jit", "auto"};
      for (int t = 0; t < 3; ++t) {
        Config config = engine_config(RunConfig{tiers[t], metered});
        config.tiers.tier_up_threshold = 1;
        config.tiers.unsupported_is_fatal = true;
        Engine engine(config);
        auto w = LoadedWorkload::load(engine, wasm.value());
        uint64_t sum = 0;
        TrapKind trap = TrapKind::None;
        if (!w) {
          std::printf("FAIL %s/%s: %s\n", names[t], wl.name, w.error().to_string().c_str());
          ++failures;
          continue;
        }
        // Twice: auto's second call runs what the first one tiered up.
        for (int call = 0; call < 2; ++call) {
          if (!w.value()->run(iterations, &sum, &trap)) {
            std::printf("FAIL %s/%s: trapped: %s\n", names[t], wl.name, trap_message(trap));
            ++failures;
            break;
          }
          if (sum != expected) {
            std::printf("FAIL %s/%s%s: checksum %" PRIu64 ", native %" PRIu64 "\n", names[t],
                        wl.name, metered ? " metered" : "", sum, expected);
            ++failures;
          }
          if (call == 0) gas[t] = w.value()->last_gas();
          else if (metered && w.value()->last_gas() != gas[t]) {
            std::printf("FAIL %s/%s: gas differs between calls\n", names[t], wl.name);
            ++failures;
          }
        }
      }
      if (metered && (gas[0] != gas[1] || gas[0] != gas[2])) {
        std::printf("FAIL %s: gas interp %" PRIu64 " jit %" PRIu64 " auto %" PRIu64 "\n", wl.name,
                    gas[0], gas[1], gas[2]);
        ++failures;
      }
      if (metered && gas[0] == 0) {
        std::printf("FAIL %s: metered run used no gas\n", wl.name);
        ++failures;
      }
      std::printf("%-9s iterations %-6u %s checksum %" PRIu64 "%s\n", wl.name, iterations,
                  metered ? "metered  " : "unmetered", expected,
                  metered ? (" gas " + std::to_string(gas[0])).c_str() : "");
    }
  }
  std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "OK", failures);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--check-all") return check_all();
  RunConfig rc;
  size_t i = 0;
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    if (args[i] == "--metered") {
      rc.metered = true;
    } else if (args[i] == "--tier" && i + 1 < args.size()) {
      const std::string& t = args[++i];
      if (t == "interp") rc.tier = TierPolicy::Interp;
      else if (t == "jit") rc.tier = TierPolicy::Jit;
      else if (t == "auto") rc.tier = TierPolicy::Auto;
      else return usage();
    } else {
      return usage();
    }
  }
  if (args.size() - i < 2 || args.size() - i > 3) return usage();
  uint32_t iterations = 0, repeats = 1;
  if (!parse_u32(args[i + 1].c_str(), &iterations)) return usage();
  if (args.size() - i == 3 && (!parse_u32(args[i + 2].c_str(), &repeats) || repeats == 0))
    return usage();
  return run_one(rc, args[i].c_str(), iterations, repeats);
}
