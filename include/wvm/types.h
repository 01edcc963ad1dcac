// Public value, type, trap and error types of wvm.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace wvm {

/// A WebAssembly value type, encoded as in the binary format.
enum class ValType : uint8_t {
  I32 = 0x7f,
  I64 = 0x7e,
  F32 = 0x7d,
  F64 = 0x7c,
  V128 = 0x7b,
  FuncRef = 0x70,
  ExternRef = 0x6f,
};

/// The text-format name of a value type ("i32", "funcref", ...).
const char* val_type_name(ValType t) noexcept;
/// True for funcref and externref.
constexpr bool is_ref_type(ValType t) noexcept {
  return t == ValType::FuncRef || t == ValType::ExternRef;
}

/// A typed value. Floats are kept as raw bits so NaN payloads survive.
/// References are opaque 64-bit handles; 0 is the null reference.
struct Value {
  ValType type = ValType::I32;
  uint64_t bits = 0;

  static Value i32(uint32_t v) noexcept { return {ValType::I32, v}; }
  static Value i64(uint64_t v) noexcept { return {ValType::I64, v}; }
  static Value f32_bits(uint32_t v) noexcept { return {ValType::F32, v}; }
  static Value f64_bits(uint64_t v) noexcept { return {ValType::F64, v}; }
  static Value f32(float v) noexcept {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return {ValType::F32, b};
  }
  static Value f64(double v) noexcept {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return {ValType::F64, b};
  }
  static Value ref(ValType t, uint64_t handle) noexcept { return {t, handle}; }

  uint32_t as_i32() const noexcept { return static_cast<uint32_t>(bits); }
  uint64_t as_i64() const noexcept { return bits; }
  float as_f32() const noexcept {
    uint32_t b = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  double as_f64() const noexcept {
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  bool is_null_ref() const noexcept { return bits == 0; }
  friend bool operator==(const Value& a, const Value& b) noexcept {
    return a.type == b.type && a.bits == b.bits;
  }
  friend bool operator!=(const Value& a, const Value& b) noexcept { return !(a == b); }  // C++17
};

/// A function signature.
struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  friend bool operator==(const FuncType& a, const FuncType& b) noexcept {
    return a.params == b.params && a.results == b.results;
  }
  friend bool operator!=(const FuncType& a, const FuncType& b) noexcept { return !(a == b); }  // C++17
};

/// "(i32, i64) -> (f32)": a signature as messages and tools print it.
std::string func_type_string(const FuncType& t);

/// Every way a wasm call can trap; shared by every tier. Tests compare these
/// enums, never the message strings.
enum class TrapKind : uint8_t {
  None = 0,
  Unreachable,
  MemoryOutOfBounds,           ///< "out of bounds memory access"
  TableOutOfBounds,            ///< "out of bounds table access" (table.get/set/init/copy/fill)
  UndefinedElement,            ///< "undefined element": call_indirect index past the table
  UninitializedElement,        ///< "uninitialized element": call_indirect through null
  IndirectCallTypeMismatch,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversionToInteger,
  CallStackExhausted,
  OutOfGas,
  HostError,
};

/// The spec-test wording of a trap ("integer divide by zero", ...).
const char* trap_message(TrapKind kind) noexcept;

/// What went wrong when a module was decoded, validated, linked or instantiated.
enum class ErrorKind : uint8_t {
  Malformed,       ///< the bytes are not a well-formed binary module
  Invalid,         ///< well-formed but fails validation
  Unsupported,     ///< uses a feature wvm does not implement (named in the message)
  LimitExceeded,   ///< exceeds a configured limit (see Limits)
  Unlinkable,      ///< imports do not match what was provided
  Uninstantiable,  ///< a trap or resource failure during instantiation
  Io,              ///< a file could not be read
  Stale,           ///< serialized by another wvm build, format, configuration or CPU
};

/// The name of an error kind ("malformed", "invalid", ...).
const char* error_kind_name(ErrorKind kind) noexcept;

/// An error with its kind, the byte offset in the module where it was found
/// (0 when not tied to a position) and a human-readable message.
struct Error {
  ErrorKind kind = ErrorKind::Invalid;
  size_t offset = 0;
  std::string message;
  TrapKind trap = TrapKind::None;  ///< for Uninstantiable caused by a trap

  /// "invalid at offset 0x1a: type mismatch ..."
  std::string to_string() const;
};

/// A value or an Error; never throws.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : ok_(true), value_(std::move(value)) {}
  Result(Error error) : ok_(false), error_(std::move(error)) {}

  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  T& operator*() { return value_; }
  const Error& error() const noexcept { return error_; }

 private:
  bool ok_;
  T value_{};
  Error error_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() : ok_(true) {}
  Result(Error error) : ok_(false), error_(std::move(error)) {}
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const noexcept { return error_; }

 private:
  bool ok_;
  Error error_;
};

}  // namespace wvm
