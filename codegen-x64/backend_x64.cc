// The C++-to-JIT entry trampoline for x86-64 Linux (code memory is
// tier1-jit/code_arena.h).
#include "codegen-x64/backend_x64.h"

#include <asmjit/x86.h>

namespace wvm::x64 {

// ---- X64Backend

std::unique_ptr<X64Backend> X64Backend::create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                               size_t arena_size) {
  return create(info, bounds, X64CpuFeatures::host(), arena_size);
}

std::unique_ptr<X64Backend> X64Backend::create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                               X64CpuFeatures features, size_t arena_size) {
  // JIT code keeps the call's gas in r15 (masm_x64.h): a fault hands it over.
  std::shared_ptr<CodeArena> arena = CodeArena::create(arena_size, /*r15*/ 15);
  if (arena == nullptr) return nullptr;
  std::unique_ptr<X64Backend> backend(new X64Backend(info, bounds, features, std::move(arena)));
  if (!backend->emit_trampoline()) return nullptr;
  return backend;
}

std::unique_ptr<jit::MacroAssembler> X64Backend::new_function() const {
  return std::make_unique<X64MacroAssembler>(info_, bounds_, *arena_, features_);
}

// enter(entry = rdi, fp = rsi, vm = rdx, ctx = rcx): saves the callee-saved
// registers the JIT code pins or allocates and the context's depth origin
// and stack limit, sets those for this entry (tier1-jit/abi.h), loads the
// pinned registers and calls the entry. Eight pushes after the return
// address leave rsp = 8 (mod 16); the extra 8 bytes make it 0 at the call,
// so the callee starts at 8 (mod 16) like any System V function.
bool X64Backend::emit_trampoline() {
  namespace x86 = asmjit::x86;
  asmjit::CodeHolder code;
  if (code.init(asmjit::Environment::host()) != asmjit::kErrorOk) return false;
  x86::Assembler a(&code);
  const auto field = [](const x86::Gp& base, uint32_t offset) {
    return x86::qword_ptr(base, static_cast<int32_t>(offset));
  };
  const x86::Mem origin = field(x86::rcx, info_.ctx_jit_depth_origin);
  const x86::Mem limit = field(x86::rcx, info_.ctx_jit_stack_limit);
  const x86::Mem native_limit = field(x86::rcx, info_.ctx_native_stack_limit);
  a.push(x86::rbx);
  a.push(x86::rbp);
  a.push(x86::r12);
  a.push(x86::r13);
  a.push(x86::r14);
  a.push(x86::r15);
  a.push(origin);
  a.push(limit);
  a.sub(x86::rsp, 8);
  // rsp is the sp at the call: the first frame's body runs 16 bytes below.
  // origin = rsp + 16 * depth; limit = max(origin - 16 * max_depth, native
  // limit), 0 if the subtraction wraps (the native limit then decides).
  a.mov(x86::eax, x86::dword_ptr(x86::rcx, static_cast<int32_t>(info_.ctx_depth)));
  a.shl(x86::rax, 4);
  a.add(x86::rax, x86::rsp);
  a.mov(origin, x86::rax);
  a.mov(x86::r8d, x86::dword_ptr(x86::rcx, static_cast<int32_t>(info_.ctx_max_depth)));
  a.shl(x86::r8, 4);
  a.xor_(x86::r9d, x86::r9d);
  a.sub(x86::rax, x86::r8);
  a.cmovb(x86::rax, x86::r9);
  a.cmp(x86::rax, native_limit);
  a.cmovb(x86::rax, native_limit);
  a.mov(limit, x86::rax);
  a.mov(x86::rbx, x86::rsi);
  a.mov(x86::r12, x86::rdx);
  a.mov(x86::r13, x86::rcx);
  a.mov(x86::r14, x86::qword_ptr(x86::rdx, static_cast<int32_t>(info_.vm_memory_base)));
  a.mov(x86::r15, x86::qword_ptr(x86::rcx, static_cast<int32_t>(info_.ctx_gas_left)));
  a.call(x86::rdi);
  const size_t return_offset = code.textSection()->buffer().size();
  a.mov(x86::qword_ptr(x86::r13, static_cast<int32_t>(info_.ctx_gas_left)), x86::r15);
  a.add(x86::rsp, 8);
  a.pop(field(x86::r13, info_.ctx_jit_stack_limit));
  a.pop(field(x86::r13, info_.ctx_jit_depth_origin));
  a.pop(x86::r15);
  a.pop(x86::r14);
  a.pop(x86::r13);
  a.pop(x86::r12);
  a.pop(x86::rbp);
  a.pop(x86::rbx);
  a.ret();
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
  trampoline_ = reinterpret_cast<Trampoline>(entry);
  entry_return_ = reinterpret_cast<uintptr_t>(entry) + return_offset;
  return true;
}

}  // namespace wvm::x64
