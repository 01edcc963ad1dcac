// A wasi-testsuite test's specification (NAME.json beside NAME.wasm), in
// either of the suite's formats (doc/specification.md): the legacy one
// (args, env, root, dirs, exit_code, stdout, stderr) and the operation-based
// one (run / read / wait). Keys starting with `wvm_` are our own extensions,
// used only by tests/wasi/programs/*.json.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace wvm::wasi_tests {

struct TestSpec {
  std::vector<std::string> args;                            ///< argv[1..]
  std::vector<std::pair<std::string, std::string>> env;     ///< in the file's order
  std::optional<std::filesystem::path> root;                ///< preopened as "/"
  std::vector<std::filesystem::path> dirs;                  ///< preopened under their own names
  int exit_code = 0;
  std::optional<std::string> stdout_text;  ///< expected stdout, when the spec names one
  std::optional<std::string> stderr_text;  ///< expected stderr, when the spec names one
  /// Why the runner cannot run this test (a proposal or operation it does
  /// not implement); empty when it can.
  std::string unsupported;

  // Extensions for our own programs.
  std::vector<std::string> wvm_options;  ///< wvm_options: extra wvm options before FILE
  /// wvm_symlinks: {"name": "target"} created in the root copy before the run;
  /// "{OUTSIDE}" in a target becomes the sentinel file's absolute host path.
  std::vector<std::pair<std::string, std::string>> symlinks;
  std::optional<std::string> stdout_contains;  ///< wvm_stdout_contains
  std::optional<std::string> stderr_contains;  ///< wvm_stderr_contains
  bool read_only = false;  ///< wvm_read_only: preopen with --ro-dir instead of --dir
};

/// Reads the spec at `json_path` (relative folders resolve against its
/// folder); a missing path (nullopt) gives the suite's defaults. Returns
/// false with `error` set when the file cannot be read or parsed.
bool load_test_spec(const std::optional<std::filesystem::path>& json_path, TestSpec& spec,
                    std::string& error);

}  // namespace wvm::wasi_tests
