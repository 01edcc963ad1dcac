// WASI preview1 (`wasi_snapshot_preview1`) for wvm: a host module any
// embedder can link into a store. Capability-based: the guest sees only the
// arguments, environment and preopened directories it is given; no path can
// leave a preopen. Hostile guests get errno values, never a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wvm/wvm.h"

namespace wvm::wasi {

/// The import module name every function here is exported under.
inline constexpr const char* kModuleName = "wasi_snapshot_preview1";

/// A host directory handed to the guest.
struct Preopen {
  std::string host_path;   ///< directory on the host
  std::string guest_path;  ///< the name the guest sees (fd_prestat_dir_name)
  bool read_only = false;  ///< no create, write, rename, link, unlink or set-times below it
};

/// Everything a WASI program is granted.
struct Options {
  std::vector<std::string> args;  ///< argv; args[0] is the program name
  std::vector<std::string> env;   ///< "KEY=VALUE" entries, nothing inherited
  std::vector<Preopen> preopens;  ///< guest fds 3, 4, ... in this order
  /// Host descriptors behind guest fds 0, 1, 2 (dup'ed; -1 leaves that fd closed).
  /// A dup shares the open file description: status flags the guest sets
  /// with fd_fdstat_set_flags (append, non-blocking) reach the embedder's
  /// descriptor while the context lives, and are put back when it is destroyed.
  int stdin_fd = 0;
  int stdout_fd = 1;
  int stderr_fd = 2;
  /// Deterministic mode: every clock reads a virtual time that starts at
  /// `virtual_time_start_ns` and advances `virtual_time_step_ns` per read;
  /// random_get is a generator seeded by `seed`; fd_readdir lists entries
  /// sorted by name. Same program and inputs give the same bytes (and gas).
  bool deterministic = false;
  uint64_t seed = 0;
  uint64_t virtual_time_start_ns = 1'700'000'000'000'000'000ull;
  uint64_t virtual_time_step_ns = 1'000'000;  ///< 1 ms per clock read
  /// Gas each WASI call charges when the store is metered, plus per byte
  /// moved between the guest and the host (reads, writes, paths, readdir).
  uint64_t gas_per_call = 100;
  uint64_t gas_per_byte = 1;
};

/// One WASI instance's state: its fd table, arguments and environment, clocks
/// and generator. One Context serves one running program (one store) at a
/// time; it must outlive the store's calls into it.
class Context {
 public:
  /// Opens the preopened directories; an Io error names the directory and
  /// the OS reason when one cannot be opened.
  static Result<std::unique_ptr<Context>> create(Options options);
  ~Context();  // closes every descriptor it holds
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  /// Creates in `store` the host function for each import of `module` whose
  /// module name is kModuleName and puts it at that import's position in
  /// `imports` (resized to module.imports.size() if smaller; other entries
  /// are left alone). Fails (Unlinkable) on an unknown WASI function name or
  /// a signature that differs from preview1's, naming the import.
  Result<void> link(Store& store, const Module& module, std::vector<Extern>& imports);

  /// proc_exit's code once the program called it. proc_exit makes the
  /// running call trap with TrapKind::HostError (so it unwinds from any
  /// depth, in every tier); an embedder checks exit_code() after a trap to
  /// tell an exit from a failure.
  std::optional<uint32_t> exit_code() const noexcept { return exit_code_; }

  /// Internal: the implementation's state.
  struct State;
  State& state() noexcept { return *state_; }

 private:
  explicit Context(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  std::optional<uint32_t> exit_code_;
  friend struct State;
};

}  // namespace wvm::wasi
