// libFuzzer target: decode + validate + prepare arbitrary bytes. Any crash,
// hang, leak or sanitizer report is a bug; errors are the expected outcome.
// Built by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "wvm/wvm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static wvm::Engine engine;
  auto module = wvm::compile(engine, data, size);
  auto validated = wvm::validate(engine, data, size);
  // compile() and validate() share the decoding loop; they must agree.
  if (module.ok() != validated.ok()) std::abort();
  if (!module.ok() && module.error().offset > size) std::abort();
  return 0;
}
