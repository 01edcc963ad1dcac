// Differential testing on random modules: binaryen's `wasm-opt -ttf` turns
// seeded random bytes into valid Wasm 2.0 modules (with "hang limits" that
// bound their loops). Each module runs under every execution configuration,
// and all must agree on every export's results, trap kind, the calls it
// makes to the logging imports, gas left (metered configurations) and the
// final memory.
//
// Configurations: tier 0, tier 1 (policy jit: every function it can compile
// runs compiled) and mixed (policy auto, tiering up mid-run), with guard pages
// or explicit bounds checks, metered (cosmwasm profile, bounded gas) and not. WVM_DIFF_MODULES=N raises the module count (200 by
// default); WVM_DIFF_SEED changes the first seed.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/random_module.h"
#include "wvm/wvm.h"


namespace wvm {
namespace {

namespace fs = std::filesystem;

struct Execution {
  struct Call {
    std::string name;
    TrapKind trap = TrapKind::None;
    std::vector<Value> results;
    uint64_t gas_left = 0;
  };
  std::vector<Call> calls;
  std::vector<Value> log;  // values passed to fuzzing-support.log-*
  uint64_t memory_hash = 0;
  bool linked = false;
};

struct Variant {
  const char* name;
  BoundsStrategy bounds;
  bool metered;
  TierPolicy policy;
};

// The first is the reference: tier 0, guard pages, metered.
const Variant kVariants[] = {
    {"interp+metered", BoundsStrategy::GuardPages, true, TierPolicy::Interp},
    {"interp+explicit+metered", BoundsStrategy::ExplicitChecks, true, TierPolicy::Interp},
    {"jit+metered", BoundsStrategy::GuardPages, true, TierPolicy::Jit},
    {"jit+explicit+metered", BoundsStrategy::ExplicitChecks, true, TierPolicy::Jit},
    {"auto+metered", BoundsStrategy::GuardPages, true, TierPolicy::Auto},
    {"interp", BoundsStrategy::GuardPages, false, TierPolicy::Interp},
    {"interp+explicit", BoundsStrategy::ExplicitChecks, false, TierPolicy::Interp},
    {"jit", BoundsStrategy::GuardPages, false, TierPolicy::Jit},
};
constexpr size_t kFirstUnmetered = 5;

constexpr uint64_t kGasLimit = 2'000'000'000;

TrapKind log_value(HostCall& call, const Value* args, Value*) {
  static_cast<Execution*>(call.user_data)->log.push_back(args[0]);
  return TrapKind::None;
}

uint64_t hash_bytes(const uint8_t* p, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (uint64_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

Execution execute(const std::vector<uint8_t>& wasm, const Variant& v) {
  Execution ex;
  Config config;
  config.memory.bounds = v.bounds;
  config.metering.enabled = v.metered;
  config.metering.profile = GasProfile::cosmwasm();
  config.tiers.policy = v.policy;
  config.tiers.tier_up_threshold = 3;  // auto: functions change tier mid-run
  Engine engine(config);
  auto module = compile(engine, wasm.data(), wasm.size());
  if (!module.ok()) {
    ADD_FAILURE() << v.name << ": wasm-opt's module does not compile: "
                  << module.error().to_string();
    return ex;
  }
  const Module& m = *module.value();
  Store store(engine);
  std::vector<Extern> imports;
  for (const Import& im : m.imports) {
    if (im.module != "fuzzing-support" || im.kind != ExternKind::Func ||
        m.types[im.func_type].params.size() != 1 || !m.types[im.func_type].results.empty())
      return ex;  // an import we do not model: skip the module
    imports.push_back(
        Extern::func(store.create_host_func(m.types[im.func_type], &log_value, &ex)));
  }
  store.set_gas_limit(kGasLimit);
  auto inst = store.instantiate(module.value(), imports);
  ex.linked = true;
  if (!inst.ok()) {
    ex.calls.push_back({"<instantiate>", inst.error().trap, {}, store.gas_left()});
    return ex;
  }
  Func* reset_hang_limit = inst.value()->find_export("hangLimitInitializer").as_func();
  for (const Export& e : m.exports) {
    if (e.kind != ExternKind::Func || e.name == "hangLimitInitializer") continue;
    Func* f = inst.value()->find_export(e.name).as_func();
    std::vector<Value> args;
    for (ValType t : f->type->params) args.push_back(Value{t, 0});
    if (reset_hang_limit) store.call(reset_hang_limit, {});
    CallResult r = store.call(f, args);
    ex.calls.push_back({e.name, r.trap, r.results, store.gas_left()});
    if (r.trap == TrapKind::OutOfGas) break;  // gas is gone for every later call
  }
  if (Memory* mem = inst.value()->memory()) ex.memory_hash = hash_bytes(mem->data(), mem->size_bytes());
  return ex;
}

std::string describe(const Execution::Call& c) {
  std::string s = c.name + ": " + trap_message(c.trap);
  for (const Value& v : c.results) s += " " + std::to_string(v.bits);
  return s + " gas_left=" + std::to_string(c.gas_left);
}

// Same results, traps, logs and memory; gas only between metered variants.
void expect_same(const Execution& a, const Execution& b, const char* an, const char* bn,
                 bool compare_gas, uint64_t seed) {
  SCOPED_TRACE(std::string(an) + " vs " + bn + ", seed " + std::to_string(seed));
  ASSERT_EQ(a.linked, b.linked);
  // An unmetered run does not stop at out of gas: compare up to that point.
  size_t n = std::min(a.calls.size(), b.calls.size());
  bool gas_cut = false;
  for (size_t i = 0; i < n; ++i) {
    if (!compare_gas &&
        (a.calls[i].trap == TrapKind::OutOfGas || b.calls[i].trap == TrapKind::OutOfGas)) {
      gas_cut = true;
      break;
    }
    EXPECT_EQ(a.calls[i].name, b.calls[i].name);
    EXPECT_EQ(a.calls[i].trap, b.calls[i].trap) << describe(a.calls[i]) << " | " << describe(b.calls[i]);
    EXPECT_EQ(a.calls[i].results, b.calls[i].results) << describe(a.calls[i]) << " | " << describe(b.calls[i]);
    if (compare_gas) {
      EXPECT_EQ(a.calls[i].gas_left, b.calls[i].gas_left) << a.calls[i].name;
    }
  }
  if (gas_cut) return;
  EXPECT_EQ(a.calls.size(), b.calls.size());
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.memory_hash, b.memory_hash);
}

TEST(DifferentialTest, RandomModulesAgreeInEveryConfiguration) {
  size_t count = 200;
  if (const char* env = std::getenv("WVM_DIFF_MODULES")) count = std::strtoull(env, nullptr, 10);
  uint64_t first_seed = 1;
  if (const char* env = std::getenv("WVM_DIFF_SEED")) first_seed = std::strtoull(env, nullptr, 10);
  const fs::path dir = fs::temp_directory_path() / ("wvm-diff-" + std::to_string(getpid()));
  fs::create_directories(dir);
  size_t executed = 0, skipped = 0, calls = 0, traps = 0;
  for (uint64_t seed = first_seed; seed < first_seed + count; ++seed) {
    const fs::path seed_file = dir / "seed.bin", wasm_file = dir / "m.wasm";
    ASSERT_TRUE(test::make_random_module(seed, seed_file, wasm_file))
        << "wasm-opt -ttf failed for seed " << seed;
    auto wasm = read_file(wasm_file.string());
    ASSERT_TRUE(wasm.ok());

    std::vector<Execution> runs;
    for (const Variant& v : kVariants) runs.push_back(execute(wasm.value(), v));
    if (!runs[0].linked) {
      ++skipped;
      continue;
    }
    ++executed;
    calls += runs[0].calls.size();
    for (const auto& c : runs[0].calls) traps += c.trap != TrapKind::None;
    // Metered variants agree with the reference on everything, gas included;
    // unmetered ones with the first unmetered one, and it with the reference
    // up to any out of gas.
    for (size_t i = 1; i < kFirstUnmetered; ++i)
      expect_same(runs[0], runs[i], kVariants[0].name, kVariants[i].name, true, seed);
    for (size_t i = kFirstUnmetered + 1; i < std::size(kVariants); ++i)
      expect_same(runs[kFirstUnmetered], runs[i], kVariants[kFirstUnmetered].name,
                  kVariants[i].name, false, seed);
    expect_same(runs[0], runs[kFirstUnmetered], kVariants[0].name,
                kVariants[kFirstUnmetered].name, false, seed);
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "keeping the failing module: %s (seed %llu)\n", wasm_file.c_str(),
                   static_cast<unsigned long long>(seed));
      return;
    }
  }
  fs::remove_all(dir);
  std::printf("[ diff     ] %zu modules executed (%zu skipped), %zu export calls, %zu traps\n",
              executed, skipped, calls, traps);
  EXPECT_GT(executed, count / 2) << "most generated modules should be executable";
}

}  // namespace
}  // namespace wvm
