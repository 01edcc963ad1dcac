// The C++-to-JIT entry trampoline for AArch64 Linux.
#include "codegen-arm64/backend_arm64.h"

#include <asmjit/core.h>
#include <asmjit/arm/a64assembler.h>

namespace wvm::a64 {

namespace a64 = asmjit::a64;
using CondCode = asmjit::arm::CondCode;

namespace {
// JIT code keeps the call's gas in x23 (masm_arm64.h): a fault hands it over.
constexpr int kGasRegister = 23;
// brk #0: what released code is overwritten with.
constexpr uint32_t kBrkWord = 0xD4200000u;
}  // namespace

std::unique_ptr<A64Backend> A64Backend::create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                               size_t arena_size) {
  std::shared_ptr<CodeArena> arena = CodeArena::create(arena_size, kGasRegister, kBrkWord);
  if (arena == nullptr) return nullptr;
  std::unique_ptr<A64Backend> backend(new A64Backend(info, bounds, std::move(arena)));
  if (!backend->emit_trampoline()) return nullptr;
  return backend;
}

std::unique_ptr<jit::MacroAssembler> A64Backend::new_function() const {
  return std::make_unique<A64MacroAssembler>(info_, bounds_, *arena_);
}

// enter(entry = x0, fp = x1, vm = x2, ctx = x3): saves the callee-saved
// registers the JIT code pins or allocates (x19-x28; d8-d15 are never
// touched) and the context's depth origin and stack limit, sets those for
// this entry (tier1-jit/abi.h), loads the pinned registers and calls the
// entry.
bool A64Backend::emit_trampoline() {
  asmjit::CodeHolder code;
  if (code.init(asmjit::Environment(asmjit::Arch::kAArch64)) != asmjit::kErrorOk) return false;
  a64::Assembler a(&code);
  // Unsigned scaled offsets of ldr/str.
  for (uint32_t offset : {info_.vm_memory_base, info_.ctx_gas_left, info_.ctx_jit_depth_origin,
                          info_.ctx_jit_stack_limit, info_.ctx_native_stack_limit}) {
    if (offset % 8 != 0 || offset / 8 >= 4096) return false;
  }
  for (uint32_t offset : {info_.ctx_depth, info_.ctx_max_depth}) {
    if (offset % 4 != 0 || offset / 4 >= 4096) return false;
  }
  const auto vm_memory_base = static_cast<int32_t>(info_.vm_memory_base);
  const auto ctx_gas_left = static_cast<int32_t>(info_.ctx_gas_left);
  const auto origin = static_cast<int32_t>(info_.ctx_jit_depth_origin);
  const auto limit = static_cast<int32_t>(info_.ctx_jit_stack_limit);
  a.stp(a64::x29, a64::x30, a64::ptr_pre(a64::sp, -112));
  a.mov(a64::x29, a64::sp);
  a.stp(a64::x19, a64::x20, a64::ptr(a64::sp, 16));
  a.stp(a64::x21, a64::x22, a64::ptr(a64::sp, 32));
  a.stp(a64::x23, a64::x24, a64::ptr(a64::sp, 48));
  a.stp(a64::x25, a64::x26, a64::ptr(a64::sp, 64));
  a.stp(a64::x27, a64::x28, a64::ptr(a64::sp, 80));
  a.ldr(a64::x4, a64::ptr(a64::x3, origin));
  a.ldr(a64::x5, a64::ptr(a64::x3, limit));
  a.stp(a64::x4, a64::x5, a64::ptr(a64::sp, 96));
  // sp is the sp at the call: the first frame record goes 16 bytes below.
  // origin = sp + 16 * depth; limit = max(origin - 16 * max_depth, native
  // limit), 0 if the subtraction wraps (the native limit then decides).
  a.ldr(a64::w4, a64::ptr(a64::x3, static_cast<int32_t>(info_.ctx_depth)));
  a.mov(a64::x5, a64::sp);
  a.add(a64::x4, a64::x5, a64::x4, asmjit::arm::lsl(4));
  a.str(a64::x4, a64::ptr(a64::x3, origin));
  a.ldr(a64::w6, a64::ptr(a64::x3, static_cast<int32_t>(info_.ctx_max_depth)));
  a.subs(a64::x4, a64::x4, a64::x6, asmjit::arm::lsl(4));
  a.csel(a64::x4, a64::x4, a64::xzr, CondCode::kHS);
  a.ldr(a64::x7, a64::ptr(a64::x3, static_cast<int32_t>(info_.ctx_native_stack_limit)));
  a.cmp(a64::x4, a64::x7);
  a.csel(a64::x4, a64::x4, a64::x7, CondCode::kHS);
  a.str(a64::x4, a64::ptr(a64::x3, limit));
  a.mov(a64::x19, a64::x1);
  a.mov(a64::x20, a64::x2);
  a.mov(a64::x21, a64::x3);
  a.ldr(a64::x22, a64::ptr(a64::x2, vm_memory_base));
  a.ldr(a64::x23, a64::ptr(a64::x3, ctx_gas_left));
  a.blr(a64::x0);
  const size_t return_offset = code.textSection()->buffer().size();
  a.str(a64::x23, a64::ptr(a64::x21, ctx_gas_left));
  a.ldp(a64::x4, a64::x5, a64::ptr(a64::sp, 96));
  a.str(a64::x4, a64::ptr(a64::x21, origin));
  a.str(a64::x5, a64::ptr(a64::x21, limit));
  a.ldp(a64::x19, a64::x20, a64::ptr(a64::sp, 16));
  a.ldp(a64::x21, a64::x22, a64::ptr(a64::sp, 32));
  a.ldp(a64::x23, a64::x24, a64::ptr(a64::sp, 48));
  a.ldp(a64::x25, a64::x26, a64::ptr(a64::sp, 64));
  a.ldp(a64::x27, a64::x28, a64::ptr(a64::sp, 80));
  a.ldp(a64::x29, a64::x30, a64::ptr_post(a64::sp, 112));
  a.ret(a64::x30);
  if (code.flatten() != asmjit::kErrorOk) return false;
  const size_t size = code.codeSize();
  uint8_t* writable = nullptr;
  uint8_t* entry = arena_->allocate(size, &writable);
  if (entry == nullptr) return false;
  if (code.relocateToBase(reinterpret_cast<uint64_t>(entry)) != asmjit::kErrorOk) return false;
  if (code.copyFlattenedData(writable, size, asmjit::CopySectionFlags::kPadTargetBuffer) !=
      asmjit::kErrorOk) {
    return false;
  }
  CodeArena::flush(entry, size);
  entry_return_ = reinterpret_cast<uintptr_t>(entry) + return_offset;
  trampoline_ = reinterpret_cast<Trampoline>(entry);
  return true;
}

}  // namespace wvm::a64
