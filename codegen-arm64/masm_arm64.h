// The AArch64 MacroAssembler: tier 1's operations as asmjit a64::Assembler
// instructions (AAPCS64, Linux).
//
// Register conventions (private to codegen-arm64/; nothing above knows them):
//   pinned    x19 = fp   the wasm frame; slot i is the doubleword [x19 + 8*i]
//             x20 = vm   InstanceData*
//             x21 = ctx  ExecContext*
//             x22 = mem  vm->memory_base (never moves)
//             x23 = gas  the call's gas left: loaded from the context by the
//                        entry trampoline, stored back around every C helper
//                        call (call_helper) and on return to C++; a fault
//                        hands it to the TrapScope (register_code_range)
//             All five are callee-saved in AAPCS64, so C helpers keep them;
//             JIT functions never change them across a call (calls move x19
//             by the callee's frame offset and move it back).
//   values    x9-x15, x24-x28: value registers 0..11, allocated by
//             tier1-jit. Calls clobber all of them (C helpers keep x24-x28,
//             JIT callees do not).
//   scratch   x0-x8, x16, x17: the backend's temporaries (x0-x7 are also the
//             helpers' arguments). Never live across operations. The float
//             operators (masm_arm64_float.cc) use only x16, x17 and v0-v7;
//             popcnt uses v16. Floats live in value registers as raw bits
//             (f32 zero-extended) and visit v registers only within one
//             operation; d8-d15 are never touched, so nobody saves them.
//   frame     x29/x30: every function starts with `stp x29, x30, [sp, #-16]!`
//             and keeps the frame-pointer chain; sp stays 16-byte aligned at
//             every instruction (the hardware requires it for sp-relative
//             accesses, and a signal may arrive at any of them).
//
// i32 and f32 values are kept zero-extended to 64 bits; every i32 result is
// written through a W register, which zeroes the upper half.
//
// Traps leave through out-of-line stubs after the body (one per kind), which
// call RuntimeInfo::trap(ctx, kind) and never return.
#pragma once

#include <asmjit/core.h>
#include <asmjit/arm/a64assembler.h>  // asmjit/arm.h of this version lacks it

#include <cstdint>
#include <vector>

#include "module/opcodes.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/masm.h"
#include "wvm/config.h"

namespace wvm::jit {
class CodeArena;
}  // namespace wvm::jit

namespace wvm::a64 {

using jit::CodeArena;

/// One function's code. Not thread-safe; finish() once.
class A64MacroAssembler final : public jit::MacroAssembler {
 public:
  A64MacroAssembler(const jit::RuntimeInfo& info, BoundsStrategy bounds, CodeArena& arena);
  ~A64MacroAssembler() override;

  int num_value_regs() const noexcept override;

  jit::Label new_label() override;
  void bind(jit::Label label) override;

  void prologue() override;
  void epilogue() override;
  void osr_prologue() override;
  void set_frame_slots(uint32_t max_slots) override;

  void load_slot(jit::Reg dst, uint32_t slot) override;
  void store_slot(uint32_t slot, jit::Reg src) override;
  void store_slot_imm(uint32_t slot, uint64_t value) override;
  void copy_slot(uint32_t dst_slot, uint32_t src_slot) override;
  void zero_slots(uint32_t first, uint32_t count) override;
  void mov_imm(jit::Reg dst, uint64_t value) override;
  void mov(jit::Reg dst, jit::Reg src) override;

  bool unary(Opcode op, jit::Reg dst, jit::Reg src) override;
  bool binary(Opcode op, jit::Reg dst, jit::Reg lhs, jit::Reg rhs) override;
  bool binary_imm(Opcode op, jit::Reg dst, jit::Reg lhs, int32_t imm) override;

  bool load(Opcode op, jit::Reg dst, jit::Reg addr, uint32_t offset) override;
  bool store(Opcode op, jit::Reg addr, jit::Reg value, uint32_t offset) override;
  void memory_size(jit::Reg dst) override;
  void memory_grow(jit::Reg dst, jit::Reg delta) override;
  void call_runtime(const void* fn, const std::vector<jit::Reg>& args, int result) override;

  void global_get(jit::Reg dst, uint32_t vm_offset) override;
  void global_set(uint32_t vm_offset, jit::Reg src) override;

