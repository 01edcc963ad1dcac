// The host functions AssemblyScript's compiler (`asc`) imports from `env` by
// default: abort, trace and seed. With them, `asc` output runs as it is,
// without `--use abort=`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "wvm/wvm.h"

namespace wvm::assemblyscript {

/// The import module name asc uses for its runtime's host functions.
inline constexpr const char* kModuleName = "env";

struct Options {
  /// seed() returns a value derived from `seed` instead of the clock.
  bool deterministic = false;
  uint64_t seed = 0;
  /// Where abort and trace print (not owned).
  std::FILE* out = stderr;
};

/// Why the program aborted: AssemblyScript's abort(message, file, line, column).
struct Abort {
  std::string message;  ///< UTF-8; empty when the program passed null
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
};

/// Provides env.abort, env.trace and env.seed to one program (one store).
class Host {
 public:
  explicit Host(Options options) : options_(options) {}
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  /// Binds each import of `module` that is env.abort, env.trace or env.seed
  /// (creating its host function in `store`) at its position in `imports`
  /// (resized to module.imports.size() if smaller); other imports are left
  /// alone. Fails (Unlinkable) when one of those names has another signature.
  Result<void> link(Store& store, const Module& module, std::vector<Extern>& imports);

  /// Set once the program called abort; the call then traps with
  /// TrapKind::HostError, unwinding every frame.
  const std::optional<Abort>& aborted() const noexcept { return aborted_; }

  /// "abort: MESSAGE at FILE:LINE:COLUMN" (or "abort at FILE:..." without a message).
  static std::string describe(const Abort& a);

 private:
  static TrapKind abort_fn(HostCall& call, const Value* args, Value* results);
  static TrapKind trace_fn(HostCall& call, const Value* args, Value* results);
  static TrapKind seed_fn(HostCall& call, const Value* args, Value* results);

  Options options_;
  std::optional<Abort> aborted_;
  uint64_t seed_calls_ = 0;
};

/// Reads the AssemblyScript string at `ptr` in `memory` (UTF-16LE, its byte
/// length in the 4 bytes before it) as UTF-8, at most `max_units` code units
/// (a longer one is cut and ends in "..."). Unpaired surrogates become U+FFFD.
/// nullopt if the string or its header lies outside the memory.
std::optional<std::string> read_string(const Memory* memory, uint32_t ptr,
                                       uint32_t max_units = 16384);

}  // namespace wvm::assemblyscript
