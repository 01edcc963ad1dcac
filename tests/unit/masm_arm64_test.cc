// The AArch64 MacroAssembler in isolation (the counterpart of
// masm_x64_test.cc): tiny functions built directly through the interface,
// run through A64Backend::enter against fake runtime
// structures whose layout differs from the engine's (the backend may only
// use RuntimeInfo's offsets), and checked against engine/numeric.h.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <bit>
#include <cmath>
#include <csetjmp>
#include <cstddef>
#include <cstring>
#include <atomic>
#include <functional>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "codegen-arm64/backend_arm64.h"
#include "engine/numeric.h"
#include "engine/opcodes.h"
#include "memory/trap_handler.h"

namespace wvm::a64 {
namespace {

using jit::Label;
using jit::MacroAssembler;

// ---- fake runtime structures (deliberately not the engine's layouts)

struct FakeMemory {
  uint64_t pad;
  uint64_t size;
};
struct FakeGlobal {
  uint64_t pad;
  uint64_t bits;
};
struct FakeCode {
  uint64_t pad;
  const void* jit_entry;
};
struct FakeFunc {
  void* instance;
  FakeCode* code;
};
struct FakeVm {
  void* instance;
  FakeGlobal* global0;
  uint8_t* memory_base;
  FakeMemory* memory;
  FakeFunc* func0;
  void* table0;
};
struct FakeCtx {
  uint64_t pad;
  uint32_t max_depth;
  uint32_t depth;
  uint64_t* stack_end;
  uint64_t gas_left;
  uintptr_t native_stack_limit;
};

constexpr uint32_t kGlobal0 = offsetof(FakeVm, global0);
constexpr uint32_t kFunc0 = offsetof(FakeVm, func0);
constexpr uint32_t kTable0 = offsetof(FakeVm, table0);

[[noreturn]] void test_trap(ExecContext*, uint32_t kind) { raise_trap(static_cast<int>(kind)); }

// call_slow: records its arguments and "runs" the callee: slot0 = slot0 * 3.
struct SlowCall {
  ExecContext* ctx;
  Func* callee;
  uint64_t* fp;
  InstanceData* caller;
  int count;
} g_slow;
void test_call_slow(ExecContext* ctx, Func* callee, uint64_t* fp, InstanceData* caller) {
  g_slow = {ctx, callee, fp, caller, g_slow.count + 1};
  fp[0] *= 3;
}

FakeFunc* g_indirect_target = nullptr;
uint32_t g_indirect_type = 0;
Func* test_resolve_indirect(ExecContext*, Table* table, uint32_t index, uint32_t type_id) {
  if (table == nullptr || index >= 4) raise_trap(static_cast<int>(TrapKind::UndefinedElement));
  if (type_id != g_indirect_type) {
    raise_trap(static_cast<int>(TrapKind::IndirectCallTypeMismatch));
  }
  return reinterpret_cast<Func*>(g_indirect_target);
}

uint32_t g_grow_delta = 0;
InstanceData* g_grow_vm = nullptr;
uint32_t test_memory_grow(InstanceData* vm, uint32_t delta) {
  g_grow_vm = vm;
  g_grow_delta = delta;
  return delta > 100 ? 0xffff'ffffu : 7;
}

jit::RuntimeInfo test_runtime_info() {
  jit::RuntimeInfo info{};
  info.ctx_gas_left = offsetof(FakeCtx, gas_left);
  info.ctx_depth = offsetof(FakeCtx, depth);
  info.ctx_max_depth = offsetof(FakeCtx, max_depth);
  info.ctx_stack_end = offsetof(FakeCtx, stack_end);
  info.ctx_native_stack_limit = offsetof(FakeCtx, native_stack_limit);
  info.vm_memory_base = offsetof(FakeVm, memory_base);
  info.vm_memory = offsetof(FakeVm, memory);
  info.vm_instance = offsetof(FakeVm, instance);
  info.memory_size = offsetof(FakeMemory, size);
  info.func_code = offsetof(FakeFunc, code);
  info.func_instance = offsetof(FakeFunc, instance);
  info.code_jit_entry = offsetof(FakeCode, jit_entry);
  info.global_bits = offsetof(FakeGlobal, bits);
  info.trap = test_trap;
  info.call_slow = test_call_slow;
  info.resolve_indirect = test_resolve_indirect;
  info.memory_grow = test_memory_grow;
  return info;
}

constexpr size_t kArenaSize = size_t{4} << 20;
constexpr uint32_t kFrameSlots = 64;

class MasmA64Test : public ::testing::Test {
 protected:
  void SetUp() override {
    install_trap_handler();
    ensure_alt_stack();
    backend_ = make_backend(BoundsStrategy::GuardPages);
    ASSERT_NE(backend_, nullptr);
    memory_.size = 0;
    vm_.memory = &memory_;
    vm_.global0 = &global_;
    vm_.instance = &vm_;  // any unique pointer
    reset();
  }

  std::unique_ptr<A64Backend> make_backend(BoundsStrategy bounds) {
    return A64Backend::create(info_, bounds, kArenaSize);
  }

  // A fresh context and frame (slots filled with a marker).
  void reset() {
    ctx_ = FakeCtx{};
    ctx_.max_depth = 100;
    ctx_.depth = 0;
    ctx_.stack_end = frame_ + kFrameSlots;
    ctx_.gas_left = UINT64_MAX;
    ctx_.native_stack_limit = native_stack_limit();
    for (uint64_t& s : frame_) s = 0xdead'beef'dead'beefu;
  }

