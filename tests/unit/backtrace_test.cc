// Traps carry a wasm backtrace (CallResult::trace): f0 -> f1 -> f2 where f2
// traps in every way a trap can happen, on every tier; and the "name"
// section parser that gives frames their names.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "module/name_section.h"
#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

// ---- the name section parser

Bytes name_map(const std::vector<std::pair<uint32_t, std::string>>& names) {
  Bytes m;
  put_u32(m, names.size());
  for (const auto& [index, name] : names) {
    put_u32(m, index);
    put_name(m, name);
  }
  return m;
}

Bytes subsection(uint8_t id, const Bytes& contents) {
  Bytes s{id};
  put_u32(s, contents.size());
  s.insert(s.end(), contents.begin(), contents.end());
  return s;
}

std::vector<std::string> parse(const Bytes& section, uint32_t num_funcs) {
  std::vector<std::string> out;
  for (const FuncName& n : parse_function_names(section.data(), 0, section.size(), num_funcs))
    out.push_back(std::to_string(n.func_index) + "=" +
                  std::string(section.begin() + n.name_start,
                              section.begin() + n.name_start + n.name_size));
  return out;
}

TEST(NameSection, FunctionNamesAfterAModuleName) {
  Bytes s = subsection(0, Bytes{3, 'm', 'o', 'd'});
  const Bytes funcs = subsection(1, name_map({{0, "main"}, {2, "panic"}}));
  s.insert(s.end(), funcs.begin(), funcs.end());
  const Bytes locals = subsection(2, Bytes{0});
  s.insert(s.end(), locals.begin(), locals.end());
  EXPECT_EQ(parse(s, 3), (std::vector<std::string>{"0=main", "2=panic"}));
}

TEST(NameSection, MalformedSectionsGiveNoNames) {
  const Bytes good = subsection(1, name_map({{0, "a"}, {1, "b"}}));
  EXPECT_EQ(parse(good, 2).size(), 2u);
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_TRUE(parse(truncated, 2).empty());
  EXPECT_TRUE(parse(subsection(1, name_map({{1, "b"}, {0, "a"}})), 2).empty());  // order
  EXPECT_TRUE(parse(subsection(1, name_map({{0, "a"}, {0, "b"}})), 2).empty());  // duplicate
  EXPECT_TRUE(parse(subsection(1, name_map({{0, "a"}, {2, "c"}})), 2).empty());  // range
  Bytes overrun = good;
  overrun[1] = static_cast<uint8_t>(overrun[1] + 1);  // subsection longer than the section
  EXPECT_TRUE(parse(overrun, 2).empty());
  Bytes trailing = subsection(1, [] {
    Bytes m = name_map({{0, "a"}});
    m.push_back(0);  // a byte after the map inside the subsection
    return m;
  }());
  EXPECT_TRUE(parse(trailing, 2).empty());
  Bytes twice = good;
  twice.insert(twice.end(), good.begin(), good.end());  // subsection 1 twice
  EXPECT_TRUE(parse(twice, 2).empty());
  Bytes huge_count{1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f};
  EXPECT_TRUE(parse(huge_count, 2).empty());
}

TEST(NameSection, ModuleKeepsNamesAndIgnoresABadSection) {
  Engine engine(Config{});
  auto build = [](const Bytes& names) {
    ModuleBuilder m;
    const uint32_t t = m.add_type({}, {});
    m.add_func(t, {}, Code());
    m.add_func(t, {}, Code());
    m.add_custom_section("name", names);
    return m.build();
  };
  const Bytes good = build(subsection(1, name_map({{1, "second"}})));
  auto mod = compile(engine, good.data(), good.size());
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  EXPECT_EQ(mod.value()->func_name(0), "");
  EXPECT_EQ(mod.value()->func_name(1), "second");
  EXPECT_EQ(mod.value()->func_name(7), "");
  // The code section's contents start with its function count.
  const Module& m = *mod.value();
  ASSERT_NE(m.code_section_start, 0u);
  EXPECT_EQ(m.bytes[m.code_section_start], 2);
  EXPECT_EQ(m.bytes[m.code_section_start - 2], 10);  // id 10, then a one-byte size

  const Bytes bad = build(subsection(1, name_map({{5, "nope"}})));
  auto bad_mod = compile(engine, bad.data(), bad.size());
  ASSERT_TRUE(bad_mod.ok()) << bad_mod.error().to_string();
  EXPECT_TRUE(bad_mod.value()->func_names.empty());
}

