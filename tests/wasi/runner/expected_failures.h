// tests/wasi/expected-failures.txt: tests known to fail, and how.
//   NAME[@VARIANT,...] | TEXT | REASON
// NAME is lang/test (c/lseek, own-c/escape); VARIANTs (interp, jit, auto,
// tiers, node) limit the entry to those runs, none means all. TEXT must
// occur in the failure report. # starts a comment line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace wvm::wasi_tests {

struct ExpectedFailure {
  std::string name;
  std::vector<std::string> variants;  ///< empty: every variant
  std::string text;                   ///< must occur in the failure report
  std::string reason;
  int line = 0;  ///< in the file, for messages
};

/// Reads the list; false with `error` on an unreadable file or a bad line.
bool load_expected_failures(const std::filesystem::path& path,
                            std::vector<ExpectedFailure>& entries, std::string& error);

/// The entry for `name` run as `variant`, if one is listed.
std::optional<ExpectedFailure> find_expected_failure(const std::vector<ExpectedFailure>& entries,
                                                     const std::string& name,
                                                     const std::string& variant);

}  // namespace wvm::wasi_tests
