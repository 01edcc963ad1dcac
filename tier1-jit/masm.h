// The architecture-neutral MacroAssembler that tier 1 emits through.
// tier1-jit/ allocates abstract value registers (0 .. num_value_regs()-1)
// and asks for operations; codegen-x64/ (and later codegen-arm64/) map them
// to machine registers and instructions. Nothing above this interface names
// a machine register.
//
// The frame model (see tier1-jit/abi.h): every function has a wasm frame of
// 8-byte slots addressed from a pinned frame pointer: locals first, then the
// operand-stack slots ("homes") at height h -> slot num_locals + h. Values
// are kept as raw 64-bit patterns (i32 in the low half, floats as bits,
// references as pointers), exactly as tier 0 keeps them, so both tiers share
// frames and calls cross tiers without conversion.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "module/opcodes.h"
#include "module/site_table.h"
#include "tier1-jit/relocation.h"
#include "wvm/types.h"

namespace wvm::jit {

using Reg = uint8_t;

struct Label {
  uint32_t id = UINT32_MAX;
  bool valid() const noexcept { return id != UINT32_MAX; }
};

/// What the compiled code needs to know about the runtime (offsets of fields
/// it reads, helper entry points); filled in by tier1-jit/abi.cc.
struct RuntimeInfo;
class CodeBatch;

class MacroAssembler {
 public:
  virtual ~MacroAssembler() = default;

  /// A hint before emitting: the wasm body is `body_bytes` long, so the code
  /// buffer can be sized once instead of grown.
  virtual void reserve(size_t body_bytes) = 0;

  /// How many value registers the compiler may allocate.
  virtual int num_value_regs() const noexcept = 0;

  // ---- labels
  virtual Label new_label() = 0;
  virtual void bind(Label label) = 0;

  // ---- frame
  /// Function entry: counts the frame against the call-depth limit and checks
  /// the value stack (fp + the frame's slots, set_frame_slots) and the native
  /// stack; on failure jumps to a stub that traps with CallStackExhausted.
  virtual void prologue() = 0;
  /// Function exit: uncounts the frame and returns to the caller. Results
  /// must already be in slots 0 .. n-1.
  virtual void epilogue() = 0;
  /// An on-stack-replacement entry: entered like the function's entry (by
  /// JitBackend::enter, fp at a tier-0 frame whose locals and operands are
  /// already in their slots), it does what the prologue does except zeroing
  /// locals: tier 0 uncounted the frame before entering, so the count and
  /// the checks are those of a call. The code that follows jumps to a loop
  /// header.
  virtual void osr_prologue() = 0;
  /// The frame's size in slots (locals + deepest operand stack + 1, as tier
  /// 0 sizes it), known once the body is compiled: the prologues' checks are
  /// emitted with a field that finish() fills with it. Required before
  /// finish().
  virtual void set_frame_slots(uint32_t max_slots) = 0;

  // ---- moves (all 64-bit)
  virtual void load_slot(Reg dst, uint32_t slot) = 0;
  virtual void store_slot(uint32_t slot, Reg src) = 0;
  virtual void store_slot_imm(uint32_t slot, uint64_t value) = 0;
  virtual void copy_slot(uint32_t dst_slot, uint32_t src_slot) = 0;
  /// Zeroes slots [first, first + count) (a function's declared locals) at
  /// memory speed for large counts. Clobbers no value register.
  virtual void zero_slots(uint32_t first, uint32_t count) = 0;
  virtual void mov_imm(Reg dst, uint64_t value) = 0;
  virtual void mov(Reg dst, Reg src) = 0;

  // ---- pure operators of the opcode table
  /// dst = op(src). False if this backend has no code for `op` yet.
  virtual bool unary(Opcode op, Reg dst, Reg src) = 0;
  /// dst = op(lhs, rhs); dst may equal lhs (and lhs may equal rhs), but dst
  /// must not be rhs alone. Division and
  /// remainder trap through the stubs their checks need. False if unsupported.
  virtual bool binary(Opcode op, Reg dst, Reg lhs, Reg rhs) = 0;

