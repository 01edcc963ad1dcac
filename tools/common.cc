// What the commands of the `wvm` program share (see common.h).
#include "tools/common.h"

#include <cstdio>

namespace wvm::cli {
namespace {

// True if `bytes` start like WebAssembly text: optional whitespace and
// comments, then "(module" or any "(" form.
bool looks_like_text_format(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const char c = bytes[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (bytes.substr(i, 2) == ";;") {
      const size_t nl = bytes.find('\n', i);
      if (nl == std::string_view::npos) return false;
      i = nl + 1;
    } else if (bytes.substr(i, 2) == "(;") {
      const size_t end = bytes.find(";)", i + 2);
      if (end == std::string_view::npos) return false;
      i = end + 2;
    } else {
      return c == '(';
    }
  }
  return false;
}

}  // namespace

int usage_error(const std::string& message) {
  std::fprintf(stderr, "wvm: %s\nRun `wvm --help` for usage.\n", message.c_str());
  return kExitUsage;
}

bool is_help_flag(std::string_view a) { return a == "--help" || a == "-h" || a == "help"; }

int report_module_error(const Error& e, std::string_view bytes) {
  std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
  if (e.kind == ErrorKind::Io) return kExitCannotRead;
  if (e.kind == ErrorKind::Malformed && looks_like_text_format(bytes))
    std::fprintf(stderr,
                 "note: this is WebAssembly text (.wat), not a binary module; convert it "
                 "with `wat2wasm FILE.wat -o FILE.wasm` (Debian package wabt)\n");
  return kExitInvalidModule;
}

}  // namespace wvm::cli
