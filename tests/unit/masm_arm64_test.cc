// The AArch64 MacroAssembler in isolation: the shared MacroAssembler tests
// (masm_harness.h) on A64Backend, and what is AArch64's own: immediates of
// every shape (add/sub, logical, movz/movk), frames beyond an ldr/str
// offset's reach, call_local's ways, and functions of megabytes whose
// branches and trap stubs must still reach.
#include <gtest/gtest.h>

#include <atomic>
#include <csetjmp>
#include <cstdint>
#include <iterator>
#include <memory>
#include <random>
#include <vector>

#include "codegen-arm64/backend_arm64.h"
#include "tests/unit/masm_harness.h"

namespace wvm::a64 {
namespace {

using namespace masm_test;

struct A64Traits {
  using Backend = A64Backend;
  static std::unique_ptr<A64Backend> create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                            size_t arena_size) {
    return A64Backend::create(info, bounds, arena_size);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(A64, MasmTest, A64Traits);
INSTANTIATE_TYPED_TEST_SUITE_P(A64, MasmMemoryTest, BoundsParams<A64Traits>, BoundsParamName);

using MasmA64Test = MasmTest<A64Traits>;

// Integer operators with a constant right operand: every immediate form
// (add/sub either sign, logical immediates, shifts and rotates by constants)
// and the fallback through a scratch register, against numeric.h.
TEST_F(MasmA64Test, BinaryImmMatchesNumeric) {
  const int32_t imms[] = {0,         1,         -1,         2,          7,          31,
                          32,        33,        63,         64,         65,         0xff,
                          0xff00,    0xfff,     0x1000,     0x1001,     0xfff000,   0x1000000,
                          -4095,     -4096,     -4097,      0x55555555, 0x0f0f0f0f, -256,
                          INT32_MIN, INT32_MAX, 0x7ffff000, -0x1000000};
  std::mt19937_64 rng(3);
  for (const BinaryCase& c : kBinaryCases) {
    const OpInfo& info = op_info(c.op);
    if (!is_int(info.in)) continue;
    for (int32_t imm : imms) {
      for (const RegAssignment& r : {RegAssignment{0, 0, 0}, RegAssignment{9, 3, 0}}) {
        auto masm = backend_->new_function();
        masm->prologue();
        masm->set_frame_slots(4);
        masm->load_slot(r.lhs, 0);
        if (!masm->binary_imm(c.op, r.dst, r.lhs, imm)) continue;
        masm->store_slot(2, r.dst);
        masm->epilogue();
        const void* entry = masm->finish();
        ASSERT_NE(entry, nullptr) << info.name << " " << imm;
        const uint64_t b = info.in == ValType::I32 ? uint64_t{static_cast<uint32_t>(imm)}
                                                   : static_cast<uint64_t>(int64_t{imm});
        for (uint64_t a : interesting_values()) {
          const uint64_t junk = info.in == ValType::I32 ? (rng() << 32) : 0;
          uint64_t expected = 0;
          const TrapKind want = c.ref(a, b, &expected);
          reset();
          frame_[0] = a ^ junk;
          ASSERT_EQ(run(entry), want) << info.name << " " << std::hex << a << ", " << imm;
          if (want != TrapKind::None) continue;
          ASSERT_EQ(frame_[2], expected & mask_of(info.out))
              << info.name << " " << std::hex << a << ", " << imm;
        }
      }
    }
  }
}

// compare_branch and compare_imm_branch take the branch exactly when the
// comparison (or its negation) holds.
TEST_F(MasmA64Test, CompareBranchesMatchNumeric) {
  const int32_t imms[] = {0, 1, -1, 100, 4095, 4096, -4096, 0x12345, INT32_MIN, INT32_MAX};
  for (const BinaryCase& c : kBinaryCases) {
    const OpInfo& info = op_info(c.op);
    if (!is_int(info.in) || info.out != ValType::I32) continue;
    for (bool when : {true, false}) {
      for (int variant = 0; variant < 1 + static_cast<int>(std::size(imms)); ++variant) {
        auto masm = backend_->new_function();
        masm->prologue();
        masm->set_frame_slots(4);
        masm->load_slot(7, 0);
        masm->load_slot(2, 1);
        const Label taken = masm->new_label();
        const Label end = masm->new_label();
        const bool ok = variant == 0
                            ? masm->compare_branch(c.op, 7, 2, when, taken)
                            : masm->compare_imm_branch(c.op, 7, imms[variant - 1], when, taken);
        if (!ok) break;
        masm->store_slot_imm(2, 0);
        masm->jump(end);
        masm->bind(taken);
        masm->store_slot_imm(2, 1);
        masm->bind(end);
        masm->epilogue();
        const void* entry = masm->finish();
        ASSERT_NE(entry, nullptr);
        for (uint64_t a : interesting_values()) {
          for (uint64_t b : interesting_values()) {
            if (variant != 0) {
              const int32_t imm = imms[variant - 1];
              b = info.in == ValType::I32 ? uint64_t{static_cast<uint32_t>(imm)}
                                          : static_cast<uint64_t>(int64_t{imm});
            }
            uint64_t expected = 0;
            ASSERT_EQ(c.ref(a, b, &expected), TrapKind::None);
            reset();
            frame_[0] = a;
            frame_[1] = b;
            ASSERT_EQ(run(entry), TrapKind::None);
            ASSERT_EQ(frame_[2], (expected != 0) == when ? 1u : 0u)
                << info.name << " " << std::hex << a << ", " << b << " when " << when;
            if (variant != 0) break;
          }
        }
      }
    }
  }
}

// Immediates of every shape, and frames beyond the reach of an ldr/str
// offset (slot 4096 and up) or of an add immediate.
TEST_F(MasmA64Test, ImmediatesAndFarSlots) {
  std::vector<uint64_t> values = {0,
                                  1,
                                  0xffff,
                                  0x1'0000,
                                  0xffff'ffffu,
                                  0x8000'0000u,
                                  0x1'0000'0000u,
                                  ~uint64_t{0},
                                  ~uint64_t{0} << 16,
                                  0xffff'0000'ffff'0000u,
                                  0x5555'5555'5555'5555u,
                                  0x0000'ffff'0000'0000u,
                                  0xffff'1234'ffff'ffffu,
                                  0x8000'0000'0000'0000u};
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20; ++i) values.push_back(rng());
  const uint32_t far_slots[] = {4093, 4096, 4100, 40000, 70000, 300000};
  std::vector<uint64_t> frame(310000, 0);
  auto masm = backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(static_cast<uint32_t>(frame.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    const jit::Reg r = static_cast<jit::Reg>(i % 12);
    masm->mov_imm(r, values[i]);
    masm->store_slot(static_cast<uint32_t>(i), r);
    masm->store_slot_imm(static_cast<uint32_t>(100 + i), values[i]);
  }
  for (size_t i = 0; i < std::size(far_slots); ++i) {
    masm->load_slot(3, static_cast<uint32_t>(200 + i));
    masm->store_slot(far_slots[i], 3);
    masm->copy_slot(far_slots[i] + 1, far_slots[i]);
    masm->store_slot_imm(far_slots[i] + 2, 0x1234'5678'9abc'def0u);
    masm->load_slot(11, far_slots[i] + 2);
    masm->store_slot(static_cast<uint32_t>(300 + i), 11);
  }
  masm->zero_slots(305000, 1000);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  reset();
  ctx_.stack_end = frame.data() + frame.size();
  for (size_t i = 0; i < std::size(far_slots); ++i) frame[200 + i] = 1000 + i;
  for (size_t i = 305000; i < 306000; ++i) frame[i] = 7;
  frame[306000] = 7;
  ASSERT_EQ(run(*backend_, entry, frame.data()), TrapKind::None);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(frame[i], values[i]) << i;
    EXPECT_EQ(frame[100 + i], values[i]) << i;
  }
  for (size_t i = 0; i < std::size(far_slots); ++i) {
    EXPECT_EQ(frame[far_slots[i]], 1000 + i);
    EXPECT_EQ(frame[far_slots[i] + 1], 1000 + i);
    EXPECT_EQ(frame[300 + i], 0x1234'5678'9abc'def0u);
  }
  for (size_t i = 305000; i < 306000; ++i) ASSERT_EQ(frame[i], 0u) << i;
  EXPECT_EQ(frame[306000], 7u);

  // The value-stack check with a frame beyond an add immediate's reach.
  reset();
  ctx_.stack_end = frame.data() + frame.size() - 1;
  EXPECT_EQ(run(*backend_, entry, frame.data()), TrapKind::CallStackExhausted);
}

// Gas costs of every size: 12-bit immediates, shifted ones, and registers.
TEST_F(MasmA64Test, ChargeGasOfEverySize) {
  for (uint64_t cost :
       {uint64_t{1}, uint64_t{4095}, uint64_t{4096}, uint64_t{4097}, uint64_t{0xfff000},
        uint64_t{0x1000000}, uint64_t{0x123456789}, ~uint64_t{0}}) {
    auto masm = backend_->new_function();
    masm->prologue();
    masm->set_frame_slots(2);
    masm->charge_gas(cost);
    masm->store_slot_imm(0, 42);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    reset();
    ctx_.gas_left = cost;
    ASSERT_EQ(run(entry), TrapKind::None) << cost;
    EXPECT_EQ(ctx_.gas_left, 0u);
    EXPECT_EQ(frame_[0], 42u);
    reset();
    ctx_.gas_left = cost - 1;
    ASSERT_EQ(run(entry), TrapKind::OutOfGas) << cost;
    EXPECT_EQ(ctx_.gas_left, 0u);
    EXPECT_NE(frame_[0], 42u);
  }
}

// call_local: self calls, known entries (bl), and the published entry with
// its out-of-line tier-0 path.
TEST_F(MasmA64Test, CallLocalEveryWay) {
  // callee: slot0 = slot0 + 10
  auto callee_masm = backend_->new_function();
  callee_masm->prologue();
  callee_masm->set_frame_slots(2);
  callee_masm->load_slot(0, 0);
  ASSERT_TRUE(callee_masm->binary_imm(Opcode::I64Add, 0, 0, 10));
  callee_masm->store_slot(0, 0);
  callee_masm->epilogue();
  const void* callee = callee_masm->finish();
  ASSERT_NE(callee, nullptr);
  FakeCode code{0, nullptr};
  FakeFunc func{&vm_, &code};
  vm_.func0 = &func;
  std::atomic<const void*> published{nullptr};
  for (int way = 0; way < 3; ++way) {
    auto masm = backend_->new_function();
    masm->prologue();
    masm->set_frame_slots(8);
    masm->load_slot(2, 0);
    masm->store_slot(5, 2);
    masm->call_local(0, &published, way == 1 ? callee : nullptr, false, kFunc0, 5);
    masm->load_slot(3, 5);
    masm->store_slot(1, 3);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    published.store(way == 2 ? callee : nullptr);
    reset();
    frame_[0] = 5;
    g_slow.count = 0;
    ASSERT_EQ(run(entry), TrapKind::None);
    EXPECT_EQ(frame_[1], 15u) << way;
    EXPECT_EQ(g_slow.count, way == 0 ? 1 : 0) << way;
    if (way == 0) {
      EXPECT_EQ(g_slow.fp, frame_ + 5);
    }
    EXPECT_EQ(ctx_.depth, 0u);
  }

  // Self recursion: f(n) = n == 0 ? 0 : f(n - 1) + 2, frames one slot apart.
  auto masm = backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(3);
  masm->load_slot(0, 0);
  const Label base = masm->new_label();
  masm->branch_if_zero(0, base);
  ASSERT_TRUE(masm->binary_imm(Opcode::I32Sub, 0, 0, 1));
  masm->store_slot(1, 0);
  masm->call_local(0, &published, nullptr, true, kFunc0, 1);
  masm->load_slot(0, 1);
  ASSERT_TRUE(masm->binary_imm(Opcode::I32Add, 0, 0, 2));
  masm->store_slot(0, 0);
  masm->bind(base);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  std::vector<uint64_t> stack(1024, 0);
  reset();
  ctx_.stack_end = stack.data() + stack.size();
  stack[0] = 60;
  ASSERT_EQ(run(*backend_, entry, stack.data()), TrapKind::None);
  EXPECT_EQ(stack[0], 120u);
  EXPECT_EQ(ctx_.depth, 0u);
}

// A function of megabytes: conditional branches to wasm labels go over an
// unconditional b, and trap stubs come in islands, so every branch reaches.
TEST_F(MasmA64Test, HugeFunctionBranchesReach) {
  auto masm = backend_->new_function();
  masm->reserve(size_t{1} << 20);
  masm->prologue();
  masm->set_frame_slots(4);
  masm->charge_gas(1);
  masm->load_slot(0, 0);
  masm->load_slot(1, 1);
  ASSERT_TRUE(masm->binary(Opcode::I64DivU, 0, 0, 1));
  masm->store_slot(2, 0);
  const Label far_end = masm->new_label();
  ASSERT_TRUE(masm->compare_imm_branch(Opcode::I64Eq, 0, 7, true, far_end));
  for (uint32_t i = 0; i < 300000; ++i) {
    masm->store_slot_imm(3, i);
    if (i % 1000 == 999) {
      const Label next = masm->new_label();
      masm->jump(next);
      masm->bind(next);
    }
  }
  masm->bind(far_end);
  masm->store_slot_imm(1, 99);
  masm->charge_gas(1);
  masm->load_slot(5, 2);
  masm->mov_imm(6, 0);
  ASSERT_TRUE(masm->binary(Opcode::I64RemU, 5, 5, 6));
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);

  reset();
  frame_[0] = 14;
  frame_[1] = 2;
  EXPECT_EQ(run(entry), TrapKind::IntegerDivideByZero);  // the far one
  EXPECT_EQ(frame_[1], 99u);
  EXPECT_EQ(frame_[3], 0xdead'beef'dead'beefu);
  EXPECT_EQ(ctx_.gas_left, UINT64_MAX - 2);

  reset();
  frame_[0] = 10;
  frame_[1] = 1;
  EXPECT_EQ(run(entry), TrapKind::IntegerDivideByZero);
  EXPECT_EQ(frame_[3], 299999u);

  reset();
  frame_[1] = 0;
  EXPECT_EQ(run(entry), TrapKind::IntegerDivideByZero);  // the near one
  EXPECT_EQ(frame_[2], 0xdead'beef'dead'beefu);

  reset();
  ctx_.gas_left = 0;
  EXPECT_EQ(run(entry), TrapKind::OutOfGas);
  EXPECT_EQ(frame_[2], 0xdead'beef'dead'beefu);

  reset();
  ctx_.gas_left = 1;
  frame_[0] = 14;
  frame_[1] = 2;
  EXPECT_EQ(run(entry), TrapKind::OutOfGas);  // the far one
  EXPECT_EQ(frame_[1], 99u);
  EXPECT_EQ(ctx_.gas_left, 0u);
}

class MasmA64MemoryTest : public MasmMemoryFixture<A64Traits>,
                          public ::testing::WithParamInterface<BoundsStrategy> {
 protected:
  void SetUp() override {
    MasmMemoryFixture::SetUp();
    map_memory(GetParam());
  }
};

// A fault on a guard page hands the gas register (x23) to the TrapScope, so
// the trap reports the gas left at the faulting access.
TEST_P(MasmA64MemoryTest, GuardFaultSavesGas) {
  auto masm = mem_backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(4);
  masm->charge_gas(5);
  masm->load_slot(8, 0);
  ASSERT_TRUE(masm->load(Opcode::I64Load, 9, 8, 16));
  masm->store_slot(1, 9);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  reset();
  ctx_.gas_left = 1000;
  frame_[0] = kAccessible;
  TrapScope scope;
  const int jumped = sigsetjmp(scope.jmp, 0);
  if (jumped == 0) {
    scope.enter();
    mem_backend_->enter(entry, frame_, reinterpret_cast<InstanceData*>(&vm_),
                        reinterpret_cast<ExecContext*>(&ctx_));
    scope.leave();
    FAIL() << "no trap";
  }
  scope.leave();
  if (GetParam() == BoundsStrategy::GuardPages) {
    EXPECT_EQ(jumped, TrapScope::kTrapScopeFault);
    EXPECT_TRUE(scope.has_saved);
    EXPECT_EQ(scope.saved, 995u);
  } else {
    EXPECT_EQ(jumped, kTrapScopeRaisedBase + static_cast<int>(TrapKind::MemoryOutOfBounds));
    EXPECT_EQ(ctx_.gas_left, 995u);  // stored by the trap stub's helper call
  }
}

INSTANTIATE_TEST_SUITE_P(Bounds, MasmA64MemoryTest,
                         ::testing::Values(BoundsStrategy::GuardPages,
                                           BoundsStrategy::ExplicitChecks),
                         [](const auto& info) { return bounds_name(info.param); });

}  // namespace
}  // namespace wvm::a64
