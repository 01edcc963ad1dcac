// The `wvm` command-line program: run an exported function, validate a
// module, or print what a module declares.
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/cosmwasm/cli.h"
#include "wvm/wvm.h"

#ifndef WVM_VERSION
#define WVM_VERSION "unknown"
#endif

namespace {

using namespace wvm;

/// Process exit codes; documented in --help, stable for scripts.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          ///< bad command line or arguments
  kExitCannotRead = 2,     ///< the module file could not be read
  kExitInvalidModule = 3,  ///< malformed, invalid, unsupported or over a limit
  kExitLinkError = 4,      ///< imports cannot be satisfied or instantiation failed
  kExitTrap = 5,           ///< the called function (or the start function) trapped
  kExitOutOfGas = 6,       ///< the call (or the start function) ran out of gas
};

constexpr const char* kMainHelp = R"(wvm - a WebAssembly engine for deterministic execution

Usage:
  wvm run [--tier interp|jit|auto] [--tier-threshold N]
          [--gas LIMIT [--gas-profile NAME]] [--invoke-start-only]
          FILE.wasm [FUNC [ARGS...]]
  wvm validate FILE.wasm
  wvm inspect FILE.wasm
  wvm cosmwasm COMMAND ... (store, instantiate, execute, query, migrate, show, addr)
  wvm help [COMMAND]      (same as wvm --help, wvm COMMAND --help)
  wvm --version

Commands:
  run       Compile FILE.wasm, instantiate it with no imports (running its
            start function, if any), call the exported function FUNC with
            ARGS and print its results on one line, separated by spaces.
  validate  Decode and validate FILE.wasm; print "valid" or the error.
  inspect   Print the module's imports, exports, memories, tables, and counts
            of functions, globals and segments, and its start function.
  cosmwasm  Store, instantiate, execute, query and migrate CosmWasm contracts
            on a local chain kept in DIR (RocksDB); prints JSON results and
            gas reports. Its own exit codes: `wvm help cosmwasm`.

Exit codes:
  0  success
  1  usage error (unknown command, wrong argument count, unparseable argument)
  2  the file cannot be read
  3  invalid module: malformed, invalid, unsupported feature or over a limit;
     "error: <kind> at offset <offset>: <message>" goes to stderr
  4  link or instantiation error (e.g. the module has imports: `wvm run`
     provides none)
  5  trap in FUNC or in the start function; "trap: <message>" goes to stderr
  6  out of gas ("trap: out of gas" on stderr)
)";

constexpr const char* kRunHelp = R"(Usage: wvm run [--tier interp|jit|auto] [--tier-threshold N]
               [--gas LIMIT [--gas-profile NAME]] [--invoke-start-only]
               FILE.wasm [FUNC [ARGS...]]

Compiles FILE.wasm, instantiates it with no imports (a module that imports
anything is rejected with exit code 4), runs its start function, then calls the
exported function FUNC.

Options:
  --tier NAME           auto (the default): start in tier 0 and compile
                        functions whose calls or loop back-edges reach the
                        threshold; interp: tier 0 only; jit: compile every
                        function with tier 1 first (functions it cannot compile
                        stay in tier 0).
  --tier-threshold N    The tier-up threshold for --tier auto (default 1000).
  --gas LIMIT           Meter execution: the start function and FUNC may use
                        LIMIT gas together. After the results (or the trap),
                        prints "gas used: N, gas left: M". Running out is
                        "trap: out of gas" with exit code 6 and 0 gas left.
  --gas-profile NAME    The cost model with --gas: uniform (1 per
                        instruction, the default), cosmwasm (cosmwasm-vm
                        3.0.0-3.0.8: 115 per operator, 1610 for loop, end, if,
                        else, br, br_if, br_table, call, call_indirect,
                        return) or cosmwasm-3.0.9 (the same, plus 115 per
                        declared local above 29 in each called function).
                        Each run is charged at the accounting operator that
                        ends it; see the README's "Gas" section.
  --invoke-start-only   Only instantiate (running the start function, if any);
                        FUNC and ARGS must then be omitted.

Arguments are parsed by FUNC's parameter types; their count must match:
  i32, i64   signed or unsigned decimal, or hexadecimal with 0x (a leading
             "-" is allowed); must fit the type: i32 takes -2147483648 to
             4294967295, i64 takes -2^63 to 2^64-1
  f32, f64   a decimal or hexadecimal (0x1.8p3) float, "inf", "-inf", "nan",
             "-nan", or "nan:0xPAYLOAD" / "-nan:0xPAYLOAD" for a NaN with the
             given mantissa bits (non-zero)
  funcref    "null"
  externref  "null" or a non-zero decimal handle

