// Values of the wast2json script format: parsing arguments and expected
// results, matching results (bit-exact, NaN patterns, references) and
// mapping the suite's trap wording to TrapKind.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "wvm/types.h"

namespace wvm::spec {

/// A malformed command or value in a script; the runner reports it as a failure.
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One expected result of an action.
struct Expected {
  enum class Kind : uint8_t {
    Exact,          ///< same type and bits (a null/handle for externref)
    CanonicalNan,   ///< f32/f64 with only the quiet bit set in the mantissa, either sign
    ArithmeticNan,  ///< f32/f64 NaN with the quiet bit set
    NonNullRef,     ///< any non-null reference of the type (funcref values are opaque)
    AnyType,        ///< only the type is given (the result is not checked beyond it)
    Either,         ///< any of `alternatives`
  };
  Kind kind = Kind::Exact;
  ValType type = ValType::I32;
  uint64_t bits = 0;
  std::vector<Expected> alternatives;
};

/// Parses an action argument such as {"type": "i32", "value": "4294967295"}.
/// externref N becomes the handle N + 1 so that 0 stays the null reference.
Value parse_argument(const nlohmann::json& j);
/// Parses one entry of an "expected" list.
Expected parse_expected(const nlohmann::json& j);
/// True if `got` satisfies `want`.
bool matches(const Expected& want, const Value& got);

/// "i32:42", "f32:0x7fc00000 (nan)", "externref:7", "funcref:null", ...
std::string describe(const Value& v);
std::string describe(const Expected& e);
/// "(i32:1, f64:0x... (2))"
std::string describe(const std::vector<Value>& values);
std::string describe(const std::vector<Expected>& values);

/// The TrapKind for a spec-test trap message ("integer divide by zero", ...).
/// The suite sometimes appends details ("uninitialized element 2"), so a
/// message matches when it starts with the canonical wording.
std::optional<TrapKind> trap_kind_from_text(std::string_view text);
/// The spec-test wording of a trap kind, for messages (independent of the engine).
const char* trap_kind_text(TrapKind kind);

}  // namespace wvm::spec
