// Differential testing on random modules: binaryen's `wasm-opt -ttf` turns
// seeded random bytes into valid Wasm 2.0 modules (with "hang limits" that
// bound their loops). Each module runs under every execution configuration,
// and all must agree on every export's results, trap kind, the calls it
// makes to the logging imports, gas left (metered configurations) and the
// final memory.
//
// Configurations: tier 0, tier 1 (policy jit: every function it can compile
// runs compiled), mixed (policy auto, tiering up mid-run) and OSR (every
// tier-0 call that loops enters tier 1 at its first back-edge, whichever
// loop that is; calls always start in tier 0), with guard pages
// or explicit bounds checks, metered (cosmwasm profile, bounded gas) and not. WVM_DIFF_MODULES=N raises the module count (200 by
// default); WVM_DIFF_SEED changes the first seed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/common/differential.h"
#include "tests/common/random_module.h"
#include "wvm/wvm.h"


namespace wvm {
namespace {

namespace fs = std::filesystem;
using test::Execution;
using test::Variant;

// The first is the reference: tier 0, guard pages, metered.
const Variant kVariants[] = {
    {"interp+metered", BoundsStrategy::GuardPages, true, TierPolicy::Interp},
    {"interp+explicit+metered", BoundsStrategy::ExplicitChecks, true, TierPolicy::Interp},
    {"jit+metered", BoundsStrategy::GuardPages, true, TierPolicy::Jit},
    {"jit+explicit+metered", BoundsStrategy::ExplicitChecks, true, TierPolicy::Jit},
    {"auto+metered", BoundsStrategy::GuardPages, true, TierPolicy::Auto},
    {"osr+explicit+metered", BoundsStrategy::ExplicitChecks, true, TierPolicy::Auto, true},
    {"interp", BoundsStrategy::GuardPages, false, TierPolicy::Interp},
    {"interp+explicit", BoundsStrategy::ExplicitChecks, false, TierPolicy::Interp},
    {"jit", BoundsStrategy::GuardPages, false, TierPolicy::Jit},
    {"osr", BoundsStrategy::GuardPages, false, TierPolicy::Auto, true},
};
constexpr size_t kFirstUnmetered = 6;

constexpr uint64_t kGasLimit = 2'000'000'000;

Execution execute(const std::vector<uint8_t>& wasm, const Variant& v) {
  Engine engine(test::variant_config(v));
  Execution ex = test::execute(engine, wasm, kGasLimit);
  EXPECT_EQ(ex.compile_error, "") << v.name << ": wasm-opt's module does not compile";
  return ex;
}

// Same results, traps, logs and memory; gas only between metered variants.
void expect_same(const Execution& a, const Execution& b, const char* an, const char* bn,
                 bool compare_gas, uint64_t seed) {
  EXPECT_EQ(test::first_difference(a, b, compare_gas), "")
      << an << " vs " << bn << ", seed " << seed;
}

struct Totals {
  size_t executed = 0, skipped = 0, calls = 0, traps = 0;
};

// Runs seed's module under every variant and expects them to agree; false
// (the module kept, its path printed) on a disagreement.
bool check_seed(uint64_t seed, const fs::path& dir, Totals& totals) {
  const fs::path seed_file = dir / "seed.bin", wasm_file = dir / "m.wasm";
  EXPECT_TRUE(test::make_random_module(seed, seed_file, wasm_file))
      << "wasm-opt -ttf failed for seed " << seed;
  auto wasm = read_file(wasm_file.string());
  EXPECT_TRUE(wasm.ok());
  if (!wasm.ok()) return false;

  std::vector<Execution> runs;
  for (const Variant& v : kVariants) runs.push_back(execute(wasm.value(), v));
  if (!runs[0].linked) {
    ++totals.skipped;
    return true;
  }
  ++totals.executed;
  totals.calls += runs[0].calls.size();
  for (const auto& c : runs[0].calls) totals.traps += c.trap != TrapKind::None;
  // Metered variants agree with the reference on everything, gas included;
  // unmetered ones with the first unmetered one, and it with the reference
  // up to any out of gas.
  for (size_t i = 1; i < kFirstUnmetered; ++i)
    expect_same(runs[0], runs[i], kVariants[0].name, kVariants[i].name, true, seed);
  for (size_t i = kFirstUnmetered + 1; i < std::size(kVariants); ++i)
    expect_same(runs[kFirstUnmetered], runs[i], kVariants[kFirstUnmetered].name,
                kVariants[i].name, false, seed);
  expect_same(runs[0], runs[kFirstUnmetered], kVariants[0].name, kVariants[kFirstUnmetered].name,
              false, seed);
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "keeping the failing module: %s (seed %llu)\n", wasm_file.c_str(),
                 static_cast<unsigned long long>(seed));
    return false;
  }
  return true;
}

fs::path scratch_dir() {
  const fs::path dir = fs::temp_directory_path() / ("wvm-diff-" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

TEST(DifferentialTest, RandomModulesAgreeInEveryConfiguration) {
  size_t count = 200;
  if (const char* env = std::getenv("WVM_DIFF_MODULES")) count = std::strtoull(env, nullptr, 10);
  uint64_t first_seed = 1;
  if (const char* env = std::getenv("WVM_DIFF_SEED")) first_seed = std::strtoull(env, nullptr, 10);
  const fs::path dir = scratch_dir();
  Totals totals;
  for (uint64_t seed = first_seed; seed < first_seed + count; ++seed)
    if (!check_seed(seed, dir, totals)) return;
  fs::remove_all(dir);
  std::printf("[ diff     ] %zu modules executed (%zu skipped), %zu export calls, %zu traps\n",
              totals.executed, totals.skipped, totals.calls, totals.traps);
  EXPECT_GT(totals.executed, count / 2) << "most generated modules should be executable";
}

// Seeds beyond the default range that once found a disagreement, run every
// time: 10666, tier 0 with guard pages reporting an out-of-bounds f64.load
// at an earlier i32.load16_s (a register still held the ip past that
// access, kept across the call_indirect before it).
TEST(DifferentialTest, SeedsThatOnceDisagreed) {
  const fs::path dir = scratch_dir();
  Totals totals;
  for (uint64_t seed : {10666u})
    if (!check_seed(seed, dir, totals)) return;
  fs::remove_all(dir);
  EXPECT_EQ(totals.executed, 1u);
}

}  // namespace
}  // namespace wvm
