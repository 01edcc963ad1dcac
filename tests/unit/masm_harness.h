// The MacroAssembler tests every backend runs: tiny functions built directly
// through jit::MacroAssembler, run through the backend's enter() against fake
// runtime structures whose layout differs from the engine's (a backend may
// only use RuntimeInfo's offsets), and checked against module/numeric.h.
//
// A backend's test file (masm_<arch>_test.cc, the only file that includes
// this one) supplies a traits struct
//   struct Traits {
//     using Backend = ...;  // new_function(), enter(entry, fp, vm, ctx)
//     static std::unique_ptr<Backend> create(const jit::RuntimeInfo&, BoundsStrategy,
//                                            size_t arena_size);
//   };
// instantiates the two suites below
//   INSTANTIATE_TYPED_TEST_SUITE_P(Arch, MasmTest, Traits);
//   INSTANTIATE_TYPED_TEST_SUITE_P(Arch, MasmMemoryTest, BoundsParams<Traits>,
//                                  BoundsParamName);
// and adds its own tests on MasmTest<Traits> / MasmMemoryFixture<Traits>.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <csetjmp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "memory/trap_handler.h"
#include "module/numeric.h"
#include "module/opcodes.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/code_arena.h"
#include "tier1-jit/masm.h"
#include "wvm/config.h"

namespace wvm::masm_test {

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
  uintptr_t jit_depth_origin;
  uintptr_t jit_stack_limit;
};

inline constexpr uint32_t kGlobal0 = offsetof(FakeVm, global0);
inline constexpr uint32_t kFunc0 = offsetof(FakeVm, func0);
inline constexpr uint32_t kTable0 = offsetof(FakeVm, table0);

[[noreturn]] inline void test_trap(ExecContext*, uint32_t kind) {
  raise_trap(static_cast<int>(kind));
}

// call_slow: records its arguments and "runs" the callee: slot0 = slot0 * 3.
struct SlowCall {
  ExecContext* ctx;
  Func* callee;
  uint64_t* fp;
  InstanceData* caller;
  int count;
};
inline SlowCall g_slow;
inline void test_call_slow(ExecContext* ctx, Func* callee, uint64_t* fp, InstanceData* caller) {
  g_slow = {ctx, callee, fp, caller, g_slow.count + 1};
  fp[0] *= 3;
}

inline FakeFunc* g_indirect_target = nullptr;
inline uint32_t g_indirect_type = 0;
inline Func* test_resolve_indirect(ExecContext*, Table* table, uint32_t index, uint32_t type_id) {
  if (table == nullptr || index >= 4) raise_trap(static_cast<int>(TrapKind::UndefinedElement));
  if (type_id != g_indirect_type) {
    raise_trap(static_cast<int>(TrapKind::IndirectCallTypeMismatch));
  }
  return reinterpret_cast<Func*>(g_indirect_target);
}

inline uint32_t g_grow_delta = 0;
inline InstanceData* g_grow_vm = nullptr;
inline uint32_t test_memory_grow(InstanceData* vm, uint32_t delta) {
  g_grow_vm = vm;
  g_grow_delta = delta;
  return delta > 100 ? 0xffff'ffffu : 7;
}

