// `wvm run`: run a WASI command (its _start) or call one export.
#include "tools/run.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hosts/assemblyscript/assemblyscript.h"
#include "hosts/wasi/wasi.h"
#include "tools/common.h"
#include "tools/values.h"
#include "wvm/wvm.h"

namespace wvm::cli {
namespace {

constexpr const char* kRunHelp = R"(Usage: wvm run [OPTIONS] FILE.wasm [ARGS...]
       wvm [OPTIONS] FILE.wasm [ARGS...]             (the same)
       wvm run [OPTIONS] --invoke FUNC FILE.wasm [ARGS...]

Runs a WASI command: instantiates FILE.wasm (linking WASI preview1 and
AssemblyScript's env.abort/trace/seed as it imports them), then calls its
_start with ARGS as the program's arguments (argv[0] is FILE.wasm as given).
With --invoke, calls the exported function FUNC with ARGS parsed by its
parameter types and prints its results instead (a module's _initialize, if
exported, runs first). A module without _start whose first ARG names an
exported function is invoked the same way (`wvm run add.wasm add 1 2`).
Options come before FILE.wasm; everything after it goes to the program.

Options (each also as --option=VALUE):
  --dir HOST[::GUEST]   Preopen the host directory HOST for the program under
                        the name GUEST (default: HOST). `--dir DIR::/` makes
                        DIR the program's root. Nothing else of the host's
                        file system is visible; no path leaves a preopen.
  --ro-dir HOST[::GUEST]  The same, read-only.
  --env NAME=VALUE      Set an environment variable (repeatable). The
                        program sees only these; nothing is inherited.
  --deterministic       Virtual clocks (a fixed start, 1 ms per read) and a
                        seeded random_get: the same program and inputs give
                        the same output. On by default with --gas.
  --no-deterministic    Real clocks and random numbers, even with --gas.
  --seed N              The seed of random_get in deterministic mode (0).
  --invoke FUNC         Call the export FUNC instead of running _start.
  --invoke-start-only   Only instantiate (running the start function).
  --tier NAME           auto (the default): start in tier 0 and compile
                        functions whose calls or loop back-edges reach the
                        threshold; interp: tier 0 only; jit: compile every
                        function with tier 1 first.
  --tier-threshold N    The tier-up threshold for --tier auto (default 1000).
  --bounds NAME         guard (the default): linear memory in an 8 GiB
                        reservation with guard pages, no bounds compares;
                        explicit: every access compared, memory reserved only
                        up to its maximum (for address-space limits such as
                        `ulimit -v`). Results are identical.
  --gas LIMIT           Meter execution: the start function and the call may
                        use LIMIT gas together. Prints "gas used: N, gas
                        left: M" at the end (on stderr for a WASI command,
                        after the results for --invoke). Running out is
                        "trap: out of gas" with exit code 6 and 0 gas left.
  --gas-profile NAME    The cost model with --gas: uniform (1 per
                        instruction, the default), cosmwasm (cosmwasm-vm
                        3.0.0-3.0.8: 115 per operator, 1610 for loop, end, if,
                        else, br, br_if, br_table, call, call_indirect,
                        return) or cosmwasm-3.0.9 (the same, plus 115 per
                        declared local above 29 in each called function).
                        WASI calls cost 100 plus 1 per byte they move.
  --                    Ends the options: the next argument is FILE.wasm.

ARGS of --invoke are parsed by FUNC's parameter types; their count must match:
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

A trap prints "trap: MESSAGE" and a wasm backtrace (function index, name
from the module's name section, byte offset in the file and in the code
section) on stderr.

Exit codes: a WASI command's own exit code (proc_exit; 0 when _start
returns); otherwise 0 success, 1 usage error, 2 cannot read file, 3 invalid
module, 4 link or instantiation error, 5 trap, 6 out of gas, 7 the program
called AssemblyScript's abort ("abort: MESSAGE at FILE:LINE:COLUMN").
)";

struct RunOptions {
  Config config;
  std::optional<uint64_t> gas_limit;
  std::optional<std::string> gas_profile;
  std::optional<std::string> invoke;
  bool start_only = false;
  std::optional<bool> deterministic;
  uint64_t seed = 0;
  std::vector<wasi::Preopen> preopens;
  std::vector<std::string> env;
  std::string file;
  std::vector<std::string> args;  // after FILE.wasm
};

