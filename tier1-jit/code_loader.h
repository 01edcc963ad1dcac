// Installing tier-1 code read from a serialized module: placed in the
// backend's arena and relocated for this process and engine, with no
// compilation.
#pragma once

#include <cstdint>
#include <vector>

#include "tier1-jit/backend.h"
#include "tier1-jit/relocation.h"
#include "wvm/wvm.h"

namespace wvm::jit {

/// One function's tier-1 code as stored.
struct LoadedCode {
  uint32_t func_index = 0;         ///< a defined function of the module
  const uint8_t* bytes = nullptr;  ///< info.size bytes, as they were in the arena
  JitCodeInfo info;
  std::vector<uint8_t> sites;      ///< its trap sites (module/site_table.h)
  std::vector<uint32_t> osr_entries;  ///< CompiledCode::osr_entries
};

/// Places every function of `code` in one block of the backend's arena,
/// applies its relocations and publishes its entry (and marks it tried, so
/// tier-up never compiles it). Every relocation's target is checked before
/// anything is placed; an error (Malformed) installs nothing.
Result<void> install_loaded_code(Backend& backend, const Module& module,
                                 std::vector<LoadedCode>& code);

}  // namespace wvm::jit
