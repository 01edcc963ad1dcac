// The `spectest` host module that the WebAssembly spec test suite imports
// (values from the spec's interpreter/host/spectest.ml).
#pragma once

#include <string>
#include <unordered_map>

#include "wvm/wvm.h"

namespace wvm::spectest {

/// Export name -> runtime object.
using ExternMap = std::unordered_map<std::string, Extern>;

/// Creates every export of `spectest` in `store` (functions print_* that do
/// nothing, the constant globals global_i32/i64/f32/f64 = 666 / 666.6, a
/// funcref table 10..20 and a memory 1..2 pages) and returns them by name.
ExternMap create_exports(Store& store);

}  // namespace wvm::spectest
