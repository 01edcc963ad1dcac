// Tier-0 prepared code: the form validated function bodies take so the
// dispatch loop never decodes a LEB, searches for a branch target or moves
// an operand it need not move.
//
// A register machine over the frame's 8-byte slots: fp[0 .. num_locals) are
// the locals (parameters first); the operand at stack height h has the home
// slot num_locals + h, as in tier 1's frame, so calls and on-stack
// replacement see the same layout. Instructions name their operands and
// result by slot: `local.get` disappears into the instruction that uses the
// local, and `local.set` into the one that computes the value.
//
// The accumulator: a machine register of the dispatch loop that carries
// a result to the instruction right after the one that computed it, when
// that instruction can take it (acc_forms.def), instead of a store to the
// result's home slot and a load back. Nothing else survives in it: it never
// crosses a label, a call or any other instruction.
//
// Code is a sequence of 64-bit words. Each instruction is one word holding
// its handler's address (direct threading), followed by operand words
// (tier0-interp/iops.def says which).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "module/opcodes.h"
#include "tier1-jit/relocation.h"

namespace wvm::jit {
class CodeBlock;
}  // namespace wvm::jit

// The add-and-branch forms of a compare row of brcmp.def (its i32 rows
// only): ADD_BRANCH(add, branch) for each.
#define WVM_ADD_BRANCH_FORMS(name, type, ADD_BRANCH) WVM_ADD_BRANCH_FORMS_##type(name, ADD_BRANCH)
#define WVM_ADD_BRANCH_FORMS_uint32_t(name, ADD_BRANCH)                                   \
  ADD_BRANCH(I32Add, BrIf##name##Back) ADD_BRANCH(I32Add, BrIf##name##CBack)              \
  ADD_BRANCH(I32Add, GasBrIf##name##Back) ADD_BRANCH(I32Add, GasBrIf##name##CBack)        \
  ADD_BRANCH(I32AddC, BrIf##name##Back) ADD_BRANCH(I32AddC, BrIf##name##CBack)            \
  ADD_BRANCH(I32AddC, GasBrIf##name##Back) ADD_BRANCH(I32AddC, GasBrIf##name##CBack)
#define WVM_ADD_BRANCH_FORMS_int32_t(name, ADD_BRANCH) WVM_ADD_BRANCH_FORMS_uint32_t(name, ADD_BRANCH)
#define WVM_ADD_BRANCH_FORMS_uint64_t(name, ADD_BRANCH)
#define WVM_ADD_BRANCH_FORMS_int64_t(name, ADD_BRANCH)

namespace wvm {

/// Internal tier-0 operations, in this order: every pure operator, load and
/// store of the opcode table under its own name (binary operators: both
/// operands in slots); each binary operator with a constant right operand
/// (name##C); the accumulator forms (acc_forms.def); the straight-line
/// operations of iops.def; the fused operator pairs (fused.def); the
/// add-and-branch forms (brcmp.def); the control operations of iops.def;
/// the fused compare-and-branch
/// operations of brcmp.def; then the charging form of every control
/// operation (Gas##name), in the order of the control operations.
enum class IOp : uint16_t {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) name,
#define WVM_STORE(name, pfx, code, text, vt, mt, align) name,
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) name,
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) name,
#include "module/opcodes.def"
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)
#define WVM_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) name##C,
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_ACC_ROWS_ENUM
#include "tier0-interp/acc_forms.def"
#undef WVM_ACC_ROWS_ENUM
#define WVM_IOP(name, words) name,
#define WVM_CTL(name, words)
#include "tier0-interp/iops.def"
#undef WVM_IOP
#undef WVM_CTL
#define WVM_FUSED(name, x, x_impl, x_right, y, y_impl, y_side, y_other) name, name##_A,
#include "tier0-interp/fused.def"
#undef WVM_FUSED
#define WVM_ADD_BRANCH(add, branch) add##_##branch,
#define WVM_BRCMP(name, type, op, neg, mirror) WVM_ADD_BRANCH_FORMS(name, type, WVM_ADD_BRANCH)
#include "tier0-interp/brcmp.def"
#undef WVM_BRCMP
#undef WVM_ADD_BRANCH
#define WVM_IOP(name, words)
#define WVM_CTL(name, words) name,
#include "tier0-interp/iops.def"
#undef WVM_CTL
#define WVM_BRCMP(name, type, op, neg, mirror) \
  BrIf##name, BrIf##name##Back, BrIf##name##C, BrIf##name##CBack,
#include "tier0-interp/brcmp.def"
#define WVM_CTL(name, words) Gas##name,
#include "tier0-interp/iops.def"
#undef WVM_CTL
#undef WVM_BRCMP
#define WVM_BRCMP(name, type, op, neg, mirror) \
  GasBrIf##name, GasBrIf##name##Back, GasBrIf##name##C, GasBrIf##name##CBack,
#include "tier0-interp/brcmp.def"
#undef WVM_BRCMP
#undef WVM_IOP
  Count
};

constexpr size_t kNumIOps = static_cast<size_t>(IOp::Count);
/// The control operations, and their charging forms at the same distance.
constexpr IOp kFirstControl = IOp::Return0;
constexpr IOp kFirstCharging = IOp::GasReturn0;
constexpr size_t kNumControl =
    static_cast<size_t>(kFirstCharging) - static_cast<size_t>(kFirstControl);
static_assert(kNumIOps - static_cast<size_t>(kFirstCharging) == kNumControl);

/// Words of each instruction, its handler word included; 0 for BrTable and
/// GasBrTable, whose length depends on their entry count.
extern const uint8_t kIOpWords[kNumIOps];

/// In a BrTable entry's low half: the target is a loop header (a back-edge).
constexpr uint32_t kBackEdgeBit = uint32_t{1} << 31;

/// One defined function, prepared for tier 0. Immutable after preparation
/// except for the profile counters.
struct FuncCode {
  /// Tier-1 code, once compiled: installed with a release store, so a call
  /// never sees half-installed code (engine/tier_manager.cc).
  std::atomic<const void*> jit_entry{nullptr};
  /// Set once tier 1 was tried (compiled or found unsupported).
  std::atomic<bool> jit_tried{false};
  /// The tier-1 code's size and relocations, for serialize_module: set
  /// before jit_entry is published (nullptr if it cannot be persisted).
  std::unique_ptr<const jit::JitCodeInfo> jit_info;
  /// The arena block jit_entry points into (shared by all functions of a
  /// module loaded from the cache): the code dies with the module.
  std::shared_ptr<const jit::CodeBlock> jit_code;
  /// The tier-1 code's size and trap sites (module/site_table.h), for
  /// traces: set before jit_entry is published.
  uint32_t jit_size = 0;
  std::vector<uint8_t> jit_sites;
  /// The tier-1 code's start, where OSR entries are found: published with
  /// jit_entry (before it), or alone under TierConfig::osr_only.
  std::atomic<const void*> osr_base{nullptr};
  /// On-stack replacement: the byte offset from osr_base of each loop's
  /// entry for a running tier-0 frame, indexed like loop_headers; set before
  /// osr_base is published (empty: no OSR into this code).
  std::vector<uint32_t> jit_osr_entries;
  std::vector<uint64_t> code;
  /// Word index -> wasm byte offset of every instruction that may trap and
  /// every call (module/site_table.h); read only to build a trap's trace.
  std::vector<uint8_t> sites;
  /// Word index of each reachable loop's header (where its back-edges
  /// land), in body order: a loop's position here is its ordinal, which
  /// tier 1 numbers alike. Read only when a hot back-edge looks for its
  /// OSR entry.
  std::vector<uint32_t> loop_headers;
  uint32_t func_index = 0;
  uint32_t num_params = 0;
  uint32_t num_results = 0;
  uint32_t num_locals = 0;  ///< parameters included
  uint32_t max_slots = 0;   ///< locals + deepest operand stack

  /// Profile read by the tier manager. Updated with relaxed load+store (not
  /// atomic increments): a lost count under contention is harmless.
  mutable std::atomic<uint32_t> entry_count{0};
  mutable std::atomic<uint32_t> backedge_count{0};
};

inline uint32_t bump(std::atomic<uint32_t>& counter) noexcept {
  const uint32_t n = counter.load(std::memory_order_relaxed) + 1;
  counter.store(n, std::memory_order_relaxed);
  return n;
}

}  // namespace wvm
