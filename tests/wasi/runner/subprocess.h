// Runs a program with stdin from /dev/null and captures stdout and stderr.
#pragma once

#include <string>
#include <vector>

namespace wvm::wasi_tests {

/// What a finished child left behind.
struct ProcessResult {
  bool started = false;    ///< false: it could not be spawned (see `error`)
  bool timed_out = false;  ///< killed after the time limit
  int exit_code = -1;      ///< exit status, or 128 + signal number
  int signal = 0;          ///< the signal that ended it, 0 if it exited
  std::string out;         ///< everything written to stdout
  std::string err;         ///< everything written to stderr
  std::string error;       ///< why it could not be spawned
};

/// Spawns argv[0] (looked up on PATH when it has no slash) with argv and the
/// runner's own environment (sanitizer and emulator settings must reach wvm;
/// the guest sees only what --env passes), in `cwd`. Kills it (SIGKILL, that
/// one process) after `timeout_seconds`.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          int timeout_seconds);

/// argv as one shell-quoted line, for messages ("to reproduce: ...").
std::string quote_command(const std::vector<std::string>& argv);

}  // namespace wvm::wasi_tests