  void jump(jit::Label target) override;
  void branch_if_zero(jit::Reg cond, jit::Label target) override;
  void branch_if_nonzero(jit::Reg cond, jit::Label target) override;
  bool compare_branch(Opcode op, jit::Reg lhs, jit::Reg rhs, bool when,
                      jit::Label target) override;
  bool compare_imm_branch(Opcode op, jit::Reg lhs, int32_t imm, bool when,
                          jit::Label target) override;
  void jump_table(jit::Reg index, const std::vector<jit::Label>& targets) override;
  void select(jit::Reg dst, jit::Reg if_false, jit::Reg cond) override;
  bool compare_select(Opcode op, jit::Reg lhs, jit::Reg rhs, jit::Reg dst,
                      jit::Reg if_false) override;
  bool compare_imm_select(Opcode op, jit::Reg lhs, int32_t imm, jit::Reg dst,
                          jit::Reg if_false) override;

  void charge_gas(uint64_t cost) override;
  void charge_gas_per_unit(jit::Reg units, uint64_t rate) override;

  void reserve(size_t body_bytes) override;
  void call_func(uint32_t vm_func_offset, uint32_t callee_fp_slot) override;
  void call_local(uint32_t callee, const std::atomic<const void*>* entry_slot, const void* known,
                  bool self, uint32_t vm_func_offset, uint32_t callee_fp_slot) override;
  void call_indirect(jit::Reg index, uint32_t vm_table_offset, uint32_t type_index,
                     uint32_t type_id, uint32_t callee_fp_slot) override;

  void trap(TrapKind kind) override;

  const void* finish() override;
  std::unique_ptr<jit::JitCodeInfo> take_code_info() override;
  uint32_t code_size() const noexcept override { return static_cast<uint32_t>(code_size_); }
  uint32_t label_offset(jit::Label label) const override;
  bool out_of_code_space() const noexcept override { return out_of_code_space_; }

 private:
  // What prologue() and osr_prologue() share: the frame's count and checks.
  void enter_frame();
  // Records the first asmjit error; finish() then fails.
  class ErrorSink : public asmjit::ErrorHandler {
   public:
    void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter* origin) override;
    bool failed = false;
  };

  // The out-of-line path of a call_local whose callee is still in tier 0.
  struct PendingSlowCall {
    asmjit::Label slow, done;
    uint32_t vm_func_offset;
    uint32_t wasm_offset;  // of the call, for its trap site
  };
  // A trap branch's own stub, which calls the shared stub of its kind so
  // that the return address in x30 names the site (module/site_table.h).
  struct PendingTrap {
    asmjit::Label label;
    int index;  // a TrapKind, or kOutOfGasStub
    uint32_t wasm_offset;
    size_t first_use;
  };

