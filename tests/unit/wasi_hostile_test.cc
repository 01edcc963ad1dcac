// Hostile WASI calls, swept: a seeded generator makes byte strings that
// tests/fuzz/wasi_hostile.h (the fuzzer's generator) turns into sequences of
// preview1 calls with plausible and hostile arguments, on every tier. Each
// call must return a preview1 errno, nothing outside the writable sandbox may
// change, and every tier must match tier 0 (errnos, memory, gas, sandbox).
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "tests/fuzz/wasi_hostile.h"
#include "tests/unit/tier_config.h"

namespace wvm {
namespace {

namespace hostile = wvm::test::wasi_hostile;

// 600 inputs of up to 48 calls: about 600 calls of each of the 46 functions per tier.
constexpr uint64_t kInputs = 600;
constexpr size_t kInputBytes = 1024;

std::vector<uint8_t> input_bytes(uint64_t seed) {
  std::vector<uint8_t> out(kInputBytes);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    std::memcpy(out.data() + i, &z, std::min<size_t>(8, out.size() - i));
  }
  return out;
}

struct Compiled {
  std::unique_ptr<Engine> engine;
  std::shared_ptr<const Module> module;
};

Compiled compiled_for(std::string_view tier) {
  Config config;
  test::apply_tier(config, tier);
  config.metering.enabled = true;
  Compiled c;
  c.engine = std::make_unique<Engine>(config);
  const test::Bytes bytes = hostile::trampoline_module();
  auto m = compile(*c.engine, bytes.data(), bytes.size());
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  if (m.ok()) c.module = m.value();
  return c;
}

class WasiHostileTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WasiHostileTest, SweepKeepsInvariantsAndMatchesTier0) {
  Compiled tier = compiled_for(GetParam());
  ASSERT_NE(tier.module, nullptr);
  const bool is_reference = GetParam() == "interp";
  Compiled ref = is_reference ? Compiled{} : compiled_for("interp");
  hostile::Sandbox box;
  ASSERT_FALSE(box.root().empty());
  std::array<uint64_t, hostile::kNumFuncs> per_func{};
  uint64_t failures = 0;
  for (uint64_t seed = 0; seed < kInputs && failures < 5; ++seed) {
    const std::vector<uint8_t> in = input_bytes(seed);
    const hostile::Run run = hostile::run_input(*tier.engine, tier.module, box, in.data(), in.size());
    if (!run.failure.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": " << run.failure;
      continue;
    }
    for (const std::string& n : run.names) {
      for (size_t f = 0; f < hostile::kNumFuncs; ++f) per_func[f] += n == hostile::kFuncs[f].name;
    }
    if (is_reference) continue;
    const hostile::Run want = hostile::run_input(*ref.engine, ref.module, box, in.data(), in.size());
    ASSERT_TRUE(want.failure.empty()) << "seed " << seed << ": " << want.failure;
    const std::string diff = hostile::compare_runs(want, run);
    if (!diff.empty()) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << ": interp vs " << GetParam() << ": " << diff;
    }
  }
  // The sweep reached every function many times.
  for (size_t f = 0; f < hostile::kNumFuncs; ++f) {
    EXPECT_GE(per_func[f], 300u) << hostile::kFuncs[f].name;
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, WasiHostileTest,
                         ::testing::Values("interp", "interp-explicit-bounds", "jit",
                                           "jit-explicit-bounds", "auto"));

}  // namespace
}  // namespace wvm
