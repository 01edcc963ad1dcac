#include "tests/spec/spec_values.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace wvm::spec {
namespace {

constexpr uint32_t kF32SignMask = 0x80000000u;
constexpr uint32_t kF32CanonicalNan = 0x7fc00000u;  // exponent all ones + quiet bit
constexpr uint64_t kF64SignMask = 0x8000000000000000ull;
constexpr uint64_t kF64CanonicalNan = 0x7ff8000000000000ull;

ValType parse_type(const std::string& name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  if (name == "v128") throw ScriptError("v128 values are not supported");
  throw ScriptError("unknown value type \"" + name + "\"");
}

const char* type_name(ValType t) { return val_type_name(t); }

// wast2json writes numbers as the decimal unsigned bit pattern; accept a
// leading '-' too (two's complement) so a hand-written script still works.
uint64_t parse_bits(const std::string& text, ValType type) {
  const char* first = text.data();
  const char* last = first + text.size();
  uint64_t bits = 0;
  std::from_chars_result r;
  if (!text.empty() && text[0] == '-') {
    int64_t signed_value = 0;
    r = std::from_chars(first, last, signed_value);
    bits = static_cast<uint64_t>(signed_value);
  } else {
    r = std::from_chars(first, last, bits);
  }
  if (r.ec != std::errc() || r.ptr != last) {
    throw ScriptError("bad " + std::string(type_name(type)) + " value \"" + text + "\"");
  }
  if (type == ValType::I32 || type == ValType::F32) bits &= 0xffffffffu;
  return bits;
}

std::string value_string(const nlohmann::json& j) {
  const nlohmann::json& v = j.at("value");
  if (!v.is_string()) throw ScriptError("value is not a string: " + v.dump());
  return v.get<std::string>();
}

std::string hex(uint64_t bits, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, digits, bits);
  return buf;
}

}  // namespace

Value parse_argument(const nlohmann::json& j) {
  ValType type = parse_type(j.at("type").get<std::string>());
  std::string text = value_string(j);
  if (is_ref_type(type)) {
    if (text == "null") return Value::ref(type, 0);
    if (type == ValType::FuncRef) {
      throw ScriptError("a non-null funcref argument cannot be passed from a script");
    }
    return Value::ref(type, parse_bits(text, ValType::I64) + 1);
  }
  return Value{type, parse_bits(text, type)};
}

Expected parse_expected(const nlohmann::json& j) {
  Expected e;
  std::string type_text = j.at("type").get<std::string>();
  if (type_text == "either") {
    e.kind = Expected::Kind::Either;
    for (const auto& alt : j.at("values")) e.alternatives.push_back(parse_expected(alt));
    if (e.alternatives.empty()) throw ScriptError("\"either\" with no values");
    e.type = e.alternatives.front().type;
    return e;
  }
  e.type = parse_type(type_text);
  if (!j.contains("value")) {
    // wabt writes a ref.func result as {"type": "funcref"}: some non-null function.
    e.kind = is_ref_type(e.type) ? Expected::Kind::NonNullRef : Expected::Kind::AnyType;
    return e;
  }
  std::string text = value_string(j);
  if (e.type == ValType::F32 || e.type == ValType::F64) {
    if (text == "nan:canonical") {
      e.kind = Expected::Kind::CanonicalNan;
      return e;
    }
    if (text == "nan:arithmetic") {
      e.kind = Expected::Kind::ArithmeticNan;
      return e;
    }
  }
  if (is_ref_type(e.type)) {
    if (text == "null") {
      e.bits = 0;
    } else if (e.type == ValType::FuncRef) {
      e.kind = Expected::Kind::NonNullRef;  // funcref values are opaque
    } else {
      e.bits = parse_bits(text, ValType::I64) + 1;
    }
    return e;
  }
  e.bits = parse_bits(text, e.type);
  return e;
}

