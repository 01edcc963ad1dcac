// The x86-64 runtime side of tier 1: executable memory and the entry
// trampoline from C++ into compiled code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "codegen-x64/masm_x64.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/masm.h"
#include "wvm/config.h"

namespace wvm::x64 {

/// W^X code memory: one memfd mapped twice, a read-write view that is never
/// executable and a read-execute view that is never writable. Code is bump
/// allocated and lives as long as the arena. The RX view is registered as
/// engine code so guard-page faults in it become traps. Thread-safe.
class CodeArena {
 public:
  static constexpr size_t kDefaultSize = size_t{128} << 20;

  /// nullptr if the dual mapping cannot be made (no memfd, exec forbidden, ...).
  static std::unique_ptr<CodeArena> create(size_t size = kDefaultSize);
  ~CodeArena();
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;

  /// A 16-byte-aligned block of `size` bytes: its address in the RX view
  /// (returned) and in the RW view (`*writable`). nullptr when full.
  uint8_t* allocate(size_t size, uint8_t** writable);

  /// Bytes handed out so far.
  size_t used() const;
  size_t capacity() const noexcept { return size_; }
  /// Whether `p` points into the executable view.
  bool contains(const void* p) const noexcept;

 private:
  CodeArena(uint8_t* rw, uint8_t* rx, size_t size) noexcept : rw_(rw), rx_(rx), size_(size) {}

  uint8_t* rw_;
  uint8_t* rx_;
  size_t size_;
  mutable std::mutex mutex_;
  size_t used_ = 0;
};

/// Owns the arena and the entry trampoline; hands out MacroAssemblers.
class X64Backend {
 public:
  /// nullptr if executable memory is unavailable (the engine then stays in tier 0).
  static std::unique_ptr<X64Backend> create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                            size_t arena_size = CodeArena::kDefaultSize);
  /// The same with explicit CPU features (tests use it to force fallbacks).
  static std::unique_ptr<X64Backend> create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                            X64CpuFeatures features,
                                            size_t arena_size = CodeArena::kDefaultSize);

  /// A MacroAssembler for one function; its finish() places code in this
  /// backend's arena. The backend must outlive it.
  std::unique_ptr<jit::MacroAssembler> new_function() const;

  /// Runs compiled code at `entry` with the frame `fp`. Traps unwind past
  /// this call to the caller's TrapScope.
  void enter(const void* entry, uint64_t* fp, InstanceData* vm, ExecContext* ctx) const {
    trampoline_(entry, fp, vm, ctx);
  }

  const jit::RuntimeInfo& runtime_info() const noexcept { return info_; }
  BoundsStrategy bounds() const noexcept { return bounds_; }
  CodeArena& arena() const noexcept { return *arena_; }

 private:
  using Trampoline = void (*)(const void* entry, uint64_t* fp, InstanceData* vm, ExecContext* ctx);

  X64Backend(const jit::RuntimeInfo& info, BoundsStrategy bounds, X64CpuFeatures features,
             std::unique_ptr<CodeArena> arena) noexcept
      : info_(info), bounds_(bounds), features_(features), arena_(std::move(arena)) {}
  bool emit_trampoline();

  jit::RuntimeInfo info_;  // a copy: MacroAssemblers reference it
  BoundsStrategy bounds_;
  X64CpuFeatures features_;
  std::unique_ptr<CodeArena> arena_;
  Trampoline trampoline_ = nullptr;
};

}  // namespace wvm::x64
