// The C++ embedding API a host lives with: host functions that are lambdas
// with state, host traps with their own message, a Linker that binds imports
// by name and names what is missing, calls with wrong arguments that say
// which one and why, and the start function's trap outcome. Every tier.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "wvm/linker.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

class EmbeddingApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    Config c;
    apply_tier(c, GetParam());
    engine_ = std::make_unique<Engine>(c);
    store_ = std::make_unique<Store>(*engine_);
  }
  std::shared_ptr<const Module> compile_ok(const Bytes& bytes) {
    auto mod = compile(*engine_, bytes.data(), bytes.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    return mod ? mod.value() : nullptr;
  }

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
};

// A module importing env.step (i32) -> i32, exporting run(x) = step(step(x)) + 1
// through two wasm frames, and a loop that calls step n times.
Bytes stepper_module() {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I32});
  const uint32_t step = m.add_import_func("env", "step", t);
  const uint32_t inner = m.add_func(t, {}, Code().local_get(0).call(step).call(step));
  const uint32_t run =
      m.add_func(t, {}, Code().local_get(0).call(inner).i32_const(1).op(Opcode::I32Add));
  m.export_func("run", run);
  return m.build();
}

TEST_P(EmbeddingApiTest, LambdaHostFunctionsKeepTheirOwnState) {
  auto mod = compile_ok(stepper_module());
  ASSERT_TRUE(mod);
  // Two stores' worth of closures: each captures its own counter and offset.
  auto counter = std::make_shared<int>(0);
  const uint32_t offset = 10;
  Func* step = store_->create_host_func(
      FuncType{{ValType::I32}, {ValType::I32}},
      [counter, offset](HostCall&, const Value* args, Value* results) {
        ++*counter;
        results[0] = Value::i32(args[0].as_i32() + offset);
        return TrapKind::None;
      });
  auto inst = store_->instantiate(mod, {Extern::func(step)});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  Func* run = inst.value()->find_export("run").as_func();
  for (uint32_t i = 0; i < 5; ++i) {
    CallResult r = store_->call(run, {Value::i32(i)});
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.results[0].as_i32(), i + 2 * offset + 1);
  }
  EXPECT_EQ(*counter, 10);
  // The store owns the closure (and its captured state) until it dies.
  EXPECT_EQ(counter.use_count(), 2);
  store_.reset();
  EXPECT_EQ(counter.use_count(), 1);
}

TEST_P(EmbeddingApiTest, AHostTrapCarriesItsMessageThroughWasmFrames) {
  auto mod = compile_ok(stepper_module());
  ASSERT_TRUE(mod);
  int calls = 0;
  Func* step = store_->create_host_func(
      FuncType{{ValType::I32}, {ValType::I32}},
      [&calls](HostCall& call, const Value* args, Value* results) {
        if (++calls == 2) return call.trap("step refused " + std::to_string(args[0].as_i32()));
        results[0] = args[0];
        return TrapKind::None;
      });
  auto inst = store_->instantiate(mod, {Extern::func(step)});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  Func* run = inst.value()->find_export("run").as_func();
  CallResult r = store_->call(run, {Value::i32(7)});
  EXPECT_EQ(r.trap, TrapKind::HostError);
  EXPECT_EQ(r.message, "step refused 7");
  // The trace starts at the wasm function that called the host: inner, then run.
  ASSERT_EQ(r.trace.size(), 2u);
  EXPECT_EQ(r.trace[0].func_index, 1u);
  EXPECT_EQ(r.trace[1].func_index, 2u);
  // The message belongs to that call only: the next one succeeds with none.
  CallResult ok = store_->call(run, {Value::i32(7)});
  ASSERT_TRUE(ok.ok()) << ok.message;
  EXPECT_EQ(ok.results[0].as_i32(), 8u);
  EXPECT_TRUE(ok.message.empty());
}

TEST_P(EmbeddingApiTest, OtherTrapsSayWhatTheSpecSays) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I32});
  m.export_func("div", m.add_func(t, {}, Code().i32_const(1).local_get(0).op(Opcode::I32DivU)));
  auto mod = compile_ok(m.build());
  ASSERT_TRUE(mod);
  auto inst = store_->instantiate(mod, {});
  ASSERT_TRUE(inst.ok());
  CallResult r = store_->call(inst.value()->find_export("div").as_func(), {Value::i32(0)});
  EXPECT_EQ(r.trap, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(r.message, "integer divide by zero");
  // A host function that returns HostError without a message of its own.
  Func* bare = store_->create_host_func(
      FuncType{{}, {}}, [](HostCall&, const Value*, Value*) { return TrapKind::HostError; });
  CallResult h = store_->call(bare, {});
  EXPECT_EQ(h.trap, TrapKind::HostError);
  EXPECT_EQ(h.message, trap_message(TrapKind::HostError));
  // Called directly by the embedder, a host function's message comes back too.
  Func* direct = store_->create_host_func(
      FuncType{{}, {}}, [](HostCall& call, const Value*, Value*) { return call.trap("direct"); });
  EXPECT_EQ(store_->call(direct, {}).message, "direct");
}

