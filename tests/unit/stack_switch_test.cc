// The engine-owned native stacks (memory/native_stack.h): wasm runs on the
// store's stack, host callbacks can go back to the thread's own stack, the
// engine's frames fit the documented budget, deep calls are given back, and
// no trap jumps from one stack to another.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "memory/native_stack.h"
#include "memory/trap_handler.h"
#include "tests/unit/recursion_module.h"
#include "tests/unit/sized_thread.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

struct Bounds {
  uintptr_t low = 0, high = 0;
  bool contains(uintptr_t p) const { return p >= low && p < high; }
};

Bounds thread_stack_bounds() {
  Bounds b;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return b;
  void* low = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  b.low = reinterpret_cast<uintptr_t>(low);
  b.high = b.low + size;
  return b;
}

// A store running recursion_module with a host import that calls `on_host`;
// call(n) runs via_host(n).
struct Fixture {
  using OnHost = std::function<TrapKind(HostCall&, uint32_t arg, uint32_t* result)>;
  explicit Fixture(Engine& engine, OnHost host) : store(engine), on_host(std::move(host)) {
    const Bytes bytes = recursion_module().build();
    auto module = compile(engine, bytes.data(), bytes.size());
    EXPECT_TRUE(module.ok());
    Func* h = store.create_host_func(FuncType{{I32}, {I32}}, &Fixture::host, this);
    auto inst = store.instantiate(module.value(), {Extern::func(h)});
    EXPECT_TRUE(inst.ok());
    f = inst.value()->find_export("via_host").as_func();
  }
  static TrapKind host(HostCall& call, const Value* args, Value* results) {
    auto* self = static_cast<Fixture*>(call.user_data);
    uint32_t r = 0;
    const TrapKind t = self->on_host(call, args[0].as_i32(), &r);
    results[0] = Value::i32(r);
    return t;
  }
  CallResult call(uint32_t n) { return store.call(f, {Value::i32(n)}); }

  Store store;
  OnHost on_host;
  Func* f = nullptr;
};

class StackSwitchTest : public ::testing::TestWithParam<std::string> {
 protected:
  Config config() const {
    Config c;
    c.tiers.policy = GetParam() == "jit"    ? TierPolicy::Jit
                     : GetParam() == "auto" ? TierPolicy::Auto
                                            : TierPolicy::Interp;
    c.tiers.tier_up_threshold = 2;
    return c;
  }
};

INSTANTIATE_TEST_SUITE_P(Tiers, StackSwitchTest, ::testing::Values("interp", "jit", "auto"));

TEST_P(StackSwitchTest, HostCallbackRunsBackOnTheThreadStack) {
  Engine engine(config());
  run_on_sized_thread(256 * 1024, [&] {
    const Bounds thread = thread_stack_bounds();
    ASSERT_NE(thread.low, 0u);
    EXPECT_FALSE(on_engine_stack());
    uintptr_t host_sp = 0, callback_sp = 0;
    bool callback_on_engine = true;
    Fixture fx(engine, [&](HostCall&, uint32_t n, uint32_t* r) {
      host_sp = current_stack_pointer();
      EXPECT_TRUE(on_engine_stack());
      run_on_thread_stack([&] {
        callback_sp = current_stack_pointer();
        callback_on_engine = on_engine_stack();
      });
      EXPECT_TRUE(on_engine_stack());
      *r = n;
      return TrapKind::None;
    });
    CallResult r = fx.call(5);
    ASSERT_TRUE(r.ok()) << trap_message(r.trap);
    EXPECT_EQ(r.results[0].as_i32(), 5u);
    EXPECT_FALSE(thread.contains(host_sp)) << "host functions run on the engine stack";
    EXPECT_TRUE(thread.contains(callback_sp)) << "the callback runs on the thread's stack";
    EXPECT_FALSE(callback_on_engine);
    EXPECT_FALSE(on_engine_stack());
  });
}