Results are printed on one line separated by spaces (nothing for no results):
  i32, i64   signed decimal
  f32, f64   shortest round-trip form (%.9g / %.17g), "inf", "-inf", "nan"
             for the canonical NaN, "nan:0xPAYLOAD" for any other, with "-"
             for a negative sign
  references "null" or "ref"

Exit codes: 0 success, 1 usage error, 2 cannot read file, 3 invalid module,
4 link or instantiation error, 5 trap (message on stderr), 6 out of gas.
)";

constexpr const char* kValidateHelp = R"(Usage: wvm validate FILE.wasm

Decodes and validates FILE.wasm. Prints "valid" and exits with 0, or prints
"error: <kind> at offset <offset>: <message>" to stderr and exits with 3
(2 if the file cannot be read, 1 on a usage error).
)";

constexpr const char* kInspectHelp = R"(Usage: wvm inspect FILE.wasm

Compiles FILE.wasm and prints its imports (module.name, kind and type),
exports (name, kind, index, and the signature of functions), memories and
tables with their limits, the counts of functions (imported/defined), globals,
data and element segments, and the start function.
Exit codes: 0 success, 1 usage error, 2 cannot read file, 3 invalid module.
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "wvm: %s\nRun `wvm --help` for usage.\n", message.c_str());
  return kExitUsage;
}

bool is_help_flag(std::string_view a) { return a == "--help" || a == "-h" || a == "help"; }

// ---- reading and compiling ----

/// Exit code for a compile/validate error.
int report_module_error(const Error& e) {
  std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
  return e.kind == ErrorKind::Io ? kExitCannotRead : kExitInvalidModule;
}

std::optional<std::vector<uint8_t>> read_module_file(const std::string& path, int* exit_code) {
  auto bytes = wvm::read_file(path);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().to_string().c_str());
    *exit_code = kExitCannotRead;
    return std::nullopt;
  }
  return std::move(bytes).value();
}

// ---- formatting ----

std::string signature(const FuncType& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i) s += ", ";
    s += val_type_name(t.params[i]);
  }
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) {
    if (i) s += ", ";
    s += val_type_name(t.results[i]);
  }
  s += ")";
  return s;
}

std::string limits_text(const SizeLimits& l) {
  std::string s = "min " + std::to_string(l.min);
  if (l.has_max) s += " max " + std::to_string(l.max);
  return s;
}