  /// dst = op(lhs, imm) for an integer operator whose right operand is a
  /// constant: `imm` is the i32 constant, or the i64 one when it fits a
  /// sign-extended 32-bit value. False if there is no immediate form for
  /// `op` (the compiler then loads the constant into a register).
  virtual bool binary_imm(Opcode op, Reg dst, Reg lhs, int32_t imm) = 0;

  // ---- linear memory (memory 0): effective address u32(addr) + offset
  virtual bool load(Opcode op, Reg dst, Reg addr, uint32_t offset) = 0;
  virtual bool store(Opcode op, Reg addr, Reg value, uint32_t offset) = 0;
  /// dst = memory.size in pages. Clobbers no value register.
  virtual void memory_size(Reg dst) = 0;
  /// dst = memory.grow(delta). A call: clobbers every value register except dst.
  virtual void memory_grow(Reg dst, Reg delta) = 0;

  // ---- globals: the Global* lives at `vm_offset` in the instance data block
  virtual void global_get(Reg dst, uint32_t vm_offset) = 0;
  virtual void global_set(uint32_t vm_offset, Reg src) = 0;

  // ---- control
  virtual void jump(Label target) = 0;
  /// Branches if the low 32 bits of `cond` are zero / non-zero.
  virtual void branch_if_zero(Reg cond, Label target) = 0;
  virtual void branch_if_nonzero(Reg cond, Label target) = 0;
  /// Branches if the integer comparison `op` (i32/i64 eq .. ge_u) of lhs
  /// and rhs, or of lhs and the constant `imm`, is `when`. False if `op` is
  /// not such a comparison.
  virtual bool compare_branch(Opcode op, Reg lhs, Reg rhs, bool when, Label target) = 0;
  virtual bool compare_imm_branch(Opcode op, Reg lhs, int32_t imm, bool when, Label target) = 0;
  /// Jumps to targets[min(u32 index, targets.size() - 1)].
  virtual void jump_table(Reg index, const std::vector<Label>& targets) = 0;
  /// dst = (low 32 bits of cond) != 0 ? dst : if_false.
  virtual void select(Reg dst, Reg if_false, Reg cond) = 0;
  /// dst = op(lhs, rhs) ? dst : if_false, all 64 bits, for an integer
  /// comparison `op` (i32/i64 eq .. ge_u) of lhs and rhs, or of lhs and the
  /// constant `imm`: one compare and a conditional move. The comparison is
  /// made before dst is written, so dst may be lhs or rhs. False if `op` is
  /// not such a comparison.
  virtual bool compare_select(Opcode op, Reg lhs, Reg rhs, Reg dst, Reg if_false) = 0;
  virtual bool compare_imm_select(Opcode op, Reg lhs, int32_t imm, Reg dst, Reg if_false) = 0;

  // ---- gas: subtract `cost` from the call's gas; out of gas traps (leaving 0)
  virtual void charge_gas(uint64_t cost) = 0;
  /// The same for `rate` times the low 32 bits of `units` (a bulk operator's
  /// count; the profile's per-unit rate). `rate` is at most INT32_MAX, so the
  /// product cannot wrap. Clobbers no value register.
  virtual void charge_gas_per_unit(Reg units, uint64_t rate) = 0;

