// Tier 0: preparing validated function bodies and running them.
#pragma once

#include <memory>

#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace wvm {

struct ExecContext;

/// Validates function `func_index` (a defined function) of `module` and
/// prepares its tier-0 code.
Result<std::unique_ptr<FuncCode>> prepare_function(const Module& module,
                                                   const ModuleLimits& limits,
                                                   uint32_t func_index);

/// prepare_function into `code` (its func_index set): fills its tier-0 code,
/// trap sites, loop headers and frame fields. For a FuncCode no other thread
/// reads yet.
Result<void> prepare_into(const Module& module, const ModuleLimits& limits, FuncCode& code);

/// Handler addresses indexed by IOp, for the loop of the given strategy
/// (used by preparation for direct threading).
const void* const* interp_handlers(BoundsStrategy bounds) noexcept;

/// Installs the trap handler and registers the guarded loop's code with it
/// (once per process). Engines using guard pages call it.
void interp_enable_guard_pages();

/// Runs wasm function `func` (which has code). Its arguments are in
/// ctx.sp[0 .. num_params); on success its results are in ctx.sp[0 .. num_results).
TrapKind interp_run(ExecContext& ctx, Func* func);

}  // namespace wvm
