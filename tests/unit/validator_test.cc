// Validation of function bodies (and a few module-level rules they depend on):
// each invalid module must be rejected with the right kind and an offset that
// points into the offending function body.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

class ValidatorTest : public ::testing::Test {
 protected:
  Engine engine;

  Result<void> validate_bytes(const Bytes& b) { return wvm::validate(engine, b.data(), b.size()); }

  void expect_valid(const ModuleBuilder& m) {
    const Bytes b = m.build();
    auto r = validate_bytes(b);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    auto c = wvm::compile(engine, b.data(), b.size());
    EXPECT_TRUE(c.ok()) << c.error().to_string();
  }

  /// Expects rejection with one of `kinds` at an offset inside defined
  /// function `func`'s body (or anywhere in the module if func < 0).
  void expect_error(const ModuleBuilder& m, const std::vector<ErrorKind>& kinds, int func = 0) {
    const Bytes b = m.build();
    auto r = validate_bytes(b);
    ASSERT_FALSE(r.ok()) << "module was accepted";
    const Error& e = r.error();
    bool kind_ok = false;
    for (ErrorKind k : kinds) kind_ok |= e.kind == k;
    EXPECT_TRUE(kind_ok) << "unexpected kind: " << e.to_string();
    EXPECT_FALSE(e.message.empty());
    EXPECT_LE(e.offset, b.size()) << e.to_string();
    if (func >= 0) {
      auto [begin, end] = m.body_range(static_cast<uint32_t>(func));
      EXPECT_GE(e.offset, begin) << e.to_string();
      EXPECT_LE(e.offset, end) << e.to_string();
    } else {
      EXPECT_GT(e.offset, 0u) << e.to_string();
    }
    // compile() must agree with validate().
    auto c = wvm::compile(engine, b.data(), b.size());
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().kind, e.kind);
    EXPECT_EQ(c.error().offset, e.offset);
  }
};

const std::vector<ErrorKind> kInvalid{ErrorKind::Invalid};
const std::vector<ErrorKind> kMalformed{ErrorKind::Malformed};
const std::vector<ErrorKind> kInvalidOrMalformed{ErrorKind::Invalid, ErrorKind::Malformed};

TEST_F(ValidatorTest, SimpleFunctionIsValid) {
  ModuleBuilder m;
  auto t = m.add_type({I32, I32}, {I32});
  m.export_func("add", m.add_func(t, {}, Code().local_get(0).local_get(1).op(Opcode::I32Add)));
  expect_valid(m);
}

TEST_F(ValidatorTest, EmptyModuleIsValid) { expect_valid(ModuleBuilder()); }

TEST_F(ValidatorTest, TypeMismatchInBinaryOp) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().i32_const(1).i64_const(2).op(Opcode::I32Add));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, TypeMismatchInResult) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().f32_const(1.0f));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, StackUnderflow) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().i32_const(1).op(Opcode::I32Add));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, ExtraValueAtEnd) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().i32_const(1));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, UnknownLocal) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  m.add_func(t, {I64}, Code().local_get(2));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, LocalSetTypeMismatch) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {I64}, Code().i32_const(0).local_set(0));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, UnknownGlobal) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_global(I32, false, Code().i32_const(0));
  m.add_func(t, {}, Code().global_get(1));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, SetImmutableGlobal) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_global(I32, false, Code().i32_const(0));
  m.add_func(t, {}, Code().i32_const(1).global_set(0));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, UnknownFunction) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().call(7));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, CallArgumentTypeMismatch) {
  ModuleBuilder m;
  auto callee_t = m.add_type({I64}, {});
  auto t = m.add_type({}, {});
  auto callee = m.add_func(callee_t, {}, Code());
  m.add_func(t, {}, Code().i32_const(1).call(callee));
  expect_error(m, kInvalid, 1);
}

TEST_F(ValidatorTest, UnknownTypeInCallIndirect) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_table(FuncRef, 1);
  m.add_func(t, {}, Code().i32_const(0).call_indirect(9));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, UnknownTypeInBlockType) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().block(BlockType::type(5)).end());
  expect_error(m, kInvalidOrMalformed);
}

