// Building a trap's wasm backtrace as the trap leaves each tier-0 run.
//
// Call levels: ctx.depth counts frames in both tiers. A tier-0 run entered
// at depth `base` runs its entry function at level base + 1; the state of a
// tier-0 function at level l that called deeper is in ctx.frames[l]; the
// innermost one's is in the loop's registers. Compiled frames below a run
// (it called tier 1 at level ctx.t0_callout) are walked on the native stack
// (tier1-jit/abi.h) where the trap lands, before the stack is reused.
#pragma once

#include <cstdint>

#include "exec/exec_context.h"
#include "memory/trap_handler.h"
#include "tier1-jit/frame_walk.h"

namespace wvm {

/// Appends, innermost first, the frames of the tier-0 run entered at
/// `base` whose innermost tier-0 frame is level `top`, running `code` at
/// `ip` in instance data `vm` (`code` may be null: the run had not entered
/// a function); first, a frame of unknown function for each level between
/// the last traced one (or `trap_depth` if none is) and `top`.
void trace_tier0_run(ExecContext& ctx, uint32_t base, uint32_t top, uint32_t trap_depth,
                     const FuncCode* code, const uint64_t* ip, const InstanceData* vm);

/// The same for a trap the tier-0 loop raised itself at `ip` (null: before
/// entering the run's function), at level ctx.depth; finds the function
/// from `ip` (a search, on the trap path only).
void trace_tier0_trap(ExecContext& ctx, uint32_t base, const uint64_t* ip);

/// Where a trap unwound to a run's TrapScope from compiled code the run
/// called: records the compiled frames' return addresses (ctx.jit_pcs),
/// from the fault's registers (when `fault` and no frame is traced yet) or
/// from the last exit to C++. Calls nothing, so the dead frames are intact.
inline __attribute__((always_inline)) void collect_jit_pcs(ExecContext& ctx,
                                                           const TrapScope& scope, bool fault) {
  ctx.num_jit_pcs = 0;
  ctx.jit_pcs_omitted = 0;
  ctx.jit_pcs_fault = fault && ctx.trace_level == UINT32_MAX;
  if (ctx.t0_callout == UINT32_MAX || ctx.jit_entry_return == 0) return;
  uintptr_t frame = 0;
  uintptr_t pc = 0;
  if (ctx.jit_pcs_fault) {
    frame = scope.fault_frame;
    pc = scope.fault_pc;
  } else {
    jit::exit_frame(ctx, &frame, &pc);
  }
  const ExecContext::JitLink* link = ctx.jit_link;
  for (uint32_t n = 0; n <= ctx.max_depth + 1; ++n) {
    if (pc == ctx.jit_entry_return) {
      // Entered from C++: from a slow call between compiled frames (its
      // link leads back to the caller), or from this run (the end).
      if (link == nullptr) break;
      frame = link->frame;
      pc = link->pc;
      link = link->prev;
      continue;
    }
    if (ctx.num_jit_pcs < ExecContext::kMaxJitPcs) {
      ctx.jit_pcs[ctx.num_jit_pcs++] = pc;
    } else {
      ++ctx.jit_pcs_omitted;
    }
    jit::caller_frame(&frame, &pc);
  }
}

/// The same as trace_tier0_run for a run a trap left by unwinding (a fault,
/// or a trap raised in compiled code it called), from the interp_run that
/// entered it at `base`, after collect_jit_pcs; ctx.depth is still the
/// level the trap happened at.
void trace_unwound_run(ExecContext& ctx, uint32_t base);

}  // namespace wvm
