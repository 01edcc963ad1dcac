// Linear memory: growth limits (module maximum, engine limit, the OS refusing),
// the reservation pool (reuse never leaks bytes, the address-space budget,
// copy-on-write images), many live instances and a create/destroy loop.
// Every test runs under both bounds strategies.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "memory/pool.h"
#include "memory/trap_handler.h"
#include "tests/unit/builder.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

// A module with one memory (min, max), data "wvm!" at 16, and exports
// load(i32) -> i32, store(i32, i32), grow(i32) -> i32, size() -> i32.
Bytes memory_module(uint32_t min, std::optional<uint32_t> max, bool with_data = true) {
  ModuleBuilder m;
  m.add_memory(min, max);
  if (with_data) m.add_data(16, {'w', 'v', 'm', '!'});
  const uint32_t t_load = m.type({I32}, {I32});
  const uint32_t t_store = m.type({I32, I32}, {});
  const uint32_t t_size = m.type({}, {I32});
  m.export_func("load", m.add_func(t_load, {}, Code().local_get(0).mem(Opcode::I32Load)));
  m.export_func("store", m.add_func(t_store, {}, Code().local_get(0).local_get(1).mem(Opcode::I32Store)));
  m.export_func("grow", m.add_func(t_load, {}, Code().local_get(0).memory_grow()));
  m.export_func("size", m.add_func(t_size, {}, Code().memory_size()));
  return m.build();
}

// Each test runs with a bounds strategy, in tier 0 and in tier 1.
struct MemoryVariant {
  BoundsStrategy bounds;
  TierPolicy policy;
  const char* name;
};
void PrintTo(const MemoryVariant& v, std::ostream* os) { *os << v.name; }

class MemoryTest : public ::testing::TestWithParam<MemoryVariant> {
 protected:
  BoundsStrategy bounds() const { return GetParam().bounds; }
  Config config() const {
    Config c;
    c.memory.bounds = bounds();
    c.tiers.policy = GetParam().policy;
    return c;
  }

  static std::shared_ptr<const Module> compile_or_die(Engine& e, const Bytes& b) {
    auto m = wvm::compile(e, b.data(), b.size());
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    return m.ok() ? m.value() : nullptr;
  }

  static CallResult call(Store& s, Instance* inst, const char* name, std::vector<Value> args) {
    return s.call(inst->find_export(name).as_func(), args);
  }
  static uint32_t call_i32(Store& s, Instance* inst, const char* name, std::vector<Value> args) {
    CallResult r = call(s, inst, name, std::move(args));
    EXPECT_TRUE(r.ok()) << name << ": " << trap_message(r.trap);
    return r.ok() && !r.results.empty() ? r.results[0].as_i32() : 0xdeadbeef;
  }
};

INSTANTIATE_TEST_SUITE_P(
    Bounds, MemoryTest,
    ::testing::Values(MemoryVariant{BoundsStrategy::GuardPages, TierPolicy::Interp, "guard"},
                      MemoryVariant{BoundsStrategy::ExplicitChecks, TierPolicy::Interp, "explicit"},
                      MemoryVariant{BoundsStrategy::GuardPages, TierPolicy::Jit, "jit_guard"},
                      MemoryVariant{BoundsStrategy::ExplicitChecks, TierPolicy::Jit,
                                    "jit_explicit"}),
    [](const ::testing::TestParamInfo<MemoryVariant>& info) { return std::string(info.param.name); });

