// What a long-lived engine keeps of dropped modules (issue 14 items 2 and 7).
//
//   wvm-bench-reclaim code [module.wasm] [rounds] [report_every]
//     Compiles and drops one large module in a loop under policy jit and
//     prints, every so often, how many of its functions tier 1 compiled in
//     that round, the code space (live and after the drop) and the process's
//     resident memory. Stops at the first round in which tier 1 compiled
//     fewer functions than in the first (it ran out of code space) or
//     compile() failed. Default: the largest shared CosmWasm contract
//     (cyberpunk.wasm), 1000 rounds, a line every 50.
//
//   wvm-bench-reclaim types [rounds] [types_per_module]
//     Compiles and drops modules of `types_per_module` (default 20,000)
//     distinct function types of 200 params each (about 4 MB), new types in
//     every round, and prints the engine's live types and resident memory.
//
// Prints figures; it is not a test. The counters print only where the build
// has them, so the same source measures the code before the fix.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
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

template <class E>
std::string live_types(const E& engine) {
  if constexpr (requires { engine.live_types(); }) {
    return " live_types=" + std::to_string(engine.live_types());
  } else {
    return "";
  }
}

int code_loop(const std::string& path, long rounds, long every) {
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

void put_leb(std::vector<uint8_t>& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out.push_back(v != 0 ? (b | 0x80) : b);
  } while (v != 0);
}

/// A module with only a type section: `count` types from number `first`,
/// each 200 params (the number in base 4 over i32/i64/f32/f64, then i32s) -> ().
std::vector<uint8_t> types_module(uint32_t first, uint32_t count) {
  constexpr uint8_t kDigits[] = {0x7f, 0x7e, 0x7d, 0x7c};
  constexpr uint32_t kParams = 200;
  std::vector<uint8_t> section;
  put_leb(section, count);
  for (uint32_t n = first; n < first + count; ++n) {
    section.push_back(0x60);
    put_leb(section, kParams);
    uint32_t v = n;
    for (uint32_t i = 0; i < kParams; ++i, v /= 4) section.push_back(kDigits[v % 4]);
    put_leb(section, 0);
  }
  std::vector<uint8_t> out = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01};
  put_leb(out, static_cast<uint32_t>(section.size()));
  out.insert(out.end(), section.begin(), section.end());
  return out;
}

int types_loop(long rounds, uint32_t per_module) {
  wvm::Engine engine(wvm::Config{});
  std::printf("modules of %u distinct types (%zu bytes), new types each round\n", per_module,
              types_module(0, per_module).size());
  for (long round = 1; round <= rounds; ++round) {
    const std::vector<uint8_t> bytes =
        types_module(static_cast<uint32_t>(round) * per_module, per_module);
    auto mod = wvm::compile(engine, bytes.data(), bytes.size());
    if (!mod) {
      std::printf("round %ld: %s\n", round, mod.error().to_string().c_str());
      return 1;
    }
    mod = wvm::Error{};  // drop it
    std::printf("round %ld: rss_kib=%ld%s\n", round, rss_kib(), live_types(engine).c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "code";
  if (mode == "types")
    return types_loop(argc > 2 ? std::atol(argv[2]) : 20,
                      argc > 3 ? static_cast<uint32_t>(std::atol(argv[3])) : 20000);
  const std::string path =
      argc > 2 ? argv[2] : std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/cyberpunk.wasm";
  return code_loop(path, argc > 3 ? std::atol(argv[3]) : 1000, argc > 4 ? std::atol(argv[4]) : 50);
}
