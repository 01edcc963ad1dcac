// Typed values on the command line (see values.h).
#include "tools/values.h"

#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace wvm::cli {
namespace {

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

/// A NaN as "nan" (canonical payload) or "nan:0x<payload>", with its sign.
std::string nan_text(bool negative, uint64_t payload, uint64_t canonical) {
  std::string s = negative ? "-nan" : "nan";
  if (payload != canonical) {
    s += ':';
    s += hex(payload);
  }
  return s;
}


/// Parses an integer of `bits` bits: decimal or 0x hex, optional sign; accepts
/// -2^(bits-1) .. 2^bits - 1.
bool parse_int(std::string_view s, unsigned bits, uint64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  const uint64_t max_mag = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t mag = 0;
  size_t digits = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else if (c == '_')
      continue;  // digit separators, as in the text format
    else
      return false;
    if (mag > (max_mag - d) / base) return false;
    mag = mag * base + d;
    ++digits;
  }
  if (digits == 0) return false;
  if (neg) {
    const uint64_t min_mag = uint64_t{1} << (bits - 1);
    if (mag > min_mag) return false;
    mag = ~mag + 1;
  }
  *out = bits == 64 ? mag : (mag & max_mag);
  return true;
}

/// Parses "nan", "-nan", "nan:0xPAYLOAD" into float bits; false if `s` is
/// not a NaN spelling or the payload is zero or too wide.
bool parse_nan(std::string_view s, unsigned mant_bits, unsigned total_bits, uint64_t* out,
               bool* is_nan) {
  bool neg = false;
  *is_nan = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.substr(0, 3) != "nan") return false;
  *is_nan = true;
  s.remove_prefix(3);
  const uint64_t mant_mask = (uint64_t{1} << mant_bits) - 1;
  uint64_t payload = uint64_t{1} << (mant_bits - 1);  // canonical
  if (!s.empty()) {
    if (s.substr(0, 3) != ":0x" && s.substr(0, 3) != ":0X") return false;
    s.remove_prefix(1);
    if (!parse_int(s, 64, &payload) || payload == 0 || (payload & ~mant_mask) != 0) return false;
  }
  const uint64_t exp_mask = ((uint64_t{1} << (total_bits - 1 - mant_bits)) - 1) << mant_bits;
  *out = (neg ? uint64_t{1} << (total_bits - 1) : 0) | exp_mask | payload;
  return true;
}

}  // namespace

std::string format_value(const Value& v) {
  char buf[64];
  switch (v.type) {
    case ValType::I32:
      std::snprintf(buf, sizeof buf, "%" PRId32, static_cast<int32_t>(v.as_i32()));
      return buf;
    case ValType::I64:
      std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(v.as_i64()));
      return buf;
    case ValType::F32: {
      const uint32_t bits = v.as_i32();
      const bool neg = (bits >> 31) != 0;
      const uint32_t exp = (bits >> 23) & 0xff;
      const uint32_t mant = bits & 0x7fffff;
      if (exp == 0xff) return mant == 0 ? (neg ? "-inf" : "inf") : nan_text(neg, mant, 0x400000);
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v.as_f32()));
      return buf;
    }
    case ValType::F64: {
      const uint64_t bits = v.as_i64();
      const bool neg = (bits >> 63) != 0;
      const uint64_t exp = (bits >> 52) & 0x7ff;
      const uint64_t mant = bits & ((uint64_t{1} << 52) - 1);
      if (exp == 0x7ff)
        return mant == 0 ? (neg ? "-inf" : "inf") : nan_text(neg, mant, uint64_t{1} << 51);
      std::snprintf(buf, sizeof buf, "%.17g", v.as_f64());
      return buf;
    }
    case ValType::FuncRef:
    case ValType::ExternRef:
      return v.is_null_ref() ? "null" : "ref";
    case ValType::V128:
      return "v128";
  }
  return "?";
}

bool parse_arg(const std::string& text, ValType type, Value* out) {
  switch (type) {
    case ValType::I32: {
      uint64_t v;
      if (!parse_int(text, 32, &v)) return false;
      *out = Value::i32(static_cast<uint32_t>(v));
      return true;
    }
    case ValType::I64: {
      uint64_t v;
      if (!parse_int(text, 64, &v)) return false;
      *out = Value::i64(v);
      return true;
    }
    case ValType::F32:
    case ValType::F64: {
      const bool f32 = type == ValType::F32;
      uint64_t bits;
      bool is_nan;
      if (parse_nan(text, f32 ? 23 : 52, f32 ? 32 : 64, &bits, &is_nan)) {
        *out = f32 ? Value::f32_bits(static_cast<uint32_t>(bits)) : Value::f64_bits(bits);
        return true;
      }
      if (is_nan || text.empty()) return false;
      const char* begin = text.c_str();
      char* end = nullptr;
      errno = 0;
      // strtof directly for f32: going through double could round twice.
      if (f32) {
        const float f = std::strtof(begin, &end);
        if (end != begin + text.size()) return false;
        *out = Value::f32(f);
      } else {
        const double d = std::strtod(begin, &end);
        if (end != begin + text.size()) return false;
        *out = Value::f64(d);
      }
      // Overflow to infinity is an error; underflow to zero/subnormal is fine.
      if (errno == ERANGE && (f32 ? std::isinf(out->as_f32()) : std::isinf(out->as_f64())))
        return false;
      return true;
    }
    case ValType::FuncRef:
      if (text != "null") return false;
      *out = Value::ref(type, 0);
      return true;
    case ValType::ExternRef: {
      if (text == "null") {
        *out = Value::ref(type, 0);
        return true;
      }
      uint64_t handle;
      if (!parse_int(text, 64, &handle) || handle == 0 || text[0] == '-') return false;
      *out = Value::ref(type, handle);
      return true;
    }
    case ValType::V128:
      return false;
  }
  return false;
}

}  // namespace wvm::cli
