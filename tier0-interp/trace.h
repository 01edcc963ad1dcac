// Building a trap's wasm backtrace as the trap leaves each tier-0 run.
//
// Call levels: ctx.depth counts frames in both tiers. A tier-0 run entered
// at depth `base` runs its entry function at level base + 1; the state of a
// tier-0 function at level l that called deeper is in ctx.frames[l]; the
// innermost one's is in the loop's registers. Tier 1 keeps no such records,
// so its levels appear as frames with unknown function and offset.
#pragma once

#include <cstdint>

#include "engine/exec_context.h"

namespace wvm {

/// Appends, innermost first, the frames of the tier-0 run entered at
/// `base` whose innermost tier-0 frame is level `top`, running `code` at
/// `ip` in instance data `vm` (`code` may be null: the run had not entered
/// a function); first, a frame of unknown function for each level between
/// the last traced one (or `trap_depth` if none is) and `top`.
void trace_tier0_run(ExecContext& ctx, uint32_t base, uint32_t top, uint32_t trap_depth,
                     const FuncCode* code, const uint64_t* ip, const InstanceData* vm);

/// The same for a run a trap left by unwinding (a fault on a guard page or
/// a trap in compiled code it called), from the interp_run that entered it
/// at `base`; ctx.depth is still the level the trap happened at.
void trace_unwound_run(ExecContext& ctx, uint32_t base);

}  // namespace wvm
