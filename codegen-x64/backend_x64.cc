// Executable memory (W^X by dual mapping) and the C++-to-JIT entry trampoline
// for x86-64 Linux.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // memfd_create
#endif

#include "codegen-x64/backend_x64.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include <asmjit/x86.h>

#include "memory/trap_handler.h"

namespace wvm::x64 {

// ---- CodeArena

std::unique_ptr<CodeArena> CodeArena::create(size_t size) {
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0 || size == 0) return nullptr;
  size = (size + static_cast<size_t>(page) - 1) & ~(static_cast<size_t>(page) - 1);
  const int fd = memfd_create("wvm-jit", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  // Sparse: pages cost memory only once code is written to them.
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    close(fd);
    return nullptr;
  }
  void* rw = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (rw == MAP_FAILED) {
    close(fd);
    return nullptr;
  }
  // Fails where policy forbids executable shared mappings (e.g. a
  // vm.memfd_noexec setting or an SELinux execmem denial).
  void* rx = mmap(nullptr, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  close(fd);  // the mappings keep the file alive
  if (rx == MAP_FAILED) {
    munmap(rw, size);
    return nullptr;
  }
  // JIT code keeps the call's gas in r15 (masm_x64.h): a fault hands it over.
  register_code_range(rx, static_cast<uint8_t*>(rx) + size, /*r15*/ 15);
  return std::unique_ptr<CodeArena>(
      new CodeArena(static_cast<uint8_t*>(rw), static_cast<uint8_t*>(rx), size));
}

CodeArena::~CodeArena() {
  unregister_code_range(rx_);
  munmap(rx_, size_);
  munmap(rw_, size_);
}

uint8_t* CodeArena::allocate(size_t size, uint8_t** writable) {
  constexpr size_t kAlign = 16;
  std::lock_guard<std::mutex> lock(mutex_);
  if (size > size_ - used_) return nullptr;
  const size_t offset = used_;
  used_ = std::min(size_, (used_ + size + kAlign - 1) & ~(kAlign - 1));
  *writable = rw_ + offset;
  return rx_ + offset;
}

size_t CodeArena::used() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

bool CodeArena::contains(const void* p) const noexcept {
  const auto* b = static_cast<const uint8_t*>(p);
  return b >= rx_ && b < rx_ + size_;
}

// ---- X64Backend

std::unique_ptr<X64Backend> X64Backend::create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                               size_t arena_size) {
  return create(info, bounds, X64CpuFeatures::host(), arena_size);
}

std::unique_ptr<X64Backend> X64Backend::create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                               X64CpuFeatures features, size_t arena_size) {
  std::unique_ptr<CodeArena> arena = CodeArena::create(arena_size);
  if (arena == nullptr) return nullptr;
  std::unique_ptr<X64Backend> backend(new X64Backend(info, bounds, features, std::move(arena)));
  if (!backend->emit_trampoline()) return nullptr;
  return backend;
}

std::unique_ptr<jit::MacroAssembler> X64Backend::new_function() const {
  return std::make_unique<X64MacroAssembler>(info_, bounds_, *arena_, features_);
}

// enter(entry = rdi, fp = rsi, vm = rdx, ctx = rcx): saves the callee-saved
// registers the JIT code pins or allocates, loads the pinned ones and calls
// the entry. Six pushes after the return address leave rsp = 8 (mod 16); the
// extra 8 bytes make it 0 at the call, so the callee starts at 8 (mod 16)
// like any System V function.
bool X64Backend::emit_trampoline() {
  namespace x86 = asmjit::x86;
  asmjit::CodeHolder code;
  if (code.init(asmjit::Environment::host()) != asmjit::kErrorOk) return false;
  x86::Assembler a(&code);
  a.push(x86::rbx);
  a.push(x86::rbp);
  a.push(x86::r12);
  a.push(x86::r13);
  a.push(x86::r14);
  a.push(x86::r15);
  a.sub(x86::rsp, 8);
  a.mov(x86::rbx, x86::rsi);
  a.mov(x86::r12, x86::rdx);
  a.mov(x86::r13, x86::rcx);
  a.mov(x86::r14, x86::qword_ptr(x86::rdx, static_cast<int32_t>(info_.vm_memory_base)));
  a.mov(x86::r15, x86::qword_ptr(x86::rcx, static_cast<int32_t>(info_.ctx_gas_left)));
  a.call(x86::rdi);
  a.mov(x86::qword_ptr(x86::r13, static_cast<int32_t>(info_.ctx_gas_left)), x86::r15);
  a.add(x86::rsp, 8);
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
  trampoline_ = reinterpret_cast<Trampoline>(entry);
  return true;
}

}  // namespace wvm::x64
