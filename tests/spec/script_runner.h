// Runs one wast2json script (the JSON commands of one .wast file) against
// wvm: one Engine and Store per script, shared by all its modules.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hosts/spectest/spectest.h"
#include "wvm/wvm.h"

namespace wvm::spec {

enum class Status : uint8_t { Pass, Fail, Skip };

/// Why a command was skipped; the summary counts each reason.
enum class SkipReason : uint8_t { None, TextModule, Simd };

/// The result of one counted command.
struct Outcome {
  uint32_t line = 0;       ///< line in the .wast file (0: the file as a whole)
  std::string command;     ///< "assert_return", "module", ...
  Status status = Status::Pass;
  SkipReason skip = SkipReason::None;
  std::string message;     ///< what was expected vs what happened (failures)
};

/// Counted commands are `module`, `action` and every `assert_*` (the same set
/// wabt's spectest-interp counts); `register` is counted only when it fails.
/// Where --dump writes every outcome (actions with results or trap and gas
/// used, module compiles and instantiations): a text that must be the same in
/// every tier, bounds strategy and on every target.
struct Dump {
  std::FILE* out = nullptr;  ///< nullptr: no dump
  std::string script;        ///< the .wast file's name, first on every line
  uint64_t gas_limit = 0;    ///< metered: set before every call and instantiation
};

class ScriptRunner {
 public:
  explicit ScriptRunner(const Config& config = Config{}, Dump dump = Dump{});
  /// Whether the engine has a tier-1 backend (false: jit and auto run tier 0 only).
  bool has_tier1() { return engine_.jit_backend() != nullptr; }
  /// Tier-1 compilation counts of this script's engine.
  Engine::TierStats tier_stats() const { return engine_.tier_stats(); }
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  /// Runs every command of the script at `json_path`. Never throws: a missing
  /// or malformed script becomes a failed Outcome at line 0.
  std::vector<Outcome> run(const std::filesystem::path& json_path);

  /// Reads the script and reports every counted command as skipped for `reason`.
  static std::vector<Outcome> skip_all(const std::filesystem::path& json_path, SkipReason reason);

 private:
  struct ActionOutcome {
    std::string error;  ///< non-empty when the action could not be performed at all
    CallResult call;
  };

  std::optional<Outcome> run_command(const nlohmann::json& cmd);
  Outcome module_command(const nlohmann::json& cmd, Outcome out);
  std::optional<Outcome> register_command(const nlohmann::json& cmd, Outcome out);
  Outcome assert_return(const nlohmann::json& cmd, Outcome out);
  Outcome assert_trap_action(const nlohmann::json& cmd, Outcome out, TrapKind want,
                             const std::string& want_text);
  Outcome assert_trap_module(const nlohmann::json& cmd, Outcome out);
  Outcome assert_not_compiled(const nlohmann::json& cmd, Outcome out);
  Outcome assert_unlinkable(const nlohmann::json& cmd, Outcome out);

  ActionOutcome perform(const nlohmann::json& action);
  Result<std::shared_ptr<const Module>> load(const nlohmann::json& cmd);
  /// Instantiates with the registered imports (and dumps the outcome).
  Result<Instance*> instantiate(const std::shared_ptr<const Module>& module);
  std::vector<Extern> resolve_imports(const Module& module) const;
  Instance* target_instance(const nlohmann::json& j, const char* key, std::string* error) const;

  void dump_line(const std::string& what, const std::string& outcome);
  void dump_call(const std::string& what, const CallResult& call);
  void start_gas();

  Engine engine_;
  Store store_;
  Dump dump_;
  uint32_t line_ = 0;  ///< the running command's line, for the dump
  std::filesystem::path dir_;  ///< where the script's .wasm files are
  std::map<std::string, spectest::ExternMap> registered_;  ///< `register`ed name -> exports
  std::map<std::string, Instance*> named_;                 ///< `$name` -> instance
  Instance* current_ = nullptr;                            ///< the last module defined
};

/// "malformed at offset 0x1a: unexpected end", independent of the engine's formatting.
std::string describe_error(const Error& error);

}  // namespace wvm::spec