TEST_P(EmbeddingApiTest, WrongArgumentsSayWhichAndWhy) {
  auto mod = compile_ok(stepper_module());
  ASSERT_TRUE(mod);
  Func* step = store_->create_host_func(
      FuncType{{ValType::I32}, {ValType::I32}},
      [](HostCall&, const Value* args, Value* results) {
        results[0] = args[0];
        return TrapKind::None;
      });
  auto inst = store_->instantiate(mod, {Extern::func(step)});
  ASSERT_TRUE(inst.ok());
  Func* run = inst.value()->find_export("run").as_func();
  CallResult few = store_->call(run, {});
  EXPECT_EQ(few.trap, TrapKind::HostError);
  EXPECT_EQ(few.message, "wrong number of arguments: the function takes 1, the call passed 0");
  CallResult typed = store_->call(run, {Value::i64(1)});
  EXPECT_EQ(typed.trap, TrapKind::HostError);
  EXPECT_EQ(typed.message, "argument 0 is i64, the function's parameter 0 is i32");
  EXPECT_TRUE(typed.trace.empty());
}

TEST_P(EmbeddingApiTest, LinkerBindsByNameAndNamesWhatIsMissing) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I32});
  const uint32_t add = m.add_import_func("math", "add1", t);
  const uint32_t dbl = m.add_import_func("math", "double", t);
  m.add_import_global("env", "base", I32, false);
  m.export_func("f", m.add_func(t, {}, Code().local_get(0).call(add).call(dbl).global_get(0)
                                          .op(Opcode::I32Add)));
  auto mod = compile_ok(m.build());
  ASSERT_TRUE(mod);

  Linker linker;
  const FuncType i32_i32{{ValType::I32}, {ValType::I32}};
  linker.define_func(*store_, "math", "add1", i32_i32, [](HostCall&, const Value* a, Value* r) {
    r[0] = Value::i32(a[0].as_i32() + 1);
    return TrapKind::None;
  });
  auto missing = linker.instantiate(*store_, mod);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::Unlinkable);
  EXPECT_EQ(missing.error().message,
            "unknown imports \"math\".\"double\" (func (i32) -> (i32)); \"env\".\"base\" (global)"
            " (the linker defines 1 name)");

  // A definition of the wrong kind is named as such.
  linker.define("math", "double", Extern::global(store_->create_global({ValType::I32, false},
                                                                      Value::i32(0))));
  auto wrong_kind = linker.resolve(*mod);
  ASSERT_FALSE(wrong_kind.ok());
  EXPECT_NE(wrong_kind.error().message.find("\"math\".\"double\" (func (i32) -> (i32)) is defined"
                                            " as a global"),
            std::string::npos)
      << wrong_kind.error().message;

  // Definitions given in any order bind by name; a later one replaces an earlier one.
  linker.define("env", "base", Extern::global(store_->create_global({ValType::I32, false},
                                                                    Value::i32(100))));
  linker.define_func(*store_, "math", "double", i32_i32, [](HostCall&, const Value* a, Value* r) {
    r[0] = Value::i32(a[0].as_i32() * 2);
    return TrapKind::None;
  });
  auto inst = linker.instantiate(*store_, mod);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  CallResult r = store_->call(inst.value()->find_export("f").as_func(), {Value::i32(4)});
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.results[0].as_i32(), (4u + 1) * 2 + 100);

  // An instance's exports become definitions for the next module.
  Linker second;
  second.define_instance("first", *inst.value());
  EXPECT_EQ(second.find("first", "f").kind, ExternKind::Func);
  EXPECT_EQ(second.find("first", "f").as_func(), inst.value()->find_export("f").as_func());
  EXPECT_EQ(second.find("first", "g").ptr, nullptr);
  EXPECT_EQ(second.find("firs", "tf").ptr, nullptr);  // names do not run together
}

TEST_P(EmbeddingApiTest, TypeMismatchedImportNamesBothSignatures) {
  auto mod = compile_ok(stepper_module());
  ASSERT_TRUE(mod);
  Func* wrong = store_->create_host_func(
      FuncType{{ValType::I64}, {}}, [](HostCall&, const Value*, Value*) { return TrapKind::None; });
  auto inst = store_->instantiate(mod, {Extern::func(wrong)});
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().message,
            "incompatible import type for \"env\".\"step\" (func: expected (i32) -> (i32), got "
            "(i64) -> ())");
}

TEST_P(EmbeddingApiTest, AStartTrapHandsBackItsOutcome) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({}, {});
  const uint32_t host = m.add_import_func("env", "fail", t);
  const uint32_t start = m.add_func(t, {}, Code().call(host));
  m.set_start(start);
  auto mod = compile_ok(m.build());
  ASSERT_TRUE(mod);
  Func* fail = store_->create_host_func(
      FuncType{{}, {}}, [](HostCall& call, const Value*, Value*) { return call.trap("no start"); });
  CallResult outcome;
  auto inst = store_->instantiate(mod, {Extern::func(fail)}, &outcome);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(inst.error().message, "start function: no start");
  EXPECT_EQ(outcome.trap, TrapKind::HostError);
  EXPECT_EQ(outcome.message, "no start");
  ASSERT_EQ(outcome.trace.size(), 1u);
  EXPECT_EQ(outcome.trace[0].func_index, start);
}

INSTANTIATE_TEST_SUITE_P(Tiers, EmbeddingApiTest,
                         ::testing::Values("interp", "interp-explicit-bounds", "jit",
                                           "jit-explicit-bounds", "auto"));

}  // namespace
}  // namespace wvm
