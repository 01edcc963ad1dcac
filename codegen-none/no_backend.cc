// Hosts without a tier-1 backend yet: the engine runs tier 0 only.
#include "tier1-jit/backend.h"

namespace wvm::jit {

std::unique_ptr<Backend> create_backend(BoundsStrategy, size_t) { return nullptr; }

}  // namespace wvm::jit
