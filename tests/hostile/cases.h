// The hostile-input corpus: modules written to exhaust, crash or slow down an
// engine (bombs, deep nesting, huge br_table, many locals, deep recursion),
// each with the outcome wvm must give in every tier and the time and memory
// it may take. hostile_test.cc checks the outcomes in every tier;
// bench/hostile_bench.cc measures each case in a child process and checks
// the budgets (a benchmark, never a timed test).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "wvm/wvm.h"

namespace wvm::hostile {

using Bytes = std::vector<uint8_t>;

/// Where a case ends and with what.
struct Outcome {
  enum class Stage : uint8_t { Compile, Instantiate, Call };
  Stage stage = Stage::Call;
  ErrorKind error = ErrorKind::Malformed;  ///< for Compile and Instantiate
  TrapKind trap = TrapKind::None;          ///< for Call
  std::vector<uint64_t> results;           ///< for Call without trap: raw bits
  uint64_t gas_used = 0;                   ///< for metered calls (0: not checked)

  static Outcome compile_error(ErrorKind k) { return {Stage::Compile, k, TrapKind::None, {}, 0}; }
  static Outcome instantiate_error(ErrorKind k) {
    return {Stage::Instantiate, k, TrapKind::None, {}, 0};
  }
  static Outcome trapped(TrapKind t) { return {Stage::Call, ErrorKind::Malformed, t, {}, 0}; }
  static Outcome returned(std::vector<uint64_t> r) {
    return {Stage::Call, ErrorKind::Malformed, TrapKind::None, std::move(r), 0};
  }
};

struct Case {
  std::string name;
  std::string what;  ///< one line: the attack
  Bytes (*build)();
  std::string export_name;  ///< called once after instantiation
  std::vector<Value> args;
  /// Gas limit with the uniform profile; 0 runs unmetered.
  uint64_t gas_limit = 0;
  /// The module imports "env" "reenter" (i32) -> i32, which calls the
  /// instance's export "rec" with the argument (recursion through the host).
  bool host_reentry = false;
  /// Settings the case needs beyond the tier's (limits, budgets).
  void (*configure)(Config&) = nullptr;
  Outcome expected;
  double budget_seconds = 1;  ///< compile + instantiate + call, release build
  size_t budget_mib = 64;     ///< peak resident memory of the child running it
  /// Too slow for sanitizer and emulated builds; runs in release builds.
  bool heavy = false;
};

/// Every case, in a fixed order.
const std::vector<Case>& cases();

/// What a run gave; gas_used only when metered.
struct Observed {
  Outcome outcome;
  std::string message;  ///< the error or trap text, for reports
};

/// The tiers every case runs in.
const std::vector<std::string>& tiers();
/// The engine configuration of `tier` for case `c`.
Config config_for(const Case& c, const std::string& tier);
/// Compiles, instantiates and calls `c` in `tier` on a thread with a native
/// stack of `thread_stack_bytes` (outcomes must not depend on it).
Observed run(const Case& c, const std::string& tier, size_t thread_stack_bytes);
/// Whether `got` is `want` (gas compared when `want.gas_used` is nonzero).
bool same_outcome(const Outcome& want, const Outcome& got);
std::string describe(const Outcome& o);

}  // namespace wvm::hostile
