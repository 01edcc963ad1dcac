// AssemblyScript's default host imports (see assemblyscript.h).
#include "hosts/assemblyscript/assemblyscript.h"

#include <chrono>
#include <cstring>
#include <random>

namespace wvm::assemblyscript {
namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// splitmix64: the deterministic seed() sequence.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct Signature {
  const char* name;
  FuncType type;
  HostFunc fn;
};

}  // namespace

std::optional<std::string> read_string(const Memory* memory, uint32_t ptr, uint32_t max_units) {
  if (memory == nullptr || ptr < 4) return std::nullopt;
  const uint64_t size = memory->size_bytes();
  if (uint64_t{ptr} > size) return std::nullopt;
  uint32_t byte_len;
  std::memcpy(&byte_len, const_cast<Memory*>(memory)->data() + ptr - 4, 4);
  if (uint64_t{ptr} + byte_len > size) return std::nullopt;
  const uint8_t* p = const_cast<Memory*>(memory)->data() + ptr;
  const uint32_t units = byte_len / 2;
  const uint32_t n = units < max_units ? units : max_units;
  std::string out;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t u = p[2 * i] | (p[2 * i + 1] << 8);
    if (u >= 0xd800 && u < 0xdc00 && i + 1 < n) {
      const uint32_t lo = p[2 * i + 2] | (p[2 * i + 3] << 8);
      if (lo >= 0xdc00 && lo < 0xe000) {
        append_utf8(out, 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
        ++i;
        continue;
      }
    }
    if (u >= 0xd800 && u < 0xe000) u = 0xfffd;  // an unpaired surrogate
    append_utf8(out, u);
  }
  if (n < units) out += "...";
  return out;
}

std::string Host::describe(const Abort& a) {
  std::string s = "abort";
  if (!a.message.empty()) s += ": " + a.message;
  s += " at " + (a.file.empty() ? std::string("<unknown>") : a.file) + ":" +
       std::to_string(a.line) + ":" + std::to_string(a.column);
  return s;
}

TrapKind Host::abort_fn(HostCall& call, const Value* args, Value*) {
  Host& host = *static_cast<Host*>(call.user_data);
  const Memory* mem = call.memory();
  Abort a;
  // A null or unreadable pointer still aborts; the text says what was there.
  if (args[0].as_i32() != 0) a.message = read_string(mem, args[0].as_i32()).value_or("<bad message>");
  if (args[1].as_i32() != 0) a.file = read_string(mem, args[1].as_i32()).value_or("<bad file name>");
  a.line = args[2].as_i32();
  a.column = args[3].as_i32();
  host.aborted_ = std::move(a);
  return TrapKind::HostError;
}

TrapKind Host::trace_fn(HostCall& call, const Value* args, Value*) {
  Host& host = *static_cast<Host*>(call.user_data);
  std::string line = "trace: ";
  line += args[0].as_i32() == 0 ? std::string("null")
                                : read_string(call.memory(), args[0].as_i32()).value_or("<bad message>");
  const int32_t n = static_cast<int32_t>(args[1].as_i32());
  for (int32_t i = 0; i < n && i < 5; ++i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, i == 0 ? " %.17g" : ", %.17g", args[2 + i].as_f64());
    line += buf;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), host.options_.out);
  std::fflush(host.options_.out);
  return TrapKind::None;
}

TrapKind Host::seed_fn(HostCall& call, const Value*, Value* results) {
  Host& host = *static_cast<Host*>(call.user_data);
  uint64_t bits;
  if (host.options_.deterministic) {
    bits = mix(host.options_.seed + host.seed_calls_++);
  } else {
    std::random_device rd;
    bits = (uint64_t{rd()} << 32) ^ rd() ^
           static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  // A finite double in [1, 2): AssemblyScript's Math.random seeds from it.
  results[0] = Value::f64_bits((bits >> 12) | 0x3ff0000000000000ull);
  return TrapKind::None;
}

Result<void> Host::link(Store& store, const Module& module, std::vector<Extern>& imports) {
  using V = ValType;
  const Signature kSigs[] = {
      {"abort", {{V::I32, V::I32, V::I32, V::I32}, {}}, &Host::abort_fn},
      {"trace", {{V::I32, V::I32, V::F64, V::F64, V::F64, V::F64, V::F64}, {}}, &Host::trace_fn},
      {"seed", {{}, {V::F64}}, &Host::seed_fn},
  };
  if (imports.size() < module.imports.size()) imports.resize(module.imports.size());
  for (size_t i = 0; i < module.imports.size(); ++i) {
    const Import& imp = module.imports[i];
    if (imp.module != kModuleName) continue;
    for (const Signature& s : kSigs) {
      if (imp.name != s.name) continue;
      if (imp.kind != ExternKind::Func || !(module.types[imp.func_type] == s.type))
        return Error{ErrorKind::Unlinkable, 0,
                     "import env." + imp.name +
                         " does not have the signature of AssemblyScript's " + s.name,
                     TrapKind::None};
      imports[i] = Extern::func(store.create_host_func(s.type, s.fn, this));
    }
  }
  return {};
}

}  // namespace wvm::assemblyscript
