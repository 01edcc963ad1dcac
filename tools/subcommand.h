// Commands of the `wvm` program that live in their own executable next to
// it, so that `wvm run` does not load what only they need.
#pragma once

#include <string>
#include <vector>

namespace wvm::cli {

/// Replaces this process with the executable `name` from the directory that
/// holds the running `wvm`, passing `args` as its arguments. Returns only on
/// failure, after printing why; the result is then kExitNoHelper.
int exec_sibling(const char* name, const std::vector<std::string>& args);

/// The exit code when a sibling executable cannot be started (the shell's
/// code for a command it cannot run).
constexpr int kExitNoHelper = 127;

}  // namespace wvm::cli