// ---- traces

const std::vector<std::string> kTiers{"interp", "interp-explicit-bounds", "jit",
                                      "jit-explicit-bounds", "auto"};

constexpr uint32_t kHost = 0, kF0 = 1, kF1 = 2, kF2 = 3;

TrapKind host_boom(HostCall&, const Value*, Value*) { return TrapKind::HostError; }

class BacktraceTest : public ::testing::TestWithParam<std::string> {
 protected:
  Config config() const {
    Config c;
    apply_tier(c, GetParam());
    c.tiers.tier_up_threshold = 1;
    return c;
  }

  // f0 calls f1, f1 calls f2, f2 runs `prefix` then `trap` (and `suffix`).
  // Records the module byte offset of each call and of `trap`.
  void build(const Code& prefix, const Code& trap, const Code& suffix = Code()) {
    const uint32_t t = m_.add_type({}, {});
    const uint32_t t_i32 = m_.add_type({}, {I32});
    m_.add_import_func("env", "boom", t);
    Code c0, c1, c2;
    c0.call(kF1);
    c1.call(kF2);
    c2.append(prefix).append(trap).append(suffix);
    m_.add_func(t, {}, c0);
    m_.add_func(t, {}, c1);
    m_.add_func(t, {}, c2);
    m_.add_memory(1);
    m_.add_table(FuncRef, 1);
    m_.add_elem(0, 0, {kF0});
    (void)t_i32;
    m_.export_func("f0", kF0);
    m_.add_custom_section("name", subsection(1, name_map({{kF0, "f0"}, {kF1, "f1"}, {kF2, "f2"}})));
    bytes_ = m_.build();
    // Each body starts with its (empty) local declarations: one byte.
    call01_ = static_cast<uint32_t>(m_.body_range(0).first) + 1;
    call12_ = static_cast<uint32_t>(m_.body_range(1).first) + 1;
    trap_at_ = static_cast<uint32_t>(m_.body_range(2).first + 1 + prefix.size());
  }

