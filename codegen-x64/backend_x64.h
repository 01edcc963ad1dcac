// The x86-64 runtime side of tier 1: executable memory and the entry
// trampoline from C++ into compiled code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "codegen-x64/masm_x64.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/code_arena.h"
#include "tier1-jit/masm.h"
#include "wvm/config.h"

namespace wvm::x64 {

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
  /// The return address of the trampoline's call into compiled code: where
  /// a walk of compiled frames leaves them (tier1-jit/abi.h).
  uintptr_t entry_return() const noexcept { return entry_return_; }
  const X64CpuFeatures& features() const noexcept { return features_; }

 private:
  using Trampoline = void (*)(const void* entry, uint64_t* fp, InstanceData* vm, ExecContext* ctx);

  X64Backend(const jit::RuntimeInfo& info, BoundsStrategy bounds, X64CpuFeatures features,
             std::shared_ptr<CodeArena> arena) noexcept
      : info_(info), bounds_(bounds), features_(features), arena_(std::move(arena)) {}
  bool emit_trampoline();

  jit::RuntimeInfo info_;  // a copy: MacroAssemblers reference it
  BoundsStrategy bounds_;
  X64CpuFeatures features_;
  std::shared_ptr<CodeArena> arena_;
  Trampoline trampoline_ = nullptr;
  uintptr_t entry_return_ = 0;
};

}  // namespace wvm::x64
