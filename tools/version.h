// `wvm --version`: what this binary is.
#pragma once

#include <string>

namespace wvm::cli {

/// The version, the commit it was built from, the build type and compiler,
/// and the target and tiers it has, one fact a line.
std::string version_text();

}  // namespace wvm::cli
