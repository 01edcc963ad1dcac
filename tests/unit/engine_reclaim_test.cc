// A long-lived engine reclaims what dropped modules held (DESIGN.md
// invariant 9): tier-1 code space and interned function types. Also: a full
// code space is visible (Engine::code_space) and an error under policy Jit.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/background_compiler.h"
#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "tier1-jit/code_arena.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

constexpr size_t kSmallCodeSpace = size_t{64} << 10;

Config config_for(const std::string& tier, size_t code_space = kSmallCodeSpace) {
  Config c;
  apply_tier(c, tier);
  c.tiers.code_space_bytes = code_space;
  return c;
}

/// `funcs` exported functions "f0".. (i32) -> i32, each a straight line of
/// `adds` additions: about 10-20 bytes of machine code per addition. fK(x)
/// returns x + K + (1 + 2 + ... + adds).
Bytes adder_module(uint32_t funcs, uint32_t adds) {
  ModuleBuilder m;
  const uint32_t t = m.type({ValType::I32}, {ValType::I32});
  for (uint32_t k = 0; k < funcs; ++k) {
    Code c;
    c.local_get(0).i32_const(static_cast<int32_t>(k)).op(Opcode::I32Add);
    for (uint32_t i = 1; i <= adds; ++i) c.i32_const(static_cast<int32_t>(i)).op(Opcode::I32Add);
    m.export_func("f" + std::to_string(k), m.add_func(t, {}, c));
  }
  return m.build();
}

uint32_t adder_result(uint32_t x, uint32_t k, uint32_t adds) {
  return x + k + adds * (adds + 1) / 2;
}

Result<std::shared_ptr<const Module>> compile_bytes(Engine& engine, const Bytes& b) {
  return compile(engine, b.data(), b.size());
}

uint32_t call_i32(Store& store, Instance* inst, const std::string& name, uint32_t x) {
  Func* f = inst->find_export(name).as_func();
  EXPECT_NE(f, nullptr) << name;
  if (f == nullptr) return 0;
  CallResult r = store.call(f, {Value::i32(x)});
  EXPECT_TRUE(r.ok()) << trap_message(r.trap);
  return r.ok() && r.results.size() == 1 ? r.results[0].as_i32() : 0;
}

std::string tier_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

// ---- the arena's allocator, on its own

TEST(CodeArenaTest, ReleasedBlocksAreTrapFilledCoalescedAndReused) {
  auto arena = jit::CodeArena::create(size_t{1} << 16, -1, 0xA5A5A5A5u);
  ASSERT_NE(arena, nullptr);
  uint8_t* rw[3] = {};
  uint8_t* a = arena->allocate(100, &rw[0]);
  uint8_t* b = arena->allocate(200, &rw[1]);
  uint8_t* c = arena->allocate(300, &rw[2]);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  std::memset(rw[1], 0x90, 200);
  EXPECT_EQ(arena->used(), 112u + 208u + 304u);
  arena->release(b);
  EXPECT_EQ(arena->used(), 112u + 304u);
  // Freed code is trap words, seen through the executable view.
  for (size_t i = 0; i < 208; ++i) ASSERT_EQ(b[i], 0xA5) << i;
  // A block that fits the hole goes there; neighbours merge on release.
  uint8_t* rw2 = nullptr;
  EXPECT_EQ(arena->allocate(150, &rw2), b);
  arena->release(b);
  arena->release(a);
  uint8_t* merged = arena->allocate(112 + 208, &rw2);
  EXPECT_EQ(merged, a);
  arena->release(merged);
  arena->release(c);
  EXPECT_EQ(arena->used(), 0u);
  // Everything merged back: the whole arena is one block again.
  uint8_t* all = arena->allocate(size_t{1} << 16, &rw2);
  EXPECT_EQ(all, a);
  EXPECT_EQ(arena->allocate(16, &rw2), nullptr);
  EXPECT_EQ(arena->failed_allocations(), 1u);
  arena->release(all);
}