  asmjit::a64::Gp value_reg(jit::Reg r);
  asmjit::Label label_of(jit::Label label);
  // [base + offset] for an access of `size` bytes; an offset no addressing
  // mode reaches goes through `scratch` (which must differ from base).
  asmjit::a64::Mem field(const asmjit::a64::Gp& base, uint64_t offset, uint32_t size,
                         const asmjit::a64::Gp& scratch);
  // The frame slot, through `scratch` if it is beyond the immediate's reach.
  asmjit::a64::Mem slot_mem(uint32_t slot, const asmjit::a64::Gp& scratch);
  // dst = value (W or X register; a W one zero-extends).
  void load_imm(const asmjit::a64::Gp& dst, uint64_t value);
  // dst = src + imm / src - imm (64-bit), through `scratch` if needed.
  void add_imm(const asmjit::a64::Gp& dst, const asmjit::a64::Gp& src, uint64_t imm,
               const asmjit::a64::Gp& scratch);
  void sub_imm(const asmjit::a64::Gp& dst, const asmjit::a64::Gp& src, uint64_t imm,
               const asmjit::a64::Gp& scratch);
  asmjit::Label out_of_gas_label();
  // Conditional branches reach +-1 MiB. In a large function (far_) those to
  // wasm labels and to out-of-line paths branch over an unconditional b.
  void branch_cond(asmjit::arm::CondCode cc, const asmjit::Label& target);
  void branch_zero(const asmjit::a64::Gp& reg, bool nonzero, const asmjit::Label& target);
  // The stub for trap kind `index` (kOutOfGasStub: out of gas) through
  // `label`, whose branches come from the body.
  void emit_stub(int index, const asmjit::Label& label);
  // After an unconditional transfer: binds the stubs whose first branch is
  // far behind here, so branches to trap stubs stay in reach in any size of
  // function. Later uses of those kinds get fresh labels.
  void emit_islands();
  asmjit::Label stub_label(int index);
  // Calls a C helper; `exit` records the call as the frame's exit to C++
  // (ctx->jit_exit, jit_exit_pc) and as a trap site.
  void call_helper(const void* fn, bool exit = true);
  // Records a call just emitted (its return address is the current offset).
  void record_call_site() { site_writer_.add(static_cast<uint32_t>(a_.offset()) - 1, wasm_offset_); }
  // Records the memory access about to be emitted, which may fault on a guard page.
  void record_access_site() {
    if (bounds_ == BoundsStrategy::GuardPages)
      site_writer_.add(static_cast<uint32_t>(a_.offset()), wasm_offset_);
  }
  void emit_site_stub(const PendingTrap& t);
  // movz + movk (4 for an X register, 2 for a W one) whose immediates a
  // relocation writes, so the code can be relocated to any address.
  void load_reloc(const asmjit::a64::Gp& dst, jit::RelocTarget kind, uint32_t target,
                  uint64_t value, const void* runtime_fn = nullptr);
  void call_dispatch(uint32_t callee_fp_slot);
  // The address of a wasm access of `width` bytes at u32(addr) + offset;
  // emits the bounds check in explicit mode. Clobbers x0, x16, x17.
  asmjit::a64::Mem memory_operand(jit::Reg addr, uint32_t offset, uint32_t width);
  // Integer operators on machine registers (W or X, as the type): the one
  // body behind binary() and binary_imm(). Scratch: x16 only.
  bool binary_int(Opcode op, const asmjit::a64::Gp& dst, const asmjit::a64::Gp& lhs,
                  const asmjit::a64::Gp& rhs);
  bool divide(Opcode op, const asmjit::a64::Gp& dst, const asmjit::a64::Gp& lhs,
              const asmjit::a64::Gp& rhs);
  // cmp lhs, #imm (or cmn, or through x16); lhs sized as the comparison.
  void compare_imm(const asmjit::a64::Gp& lhs, int32_t imm, bool is64);

  // Float operators (masm_arm64_float.cc). False if `op` is not one of them.
  // Covers every opcode whose operand or result is f32/f64 except loads,
  // stores and constants: arithmetic, comparisons (i32 result), conversions,
  // trunc/trunc_sat, convert, demote/promote, reinterpret.
  bool unary_float(Opcode op, const asmjit::a64::Gp& dst, const asmjit::a64::Gp& src);
  bool binary_float(Opcode op, const asmjit::a64::Gp& dst, const asmjit::a64::Gp& lhs,
                    const asmjit::a64::Gp& rhs);
  // The out-of-line stub that traps with `kind` (bound in finish()).
  asmjit::Label trap_label(TrapKind kind);

  const jit::RuntimeInfo& info_;
  BoundsStrategy bounds_;
  CodeArena& arena_;
  ErrorSink errors_;
  asmjit::CodeHolder code_;
  asmjit::a64::Assembler a_;
  bool failed_ = false;  // a bad operand (e.g. a field offset beyond reach)
  bool finished_ = false;
  // The frame's size (set_frame_slots), and where each prologue's
  // movz/movk pair takes its bytes (offsets of the movz, filled by finish()).
  int64_t frame_slots_ = -1;
  std::vector<uint32_t> frame_fields_;
  std::vector<asmjit::Label> labels_;
  // One stub label per trap kind, [kOutOfGasStub] for out of gas, with the
  // code offset of each one's first use (for islands).
  static constexpr int kOutOfGasStub = 16;
  asmjit::Label stub_labels_[17];  // the shared stub of each kind
  std::vector<PendingTrap> traps_;
  size_t traps_emitted_ = 0;  // traps_[0, traps_emitted_) are bound
  bool far_ = false;
  std::vector<PendingSlowCall> slow_calls_;
  asmjit::Label entry_;  // the function's first instruction (self calls)
  bool near_calls_ = false;  // the arena is small enough for bl to reach all of it
  jit::RelocationRecorder relocs_;
  size_t code_size_ = 0;
  bool out_of_code_space_ = false;  // finish() found the arena full
};

/// Writes `value` into AArch64 code as `reloc` says (see jit::Backend::relocate).
bool apply_relocation(uint8_t* rw, const uint8_t* rx, size_t size, const jit::Relocation& reloc,
                      uint64_t value) noexcept;

}  // namespace wvm::a64