TEST_P(StackSwitchTest, StoresEnteredFromACallbackKeepEachOthersFrames) {
  // Store A's host function goes back to the thread stack; from there it
  // enters store B (its own stack) and store A again (below A's suspended
  // frames). Every level must still return the right value.
  Engine engine(config());
  run_on_sized_thread(256 * 1024, [&] {
    const Bounds thread = thread_stack_bounds();
    uintptr_t b_sp = 0;
    Fixture b(engine, [&](HostCall&, uint32_t n, uint32_t* r) {
      b_sp = current_stack_pointer();
      *r = n;
      return TrapKind::None;
    });
    Fixture* a_ptr = nullptr;
    Fixture a(engine, [&](HostCall&, uint32_t n, uint32_t* r) {
      TrapKind t = TrapKind::None;
      run_on_thread_stack([&] {
        CallResult rb = b.call(3);  // 3 from B
        CallResult ra = a_ptr->call(n);  // reenter(n) = via_host(n): via_host(n) = n
        if (!rb.ok() || !ra.ok()) {
          t = rb.ok() ? ra.trap : rb.trap;
          return;
        }
        *r = rb.results[0].as_i32() - 3 + ra.results[0].as_i32();
      });
      return t;
    });
    a_ptr = &a;
    // via_host(4) re-enters A from the thread stack at 4 levels, and B at each.
    CallResult r = a.call(4);
    ASSERT_TRUE(r.ok()) << trap_message(r.trap);
    EXPECT_EQ(r.results[0].as_i32(), 4u);
    EXPECT_FALSE(thread.contains(b_sp));
  });
}

TEST_P(StackSwitchTest, EngineFramesFitTheDocumentedBudget) {
  // wasm -> host -> wasm ...: each level is two logical frames (one wasm, one
  // host), so it may use twice the per-frame budget (the host function here
  // is small, far below kHostFrameReserve).
  Engine engine(config());
  std::vector<uintptr_t> sps;
  Fixture* self = nullptr;
  Fixture fx(engine, [&](HostCall&, uint32_t n, uint32_t* r) {
    sps.push_back(current_stack_pointer());
    CallResult inner = self->call(n);
    if (!inner.ok()) return inner.trap;
    *r = inner.results[0].as_i32();
    return TrapKind::None;
  });
  self = &fx;
  CallResult r = fx.call(200);
  ASSERT_TRUE(r.ok()) << trap_message(r.trap);
  ASSERT_EQ(sps.size(), 200u);
  uintptr_t widest = 0;
  for (size_t i = 1; i < sps.size(); ++i) widest = std::max(widest, sps[i - 1] - sps[i]);
  RecordProperty("bytes_per_level", std::to_string(widest));
  std::printf("native stack per wasm+host level (%s): %zu bytes\n", GetParam().c_str(),
              static_cast<size_t>(widest));
  EXPECT_LE(widest, 2 * kNativeFrameBudget);
}

// Touches `depth` frames of 4 KiB each.
__attribute__((noinline)) int touch_stack(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  frame[4095] = static_cast<char>(depth);
  return depth == 0 ? frame[0] : touch_stack(depth - 1) + frame[4095];
}

TEST(EngineStackTest, TrimGivesBackWhatADeepCallCommitted) {
  NativeStack stack(16 * 1024 * 1024);
  ASSERT_TRUE(stack.run([](void*) { touch_stack(1024); }, nullptr));  // about 4 MiB
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  auto resident_pages = [&] {
    const size_t pages = (stack.high() - stack.low()) / page;
    std::vector<unsigned char> vec(pages);
    EXPECT_EQ(mincore(reinterpret_cast<void*>(stack.low()), pages * page, vec.data()), 0);
    size_t n = 0;
    for (unsigned char v : vec) n += v & 1;
    return n * page;
  };
  EXPECT_GE(resident_pages(), size_t{4} * 1024 * 1024);
  stack.trim();
  EXPECT_LE(resident_pages(), size_t{256} * 1024);
  // Still usable afterwards.
  EXPECT_TRUE(stack.run([](void*) { touch_stack(64); }, nullptr));
}

TEST(EngineStackTest, SizeCoversEveryFrameWithItsBudget) {
  const size_t size = native_stack_size_for(10'000);
  EXPECT_GE(size, 10'000 * kNativeFrameBudget + 5'000 * kHostFrameReserve +
                      kNativeStackBottomReserve);
}

class EngineStackDeathTest : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(EngineStackDeathTest, TrapsNeverJumpAcrossStacks) {
  // A TrapScope on the thread's stack does not catch a trap raised on an
  // engine stack: that would longjmp across stacks. It aborts instead.
  EXPECT_DEATH(
      {
        TrapScope scope;
        if (sigsetjmp(scope.jmp, 0) != 0) {
          scope.leave();
          _exit(7);  // caught across stacks: wrong
        }
        scope.enter();
        NativeStack stack(1024 * 1024);
        stack.run([](void*) { raise_trap(static_cast<int>(TrapKind::Unreachable)); }, nullptr);
        scope.leave();
      },
      "outside any TrapScope");
}

}  // namespace
}  // namespace wvm
