// Per-store execution state: the value stack shared by all frames of all
// nested calls, and the call-frame stack whose depth is the logical call depth.
// The contract between the tiers, which run on it, and the runtime (engine/),
// which owns it: nothing here may reach up into either.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "memory/native_stack.h"
#include "wvm/wvm.h"

namespace wvm {

namespace jit {
class Backend;
}
struct InstanceData;

struct CallFrame {
  const uint64_t* ip;       // where the caller resumes
  uint64_t* fp;             // the caller's frame
  const FuncCode* code;     // the caller's code
  InstanceData* instance;   // the caller's instance data
};

struct ExecContext {
  // Engines pool these (Engine::acquire_exec) so a store per call is cheap.
  // Reusing one is safe: wasm never reads a slot it did not write (locals
  // are zeroed on entry, validation orders every operand read after a write).
  explicit ExecContext(const Config& config)
      : store(nullptr),
        // Left uninitialized on purpose: untouched pages of these large
        // arrays cost no memory.
        stack(new uint64_t[config.runtime_limits.value_stack_slots + kStackPage / 8]),
        stack_end(stack.get() + config.runtime_limits.value_stack_slots),
        sp(stack.get()),
        stack_slots(config.runtime_limits.value_stack_slots),
        frames(new CallFrame[config.runtime_limits.max_call_depth + 1]),
        max_depth(config.runtime_limits.max_call_depth),
        guarded(config.memory.bounds == BoundsStrategy::GuardPages),
        native_stack(native_stack_size_for(config.runtime_limits.max_call_depth)) {}

  // The value stack: stack_slots usable slots, [sp, stack_end) at the
  // outermost call, inside an allocation one page larger so the outermost
  // call can start them at any offset within a page (place_stack).
  static constexpr uintptr_t kStackPage = 4096;
  Store* store;  // the store using it
  std::unique_ptr<uint64_t[]> stack;
  uint64_t* stack_end;
  uint64_t* sp;           // first free slot for a new outermost or nested call
  uint32_t stack_slots;

  /// Moves the (empty) value stack so its first slot sits at byte
  /// `page_offset` (a multiple of 8, below kStackPage) of a page. The number
  /// of usable slots never changes, so no outcome depends on where the
  /// allocation landed.
  void place_stack(uint32_t page_offset) noexcept {
    const uintptr_t at = reinterpret_cast<uintptr_t>(stack.get());
    sp = stack.get() + ((page_offset - at) & (kStackPage - 1)) / 8;
    stack_end = sp + stack_slots;
  }
  std::unique_ptr<CallFrame[]> frames;
  uint32_t depth = 0;     // frames in use (wasm and host)
  uint32_t max_depth;
  bool guarded;           // memories rely on guard pages (run the guarded loop)

  // Gas of the current call tree. Kept in memory, not in a register of the
  // loop, so it is exact when a fault or a host function interrupts a run.
  uint64_t gas_limit = UINT64_MAX;
  uint64_t gas_left = UINT64_MAX;
  uint64_t gas_external = 0;  // charged by host functions

  // Tiering: compiled code is entered through `jit` (null: tier 0 only);
  // tier-0 calls and back-edges reaching `tier_up_threshold` compile, through
  // `request_tier_up` (below).
  const jit::Backend* jit = nullptr;
  uint32_t tier_up_threshold = UINT32_MAX;
  // The native stack wasm runs on (entered by the outermost Store::call), and
  // its limit, which interp_run and tier 1's prologue check: with the stack
  // sized from max_depth the logical limits are always reached first, so
  // the check is a safety net only.
  NativeStack native_stack;
  uintptr_t native_stack_limit = 0;
  // Tier 1 counts its frames by the native stack, not in `depth`: every
  // compiled frame takes exactly 16 bytes of it, so one compare of the stack
  // pointer in the prologue does the depth check and the native-stack check
  // and a return has nothing to uncount. The innermost entry into compiled
  // code (Backend::enter) sets both fields and restores them on return
  // (interp_run on a trap): `jit_depth_origin` is where the stack pointer
  // would be at depth 0 (its own sp + 16 * depth), `jit_stack_limit` the
  // lowest stack pointer a prologue accepts (origin - 16 * max_depth, or
  // native_stack_limit if that is higher). C++ called from compiled code
  // sees the true depth in `depth` (helper_call_slow sets it, jit_depth_at).
  uintptr_t jit_depth_origin = 0;
  uintptr_t jit_stack_limit = 0;
  /// The call depth of the compiled frame whose body runs with stack
  /// pointer `frame` (a jit_exit): the frames below the innermost entry
  /// plus the compiled ones above it, itself included.
  uint32_t jit_depth_at(uintptr_t frame) const noexcept {
    return static_cast<uint32_t>((jit_depth_origin - frame) / 16);
  }