// A batch's blocks from the arena's unused top reach the arena when it
// commits, in order and whole, across runs the batch has to break: a block
// placed without the batch in between, and more than one buffer's worth.
TEST(CodeArenaTest, BatchedCodeIsInTheArenaAfterCommit) {
  auto arena = jit::CodeArena::create(size_t{2} << 20, -1, 0xA5A5A5A5u);
  ASSERT_NE(arena, nullptr);
  struct Placed {
    uint8_t* rx;
    size_t size;
    uint8_t fill;
  };
  std::vector<Placed> placed;
  auto put = [&](size_t size, jit::CodeBatch* batch) {
    uint8_t* rw = nullptr;
    uint8_t* rx = arena->allocate(size, &rw, batch);
    ASSERT_NE(rx, nullptr);
    const auto fill = static_cast<uint8_t>(0x10 + placed.size());
    std::memset(rw, fill, size);
    placed.push_back({rx, size, fill});
  };
  {
    jit::CodeBatch batch(*arena);
    put(100, &batch);
    put(5000, &batch);
    put(4096, nullptr);  // not through the batch: its run starts again after
    put(300, &batch);
    put(200000, &batch);
    put(200000, &batch);  // past the buffer: the run before is written first
    put(17, &batch);
    EXPECT_EQ(arena->used(), 112u + 5008u + 4096u + 304u + 2u * 200000u + 32u);
    ASSERT_TRUE(batch.commit());
    for (const Placed& p : placed)
      for (size_t i = 0; i < p.size; ++i) ASSERT_EQ(p.rx[i], p.fill) << "block " << +p.fill << " byte " << i;
    // After a commit the batch goes on.
    put(64, &batch);
  }  // the destructor commits
  const Placed& last = placed.back();
  for (size_t i = 0; i < last.size; ++i) ASSERT_EQ(last.rx[i], last.fill) << i;
  for (const Placed& p : placed) arena->release(p.rx);
  EXPECT_EQ(arena->used(), 0u);
}

// A block released before its batch commits is trap words afterwards, not
// the code the batch held for it; the batch's other blocks keep theirs, and
// a reused block is written in place.
TEST(CodeArenaTest, ABatchedBlockReleasedBeforeCommitStaysTrapFilled) {
  auto arena = jit::CodeArena::create(size_t{1} << 20, -1, 0xA5A5A5A5u);
  ASSERT_NE(arena, nullptr);
  jit::CodeBatch batch(*arena);
  uint8_t* rw[3] = {};
  uint8_t* a = arena->allocate(256, &rw[0], &batch);
  uint8_t* b = arena->allocate(512, &rw[1], &batch);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::memset(rw[0], 0x90, 256);
  std::memset(rw[1], 0xC3, 512);
  arena->release(a);
  for (size_t i = 0; i < 256; ++i) ASSERT_EQ(a[i], 0xA5) << i;
  for (size_t i = 0; i < 512; ++i) ASSERT_EQ(b[i], 0xC3) << i;
  uint8_t* c = arena->allocate(128, &rw[2], &batch);  // the hole a left
  ASSERT_EQ(c, a);
  std::memset(rw[2], 0x55, 128);
  for (size_t i = 0; i < 128; ++i) ASSERT_EQ(c[i], 0x55) << i;
  ASSERT_TRUE(batch.commit());
  for (size_t i = 0; i < 128; ++i) ASSERT_EQ(c[i], 0x55) << i;
  for (size_t i = 128; i < 256; ++i) ASSERT_EQ(a[i], 0xA5) << i;
  for (size_t i = 0; i < 512; ++i) ASSERT_EQ(b[i], 0xC3) << i;
  arena->release(b);
  arena->release(c);
  EXPECT_EQ(arena->used(), 0u);
}

// ---- code space, per JIT tier

class CodeSpaceTest : public ::testing::TestWithParam<std::string> {};

