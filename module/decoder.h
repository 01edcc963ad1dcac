// Module-level decoding: sections, types, imports, exports, segments and
// every module-level validation rule. Function bodies are only located here;
// module/validator.h decodes and validates them.
#pragma once

#include <memory>

#include "wvm/config.h"
#include "wvm/module.h"
#include "wvm/types.h"

namespace wvm {

class Reader;
class Engine;

/// decode_module as `engine` does it: the module-size limit, the engine's
/// bounds strategy and metering recorded in the module, its types interned.
Result<std::shared_ptr<Module>> decode_for_engine(Engine& engine, const uint8_t* data,
                                                  size_t size);

/// Decodes `module.bytes` into `module`, validating everything except the
/// instructions of function bodies (body ranges are recorded in
/// `module.bodies`). `module.type_ids` is left empty (the engine fills it).
/// Errors carry a kind (Malformed / Invalid / Unsupported / LimitExceeded), the
/// byte offset in the module, and a message using the spec test suite's
/// wording where one exists ("unexpected end", "type mismatch", ...).
Result<void> decode_module(const ModuleLimits& limits, Module& module);

/// Decodes one constant expression (up to and including its `end`) and checks
/// it produces `expected`. `num_globals_visible` is how many globals (from the
/// start of the index space) global.get may name.
bool decode_const_expr(Reader& r, const Module& module, ValType expected,
                       uint32_t num_globals_visible, ConstExpr* out);

/// Reads a value type byte; fails as Malformed/Unsupported (naming the
/// feature, e.g. "SIMD (v128)") for anything that is not a Wasm 2.0 value type.
bool read_val_type(Reader& r, ValType* out);

}  // namespace wvm
