// The custom "name" section's function names (subsection 1), for traces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "wvm/module.h"

namespace wvm {

/// Parses the contents [start, start + size) of a "name" section in `bytes`
/// and returns its function names, ascending by index, each below
/// `num_funcs`. A malformed section (truncated, indices out of order or out
/// of range, a subsection overrunning its parent) yields no names at all: a
/// custom section never makes a module invalid.
std::vector<FuncName> parse_function_names(const uint8_t* bytes, size_t start, size_t size,
                                           uint32_t num_funcs);

}  // namespace wvm