inline jit::RuntimeInfo test_runtime_info() {
  jit::RuntimeInfo info{};
  info.ctx_gas_left = offsetof(FakeCtx, gas_left);
  info.ctx_depth = offsetof(FakeCtx, depth);
  info.ctx_max_depth = offsetof(FakeCtx, max_depth);
  info.ctx_stack_end = offsetof(FakeCtx, stack_end);
  info.ctx_native_stack_limit = offsetof(FakeCtx, native_stack_limit);
  info.ctx_jit_depth_origin = offsetof(FakeCtx, jit_depth_origin);
  info.ctx_jit_stack_limit = offsetof(FakeCtx, jit_stack_limit);
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

inline const BinaryCase kBinaryCases[] = {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_STORE(...)
#define WVM_UNARY(...)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  {Opcode::name, [](uint64_t a, uint64_t b, uint64_t* o) { return call_ref(&ops::impl, a, b, o); }},
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

inline const UnaryCase kUnaryCases[] = {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_STORE(...)
#define WVM_BINARY(...)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  {Opcode::name, [](uint64_t a, uint64_t* o) { return call_ref(&ops::impl, a, o); }},
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

inline bool is_int(ValType t) { return t == ValType::I32 || t == ValType::I64; }
inline uint64_t mask_of(ValType t) {
  return t == ValType::I32 || t == ValType::F32 ? 0xffff'ffffu : ~uint64_t{0};
}

// ---- operands

// Interesting operands: edges of both widths, powers of two, shift counts
// and random values.
inline std::vector<uint64_t> interesting_values() {
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
inline std::vector<uint64_t> conversion_int_values() {
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
// neighbours, the 2^p boundary of x86-64's no-SSE4.1 rounding, random bits.
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
inline std::vector<uint64_t> values_of(ValType t) {
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
// lhs == rhs, registers that need REX prefixes on x86-64 (r8-r11 are 2-5)
// and the highest of a backend's `num_regs` value registers (on AArch64
// the second bank: x24-x28 are 7-11).
struct RegAssignment {
  jit::Reg dst, lhs, rhs;
};
inline std::vector<RegAssignment> reg_assignments(int num_regs) {
  const auto top = [num_regs](int below) { return static_cast<jit::Reg>(num_regs - 1 - below); };
  std::vector<RegAssignment> v = {{0, 0, 1}, {2, 1, 0}, {6, 6, 5}, {5, 4, 6}, {3, 4, 4}, {1, 1, 1}};
  v.push_back({top(0), top(4), top(1)});
  v.push_back({top(3), top(3), 0});
  return v;
}

// ---- the fixture: a backend, the fake runtime, and a frame

inline constexpr size_t kArenaSize = size_t{4} << 20;
inline constexpr uint32_t kFrameSlots = 64;

template <class Traits>
class MasmTest : public ::testing::Test {
 protected:
  using Backend = typename Traits::Backend;

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

  std::unique_ptr<Backend> make_backend(BoundsStrategy bounds) {
    return Traits::create(info_, bounds, kArenaSize);
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

  TrapKind run(const Backend& backend, const void* entry, uint64_t* fp) {
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

  // Runs `entry` on fresh state with the given slots 0 and 1; the result is
  // slot 2. Compiled code never writes the depth: it counts its frames by
  // the native stack (tier1-jit/abi.h).
  TrapKind run_op(const Backend& backend, const void* entry, uint64_t a, uint64_t b,
                  uint64_t* out) {
    reset();
    frame_[0] = a;
    frame_[1] = b;
    const TrapKind kind = run(backend, entry, frame_);
    EXPECT_EQ(ctx_.depth, 0u);
    *out = frame_[2];
    return kind;
  }

  // Every binary row on interesting operand pairs, compared bit for bit with
  // numeric.h (NaN payloads included); traps must be the reference's kind.
  void check_binary_ops(const Backend& backend, bool floats_only) {
    std::mt19937_64 rng(7);
    const auto assignments = reg_assignments(backend.new_function()->num_value_regs());
    for (const BinaryCase& c : kBinaryCases) {
      const OpInfo& info = op_info(c.op);
      if (floats_only && is_int(info.in)) continue;
      const std::vector<uint64_t> values =
          is_int(info.in) ? interesting_values() : values_of(info.in);
      for (const RegAssignment& r : assignments) {
        auto masm = backend.new_function();
        masm->prologue();
        masm->set_frame_slots(4);
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
            const TrapKind got = run_op(backend, entry, a ^ junk, b ^ (junk >> 1 << 32), &out);
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

  // The same for every unary row (slot 0 to slot 2).
  void check_unary_ops(const Backend& backend) {
    std::mt19937_64 rng(11);
    const auto assignments = reg_assignments(backend.new_function()->num_value_regs());
    for (const UnaryCase& c : kUnaryCases) {
      const OpInfo& info = op_info(c.op);
      const std::vector<uint64_t> values =
          is_int(info.in) && is_int(info.out) ? interesting_values() : values_of(info.in);
      for (const RegAssignment& r : assignments) {
        auto masm = backend.new_function();
        masm->prologue();
        masm->set_frame_slots(4);
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
          ASSERT_EQ(run_op(backend, entry, a ^ junk, 0, &got), want)
              << info.name << " " << std::hex << a;
          if (want != TrapKind::None) continue;
          ASSERT_EQ(got, expected & mask_of(info.out)) << info.name << " " << std::hex << a;
        }
      }
    }
  }

  jit::RuntimeInfo info_ = test_runtime_info();
  std::unique_ptr<Backend> backend_;
  FakeVm vm_{};
  FakeCtx ctx_{};
  FakeMemory memory_{};
  FakeGlobal global_{};
  uint64_t frame_[kFrameSlots];
};

TYPED_TEST_SUITE_P(MasmTest);

TYPED_TEST_P(MasmTest, BinaryOperatorsMatchNumeric) {
  this->check_binary_ops(*this->backend_, false);
}

TYPED_TEST_P(MasmTest, UnaryOperatorsMatchNumeric) { this->check_unary_ops(*this->backend_); }

TYPED_TEST_P(MasmTest, MovesAndSlots) {
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(40);
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
  ASSERT_EQ(this->run(entry), TrapKind::None);
  const uint64_t* frame = this->frame_;
  EXPECT_EQ(frame[0], 0u);
  EXPECT_EQ(frame[1], 0xffff'ffffu);
  EXPECT_EQ(frame[2], ~uint64_t{0} - 5);
  EXPECT_EQ(frame[3], 0x1234'5678'9abc'def0u);
  EXPECT_EQ(frame[4], ~uint64_t{0});
  EXPECT_EQ(frame[5], 0x8000'0000u);
  EXPECT_EQ(frame[6], 0x0123'4567'89ab'cdefu);
  EXPECT_EQ(frame[7], 0x0123'4567'89ab'cdefu);
  for (int i = 8; i < 11; ++i) EXPECT_EQ(frame[i], 0u) << i;
  EXPECT_EQ(frame[11], 0xdead'beef'dead'beefu);
  for (int i = 12; i < 32; ++i) EXPECT_EQ(frame[i], 0u) << i;
  EXPECT_EQ(frame[32], 0xdead'beef'dead'beefu);
  EXPECT_EQ(this->ctx_.depth, 0u);
}

// Every zeroing strategy (single stores, the vector loop and its tail, the
// bulk path for big frames) at every alignment of the first slot: exactly
// the asked slots become zero, the slots between keep their marker, and the
// value registers survive.
TYPED_TEST_P(MasmTest, ZeroSlotsEveryCountAndAlignment) {
  std::vector<std::pair<uint32_t, uint32_t>> ranges;  // first, count
  uint32_t next = 1;
  auto add = [&](uint32_t count) {
    ranges.push_back({next, count});
    next += count + 1 + (next % 3);  // a marker gap, varying the alignment
  };
  for (uint32_t count = 0; count <= 40; ++count)
    for (int align = 0; align < 4; ++align) add(count);
  for (uint32_t count : {63u, 64u, 65u, 255u, 256u, 257u, 1000u, 1001u, 49'999u}) add(count);
  std::vector<uint64_t> frame(next + 32, 0);
  auto masm = this->backend_->new_function();
  const int regs = masm->num_value_regs();
  masm->prologue();
  masm->set_frame_slots(static_cast<uint32_t>(frame.size()));
  for (int r = 0; r < regs; ++r) masm->mov_imm(static_cast<jit::Reg>(r), 0x5150'0000u + r);
  for (auto [first, count] : ranges) masm->zero_slots(first, count);
  for (int r = 0; r < regs; ++r) masm->store_slot(next + r, static_cast<jit::Reg>(r));
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  this->reset();
  this->ctx_.stack_end = frame.data() + frame.size();
  for (uint64_t& slot : frame) slot = 0xdead'beef'dead'beefu;
  ASSERT_EQ(this->run(*this->backend_, entry, frame.data()), TrapKind::None);
  std::vector<bool> zeroed(frame.size(), false);
  for (auto [first, count] : ranges)
    for (uint32_t i = first; i < first + count; ++i) zeroed[i] = true;
  for (uint32_t i = 0; i < next; ++i)
    ASSERT_EQ(frame[i], zeroed[i] ? 0u : 0xdead'beef'dead'beefu) << "slot " << i;
  for (int r = 0; r < regs; ++r) EXPECT_EQ(frame[next + r], 0x5150'0000u + r) << "register " << r;
}

TYPED_TEST_P(MasmTest, SelectUsesLow32BitsOfCondition) {
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(4);
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
    this->reset();
    this->frame_[0] = 111;
    this->frame_[1] = 222;
    this->frame_[2] = c.cond;
    ASSERT_EQ(this->run(entry), TrapKind::None);
    EXPECT_EQ(this->frame_[3], c.want) << c.cond;
  }
}

// select on a comparison: the compare reads its operands before dst is
// written (dst may be either one), has the comparison's width, and the move
// takes all 64 bits whatever that width.
TYPED_TEST_P(MasmTest, CompareSelectAliasesAndWidths) {
  constexpr uint64_t kIfTrue = 0xdead'beef'0000'0001, kIfFalse = 0x1234'5678'9abc'def0;
  const struct {
    Opcode op;
    uint64_t lhs, rhs;
    bool holds;
  } cases[] = {
      {Opcode::I32LtS, 0xffffffff, 0, true},  // -1 < 0 as 32 bits
      {Opcode::I32LtU, 0xffffffff, 0, false},
      {Opcode::I64LtS, 0xffffffff, 0, false},   // not as 64 bits
      {Opcode::I32Eq, 0x1'0000'0000, 0, true},  // the low halves are equal
      {Opcode::I64Eq, 0x1'0000'0000, 0, false},
      {Opcode::I64Ne, 0x1'0000'0000, 0, true},
      {Opcode::I64GeU, 0x8000'0000'0000'0000, 1, true},
      {Opcode::I64GtS, 0x8000'0000'0000'0000, 1, false},
      {Opcode::I32GeS, 0x7fffffff, 0xffffffff, true},
      {Opcode::I32LeU, 0x7fffffff, 1, false},
  };
  enum Dst { kOwn, kLhs, kRhs };
  for (const auto& c : cases) {
    for (bool imm : {false, true}) {
      for (Dst d : {kOwn, kLhs, kRhs}) {
        if (imm && d == kRhs) continue;
        auto masm = this->backend_->new_function();
        masm->prologue();
        masm->set_frame_slots(5);
        masm->load_slot(0, 0);  // lhs
        masm->load_slot(1, 1);  // rhs
        masm->load_slot(2, 2);  // a dst of its own
        masm->load_slot(3, 3);  // if_false
        const jit::Reg dst = d == kOwn ? 2 : d == kLhs ? 0 : 1;
        ASSERT_TRUE(imm ? masm->compare_imm_select(c.op, 0, static_cast<int32_t>(c.rhs), dst, 3)
                        : masm->compare_select(c.op, 0, 1, dst, 3));
        masm->store_slot(4, dst);
        masm->epilogue();
        const void* entry = masm->finish();
        ASSERT_NE(entry, nullptr);
        this->reset();
        this->frame_[0] = c.lhs;
        this->frame_[1] = c.rhs;
        this->frame_[2] = kIfTrue;
        this->frame_[3] = kIfFalse;
        ASSERT_EQ(this->run(entry), TrapKind::None);
        const uint64_t if_true = d == kOwn ? kIfTrue : d == kLhs ? c.lhs : c.rhs;
        EXPECT_EQ(this->frame_[4], c.holds ? if_true : kIfFalse)
            << op_info(c.op).name << (imm ? " imm" : "") << " dst " << d;
      }
    }
  }
}

TYPED_TEST_P(MasmTest, BranchesAndJumpTables) {
  for (uint32_t n : {1u, 2u, 5u, 1000u}) {
    auto masm = this->backend_->new_function();
    masm->prologue();
    masm->set_frame_slots(4);
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
      this->reset();
      this->frame_[0] = index;
      ASSERT_EQ(this->run(entry), TrapKind::None);
      const uint64_t clamped = std::min<uint64_t>(index & 0xffff'ffffu, n - 1);
      EXPECT_EQ(this->frame_[1], 100 + clamped) << n << " " << index;
    }
  }

  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(4);
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
    this->reset();
    this->frame_[0] = cond;
    ASSERT_EQ(this->run(entry), TrapKind::None);
    EXPECT_EQ(this->frame_[1], want);
  }
}

TYPED_TEST_P(MasmTest, ExplicitTrap) {
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(2);
  masm->trap(TrapKind::Unreachable);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(this->run(entry), TrapKind::Unreachable);
}

TYPED_TEST_P(MasmTest, ChargeGas) {
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(2);
  masm->charge_gas(10);
  masm->store_slot_imm(0, 42);
  masm->charge_gas(uint64_t{1} << 40);
  masm->store_slot_imm(1, 43);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  FakeCtx& ctx = this->ctx_;
  const uint64_t* frame = this->frame_;

  this->reset();
  ctx.gas_left = (uint64_t{1} << 40) + 15;
  ASSERT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(ctx.gas_left, 5u);
  EXPECT_EQ(frame[1], 43u);

  this->reset();
  ctx.gas_left = (uint64_t{1} << 40) + 10;  // exactly enough
  ASSERT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(ctx.gas_left, 0u);

  this->reset();
  ctx.gas_left = 9;
  ASSERT_EQ(this->run(entry), TrapKind::OutOfGas);
  EXPECT_EQ(ctx.gas_left, 0u);
  EXPECT_NE(frame[0], 42u);

  this->reset();
  ctx.gas_left = 100;
  ASSERT_EQ(this->run(entry), TrapKind::OutOfGas);
  EXPECT_EQ(ctx.gas_left, 0u);
  EXPECT_EQ(frame[0], 42u);
  EXPECT_NE(frame[1], 43u);
}

// A bulk operator's charge: rate times the low 32 bits of the count register
// (the high half is garbage here), out of gas leaving 0, registers kept.
TYPED_TEST_P(MasmTest, ChargeGasPerUnit) {
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(4);
  masm->load_slot(2, 0);
  masm->charge_gas_per_unit(2, 3);
  masm->store_slot(1, 2);
  masm->charge_gas_per_unit(2, 1);
  masm->charge_gas_per_unit(2, 0x7fff'ffff);
  masm->store_slot_imm(2, 42);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  FakeCtx& ctx = this->ctx_;
  uint64_t* frame = this->frame_;
  const uint64_t units = 0xffff'ffffu;
  const uint64_t total = units * 3 + units + units * 0x7fff'ffffu;

  this->reset();
  frame[0] = 0xabcd'0000'0000'0000u | units;
  ctx.gas_left = total + 5;
  ASSERT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(ctx.gas_left, 5u);
  EXPECT_EQ(frame[1], 0xabcd'0000'0000'0000u | units) << "the count register survives";
  EXPECT_EQ(frame[2], 42u);

  this->reset();
  frame[0] = units;
  ctx.gas_left = total;  // exactly enough
  ASSERT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(ctx.gas_left, 0u);

  this->reset();
  frame[0] = 0xffff'ffff'0000'0002u;  // 2 units
  ctx.gas_left = 5;
  ASSERT_EQ(this->run(entry), TrapKind::OutOfGas);
  EXPECT_EQ(ctx.gas_left, 0u);
  EXPECT_EQ(frame[1], 0xdead'beef'dead'beefu);
}

TYPED_TEST_P(MasmTest, PrologueChecksDepthAndStacks) {
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(8);
  masm->store_slot_imm(0, 1);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  FakeCtx& ctx = this->ctx_;
  uint64_t* frame = this->frame_;

  this->reset();
  ctx.depth = 99;
  EXPECT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(ctx.depth, 99u);

  this->reset();
  ctx.depth = 100;  // == max_depth
  EXPECT_EQ(this->run(entry), TrapKind::CallStackExhausted);
  EXPECT_EQ(ctx.depth, 100u);

  this->reset();
  ctx.stack_end = frame + 8;  // exactly enough
  EXPECT_EQ(this->run(entry), TrapKind::None);
  ctx.stack_end = frame + 7;
  EXPECT_EQ(this->run(entry), TrapKind::CallStackExhausted);

  this->reset();
  ctx.native_stack_limit = UINTPTR_MAX;
  EXPECT_EQ(this->run(entry), TrapKind::CallStackExhausted);
  EXPECT_NE(frame[0], 1u);

  // The entry restores the depth origin and stack limit of an outer entry.
  this->reset();
  ctx.jit_depth_origin = 1234;
  ctx.jit_stack_limit = 5678;
  EXPECT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(ctx.jit_depth_origin, 1234u);
  EXPECT_EQ(ctx.jit_stack_limit, 5678u);
}

// call_func's direct path, its slow path (through call_slow) and call_indirect.
TYPED_TEST_P(MasmTest, CallsFastSlowAndIndirect) {
  const auto& backend = *this->backend_;
  FakeVm& vm = this->vm_;
  FakeCtx& ctx = this->ctx_;
  uint64_t* frame = this->frame_;
  // callee: slot0 = slot0 + 10
  auto callee_masm = backend.new_function();
  callee_masm->prologue();
  callee_masm->set_frame_slots(2);
  callee_masm->load_slot(0, 0);
  callee_masm->mov_imm(1, 10);
  ASSERT_TRUE(callee_masm->binary(Opcode::I64Add, 0, 0, 1));
  callee_masm->store_slot(0, 0);
  callee_masm->epilogue();
  const void* callee = callee_masm->finish();
  ASSERT_NE(callee, nullptr);

  FakeCode code{0, callee};
  FakeFunc func{&vm, &code};
  vm.func0 = &func;

  // caller: the callee's frame starts at slot 5; slot1 = callee(slot0)
  auto caller_masm = backend.new_function();
  caller_masm->prologue();
  caller_masm->set_frame_slots(8);
  caller_masm->load_slot(2, 0);
  caller_masm->store_slot(5, 2);
  caller_masm->call_func(kFunc0, 5);
  caller_masm->load_slot(3, 5);
  caller_masm->store_slot(1, 3);
  caller_masm->epilogue();
  const void* caller = caller_masm->finish();
  ASSERT_NE(caller, nullptr);

  // Fast path.
  this->reset();
  frame[0] = 5;
  g_slow.count = 0;
  ASSERT_EQ(this->run(caller), TrapKind::None);
  EXPECT_EQ(frame[1], 15u);
  EXPECT_EQ(g_slow.count, 0);
  EXPECT_EQ(ctx.depth, 0u);

  // Slow path: no compiled code, no code at all, another instance.
  for (int variant = 0; variant < 3; ++variant) {
    code.jit_entry = variant == 0 ? nullptr : callee;
    func.code = variant == 1 ? nullptr : &code;
    func.instance = variant == 2 ? static_cast<void*>(&code) : &vm;
    this->reset();
    frame[0] = 5;
    g_slow.count = 0;
    ASSERT_EQ(this->run(caller), TrapKind::None);
    EXPECT_EQ(frame[1], 15u) << variant;
    EXPECT_EQ(g_slow.count, 1);
    EXPECT_EQ(g_slow.fp, frame + 5);
    EXPECT_EQ(g_slow.callee, reinterpret_cast<Func*>(&func));
    EXPECT_EQ(g_slow.ctx, reinterpret_cast<ExecContext*>(&ctx));
    EXPECT_EQ(g_slow.caller, reinterpret_cast<InstanceData*>(&vm));
  }
  code.jit_entry = callee;
  func.code = &code;
  func.instance = &vm;

  // Indirect: the index may live in a register the call sequence uses.
  g_indirect_target = &func;
  g_indirect_type = 77;
  vm.table0 = &func;  // any non-null Table*
  for (jit::Reg index_reg : {jit::Reg{0}, jit::Reg{1}, jit::Reg{6}}) {
    auto masm = backend.new_function();
    masm->prologue();
    masm->set_frame_slots(8);
    masm->load_slot(index_reg, 0);
    masm->store_slot_imm(4, 6);
    masm->call_indirect(index_reg, kTable0, 0, 77, 4);
    masm->load_slot(3, 4);
    masm->store_slot(1, 3);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    this->reset();
    frame[0] = 3;
    ASSERT_EQ(this->run(entry), TrapKind::None);
    EXPECT_EQ(frame[1], 16u);
    this->reset();
    frame[0] = 4;
    EXPECT_EQ(this->run(entry), TrapKind::UndefinedElement);
  }
  g_indirect_type = 78;
  {
    auto masm = backend.new_function();
    masm->prologue();
    masm->set_frame_slots(8);
    masm->mov_imm(2, 0);
    masm->call_indirect(2, kTable0, 0, 77, 4);
    masm->epilogue();
    const void* entry = masm->finish();
    ASSERT_NE(entry, nullptr);
    this->reset();
    EXPECT_EQ(this->run(entry), TrapKind::IndirectCallTypeMismatch);
  }
}

// Recursion through call_func: frames move by callee_fp_slot, the depth is
// counted per frame, and both limits stop it.
TYPED_TEST_P(MasmTest, RecursionHitsDepthLimit) {
  const auto& backend = *this->backend_;
  FakeCtx& ctx = this->ctx_;
  // f(n): if n == 0 return 0; slot[1] = n - 1; call f at slot 1; return slot[1] + 1
  FakeCode code{0, nullptr};
  FakeFunc func{&this->vm_, &code};
  this->vm_.func0 = &func;
  auto masm = backend.new_function();
  masm->prologue();
  masm->set_frame_slots(3);
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
  this->reset();
  ctx.stack_end = stack.data() + stack.size();
  stack[0] = 50;
  ASSERT_EQ(this->run(backend, entry, stack.data()), TrapKind::None);
  EXPECT_EQ(stack[0], 50u);
  EXPECT_EQ(ctx.depth, 0u);

  this->reset();
  ctx.stack_end = stack.data() + stack.size();
  stack[0] = 150;  // more frames than max_depth (100)
  EXPECT_EQ(this->run(backend, entry, stack.data()), TrapKind::CallStackExhausted);

  // Exactly max_depth frames: f(n) takes n + 1 of them, on top of the
  // depth already counted when compiled code is entered.
  for (uint32_t outer : {0u, 1u, 37u, 99u}) {
    const uint64_t n = 100 - outer - 1;
    this->reset();
    ctx.depth = outer;
    ctx.stack_end = stack.data() + stack.size();
    stack[0] = n;
    EXPECT_EQ(this->run(backend, entry, stack.data()), TrapKind::None) << outer;
    EXPECT_EQ(stack[0], n);
    this->reset();
    ctx.depth = outer;
    ctx.stack_end = stack.data() + stack.size();
    stack[0] = n + 1;
    EXPECT_EQ(this->run(backend, entry, stack.data()), TrapKind::CallStackExhausted) << outer;
  }

  this->reset();
  ctx.max_depth = 100000;
  ctx.stack_end = stack.data() + 40;  // value stack too small
  stack[0] = 60;
  EXPECT_EQ(this->run(backend, entry, stack.data()), TrapKind::CallStackExhausted);
}

TYPED_TEST_P(MasmTest, GlobalsAndMemoryGrowAndSize) {
  this->global_.bits = 0x1122'3344'5566'7788u;
  this->memory_.size = 3 * 65536;
  auto masm = this->backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(8);
  masm->global_get(4, kGlobal0);
  masm->store_slot(0, 4);
  masm->load_slot(6, 1);
  masm->global_set(kGlobal0, 6);
  masm->memory_size(5);
  masm->store_slot(2, 5);
  masm->load_slot(1, 3);  // delta (x86-64: in rdi, an argument register of the call)
  masm->memory_grow(0, 1);
  masm->store_slot(4, 0);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  this->reset();
  this->frame_[1] = 0xabcdef;
  this->frame_[3] = 0xffff'ffff'0000'0009u;
  ASSERT_EQ(this->run(entry), TrapKind::None);
  EXPECT_EQ(this->frame_[0], 0x1122'3344'5566'7788u);
  EXPECT_EQ(this->global_.bits, 0xabcdefu);
  EXPECT_EQ(this->frame_[2], 3u);
  EXPECT_EQ(g_grow_delta, 9u);
  EXPECT_EQ(g_grow_vm, reinterpret_cast<InstanceData*>(&this->vm_));
  EXPECT_EQ(this->frame_[4], 7u);
}

// The arena under every backend: never one mapping that is both writable
// and executable.
TYPED_TEST_P(MasmTest, CodeArenaDualMappedAndBumpAllocated) {
  auto arena = jit::CodeArena::create(1 << 16);
  ASSERT_NE(arena, nullptr);
  uint8_t* rw = nullptr;
  uint8_t* rx = arena->allocate(10, &rw);
  ASSERT_NE(rx, nullptr);
  EXPECT_NE(rx, rw);
  EXPECT_TRUE(arena->contains(rx));
  EXPECT_FALSE(arena->contains(rw));
  rw[0] = 0xc3;
  EXPECT_EQ(rx[0], 0xc3);  // same memory
  uint8_t* rw2 = nullptr;
  uint8_t* rx2 = arena->allocate(1, &rw2);
  EXPECT_EQ(rx2, rx + 16);
  EXPECT_EQ(arena->allocate(1 << 16, &rw2), nullptr);  // full
}

REGISTER_TYPED_TEST_SUITE_P(MasmTest, BinaryOperatorsMatchNumeric, UnaryOperatorsMatchNumeric,
                            MovesAndSlots, ZeroSlotsEveryCountAndAlignment,
                            SelectUsesLow32BitsOfCondition, CompareSelectAliasesAndWidths,
                            BranchesAndJumpTables,
                            ExplicitTrap, ChargeGas, ChargeGasPerUnit,
                            PrologueChecksDepthAndStacks,
                            CallsFastSlowAndIndirect, RecursionHitsDepthLimit,
                            GlobalsAndMemoryGrowAndSize, CodeArenaDualMappedAndBumpAllocated);

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

inline const LoadCase kLoadCases[] = {
#define WVM_SPECIAL(...)
#define WVM_STORE(...)
#define WVM_UNARY(...)
#define WVM_BINARY(...)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) \
  {Opcode::name, &expect_load<ValType::vt, mt>},
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

inline const Opcode kStoreOps[] = {
#define WVM_SPECIAL(...)
#define WVM_LOAD(...)
#define WVM_UNARY(...)
#define WVM_BINARY(...)
#define WVM_STORE(name, pfx, code, text, vt, mt, align) Opcode::name,
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};

// One page of memory, accessible; the rest of the mapping is PROT_NONE.
inline constexpr size_t kAccessible = 65536;
// Guard mode reserves what a real 32-bit memory reserves.
inline constexpr size_t kReservation = (size_t{8} << 30) + 65536;

inline const char* bounds_name(BoundsStrategy bounds) {
  return bounds == BoundsStrategy::GuardPages ? "GuardPages" : "ExplicitChecks";
}

// A backend for `bounds` and a memory mapped for it (see map_memory).
template <class Traits>
class MasmMemoryFixture : public MasmTest<Traits> {
 protected:
  using Backend = typename Traits::Backend;

  // Call from SetUp after MasmTest::SetUp().
  void map_memory(BoundsStrategy bounds) {
    bounds_ = bounds;
    mem_backend_ = this->make_backend(bounds);
    ASSERT_NE(mem_backend_, nullptr);
    const size_t size = bounds == BoundsStrategy::GuardPages ? kReservation : kAccessible;
    void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    ASSERT_EQ(mprotect(p, kAccessible, PROT_READ | PROT_WRITE), 0);
    base_ = static_cast<uint8_t*>(p);
    mapped_ = size;
    register_reservation(base_, mapped_);
    this->vm_.memory_base = base_;
    this->memory_.size = kAccessible;
    for (size_t i = 0; i < kAccessible; ++i) base_[i] = static_cast<uint8_t>(i * 37 + (i >> 8));
  }
  void TearDown() override {
    if (base_ != nullptr) {
      unregister_reservation(base_);
      munmap(base_, mapped_);
    }
  }

  TrapKind run_mem(const void* entry) { return this->run(*mem_backend_, entry, this->frame_); }

  BoundsStrategy bounds_ = BoundsStrategy::GuardPages;
  std::unique_ptr<Backend> mem_backend_;
  uint8_t* base_ = nullptr;
  size_t mapped_ = 0;
};

// The type parameter of MasmMemoryTest: a backend and a bounds strategy.
template <class BackendTraits, BoundsStrategy kBoundsStrategy>
struct Bounded {
  using Traits = BackendTraits;
  static constexpr BoundsStrategy kBounds = kBoundsStrategy;
};
template <class Traits>
using BoundsParams = ::testing::Types<Bounded<Traits, BoundsStrategy::GuardPages>,
                                      Bounded<Traits, BoundsStrategy::ExplicitChecks>>;
struct BoundsParamName {
  template <class P>
  static std::string GetName(int) {
    return bounds_name(P::kBounds);
  }
};

template <class P>
class MasmMemoryTest : public MasmMemoryFixture<typename P::Traits> {
 protected:
  void SetUp() override {
    MasmMemoryFixture<typename P::Traits>::SetUp();
    this->map_memory(P::kBounds);
  }
};

TYPED_TEST_SUITE_P(MasmMemoryTest);

TYPED_TEST_P(MasmMemoryTest, LoadsMatchMemoryContents) {
  const uint8_t* base = this->base_;
  for (const LoadCase& c : kLoadCases) {
    const OpInfo& info = op_info(c.op);
    for (uint32_t offset : {0u, 3u, 1000u}) {
      auto masm = this->mem_backend_->new_function();
      masm->prologue();
      masm->set_frame_slots(4);
      masm->load_slot(1, 0);
      ASSERT_TRUE(masm->load(c.op, 5, 1, offset)) << info.name;
      masm->store_slot(1, 5);
      masm->load_slot(6, 0);
      ASSERT_TRUE(masm->load(c.op, 6, 6, offset)) << info.name;  // dst == addr
      masm->store_slot(2, 6);
      masm->epilogue();
      const void* entry = masm->finish();
      ASSERT_NE(entry, nullptr);
      for (uint64_t addr :
           {uint64_t{0}, uint64_t{1}, uint64_t{4097}, uint64_t{kAccessible - 1000 - 8},
            uint64_t{kAccessible - offset - info.mem_bytes},
            // upper half is not part of an i32 address
            uint64_t{0xffff'ffff'0000'0010u}}) {
        this->reset();
        this->frame_[0] = addr;
        ASSERT_EQ(this->run_mem(entry), TrapKind::None) << info.name << " " << addr;
        const uint64_t want = c.expect(base + static_cast<uint32_t>(addr) + offset);
        EXPECT_EQ(this->frame_[1], want) << info.name << " " << addr << "+" << offset;
        EXPECT_EQ(this->frame_[2], want) << info.name << " " << addr << "+" << offset;
      }
      // Out of bounds by one byte, far out, and the largest address + offset.
      for (uint64_t addr :
           {uint64_t{kAccessible - offset - info.mem_bytes + 1}, uint64_t{kAccessible},
            uint64_t{0x8000'0000u}, uint64_t{0xffff'ffffu}}) {
        this->reset();
        this->frame_[0] = addr;
        EXPECT_EQ(this->run_mem(entry), TrapKind::MemoryOutOfBounds) << info.name << " " << addr;
        EXPECT_EQ(this->ctx_.depth, 0u);  // counted by the stack, not in memory
      }
    }
  }
}

TYPED_TEST_P(MasmMemoryTest, HugeOffsetsTrap) {
  auto masm = this->mem_backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(4);
  masm->load_slot(0, 0);
  ASSERT_TRUE(masm->load(Opcode::I64Load, 1, 0, 0xffff'fff0u));
  masm->store_slot(1, 1);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  for (uint64_t addr : {uint64_t{0}, uint64_t{0x10}, uint64_t{0xffff'ffffu}}) {
    this->reset();
    this->frame_[0] = addr;
    EXPECT_EQ(this->run_mem(entry), TrapKind::MemoryOutOfBounds) << addr;
  }
}

TYPED_TEST_P(MasmMemoryTest, StoresWriteExactlyTheirBytes) {
  uint8_t* base = this->base_;
  const uint64_t value = 0x8877'6655'4433'2211u;
  for (Opcode op : kStoreOps) {
    const OpInfo& info = op_info(op);
    for (uint32_t offset : {0u, 5u}) {
      auto masm = this->mem_backend_->new_function();
      masm->prologue();
      masm->set_frame_slots(4);
      masm->load_slot(0, 0);  // addr
      masm->load_slot(1, 1);  // value (x86-64: rdi, whose low byte needs REX)
      ASSERT_TRUE(masm->store(op, 0, 1, offset)) << info.name;
      masm->epilogue();
      const void* entry = masm->finish();
      ASSERT_NE(entry, nullptr);
      for (uint64_t addr : {uint64_t{100}, uint64_t{kAccessible - offset - info.mem_bytes}}) {
        std::memset(base, 0xee, kAccessible);
        this->reset();
        this->frame_[0] = addr;
        this->frame_[1] = value;
        ASSERT_EQ(this->run_mem(entry), TrapKind::None) << info.name;
        const uint8_t* p = base + addr + offset;
        for (uint32_t i = 0; i < info.mem_bytes; ++i) {
          EXPECT_EQ(p[i], static_cast<uint8_t>(value >> (8 * i))) << info.name << " byte " << i;
        }
        if (addr + offset + info.mem_bytes < kAccessible) {
          EXPECT_EQ(p[info.mem_bytes], 0xee);
        }
        EXPECT_EQ(p[-1], 0xee);
      }
      this->reset();
      this->frame_[0] = kAccessible - offset - info.mem_bytes + 1;
      this->frame_[1] = value;
      std::memset(base, 0xee, kAccessible);
      EXPECT_EQ(this->run_mem(entry), TrapKind::MemoryOutOfBounds) << info.name;
      if (this->bounds_ == BoundsStrategy::ExplicitChecks) {
        // Explicit checks never write a partial value.
        EXPECT_EQ(base[kAccessible - 1], 0xee);
      }
    }
  }
}

TYPED_TEST_P(MasmMemoryTest, ExplicitChecksFollowTheCurrentSize) {
  auto masm = this->mem_backend_->new_function();
  masm->prologue();
  masm->set_frame_slots(4);
  masm->load_slot(0, 0);
  ASSERT_TRUE(masm->load(Opcode::I32Load8U, 1, 0, 0));
  masm->store_slot(1, 1);
  masm->epilogue();
  const void* entry = masm->finish();
  ASSERT_NE(entry, nullptr);
  this->memory_.size = 4096;  // the memory is smaller than what is mapped
  this->reset();
  this->frame_[0] = 4096;
  const TrapKind kind = this->run_mem(entry);
  if (this->bounds_ == BoundsStrategy::ExplicitChecks) {
    EXPECT_EQ(kind, TrapKind::MemoryOutOfBounds);
  } else {
    EXPECT_EQ(kind, TrapKind::None);  // guard pages see only the mapping
  }
}

REGISTER_TYPED_TEST_SUITE_P(MasmMemoryTest, LoadsMatchMemoryContents, HugeOffsetsTrap,
                            StoresWriteExactlyTheirBytes, ExplicitChecksFollowTheCurrentSize);

}  // namespace wvm::masm_test