  // The message of the host trap unwinding now (HostCall::trap); Store::call
  // hands it to its CallResult and clears it.
  std::string host_trap_message;
  // The trace of the trap unwinding now, built as it passes each tier-0 run
  // (tier0-interp/trace.h); Store::call hands it to its CallResult.
  std::vector<TraceFrame> trace;
  uint32_t trace_omitted = 0;
  uint32_t trace_level = UINT32_MAX;  // call level of the outermost frame traced (none yet)
  // The level of the tier-0 frame whose call the innermost tier-0 run made
  // into compiled code (its state is in frames[t0_callout]), or UINT32_MAX.
  uint32_t t0_callout = UINT32_MAX;
  // The innermost compiled frame that called C++ (a helper, a slow call, a
  // trap stub), where a trace of compiled frames starts: its frame address
  // and, on AArch64 (which keeps no return address on the stack there), the
  // return address (jit::Backend::exit_frame).
  uintptr_t jit_exit = 0;
  uintptr_t jit_exit_pc = 0;
  // Compiled code entered from C++ called by compiled code (a slow call to
  // compiled code of another instance) breaks the chain of compiled frames:
  // each such entry leaves the exit it came from, innermost first. Reset by
  // each interp_run, whose own exit ends the walk.
  struct JitLink {
    uintptr_t frame;
    uintptr_t pc;
    const JitLink* prev;
  };
  const JitLink* jit_link = nullptr;
  // Where compiled frames end: the entry trampoline's return address.
  uintptr_t jit_entry_return = 0;
  // The return addresses (or faulting pc) of the compiled frames a trap
  // unwound, innermost first, taken where it landed (tier0-interp/trace.h).
  static constexpr uint32_t kMaxJitPcs = kMaxTraceFrames + 1;
  uintptr_t jit_pcs[kMaxJitPcs];
  uint32_t num_jit_pcs = 0;
  uint32_t jit_pcs_omitted = 0;
  bool jit_pcs_fault = false;  // jit_pcs[0] is a faulting access, not a return address

  /// What tier 0 calls when a function's calls or back-edges reach
  /// `tier_up_threshold`: the tier manager's request_tier_up
  /// (engine/tier_manager.h), which the engine installs in every context it
  /// hands out (Engine::acquire_exec). A pointer because the tier manager
  /// stands above the tiers; called only at the threshold, never per
  /// instruction. Last, so that no field the tiers' code reaches moves.
  void (*request_tier_up)(Engine& engine, const std::shared_ptr<const Module>& module,
                          uint32_t func_index) = nullptr;
  /// Tier 0's guarded loop: the load or store it is running, set before
  /// each access, so that a guard-page fault's trace names it exactly.
  const uint64_t* guarded_access = nullptr;
};

/// Where in a page the outermost call into `inst` starts the value stack
/// (ExecContext::place_stack): 64 bytes above the page offset of the
/// module's shadow-stack pointer, or 0 for a module without one.
// Both tiers keep locals, spills and call arguments in value-stack slots;
// code from LLVM (C, C++, Rust) keeps its own locals on a shadow stack in
// linear memory, whose pointer is the module's first defined global (a
// mutable i32; the stack grows down from it). When a hot slot of each sits
// at the same offset within a page, loads wait on unrelated stores (4K
// aliasing): on the project's AMD EPYC VM, u256 and blake2b (bench/) ran
// 1.5-2.7x slower with their slots so placed, in every process or in some
// (the address layout decides), and at full speed otherwise. Starting our
// frames just above the page offset where the shadow stack's frames start
// (64 bytes above: blake2b was still slow with 0) makes the two grow apart,
// ours up and theirs down, until together they exceed a page. Any other
// module starts at offset 0.
inline uint32_t value_stack_page_offset(const Instance& inst) noexcept {
  const Module& m = *inst.module();
  const uint32_t g = m.num_imported_globals;
  if (g >= m.globals.size() || m.globals[g].type != ValType::I32 || !m.globals[g].mut) return 0;
  const auto sp = static_cast<uint32_t>(inst.global(g)->bits);
  return (sp + 64 + 15) & static_cast<uint32_t>(ExecContext::kStackPage - 16);
}

}  // namespace wvm
