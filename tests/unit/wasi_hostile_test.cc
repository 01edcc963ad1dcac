// Hostile WASI calls, swept: a seeded generator makes byte strings that
// tests/fuzz/wasi_hostile.h (the fuzzer's generator) turns into sequences of
// preview1 calls with plausible and hostile arguments, on every tier. Each
// call must return a preview1 errno, nothing outside the writable sandbox may
// change, and every tier must match tier 0 (errnos, memory, gas, sandbox).
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "hosts/wasi/abi.h"
#include "tests/fuzz/wasi_hostile.h"
#include "tests/unit/tier_config.h"

namespace wvm {
namespace {

namespace hostile = wvm::test::wasi_hostile;

// 300 inputs of up to 48 calls: about 300 calls of each of the 46 functions per
// tier, about 2,800 of each in all (with the tier-0 reference runs).
constexpr uint64_t kInputs = 300;
constexpr size_t kInputBytes = 1024;

std::vector<uint8_t> input_bytes(uint64_t seed) {
  std::vector<uint8_t> out(kInputBytes);
  // Not seed * step: that would make each input the last one shifted by a word.
  uint64_t s = (seed + 1) * 0xD1B54A32D192ED03ull;
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
    const uint64_t least = std::strcmp(hostile::kFuncs[f].name, "sched_yield") == 0 ? 8 : 150;
    EXPECT_GE(per_func[f], least) << hostile::kFuncs[f].name;
  }
}

// fd_fdstat_set_flags on stdio changes the open file description the
// embedder gave (a dup shares it): the guest sees O_NONBLOCK while it runs,
// the embedder gets its stream back as it was once the context is gone.
TEST_P(WasiHostileTest, StdioFlagsAreRestoredWhenTheContextGoes) {
  Compiled tier = compiled_for(GetParam());
  ASSERT_NE(tier.module, nullptr);
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const int given = fcntl(pipe_fds[1], F_GETFL);
  ASSERT_EQ(given & (O_NONBLOCK | O_APPEND), 0);
  {
    wasi::Options o;
    o.stdin_fd = -1;
    o.stdout_fd = pipe_fds[1];
    auto ctx = wasi::Context::create(std::move(o));
    ASSERT_TRUE(ctx.ok()) << ctx.error().to_string();
    Store store(*tier.engine);
    std::vector<Extern> imports;
    ASSERT_TRUE(ctx.value()->link(store, *tier.module, imports).ok());
    auto inst = store.instantiate(tier.module, imports);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    Func* set_flags = inst.value()->find_export("t_fd_fdstat_set_flags").as_func();
    CallResult r = store.call(set_flags, {Value::i32(1), Value::i32(wasi::abi::kFdflagNonblock |
                                                                     wasi::abi::kFdflagAppend)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.results[0].as_i32(), 0u);
    EXPECT_NE(fcntl(pipe_fds[1], F_GETFL) & O_NONBLOCK, 0);
    Func* close_fd = inst.value()->find_export("t_fd_close").as_func();
    r = store.call(close_fd, {Value::i32(1)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.results[0].as_i32(), 0u);
  }
  EXPECT_EQ(fcntl(pipe_fds[1], F_GETFL), given);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

INSTANTIATE_TEST_SUITE_P(Tiers, WasiHostileTest,
                         ::testing::Values("interp", "interp-explicit-bounds", "jit",
                                           "jit-explicit-bounds", "auto"));

}  // namespace
}  // namespace wvm