bool matches(const Expected& want, const Value& got) {
  if (want.kind == Expected::Kind::Either) {
    for (const Expected& alt : want.alternatives) {
      if (matches(alt, got)) return true;
    }
    return false;
  }
  if (got.type != want.type) return false;
  switch (want.kind) {
    case Expected::Kind::Exact: {
      uint64_t mask = (want.type == ValType::I32 || want.type == ValType::F32) ? 0xffffffffull
                                                                               : ~0ull;
      return (got.bits & mask) == want.bits;
    }
    case Expected::Kind::CanonicalNan:
      if (want.type == ValType::F32) {
        return (static_cast<uint32_t>(got.bits) & ~kF32SignMask) == kF32CanonicalNan;
      }
      return (got.bits & ~kF64SignMask) == kF64CanonicalNan;
    case Expected::Kind::ArithmeticNan:
      if (want.type == ValType::F32) {
        return (static_cast<uint32_t>(got.bits) & kF32CanonicalNan) == kF32CanonicalNan;
      }
      return (got.bits & kF64CanonicalNan) == kF64CanonicalNan;
    case Expected::Kind::NonNullRef:
      return got.bits != 0;
    case Expected::Kind::AnyType:
      return true;
    case Expected::Kind::Either:
      break;
  }
  return false;
}

std::string describe(const Value& v) {
  std::string out = type_name(v.type);
  out += ':';
  char buf[64];
  switch (v.type) {
    case ValType::I32: {
      uint32_t u = v.as_i32();
      out += std::to_string(u);
      if (static_cast<int32_t>(u) < 0) out += " (" + std::to_string(static_cast<int32_t>(u)) + ")";
      break;
    }
    case ValType::I64: {
      uint64_t u = v.as_i64();
      out += std::to_string(u);
      if (static_cast<int64_t>(u) < 0) out += " (" + std::to_string(static_cast<int64_t>(u)) + ")";
      break;
    }
    case ValType::F32:
      std::snprintf(buf, sizeof buf, " (%.9g)", static_cast<double>(v.as_f32()));
      out += hex(v.bits & 0xffffffffu, 8) + buf;
      break;
    case ValType::F64:
      std::snprintf(buf, sizeof buf, " (%.17g)", v.as_f64());
      out += hex(v.bits, 16) + buf;
      break;
    case ValType::V128:
      out += "?";
      break;
    case ValType::FuncRef:
      out += v.bits == 0 ? "null" : "non-null";
      break;
    case ValType::ExternRef:
      out += v.bits == 0 ? "null" : std::to_string(v.bits - 1);
      break;
  }
  return out;
}

std::string describe(const Expected& e) {
  switch (e.kind) {
    case Expected::Kind::Exact:
      return describe(Value{e.type, e.bits});
    case Expected::Kind::CanonicalNan:
      return std::string(type_name(e.type)) + ":nan:canonical";
    case Expected::Kind::ArithmeticNan:
      return std::string(type_name(e.type)) + ":nan:arithmetic";
    case Expected::Kind::NonNullRef:
      return std::string(type_name(e.type)) + ":non-null";
    case Expected::Kind::AnyType:
      return std::string(type_name(e.type)) + ":any";
    case Expected::Kind::Either: {
      std::string out = "either(";
      for (size_t i = 0; i < e.alternatives.size(); ++i) {
        if (i) out += " | ";
        out += describe(e.alternatives[i]);
      }
      return out + ")";
    }
  }
  return "?";
}

std::string describe(const std::vector<Value>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += describe(values[i]);
  }
  return out + ")";
}

std::string describe(const std::vector<Expected>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += describe(values[i]);
  }
  return out + ")";
}

namespace {

struct TrapText {
  const char* text;
  TrapKind kind;
};

constexpr TrapText kTrapTexts[] = {
    {"unreachable", TrapKind::Unreachable},
    {"out of bounds memory access", TrapKind::MemoryOutOfBounds},
    {"out of bounds table access", TrapKind::TableOutOfBounds},
    {"undefined element", TrapKind::UndefinedElement},
    {"uninitialized element", TrapKind::UninitializedElement},
    {"indirect call type mismatch", TrapKind::IndirectCallTypeMismatch},
    {"integer divide by zero", TrapKind::IntegerDivideByZero},
    {"integer overflow", TrapKind::IntegerOverflow},
    {"invalid conversion to integer", TrapKind::InvalidConversionToInteger},
    {"call stack exhausted", TrapKind::CallStackExhausted},
};

}  // namespace

std::optional<TrapKind> trap_kind_from_text(std::string_view text) {
  for (const TrapText& t : kTrapTexts) {
    if (text.starts_with(t.text)) return t.kind;
  }
  return std::nullopt;
}

const char* trap_kind_text(TrapKind kind) {
  for (const TrapText& t : kTrapTexts) {
    if (t.kind == kind) return t.text;
  }
  switch (kind) {
    case TrapKind::None: return "no trap";
    case TrapKind::OutOfGas: return "out of gas";
    case TrapKind::HostError: return "host error";
    default: return "unknown trap";
  }
}

}  // namespace wvm::spec
