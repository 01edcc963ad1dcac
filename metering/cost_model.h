// The gas cost model shared by every tier: what an operator costs under a
// profile, and the accumulation of a straight-line run's cost up to the
// metering point that ends it, with a function's locals entry charge.
//
// Semantics (those of cosmwasm-vm's metering middleware): the cost of every
// operator, reachable or not, is added to a running sum. At each accounting
// operator the sum, which includes that operator, is charged *before* the
// operator executes, and the sum restarts from zero. A charge placed where
// code is unreachable never executes, so that run is never paid for; branch
// targets (after `end`, after `loop`, the else arm) lie after the charge.
#pragma once

#include <cstdint>

#include "module/opcodes.h"
#include "wvm/config.h"

namespace wvm {

/// True for the operators that end a run (the opcode table's kControl rows).
constexpr bool is_accounting(Opcode op) noexcept { return (op_info(op).flags & kControl) != 0; }

/// The static cost of one operator.
constexpr uint64_t operator_cost(const GasProfile& p, Opcode op) noexcept {
  return is_accounting(op) ? p.accounting_cost : p.op_cost;
}

/// `units * rate`, saturated: a huge bulk operation must run out of gas, not wrap.
constexpr uint64_t per_unit_cost(uint64_t units, uint64_t rate) noexcept {
  if (rate != 0 && units > UINT64_MAX / rate) return UINT64_MAX;
  return units * rate;
}

/// What a function pays on entry for its declared locals (parameters
/// excluded): 0 unless the profile charges for locals.
constexpr uint64_t locals_entry_cost(const GasProfile& p, uint64_t declared_locals) noexcept {
  if (!p.charge_locals || declared_locals <= p.free_locals) return 0;
  return per_unit_cost(declared_locals - p.free_locals, p.gas_per_local);
}

/// The cost accumulated since the last metering point, and the function's
/// locals entry charge until its first operator places it.
class RunCost {
 public:
  /// Saturating: a sum past 2^64 - 1 is more than any gas limit anyway.
  void add(uint64_t cost) noexcept {
    pending_ = cost > UINT64_MAX - pending_ ? UINT64_MAX : pending_ + cost;
  }
  /// The charge for the metering point just reached; the next run starts at 0.
  uint64_t take() noexcept {
    const uint64_t c = pending_;
    pending_ = 0;
    return c;
  }

  /// At the start of a body: `cost` (locals_entry_cost) is due at its first operator.
  void begin_function(uint64_t locals_cost) noexcept { entry_ = locals_cost; }
  /// Called with every operator before its own cost is added. At the body's
  /// first operator the locals charge goes where cosmwasm-vm 3.0.9 puts it:
  /// into the first run when that operator is an accounting one (its charge
  /// comes before it anyway); else it is returned, and the caller emits it
  /// as a metering point of its own before the operator, so a body that traps
  /// in its first run has paid it. Returns 0 otherwise.
  uint64_t take_entry_charge(Opcode first) noexcept {
    const uint64_t c = entry_;
    entry_ = 0;
    if (c == 0 || !is_accounting(first)) return c;
    add(c);
    return 0;
  }

 private:
  uint64_t pending_ = 0;
  uint64_t entry_ = 0;
};

}  // namespace wvm
