// The cosmwasm-vm releases wvm follows, and what depends on which one: the
// gas profile and the store-time locals limits. A node picks one VmVersion
// and derives both from it here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "wvm/config.h"

namespace wvm::cosmwasm {

/// A cosmwasm-vm release whose gas and store-time rules wvm reproduces.
enum class VmVersion : uint8_t {
  V3_0,    ///< 3.0.0 to 3.0.8
  V3_0_9,  ///< 3.0.9: charges gas for locals and limits them (metering.rs, compatibility.rs)
};

/// The gas profile `v` meters with.
inline GasProfile gas_profile(VmVersion v) {
  return v == VmVersion::V3_0_9 ? GasProfile::cosmwasm_3_0_9() : GasProfile::cosmwasm();
}

/// "3.0" (3.0.0 to 3.0.8) or "3.0.9": how the CLI, the C library's config
/// and WVM_COSMWASM_VM_VERSION name a version.
constexpr const char* vm_version_name(VmVersion v) { return v == VmVersion::V3_0_9 ? "3.0.9" : "3.0"; }
/// The version named `name` ("3.0", or "3.0.0" to "3.0.8"; "3.0.9"), if any.
inline std::optional<VmVersion> parse_vm_version(std::string_view name) {
  if (name == "3.0.9") return VmVersion::V3_0_9;
  if (name == "3.0") return VmVersion::V3_0;
  if (name.size() == 5 && name.substr(0, 4) == "3.0." && name[4] >= '0' && name[4] <= '8')
    return VmVersion::V3_0;
  return std::nullopt;
}

/// Whether `v`'s static analysis applies WasmLimits' max_function_locals and
/// max_total_function_locals.
constexpr bool checks_function_locals(VmVersion v) { return v == VmVersion::V3_0_9; }

}  // namespace wvm::cosmwasm
