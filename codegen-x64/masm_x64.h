// The x86-64 MacroAssembler: tier 1's operations as asmjit x86::Assembler
// instructions (System V, Linux).
//
// Register conventions (private to codegen-x64/; nothing above knows them):
//   pinned    rbx = fp   the wasm frame; slot i is qword [rbx + 8*i]
//             r12 = vm   InstanceData*
//             r13 = ctx  ExecContext*
//             r14 = mem  vm->memory_base (never moves)
//             r15 = gas  the call's gas left: loaded from the context by the
//                        entry trampoline, stored back around every C helper
//                        call (call_helper) and on return to C++; a fault
//                        hands it to the TrapScope (register_code_range)
//             All five are callee-saved in System V, so C helpers keep them;
//             JIT functions never change them across a call (call_func moves
//             rbx by the callee's frame offset and moves it back).
//   values    rsi, rdi, r8, r9, r10, r11, rbp: value registers 0..6,
//             allocated by tier1-jit. Calls clobber all of them.
//   scratch   rax, rcx, rdx: the backend's temporaries (div/rem need rdx:rax,
//             variable shifts need cl). Never live across operations.
//             xmm0, xmm1, xmm2: the same for float operations. Floats live in
//             value registers as raw bits (f32 zero-extended) and visit xmm
//             only within one operation; no other xmm register is used.
//   stack     on entry rsp = 8 (mod 16); the prologue's `sub rsp, 8` makes it
//             0 (mod 16) in the body, as every call (C helper or JIT function)
//             requires. The epilogue undoes it.
//
// Traps leave through out-of-line stubs after the body (one per kind), which
// call RuntimeInfo::trap(ctx, kind) and never return.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "codegen-x64/encode_x64.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/masm.h"
#include "wvm/config.h"

namespace wvm::jit {
class CodeArena;
}  // namespace wvm::jit

namespace wvm::x64 {

using jit::CodeArena;

/// Optional instructions the code may use (from CPUID; tests force them off
/// to exercise the fallbacks).
struct X64CpuFeatures {
  bool lzcnt = false;
  bool bmi1 = false;  // tzcnt
  bool popcnt = false;
  bool sse41 = false;  // roundss/roundsd
  /// What the host CPU reports.
  static X64CpuFeatures host() noexcept;
};

/// One function's code. Not thread-safe; finish() once.
class X64MacroAssembler final : public jit::MacroAssembler {
 public:
  X64MacroAssembler(const jit::RuntimeInfo& info, BoundsStrategy bounds, CodeArena& arena,
                    X64CpuFeatures features);
  ~X64MacroAssembler() override;

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
  bool reset() override;

 private:
  // What prologue() and osr_prologue() share: the frame's count and checks.
  void enter_frame();
  // Records the first asmjit error; finish() then fails.
  class ErrorSink : public asmjit::ErrorHandler {
   public:
    void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter* origin) override;
    bool failed = false;
  };

  // Labels are the backend's own (asmjit's cost a few hundred host
  // instructions per label, jump and bind): an id indexes labels_, which
  // holds the label's offset once bound, and until then the chain of rel32
  // fields that wait for it (fixups_; jumps, calls and rip-relative leas
  // all end with one, relative to the field's end).
  struct LabelState {
    int32_t offset = -1;   // bound at, or -1
    int32_t waiting = -1;  // the newest fixup waiting for it, or -1
  };
  struct Fixup {
    uint32_t at;   // the rel32 field's offset
    int32_t next;  // the next fixup waiting for the same label, or -1
  };
  static constexpr uint32_t kNoLabel = UINT32_MAX;

  // The out-of-line path of a call_local whose callee is still in tier 0.
  struct PendingSlowCall {
    uint32_t jz_field;  // the rel32 of the jump to the stub
    uint32_t done;      // where the stub goes back to
    uint32_t vm_func_offset;
    uint32_t wasm_offset;  // of the call, for its trap site
  };
  // A trap branch's own stub, which calls the shared stub of its kind so
  // that the trap's return address names the site (module/site_table.h).
  struct PendingTrap {
    uint32_t label;
    int kind;  // a TrapKind
    uint32_t wasm_offset;
  };
  struct PendingTable {
    uint32_t at;  // the lea's rel32 field, which the table's start resolves
    std::vector<uint32_t> targets;  // labels
  };

