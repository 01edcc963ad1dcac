#include "tests/spec/expected_failures.h"

#include <charconv>
#include <fstream>

namespace wvm::spec {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

bool ExpectedFailures::load(const std::filesystem::path& path, std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) {
    errors->push_back("cannot open expected-failures file " + path.string());
    return false;
  }
  std::string raw;
  uint32_t number = 0;
  bool ok = true;
  while (std::getline(in, raw)) {
    ++number;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.find_first_of(" \t");
    std::string key = line.substr(0, space);
    std::string reason = space == std::string::npos ? std::string() : trim(line.substr(space));
    size_t colon = key.rfind(':');
    uint32_t wast_line = 0;
    bool good = colon != std::string::npos && colon > 0 && colon + 1 < key.size();
    if (good) {
      const char* first = key.data() + colon + 1;
      const char* last = key.data() + key.size();
      auto r = std::from_chars(first, last, wast_line);
      good = r.ec == std::errc() && r.ptr == last;
    }
    if (!good) {
      errors->push_back(path.filename().string() + ":" + std::to_string(number) +
                        ": expected `file.wast:LINE  reason`, got `" + line + "`");
      ok = false;
      continue;
    }
    std::string file = std::filesystem::path(key.substr(0, colon)).filename().string();
    entries_[{file, wast_line}] = reason;
  }
  return ok;
}

const std::string* ExpectedFailures::find(const std::string& file, uint32_t line) const {
  auto it = entries_.find({file, line});
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::pair<uint32_t, std::string>> ExpectedFailures::entries_for(
    const std::string& file) const {
  std::vector<std::pair<uint32_t, std::string>> out;
  for (auto it = entries_.lower_bound({file, 0}); it != entries_.end() && it->first.first == file;
       ++it) {
    out.emplace_back(it->first.second, it->second);
  }
  return out;
}

}  // namespace wvm::spec