TEST_F(ValidatorTest, UnknownTableInCallIndirect) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().i32_const(0).call_indirect(t));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, UnknownTableInTableGet) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_table(FuncRef, 1);
  m.add_func(t, {}, Code().i32_const(0).table_get(3).drop());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, BrDepthOutOfRange) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  // Depth 0 is the function's label; depth 2 does not exist inside one block.
  m.add_func(t, {}, Code().block().br(2).end());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, BrTableDepthOutOfRange) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().block().i32_const(0).br_table({0, 1, 5}, 0).end());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, BrTableArityMismatch) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  // Label 0 (the block) takes nothing, label 1 (the function) takes an i32.
  m.add_func(t, {}, Code().block().i32_const(7).i32_const(0).br_table({0}, 1).end().i32_const(1));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, ElseWithoutIf) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().block().else_().end());
  expect_error(m, kInvalidOrMalformed);
}

TEST_F(ValidatorTest, ElseAtFunctionLevel) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().else_());
  expect_error(m, kInvalidOrMalformed);
}

TEST_F(ValidatorTest, IfWithoutElseMustNotProduceValue) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().i32_const(1).if_(I32).i32_const(2).end());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, MissingEnd) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_raw_func(t, {0x00, 0x01});  // no locals, nop, and no end
  expect_error(m, kMalformed, -1);
}

TEST_F(ValidatorTest, MissingEndAfterBlock) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  // The only `end` closes the block; the function itself is never closed.
  m.add_raw_func(t, {0x00, 0x02, 0x40, 0x0b});
  expect_error(m, kMalformed, -1);
}

TEST_F(ValidatorTest, CodeAfterFinalEnd) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_raw_func(t, {0x00, 0x0b, 0x01});  // end, then a stray nop inside the body
  expect_error(m, kMalformed, -1);
}

TEST_F(ValidatorTest, SelectOnMismatchedTypes) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().i32_const(1).i64_const(2).i32_const(0).select());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, UntypedSelectOnReferences) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {},
             Code().ref_null(FuncRef).ref_null(FuncRef).i32_const(0).select().drop());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, TypedSelectOnReferencesIsValid) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {},
             Code().ref_null(FuncRef).ref_null(FuncRef).i32_const(0).select_t(FuncRef).drop());
  expect_valid(m);
}

TEST_F(ValidatorTest, DataDropWithoutDataCount) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_memory(1);
  m.add_passive_data({1, 2, 3});
  m.set_data_count(false);
  m.add_func(t, {}, Code().data_drop(0));
  expect_error(m, kMalformed);
}

TEST_F(ValidatorTest, MemoryInitWithoutDataCount) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_memory(1);
  m.add_passive_data({1, 2, 3});
  m.set_data_count(false);
  m.add_func(t, {}, Code().i32_const(0).i32_const(0).i32_const(1).memory_init(0));
  expect_error(m, kMalformed);
}

TEST_F(ValidatorTest, DataDropWithDataCountIsValid) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_memory(1);
  m.add_passive_data({1, 2, 3});
  m.add_func(t, {}, Code().data_drop(0));
  expect_valid(m);
}

TEST_F(ValidatorTest, DataDropUnknownSegment) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_memory(1);
  m.add_passive_data({1});
  m.add_func(t, {}, Code().data_drop(1));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, RefFuncOfUndeclaredFunction) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  auto f = m.add_func(t, {}, Code());
  m.add_func(t, {}, Code().ref_func(f).drop());
  expect_error(m, kInvalid, 1);
}

TEST_F(ValidatorTest, RefFuncOfDeclaredFunctionIsValid) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  auto f = m.add_func(t, {}, Code());
  m.add_func(t, {}, Code().ref_func(f).drop());
  m.add_declared_elem({f});
  expect_valid(m);
}

TEST_F(ValidatorTest, RefFuncOfExportedFunctionIsValid) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  auto f = m.add_func(t, {}, Code());
  m.add_func(t, {}, Code().ref_func(f).drop());
  m.export_func("f", f);
  expect_valid(m);
}

