// Outcomes do not depend on the embedder's thread stack (DESIGN.md,
// invariant 8): deep wasm recursion and recursion through host functions give
// the same results, trap kinds and gas on threads with 64 KiB to 8 MiB of
// stack, in every tier, because wasm runs on a stack the engine owns.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/recursion_module.h"
#include "tests/unit/sized_thread.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

// 64 KiB is raised to the platform minimum where that is larger (AArch64: 128 KiB).
const size_t kThreadStacks[] = {64 * 1024, 256 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024};

// The host import: calls the store's "via_host" export again, charging gas.
struct Reentry {
  Func* via_host = nullptr;
};

TrapKind reenter(HostCall& call, const Value* args, Value* results) {
  if (const TrapKind t = call.charge(7); t != TrapKind::None) return t;
  const auto* state = static_cast<const Reentry*>(call.user_data);
  CallResult r = call.store->call(state->via_host, {args[0]});
  if (!r.ok()) return r.trap;
  results[0] = r.results[0];
  return TrapKind::None;
}

// What a call did, as text, so outcomes compare byte for byte.
std::string outcome(Store& store, const CallResult& r) {
  const GasReport gas = store.gas_report();
  std::string s = "trap=" + std::string(trap_message(r.trap));
  for (const Value& v : r.results) s += " result=" + std::to_string(v.bits);
  s += " gas_internal=" + std::to_string(gas.used_internally) +
       " gas_external=" + std::to_string(gas.used_externally);
  return s;
}

class NativeStackTest : public ::testing::TestWithParam<std::string> {
 protected:
  static Config make_config(const std::string& tier, uint32_t max_call_depth) {
    Config c;
    c.tiers.policy = tier == "jit"    ? TierPolicy::Jit
                     : tier == "auto" ? TierPolicy::Auto
                                      : TierPolicy::Interp;
    c.tiers.tier_up_threshold = 2;
    c.metering.enabled = true;
    c.runtime_limits.max_call_depth = max_call_depth;
    return c;
  }

  /// Runs export `name`(arg) in a fresh store on a thread with `stack_size`
  /// bytes of stack and describes the outcome.
  std::string run(Engine& engine, const std::shared_ptr<const Module>& module, size_t stack_size,
                  const char* name, uint32_t arg) {
    std::string out;
    run_on_sized_thread(stack_size, [&] {
      Store store(engine);
      store.set_gas_limit(1'000'000'000);
      Reentry state;
      Func* host = store.create_host_func(FuncType{{I32}, {I32}}, &reenter, &state);
      auto inst = store.instantiate(module, {Extern::func(host)});
      if (!inst) {
        out = "instantiate: " + inst.error().to_string();
        return;
      }
      state.via_host = inst.value()->find_export("via_host").as_func();
      Func* f = inst.value()->find_export(name).as_func();
      out = outcome(store, store.call(f, {Value::i32(arg)}));
    });
    return out;
  }

  /// Every case returns its argument (or traps CallStackExhausted) on every
  /// thread stack size, with the same outcome and gas as tier 0 on 8 MiB.
  struct Case {
    const char* name;
    uint32_t arg;
    bool traps;
  };
  void expect_same_everywhere(uint32_t max_call_depth, const std::vector<Case>& cases) {
    Engine engine(make_config(GetParam(), max_call_depth));
    Engine reference_engine(make_config("interp", max_call_depth));
    // Compiled on this thread: compilation is not what is under test.
    const Bytes bytes = recursion_module().build();
    auto module = compile(engine, bytes.data(), bytes.size());
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    auto reference_module = compile(reference_engine, bytes.data(), bytes.size());
    ASSERT_TRUE(reference_module.ok()) << reference_module.error().to_string();
    for (const Case& c : cases) {
      const std::string reference =
          run(reference_engine, reference_module.value(), kThreadStacks[3], c.name, c.arg);
      for (size_t stack : kThreadStacks) {
        const std::string got = run(engine, module.value(), stack, c.name, c.arg);
        SCOPED_TRACE(std::string(c.name) + "(" + std::to_string(c.arg) + ") on a " +
                     std::to_string(stack / 1024) + " KiB thread");
        if (c.traps) {
          EXPECT_EQ(got.rfind("trap=" + std::string(trap_message(TrapKind::CallStackExhausted)),
                              0),
                    0u)
              << got;
        } else {
          EXPECT_EQ(got.rfind("trap=" + std::string(trap_message(TrapKind::None)) +
                                  " result=" + std::to_string(c.arg) + " ",
                              0),
                    0u)
              << got;
        }
        EXPECT_EQ(got, reference) << "differs from tier 0 on an 8 MiB thread";
      }
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Tiers, NativeStackTest, ::testing::Values("interp", "jit", "auto"));

TEST_P(NativeStackTest, DeepRecursionDependsOnlyOnTheDepthLimit) {
  // rec(n) needs n + 1 frames: rec(9999) is exactly max_call_depth deep.
  expect_same_everywhere(10'000, {{"rec", 9999, false}, {"rec", 10'000, true}});
}

TEST_P(NativeStackTest, RecursionThroughHostFunctionsDependsOnlyOnTheDepthLimit) {
  // via_host(n) needs 2n + 1 frames: via_host(4999) is 9999 frames deep.
  expect_same_everywhere(10'000,
                         {{"via_host", 2000, false}, {"via_host", 4999, false},
                          {"via_host", 5000, true}});
}

TEST_P(NativeStackTest, SmallDepthLimitIsReachedExactly) {
  expect_same_everywhere(100, {{"rec", 99, false},
                               {"rec", 100, true},
                               {"via_host", 49, false},
                               {"via_host", 50, true}});
}

}  // namespace
}  // namespace wvm