std::string global_type_text(const GlobalType& g) {
  return std::string(val_type_name(g.type)) + (g.mut ? " mut" : " const");
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

/// A NaN as "nan" (canonical payload) or "nan:0x<payload>", with its sign.
std::string nan_text(bool negative, uint64_t payload, uint64_t canonical) {
  std::string s = negative ? "-nan" : "nan";
  if (payload != canonical) s += ":" + hex(payload);
  return s;
}

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

// ---- argument parsing ----

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

// ---- commands ----

// Prints the gas line of a metered run.
void print_gas(const Store& store) {
  const GasReport g = store.gas_report();
  std::printf("gas used: %llu, gas left: %llu\n",
              static_cast<unsigned long long>(g.limit - g.remaining),
              static_cast<unsigned long long>(g.remaining));
}

int cmd_run(const std::vector<std::string>& args) {
  bool start_only = false;
  std::optional<uint64_t> gas_limit;
  std::optional<std::string> gas_profile;
  TierPolicy tier_policy = TierPolicy::Auto;
  uint32_t tier_threshold = 1000;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    if (is_help_flag(args[i])) {
      std::fputs(kRunHelp, stdout);
      return kExitOk;
    }
    if (args[i] == "--invoke-start-only") {
      start_only = true;
    } else if (args[i] == "--tier" || args[i] == "--tier-threshold") {
      if (i + 1 >= args.size()) return usage_error("run: " + args[i] + " needs a value");
      const std::string& v = args[++i];
      if (args[i - 1] == "--tier") {
        if (v == "interp") tier_policy = TierPolicy::Interp;
        else if (v == "jit") tier_policy = TierPolicy::Jit;
        else if (v == "auto") tier_policy = TierPolicy::Auto;
        else return usage_error("run: unknown tier \"" + v + "\" (interp, jit or auto)");
      } else {
        char* end = nullptr;
        const unsigned long n = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n == 0 || n > UINT32_MAX)
          return usage_error("run: --tier-threshold takes a positive integer");
        tier_threshold = static_cast<uint32_t>(n);
      }
    } else if (args[i] == "--gas" || args[i] == "--gas-profile") {
      if (i + 1 >= args.size()) return usage_error("run: " + args[i] + " needs a value");
      const std::string& v = args[++i];
      if (args[i - 1] == "--gas-profile") {
        gas_profile = v;
      } else {
        char* end = nullptr;
        errno = 0;
        const unsigned long long limit = std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || v[0] == '-' || *end != '\0' || errno == ERANGE)
          return usage_error("run: --gas takes a non-negative integer, got \"" + v + "\"");
        gas_limit = limit;
      }
    } else if (args[i] == "--") {
      ++i;
      break;
    } else if (args[i].size() > 1 && args[i][0] == '-' && args[i][1] == '-') {
      return usage_error("run: unknown option " + args[i]);
    } else {
      break;
    }
  }
  if (i >= args.size()) return usage_error("run: missing FILE.wasm");
  const std::string& path = args[i++];
  if (!start_only && i >= args.size()) return usage_error("run: missing FUNC");
  if (start_only && i < args.size())
    return usage_error("run: --invoke-start-only takes no FUNC or arguments");

  Config config;
  config.tiers.policy = tier_policy;
  config.tiers.tier_up_threshold = tier_threshold;
  if (gas_profile && !gas_limit) return usage_error("run: --gas-profile needs --gas LIMIT");
  if (gas_limit) {
    config.metering.enabled = true;
    const std::string profile = gas_profile.value_or("uniform");
    if (std::optional<GasProfile> p = GasProfile::named(profile))
      config.metering.profile = *p;
    else
      return usage_error("run: unknown gas profile \"" + profile +
                         "\" (uniform, cosmwasm or cosmwasm-3.0.9)");
  }

  int code = kExitOk;
  auto bytes = read_module_file(path, &code);
  if (!bytes) return code;

  Engine engine(config);
  auto module = wvm::compile(engine, bytes->data(), bytes->size());
  if (!module) return report_module_error(module.error());
  std::shared_ptr<const Module> mod = module.value();

  if (!mod->imports.empty()) {
    const Import& imp = mod->imports.front();
    std::fprintf(stderr, "error: module imports %s.%s; `wvm run` provides no imports\n",
                 imp.module.c_str(), imp.name.c_str());
    return kExitLinkError;
  }

  // Resolve FUNC and its arguments before instantiating, so a usage error
  // never runs the start function.
  const Export* exp = nullptr;
  std::vector<Value> call_args;
  if (!start_only) {
    const std::string& name = args[i++];
    exp = mod->find_export(name);
    if (exp == nullptr) return usage_error("run: no export named \"" + name + "\"");
    if (exp->kind != ExternKind::Func)
      return usage_error("run: export \"" + name + "\" is a " + extern_kind_name(exp->kind) +
                         ", not a function");
    const FuncType& type = mod->func_type(exp->index);
    const size_t given = args.size() - i;
    if (given != type.params.size())
      return usage_error("run: " + name + " " + signature(type) + " takes " +
                         std::to_string(type.params.size()) + " argument(s), got " +
                         std::to_string(given));
    for (size_t p = 0; p < type.params.size(); ++p) {
      Value v;
      if (!parse_arg(args[i + p], type.params[p], &v))
        return usage_error("run: argument " + std::to_string(p) + " (" +
                           val_type_name(type.params[p]) + "): cannot parse \"" + args[i + p] +
                           "\"");
      call_args.push_back(v);
    }
  }

  Store store(engine);
  if (gas_limit) store.set_gas_limit(*gas_limit);
  auto inst = store.instantiate(mod, {});
  if (!inst) {
    const Error& e = inst.error();
    if (e.trap != TrapKind::None) {
      std::fprintf(stderr, "trap: %s\nnote: the start function trapped\n", trap_message(e.trap));
      if (gas_limit) print_gas(store);
      return e.trap == TrapKind::OutOfGas ? kExitOutOfGas : kExitTrap;
    }
    std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
    return kExitLinkError;
  }
  if (start_only) {
    if (gas_limit) print_gas(store);
    return kExitOk;
  }

  Func* func = (*inst)->find_export(exp->name).as_func();
  if (func == nullptr) {
    std::fprintf(stderr, "error: export \"%s\" did not resolve to a function\n",
                 exp->name.c_str());
    return kExitLinkError;
  }
  CallResult result = store.call(func, call_args);
  if (!result.ok()) {
    std::fprintf(stderr, "trap: %s\n", trap_message(result.trap));
    if (gas_limit) print_gas(store);
    return result.trap == TrapKind::OutOfGas ? kExitOutOfGas : kExitTrap;
  }
  if (!result.results.empty()) {
    std::string line;
    for (size_t r = 0; r < result.results.size(); ++r) {
      if (r) line += ' ';
      line += format_value(result.results[r]);
    }
    std::printf("%s\n", line.c_str());
  }
  if (gas_limit) print_gas(store);
  return kExitOk;
}