bool parse_u64(const std::string& v, uint64_t* out) {
  if (v.empty() || v[0] < '0' || v[0] > '9') return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *out = n;
  return true;
}

wasi::Preopen parse_dir(const std::string& v, bool read_only) {
  wasi::Preopen p;
  const size_t sep = v.find("::");
  p.host_path = v.substr(0, sep);
  p.guest_path = sep == std::string::npos ? v : v.substr(sep + 2);
  p.read_only = read_only;
  return p;
}

/// One option of `wvm run`: applies its value (empty for flags) or returns
/// the usage error.
struct OptionSpec {
  const char* name;
  bool takes_value;
  std::function<std::optional<std::string>(RunOptions&, const std::string&)> apply;
};

const std::vector<OptionSpec>& option_specs() {
  using R = std::optional<std::string>;
  static const std::vector<OptionSpec> specs = {
      {"--tier", true,
       [](RunOptions& o, const std::string& v) -> R {
         if (v == "interp") o.config.tiers.policy = TierPolicy::Interp;
         else if (v == "jit") o.config.tiers.policy = TierPolicy::Jit;
         else if (v == "auto") o.config.tiers.policy = TierPolicy::Auto;
         else return "unknown tier \"" + v + "\" (interp, jit or auto)";
         return std::nullopt;
       }},
      {"--tier-threshold", true,
       [](RunOptions& o, const std::string& v) -> R {
         uint64_t n;
         if (!parse_u64(v, &n) || n == 0 || n > UINT32_MAX)
           return "--tier-threshold takes a positive integer, got \"" + v + "\"";
         o.config.tiers.tier_up_threshold = static_cast<uint32_t>(n);
         return std::nullopt;
       }},
      {"--bounds", true,
       [](RunOptions& o, const std::string& v) -> R {
         if (v == "guard") o.config.memory.bounds = BoundsStrategy::GuardPages;
         else if (v == "explicit") o.config.memory.bounds = BoundsStrategy::ExplicitChecks;
         else return "unknown bounds strategy \"" + v + "\" (guard or explicit)";
         return std::nullopt;
       }},
      {"--gas", true,
       [](RunOptions& o, const std::string& v) -> R {
         uint64_t n;
         if (!parse_u64(v, &n)) return "--gas takes a non-negative integer, got \"" + v + "\"";
         o.gas_limit = n;
         return std::nullopt;
       }},
      {"--gas-profile", true,
       [](RunOptions& o, const std::string& v) -> R {
         o.gas_profile = v;
         return std::nullopt;
       }},
      {"--invoke", true,
       [](RunOptions& o, const std::string& v) -> R {
         o.invoke = v;
         return std::nullopt;
       }},
      {"--invoke-start-only", false,
       [](RunOptions& o, const std::string&) -> R {
         o.start_only = true;
         return std::nullopt;
       }},
      {"--dir", true,
       [](RunOptions& o, const std::string& v) -> R {
         if (v.empty() || v.rfind("::", 0) == 0) return "--dir takes HOST[::GUEST]";
         o.preopens.push_back(parse_dir(v, false));
         return std::nullopt;
       }},
      {"--ro-dir", true,
       [](RunOptions& o, const std::string& v) -> R {
         if (v.empty() || v.rfind("::", 0) == 0) return "--ro-dir takes HOST[::GUEST]";
         o.preopens.push_back(parse_dir(v, true));
         return std::nullopt;
       }},
      {"--env", true,
       [](RunOptions& o, const std::string& v) -> R {
         const size_t eq = v.find('=');
         if (eq == 0 || eq == std::string::npos)
           return "--env takes NAME=VALUE, got \"" + v + "\"";
         o.env.push_back(v);
         return std::nullopt;
       }},
      {"--deterministic", false,
       [](RunOptions& o, const std::string&) -> R {
         o.deterministic = true;
         return std::nullopt;
       }},
      {"--no-deterministic", false,
       [](RunOptions& o, const std::string&) -> R {
         o.deterministic = false;
         return std::nullopt;
       }},
      {"--seed", true,
       [](RunOptions& o, const std::string& v) -> R {
         if (!parse_u64(v, &o.seed)) return "--seed takes a non-negative integer";
         return std::nullopt;
       }},
  };
  return specs;
}

