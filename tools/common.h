// What the commands of the `wvm` program share: exit codes and error output.
#pragma once

#include <string>
#include <string_view>

#include "wvm/types.h"

namespace wvm::cli {

/// Process exit codes; documented in --help, stable for scripts. A WASI
/// command's own exit code (proc_exit) is passed through unchanged.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          ///< bad command line or arguments
  kExitCannotRead = 2,     ///< the module file could not be read
  kExitInvalidModule = 3,  ///< malformed, invalid, unsupported or over a limit
  kExitLinkError = 4,      ///< imports cannot be satisfied or instantiation failed
  kExitTrap = 5,           ///< the called function (or the start function) trapped
  kExitOutOfGas = 6,       ///< the call (or the start function) ran out of gas
  kExitAbort = 7,          ///< an AssemblyScript program called abort
};

/// Prints "wvm: MESSAGE" and the usage hint to stderr; returns kExitUsage.
int usage_error(const std::string& message);
bool is_help_flag(std::string_view arg);
/// Prints a compile/validate error (with a hint for the text format) and
/// returns its exit code. `bytes` are the file's contents (may be empty).
int report_module_error(const Error& e, std::string_view bytes);

}  // namespace wvm::cli
