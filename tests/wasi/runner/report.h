// Readable descriptions of how an output differs from the expected one.
#pragma once

#include <string>

namespace wvm::wasi_tests {

/// `text` with control and non-ASCII bytes escaped, in double quotes.
std::string escaped(const std::string& text);

/// Where `actual` first departs from `expected` (line, byte), both lines,
/// and then both texts in full (the first 40 lines of each), "| "-prefixed.
std::string describe_difference(const std::string& expected, const std::string& actual);

/// The text indented with "| " per line, at most `max_lines` lines.
std::string indented(const std::string& text, size_t max_lines = 40);

}  // namespace wvm::wasi_tests
