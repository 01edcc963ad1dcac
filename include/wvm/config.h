// Engine configuration: resource limits applied while decoding, validating
// and running modules. Defaults are documented in the README.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

/// A gas cost model. Profiles are data: the cost of an operator is `op_cost`,
/// or `accounting_cost` for the accounting operators (the opcode table's
/// kControl rows: loop, end, if, else, br, br_if, br_table, call,
/// call_indirect, return), plus optional per-unit costs of variable-size work.
struct GasProfile {
  std::string name = "uniform";
  uint64_t op_cost = 1;
  uint64_t accounting_cost = 1;
  /// Entry charge for functions with many locals: when on, a function whose
  /// declared locals (parameters excluded) exceed `free_locals` pays
  /// (locals - free_locals) * `gas_per_local` (saturating) on entry: with its
  /// first run when the body's first operator is an accounting one, else as a
  /// metering point of its own before the body (metering/cost_model.h).
  /// The defaults are uniform's rule: 1 per local beyond 32 (README, "## Gas").
  bool charge_locals = true;
  uint32_t free_locals = 32;
  uint64_t gas_per_local = 1;
  /// Per-unit costs charged when the instruction runs (0: none), from its
  /// count operand. The defaults are uniform's rule (README, "## Gas").
  uint64_t memory_grow_per_page = 0;
  uint64_t bulk_memory_per_byte = 1;   ///< memory.copy / fill / init
  uint64_t table_per_element = 1;      ///< table.copy / fill / init / grow

  /// 1 per instruction; 1 per declared local beyond the first 32 on entry;
  /// 1 per byte of memory.copy / fill / init and per element of table.copy /
  /// fill / init / grow: work one operator scales must be paid like any other.
  static GasProfile uniform() { return GasProfile{}; }
  /// cosmwasm-vm 3.0.0-3.0.8: 115 per operator, 14x for accounting operators.
  /// Declared locals are free, as in those versions (a property of them:
  /// a call's time is then not bounded by its gas, see the README).
  static GasProfile cosmwasm() {
    GasProfile p;
    p.name = "cosmwasm";
    p.op_cost = 115;
    p.accounting_cost = 115 * 14;
    p.charge_locals = false;
    p.free_locals = 0;
    p.gas_per_local = 0;
    p.bulk_memory_per_byte = 0;
    p.table_per_element = 0;
    return p;
  }
  /// cosmwasm-vm 3.0.9: 3.0.0-3.0.8's costs plus the locals entry charge of
  /// its metering middleware (metering.rs: locals beyond the first 29 cost
  /// cost(Nop) each).
  static GasProfile cosmwasm_3_0_9() {
    GasProfile p = cosmwasm();
    p.name = "cosmwasm-3.0.9";
    p.charge_locals = true;
    p.free_locals = 29;
    p.gas_per_local = p.op_cost;  // the cost of `nop`, an ordinary operator
    return p;
  }
  /// The built-in profile called `name` ("uniform", "cosmwasm",
  /// "cosmwasm-3.0.9"), as command lines name them.
  static std::optional<GasProfile> named(std::string_view name) {
    for (GasProfile p : {uniform(), cosmwasm(), cosmwasm_3_0_9()})
      if (p.name == name) return p;
    return std::nullopt;
  }
  // Written out, not defaulted, so that the header stays C++17 (README,
  // "Embedding"). Binding every field turns a field added above into a
  // compile error here, not into a comparison that misses it.
  friend bool operator==(const GasProfile& x, const GasProfile& y) {
    const auto& [n1, op1, acc1, cl1, fl1, gl1, mg1, bm1, te1] = x;
    const auto& [n2, op2, acc2, cl2, fl2, gl2, mg2, bm2, te2] = y;
    return n1 == n2 && op1 == op2 && acc1 == acc2 && cl1 == cl2 && fl1 == fl2 && gl1 == gl2 &&
           mg1 == mg2 && bm1 == bm2 && te1 == te2;
  }
  friend bool operator!=(const GasProfile& x, const GasProfile& y) { return !(x == y); }
};

/// Gas metering. Off, compiled code contains no metering at all.
struct MeteringConfig {
  bool enabled = false;
  GasProfile profile;
  friend bool operator==(const MeteringConfig& x, const MeteringConfig& y) {
    const auto& [enabled1, profile1] = x;  // every field, as GasProfile's
    const auto& [enabled2, profile2] = y;
    return enabled1 == enabled2 && profile1 == profile2;
  }
  friend bool operator!=(const MeteringConfig& x, const MeteringConfig& y) { return !(x == y); }
};

/// Limits that apply while code runs.
struct RuntimeLimits {
  uint32_t max_call_depth = 10'000;           ///< wasm frames, same meaning in every tier
  uint32_t value_stack_slots = 1u << 20;      ///< 8-byte slots per store (locals + operands)
  /// Instance memory one store may hold: the elements of its tables plus
  /// each instance's runtime state (data block, function and global
  /// instances, segment-drop bits); linear memory is budgeted separately
  /// (MemoryConfig::address_space_budget). Reaching it makes table.grow
  /// return -1 and instantiation fail (Uninstantiable). The default holds
  /// three tables of the largest size a module may declare
  /// (ModuleLimits::max_table_elements, 80 MB each).
  uint64_t store_instance_bytes = uint64_t{256} << 20;  // 256 MiB
  /// The same, summed over every store of the engine.
  uint64_t engine_instance_bytes = uint64_t{4} << 30;   // 4 GiB
};

/// Which tiers run code.
enum class TierPolicy : uint8_t {
  Interp,  ///< tier 0 only
  Jit,     ///< compile every function with tier 1 before running
  Auto,    ///< start in tier 0, compile hot functions (tier_up_threshold)
};

/// Tiering settings.
struct TierConfig {
  TierPolicy policy = TierPolicy::Auto;
  /// Auto: calls or loop back-edges of one function that trigger its tier-1
  /// compilation (it runs compiled from its next call; a call running in
  /// tier 0 moves there at a loop header, on-stack replacement).
  uint32_t tier_up_threshold = 1000;
  /// Auto: compile on a background thread while tier 0 keeps running.
  bool background_compile = false;
  /// Test flag (auto): compiled code is entered only by on-stack replacement,
  /// never by a call, so every tier-0 call that loops moves into tier 1 at
  /// its first hot back-edge (the differential tests' OSR variants).
  bool osr_only = false;
  /// Test flag: a function tier 1 cannot compile is an error (compile()
  /// fails with Unsupported) instead of staying in tier 0.
  bool unsupported_is_fatal = false;
  /// Bytes of executable memory for tier-1 code (one reservation, shared by
  /// all modules of the engine; code of dropped modules is reused). Clamped
  /// to [64 KiB, 128 MiB], the reach of AArch64's bl. When it is full, policy
  /// Jit fails compile() with LimitExceeded and Auto stays in tier 0; either
  /// way Engine::code_space() counts it.
  size_t code_space_bytes = size_t{128} << 20;
};

/// Everything an Engine is configured with.
struct Config {
  ModuleLimits module_limits;
  RuntimeLimits runtime_limits;
  MemoryConfig memory;
  MeteringConfig metering;
  TierConfig tiers;
};

}  // namespace wvm
