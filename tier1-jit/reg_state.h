// Tier 1's register state: which value registers hold what, and which wasm
// locals live in registers rather than in their frame slots.
//
// A value register is free, or has owners: any number of operand-stack
// entries and in-flight operands (its reference count), and at most one
// local it caches. Stack entries may share a local's register (`local.get`
// costs nothing when the local is cached); an operator that writes a
// register in place must own it alone (refs 1, no local), else it copies
// first. A local is cached in at most one register; `local.set` renames
// (the value's register becomes the local's), so no two locals share one.
// A cached local is dirty when its slot may be stale.
//
// At a label every way in agrees on a LocalsState (the merge state: which
// locals sit in which registers; all stack values at their homes). The
// first way in defines it; the others move values to match
// (emit_transition: stores, a parallel register move, loads).
#pragma once

#include <cstdint>
#include <vector>

#include "tier1-jit/masm.h"

namespace wvm::jit {

/// More than any backend has (x86-64: 7, AArch64: 12), and few enough for
/// a LocalsState to copy in four vector moves.
constexpr int kMaxValueRegs = 15;
constexpr uint32_t kNoLocal = UINT32_MAX;

/// The locals held in registers where control flow merges, as a picture
/// of the registers: which one holds which local, and whether its slot is
/// stale. Register r is in it if bit r of `held` is set; then `local[r]` is
/// the local and bit r of `dirty` says whether the local's slot may be stale.
struct alignas(16) LocalsState {
  uint32_t local[kMaxValueRegs] = {};
  uint16_t held = 0;
  uint16_t dirty = 0;

  LocalsState() = default;
  // Copies as four vector moves (compilers otherwise pick `rep movs`, slow
  // to start, for a struct this size).
  LocalsState(const LocalsState& other) noexcept { *this = other; }
  LocalsState& operator=(const LocalsState& other) noexcept {
    using V = uint32_t __attribute__((vector_size(16), may_alias));
    const V* from = reinterpret_cast<const V*>(&other);
    V* to = reinterpret_cast<V*>(this);
    const V a = from[0], b = from[1], c = from[2], d = from[3];
    to[0] = a;
    to[1] = b;
    to[2] = c;
    to[3] = d;
    return *this;
  }

  /// The register holding `x`, or -1 if it is in its slot.
  int reg_of(uint32_t x) const noexcept {
    for (uint32_t m = held; m != 0; m &= m - 1)
      if (local[__builtin_ctz(m)] == x) return __builtin_ctz(m);
    return -1;
  }
};
static_assert(sizeof(LocalsState) == 64, "a locals state copies as four vector moves");

class RegState {
 public:
  void init(int num_regs, uint32_t num_locals);

  int num_regs() const noexcept { return num_regs_; }
  uint32_t refs(Reg r) const noexcept { return refs_[r]; }
  uint32_t local(Reg r) const noexcept { return state_.local[r]; }
  bool dirty(Reg r) const noexcept { return (state_.dirty >> r & 1) != 0; }
  /// Written in place without disturbing anyone else.
  bool exclusive(Reg r) const noexcept { return refs_[r] == 1 && state_.local[r] == kNoLocal; }

  void ref(Reg r) noexcept {
    ++refs_[r];
    free_ &= ~(1u << r);
  }
  /// Gives up one reference; false (and no change) if `r` had none.
  [[nodiscard]] bool unref(Reg r) noexcept {
    if (refs_[r] == 0) return false;
    if (--refs_[r] == 0 && state_.local[r] == kNoLocal) free_ |= 1u << r;
    return true;
  }
  bool any_free() const noexcept { return free_ != 0; }
  /// A free register (the lowest), taken with one reference; -1 if there is none.
  int take_free() noexcept {
    if (free_ == 0) return -1;
    const int r = __builtin_ctz(free_);
    free_ &= free_ - 1;
    refs_[r] = 1;
    return r;
  }
  /// A register that caches a local and has no other owner, to send back
  /// to its slot: the least recently used clean one (no store), else the
  /// least recently used; -1 if there is none.
  int evictable() const noexcept;

  /// The register caching `local`, or -1.
  int reg_of(uint32_t local) const noexcept {
    return local_reg_[local] == 0 ? -1 : local_reg_[local] - 1;
  }
  /// `local` now lives in `r` (which caches no other local).
  void bind(uint32_t local, Reg r, bool dirty) noexcept;
  /// `local` goes back to its slot (the caller stored it if it was dirty);
  /// its register keeps its other owners.
  void unbind(uint32_t local) noexcept;
  void set_dirty(Reg r) noexcept { state_.dirty |= static_cast<uint16_t>(1u << r); }
  void touch(Reg r) noexcept { last_use_[r] = ++clock_; }

  /// The per-local table's storage to or from `other` (for reuse across
  /// functions; init() refills it).
  void swap_storage(std::vector<uint8_t>& other) noexcept { local_reg_.swap(other); }
  size_t capacity() const noexcept { return local_reg_.capacity(); }

  const LocalsState& snapshot() const noexcept { return state_; }
  /// Makes `state` the current locals state. Every register must be free of
  /// references (stack values at home, no operand in flight).
  void restore(const LocalsState& state) noexcept;
  /// Drops every cached local without storing it (at a return: locals are
  /// dead); registers keep their other owners.
  void forget_locals() noexcept;
  /// Marks every cached local dirty (costs nothing now; a later spill stores).
  void mark_all_dirty() noexcept { state_.dirty = state_.held; }

 private:
  int num_regs_ = 0;
  uint32_t free_ = 0;  // bit r: no references and no local (take_free's pick)
  uint32_t refs_[kMaxValueRegs] = {};
  // The locals' picture, its `local` kNoLocal in every register it does
  // not hold.
  LocalsState state_;
  uint64_t last_use_[kMaxValueRegs] = {};
  uint64_t clock_ = 0;
  std::vector<uint8_t> local_reg_;  // register + 1, or 0: in its slot
};

/// Whether moving from `from` (stack values at home) to `to` needs code.
bool transition_is_empty(const RegState& from, const LocalsState& to) noexcept;

/// Emits the code that turns the locals state `from` (stack values at home,
/// no operand in flight that the code may not overwrite) into `to`: stores
/// of dirty locals that `to` keeps in slots or expects clean, a parallel
/// move between registers, then loads. Does not change `from`.
void emit_transition(MacroAssembler& masm, const RegState& from, const LocalsState& to);

}  // namespace wvm::jit