TEST_F(ValidatorTest, MemoryOpWithoutMemory) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().i32_const(0).mem(Opcode::I32Load));
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, MemorySizeWithoutMemory) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().memory_size());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, MemoryFillWithoutMemory) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().i32_const(0).i32_const(0).i32_const(0).memory_fill());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, AlignmentLargerThanNatural) {
  const Opcode ops[] = {Opcode::I32Load,   Opcode::I64Load,    Opcode::I32Load8U,
                        Opcode::I32Load16S, Opcode::I64Load32U, Opcode::F64Load};
  for (Opcode op : ops) {
    SCOPED_TRACE(op_info(op).name);
    ModuleBuilder m;
    auto t = m.add_type({}, {});
    m.add_memory(1);
    m.add_func(t, {}, Code().i32_const(0).load(op, op_info(op).max_align + 1).drop());
    expect_error(m, kInvalid);
  }
  const Opcode stores[] = {Opcode::I32Store8, Opcode::I64Store, Opcode::F32Store};
  for (Opcode op : stores) {
    SCOPED_TRACE(op_info(op).name);
    ModuleBuilder m;
    auto t = m.add_type({}, {});
    m.add_memory(1);
    Code c;
    c.i32_const(0);
    if (op == Opcode::I64Store)
      c.i64_const(0);
    else if (op == Opcode::F32Store)
      c.f32_const(0);
    else
      c.i32_const(0);
    m.add_func(t, {}, c.store(op, op_info(op).max_align + 1));
    expect_error(m, kInvalid);
  }
}

TEST_F(ValidatorTest, NaturalAlignmentIsValid) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_memory(1);
  m.add_func(t, {},
             Code()
                 .i32_const(0).load(Opcode::I64Load, 3).drop()
                 .i32_const(0).load(Opcode::I64Load, 0).drop()
                 .i32_const(0).i32_const(0).store(Opcode::I32Store16, 1));
  expect_valid(m);
}

TEST_F(ValidatorTest, UnreachableMakesStackPolymorphic) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().unreachable().op(Opcode::I32Add));
  expect_valid(m);
}

TEST_F(ValidatorTest, MultiValueBlockIsValid) {
  ModuleBuilder m;
  auto bt = m.add_type({I32}, {I32, I64});
  auto t = m.add_type({}, {I32, I64});
  m.add_func(t, {}, Code().i32_const(1).block(BlockType::type(bt)).i64_const(2).end());
  expect_valid(m);
}

TEST_F(ValidatorTest, MultiValueBlockParamMissing) {
  ModuleBuilder m;
  auto bt = m.add_type({I32}, {I32});
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().block(BlockType::type(bt)).end());
  expect_error(m, kInvalid);
}

TEST_F(ValidatorTest, LoopBranchTakesParams) {
  ModuleBuilder m;
  auto bt = m.add_type({I32}, {});
  auto t = m.add_type({}, {});
  // br 0 inside the loop goes to its start, which wants the i32 parameter.
  m.add_func(t, {}, Code().i32_const(1).loop(BlockType::type(bt)).br(0).end());
  expect_valid(m);
  ModuleBuilder bad;
  auto bt2 = bad.add_type({I32}, {});
  auto t2 = bad.add_type({}, {});
  bad.add_func(t2, {}, Code().i32_const(1).loop(BlockType::type(bt2)).drop().br(0).end());
  expect_error(bad, kInvalid);
}

TEST_F(ValidatorTest, UnknownOpcodeIsMalformedOrUnsupported) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  m.add_func(t, {}, Code().raw({0xd7}));  // not an opcode in any proposal wvm knows
  expect_error(m, {ErrorKind::Malformed, ErrorKind::Unsupported});
}

TEST_F(ValidatorTest, TooManyLocals) {
  ModuleBuilder m;
  auto t = m.add_type({}, {});
  // One declaration of 2^32-1 locals must be refused without allocating them.
  m.add_raw_func(t, {0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b});
  const Bytes b = m.build();
  auto r = validate_bytes(b);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().kind == ErrorKind::Malformed ||
              r.error().kind == ErrorKind::LimitExceeded)
      << r.error().to_string();
}

TEST_F(ValidatorTest, StartFunctionWithParams) {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {});
  auto f = m.add_func(t, {}, Code());
  m.set_start(f);
  expect_error(m, kInvalid, -1);
}

TEST_F(ValidatorTest, ErrorStringNamesKindAndOffset) {
  ModuleBuilder m;
  auto t = m.add_type({}, {I32});
  m.add_func(t, {}, Code().i64_const(1));
  const Bytes b = m.build();
  auto r = validate_bytes(b);
  ASSERT_FALSE(r.ok());
  const std::string s = r.error().to_string();
  EXPECT_NE(s.find("invalid"), std::string::npos) << s;
  char hex[32];
  std::snprintf(hex, sizeof hex, "0x%zx", r.error().offset);
  EXPECT_NE(s.find(hex), std::string::npos) << s;
}

}  // namespace
}  // namespace wvm