  TrapKind run(const A64Backend& backend, const void* entry, uint64_t* fp) {
    TrapScope scope;
    const int jumped = sigsetjmp(scope.jmp, 0);
    if (jumped != 0) {
      scope.leave();
      return jumped == TrapScope::kTrapScopeFault
                 ? TrapKind::MemoryOutOfBounds
                 : static_cast<TrapKind>(jumped - kTrapScopeRaisedBase);
    }
    scope.enter();
    backend.enter(entry, fp, reinterpret_cast<InstanceData*>(&vm_),
                  reinterpret_cast<ExecContext*>(&ctx_));
    scope.leave();
    return TrapKind::None;
  }
  TrapKind run(const void* entry) { return run(*backend_, entry, frame_); }

  jit::RuntimeInfo info_ = test_runtime_info();
  std::unique_ptr<A64Backend> backend_;
  FakeVm vm_{};
  FakeCtx ctx_{};
  FakeMemory memory_{};
  FakeGlobal global_{};
  uint64_t frame_[kFrameSlots];
};

// ---- reference semantics from numeric.h, as uint64 -> uint64 functions

template <class T>
T from_bits(uint64_t v) {
  if constexpr (std::is_same_v<T, float>) {
    return std::bit_cast<float>(static_cast<uint32_t>(v));
  } else if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<double>(v);
  } else {
    return static_cast<T>(v);
  }
}
template <class T>
uint64_t to_bits(T v) {
  if constexpr (std::is_same_v<T, float>) {
    return std::bit_cast<uint32_t>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    return std::bit_cast<uint64_t>(v);
  } else {
    return static_cast<uint64_t>(v);
  }
}

using BinaryRef = TrapKind (*)(uint64_t, uint64_t, uint64_t*);
using UnaryRef = TrapKind (*)(uint64_t, uint64_t*);

template <class In, class Out>
TrapKind call_ref(Out (*f)(In, In), uint64_t a, uint64_t b, uint64_t* out) {
  *out = to_bits(f(from_bits<In>(a), from_bits<In>(b)));
  return TrapKind::None;
}
template <class In, class Out>
TrapKind call_ref(TrapKind (*f)(In, In, Out*), uint64_t a, uint64_t b, uint64_t* out) {
  Out o{};
  const TrapKind k = f(from_bits<In>(a), from_bits<In>(b), &o);
  if (k == TrapKind::None) *out = to_bits(o);
  return k;
}
template <class In, class Out>
TrapKind call_ref(Out (*f)(In), uint64_t a, uint64_t* out) {
  *out = to_bits(f(from_bits<In>(a)));
  return TrapKind::None;
}
template <class In, class Out>
TrapKind call_ref(TrapKind (*f)(In, Out*), uint64_t a, uint64_t* out) {
  Out o{};
  const TrapKind k = f(from_bits<In>(a), &o);
  if (k == TrapKind::None) *out = to_bits(o);
  return k;
}

struct BinaryCase {
  Opcode op;
  BinaryRef ref;
};
struct UnaryCase {
  Opcode op;
  UnaryRef ref;
};

const BinaryCase kBinaryCases[] = {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_STORE(...)
#define WVM_UNARY(...)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  {Opcode::name, [](uint64_t a, uint64_t b, uint64_t* o) { return call_ref(&ops::impl, a, b, o); }},
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

const UnaryCase kUnaryCases[] = {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_STORE(...)
#define WVM_BINARY(...)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  {Opcode::name, [](uint64_t a, uint64_t* o) { return call_ref(&ops::impl, a, o); }},
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

bool is_int(ValType t) { return t == ValType::I32 || t == ValType::I64; }
uint64_t mask_of(ValType t) {
  return t == ValType::I32 || t == ValType::F32 ? 0xffff'ffffu : ~uint64_t{0};
}

// Interesting operands: edges of both widths, powers of two, shift counts
// and random values.
std::vector<uint64_t> interesting_values() {
  std::vector<uint64_t> v = {0,
                             1,
                             2,
                             3,
                             7,
                             31,
                             32,
                             33,
                             63,
                             64,
                             65,
                             0x7f,
                             0x80,
                             0xff,
                             0x7fff,
                             0x8000,
                             0xffff,
                             0x7fff'ffffu,
                             0x8000'0000u,
                             0x8000'0001u,
                             0xffff'fffeu,
                             0xffff'ffffu,
                             0x1'0000'0000u,
                             0x7fff'ffff'ffff'ffffu,
                             0x8000'0000'0000'0000u,
                             0x8000'0000'0000'0001u,
                             ~uint64_t{1},
                             ~uint64_t{0}};
  for (int k = 0; k < 64; k += 5) v.push_back(uint64_t{1} << k);
  std::mt19937_64 rng(20240611);
  for (int i = 0; i < 12; ++i) v.push_back(rng());
  for (int i = 0; i < 4; ++i) v.push_back(rng() >> 40);
  return v;
}

// Integer operands of int->float conversions: the above plus values that
// round differently if the conversion rounds twice or drops a sticky bit
// (ties and near-ties at 2^24, 2^53, 2^63 and just below 2^64).
std::vector<uint64_t> conversion_int_values() {
  std::vector<uint64_t> v = interesting_values();
  for (uint64_t base : {uint64_t{1} << 24, uint64_t{1} << 53, uint64_t{1} << 63}) {
    for (uint64_t d : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{0x400}, uint64_t{0x401},
                       uint64_t{0x800}, uint64_t{0xc00}, uint64_t{1} << 39, (uint64_t{1} << 39) + 1,
                       uint64_t{3} << 39, (uint64_t{1} << 40) - 1}) {
      v.push_back(base + d);
      v.push_back(base - d);
      v.push_back(-(base + d));
    }
  }
  for (uint64_t d : {uint64_t{1}, uint64_t{0x3ff}, uint64_t{0x400}, uint64_t{0x401},
                     uint64_t{1} << 39, (uint64_t{1} << 39) + 1, (uint64_t{1} << 39) - 1}) {
    v.push_back(~uint64_t{0} - d + 1);
  }
  return v;
}

// Float operands as bit patterns: signed zeros, denormals, +-1, 0.5 steps
// (nearest's ties), the largest values, infinities, NaNs of both signs with
// various payloads (quiet and signalling), every truncation bound with its
// neighbours, the 2^p boundary of the no-SSE4.1 rounding, random bits.
template <class F>
std::vector<uint64_t> float_values() {
  using Bits = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
  namespace d = ops::detail;
  const F inf = std::numeric_limits<F>::infinity();
  std::vector<F> edges = {F(0),
                          F(1),
                          F(-1),
                          F(0.5),
                          F(1.5),
                          F(2.5),
                          F(1) / F(3),
                          std::numeric_limits<F>::denorm_min(),
                          std::numeric_limits<F>::min(),
                          std::numeric_limits<F>::max(),
                          F(0x1p31),
                          F(0x1p32),
                          F(0x1p63),
                          F(0x1p64),
                          F(1e10),
                          F(-1e30),
                          std::ldexp(F(1), std::numeric_limits<F>::digits - 1),  // 2^p
                          std::ldexp(F(1), std::numeric_limits<F>::digits - 2),
                          std::ldexp(F(1), std::numeric_limits<F>::digits)};
  if constexpr (sizeof(F) == 4) {
    edges.insert(edges.end(), {d::kF32I32Lo, d::kF32I64Lo, F(-0x1p31), F(-0x1p63)});
  } else {
    edges.insert(edges.end(), {d::kF64I32Lo, d::kF64I64Lo, F(-0x1p31), F(-0x1p63),
                               F(-0x1p31) - F(0.5), F(0x1p31) - F(0.5)});
  }
  std::vector<uint64_t> v;
  const auto add = [&](F f) {
    v.push_back(std::bit_cast<Bits>(f));
    v.push_back(std::bit_cast<Bits>(F(-f)));
  };
  for (F e : edges) {
    add(e);
    add(std::nextafter(e, F(0)));
    add(std::nextafter(e, inf));
  }
  for (int k = -7; k <= 7; ++k) add(F(k) + F(0.5));
  add(inf);
  add(std::nextafter(F(0.5), F(0)));  // nearest must not round it up
  constexpr Bits kExp = std::bit_cast<Bits>(std::numeric_limits<F>::infinity());
  constexpr Bits kQuiet = d::FloatBits<F>::kQuiet;
  constexpr Bits kSign = d::FloatBits<F>::kSign;
  for (Bits payload : {kQuiet, Bits{kQuiet | 1}, Bits{kQuiet | 0x12345}, Bits{kQuiet - 1}, Bits{1},
                       Bits{kQuiet >> 1}, Bits{0x2a}}) {
    v.push_back(kExp | payload);
    v.push_back(kSign | kExp | payload);
  }
  std::mt19937_64 rng(sizeof(F));
  for (int i = 0; i < 8; ++i) v.push_back(static_cast<Bits>(rng()));
  return v;
}

// The operands a test feeds to an operator taking `t`.
std::vector<uint64_t> values_of(ValType t) {
  switch (t) {
    case ValType::F32:
      return float_values<float>();
    case ValType::F64:
      return float_values<double>();
    default:
      return conversion_int_values();
  }
}

// Register assignments (dst, lhs, rhs) covering dst == lhs, dst != lhs,
// lhs == rhs, and both banks of value registers (x9-x15 are 0-6, x24-x28
// are 7-11).
struct RegAssignment {
  jit::Reg dst, lhs, rhs;
};
const RegAssignment kAssignments[] = {
    {0, 0, 1}, {2, 1, 0}, {6, 6, 5}, {5, 4, 6}, {3, 4, 4}, {1, 1, 1}, {11, 7, 10}, {8, 8, 0},
};

// run_fn(entry, lhs, rhs, &output) runs a function that maps slots 0, 1 to 2.
using BinaryRunner = std::function<TrapKind(const void*, uint64_t, uint64_t, uint64_t*)>;

// Every binary row on interesting operand pairs, compared bit for bit with
// numeric.h (NaN payloads included); traps must be the reference's kind.
void check_binary_ops(A64Backend& backend, const BinaryRunner& run_fn, bool floats_only) {
  std::mt19937_64 rng(7);
  for (const BinaryCase& c : kBinaryCases) {
    const OpInfo& info = op_info(c.op);
    if (floats_only && is_int(info.in)) continue;
    const std::vector<uint64_t> values =
        is_int(info.in) ? interesting_values() : values_of(info.in);
    for (const RegAssignment& r : kAssignments) {
      auto masm = backend.new_function();
      masm->prologue(4);
      masm->load_slot(r.lhs, 0);
      masm->load_slot(r.rhs, 1);
      ASSERT_TRUE(masm->binary(c.op, r.dst, r.lhs, r.rhs)) << info.name;
      masm->store_slot(2, r.dst);
      masm->epilogue();
      const void* entry = masm->finish();
      ASSERT_NE(entry, nullptr) << info.name;
      for (uint64_t a : values) {
        for (uint64_t b : values) {
          if (r.lhs == r.rhs) b = a;
          // 32-bit operands get garbage in their upper halves: only the low
          // 32 bits may matter.
          const bool narrow = info.in == ValType::I32 || info.in == ValType::F32;
          const uint64_t junk = narrow ? (rng() << 32) : 0;
          uint64_t expected = 0;
          const TrapKind want = c.ref(a, b, &expected);
          uint64_t out = 0;
          const TrapKind got = run_fn(entry, a ^ junk, b ^ (junk >> 1 << 32), &out);
          ASSERT_EQ(got, want) << info.name << " " << std::hex << a << ", " << b;
          if (want != TrapKind::None) continue;
          // 32-bit results are kept zero-extended.
          ASSERT_EQ(out, expected & mask_of(info.out))
              << info.name << " " << std::hex << a << ", " << b;
          if (r.lhs == r.rhs) break;
        }
      }
    }
  }
}

TEST_F(MasmA64Test, BinaryOperatorsMatchNumeric) {
  check_binary_ops(
      *backend_,
      [&](const void* entry, uint64_t a, uint64_t b, uint64_t* out) {
        reset();
        frame_[0] = a;
        frame_[1] = b;
        const TrapKind kind = run(entry);
        EXPECT_EQ(ctx_.depth, kind == TrapKind::None ? 0u : 1u);
        *out = frame_[2];
        return kind;
      },
      false);
}


// run_fn(entry, input, &output) runs a function that maps slot 0 to slot 2.
using UnaryRunner = std::function<TrapKind(const void*, uint64_t, uint64_t*)>;

void check_unary_ops(A64Backend& backend, const UnaryRunner& run_fn) {
  std::mt19937_64 rng(11);
  for (const UnaryCase& c : kUnaryCases) {
    const OpInfo& info = op_info(c.op);
    const std::vector<uint64_t> values =
        is_int(info.in) && is_int(info.out) ? interesting_values() : values_of(info.in);
    for (const RegAssignment& r : kAssignments) {
      auto masm = backend.new_function();
      masm->prologue(4);
      masm->load_slot(r.lhs, 0);
      ASSERT_TRUE(masm->unary(c.op, r.dst, r.lhs)) << info.name;
      masm->store_slot(2, r.dst);
      masm->epilogue();
      const void* entry = masm->finish();
      ASSERT_NE(entry, nullptr) << info.name;
      for (uint64_t a : values) {
        const uint64_t junk =
            info.in == ValType::I32 || info.in == ValType::F32 ? (rng() << 32) : 0;
        uint64_t expected = 0;
        const TrapKind want = c.ref(a & mask_of(info.in), &expected);
        uint64_t got = 0;
        ASSERT_EQ(run_fn(entry, a ^ junk, &got), want) << info.name << " " << std::hex << a;
        if (want != TrapKind::None) continue;
        ASSERT_EQ(got, expected & mask_of(info.out)) << info.name << " " << std::hex << a;
      }
    }
  }
}

TEST_F(MasmA64Test, UnaryOperatorsMatchNumeric) {
  check_unary_ops(*backend_, [&](const void* entry, uint64_t in, uint64_t* out) {
    reset();
    frame_[0] = in;
    const TrapKind kind = run(entry);
    *out = frame_[2];
    return kind;
  });
}


TEST_F(MasmA64Test, MovesAndSlots) {
  auto masm = backend_->new_function();
  masm->prologue(40);
  masm->mov_imm(0, 0);
  masm->store_slot(0, 0);
  masm->mov_imm(4, 0xffff'ffffu);
  masm->store_slot(1, 4);
  masm->mov_imm(6, ~uint64_t{0} - 5);
  masm->store_slot(2, 6);
  masm->mov_imm(5, 0x1234'5678'9abc'def0u);
  masm->mov(3, 5);
  masm->store_slot(3, 3);
  masm->store_slot_imm(4, ~uint64_t{0});
  masm->store_slot_imm(5, 0x8000'0000u);
  masm->store_slot_imm(6, 0x0123'4567'89ab'cdefu);
  masm->copy_slot(7, 6);
  masm->zero_slots(8, 3);
  masm->zero_slots(12, 20);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  ASSERT_EQ(run(entry), TrapKind::None);
  EXPECT_EQ(frame_[0], 0u);
  EXPECT_EQ(frame_[1], 0xffff'ffffu);
  EXPECT_EQ(frame_[2], ~uint64_t{0} - 5);
  EXPECT_EQ(frame_[3], 0x1234'5678'9abc'def0u);
  EXPECT_EQ(frame_[4], ~uint64_t{0});
  EXPECT_EQ(frame_[5], 0x8000'0000u);
  EXPECT_EQ(frame_[6], 0x0123'4567'89ab'cdefu);
  EXPECT_EQ(frame_[7], 0x0123'4567'89ab'cdefu);
  for (int i = 8; i < 11; ++i) EXPECT_EQ(frame_[i], 0u) << i;
  EXPECT_EQ(frame_[11], 0xdead'beef'dead'beefu);
  for (int i = 12; i < 32; ++i) EXPECT_EQ(frame_[i], 0u) << i;
  EXPECT_EQ(frame_[32], 0xdead'beef'dead'beefu);
  EXPECT_EQ(ctx_.depth, 0u);
}

TEST_F(MasmA64Test, SelectUsesLow32BitsOfCondition) {
  auto masm = backend_->new_function();
  masm->prologue(4);
  masm->load_slot(5, 0);  // dst / if_true
  masm->load_slot(0, 1);  // if_false
  masm->load_slot(6, 2);  // cond
  masm->select(5, 0, 6);
  masm->store_slot(3, 5);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  const struct {
    uint64_t cond, want;
  } cases[] = {{0, 222}, {1, 111}, {0x1'0000'0000u, 222}, {0x8000'0000u, 111}, {~0ull, 111}};
  for (const auto& c : cases) {
    reset();
    frame_[0] = 111;
    frame_[1] = 222;
    frame_[2] = c.cond;
    ASSERT_EQ(run(entry), TrapKind::None);
    EXPECT_EQ(frame_[3], c.want) << c.cond;
  }
}

TEST_F(MasmA64Test, BranchesAndJumpTables) {
  for (uint32_t n : {1u, 2u, 5u, 1000u}) {
    auto masm = backend_->new_function();
    masm->prologue(4);
    masm->load_slot(3, 0);
    std::vector<Label> targets;
    for (uint32_t i = 0; i < n; ++i) targets.push_back(masm->new_label());
    const Label end = masm->new_label();
    masm->jump_table(3, targets);
    for (uint32_t i = 0; i < n; ++i) {
      masm->bind(targets[i]);
      masm->store_slot_imm(1, 100 + i);
      masm->jump(end);
    }
    masm->bind(end);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    for (uint64_t index : {0ull, 1ull, 2ull, 4ull, 5ull, 999ull, 1000ull, 0x7fff'ffffull,
                           0xffff'ffffull, 0x1'0000'0001ull}) {
      reset();
      frame_[0] = index;
      ASSERT_EQ(run(entry), TrapKind::None);
      const uint64_t clamped = std::min<uint64_t>(index & 0xffff'ffffu, n - 1);
      EXPECT_EQ(frame_[1], 100 + clamped) << n << " " << index;
    }
  }

  auto masm = backend_->new_function();
  masm->prologue(4);
  masm->load_slot(4, 0);
  const Label zero = masm->new_label();
  const Label nonzero = masm->new_label();
  const Label end = masm->new_label();
  masm->branch_if_zero(4, zero);
  masm->branch_if_nonzero(4, nonzero);
  masm->trap(TrapKind::Unreachable);
  masm->bind(zero);
  masm->store_slot_imm(1, 10);
  masm->jump(end);
  masm->bind(nonzero);
  masm->store_slot_imm(1, 20);
  masm->bind(end);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  for (auto [cond, want] : {std::pair<uint64_t, uint64_t>{0, 10}, {5, 20}, {0x1'0000'0000u, 10}}) {
    reset();
    frame_[0] = cond;
    ASSERT_EQ(run(entry), TrapKind::None);
    EXPECT_EQ(frame_[1], want);
  }
}

TEST_F(MasmA64Test, ExplicitTrap) {
  auto masm = backend_->new_function();
  masm->prologue(2);
  masm->trap(TrapKind::Unreachable);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(run(entry), TrapKind::Unreachable);
}

TEST_F(MasmA64Test, ChargeGas) {
  auto masm = backend_->new_function();
  masm->prologue(2);
  masm->charge_gas(10);
  masm->store_slot_imm(0, 42);
  masm->charge_gas(uint64_t{1} << 40);
  masm->store_slot_imm(1, 43);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);

  reset();
  ctx_.gas_left = (uint64_t{1} << 40) + 15;
  ASSERT_EQ(run(entry), TrapKind::None);
  EXPECT_EQ(ctx_.gas_left, 5u);
  EXPECT_EQ(frame_[1], 43u);

  reset();
  ctx_.gas_left = (uint64_t{1} << 40) + 10;  // exactly enough
  ASSERT_EQ(run(entry), TrapKind::None);
  EXPECT_EQ(ctx_.gas_left, 0u);

  reset();
  ctx_.gas_left = 9;
  ASSERT_EQ(run(entry), TrapKind::OutOfGas);
  EXPECT_EQ(ctx_.gas_left, 0u);
  EXPECT_NE(frame_[0], 42u);

  reset();
  ctx_.gas_left = 100;
  ASSERT_EQ(run(entry), TrapKind::OutOfGas);
  EXPECT_EQ(ctx_.gas_left, 0u);
  EXPECT_EQ(frame_[0], 42u);
  EXPECT_NE(frame_[1], 43u);
}

TEST_F(MasmA64Test, PrologueChecksDepthAndStacks) {
  auto masm = backend_->new_function();
  masm->prologue(8);
  masm->store_slot_imm(0, 1);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);

  reset();
  ctx_.depth = 99;
  EXPECT_EQ(run(entry), TrapKind::None);
  EXPECT_EQ(ctx_.depth, 99u);

  reset();
  ctx_.depth = 100;  // == max_depth
  EXPECT_EQ(run(entry), TrapKind::CallStackExhausted);
  EXPECT_EQ(ctx_.depth, 100u);

  reset();
  ctx_.stack_end = frame_ + 8;  // exactly enough
  EXPECT_EQ(run(entry), TrapKind::None);
  ctx_.stack_end = frame_ + 7;
  EXPECT_EQ(run(entry), TrapKind::CallStackExhausted);

  reset();
  ctx_.native_stack_limit = UINTPTR_MAX;
  EXPECT_EQ(run(entry), TrapKind::CallStackExhausted);
  EXPECT_NE(frame_[0], 1u);
}

// call_func's direct path, its slow path (through call_slow) and call_indirect.
TEST_F(MasmA64Test, CallsFastSlowAndIndirect) {
  // callee: slot0 = slot0 + 10
  auto callee_masm = backend_->new_function();
  callee_masm->prologue(2);
  callee_masm->load_slot(0, 0);
  callee_masm->mov_imm(1, 10);
  ASSERT_TRUE(callee_masm->binary(Opcode::I64Add, 0, 0, 1));
  callee_masm->store_slot(0, 0);
  callee_masm->epilogue();
  const void* callee = callee_masm->finish();
  ASSERT_NE(callee, nullptr);

  FakeCode code{0, callee};
  FakeFunc func{&vm_, &code};
  vm_.func0 = &func;

  // caller: the callee's frame starts at slot 5; slot1 = callee(slot0)
  auto caller_masm = backend_->new_function();
  caller_masm->prologue(8);
  caller_masm->load_slot(2, 0);
  caller_masm->store_slot(5, 2);
  caller_masm->call_func(kFunc0, 5);
  caller_masm->load_slot(3, 5);
  caller_masm->store_slot(1, 3);
  caller_masm->epilogue();
  const void* caller = caller_masm->finish();
  ASSERT_NE(caller, nullptr);

  // Fast path.
  reset();
  frame_[0] = 5;
  g_slow.count = 0;
  ASSERT_EQ(run(caller), TrapKind::None);
  EXPECT_EQ(frame_[1], 15u);
  EXPECT_EQ(g_slow.count, 0);
  EXPECT_EQ(ctx_.depth, 0u);

  // Slow path: no compiled code, no code at all, another instance.
  for (int variant = 0; variant < 3; ++variant) {
    code.jit_entry = variant == 0 ? nullptr : callee;
    func.code = variant == 1 ? nullptr : &code;
    func.instance = variant == 2 ? static_cast<void*>(&code) : &vm_;
    reset();
    frame_[0] = 5;
    g_slow.count = 0;
    ASSERT_EQ(run(caller), TrapKind::None);
    EXPECT_EQ(frame_[1], 15u) << variant;
    EXPECT_EQ(g_slow.count, 1);
    EXPECT_EQ(g_slow.fp, frame_ + 5);
    EXPECT_EQ(g_slow.callee, reinterpret_cast<Func*>(&func));
    EXPECT_EQ(g_slow.ctx, reinterpret_cast<ExecContext*>(&ctx_));
    EXPECT_EQ(g_slow.caller, reinterpret_cast<InstanceData*>(&vm_));
  }
  code.jit_entry = callee;
  func.code = &code;
  func.instance = &vm_;

  // Indirect: the index may live in a register the call sequence uses.
  g_indirect_target = &func;
  g_indirect_type = 77;
  vm_.table0 = &func;  // any non-null Table*
  for (jit::Reg index_reg : {jit::Reg{0}, jit::Reg{1}, jit::Reg{6}}) {
    auto masm = backend_->new_function();
    masm->prologue(8);
    masm->load_slot(index_reg, 0);
    masm->store_slot_imm(4, 6);
    masm->call_indirect(index_reg, kTable0, 77, 4);
    masm->load_slot(3, 4);
    masm->store_slot(1, 3);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    reset();
    frame_[0] = 3;
    ASSERT_EQ(run(entry), TrapKind::None);
    EXPECT_EQ(frame_[1], 16u);
    reset();
    frame_[0] = 4;
    EXPECT_EQ(run(entry), TrapKind::UndefinedElement);
  }
  g_indirect_type = 78;
  {
    auto masm = backend_->new_function();
    masm->prologue(8);
    masm->mov_imm(2, 0);
    masm->call_indirect(2, kTable0, 77, 4);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    reset();
    EXPECT_EQ(run(entry), TrapKind::IndirectCallTypeMismatch);
  }
}

// Recursion through call_func: frames move by callee_fp_slot, the depth is
// counted per frame, and both limits stop it.
TEST_F(MasmA64Test, RecursionHitsDepthLimit) {
  // f(n): if n == 0 return 0; slot[1] = n - 1; call f at slot 1; return slot[1] + 1
  FakeCode code{0, nullptr};
  FakeFunc func{&vm_, &code};
  vm_.func0 = &func;
  auto masm = backend_->new_function();
  masm->prologue(3);
  masm->load_slot(0, 0);
  const Label base = masm->new_label();
  masm->branch_if_zero(0, base);
  masm->mov_imm(1, 1);
  ASSERT_TRUE(masm->binary(Opcode::I32Sub, 0, 0, 1));
  masm->store_slot(1, 0);
  masm->call_func(kFunc0, 1);
  masm->load_slot(0, 1);
  masm->mov_imm(1, 1);
  ASSERT_TRUE(masm->binary(Opcode::I32Add, 0, 0, 1));
  masm->store_slot(0, 0);
  masm->bind(base);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  code.jit_entry = entry;

  std::vector<uint64_t> stack(4096, 0);
  reset();
  ctx_.stack_end = stack.data() + stack.size();
  stack[0] = 50;
  ASSERT_EQ(run(*backend_, entry, stack.data()), TrapKind::None);
  EXPECT_EQ(stack[0], 50u);
  EXPECT_EQ(ctx_.depth, 0u);

  reset();
  ctx_.stack_end = stack.data() + stack.size();
  stack[0] = 150;  // more frames than max_depth (100)
  EXPECT_EQ(run(*backend_, entry, stack.data()), TrapKind::CallStackExhausted);

  reset();
  ctx_.max_depth = 100000;
  ctx_.stack_end = stack.data() + 40;  // value stack too small
  stack[0] = 60;
  EXPECT_EQ(run(*backend_, entry, stack.data()), TrapKind::CallStackExhausted);
}

TEST_F(MasmA64Test, GlobalsAndMemoryGrowAndSize) {
  global_.bits = 0x1122'3344'5566'7788u;
  memory_.size = 3 * 65536;
  auto masm = backend_->new_function();
  masm->prologue(8);
  masm->global_get(4, kGlobal0);
  masm->store_slot(0, 4);
  masm->load_slot(6, 1);
  masm->global_set(kGlobal0, 6);
  masm->memory_size(5);
  masm->store_slot(2, 5);
  masm->load_slot(1, 3);
  masm->memory_grow(0, 1);
  masm->store_slot(4, 0);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  reset();
  frame_[1] = 0xabcdef;
  frame_[3] = 0xffff'ffff'0000'0009u;
  ASSERT_EQ(run(entry), TrapKind::None);
  EXPECT_EQ(frame_[0], 0x1122'3344'5566'7788u);
  EXPECT_EQ(global_.bits, 0xabcdefu);
  EXPECT_EQ(frame_[2], 3u);
  EXPECT_EQ(g_grow_delta, 9u);
  EXPECT_EQ(g_grow_vm, reinterpret_cast<InstanceData*>(&vm_));
  EXPECT_EQ(frame_[4], 7u);
}

// Integer operators with a constant right operand: every immediate form
// (add/sub either sign, logical immediates, shifts and rotates by constants)
// and the fallback through a scratch register, against numeric.h.
TEST_F(MasmA64Test, BinaryImmMatchesNumeric) {
  const int32_t imms[] = {0,      1,          -1,         2,          7,         31,
                          32,     33,         63,         64,         65,        0xff,
                          0xff00, 0xfff,      0x1000,     0x1001,     0xfff000,  0x1000000,
                          -4095,  -4096,      -4097,      0x55555555, 0x0f0f0f0f, -256,
                          INT32_MIN, INT32_MAX, 0x7ffff000, -0x1000000};
  std::mt19937_64 rng(3);
  for (const BinaryCase& c : kBinaryCases) {
    const OpInfo& info = op_info(c.op);
    if (!is_int(info.in)) continue;
    for (int32_t imm : imms) {
      for (const RegAssignment& r : {RegAssignment{0, 0, 0}, RegAssignment{9, 3, 0}}) {
        auto masm = backend_->new_function();
        masm->prologue(4);
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
        masm->prologue(4);
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
  masm->prologue(static_cast<uint32_t>(frame.size()));
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
  for (uint64_t cost : {uint64_t{1}, uint64_t{4095}, uint64_t{4096}, uint64_t{4097},
                        uint64_t{0xfff000}, uint64_t{0x1000000}, uint64_t{0x123456789},
                        ~uint64_t{0}}) {
    auto masm = backend_->new_function();
    masm->prologue(2);
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
  callee_masm->prologue(2);
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
    masm->prologue(8);
    masm->load_slot(2, 0);
    masm->store_slot(5, 2);
    masm->call_local(&published, way == 1 ? callee : nullptr, false, kFunc0, 5);
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
  masm->prologue(3);
  masm->load_slot(0, 0);
  const Label base = masm->new_label();
  masm->branch_if_zero(0, base);
  ASSERT_TRUE(masm->binary_imm(Opcode::I32Sub, 0, 0, 1));
  masm->store_slot(1, 0);
  masm->call_local(&published, nullptr, true, kFunc0, 1);
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
  masm->prologue(4);
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

// ---- linear memory

struct LoadCase {
  Opcode op;
  uint64_t (*expect)(const uint8_t*);
};

template <ValType kVt, class Mt>
uint64_t expect_load(const uint8_t* p) {
  if constexpr (std::is_floating_point_v<Mt>) {
    using Bits = std::conditional_t<sizeof(Mt) == 4, uint32_t, uint64_t>;
    Bits b;
    std::memcpy(&b, p, sizeof b);
    return b;
  } else {
    Mt v;
    std::memcpy(&v, p, sizeof v);
    const auto wide = static_cast<int64_t>(v);  // sign- or zero-extends per Mt
    return kVt == ValType::I32 ? static_cast<uint32_t>(wide) : static_cast<uint64_t>(wide);
  }
}

const LoadCase kLoadCases[] = {
#define WVM_SPECIAL(...)
#define WVM_STORE(...)
#define WVM_UNARY(...)
#define WVM_BINARY(...)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) \
  {Opcode::name, &expect_load<ValType::vt, mt>},
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

const Opcode kStoreOps[] = {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_UNARY(...)
#define WVM_BINARY(...)
#define WVM_STORE(name, pfx, code, text, vt, mt, align) Opcode::name,
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

class MasmA64MemoryTest : public MasmA64Test,
                          public ::testing::WithParamInterface<BoundsStrategy> {
 protected:
  static constexpr size_t kPages = 1;
  static constexpr size_t kAccessible = kPages * 65536;
  // Guard mode reserves what a real 32-bit memory reserves.
  static constexpr size_t kReservation = (size_t{8} << 30) + 65536;

  void SetUp() override {
    MasmA64Test::SetUp();
    mem_backend_ = make_backend(GetParam());
    ASSERT_NE(mem_backend_, nullptr);
    const size_t size = GetParam() == BoundsStrategy::GuardPages ? kReservation : kAccessible;
    void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    ASSERT_EQ(mprotect(p, kAccessible, PROT_READ | PROT_WRITE), 0);
    base_ = static_cast<uint8_t*>(p);
    mapped_ = size;
    register_reservation(base_, mapped_);
    vm_.memory_base = base_;
    memory_.size = kAccessible;
    for (size_t i = 0; i < kAccessible; ++i) base_[i] = static_cast<uint8_t>(i * 37 + (i >> 8));
  }
  void TearDown() override {
    if (base_ != nullptr) {
      unregister_reservation(base_);
      munmap(base_, mapped_);
    }
  }

  TrapKind run_mem(const void* entry) { return run(*mem_backend_, entry, frame_); }

  std::unique_ptr<A64Backend> mem_backend_;
  uint8_t* base_ = nullptr;
  size_t mapped_ = 0;
};

TEST_P(MasmA64MemoryTest, LoadsMatchMemoryContents) {
  for (const LoadCase& c : kLoadCases) {
    const OpInfo& info = op_info(c.op);
    for (uint32_t offset : {0u, 3u, 1000u}) {
      auto masm = mem_backend_->new_function();
      masm->prologue(4);
      masm->load_slot(1, 0);
      ASSERT_TRUE(masm->load(c.op, 5, 1, offset)) << info.name;
      masm->store_slot(1, 5);
      masm->load_slot(6, 0);
      ASSERT_TRUE(masm->load(c.op, 6, 6, offset)) << info.name;  // dst == addr
      masm->store_slot(2, 6);
      masm->epilogue();
      const void* entry = masm->finish();
      ASSERT_NE(entry, nullptr);
      for (uint64_t addr : {uint64_t{0}, uint64_t{1}, uint64_t{4097}, uint64_t{kAccessible - 1000 - 8},
                            uint64_t{kAccessible - offset - info.mem_bytes},
                            // upper half is not part of an i32 address
                            uint64_t{0xffff'ffff'0000'0010u}}) {
        reset();
        frame_[0] = addr;
        ASSERT_EQ(run_mem(entry), TrapKind::None) << info.name << " " << addr;
        const uint64_t want = c.expect(base_ + static_cast<uint32_t>(addr) + offset);
        EXPECT_EQ(frame_[1], want) << info.name << " " << addr << "+" << offset;
        EXPECT_EQ(frame_[2], want) << info.name << " " << addr << "+" << offset;
      }
      // Out of bounds by one byte, far out, and the largest address + offset.
      for (uint64_t addr : {uint64_t{kAccessible - offset - info.mem_bytes + 1},
                            uint64_t{kAccessible}, uint64_t{0x8000'0000u},
                            uint64_t{0xffff'ffffu}}) {
        reset();
        frame_[0] = addr;
        EXPECT_EQ(run_mem(entry), TrapKind::MemoryOutOfBounds) << info.name << " " << addr;
        EXPECT_EQ(ctx_.depth, 1u);  // the trap left the frame counted
      }
    }
  }
}

TEST_P(MasmA64MemoryTest, HugeOffsetsTrap) {
  auto masm = mem_backend_->new_function();
  masm->prologue(4);
  masm->load_slot(0, 0);
  ASSERT_TRUE(masm->load(Opcode::I64Load, 1, 0, 0xffff'fff0u));
  masm->store_slot(1, 1);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  for (uint64_t addr : {uint64_t{0}, uint64_t{0x10}, uint64_t{0xffff'ffffu}}) {
    reset();
    frame_[0] = addr;
    EXPECT_EQ(run_mem(entry), TrapKind::MemoryOutOfBounds) << addr;
  }
}

TEST_P(MasmA64MemoryTest, StoresWriteExactlyTheirBytes) {
  const uint64_t value = 0x8877'6655'4433'2211u;
  for (Opcode op : kStoreOps) {
    const OpInfo& info = op_info(op);
    for (uint32_t offset : {0u, 5u}) {
      auto masm = mem_backend_->new_function();
      masm->prologue(4);
      masm->load_slot(0, 0);
      masm->load_slot(1, 1);
      ASSERT_TRUE(masm->store(op, 0, 1, offset)) << info.name;
      masm->epilogue();
      const void* entry = masm->finish();
      ASSERT_NE(entry, nullptr);
      for (uint64_t addr : {uint64_t{100}, uint64_t{kAccessible - offset - info.mem_bytes}}) {
        std::memset(base_, 0xee, kAccessible);
        reset();
        frame_[0] = addr;
        frame_[1] = value;
        ASSERT_EQ(run_mem(entry), TrapKind::None) << info.name;
        const uint8_t* p = base_ + addr + offset;
        for (uint32_t i = 0; i < info.mem_bytes; ++i) {
          EXPECT_EQ(p[i], static_cast<uint8_t>(value >> (8 * i))) << info.name << " byte " << i;
        }
        if (addr + offset + info.mem_bytes < kAccessible) {
          EXPECT_EQ(p[info.mem_bytes], 0xee);
        }
        EXPECT_EQ(p[-1], 0xee);
      }
      reset();
      frame_[0] = kAccessible - offset - info.mem_bytes + 1;
      frame_[1] = value;
      std::memset(base_, 0xee, kAccessible);
      EXPECT_EQ(run_mem(entry), TrapKind::MemoryOutOfBounds) << info.name;
      if (GetParam() == BoundsStrategy::ExplicitChecks) {
        // Explicit checks never write a partial value.
        EXPECT_EQ(base_[kAccessible - 1], 0xee);
      }
    }
  }
}

TEST_P(MasmA64MemoryTest, ExplicitChecksFollowTheCurrentSize) {
  auto masm = mem_backend_->new_function();
  masm->prologue(4);
  masm->load_slot(0, 0);
  ASSERT_TRUE(masm->load(Opcode::I32Load8U, 1, 0, 0));
  masm->store_slot(1, 1);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  memory_.size = 4096;  // the memory is smaller than what is mapped
  reset();
  frame_[0] = 4096;
  const TrapKind kind = run_mem(entry);
  if (GetParam() == BoundsStrategy::ExplicitChecks) {
    EXPECT_EQ(kind, TrapKind::MemoryOutOfBounds);
  } else {
    EXPECT_EQ(kind, TrapKind::None);  // guard pages see only the mapping
  }
}

// A fault on a guard page hands the gas register (x23) to the TrapScope, so
// the trap reports the gas left at the faulting access.
TEST_P(MasmA64MemoryTest, GuardFaultSavesGas) {
  auto masm = mem_backend_->new_function();
  masm->prologue(4);
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
                         [](const auto& info) {
                           return info.param == BoundsStrategy::GuardPages ? "GuardPages"
                                                                           : "ExplicitChecks";
                         });


}  // namespace
}  // namespace wvm::a64
