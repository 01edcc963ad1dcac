// The expected-failures list: `file.wast:LINE  reason` per line, # comments.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace wvm::spec {

class ExpectedFailures {
 public:
  /// Reads `path`; returns false and fills `errors` (one per bad line, or the
  /// open failure) if it cannot be read completely.
  bool load(const std::filesystem::path& path, std::vector<std::string>* errors);

  /// The reason if `file:line` is listed, else nullptr. `file` is a file name
  /// without folders ("i32.wast").
  const std::string* find(const std::string& file, uint32_t line) const;
  /// Every listed line of `file`, with its reason.
  std::vector<std::pair<uint32_t, std::string>> entries_for(const std::string& file) const;

 private:
  std::map<std::pair<std::string, uint32_t>, std::string> entries_;
};

}  // namespace wvm::spec