TEST_P(MemoryTest, GrowToTheModuleMaximum) {
  Engine engine(config());
  Store store(engine);
  auto inst = store.instantiate(compile_or_die(engine, memory_module(1, 4)), {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  Instance* i = inst.value();
  EXPECT_EQ(call_i32(store, i, "grow", {Value::i32(3)}), 1u);
  EXPECT_EQ(call_i32(store, i, "size", {}), 4u);
  EXPECT_EQ(call_i32(store, i, "grow", {Value::i32(1)}), 0xffffffffu);  // past the maximum
  EXPECT_EQ(call_i32(store, i, "size", {}), 4u);
  EXPECT_TRUE(call(store, i, "store", {Value::i32(4 * 65536 - 4), Value::i32(7)}).ok());
  EXPECT_EQ(call(store, i, "load", {Value::i32(4 * 65536 - 3)}).trap, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(call_i32(store, i, "load", {Value::i32(16)}), 0x216d7677u);  // "wvm!" intact
}

TEST_P(MemoryTest, GrowRefusedByTheEngineLimit) {
  Config c = config();
  c.module_limits.max_memory_pages = 3;
  Engine engine(c);
  Store store(engine);
  auto inst = store.instantiate(compile_or_die(engine, memory_module(1, std::nullopt)), {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  Instance* i = inst.value();
  EXPECT_EQ(call_i32(store, i, "grow", {Value::i32(2)}), 1u);
  EXPECT_EQ(call_i32(store, i, "grow", {Value::i32(1)}), 0xffffffffu);
  EXPECT_EQ(call_i32(store, i, "size", {}), 3u);
  EXPECT_EQ(i->memory()->max_pages(), 3u);
}

TEST_P(MemoryTest, GrowRefusedByTheOsLeavesMemoryIntact) {
  Engine engine(config());
  Store store(engine);
  auto inst = store.instantiate(compile_or_die(engine, memory_module(1, 8)), {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  Instance* i = inst.value();
  ASSERT_TRUE(call(store, i, "store", {Value::i32(100), Value::i32(0x1234)}).ok());
  fail_next_commits_for_testing(1);
  EXPECT_EQ(call_i32(store, i, "grow", {Value::i32(1)}), 0xffffffffu);
  EXPECT_EQ(call_i32(store, i, "size", {}), 1u);
  EXPECT_EQ(call(store, i, "load", {Value::i32(65536)}).trap, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(call_i32(store, i, "load", {Value::i32(100)}), 0x1234u);
  EXPECT_EQ(call_i32(store, i, "load", {Value::i32(16)}), 0x216d7677u);
  // The OS is willing again: growth works and the new page is zero.
  EXPECT_EQ(call_i32(store, i, "grow", {Value::i32(1)}), 1u);
  EXPECT_EQ(call_i32(store, i, "load", {Value::i32(65536)}), 0u);
}

TEST_P(MemoryTest, ReusedReservationsNeverLeakBytes) {
  Engine engine(config());
  auto module = compile_or_die(engine, memory_module(2, 4));
  {
    Store store(engine);
    auto inst = store.instantiate(module, {});
    ASSERT_TRUE(inst.ok());
    Instance* i = inst.value();
    ASSERT_EQ(call_i32(store, i, "grow", {Value::i32(1)}), 2u);
    // Dirty every page, including the image's page and the grown one.
    for (uint32_t a = 0; a < 3 * 65536; a += 4096)
      ASSERT_TRUE(call(store, i, "store", {Value::i32(a), Value::i32(0xa5a5a5a5)}).ok());
    ASSERT_TRUE(call(store, i, "store", {Value::i32(16), Value::i32(0xffffffff)}).ok());
  }
  EXPECT_GE(engine.memory_pool().idle_count(), 1u);
  Store store(engine);
  auto inst = store.instantiate(module, {});
  ASSERT_TRUE(inst.ok());
  Memory* mem = inst.value()->memory();
  ASSERT_EQ(mem->pages(), 2u);  // not the 3 of the previous owner
  EXPECT_EQ(call(store, inst.value(), "load", {Value::i32(2 * 65536)}).trap,
            TrapKind::MemoryOutOfBounds);
  const uint8_t* p = mem->data();
  for (uint64_t a = 0; a < mem->size_bytes(); ++a) {
    const uint8_t want = (a >= 16 && a < 20) ? "wvm!"[a - 16] : 0;
    ASSERT_EQ(p[a], want) << "byte " << a;
  }
}

TEST_P(MemoryTest, AddressSpaceBudgetExhaustedIsAClearError) {
  Config c = config();
  const uint64_t one = bounds() == BoundsStrategy::GuardPages ? kGuardReservationBytes
                                                                 : 4 * Memory::kPageSize;
  c.memory.address_space_budget = 2 * one;
  Engine engine(c);
  auto module = compile_or_die(engine, memory_module(1, 4));
  Store store(engine);
  ASSERT_TRUE(store.instantiate(module, {}).ok());
  ASSERT_TRUE(store.instantiate(module, {}).ok());
  auto third = store.instantiate(module, {});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().kind, ErrorKind::Uninstantiable);
  EXPECT_NE(third.error().message.find("budget"), std::string::npos) << third.error().message;
}

TEST_P(MemoryTest, BudgetIsReturnedWhenStoresDie) {
  Config c = config();
  const uint64_t one = bounds() == BoundsStrategy::GuardPages ? kGuardReservationBytes
                                                                 : 4 * Memory::kPageSize;
  c.memory.address_space_budget = one;
  Engine engine(c);
  auto module = compile_or_die(engine, memory_module(1, 4));
  for (int round = 0; round < 3; ++round) {
    Store store(engine);
    auto inst = store.instantiate(module, {});
    ASSERT_TRUE(inst.ok()) << "round " << round << ": " << inst.error().to_string();
    EXPECT_FALSE(store.instantiate(module, {}).ok());
  }
}

TEST_P(MemoryTest, AThousandInstancesAliveAtOnce) {
  Engine engine(config());
  auto module = compile_or_die(engine, memory_module(1, std::nullopt));
  Store store(engine);
  std::vector<Instance*> instances;
  for (int k = 0; k < 1000; ++k) {
    auto inst = store.instantiate(module, {});
    ASSERT_TRUE(inst.ok()) << "instance " << k << ": " << inst.error().to_string();
    instances.push_back(inst.value());
  }
  if (bounds() == BoundsStrategy::GuardPages) {
    EXPECT_GE(engine.memory_pool().reserved_bytes(), 1000 * kGuardReservationBytes);
  }
  // Each is its own memory: writes stay in it, and bounds hold for each.
  for (int k = 0; k < 1000; ++k)
    ASSERT_TRUE(call(store, instances[k], "store", {Value::i32(65532), Value::i32(k)}).ok());
  for (int k = 0; k < 1000; k += 37) {
    EXPECT_EQ(call_i32(store, instances[k], "load", {Value::i32(65532)}), uint32_t(k));
    EXPECT_EQ(call(store, instances[k], "load", {Value::i32(65533)}).trap,
              TrapKind::MemoryOutOfBounds);
  }
}

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST_P(MemoryTest, CreateDestroyLoopKeepsMemoryFlat) {
  if (kAddressSanitizer)
    GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory resident by design; "
                    "the release build runs this test";
  Engine engine(config());
  auto module = compile_or_die(engine, memory_module(17, std::nullopt));
  auto cycle = [&](int k) {
    Store store(engine);
    auto inst = store.instantiate(module, {});
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    ASSERT_TRUE(call(store, inst.value(), "store", {Value::i32(k % 65536 * 16), Value::i32(k)}).ok());
  };
  for (int k = 0; k < 1000; ++k) cycle(k);  // warm the pools
  const long before = resident_kib();
  const uint64_t reserved_before = engine.memory_pool().reserved_bytes();
  constexpr int kCycles = 100'000;
  for (int k = 0; k < kCycles; ++k) {
    cycle(k);
    if (::testing::Test::HasFatalFailure()) return;
  }
  const long after = resident_kib();
  std::printf("[ memory   ] %d create/destroy cycles: resident %ld KiB -> %ld KiB, "
              "reserved %llu -> %llu MiB\n",
              kCycles, before, after, static_cast<unsigned long long>(reserved_before >> 20),
              static_cast<unsigned long long>(engine.memory_pool().reserved_bytes() >> 20));
  EXPECT_LT(after - before, 8 * 1024) << "resident memory grew";
  EXPECT_EQ(engine.memory_pool().reserved_bytes(), reserved_before);
}

TEST_P(MemoryTest, ModuleCompiledForAnotherStrategyIsRejected) {
  Engine engine(config());
  Config other = config();
  other.memory.bounds = bounds() == BoundsStrategy::GuardPages ? BoundsStrategy::ExplicitChecks
                                                                  : BoundsStrategy::GuardPages;
  Engine other_engine(other);
  auto module = compile_or_die(other_engine, memory_module(1, 2));
  Store store(engine);
  auto inst = store.instantiate(module, {});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Unlinkable);
}

TEST_P(MemoryTest, OutOfBoundsIsAFaultOnlyWithGuardPages) {
  Engine engine(config());
  Store store(engine);
  auto inst = store.instantiate(compile_or_die(engine, memory_module(1, 2)), {});
  ASSERT_TRUE(inst.ok());
  const uint64_t before = faults_trapped();
  // Far past the end, with the largest offset an i32 address can add.
  EXPECT_EQ(call(store, inst.value(), "load", {Value::i32(0xfffffffc)}).trap,
            TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(call(store, inst.value(), "load", {Value::i32(65533)}).trap,
            TrapKind::MemoryOutOfBounds);
  const uint64_t faults = faults_trapped() - before;
  // Guarded: the PROT_NONE part faulted and the handler made it the trap.
  // Explicit: the compare caught it and nothing faulted.
  EXPECT_EQ(faults, bounds() == BoundsStrategy::GuardPages ? 2u : 0u);
  // The store is fine afterwards.
  EXPECT_EQ(call_i32(store, inst.value(), "load", {Value::i32(16)}), 0x216d7677u);
}

TEST(MemoryImageTest, SegmentsComeFromTheImageAndWritesStayPrivate) {
  Engine engine;
  auto bytes = memory_module(1, 2);
  auto module = wvm::compile(engine, bytes.data(), bytes.size());
  ASSERT_TRUE(module.ok());
  EXPECT_NE(module.value()->memory_image, nullptr) << "a constant-offset segment gets an image";
  Store a(engine), b(engine);
  auto ia = a.instantiate(module.value(), {});
  auto ib = b.instantiate(module.value(), {});
  ASSERT_TRUE(ia.ok() && ib.ok());
  ASSERT_TRUE(a.call(ia.value()->find_export("store").as_func(), {Value::i32(16), Value::i32(1)})
                  .ok());
  auto rb = b.call(ib.value()->find_export("load").as_func(), {Value::i32(16)});
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb.results[0].as_i32(), 0x216d7677u);  // b still sees "wvm!"
}

}  // namespace
}  // namespace wvm
