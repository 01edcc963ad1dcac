// The gas cost model shared by every tier: what an operator costs under a
// profile, and the accumulation of a straight-line run's cost up to the
// metering point that ends it.
//
// Semantics (those of cosmwasm-vm's metering middleware): the cost of every
// operator, reachable or not, is added to a running sum. At each accounting
// operator the sum, which includes that operator, is charged *before* the
// operator executes, and the sum restarts from zero. A charge placed where
// code is unreachable never executes, so that run is never paid for; branch
// targets (after `end`, after `loop`, the else arm) lie after the charge.
#pragma once

#include <cstdint>

#include "engine/opcodes.h"
#include "wvm/config.h"

namespace wvm {

/// True for the operators that end a run (the opcode table's kControl rows).
constexpr bool is_accounting(Opcode op) noexcept { return (op_info(op).flags & kControl) != 0; }

/// The static cost of one operator.
constexpr uint64_t operator_cost(const GasProfile& p, Opcode op) noexcept {
  return is_accounting(op) ? p.accounting_cost : p.op_cost;
}

/// The extra cost a function's first run carries for its locals (0 unless
/// the profile charges for locals).
constexpr uint64_t locals_entry_cost(const GasProfile& p, uint64_t declared_locals) noexcept {
  if (!p.charge_locals || declared_locals <= p.free_locals) return 0;
  return (declared_locals - p.free_locals) * p.gas_per_local;
}

/// The cost accumulated since the last metering point.
class RunCost {
 public:
  void add(uint64_t cost) noexcept { pending_ += cost; }
  /// The charge for the metering point just reached; the next run starts at 0.
  uint64_t take() noexcept {
    const uint64_t c = pending_;
    pending_ = 0;
    return c;
  }

 private:
  uint64_t pending_ = 0;
};

/// `units * rate`, saturated: a huge bulk operation must run out of gas, not wrap.
constexpr uint64_t per_unit_cost(uint64_t units, uint64_t rate) noexcept {
  if (rate != 0 && units > UINT64_MAX / rate) return UINT64_MAX;
  return units * rate;
}

}  // namespace wvm