// (a) With a small code space, the same module compiled and dropped many
// times is always compiled by tier 1, and the space comes back each time.
TEST_P(CodeSpaceTest, CompileAndDropReusesCodeSpace) {
  Engine engine(config_for(GetParam()));
  if (engine.jit_backend() == nullptr) GTEST_SKIP() << "no tier 1 on this host";
  const size_t baseline = engine.code_space().used_bytes;  // the entry trampoline
  EXPECT_EQ(engine.code_space().capacity_bytes, kSmallCodeSpace);
  const Bytes bytes = adder_module(4, 200);
  size_t module_code = 0;
  uint32_t rounds = 4;
  for (uint32_t round = 0; round < rounds; ++round) {
    const uint64_t compiled_before = engine.tier_stats().compiled;
    auto mod = compile_bytes(engine, bytes);
    ASSERT_TRUE(mod.ok()) << "round " << round << ": " << mod.error().to_string();
    ASSERT_EQ(engine.tier_stats().compiled, compiled_before + 4) << "round " << round;
    if (round == 0) {
      module_code = engine.code_space().used_bytes - baseline;
      ASSERT_GT(module_code, 1024u);
      // Enough rounds to fill the space several times over without reuse.
      rounds = static_cast<uint32_t>(4 * kSmallCodeSpace / module_code) + 2;
    }
    {
      Store store(engine);
      auto inst = store.instantiate(mod.value(), {});
      ASSERT_TRUE(inst.ok()) << inst.error().to_string();
      EXPECT_EQ(call_i32(store, inst.value(), "f3", 7), adder_result(7, 3, 200));
    }
    mod = Error{};  // drop the module: its code goes back
    EXPECT_EQ(engine.code_space().used_bytes, baseline) << "round " << round;
  }
  EXPECT_EQ(engine.code_space().exhausted, 0u);
}

// (b) A module bigger than the whole space: compile() fails under Jit with the
// documented error, the counter shows it, and nothing stays allocated.
TEST_P(CodeSpaceTest, ModuleBiggerThanCodeSpaceFailsUnderJit) {
  Engine engine(config_for(GetParam()));
  if (engine.jit_backend() == nullptr) GTEST_SKIP() << "no tier 1 on this host";
  const size_t baseline = engine.code_space().used_bytes;
  auto mod = compile_bytes(engine, adder_module(40, 400));
  ASSERT_FALSE(mod.ok());
  EXPECT_EQ(mod.error().kind, ErrorKind::LimitExceeded);
  EXPECT_NE(mod.error().to_string().find("JIT code space exhausted"), std::string::npos)
      << mod.error().to_string();
  EXPECT_GE(engine.code_space().exhausted, 1u);
  EXPECT_EQ(engine.code_space().used_bytes, baseline);
  // The space is whole again: a module that fits compiles.
  EXPECT_TRUE(compile_bytes(engine, adder_module(1, 50)).ok());
}

// Code loaded from the compiled-module cache is one block for the module,
// returned when the module goes; a load that finds no room is counted.
TEST_P(CodeSpaceTest, CachedModuleCodeIsReclaimed) {
  Engine engine(config_for(GetParam()));
  if (engine.jit_backend() == nullptr) GTEST_SKIP() << "no tier 1 on this host";
  const size_t baseline = engine.code_space().used_bytes;
  Result<std::vector<uint8_t>> bytes = Error{};
  {
    auto mod = compile_bytes(engine, adder_module(4, 200));
    ASSERT_TRUE(mod.ok());
    bytes = serialize_module(engine, *mod.value());
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  }
  EXPECT_EQ(engine.code_space().used_bytes, baseline);
  const uint64_t compiled = engine.tier_stats().compiled;
  for (int round = 0; round < 40; ++round) {
    auto mod = deserialize_module(engine, bytes.value().data(), bytes.value().size());
    ASSERT_TRUE(mod.ok()) << "round " << round << ": " << mod.error().to_string();
    EXPECT_GT(engine.code_space().used_bytes, baseline);
    Store store(engine);
    auto inst = store.instantiate(mod.value(), {});
    ASSERT_TRUE(inst.ok());
    EXPECT_EQ(call_i32(store, inst.value(), "f2", 9), adder_result(9, 2, 200));
  }
  EXPECT_EQ(engine.tier_stats().compiled, compiled);  // loaded, never compiled again
  EXPECT_EQ(engine.code_space().used_bytes, baseline);
  // Fill the space with live modules: then a load finds no room, and is counted.
  std::vector<std::shared_ptr<const Module>> held;
  const Bytes small = adder_module(1, 20);
  for (;;) {
    auto mod = compile_bytes(engine, small);
    if (!mod) break;
    held.push_back(mod.value());
    ASSERT_LT(held.size(), 10000u);
  }
  const uint64_t exhausted = engine.code_space().exhausted;
  auto full = deserialize_module(engine, bytes.value().data(), bytes.value().size());
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().kind, ErrorKind::LimitExceeded);
  EXPECT_EQ(engine.code_space().exhausted, exhausted + 1);
  held.clear();
  EXPECT_EQ(engine.code_space().used_bytes, baseline);
  EXPECT_TRUE(deserialize_module(engine, bytes.value().data(), bytes.value().size()).ok());
}

