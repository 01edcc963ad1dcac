// Hosts without a tier-1 backend yet: the engine runs tier 0 only.
#include "tier1-jit/backend.h"

namespace wvm::jit {

std::unique_ptr<Backend> create_backend(BoundsStrategy) { return nullptr; }

}  // namespace wvm::jit
