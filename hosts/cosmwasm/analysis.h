// Static analysis of a CosmWasm contract before it is stored, with
// cosmwasm-vm 3.0's rules (compatibility.rs, static_analysis.rs,
// parsed_wasm.rs), and the report analyze_code gives a node.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hosts/cosmwasm/version.h"
#include "wvm/types.h"

namespace wvm::cosmwasm {

/// Limits on what a contract may declare, with cosmwasm-vm 3.0's defaults
/// (config.rs `WasmLimits`); a chain may set its own.
struct WasmLimits {
  uint32_t initial_memory_limit_pages = 512;  ///< the memory's initial size
  uint32_t table_size_limit_elements = 2500;  ///< the table's (required) maximum
  uint32_t max_imports = 100;
  uint32_t max_functions = 20'000;              ///< defined functions
  uint32_t max_function_params = 100;           ///< params of any type in the type section
  uint32_t max_total_function_params = 10'000;  ///< params of all defined functions, summed
  uint32_t max_function_results = 1;            ///< results of any type in the type section
  /// Checked from 3.0.9 on (AnalysisConfig::version):
  uint32_t max_function_locals = 100;  ///< declared locals (params excluded) of one function
  uint32_t max_total_function_locals = 10'000;  ///< declared locals of all functions, summed
};

/// What the chain offers and allows.
struct AnalysisConfig {
  /// The capabilities the chain supports ("iterator", "staking", "stargate",
  /// "cosmwasm_1_1" ... ); a contract requiring another is rejected.
  std::set<std::string> available_capabilities;
  WasmLimits limits;
  /// The release whose rules apply: V3_0_9 adds the two locals limits.
  VmVersion version = VmVersion::V3_0;
};

/// What analyze() learns about a contract that passed check_wasm().
struct AnalysisReport {
  bool has_ibc_entry_points = false;
  std::set<std::string> entrypoints;                 ///< the known entry points it exports
  std::set<std::string> required_capabilities;       ///< from its requires_* exports
  std::optional<uint64_t> contract_migrate_version;  ///< the cw_migrate_version section
};

/// Checks `wasm` against every rule cosmwasm-vm applies before storing code.
/// A rejection is an Error (ErrorKind::Invalid, or Unsupported for a feature)
/// whose message names the rule.
Result<void> check_wasm(const std::vector<uint8_t>& wasm, const AnalysisConfig& config);

/// The report for code check_wasm() accepted.
Result<AnalysisReport> analyze(const std::vector<uint8_t>& wasm);

}  // namespace wvm::cosmwasm