// compile() under Jit writes a module's code to the arena's file in a few
// large writes (jit::CodeBatch). When the file cannot take it (here: a file
// size limit; on a node, no memory), compile() fails with an error instead
// of returning code that is not there, and a later compile works.
// Runs in the death test's child: exits with 0 if all went as said, or with
// the number of the check that failed.
[[noreturn]] void compile_past_a_file_size_limit(const std::string& tier) {
  Engine engine(config_for(tier));
  if (engine.jit_backend() == nullptr) std::_Exit(0);
  const Bytes bytes = adder_module(4, 1000);  // about 18 KB of code
  std::signal(SIGXFSZ, SIG_IGN);              // a write past the limit fails with EFBIG
  rlimit old{};
  if (getrlimit(RLIMIT_FSIZE, &old) != 0) std::_Exit(10);
  const rlimit low{4096, old.rlim_max};
  if (setrlimit(RLIMIT_FSIZE, &low) != 0) std::_Exit(11);
  auto failed = compile_bytes(engine, bytes);
  if (failed.ok()) std::_Exit(12);
  if (failed.error().kind != ErrorKind::LimitExceeded) std::_Exit(13);
  if (failed.error().message != "JIT code could not be written (out of memory)") std::_Exit(14);
  if (setrlimit(RLIMIT_FSIZE, &old) != 0) std::_Exit(15);
  auto mod = compile_bytes(engine, bytes);
  if (!mod.ok()) std::_Exit(16);
  Store store(engine);
  auto inst = store.instantiate(mod.value(), {});
  if (!inst.ok()) std::_Exit(17);
  Func* f = inst.value()->find_export("f3").as_func();
  CallResult r = store.call(f, {Value::i32(9)});
  if (!r.ok() || r.results[0].as_i32() != adder_result(9, 3, 1000)) std::_Exit(18);
  std::_Exit(0);
}

TEST_P(CodeSpaceTest, CodeThatCannotBeWrittenFailsCompile) {
  // Forked, not re-executed: the test process has no other thread yet (the
  // child makes the engine), and a re-execution fails under qemu-user.
  GTEST_FLAG_SET(death_test_style, "fast");
  EXPECT_EXIT(compile_past_a_file_size_limit(GetParam()), ::testing::ExitedWithCode(0), "");
}

INSTANTIATE_TEST_SUITE_P(Tiers, CodeSpaceTest, ::testing::Values("jit", "jit-explicit-bounds"),
                         tier_name);