/// Parses options up to FILE.wasm; the rest are the program's arguments.
/// Returns an exit code when done (help printed or a usage error).
std::optional<int> parse_run_args(const std::vector<std::string>& args, RunOptions* o) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kRunHelp, stdout);
      return kExitOk;
    }
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : option_specs())
      if (name == s.name) spec = &s;
    if (spec == nullptr) return usage_error("run: unknown option " + name);
    std::string value;
    if (spec->takes_value) {
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
      } else {
        if (i + 1 >= args.size()) return usage_error("run: " + name + " needs a value");
        value = args[++i];
      }
    } else if (eq != std::string::npos) {
      return usage_error("run: " + name + " takes no value");
    }
    if (std::optional<std::string> err = spec->apply(*o, value)) return usage_error("run: " + *err);
  }
  if (i >= args.size()) return usage_error("run: missing FILE.wasm");
  o->file = args[i++];
  o->args.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  if (o->gas_profile && !o->gas_limit) return usage_error("run: --gas-profile needs --gas LIMIT");
  if (o->gas_limit) {
    o->config.metering.enabled = true;
    const std::string profile = o->gas_profile.value_or("uniform");
    std::optional<GasProfile> p = GasProfile::named(profile);
    if (!p)
      return usage_error("run: unknown gas profile \"" + profile +
                         "\" (uniform, cosmwasm or cosmwasm-3.0.9)");
    o->config.metering.profile = *p;
  }
  if (o->start_only && (o->invoke || !o->args.empty()))
    return usage_error("run: --invoke-start-only takes no FUNC or arguments");
  return std::nullopt;
}

std::string export_list(const Module& m) {
  std::string s;
  for (const Export& e : m.exports) {
    if (e.kind != ExternKind::Func) continue;
    if (!s.empty()) s += ", ";
    s += e.name + " " + func_type_string(m.func_type(e.index));
  }
  return s.empty() ? "none" : s;
}

void print_gas(const Store& store, std::FILE* out) {
  const GasReport g = store.gas_report();
  std::fprintf(out, "gas used: %" PRIu64 ", gas left: %" PRIu64 "\n", g.limit - g.remaining,
               g.remaining);
}

/// Prints a trap's wasm backtrace to stderr, innermost frame first:
///   0: func[12] <name> at 0x1a2b (code +0x0f31)
void print_trace(const std::vector<TraceFrame>& trace, uint32_t omitted) {
  if (trace.empty()) return;
  std::fprintf(stderr, "wasm backtrace:\n");
  for (size_t i = 0; i < trace.size(); ++i) {
    const TraceFrame& f = trace[i];
    std::string line = "  " + std::to_string(i) + ": ";
    if (f.func_index == UINT32_MAX) {
      line += "<unknown function>";
    } else {
      line += "func[" + std::to_string(f.func_index) + "]";
      const std::string_view name =
          f.module != nullptr ? f.module->func_name(f.func_index) : std::string_view();
      if (!name.empty()) line += " <" + std::string(name) + ">";
    }
    if (f.offset != UINT32_MAX) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " at 0x%x", f.offset);
      line += buf;
      if (f.module != nullptr && f.module->code_section_start != 0 &&
          f.offset >= f.module->code_section_start) {
        std::snprintf(buf, sizeof buf, " (code +0x%x)", f.offset - f.module->code_section_start);
        line += buf;
      }
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  if (omitted != 0) std::fprintf(stderr, "  ... %u more frame(s)\n", omitted);
}

