#include "tests/wasi/runner/report.h"

#include <cstdio>
#include <vector>

namespace wvm::wasi_tests {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));  // keeps its '\n': a missing one shows
    start = end;
  }
  return lines;
}

}  // namespace

std::string escaped(const std::string& text) {
  std::string q = "\"";
  for (unsigned char c : text) {
    if (c == '\n') {
      q += "\\n";
    } else if (c == '"' || c == '\\') {
      q += '\\';
      q += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      q += buf;
    } else {
      q += static_cast<char>(c);
    }
  }
  return q + "\"";
}

std::string indented(const std::string& text, size_t max_lines) {
  std::vector<std::string> lines = lines_of(text);
  std::string out;
  for (size_t i = 0; i < lines.size() && i < max_lines; ++i) {
    out += "    | " + lines[i];
    if (out.back() != '\n') out += "\n    (no newline at the end)\n";
  }
  if (lines.size() > max_lines) {
    out += "    ... " + std::to_string(lines.size() - max_lines) + " more lines\n";
  }
  if (lines.empty()) out += "    (empty)\n";
  return out;
}

std::string describe_difference(const std::string& expected, const std::string& actual) {
  std::vector<std::string> want = lines_of(expected);
  std::vector<std::string> got = lines_of(actual);
  size_t line = 0;
  size_t byte = 0;
  while (line < want.size() && line < got.size() && want[line] == got[line]) {
    byte += want[line].size();
    ++line;
  }
  std::string out = "  first difference at line " + std::to_string(line + 1) + " (byte " +
                    std::to_string(byte) + "):\n";
  out += "    - expected: " + (line < want.size() ? escaped(want[line]) : "(end of output)") + "\n";
  out += "    + actual:   " + (line < got.size() ? escaped(got[line]) : "(end of output)") + "\n";
  out += "  expected (" + std::to_string(expected.size()) + " bytes):\n" + indented(expected);
  out += "  actual (" + std::to_string(actual.size()) + " bytes):\n" + indented(actual);
  return out;
}

}  // namespace wvm::wasi_tests