// Under Auto a full space leaves the function in tier 0, still correct, and counted.
TEST(CodeSpaceAutoTest, FullSpaceStaysInTier0AndIsCounted) {
  Engine engine(config_for("auto"));
  if (engine.jit_backend() == nullptr) GTEST_SKIP() << "no tier 1 on this host";
  auto mod = compile_bytes(engine, adder_module(40, 400));
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  Store store(engine);
  auto inst = store.instantiate(mod.value(), {});
  ASSERT_TRUE(inst.ok());
  for (uint32_t k = 0; k < 40; ++k)
    for (int i = 0; i < 4; ++i)
      ASSERT_EQ(call_i32(store, inst.value(), "f" + std::to_string(k), 1), adder_result(1, k, 400));
  EXPECT_GE(engine.code_space().exhausted, 1u);
  EXPECT_GT(engine.tier_stats().compiled, 0u);
  EXPECT_EQ(engine.tier_stats().unsupported, 0u);  // a full space is not "unsupported"
}

// Background compiles allocate while the main thread drops modules.
TEST(CodeSpaceAutoTest, BackgroundCompilesWhileModulesAreDropped) {
  Engine engine(config_for("auto-background"));
  if (engine.jit_backend() == nullptr) GTEST_SKIP() << "no tier 1 on this host";
  const size_t baseline = engine.code_space().used_bytes;
  const Bytes bytes = adder_module(4, 200);
  for (int round = 0; round < 60; ++round) {
    auto mod = compile_bytes(engine, bytes);
    ASSERT_TRUE(mod.ok());
    Store store(engine);
    auto inst = store.instantiate(mod.value(), {});
    ASSERT_TRUE(inst.ok());
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(call_i32(store, inst.value(), "f1", 2), adder_result(2, 1, 200));
  }
  engine.background_compiler()->drain();
  EXPECT_EQ(engine.code_space().used_bytes, baseline);
  EXPECT_GT(engine.tier_stats().compiled, 0u);
}

// A module may outlive its engine: its code and types stay valid until it goes.
TEST(CodeSpaceAutoTest, ModuleOutlivesEngine) {
  std::shared_ptr<const Module> kept;
  {
    Engine engine(config_for("jit"));
    auto mod = compile_bytes(engine, adder_module(2, 20));
    ASSERT_TRUE(mod.ok());
    kept = mod.value();
  }
  kept.reset();  // releases code and types into the arena and registry it kept alive
}

// ---- the type registry, on every tier

const std::vector<std::string> kTiers{"interp", "interp-explicit-bounds", "jit",
                                      "jit-explicit-bounds", "auto", "auto-background"};

/// A module with `count` distinct function types (none used), numbered from
/// `first`: type n has the params that spell n in base 4 over {i32, i64, f32, f64}.
Bytes many_types_module(uint32_t first, uint32_t count) {
  ModuleBuilder m;
  constexpr ValType kDigits[] = {ValType::I32, ValType::I64, ValType::F32, ValType::F64};
  for (uint32_t n = first; n < first + count; ++n) {
    std::vector<ValType> params;
    for (uint32_t v = n + 1; v != 0; v /= 4) params.push_back(kDigits[v % 4]);
    m.add_type(params, {ValType::F64, ValType::I32});
  }
  return m.build();
}

class TypeRegistryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TypeRegistryTest, DroppedModulesReleaseTheirTypes) {
  Engine engine(config_for(GetParam(), jit::CodeArena::kDefaultSize));
  const size_t baseline = engine.live_types();
  for (uint32_t round = 0; round < 5; ++round) {
    auto mod = compile_bytes(engine, many_types_module(round * 3000, 3000));
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    EXPECT_EQ(engine.live_types(), baseline + 3000);
  }
  EXPECT_EQ(engine.live_types(), baseline);
  // Two modules sharing a type: it lives until the last one goes.
  auto a = compile_bytes(engine, many_types_module(0, 10));
  auto b = compile_bytes(engine, many_types_module(5, 10));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(engine.live_types(), baseline + 15);
  a = Error{};
  EXPECT_EQ(engine.live_types(), baseline + 10);
  b = Error{};
  EXPECT_EQ(engine.live_types(), baseline);
}