  // ---- calls. The callee's frame starts at slot `callee_fp_slot` of ours,
  // where its arguments already are; its results land there. A call clobbers
  // every value register.
  virtual void call_func(uint32_t vm_func_offset, uint32_t callee_fp_slot) = 0;
  /// A call to a function defined in this module, so of this same instance:
  /// the pinned instance and memory stay. `self` calls this very function;
  /// else a non-null `known` is the callee's compiled entry, called
  /// directly; else the code goes through `*entry_slot` (the callee's
  /// published tier-1 entry) and, while that is null, through the runtime
  /// with the Func* at `vm_func_offset` (tier 0).
  /// `callee` is the callee's function index (its relocations name it).
  virtual void call_local(uint32_t callee, const std::atomic<const void*>* entry_slot,
                          const void* known, bool self, uint32_t vm_func_offset,
                          uint32_t callee_fp_slot) = 0;
  /// call_indirect through the table whose Table* is at `vm_table_offset`,
  /// element `index`, expecting the engine-wide `type_id`; traps with
  /// UndefinedElement / UninitializedElement / IndirectCallTypeMismatch.
  /// `type_index` is the module's index of that type (its relocation names it).
  virtual void call_indirect(Reg index, uint32_t vm_table_offset, uint32_t type_index,
                             uint32_t type_id, uint32_t callee_fp_slot) = 0;

  // ---- runtime helpers (bulk memory, tables, references)
  /// Calls `fn(ctx, vm, a0, a1, a2, a3)` (the platform's C convention) with
  /// the 64-bit values of `args` (at most 4) as a0..; if `result` >= 0 the
  /// helper's 64-bit return value goes to that register. A call: clobbers
  /// every value register except `result`. Helpers raise traps themselves.
  virtual void call_runtime(const void* fn, const std::vector<Reg>& args, int result) = 0;

  // ---- traps
  virtual void trap(TrapKind kind) = 0;

  /// Where finish() places fresh code: through `batch` (its code is in the
  /// arena once the batch commits, see CodeBatch), or, with nullptr (the
  /// default, and after reset()), straight into the arena.
  void set_code_batch(CodeBatch* batch) noexcept { batch_ = batch; }
  /// Emits the out-of-line stubs and returns the finished code's entry, or
  /// nullptr if the code could not be made executable.
  virtual const void* finish() = 0;
  /// After a successful finish(): the code's size and relocations, or nullptr
  /// if it names something no relocation can (it is then not persisted).
  virtual std::unique_ptr<JitCodeInfo> take_code_info() = 0;
  /// After a successful finish(): the code's size in bytes.
  virtual uint32_t code_size() const noexcept = 0;
  /// After a successful finish(): the byte offset of bound `label` from the
  /// entry (an OSR entry's place in the code).
  virtual uint32_t label_offset(Label label) const = 0;
  /// After a failed finish(): whether it failed because the arena had no
  /// room for the code (rather than the code being unassemblable).
  virtual bool out_of_code_space() const noexcept = 0;
  /// Makes the assembler ready for another function, as if new, keeping its
  /// buffers (Backend::take_function reuses it); false if this one cannot
  /// be reused (it is then dropped).
  virtual bool reset() { return false; }

  // ---- trap sites (module/site_table.h), for traces
  /// The module byte offset of the instruction being compiled: the calls,
  /// trap branches and memory accesses emitted next are recorded at it.
  void set_wasm_offset(uint32_t offset) noexcept { wasm_offset_ = offset; }
  /// After a successful finish(): code offset -> wasm offset of every call
  /// (keyed by its return address - 1), trap stub call (likewise) and memory
  /// access that may fault (keyed by its first byte).
  /// A copy of the site table: the assembler keeps its buffer for reuse.
  std::vector<uint8_t> take_sites() { return std::vector<uint8_t>(sites_.begin(), sites_.end()); }

 protected:
  /// What reset() does for the members here.
  void reset_sites() noexcept {
    batch_ = nullptr;
    wasm_offset_ = kEntrySite;
    sites_.clear();
    site_writer_.restart();
  }

  CodeBatch* batch_ = nullptr;
  uint32_t wasm_offset_ = kEntrySite;
  std::vector<uint8_t> sites_;
  SiteTableWriter site_writer_{sites_};
};

}  // namespace wvm::jit
