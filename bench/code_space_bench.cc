// A long-lived engine compiling and dropping one large module in a loop
// under policy jit (issue 14 item 2): prints, every so often, how many of
// the module's functions tier 1 compiled in that round, the engine's code
// space and the process's resident memory, and stops at the first round in
// which tier 1 compiled fewer functions than in the first (it ran out of
// code space) or compile() failed.
//
//   wvm-bench-code-space [module.wasm] [rounds] [report_every]
//
// Default: the largest shared CosmWasm contract (cyberpunk.wasm), 1000
// rounds, a line every 50. Prints figures; it is not a test.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "wvm/wvm.h"

namespace {

long rss_kib() {
  long pages_total = 0;
  long pages_resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = -1;
  std::fclose(f);
  return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// The code-space counter, where this build has it (the loop also runs, for a
// before/after comparison, on builds that predate it).
template <class E>
std::string code_space(const E& engine) {
  if constexpr (requires { engine.code_space(); }) {
    const auto s = engine.code_space();
    char buf[96];
    std::snprintf(buf, sizeof buf, " code_used_kib=%zu exhausted=%llu", s.used_bytes / 1024,
                  static_cast<unsigned long long>(s.exhausted));
    return buf;
  } else {
    return "";
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path =
      argc > 1 ? argv[1] : std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/cyberpunk.wasm";
  const long rounds = argc > 2 ? std::atol(argv[2]) : 1000;
  const long every = argc > 3 ? std::atol(argv[3]) : 50;
  wvm::Result<std::vector<uint8_t>> bytes = wvm::read_file(path);
  if (!bytes) {
    std::fprintf(stderr, "%s\n", bytes.error().to_string().c_str());
    return 1;
  }
  wvm::Config config;
  config.tiers.policy = wvm::TierPolicy::Jit;
  wvm::Engine engine(config);
  std::printf("module %s, %zu bytes, policy jit\n", path.c_str(), bytes.value().size());
  uint64_t per_round = 0;
  for (long round = 1; round <= rounds; ++round) {
    const uint64_t before = engine.tier_stats().compiled;
    wvm::Result<std::shared_ptr<const wvm::Module>> mod =
        wvm::compile(engine, bytes.value().data(), bytes.value().size());
    if (!mod) {
      std::printf("round %ld: compile failed: %s%s\n", round, mod.error().to_string().c_str(),
                  code_space(engine).c_str());
      return 0;
    }
    const uint64_t compiled = engine.tier_stats().compiled - before;
    if (round == 1) per_round = compiled;
    const std::string live = code_space(engine);
    mod = wvm::Error{};  // drop it
    if (round % every == 0 || round == 1 || compiled < per_round) {
      std::printf("round %ld: tier1_compiled=%llu rss_kib=%ld; module alive:%s; dropped:%s\n",
                  round, static_cast<unsigned long long>(compiled), rss_kib(), live.c_str(),
                  code_space(engine).c_str());
    }
    if (compiled < per_round) {
      std::printf("tier 1 stopped compiling in round %ld (after %ld full rounds)\n", round,
                  round - 1);
      return 0;
    }
  }
  std::printf("all %ld rounds compiled every function in tier 1\n", rounds);
  return 0;
}