// After ids were freed and reused, type checks still tell types apart: a
// host function keeps its type's id, modules with new types get other ids.
TEST_P(TypeRegistryTest, ReusedIdsKeepCallIndirectAndLinkingRight) {
  Engine engine(config_for(GetParam(), jit::CodeArena::kDefaultSize));
  Store store(engine);
  // (i64) -> i64, made before the churn: its id must never go to another type.
  Func* host = store.create_host_func(
      FuncType{{ValType::I64}, {ValType::I64}},
      [](HostCall&, const Value* args, Value* results) {
        results[0] = Value::i64(args[0].as_i64() * 3);
        return TrapKind::None;
      },
      nullptr);
  for (uint32_t round = 0; round < 4; ++round) {
    auto mod = compile_bytes(engine, many_types_module(round * 500, 500));
    ASSERT_TRUE(mod.ok());
  }
  EXPECT_EQ(engine.live_types(), 1u);

  // Fresh types now take reused ids. The module imports the host function
  // and puts it next to its own (i32) -> i32 function in a table.
  ModuleBuilder m;
  const uint32_t t_host = m.type({ValType::I64}, {ValType::I64});
  const uint32_t t_own = m.type({ValType::I32}, {ValType::I32});
  const uint32_t t_other = m.type({ValType::F32, ValType::F64, ValType::I64}, {});
  const uint32_t imported = m.add_import_func("env", "triple", t_host);
  Code own;
  own.local_get(0).i32_const(1).op(Opcode::I32Add);
  const uint32_t own_index = m.add_func(t_own, {}, own);
  m.add_table(ValType::FuncRef, 2);
  m.add_elem(0, 0, {imported, own_index});
  Code via_host;  // call_indirect slot 0 as (i64) -> i64
  via_host.i64_const(5).i32_const(0).call_indirect(t_host);
  m.export_func("via_host", m.add_func(m.type({}, {ValType::I64}), {}, via_host));
  Code host_as_own;  // slot 0 as (i32) -> i32: a mismatch
  host_as_own.i32_const(5).i32_const(0).call_indirect(t_own);
  m.export_func("host_as_own", m.add_func(m.type({}, {ValType::I32}), {}, host_as_own));
  Code own_ok;  // slot 1 as (i32) -> i32
  own_ok.i32_const(5).i32_const(1).call_indirect(t_own);
  m.export_func("own_ok", m.add_func(m.type({}, {ValType::I32}), {}, own_ok));
  Code own_as_other;  // slot 1 as a type no function has
  own_as_other.f32_const(1).f64_const(2).i64_const(3).i32_const(1).call_indirect(t_other);
  m.export_func("own_as_other", m.add_func(m.type({}, {}), {}, own_as_other));
  const Bytes bytes = m.build();
  auto mod = compile_bytes(engine, bytes);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  auto inst = store.instantiate(mod.value(), {Extern::func(host)});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto run = [&](const char* name) {
    return store.call(inst.value()->find_export(name).as_func(), {});
  };
  for (int i = 0; i < 3; ++i) {  // into tier 1 under auto
    CallResult r = run("via_host");
    ASSERT_TRUE(r.ok()) << trap_message(r.trap);
    EXPECT_EQ(r.results[0].as_i64(), 15u);
    EXPECT_EQ(run("host_as_own").trap, TrapKind::IndirectCallTypeMismatch);
    r = run("own_ok");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.results[0].as_i32(), 6u);
    EXPECT_EQ(run("own_as_other").trap, TrapKind::IndirectCallTypeMismatch);
  }

  // Linking compares ids too: the host function does not satisfy an import of
  // a type that took a reused id, and does satisfy its own.
  ModuleBuilder wrong;
  wrong.add_import_func("env", "f", wrong.type({ValType::F32, ValType::F64, ValType::I64}, {}));
  const Bytes wrong_bytes = wrong.build();
  auto wrong_mod = compile_bytes(engine, wrong_bytes);
  ASSERT_TRUE(wrong_mod.ok());
  auto bad = store.instantiate(wrong_mod.value(), {Extern::func(host)});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Unlinkable);
}

INSTANTIATE_TEST_SUITE_P(Tiers, TypeRegistryTest, ::testing::ValuesIn(kTiers),
                         tier_name);

}  // namespace
}  // namespace wvm
