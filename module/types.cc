// Names and messages for the public value, trap, error and module types.
#include "wvm/types.h"

#include <cstdio>

#include "wvm/module.h"

namespace wvm {

const char* val_type_name(ValType t) noexcept {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "<unknown type>";
}

std::string func_type_string(const FuncType& t) {
  auto list = [](const std::vector<ValType>& types) {
    std::string s = "(";
    for (size_t i = 0; i < types.size(); ++i) {
      if (i) s += ", ";
      s += val_type_name(types[i]);
    }
    return s + ")";
  };
  return list(t.params) + " -> " + list(t.results);
}

const char* trap_message(TrapKind kind) noexcept {
  switch (kind) {
    case TrapKind::None: return "no trap";
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversionToInteger: return "invalid conversion to integer";
    case TrapKind::CallStackExhausted: return "call stack exhausted";
    case TrapKind::OutOfGas: return "out of gas";
    case TrapKind::HostError: return "host error";
  }
  return "unknown trap";
}

const char* error_kind_name(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::LimitExceeded: return "limit exceeded";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Io: return "io";
    case ErrorKind::Stale: return "stale";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out = error_kind_name(kind);
  switch (kind) {
    case ErrorKind::Malformed:
    case ErrorKind::Invalid:
    case ErrorKind::Unsupported:
    case ErrorKind::LimitExceeded: {
      // Decode-time errors always point into the module, even at offset 0.
      char buf[48];
      std::snprintf(buf, sizeof buf, " module at offset 0x%zx", offset);
      out += buf;
      break;
    }
    case ErrorKind::Io: out += " error"; break;
    case ErrorKind::Stale: out += " compiled module"; break;
    default: break;
  }
  out += ": ";
  out += message;
  if (trap != TrapKind::None && message.find(trap_message(trap)) == std::string::npos) {
    out += " (";
    out += trap_message(trap);
    out += ")";
  }
  return out;
}

const char* extern_kind_name(ExternKind kind) noexcept {
  switch (kind) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "unknown";
}

const Export* Module::find_export(const std::string& name) const noexcept {
  for (const Export& e : exports)
    if (e.name == name) return &e;
  return nullptr;
}

std::string_view Module::func_name(uint32_t func_index) const noexcept {
  size_t lo = 0;
  size_t hi = func_names.size();
  while (lo < hi) {  // func_names is sorted by index
    const size_t mid = lo + (hi - lo) / 2;
    if (func_names[mid].func_index < func_index) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == func_names.size() || func_names[lo].func_index != func_index) return {};
  const FuncName& n = func_names[lo];
  return {reinterpret_cast<const char*>(bytes.data()) + n.name_start, n.name_size};
}

}  // namespace wvm
