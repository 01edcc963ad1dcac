// libFuzzer target: hostile WASI call sequences (tests/fuzz/wasi_hostile.h).
// Each input runs, metered and in deterministic mode, in tier 0 and in tier 1
// against its own fresh sandbox. Every call must return a preview1 errno
// (proc_exit: its exit trap), nothing outside the writable sandbox may
// change, and both tiers must agree on every errno, the final memory, the gas
// left and the sandbox's contents; otherwise the target prints what broke
// and aborts (a crash to libFuzzer). Built by the clang-ubsan preset and
// scripts/fuzz.sh; replay_main.cc replays the kept inputs in every build.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "tests/fuzz/wasi_hostile.h"

namespace {

using namespace wvm;
namespace hostile = wvm::test::wasi_hostile;

struct Tier {
  const char* name;
  TierPolicy policy;
  std::unique_ptr<Engine> engine;
  std::shared_ptr<const Module> module;
};

struct Fixture {
  Tier tiers[2] = {{"interp", TierPolicy::Interp, nullptr, nullptr},
                   {"jit", TierPolicy::Jit, nullptr, nullptr}};
  hostile::Sandbox box;
  uint64_t inputs = 0, calls = 0;

  Fixture() {
    const test::Bytes bytes = hostile::trampoline_module();
    for (Tier& t : tiers) {
      Config config;
      config.tiers.policy = t.policy;
      config.tiers.unsupported_is_fatal = t.policy == TierPolicy::Jit;
      config.metering.enabled = true;
      t.engine = std::make_unique<Engine>(config);
      auto m = compile(*t.engine, bytes.data(), bytes.size());
      if (!m.ok()) {
        std::fprintf(stderr, "[fuzz-wasi] trampoline module: %s\n", m.error().to_string().c_str());
        std::abort();
      }
      t.module = m.value();
    }
  }
  ~Fixture() {
    std::fprintf(stderr, "[fuzz-wasi] %llu inputs, %llu WASI calls per tier, tiers agreeing\n",
                 static_cast<unsigned long long>(inputs), static_cast<unsigned long long>(calls));
  }
};

[[noreturn]] void fail(const char* tier, const std::string& what) {
  std::fprintf(stderr, "[fuzz-wasi] %s: %s\n", tier, what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fx;
  ++fx.inputs;
  hostile::Run runs[2];
  for (int i = 0; i < 2; ++i) {
    runs[i] = hostile::run_input(*fx.tiers[i].engine, fx.tiers[i].module, fx.box, data, size);
    if (!runs[i].failure.empty()) fail(fx.tiers[i].name, runs[i].failure);
  }
  if (std::string d = hostile::compare_runs(runs[0], runs[1]); !d.empty()) fail("interp vs jit", d);
  fx.calls += runs[0].results.size();
  return 0;
}
