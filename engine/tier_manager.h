// The tier manager: when functions move from tier 0 to tier 1.
//
// Policy Interp never compiles. Jit compiles every function when the module
// is compiled. Auto counts each function's calls and loop back-edges in tier
// 0 and compiles it when either reaches the threshold, synchronously or on the
// engine's background thread; it runs compiled from its next call after that,
// and a call still running in tier 0 moves into the code at the header of a
// loop whose back-edges keep counting (on-stack replacement,
// tier0-interp/interp_loop.inc). A function tier 1 cannot compile stays in
// tier 0. Compiled code is installed with a single release store of its
// entry, so a call sees either no entry or a complete function.
#pragma once

#include <cstdint>

#include "wvm/wvm.h"

namespace wvm {
namespace jit {
class CodeBatch;
}

/// Compiles defined function `func_index` of `module` with tier 1 unless it
/// was tried before. Thread-safe. Returns the error if compilation failed.
Result<void> tier_up(Engine& engine, const Module& module, uint32_t func_index);

/// What tier 0 calls when a function gets hot, through the pointer
/// ExecContext::request_tier_up that Engine::acquire_exec sets to it (the
/// tiers stand below this file): tier_up() now, or, with
/// TierConfig::background_compile, on the engine's compile thread.
void request_tier_up(Engine& engine, const std::shared_ptr<const Module>& module,
                     uint32_t func_index);

/// Compiles and installs, without the tried-before check (the caller made it).
/// With a `batch` (compile_all_tier1), the code is placed through it, and no
/// call may run it before the batch commits (tier1-jit/code_arena.h).
Result<void> compile_and_install(Engine& engine, const Module& module, uint32_t func_index,
                                 jit::CodeBatch* batch = nullptr);

/// Policy Jit: compiles every function of `module`. Unsupported functions
/// stay in tier 0 unless TierConfig::unsupported_is_fatal; a full code arena
/// is always an error (LimitExceeded).
Result<void> compile_all_tier1(Engine& engine, const Module& module);

}  // namespace wvm
