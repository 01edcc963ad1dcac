// Turning hardware faults into wasm traps, and native stack limits.
//
// A SIGSEGV/SIGBUS whose faulting address lies in a registered linear-memory
// reservation and whose program counter lies in registered engine code (JIT
// code, or the guard-page variant of the interpreter) is a wasm out-of-bounds
// access: the handler transfers control back to the innermost active
// TrapScope of the faulting thread, which reports TrapKind::MemoryOutOfBounds.
// Every other fault goes to the handler that was installed before ours
// (chaining), or to the default action.
#pragma once

#include <csetjmp>
#include <cstddef>
#include <cstdint>

namespace wvm {

/// Installs the SIGSEGV/SIGBUS handlers once per process (thread-safe,
/// idempotent), remembering the previous handlers for chaining.
void install_trap_handler();

/// Gives the calling thread an alternate signal stack if it has none, so the
/// handler can run even when a fault happens with little native stack left.
void ensure_alt_stack();

// The registries hold up to 65,536 reservations and 4,096 code ranges; ranges
// must be disjoint. Registering a null or empty range, overflowing a registry
// or unregistering an unknown range aborts with a message: each is an engine bug.

/// Code in [begin, end) may fault on a reservation by design. If
/// `saved_register` >= 0, that machine register (x86-64: 0..15 for rax..r15
/// in encoding order; AArch64: x0..x30) holds state the code keeps outside
/// memory (tier 1's gas): on a fault its value is given to the TrapScope.
void register_code_range(const void* begin, const void* end, int saved_register = -1);
void unregister_code_range(const void* begin);

/// [begin, begin + size) is a linear-memory reservation (accessible part and guard).
void register_reservation(const void* begin, size_t size);
void unregister_reservation(const void* begin);

/// A recovery point for faults on this thread. Usage (the sigsetjmp must be
/// in the frame that stays active while guarded code runs):
///
///   TrapScope scope;
///   if (sigsetjmp(scope.jmp, 0) != 0) { scope.leave(); /* out-of-bounds trap */ }
///   scope.enter();
///   ... run guarded code ...
///   scope.leave();
struct TrapScope {
  /// What sigsetjmp returns: kTrapScopeFault for a fault turned into a trap
  /// (TrapKind::MemoryOutOfBounds), kTrapScopeRaisedBase + kind for raise_trap.
  static constexpr int kTrapScopeFault = 1;
  sigjmp_buf jmp;
  TrapScope* prev = nullptr;
  /// After a fault in code registered with a saved register: its value.
  bool has_saved = false;
  uint64_t saved = 0;
  /// After a fault: the faulting pc and the frame register of compiled
  /// code (rsp on x86-64, x29 on AArch64), where its trace starts.
  uintptr_t fault_pc = 0;
  uintptr_t fault_frame = 0;
  void enter() noexcept;
  void leave() noexcept;
};

constexpr int kTrapScopeRaisedBase = 2;

/// Unwinds to the innermost TrapScope of this thread, whose sigsetjmp then
/// returns kTrapScopeRaisedBase + kind. For compiled code's traps; only
/// frames without destructors may lie between (JIT code, C helpers).
[[noreturn]] void raise_trap(int kind) noexcept;

/// Makes `scope` the innermost TrapScope of this thread and returns the one
/// that was (for switching stacks: scopes never catch across stacks).
TrapScope* exchange_trap_scope(TrapScope* scope) noexcept;

/// How many faults the handler has turned into traps in this process.
uint64_t faults_trapped() noexcept;

/// The lowest address the calling thread's own native stack may grow to
/// before code must stop calling deeper (the stack's end plus a reserve for
/// host code and signal handling). Cached per thread. Wasm runs on engine
/// stacks (memory/native_stack.h), which have their own limit.
uintptr_t native_stack_limit() noexcept;

/// The current native stack pointer (approximately).
inline uintptr_t current_stack_pointer() noexcept {
  return reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
}

}  // namespace wvm