  uint32_t make_label();
  void bind_label(uint32_t id);
  // The value of a rel32 field at code offset `at` (relative to its end)
  // naming label `id`: the distance if the label is bound, else 0 and a
  // fixup for bind_label.
  uint32_t rel32_at(uint32_t id, uint32_t at);
  // `n` opcode bytes (the first in the low byte of `opcode`) and a rel32 to
  // label `id`, in one insert.
  void branch_rel32(uint32_t opcode, uint32_t n, uint32_t id);
  // A jump to code offset `target`, already emitted: rel8 if it reaches.
  void jmp_back(int32_t target);
  // jmp, jcc and call to a label: the short form when the label is bound and
  // within a byte's reach, else rel32.
  void jmp_to(uint32_t id);
  void jcc_to(asmjit::x86::CondCode cc, uint32_t id);
  void call_to(uint32_t id);
  // A jit::Label's id, or kNoLabel (and the function fails) if it is unknown.
  uint32_t checked(jit::Label label);

  asmjit::x86::Gp value_reg(jit::Reg r);
  asmjit::x86::Mem slot_mem(uint32_t slot);
  int32_t slot_disp(uint32_t slot);
  // A field offset as a disp32 (fails the function if it does not fit).
  int32_t disp(uint32_t offset);
  uint32_t trap_label(TrapKind kind);
  uint32_t out_of_gas_label();
  void slot_move(uint8_t opcode, const asmjit::x86::Gp& reg, uint32_t slot);
  // Emits bytes encoded directly (encode_x64.h): straight into the code
  // buffer when it has room (as asmjit's own writer does), else through
  // asmjit, which grows it.
  // In line: every emitted instruction passes here.
  void put(const uint8_t* bytes, size_t size);
  void put(const enc::Insn& insn) {
    // Both words (two stores), then the cursor by the instruction's length.
    uint8_t* const at = a_._bufferPtr;
    if (a_._section == nullptr || a_.remainingSpace() < 16) [[unlikely]] {
      uint8_t bytes[16];
      std::memcpy(bytes, &insn.lo, 8);
      std::memcpy(bytes + 8, &insn.hi, 8);
      put(bytes, insn.size);
      return;
    }
    std::memcpy(at, &insn.lo, 8);
    std::memcpy(at + 8, &insn.hi, 8);
    advance(insn.size);
  }
  // Moves the cursor past `size` bytes just written, as asmjit's writer does.
  void advance(size_t size) {
    a_._bufferPtr += size;
    asmjit::CodeBuffer& buffer = a_._section->_buffer;
    const auto end = static_cast<size_t>(a_._bufferPtr - a_._bufferData);
    if (end > buffer._size) buffer._size = end;
  }
  // A wasm memory load or store in `form` at [mem base + rax + disp] (disp
  // from memory_operand), recorded as a site that may fault.
  void memory_access(const enc::MemForm& form, uint32_t reg, int32_t disp);
  // Calls a C helper; `exit` records the call as the frame's exit to C++
  // (ctx->jit_exit) and as a trap site.
  void call_helper(const void* fn, bool exit = true);
  // Records the memory access about to be emitted, which may fault on a guard page.
  void record_access_site() {
    if (bounds_ == BoundsStrategy::GuardPages)
      site_writer_.add(static_cast<uint32_t>(a_.offset()), wasm_offset_);
  }
  // Records a call just emitted (its return address is the current offset).
  void record_call_site() { site_writer_.add(static_cast<uint32_t>(a_.offset()) - 1, wasm_offset_); }
  // mov rax, imm64, always the 10-byte form so the code can be relocated to
  // any address: the placeholder (zero immediate, its offset returned) and
  // the same with its relocation recorded.
  uint32_t mov_rax_placeholder();
  void mov_rax_reloc(jit::RelocTarget kind, uint32_t target, uint64_t value);
  void call_dispatch(uint32_t callee_fp_slot);
  // The address of a wasm access of `width` bytes at u32(addr) + offset,
  // as [mem base + rax + the returned disp32]; emits the bounds check in
  // explicit mode. Clobbers rax (and rcx, rdx). Encoded by the backend, not
  // asmjit: it is the commonest memory form tier 1 emits.
  int32_t memory_operand(jit::Reg addr, uint32_t offset, uint32_t width);
  bool unary_count(Opcode op, asmjit::x86::Gp dst, asmjit::x86::Gp src);
  void popcount_fallback(asmjit::x86::Gp dst, asmjit::x86::Gp src, bool is64);
  bool divide(Opcode op, asmjit::x86::Gp dst, asmjit::x86::Gp lhs, asmjit::x86::Gp rhs);
  // Float operators (masm_x64.cc, "floating point"). False if `op` is not one.
  bool unary_float(Opcode op, asmjit::x86::Gp dst, asmjit::x86::Gp src);
  bool binary_float(Opcode op, asmjit::x86::Gp dst, asmjit::x86::Gp lhs, asmjit::x86::Gp rhs);
  void float_round(Opcode op, bool is64, asmjit::x86::Gp dst, asmjit::x86::Gp src);
  void float_round_fallback(int mode, bool is64, asmjit::x86::Gp dst, asmjit::x86::Gp src);
  void float_to_int(Opcode op, asmjit::x86::Gp dst, asmjit::x86::Gp src);
  void int_to_float(Opcode op, asmjit::x86::Gp dst, asmjit::x86::Gp src);
  void to_xmm(const asmjit::x86::Xmm& x, asmjit::x86::Gp src, bool is64);
  void from_xmm(asmjit::x86::Gp dst, const asmjit::x86::Xmm& x, bool is64);
  // x = the canonical NaN if x is a NaN (numeric.h's canonical). Clobbers rdx.
  void canonicalize(const asmjit::x86::Xmm& x, bool is64);
  // x = the float with these bits. Clobbers rdx.
  void float_const(const asmjit::x86::Xmm& x, uint64_t bits, bool is64);