  CallResult run(Config c) {
    engine_ = std::make_unique<Engine>(c);
    store_ = std::make_unique<Store>(*engine_);
    auto mod = compile(*engine_, bytes_.data(), bytes_.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    if (!mod) return {};
    module_ = mod.value();
    Func* boom = store_->create_host_func(FuncType{{}, {}}, host_boom, nullptr);
    auto inst = store_->instantiate(module_, {Extern::func(boom)});
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    if (!inst) return {};
    if (c.metering.enabled) store_->set_gas_limit(10'000);
    return store_->call(inst.value()->find_export("f0").as_func(), {});
  }
  CallResult run() { return run(config()); }

  // The trace must be f2 at the trap, f1 at its call, f0 at its call.
  void expect_trace(const CallResult& r, TrapKind kind) {
    EXPECT_EQ(r.trap, kind) << trap_message(r.trap);
    const std::vector<TraceFrame> want{{module_.get(), kF2, trap_at_},
                                       {module_.get(), kF1, call12_},
                                       {module_.get(), kF0, call01_}};
    expect_frames(r, want, 0);
  }
  void expect_frames(const CallResult& r, const std::vector<TraceFrame>& want, uint32_t omitted) {
    ASSERT_EQ(r.trace.size(), want.size());
    EXPECT_EQ(r.trace_omitted, omitted);
    for (size_t i = 0; i < want.size(); ++i) {
      const TraceFrame& got = r.trace[i];
      EXPECT_EQ(got.module, want[i].module) << "frame " << i;
      EXPECT_EQ(got.func_index, want[i].func_index) << "frame " << i;
      EXPECT_EQ(got.offset, want[i].offset) << "frame " << i;
    }
  }

  ModuleBuilder m_;
  Bytes bytes_;
  uint32_t call01_ = 0, call12_ = 0, trap_at_ = 0;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
  std::shared_ptr<const Module> module_;
};

TEST_P(BacktraceTest, Unreachable) {
  build(Code(), Code().unreachable());
  expect_trace(run(), TrapKind::Unreachable);
  EXPECT_EQ(module_->func_name(kF2), "f2");
}

TEST_P(BacktraceTest, DivideByZero) {
  build(Code().i32_const(1).i32_const(0), Code().op(Opcode::I32DivS), Code().drop());
  expect_trace(run(), TrapKind::IntegerDivideByZero);
}

TEST_P(BacktraceTest, DivideByZeroFromLocals) {
  // The divisor from the stack, not a constant: no superinstruction.
  build(Code().i32_const(1).i32_const(0).i32_const(0).op(Opcode::I32Add),
        Code().op(Opcode::I32RemU), Code().drop());
  expect_trace(run(), TrapKind::IntegerDivideByZero);
}

TEST_P(BacktraceTest, OutOfBoundsLoad) {
  build(Code().i32_const(0x10000), Code().load(Opcode::I32Load, 2), Code().drop());
  expect_trace(run(), TrapKind::MemoryOutOfBounds);
}

TEST_P(BacktraceTest, OutOfBoundsStore) {
  build(Code().i32_const(-4).i64_const(1), Code().store(Opcode::I64Store, 3));
  expect_trace(run(), TrapKind::MemoryOutOfBounds);
}

TEST_P(BacktraceTest, IndirectCallTypeMismatch) {
  // Type 1 is () -> i32; the table's element f0 is () -> ().
  build(Code().i32_const(0), Code().call_indirect(1), Code().drop());
  expect_trace(run(), TrapKind::IndirectCallTypeMismatch);
}

TEST_P(BacktraceTest, HostFunctionTrap) {
  build(Code(), Code().call(kHost));
  expect_trace(run(), TrapKind::HostError);
}

TEST_P(BacktraceTest, OutOfGas) {
  // The back-edge's charge runs out: the trap is at the `br`.
  build(Code().loop(), Code().br(0), Code().end());
  Config c = config();
  c.metering.enabled = true;
  const CallResult r = run(c);
  EXPECT_EQ(r.trap, TrapKind::OutOfGas);
  expect_trace(r, TrapKind::OutOfGas);
}

TEST_P(BacktraceTest, StackExhaustionIsCapped) {
  build(Code(), Code().call(kF2));  // f2 recurses
  Config c = config();
  c.runtime_limits.max_call_depth = 100;
  const CallResult r = run(c);
  EXPECT_EQ(r.trap, TrapKind::CallStackExhausted);
  // Levels 1..100: f0, f1, then 98 frames of f2, the innermost at its call.
  std::vector<TraceFrame> want(kMaxTraceFrames, TraceFrame{module_.get(), kF2, trap_at_});
  expect_frames(r, want, 100 - kMaxTraceFrames);
}

TEST_P(BacktraceTest, NoTraceWithoutTrap) {
  build(Code(), Code().nop());
  const CallResult r = run();
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.trace.empty());
}

TEST_P(BacktraceTest, CachedModuleKeepsItsTrace) {
  build(Code().i32_const(1).i32_const(0), Code().op(Opcode::I32DivU), Code().drop());
  Engine engine(config());
  auto mod = compile(engine, bytes_.data(), bytes_.size());
  ASSERT_TRUE(mod.ok());
  auto bytes = serialize_module(engine, *mod.value());
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto loaded = deserialize_module(engine, bytes.value().data(), bytes.value().size());
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  module_ = loaded.value();
  Store store(engine);
  Func* boom = store.create_host_func(FuncType{{}, {}}, host_boom, nullptr);
  auto inst = store.instantiate(module_, {Extern::func(boom)});
  ASSERT_TRUE(inst.ok());
  expect_trace(store.call(inst.value()->find_export("f0").as_func(), {}),
               TrapKind::IntegerDivideByZero);
  EXPECT_EQ(module_->func_name(kF1), "f1");
}

TEST_P(BacktraceTest, MixedTiers) {
  // f0(p) -> f1(p) -> f2 only when p != 0; f2 traps. Calling f1(0) first
  // compiles f1 under policy auto (threshold 2) but leaves f0 and f2 in
  // tier 0: the trace crosses tier 0 -> tier 1 -> tier 0.
  const uint32_t t = m_.add_type({I32}, {});
  m_.add_import_func("env", "boom", m_.add_type({}, {}));
  Code c0, c1, c2;
  c0.local_get(0);
  const uint32_t call01 = static_cast<uint32_t>(c0.size());
  c0.call(kF1);
  c1.local_get(0).if_().local_get(0);
  const uint32_t call12 = static_cast<uint32_t>(c1.size());
  c1.call(kF2).end();
  c2.unreachable();
  m_.add_func(t, {}, c0);
  m_.add_func(t, {}, c1);
  m_.add_func(t, {}, c2);
  m_.export_func("f0", kF0);
  m_.export_func("f1", kF1);
  bytes_ = m_.build();
  Config c = config();
  c.tiers.tier_up_threshold = 2;
  engine_ = std::make_unique<Engine>(c);
  store_ = std::make_unique<Store>(*engine_);
  auto mod = compile(*engine_, bytes_.data(), bytes_.size());
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  module_ = mod.value();
  Func* boom = store_->create_host_func(FuncType{{}, {}}, host_boom, nullptr);
  auto inst = store_->instantiate(module_, {Extern::func(boom)});
  ASSERT_TRUE(inst.ok());
  Func* f1 = inst.value()->find_export("f1").as_func();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store_->call(f1, {Value::i32(0)}).ok());
  const CallResult r = store_->call(inst.value()->find_export("f0").as_func(), {Value::i32(1)});
  EXPECT_EQ(r.trap, TrapKind::Unreachable);
  if (GetParam() == "auto" && engine_->jit_backend() != nullptr) {  // the mix this test is about
    EXPECT_EQ(module_->code[0]->jit_entry.load(), nullptr);
    EXPECT_NE(module_->code[1]->jit_entry.load(), nullptr);
    EXPECT_EQ(module_->code[2]->jit_entry.load(), nullptr);
  }
  const auto at = [&](uint32_t defined, uint32_t pos) {
    return static_cast<uint32_t>(m_.body_range(defined).first) + 1 + pos;
  };
  expect_frames(r,
                {{module_.get(), kF2, at(2, 0)},
                 {module_.get(), kF1, at(1, call12)},
                 {module_.get(), kF0, at(0, call01)}},
                0);
}

