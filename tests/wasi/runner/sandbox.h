// One run's private folder: a writable copy of the test's preopened
// directories plus a sentinel file beside (outside) them that no guest may
// reach. Removed on destruction unless kept.
//
//   TMP/root/      copy of the spec's `root` (preopened as "/")
//   TMP/dirs/NAME  copy of each `dirs` entry (preopened as NAME)
//   TMP/outside    the sentinel
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/wasi/runner/test_spec.h"

namespace wvm::wasi_tests {

class Sandbox {
 public:
  /// Creates a fresh folder under `parent`; `error` says why not when it
  /// returns false.
  bool create(const std::filesystem::path& parent, const TestSpec& spec, std::string& error);
  ~Sandbox();

  /// The preopen options for an engine that takes wvm's syntax
  /// (--dir HOST::GUEST, or --ro-dir for a spec's wvm_read_only).
  std::vector<std::string> dir_options() const;
  /// Empty if the sentinel and the folder around the preopens are as
  /// created; otherwise what changed.
  std::string check_outside() const;
  void keep() { keep_ = true; }
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::pair<std::filesystem::path, std::string>> preopens_;  // host, guest
  bool keep_ = false;
  bool read_only_ = false;
};

/// The sentinel's content; checked after every run.
inline constexpr const char* kSentinelText = "sentinel: no guest may read or change this\n";

}  // namespace wvm::wasi_tests
