// Engine configuration: resource limits applied while decoding, validating
// and running modules. Defaults are documented in the README.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wvm {

/// Limits on what a module may declare. Exceeding one is an ErrorKind::LimitExceeded
/// error at decode time (never a crash, never an allocation of the declared size).
struct ModuleLimits {
  size_t max_module_bytes = 256u << 20;       ///< size of the whole binary
  uint32_t max_types = 1'000'000;             ///< entries in the type section
  uint32_t max_imports = 100'000;
  uint32_t max_exports = 100'000;
  uint32_t max_functions = 1'000'000;         ///< imported + defined
  uint32_t max_globals = 1'000'000;
  uint32_t max_tables = 100'000;
  uint32_t max_memories = 1;                  ///< Wasm 2.0 allows one memory
  uint32_t max_elem_segments = 10'000'000;
  uint32_t max_data_segments = 100'000;
  uint32_t max_params = 1'000;                ///< per function type
  uint32_t max_results = 1'000;               ///< per function type
  uint32_t max_locals = 50'000;               ///< per function, params included
  uint32_t max_function_bytes = 7'654'321;    ///< size of one function body
  uint32_t max_br_table_targets = 65'520;
  uint32_t max_control_depth = 65'536;        ///< nesting of block/loop/if
  uint32_t max_name_bytes = 100'000;          ///< import/export names
  uint32_t max_table_elements = 10'000'000;   ///< initial table size; element items of all segments
  uint32_t max_memory_pages = 65'536;         ///< 64 KiB pages (65536 = 4 GiB); also caps memory.grow
};

/// How linear-memory accesses are kept inside the memory.
enum class BoundsStrategy : uint8_t {
  /// Each 32-bit memory reserves 8 GiB + 64 KiB of address space, so every
  /// `address + offset + width` a wasm access can form lands inside the
  /// reservation; accesses need no compare and an out-of-bounds one faults on
  /// the PROT_NONE part, which the signal handler turns into a trap.
  GuardPages,
  /// Every access is compared against the current size. Reserves only the
  /// memory's maximum; for hosts where large reservations are not possible.
  ExplicitChecks,
};

/// Linear-memory reservations and their pool.
struct MemoryConfig {
  BoundsStrategy bounds = BoundsStrategy::GuardPages;
  /// Address space all live and pooled reservations of one engine may take.
  /// The default allows about 4,000 guard-page memories at once.
  uint64_t address_space_budget = uint64_t{32} << 40;  // 32 TiB
  /// Released reservations kept (zeroed) for reuse by later instances.
  uint32_t pool_max_idle = 256;
};

/// Limits that apply while code runs.
struct RuntimeLimits {
  uint32_t max_call_depth = 10'000;           ///< wasm frames, same meaning in every tier
  uint32_t value_stack_slots = 1u << 20;      ///< 8-byte slots per store (locals + operands)
};

/// Everything an Engine is configured with.
struct Config {
  ModuleLimits module_limits;
  RuntimeLimits runtime_limits;
  MemoryConfig memory;
};

}  // namespace wvm
