// Typed values on the command line: parsing arguments by a function's
// parameter types and printing results (`wvm run --invoke`).
#pragma once

#include <string>

#include "wvm/types.h"

namespace wvm::cli {

/// Parses `text` as a value of `type` (the forms `wvm help run` lists);
/// false if it does not parse or does not fit.
bool parse_arg(const std::string& text, ValType type, Value* out);
/// A result as `wvm run` prints it.
std::string format_value(const Value& v);

}  // namespace wvm::cli
