// Tier 1: compiling one validated function to machine code.
#pragma once

#include <cstdint>
#include <memory>

#include "tier1-jit/backend.h"
#include "wvm/wvm.h"

namespace wvm::jit {

/// Compiles defined function `func_index` of `module` (which has its tier-0
/// code) with `backend`. Returns the code, or an Unsupported error
/// naming the first instruction tier 1 cannot compile yet (the function then
/// stays in tier 0).
/// A compiled function: its entry, the arena block that holds it (released
/// when the last owner drops it), and what persisting it needs (nullptr if
/// it cannot be persisted). A full arena is a LimitExceeded error.
struct CompiledCode {
  const void* entry = nullptr;
  std::shared_ptr<const CodeBlock> block;
  std::unique_ptr<JitCodeInfo> info;
  std::vector<uint8_t> sites;  ///< module/site_table.h
  uint32_t size = 0;           ///< bytes of code from `entry`, stubs included
  /// Byte offset from `entry` of each reachable loop's OSR entry, in body
  /// order (FuncCode::loop_headers numbers the loops alike).
  std::vector<uint32_t> osr_entries;
  /// The frame tier 0 gives the function (FuncCode::num_locals and
  /// max_slots), for a FuncCode whose tier-0 code is not prepared.
  uint32_t num_locals = 0;
  uint32_t max_slots = 0;
};

/// The LimitExceeded error for code that found no room in `arena`.
Error code_space_exhausted(const CodeArena& arena);
/// The LimitExceeded error for a CodeBatch whose code could not be written.
Error code_not_written();

/// Compiles defined function `func_index`. `osr_entries`: emit an entry per
/// reachable loop for tier-0 frames to move into (not needed where no call of
/// the function runs in tier 0: policy jit). With a `batch`, fresh code is
/// placed through it (tier1-jit/code_arena.h): the entry may be called, and
/// its code read, only once the batch has committed.
Result<CompiledCode> compile_function(const Module& module, const ModuleLimits& limits,
                                      uint32_t func_index, Backend& backend,
                                      bool osr_entries = true, CodeBatch* batch = nullptr);

}  // namespace wvm::jit
