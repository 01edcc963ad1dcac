// Tier-0 code in a form that does not depend on the process or the engine,
// for serialized modules: each handler address becomes its IOp number and
// call_indirect's engine-wide type id becomes the module's type index.
// Everything else in the code (branch offsets, slots, instance-data offsets,
// constants, gas) already depends only on the module and the configuration.
#pragma once

#include <cstdint>
#include <vector>

#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace wvm {

/// Appends `code`'s words in portable form to `out`. False if the code
/// cannot be walked (an unknown handler: a bug, never expected).
[[nodiscard]] bool tier0_to_portable(const Module& module, const FuncCode& code,
                                     std::vector<uint64_t>& out);

/// Turns portable words back into runnable code for `module` (whose
/// type_ids are this engine's) in place. False if the words are not a
/// well-formed instruction stream (an unknown operation, immediates past the
/// end, a type index out of range).
[[nodiscard]] bool tier0_from_portable(const Module& module, std::vector<uint64_t>& words);

}  // namespace wvm
