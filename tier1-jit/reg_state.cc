#include "tier1-jit/reg_state.h"

#include <algorithm>
#include <cassert>

namespace wvm::jit {

void RegState::init(int num_regs, uint32_t num_locals) {
  num_regs_ = std::min(num_regs, kMaxValueRegs);
  for (int r = 0; r < kMaxValueRegs; ++r) {
    refs_[r] = 0;
    state_.local[r] = kNoLocal;
    last_use_[r] = 0;
  }
  state_.held = state_.dirty = 0;
  free_ = (1u << num_regs_) - 1;
  local_reg_.assign(num_locals, 0);
}

int RegState::evictable() const noexcept {
  int best = -1;
  for (int r = 0; r < num_regs_; ++r) {
    if (state_.local[r] == kNoLocal || refs_[r] != 0) continue;
    if (best < 0 || dirty(static_cast<Reg>(r)) < dirty(static_cast<Reg>(best)) ||
        (dirty(static_cast<Reg>(r)) == dirty(static_cast<Reg>(best)) &&
         last_use_[r] < last_use_[best]))
      best = r;
  }
  return best;
}

void RegState::bind(uint32_t local, Reg r, bool dirty) noexcept {
  assert(state_.local[r] == kNoLocal && local_reg_[local] == 0);
  state_.local[r] = local;
  free_ &= ~(1u << r);
  const auto bit = static_cast<uint16_t>(1u << r);
  state_.held |= bit;
  state_.dirty = static_cast<uint16_t>(dirty ? state_.dirty | bit : state_.dirty & ~bit);
  local_reg_[local] = static_cast<uint8_t>(r + 1);
  touch(r);
}

void RegState::unbind(uint32_t local) noexcept {
  const int r = reg_of(local);
  if (r < 0) return;
  state_.local[r] = kNoLocal;
  if (refs_[r] == 0) free_ |= 1u << r;
  const auto bit = static_cast<uint16_t>(1u << r);
  state_.held &= static_cast<uint16_t>(~bit);
  state_.dirty &= static_cast<uint16_t>(~bit);
  local_reg_[local] = 0;
}

void RegState::restore(const LocalsState& target) noexcept {
  const LocalsState state = target;  // it may be a snapshot's reference
  forget_locals();
  for (uint32_t m = state.held; m != 0; m &= m - 1) {
    const int r = __builtin_ctz(m);
    assert(refs_[r] == 0);
    bind(state.local[r], static_cast<Reg>(r), (state.dirty >> r & 1) != 0);
  }
}

void RegState::forget_locals() noexcept {
  for (uint32_t m = state_.held; m != 0; m &= m - 1) unbind(state_.local[__builtin_ctz(m)]);
}

bool transition_is_empty(const RegState& from, const LocalsState& to) noexcept {
  const LocalsState& f = from.snapshot();
  // Every register `to` holds holds the same local now (no load, no move),
  // and no local must be stored: one `to` keeps clean, or one it drops.
  if ((to.held & ~f.held) != 0) return false;
  for (uint32_t m = to.held; m != 0; m &= m - 1) {
    const int r = __builtin_ctz(m);
    if (f.local[r] != to.local[r]) return false;
  }
  // A local held here but not in `to` is in no other register of `to`
  // (that register would hold it here too): it goes to its slot.
  return (f.dirty & ~(to.held & to.dirty)) == 0;
}

void emit_transition(MacroAssembler& masm, const RegState& from, const LocalsState& to) {
  struct Move {
    Reg src, dst;
    uint32_t local;
    bool slot_valid;
  };
  Move moves[kMaxValueRegs];
  int num_moves = 0;
  struct Reload {
    uint32_t local;
    Reg reg;
  };
  Reload reloads[kMaxValueRegs];  // cycles broken through the slot
  int num_reloads = 0;

  // Stores first, while every register still holds what `from` says.
  for (uint32_t m = from.snapshot().held; m != 0; m &= m - 1) {
    const Reg reg = static_cast<Reg>(__builtin_ctz(m));
    const uint32_t x = from.local(reg);
    const int t = to.reg_of(x);
    bool slot_valid = !from.dirty(reg);
    if ((t < 0 || !(to.dirty >> t & 1)) && !slot_valid) {
      masm.store_slot(x, reg);
      slot_valid = true;
    }
    if (t >= 0 && t != reg) moves[num_moves++] = {reg, static_cast<Reg>(t), x, slot_valid};
  }

  // The parallel move: each destination and each source appears once. A move
  // whose destination no other move still reads goes now; when none can,
  // only cycles are left, and one of them is broken by sending its value
  // through its local's slot (a store and a later load: cycles are rare).
  while (num_moves > 0) {
    bool progress = false;
    for (int i = 0; i < num_moves;) {
      bool read_later = false;
      for (int j = 0; j < num_moves && !read_later; ++j)
        read_later = j != i && moves[j].src == moves[i].dst;
      if (read_later) {
        ++i;
        continue;
      }
      masm.mov(moves[i].dst, moves[i].src);
      moves[i] = moves[--num_moves];
      progress = true;
    }
    if (!progress) {
      const Move m = moves[0];
      if (!m.slot_valid) masm.store_slot(m.local, m.src);
      reloads[num_reloads++] = {m.local, m.dst};
      moves[0] = moves[--num_moves];
    }
  }

  // Loads last: their registers have been read by every move.
  for (int i = 0; i < num_reloads; ++i) masm.load_slot(reloads[i].reg, reloads[i].local);
  for (uint32_t m = to.held; m != 0; m &= m - 1) {
    const int r = __builtin_ctz(m);
    if (from.reg_of(to.local[r]) < 0) masm.load_slot(static_cast<Reg>(r), to.local[r]);
  }
}

}  // namespace wvm::jit