/// How a run ended, after a trap: the WASI exit, AssemblyScript's abort, or
/// a trap (its message, `where` and backtrace on stderr).
int trap_exit_code(TrapKind trap, const wasi::Context* wasi, const assemblyscript::Host& as,
                   const char* where, const CallResult* result) {
  std::fflush(stdout);
  if (trap == TrapKind::HostError && wasi != nullptr && wasi->exit_code())
    return static_cast<int>(*wasi->exit_code());
  if (trap == TrapKind::HostError && as.aborted()) {
    std::fprintf(stderr, "%s\n", assemblyscript::Host::describe(*as.aborted()).c_str());
    if (result != nullptr) print_trace(result->trace, result->trace_omitted);
    return kExitAbort;
  }
  const bool has_message = result != nullptr && !result->message.empty();
  std::fprintf(stderr, "trap: %s\n", has_message ? result->message.c_str() : trap_message(trap));
  if (where != nullptr) std::fprintf(stderr, "note: %s\n", where);
  if (result != nullptr) print_trace(result->trace, result->trace_omitted);
  return trap == TrapKind::OutOfGas ? kExitOutOfGas : kExitTrap;
}

bool imports_module(const Module& m, const char* name) {
  for (const Import& imp : m.imports)
    if (imp.module == name) return true;
  return false;
}

}  // namespace

int run_help() {
  std::fputs(kRunHelp, stdout);
  return kExitOk;
}

