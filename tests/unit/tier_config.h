// The tier names execution tests run under, and the engine settings each means.
#pragma once

#include <string_view>

#include "wvm/config.h"

namespace wvm::test {

/// Sets `c`'s bounds strategy and tier policy for `tier`: "interp", "jit" or
/// "auto", with "-explicit-bounds" for explicit checks; "auto-background"
/// compiles on the background thread. jit compiles every function before
/// running (those tier 1 cannot compile yet stay in tier 0); auto tiers up
/// after 2 calls or back-edges.
inline void apply_tier(Config& c, std::string_view tier) {
  c.memory.bounds = tier.find("explicit-bounds") != std::string_view::npos
                        ? BoundsStrategy::ExplicitChecks
                        : BoundsStrategy::GuardPages;
  c.tiers.policy = tier.starts_with("jit")    ? TierPolicy::Jit
                   : tier.starts_with("auto") ? TierPolicy::Auto
                                              : TierPolicy::Interp;
  c.tiers.tier_up_threshold = 2;
  c.tiers.background_compile = tier == "auto-background";
}

}  // namespace wvm::test