  const jit::RuntimeInfo& info_;
  BoundsStrategy bounds_;
  CodeArena& arena_;
  X64CpuFeatures features_;
  ErrorSink errors_;
  asmjit::CodeHolder code_;
  asmjit::x86::Assembler a_;
  bool broken_ = false;  // asmjit could not be set up: never reusable
  bool failed_ = false;  // a bad operand (e.g. a slot beyond disp32 reach)
  bool finished_ = false;
  // The frame's size (set_frame_slots), and where each prologue's lea takes
  // it as a disp32 (offsets of the fields, filled by finish()).
  int64_t frame_slots_ = -1;
  std::vector<uint32_t> frame_fields_;
  std::vector<LabelState> labels_;
  std::vector<Fixup> fixups_;
  uint32_t trap_labels_[16];  // the shared stub of each kind, or kNoLabel
  std::vector<PendingTrap> traps_;
  std::vector<PendingTable> tables_;
  std::vector<PendingSlowCall> slow_calls_;
  uint32_t entry_ = kNoLabel;  // the function's first instruction (self calls)
  jit::RelocationRecorder relocs_;
  size_t code_size_ = 0;
  bool out_of_code_space_ = false;  // finish() found the arena full
};

/// Writes `value` into x86-64 code as `reloc` says (see jit::Backend::relocate).
bool apply_relocation(uint8_t* rw, const uint8_t* rx, size_t size, const jit::Relocation& reloc,
                      uint64_t value) noexcept;

/// X64CpuFeatures as bits, for module cache keys.
uint64_t feature_bits(const X64CpuFeatures& f) noexcept;

}  // namespace wvm::x64