int cmd_validate(const std::vector<std::string>& args) {
  if (!args.empty() && is_help_flag(args[0])) {
    std::fputs(kValidateHelp, stdout);
    return kExitOk;
  }
  if (args.size() != 1) return usage_error("validate: expected exactly one FILE.wasm");
  int code = kExitOk;
  auto bytes = read_module_file(args[0], &code);
  if (!bytes) return code;
  Engine engine;
  auto r = wvm::validate(engine, bytes->data(), bytes->size());
  if (!r) return report_module_error(r.error());
  std::printf("valid\n");
  return kExitOk;
}

int cmd_inspect(const std::vector<std::string>& args) {
  if (!args.empty() && is_help_flag(args[0])) {
    std::fputs(kInspectHelp, stdout);
    return kExitOk;
  }
  if (args.size() != 1) return usage_error("inspect: expected exactly one FILE.wasm");
  int code = kExitOk;
  auto bytes = read_module_file(args[0], &code);
  if (!bytes) return code;
  Engine engine;
  auto compiled = wvm::compile(engine, bytes->data(), bytes->size());
  if (!compiled) return report_module_error(compiled.error());
  const Module& m = *compiled.value();

  std::printf("imports: %zu\n", m.imports.size());
  for (const Import& imp : m.imports) {
    std::string desc;
    switch (imp.kind) {
      case ExternKind::Func:
        desc = imp.func_type < m.types.size() ? signature(m.types[imp.func_type]) : "?";
        break;
      case ExternKind::Table:
        desc = std::string(val_type_name(imp.table.elem)) + " " + limits_text(imp.table.limits);
        break;
      case ExternKind::Memory: desc = limits_text(imp.memory.limits); break;
      case ExternKind::Global: desc = global_type_text(imp.global); break;
    }
    std::printf("  %s.%s %s %s\n", imp.module.c_str(), imp.name.c_str(),
                extern_kind_name(imp.kind), desc.c_str());
  }

  std::printf("exports: %zu\n", m.exports.size());
  for (const Export& e : m.exports) {
    std::string extra;
    if (e.kind == ExternKind::Func && e.index < m.num_funcs())
      extra = " " + signature(m.func_type(e.index));
    if (e.kind == ExternKind::Global && e.index < m.globals.size())
      extra = " " + global_type_text(m.globals[e.index]);
    std::printf("  \"%s\" %s %u%s\n", e.name.c_str(), extern_kind_name(e.kind), e.index,
                extra.c_str());
  }

  std::printf("memories: %zu\n", m.memories.size());
  for (size_t i = 0; i < m.memories.size(); ++i)
    std::printf("  %zu %s (pages)%s\n", i, limits_text(m.memories[i].limits).c_str(),
                i < m.num_imported_memories ? " imported" : "");
  std::printf("tables: %zu\n", m.tables.size());
  for (size_t i = 0; i < m.tables.size(); ++i)
    std::printf("  %zu %s %s%s\n", i, val_type_name(m.tables[i].elem),
                limits_text(m.tables[i].limits).c_str(),
                i < m.num_imported_tables ? " imported" : "");

  std::printf("functions: %u (%u imported, %u defined)\n", m.num_funcs(), m.num_imported_funcs,
              m.num_funcs() - m.num_imported_funcs);
  std::printf("globals: %zu (%u imported, %zu defined)\n", m.globals.size(),
              m.num_imported_globals, m.globals.size() - m.num_imported_globals);
  std::printf("data segments: %zu\n", m.datas.size());
  std::printf("element segments: %zu\n", m.elems.size());
  if (m.start)
    std::printf("start: %u %s\n", *m.start, signature(m.func_type(*m.start)).c_str());
  else
    std::printf("start: none\n");
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kMainHelp, stderr);
    return kExitUsage;
  }
  const std::string cmd = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "--help" || cmd == "-h") {
    std::fputs(kMainHelp, stdout);
    return kExitOk;
  }
  if (cmd == "help") {
    if (rest.empty()) {
      std::fputs(kMainHelp, stdout);
      return kExitOk;
    }
    if (rest[0] == "run") return cmd_run({"--help"});
    if (rest[0] == "validate") return cmd_validate({"--help"});
    if (rest[0] == "inspect") return cmd_inspect({"--help"});
    if (rest[0] == "cosmwasm") return cosmwasm::cli::help(rest.size() > 1 ? rest[1] : "");
    return usage_error("help: unknown command \"" + rest[0] + "\"");
  }
  if (cmd == "--version" || cmd == "version") {
    std::printf("wvm %s\n", WVM_VERSION);
    return kExitOk;
  }
  if (cmd == "run") return cmd_run(rest);
  if (cmd == "validate") return cmd_validate(rest);
  if (cmd == "inspect") return cmd_inspect(rest);
  if (cmd == "cosmwasm") return cosmwasm::cli::run(rest);
  return usage_error("unknown command \"" + cmd + "\"");
}
