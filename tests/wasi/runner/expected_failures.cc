#include "tests/wasi/runner/expected_failures.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace wvm::wasi_tests {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) parts.push_back(trim(part));
  return parts;
}

}  // namespace

bool load_expected_failures(const std::filesystem::path& path,
                            std::vector<ExpectedFailure>& entries, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot open " + path.string();
    return false;
  }
  int number = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    // The reason is free text and may hold '|': split off the first two only.
    size_t bar1 = line.find('|');
    size_t bar2 = bar1 == std::string::npos ? bar1 : line.find('|', bar1 + 1);
    ExpectedFailure e;
    e.line = number;
    if (bar2 != std::string::npos) {
      e.text = trim(line.substr(bar1 + 1, bar2 - bar1 - 1));
      e.reason = trim(line.substr(bar2 + 1));
    }
    std::string key = trim(line.substr(0, bar1));
    size_t at = key.find('@');
    e.name = key.substr(0, at);
    if (at != std::string::npos) e.variants = split(key.substr(at + 1), ',');
    if (bar2 == std::string::npos || e.name.empty() || e.text.empty() || e.reason.empty()) {
      error = path.string() + ":" + std::to_string(number) +
              ": expected `NAME[@VARIANT,...] | TEXT | REASON`, all three non-empty";
      return false;
    }
    entries.push_back(std::move(e));
  }
  return true;
}

std::optional<ExpectedFailure> find_expected_failure(const std::vector<ExpectedFailure>& entries,
                                                     const std::string& name,
                                                     const std::string& variant) {
  for (const ExpectedFailure& e : entries) {
    if (e.name != name) continue;
    if (e.variants.empty() ||
        std::find(e.variants.begin(), e.variants.end(), variant) != e.variants.end()) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace wvm::wasi_tests
