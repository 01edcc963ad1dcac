// `wvm run`: run a WASI command or call one export of a module.
#pragma once

#include <string>
#include <vector>

namespace wvm::cli {

/// Runs `wvm run ARGS...` (ARGS without "run"); returns the exit code.
int cmd_run(const std::vector<std::string>& args);
/// Prints `wvm help run`; returns kExitOk.
int run_help();

}  // namespace wvm::cli
