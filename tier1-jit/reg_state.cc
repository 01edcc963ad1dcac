#include "tier1-jit/reg_state.h"

#include <cassert>

namespace wvm::jit {

void RegState::init(int num_regs, uint32_t num_locals) {
  assert(num_regs <= kMaxValueRegs);
  num_regs_ = num_regs;
  for (int r = 0; r < kMaxValueRegs; ++r) {
    refs_[r] = 0;
    local_[r] = kNoLocal;
    dirty_[r] = false;
    last_use_[r] = 0;
  }
  free_ = num_regs >= 32 ? ~0u : (1u << num_regs) - 1;
  local_reg_.assign(num_locals, 0);
}

int RegState::evictable() const noexcept {
  int best = -1;
  for (int r = 0; r < num_regs_; ++r) {
    if (local_[r] == kNoLocal || refs_[r] != 0) continue;
    if (best < 0 || dirty_[r] < dirty_[best] ||
        (dirty_[r] == dirty_[best] && last_use_[r] < last_use_[best]))
      best = r;
  }
  return best;
}

void RegState::bind(uint32_t local, Reg r, bool dirty) noexcept {
  assert(local_[r] == kNoLocal && local_reg_[local] == 0);
  local_[r] = local;
  free_ &= ~(1u << r);
  dirty_[r] = dirty;
  local_reg_[local] = static_cast<uint8_t>(r + 1);
  touch(r);
}

void RegState::unbind(uint32_t local) noexcept {
  const int r = reg_of(local);
  if (r < 0) return;
  local_[r] = kNoLocal;
  if (refs_[r] == 0) free_ |= 1u << r;
  dirty_[r] = false;
  local_reg_[local] = 0;
}

LocalsState RegState::snapshot() const noexcept {
  LocalsState s;
  for (int r = 0; r < num_regs_; ++r)
    if (local_[r] != kNoLocal) s.cached[s.count++] = {local_[r], static_cast<Reg>(r), dirty_[r]};
  return s;
}

void RegState::restore(const LocalsState& state) noexcept {
  for (int r = 0; r < num_regs_; ++r) {
    assert(refs_[r] == 0);
    if (local_[r] != kNoLocal) unbind(local_[r]);
  }
  for (uint8_t i = 0; i < state.count; ++i)
    bind(state.cached[i].local, state.cached[i].reg, state.cached[i].dirty);
}

void RegState::forget_locals() noexcept {
  for (int r = 0; r < num_regs_; ++r)
    if (local_[r] != kNoLocal) unbind(local_[r]);
}

void RegState::mark_all_dirty() noexcept {
  for (int r = 0; r < num_regs_; ++r)
    if (local_[r] != kNoLocal) dirty_[r] = true;
}

bool transition_is_empty(const RegState& from, const LocalsState& to) noexcept {
  for (int r = 0; r < from.num_regs(); ++r) {
    const uint32_t x = from.local(static_cast<Reg>(r));
    if (x == kNoLocal) continue;
    const LocalsState::Cached* t = to.find(x);
    const bool dirty = from.dirty(static_cast<Reg>(r));
    if (t == nullptr ? dirty : (t->reg != r || (dirty && !t->dirty))) return false;
  }
  for (uint8_t i = 0; i < to.count; ++i)
    if (from.reg_of(to.cached[i].local) != to.cached[i].reg) return false;
  return true;
}

void emit_transition(MacroAssembler& masm, const RegState& from, const LocalsState& to) {
  struct Move {
    Reg src, dst;
    uint32_t local;
    bool slot_valid;
  };
  Move moves[kMaxValueRegs];
  int num_moves = 0;
  LocalsState::Cached reloads[kMaxValueRegs];  // cycles broken through the slot
  int num_reloads = 0;

  // Stores first, while every register still holds what `from` says.
  for (int r = 0; r < from.num_regs(); ++r) {
    const Reg reg = static_cast<Reg>(r);
    const uint32_t x = from.local(reg);
    if (x == kNoLocal) continue;
    const LocalsState::Cached* t = to.find(x);
    bool slot_valid = !from.dirty(reg);
    if ((t == nullptr || !t->dirty) && !slot_valid) {
      masm.store_slot(x, reg);
      slot_valid = true;
    }
    if (t != nullptr && t->reg != reg) moves[num_moves++] = {reg, t->reg, x, slot_valid};
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
      reloads[num_reloads++] = {m.local, m.dst, false};
      moves[0] = moves[--num_moves];
    }
  }

  // Loads last: their registers have been read by every move.
  for (int i = 0; i < num_reloads; ++i) masm.load_slot(reloads[i].reg, reloads[i].local);
  for (uint8_t i = 0; i < to.count; ++i) {
    if (from.reg_of(to.cached[i].local) < 0) masm.load_slot(to.cached[i].reg, to.cached[i].local);
  }
}

}  // namespace wvm::jit