TEST_P(BacktraceTest, AcrossModules) {
  // Module B's function traps; module A calls it through an import.
  ModuleBuilder b;
  const uint32_t tb = b.add_type({}, {});
  b.add_func(tb, {}, Code().nop().unreachable());
  b.export_func("boom", 0);
  const Bytes b_bytes = b.build();
  ModuleBuilder a;
  const uint32_t ta = a.add_type({}, {});
  a.add_import_func("b", "boom", ta);
  a.add_func(ta, {}, Code().nop().call(0));
  a.export_func("run", 1);
  const Bytes a_bytes = a.build();

  engine_ = std::make_unique<Engine>(config());
  store_ = std::make_unique<Store>(*engine_);
  auto mod_b = compile(*engine_, b_bytes.data(), b_bytes.size());
  auto mod_a = compile(*engine_, a_bytes.data(), a_bytes.size());
  ASSERT_TRUE(mod_a.ok() && mod_b.ok());
  auto inst_b = store_->instantiate(mod_b.value(), {});
  ASSERT_TRUE(inst_b.ok());
  auto inst_a = store_->instantiate(mod_a.value(), {inst_b.value()->find_export("boom")});
  ASSERT_TRUE(inst_a.ok());
  const CallResult r = store_->call(inst_a.value()->find_export("run").as_func(), {});
  EXPECT_EQ(r.trap, TrapKind::Unreachable);
  expect_frames(r,
                {{mod_b.value().get(), 0, static_cast<uint32_t>(b.body_range(0).first) + 2},
                 {mod_a.value().get(), 1, static_cast<uint32_t>(a.body_range(0).first) + 2}},
                0);
}

INSTANTIATE_TEST_SUITE_P(Tiers, BacktraceTest, ::testing::ValuesIn(kTiers),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace wvm