int cmd_run(const std::vector<std::string>& argv) {
  RunOptions o;
  if (std::optional<int> done = parse_run_args(argv, &o)) return *done;

  auto read = wvm::read_file(o.file);
  if (!read) return report_module_error(read.error(), {});
  const std::vector<uint8_t>& bytes = read.value();
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());

  Engine engine(o.config);
  auto compiled = wvm::compile(engine, bytes.data(), bytes.size());
  if (!compiled) return report_module_error(compiled.error(), text);
  std::shared_ptr<const Module> mod = compiled.value();

  // What to call: --invoke FUNC, the WASI command's _start, or (for a module
  // that is no command) the export its first argument names.
  std::optional<std::string> invoke = o.invoke;
  std::vector<std::string> invoke_args;
  const Export* start = mod->find_export("_start");
  const bool is_command = start != nullptr && start->kind == ExternKind::Func;
  if (!invoke && !o.start_only && !is_command) {
    const Export* e = o.args.empty() ? nullptr : mod->find_export(o.args[0]);
    if (e == nullptr || e->kind != ExternKind::Func) {
      std::fprintf(stderr,
                   "error: %s exports no _start (it is not a WASI command)%s; call one of its "
                   "exported functions with --invoke FUNC (exports: %s)\n",
                   o.file.c_str(),
                   o.args.empty() ? "" : (" and no function named \"" + o.args[0] + "\"").c_str(),
                   export_list(*mod).c_str());
      return kExitUsage;
    }
    invoke = o.args[0];
    invoke_args.assign(o.args.begin() + 1, o.args.end());
  } else if (invoke) {
    invoke_args = o.args;
  }

  // Resolve FUNC and its arguments before instantiating, so a usage error
  // never runs the start function.
  const Export* exp = nullptr;
  std::vector<Value> call_args;
  if (invoke) {
    exp = mod->find_export(*invoke);
    if (exp == nullptr)
      return usage_error("run: no export named \"" + *invoke + "\"; exported functions: " +
                         export_list(*mod));
    if (exp->kind != ExternKind::Func)
      return usage_error("run: export \"" + *invoke + "\" is a " + extern_kind_name(exp->kind) +
                         ", not a function; exported functions: " + export_list(*mod));
    const FuncType& type = mod->func_type(exp->index);
    if (invoke_args.size() != type.params.size())
      return usage_error("run: " + *invoke + " " + func_type_string(type) + " takes " +
                         std::to_string(type.params.size()) + " argument(s), got " +
                         std::to_string(invoke_args.size()));
    for (size_t p = 0; p < type.params.size(); ++p) {
      Value v;
      if (!parse_arg(invoke_args[p], type.params[p], &v))
        return usage_error("run: argument " + std::to_string(p) + " of " + *invoke + " (" +
                           val_type_name(type.params[p]) + "): cannot parse \"" +
                           invoke_args[p] + "\"");
      call_args.push_back(v);
    }
  }

  const bool deterministic = o.deterministic.value_or(o.gas_limit.has_value());
  Store store(engine);
  std::vector<Extern> imports(mod->imports.size());

  // WASI: for a command, and for any module that imports it.
  const wasi::Context* wasi_ctx = nullptr;
  std::unique_ptr<wasi::Context> wasi_owner;
  if (is_command || imports_module(*mod, wasi::kModuleName) || !o.preopens.empty()) {
    wasi::Options w;
    w.args.push_back(o.file);
    if (!invoke) w.args.insert(w.args.end(), o.args.begin(), o.args.end());
    w.env = o.env;
    w.preopens = o.preopens;
    w.deterministic = deterministic;
    w.seed = o.seed;
    auto ctx = wasi::Context::create(std::move(w));
    if (!ctx) {
      std::fprintf(stderr, "error: %s\n", ctx.error().to_string().c_str());
      return kExitUsage;
    }
    wasi_owner = std::move(ctx).value();
    wasi_ctx = wasi_owner.get();
    if (auto linked = wasi_owner->link(store, *mod, imports); !linked) {
      std::fprintf(stderr, "error: %s\n", linked.error().to_string().c_str());
      return kExitLinkError;
    }
  }
  assemblyscript::Options as_options;
  as_options.deterministic = deterministic;
  as_options.seed = o.seed;
  assemblyscript::Host as_host(as_options);
  if (auto linked = as_host.link(store, *mod, imports); !linked) {
    std::fprintf(stderr, "error: %s\n", linked.error().to_string().c_str());
    return kExitLinkError;
  }
  for (size_t i = 0; i < imports.size(); ++i) {
    if (imports[i].ptr != nullptr) continue;
    const Import& imp = mod->imports[i];
    std::string what = extern_kind_name(imp.kind);
    if (imp.kind == ExternKind::Func) {
      what += ' ';
      what += func_type_string(mod->types[imp.func_type]);
    }
    std::fprintf(stderr,
                 "error: module imports %s.%s (%s); `wvm run` provides WASI preview1 "
                 "(wasi_snapshot_preview1.*) and AssemblyScript's env.abort, env.trace and "
                 "env.seed only\n",
                 imp.module.c_str(), imp.name.c_str(), what.c_str());
    return kExitLinkError;
  }

  std::FILE* gas_out = invoke ? stdout : stderr;
  if (o.gas_limit) store.set_gas_limit(*o.gas_limit);
  auto inst = store.instantiate(mod, imports);
  if (!inst) {
    const Error& e = inst.error();
    if (e.trap != TrapKind::None) {
      const int code = trap_exit_code(e.trap, wasi_ctx, as_host, "the start function trapped", nullptr);
      if (o.gas_limit) print_gas(store, gas_out);
      return code;
    }
    std::fprintf(stderr, "error: %s\n", e.to_string().c_str());
    if (o.config.memory.bounds == BoundsStrategy::GuardPages &&
        e.message.find("cannot reserve") != std::string::npos)
      std::fprintf(stderr,
                   "note: with guard pages each linear memory reserves 8 GiB of address space; "
                   "where that is refused (e.g. under `ulimit -v`) run with --bounds explicit\n");
    return kExitLinkError;
  }
  if (o.start_only) {
    if (o.gas_limit) print_gas(store, gas_out);
    return kExitOk;
  }

  // A WASI reactor initializes itself before its exports are called.
  if (invoke) {
    const Export* init = mod->find_export("_initialize");
    if (init != nullptr && init->kind == ExternKind::Func) {
      CallResult r = store.call((*inst)->find_export("_initialize").as_func(), {});
      if (!r.ok()) {
        const int code = trap_exit_code(r.trap, wasi_ctx, as_host, "in _initialize", &r);
        if (o.gas_limit) print_gas(store, gas_out);
        return code;
      }
    }
  }

  Func* func = (*inst)->find_export(invoke ? *invoke : "_start").as_func();
  CallResult result = store.call(func, call_args);
  if (!result.ok()) {
    const int code = trap_exit_code(result.trap, wasi_ctx, as_host, nullptr, &result);
    if (o.gas_limit) print_gas(store, gas_out);
    return code;
  }
  if (invoke && !result.results.empty()) {
    std::string line;
    for (size_t r = 0; r < result.results.size(); ++r) {
      if (r) line += ' ';
      line += format_value(result.results[r]);
    }
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
  if (o.gas_limit) print_gas(store, gas_out);
  return kExitOk;
}

}  // namespace wvm::cli
