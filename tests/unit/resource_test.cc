// Module-controlled allocations (issue 14, items 1 and 8), on every tier:
// tables and instance state count against the store's and the engine's
// instance-memory budgets; an allocation the budget or the OS refuses makes
// table.grow return -1 or instantiation fail, never abort; element segments
// cost memory in proportion to what they hold.
#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

using Tier = std::string;
const Tier kResourceTiers[] = {"interp", "interp-explicit-bounds", "jit", "jit-explicit-bounds",
                               "auto"};
std::string tier_name(const ::testing::TestParamInfo<Tier>& info) {
  std::string n = info.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

Config tier_config(const Tier& tier) {
  Config c;
  test::apply_tier(c, tier);
  return c;
}

std::shared_ptr<const Module> compile_ok(Engine& engine, const ModuleBuilder& m) {
  const Bytes b = m.build();
  auto mod = compile(engine, b.data(), b.size());
  EXPECT_TRUE(mod.ok()) << mod.error().to_string();
  return mod.ok() ? mod.value() : nullptr;
}

int32_t call_i32(Store& store, Instance& inst, const char* name, std::vector<Value> args = {}) {
  CallResult r = store.call(inst.find_export(name).as_func(), args);
  if (!r.ok() || r.results.size() != 1) return INT32_MIN;
  return static_cast<int32_t>(r.results[0].as_i32());
}

// One funcref table of `min` elements (no maximum); "grow"(n) -> table.grow
// by n null elements, "size" -> table.size.
ModuleBuilder growable_table(uint32_t min = 0) {
  ModuleBuilder m;
  m.add_table(FuncRef, min);
  const uint32_t grow = m.type({I32}, {I32});
  m.export_func("grow", m.add_func(grow, {}, Code().ref_null(FuncRef).local_get(0).table_grow()));
  m.export_func("size", m.add_func(m.type({}, {I32}), {}, Code().table_size()));
  return m;
}

// `n` tables of `elements` elements each.
ModuleBuilder many_tables(uint32_t n, uint32_t elements) {
  ModuleBuilder m;
  for (uint32_t i = 0; i < n; ++i) m.add_table(FuncRef, elements);
  return m;
}

class ResourceTest : public ::testing::TestWithParam<Tier> {};
INSTANTIATE_TEST_SUITE_P(Tiers, ResourceTest, ::testing::ValuesIn(kResourceTiers), tier_name);

TEST_P(ResourceTest, TableGrowPastTheStoreBudgetReturnsMinusOneAndTheModuleGoesOn) {
  Config c = tier_config(GetParam());
  c.runtime_limits.store_instance_bytes = 1 << 20;
  Engine engine(c);
  Store store(engine);
  auto mod = compile_ok(engine, growable_table());
  ASSERT_TRUE(mod);
  auto inst = store.instantiate(mod, {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ(call_i32(store, **inst, "grow", {Value::i32(1000)}), 0);
  EXPECT_EQ(call_i32(store, **inst, "grow", {Value::i32(200'000)}), -1);  // 1.6 MB > 1 MiB
  EXPECT_EQ(call_i32(store, **inst, "size"), 1000);
  EXPECT_EQ(call_i32(store, **inst, "grow", {Value::i32(10)}), 1000);
  EXPECT_LE(store.instance_bytes(), uint64_t{1} << 20);
  EXPECT_EQ(engine.instance_bytes(), store.instance_bytes());
}

TEST_P(ResourceTest, TheEngineBudgetIsSharedByItsStoresAndReleasedWhenTheyDie) {
  Config c = tier_config(GetParam());
  c.runtime_limits.engine_instance_bytes = 3 << 20;
  Engine engine(c);
  auto mod = compile_ok(engine, growable_table());
  ASSERT_TRUE(mod);
  auto first = std::make_unique<Store>(engine);
  Store second(engine);
  auto a = first->instantiate(mod, {});
  auto b = second.instantiate(mod, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(call_i32(*first, **a, "grow", {Value::i32(300'000)}), 0);  // 2.4 MB of 3 MiB
  EXPECT_EQ(call_i32(second, **b, "grow", {Value::i32(100'000)}), -1);
  first.reset();
  EXPECT_EQ(engine.instance_bytes(), second.instance_bytes());
  EXPECT_EQ(call_i32(second, **b, "grow", {Value::i32(100'000)}), 0);
}

TEST_P(ResourceTest, InstantiatingTablesPastTheBudgetFailsWithTheFigures) {
  Config c = tier_config(GetParam());
  c.runtime_limits.store_instance_bytes = 8 << 20;
  Engine engine(c);
  auto mod = compile_ok(engine, many_tables(20, 100'000));  // 16 MB of elements
  ASSERT_TRUE(mod);
  {
    Store store(engine);
    auto inst = store.instantiate(mod, {});
    ASSERT_FALSE(inst.ok());
    EXPECT_EQ(inst.error().kind, ErrorKind::Uninstantiable);
    EXPECT_NE(inst.error().message.find("a table of 100000 elements needs 800000 bytes: the "
                                        "store's instance memory budget of 8388608 bytes is "
                                        "exhausted"),
              std::string::npos)
        << inst.error().message;
  }
  EXPECT_EQ(engine.instance_bytes(), 0u);  // what the failed instance held is released
}

TEST_P(ResourceTest, InstanceStateCountsAgainstTheBudget) {
  // Many functions make a large instance even without tables.
  Config c = tier_config(GetParam());
  c.runtime_limits.store_instance_bytes = 64 << 10;
  Engine engine(c);
  ModuleBuilder m;
  const uint32_t t = m.type({}, {});
  for (int i = 0; i < 2000; ++i) m.add_func(t, {}, Code());  // 2000 Func instances > 64 KiB
  auto mod = compile_ok(engine, m);
  ASSERT_TRUE(mod);
  Store store(engine);
  auto inst = store.instantiate(mod, {});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Uninstantiable);
  EXPECT_NE(inst.error().message.find("runtime state needs"), std::string::npos)
      << inst.error().message;
}

// Element segments: a module of a million one-element passive segments takes
// memory in proportion to its size, and an instance of it a bit per segment
// (plus what every instance needs), not a copy of every segment.
TEST_P(ResourceTest, ElementSegmentsCostMemoryInProportionToWhatTheyHold) {
  constexpr uint32_t kSegments = 1'000'000;
  Engine engine(tier_config(GetParam()));
  ModuleBuilder m;
  m.add_table(FuncRef, 2);
  const uint32_t ty = m.type({}, {I32});
  const uint32_t run = m.add_func(
      ty, {},
      Code()
          .i32_const(0).i32_const(0).i32_const(1).table_init(kSegments - 1)  // slot 0: func 1
          .i32_const(1).i32_const(0).i32_const(1).table_init(7)              // slot 1: func 2
          .elem_drop(7)
          .i32_const(0).call_indirect(ty)
          .i32_const(1).call_indirect(ty).op(Opcode::I32Add));
  const uint32_t f1 = m.add_func(ty, {}, Code().i32_const(40));
  const uint32_t f2 = m.add_func(ty, {}, Code().i32_const(2));
  m.export_func("run", run);
  m.export_func("init_dropped",
                m.add_func(m.type({}, {}), {}, Code().i32_const(0).i32_const(0).i32_const(1)
                                                   .table_init(7)));
  for (uint32_t i = 0; i < kSegments; ++i) m.add_passive_elem({i == 7 ? f2 : f1});
  const Bytes bytes = m.build();  // 4 bytes per segment

  const size_t before_compile = mallinfo2().uordblks;
  auto mod = compile(engine, bytes.data(), bytes.size());
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  const size_t module_bytes = mallinfo2().uordblks - before_compile;
  // The binary's own copy, 20 bytes of segment and 8 of item, doubling slack.
  EXPECT_LT(module_bytes, bytes.size() + size_t{kSegments} * 60) << module_bytes;

  Store store(engine);
  const size_t before_instance = mallinfo2().uordblks;
  auto inst = store.instantiate(mod.value(), {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  const size_t instance_bytes = mallinfo2().uordblks - before_instance;
  EXPECT_LT(instance_bytes, size_t{kSegments} / 2) << instance_bytes;  // well under a byte each
  EXPECT_LT(store.instance_bytes(), size_t{kSegments} / 2);

  EXPECT_EQ(call_i32(store, **inst, "run"), 42);
  CallResult r = store.call((*inst)->find_export("init_dropped").as_func(), {});
  EXPECT_EQ(r.trap, TrapKind::TableOutOfBounds);  // segment 7 was dropped
}

// Real allocation failures: a child process whose address space is capped
// just above what it uses must see table.grow return -1 and instantiation
// fail with an error; before, std::bad_alloc escaped and the child aborted.
class ResourceDeathTest : public ::testing::TestWithParam<Tier> {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer's shadow memory does not fit under a capped address space";
#endif
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};
INSTANTIATE_TEST_SUITE_P(Tiers, ResourceDeathTest, ::testing::ValuesIn(kResourceTiers),
                         tier_name);

// Caps this process's address space at what it maps now plus `headroom`.
void cap_address_space(uint64_t headroom) {
  std::ifstream status("/proc/self/status");
  std::string line;
  uint64_t vm_kb = 0;
  while (std::getline(status, line))
    if (line.rfind("VmSize:", 0) == 0) vm_kb = std::strtoull(line.c_str() + 7, nullptr, 10);
  const rlimit limit{vm_kb * 1024 + headroom, vm_kb * 1024 + headroom};
  if (vm_kb == 0 || setrlimit(RLIMIT_AS, &limit) != 0) std::_Exit(10);
}

// Budgets far above what the OS will give: the allocation itself fails.
Config unbudgeted(const Tier& tier) {
  Config c = tier_config(tier);
  c.runtime_limits.store_instance_bytes = uint64_t{1} << 40;
  c.runtime_limits.engine_instance_bytes = uint64_t{1} << 40;
  return c;
}

TEST_P(ResourceDeathTest, TableGrowTheOsRefusesReturnsMinusOne) {
  const Tier tier = GetParam();
  EXPECT_EXIT(
      {
        Engine engine(unbudgeted(tier));
        Store store(engine);
        auto mod = compile_ok(engine, growable_table());
        auto inst = store.instantiate(mod, {});
        if (!inst.ok()) std::_Exit(11);
        // A first call maps the store's native stack (address space the cap
        // below would refuse: see NoStackForACallIsATrap).
        if (call_i32(store, **inst, "size") != 0) std::_Exit(15);
        cap_address_space(32 << 20);
        if (call_i32(store, **inst, "grow", {Value::i32(10'000'000)}) != -1) std::_Exit(12);
        if (call_i32(store, **inst, "grow", {Value::i32(1000)}) != 0) std::_Exit(13);
        if (call_i32(store, **inst, "size") != 1000) std::_Exit(14);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_P(ResourceDeathTest, NoStackForACallIsATrap) {
  // The store's native stack is mapped on its first call; if the OS refuses
  // it, the call traps (call stack exhausted) and the process goes on.
  const Tier tier = GetParam();
  EXPECT_EXIT(
      {
        Engine engine(unbudgeted(tier));
        Store store(engine);
        auto mod = compile_ok(engine, growable_table());
        auto inst = store.instantiate(mod, {});
        if (!inst.ok()) std::_Exit(11);
        cap_address_space(32 << 20);
        Func* f = (*inst)->find_export("size").as_func();
        if (store.call(f, {}).trap != TrapKind::CallStackExhausted) std::_Exit(12);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_P(ResourceDeathTest, InstantiationTheOsRefusesFails) {
  const Tier tier = GetParam();
  EXPECT_EXIT(
      {
        Engine engine(unbudgeted(tier));
        Store store(engine);
        auto mod = compile_ok(engine, many_tables(20, 10'000'000));  // 1.6 GB of elements
        cap_address_space(256 << 20);
        auto inst = store.instantiate(mod, {});
        if (inst.ok()) std::_Exit(11);
        if (inst.error().kind != ErrorKind::Uninstantiable) std::_Exit(12);
        if (inst.error().message.find("cannot allocate a table of 10000000 elements") ==
            std::string::npos)
          std::_Exit(13);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// Guard pages need the whole 8 GiB reservation: without it instantiation
// fails. Explicit checks can live in less: the memory takes part of what the
// OS would map and memory.grow fails (-1) where that reservation ends.
TEST_P(ResourceDeathTest, InstantiatingAMemoryTheOsRefusesFails) {
  const Tier tier = GetParam();
  const Config config = unbudgeted(tier);
  const bool guarded = config.memory.bounds == BoundsStrategy::GuardPages;
  EXPECT_EXIT(
      {
        Engine engine(config);
        Store store(engine);
        ModuleBuilder m;
        m.add_memory(1);  // reserves 8 GiB (guard pages) or 4 GiB (explicit checks)
        auto mod = compile_ok(engine, m);
        cap_address_space(32 << 20);
        auto inst = store.instantiate(mod, {});
        if (guarded)
          std::_Exit(!inst.ok() && inst.error().kind == ErrorKind::Uninstantiable ? 0 : 11);
        if (!inst.ok()) std::_Exit(12);
        Memory* mem = (*inst)->memory();
        if (mem->pages() != 1 || mem->max_pages() < 1 || mem->max_pages() >= 65536) std::_Exit(13);
        const uint32_t room = mem->max_pages() - mem->pages();
        if (mem->grow(room + 1) != -1 || mem->pages() != 1) std::_Exit(14);
        if (room > 0 && mem->grow(room) != 1) std::_Exit(15);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace wvm
