// The `wvm` command-line program: run a WASI command or an exported
// function, validate a module, or print what a module declares.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

#include "tools/common.h"
#include "tools/run.h"
#include "tools/subcommand.h"
#include "tools/version.h"
#include "tools/values.h"
#include "wvm/wvm.h"

namespace {

using namespace wvm;
using namespace wvm::cli;

constexpr const char* kMainHelp = R"(wvm - a WebAssembly engine for deterministic execution

Usage:
  wvm [run] [OPTIONS] FILE.wasm [ARGS...]   run a WASI command with ARGS
  wvm [run] [OPTIONS] --invoke FUNC FILE.wasm [ARGS...]
                                            call an export, print its results
  wvm validate FILE.wasm
  wvm inspect FILE.wasm
  wvm cosmwasm COMMAND ... (store, instantiate, execute, query, migrate, show, addr)
  wvm help [COMMAND]      (same as wvm --help, wvm COMMAND --help)
  wvm --version

Commands:
  run       Compile FILE.wasm, link WASI preview1 (and AssemblyScript's
            env.abort/trace/seed) as it imports them, and run its _start
            with ARGS as argv, or call the export FUNC with ARGS parsed by
            its parameter types (--invoke). Preopened directories (--dir),
            environment (--env), tier, bounds, gas: `wvm help run`.
  validate  Decode and validate FILE.wasm; print "valid" or the error.
  inspect   Print the module's imports, exports, memories, tables, and counts
            of functions, globals and segments, and its start function.
  cosmwasm  Store, instantiate, execute, query and migrate CosmWasm contracts
            on a local chain kept in DIR (RocksDB); prints JSON results and
            gas reports. Its own exit codes: `wvm help cosmwasm`.

Exit codes (a WASI command's own exit code is passed through):
  0  success
  1  usage error (unknown command or option, wrong argument count,
     unparseable argument, unknown export)
  2  the file cannot be read ("error: io error: cannot open F: <reason>")
  3  invalid module: malformed, invalid, unsupported feature or over a limit;
     "error: <kind> at offset <offset>: <message>" goes to stderr
  4  link or instantiation error (an import wvm does not provide, a memory
     that cannot be reserved)
  5  trap; "trap: <message>" and a wasm backtrace go to stderr
  6  out of gas ("trap: out of gas" on stderr)
  7  an AssemblyScript program called abort
  127  `wvm cosmwasm`: its executable wvm-cosmwasm, which must sit beside
     wvm, cannot be started
)";

// `wvm cosmwasm` runs this executable from wvm's own directory; see
// tools/cosmwasm/main.cc for why it is separate.
constexpr const char* kCosmwasmProgram = "wvm-cosmwasm";

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

// ---- formatting ----

std::string limits_text(const SizeLimits& l) {
  std::string s = "min " + std::to_string(l.min);
  if (l.has_max) s += " max " + std::to_string(l.max);
  return s;
}

std::string global_type_text(const GlobalType& g) {
  return std::string(val_type_name(g.type)) + (g.mut ? " mut" : " const");
}

std::string_view as_text(const std::vector<uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// ---- commands ----

int cmd_validate(const std::vector<std::string>& args) {
  if (!args.empty() && is_help_flag(args[0])) {
    std::fputs(kValidateHelp, stdout);
    return kExitOk;
  }
  if (args.size() != 1) return usage_error("validate: expected exactly one FILE.wasm");
  auto bytes = wvm::read_file(args[0]);
  if (!bytes) return report_module_error(bytes.error(), {});
  Engine engine;
  auto r = wvm::validate(engine, bytes->data(), bytes->size());
  if (!r) return report_module_error(r.error(), as_text(*bytes));
  std::printf("valid\n");
  return kExitOk;
}

int cmd_inspect(const std::vector<std::string>& args) {
  if (!args.empty() && is_help_flag(args[0])) {
    std::fputs(kInspectHelp, stdout);
    return kExitOk;
  }
  if (args.size() != 1) return usage_error("inspect: expected exactly one FILE.wasm");
  auto bytes = wvm::read_file(args[0]);
  if (!bytes) return report_module_error(bytes.error(), {});
  Engine engine;
  auto compiled = wvm::compile(engine, bytes->data(), bytes->size());
  if (!compiled) return report_module_error(compiled.error(), as_text(*bytes));
  const Module& m = *compiled.value();

  std::printf("imports: %zu\n", m.imports.size());
  for (const Import& imp : m.imports) {
    std::string desc;
    switch (imp.kind) {
      case ExternKind::Func:
        desc = imp.func_type < m.types.size() ? func_type_string(m.types[imp.func_type]) : "?";
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
      extra = " " + func_type_string(m.func_type(e.index));
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
    std::printf("start: %u %s\n", *m.start, func_type_string(m.func_type(*m.start)).c_str());
  else
    std::printf("start: none\n");
  return kExitOk;
}

// True if `arg` should be taken as `wvm run`'s first argument (`wvm FILE.wasm`,
// `wvm --tier jit FILE.wasm`): an option, or a file that exists or names a module.
bool starts_a_run(const std::string& arg) {
  if (arg.rfind("--", 0) == 0) return true;
  struct stat st {};
  if (::stat(arg.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return true;
  const auto ends_with = [&](std::string_view suffix) {
    return arg.size() >= suffix.size() && arg.compare(arg.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(".wasm") || ends_with(".wat");
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
    if (rest[0] == "run") return run_help();
    if (rest[0] == "validate") return cmd_validate({"--help"});
    if (rest[0] == "inspect") return cmd_inspect({"--help"});
    if (rest[0] == "cosmwasm") {
      // `wvm help cosmwasm [COMMAND]` is `wvm-cosmwasm help [COMMAND]`.
      rest[0] = "help";
      return exec_sibling(kCosmwasmProgram, rest);
    }
    return usage_error("help: unknown command \"" + rest[0] + "\"");
  }
  if (cmd == "--version" || cmd == "version") {
    std::fputs(version_text().c_str(), stdout);
    return kExitOk;
  }
  if (cmd == "run") return cmd_run(rest);
  if (cmd == "validate") return cmd_validate(rest);
  if (cmd == "inspect") return cmd_inspect(rest);
  if (cmd == "cosmwasm") return exec_sibling(kCosmwasmProgram, rest);
  if (starts_a_run(cmd)) return cmd_run(args);
  return usage_error("unknown command \"" + cmd + "\" (and no such file)");
}
