/* wvm's extensions to the standard C API (wasm.h).
 *
 * Settings the standard has no words for: the tier policy, bounds checking,
 * gas metering and call depth of an engine (set on its wasm_config_t before
 * wasm_engine_new_with_config), the gas limit of a store and the gas it used,
 * and why the last module or instance could not be made. A config that does
 * not set a tier policy takes it from the environment variable WVM_TIER
 * ("interp", "jit" or "auto"; unset means auto; any other value makes
 * wasm_engine_new return NULL after saying why on stderr). */
#ifndef WVM_H
#define WVM_H

#include <stdbool.h>
#include <stdint.h>

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Which tiers run code: auto (tier 0, hot functions compiled), interpreter only, or JIT all.
typedef enum wvm_tier_policy_t {
  WVM_TIER_AUTO = 0,
  WVM_TIER_INTERP = 1,
  WVM_TIER_JIT = 2
} wvm_tier_policy_t;
/// Sets the tier policy (overrides WVM_TIER).
WASM_API_EXTERN void wvm_config_set_tier_policy(wasm_config_t*, wvm_tier_policy_t policy);
/// Auto policy: calls or loop iterations of a function before it is compiled.
WASM_API_EXTERN void wvm_config_set_tier_up_threshold(wasm_config_t*, uint32_t calls);
/// Auto policy: compile hot functions on a background thread.
WASM_API_EXTERN void wvm_config_set_background_compile(wasm_config_t*, bool on);

/// How memory accesses are bounds-checked: guard pages (default) or explicit compares.
typedef enum wvm_bounds_t { WVM_BOUNDS_GUARD_PAGES = 0, WVM_BOUNDS_EXPLICIT = 1 } wvm_bounds_t;
/// Sets the bounds-check strategy.
WASM_API_EXTERN void wvm_config_set_bounds(wasm_config_t*, wvm_bounds_t bounds);

/// Turns gas metering on with profile "uniform", "cosmwasm" or "cosmwasm-3.0.9";
/// false (config unchanged) for another name.
WASM_API_EXTERN bool wvm_config_set_gas_profile(wasm_config_t*, const char* profile_name);
/// The most wasm frames a call may nest.
WASM_API_EXTERN void wvm_config_set_max_call_depth(wasm_config_t*, uint32_t frames);

/// Sets the gas the store's next calls may use (default: unlimited).
WASM_API_EXTERN void wvm_store_set_gas_limit(wasm_store_t*, uint64_t gas);
/// The gas left of the last limit.
WASM_API_EXTERN uint64_t wvm_store_gas_left(const wasm_store_t*);
/// The gas used since the last wvm_store_set_gas_limit (limit minus left).
WASM_API_EXTERN uint64_t wvm_store_gas_used(const wasm_store_t*);

/// Functions tier 1 compiled in this engine (deserialized ones are loaded, not counted).
WASM_API_EXTERN uint64_t wvm_engine_functions_compiled(const wasm_engine_t*);

/// The trap's kind in words ("integer divide by zero", "out of gas", "host error"
/// for a trap a host function returned); a static string.
WASM_API_EXTERN const char* wvm_trap_kind(const wasm_trap_t*);

/// The library version, "0.1.0 (commit abc1234)" style; a static string.
WASM_API_EXTERN const char* wvm_version(void);

/// Why the last wasm_module_new, wasm_module_deserialize or wasm_instance_new
/// of this thread failed ("" if it did not): kind, offset and message.
WASM_API_EXTERN const char* wvm_last_error(void);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // WVM_H
