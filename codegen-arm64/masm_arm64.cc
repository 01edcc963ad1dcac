// AArch64 instruction selection for tier 1 (float operators are in
// masm_arm64_float.cc). Register conventions are in masm_arm64.h.
#include "codegen-arm64/masm_arm64.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <asmjit/arm/a64utils.h>

#include "tier1-jit/code_arena.h"

namespace wvm::a64 {

namespace a64 = asmjit::a64;
using asmjit::Imm;
using CondCode = asmjit::arm::CondCode;
using jit::Reg;

namespace {

// Pinned registers (see masm_arm64.h).
const a64::Gp kFp = a64::x19;
const a64::Gp kVm = a64::x20;
const a64::Gp kCtx = a64::x21;
const a64::Gp kMemBase = a64::x22;
const a64::Gp kGas = a64::x23;

const a64::Gp kValueRegs[] = {a64::x9,  a64::x10, a64::x11, a64::x12, a64::x13, a64::x14,
                              a64::x15, a64::x24, a64::x25, a64::x26, a64::x27, a64::x28};
constexpr int kNumValueRegs = sizeof(kValueRegs) / sizeof(kValueRegs[0]);

// Frame offsets beyond this are refused (a frame of 2^28 slots is far past
// any value-stack limit).
constexpr uint64_t kMaxOffset = uint64_t{1} << 31;

// The W or X view of a register.
a64::Gp sized(const a64::Gp& r, bool is64) noexcept {
  return is64 ? a64::Gp(r.x()) : a64::Gp(r.w());
}

bool fits_add_imm(uint64_t imm) noexcept {
  return imm < 4096 || ((imm & 0xfff) == 0 && imm < (uint64_t{1} << 24));
}

// The condition under which the integer comparison `op` is true.
bool int_compare_cc(Opcode op, CondCode* cc) {
  switch (op) {
    case Opcode::I32Eq:
    case Opcode::I64Eq: *cc = CondCode::kEQ; return true;
    case Opcode::I32Ne:
    case Opcode::I64Ne: *cc = CondCode::kNE; return true;
    case Opcode::I32LtS:
    case Opcode::I64LtS: *cc = CondCode::kLT; return true;
    case Opcode::I32LtU:
    case Opcode::I64LtU: *cc = CondCode::kLO; return true;
    case Opcode::I32GtS:
    case Opcode::I64GtS: *cc = CondCode::kGT; return true;
    case Opcode::I32GtU:
    case Opcode::I64GtU: *cc = CondCode::kHI; return true;
    case Opcode::I32LeS:
    case Opcode::I64LeS: *cc = CondCode::kLE; return true;
    case Opcode::I32LeU:
    case Opcode::I64LeU: *cc = CondCode::kLS; return true;
    case Opcode::I32GeS:
    case Opcode::I64GeS: *cc = CondCode::kGE; return true;
    case Opcode::I32GeU:
    case Opcode::I64GeU: *cc = CondCode::kHS; return true;
    default: return false;
  }
}

static_assert(static_cast<int>(TrapKind::HostError) < 16, "stub_labels_ holds one label per kind");

}  // namespace

void A64MacroAssembler::ErrorSink::handleError(asmjit::Error, const char*, asmjit::BaseEmitter*) {
  failed = true;
}

A64MacroAssembler::A64MacroAssembler(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                     CodeArena& arena)
    : info_(info), bounds_(bounds), arena_(arena) {
  // bl reaches +-128 MiB: anywhere in an arena no larger than that.
  near_calls_ = arena.capacity() <= (size_t{128} << 20);
  if (code_.init(asmjit::Environment(asmjit::Arch::kAArch64)) != asmjit::kErrorOk) {
    failed_ = true;
    return;
  }
  code_.setErrorHandler(&errors_);
  if (code_.attach(&a_) != asmjit::kErrorOk) failed_ = true;
}

A64MacroAssembler::~A64MacroAssembler() = default;

int A64MacroAssembler::num_value_regs() const noexcept { return kNumValueRegs; }

a64::Gp A64MacroAssembler::value_reg(Reg r) {
  if (r >= kNumValueRegs) {
    failed_ = true;
    return a64::x16;
  }
  return kValueRegs[r];
}

asmjit::Label A64MacroAssembler::label_of(jit::Label label) {
  if (label.id >= labels_.size()) {
    failed_ = true;
    return a_.newLabel();
  }
  return labels_[label.id];
}

a64::Mem A64MacroAssembler::field(const a64::Gp& base, uint64_t offset, uint32_t size,
                                  const a64::Gp& scratch) {
  if (offset % size == 0 && offset / size < 4096) return a64::ptr(base, static_cast<int32_t>(offset));
  if (offset < 256) return a64::ptr(base, static_cast<int32_t>(offset));  // ldur/stur
  if (offset >= kMaxOffset) {
    failed_ = true;
    return a64::ptr(base);
  }
  load_imm(scratch.x(), offset);
  return a64::ptr(base, scratch.x());
}

a64::Mem A64MacroAssembler::slot_mem(uint32_t slot, const a64::Gp& scratch) {
  return field(kFp, uint64_t{slot} * 8, 8, scratch);
}

void A64MacroAssembler::load_imm(const a64::Gp& dst, uint64_t value) {
  const bool is64 = dst.isGpX();
  if (!is64) value &= 0xffff'ffffu;
  // A logical immediate is one orr; otherwise movz/movn + movk, one
  // instruction per 16-bit chunk that differs from the background.
  if (value != 0 && value != (is64 ? ~uint64_t{0} : 0xffff'ffffu) &&
      a64::Utils::isLogicalImm(value, is64 ? 64 : 32)) {
    a_.orr(dst, is64 ? a64::Gp(a64::xzr) : a64::Gp(a64::wzr), Imm(value));
    return;
  }
  const int chunks = is64 ? 4 : 2;
  int zeros = 0, ones = 0;
  for (int i = 0; i < chunks; ++i) {
    const uint64_t c = (value >> (16 * i)) & 0xffff;
    zeros += c == 0;
    ones += c == 0xffff;
  }
  const bool inverted = ones > zeros;
  const uint64_t background = inverted ? 0xffff : 0;
  bool first = true;
  for (int i = 0; i < chunks; ++i) {
    const uint64_t c = (value >> (16 * i)) & 0xffff;
    if (c == background) continue;
    if (first) {
      if (inverted) {
        a_.movn(dst, Imm(~c & 0xffff), Imm(16 * i));
      } else {
        a_.movz(dst, Imm(c), Imm(16 * i));
      }
      first = false;
    } else {
      a_.movk(dst, Imm(c), Imm(16 * i));
    }
  }
  if (first) a_.emit(inverted ? a64::Inst::kIdMovn : a64::Inst::kIdMovz, dst, Imm(0), Imm(0));
}

void A64MacroAssembler::add_imm(const a64::Gp& dst, const a64::Gp& src, uint64_t imm,
                                const a64::Gp& scratch) {
  if (imm == 0) {
    if (dst.id() != src.id()) a_.mov(dst, src);
  } else if (fits_add_imm(imm)) {
    a_.add(dst, src, Imm(imm));
  } else if (imm < (uint64_t{1} << 24)) {
    a_.add(dst, src, Imm(imm & 0xfff000));
    a_.add(dst, dst, Imm(imm & 0xfff));
  } else {
    load_imm(scratch.x(), imm);
    a_.add(dst, src, scratch.x());
  }
}

void A64MacroAssembler::sub_imm(const a64::Gp& dst, const a64::Gp& src, uint64_t imm,
                                const a64::Gp& scratch) {
  if (imm == 0) {
    if (dst.id() != src.id()) a_.mov(dst, src);
  } else if (fits_add_imm(imm)) {
    a_.sub(dst, src, Imm(imm));
  } else if (imm < (uint64_t{1} << 24)) {
    a_.sub(dst, src, Imm(imm & 0xfff000));
    a_.sub(dst, dst, Imm(imm & 0xfff));
  } else {
    load_imm(scratch.x(), imm);
    a_.sub(dst, src, scratch.x());
  }
}

// Islands: a stub label first used more than kIslandAfter bytes ago is bound
// at the next unconditional transfer, well within b.cond's 1 MiB reach as
// long as one comes every few hundred KiB (every branch, return or trap is
// one).
constexpr size_t kIslandAfter = size_t{256} << 10;

asmjit::Label A64MacroAssembler::stub_label(int index) {
  // One stub per kind and instruction (a division has two kinds, checks of
  // one instruction share theirs).
  for (size_t i = traps_.size(); i-- > traps_emitted_ && traps_[i].wasm_offset == wasm_offset_;)
    if (traps_[i].index == index) return traps_[i].label;
  traps_.push_back(PendingTrap{a_.newLabel(), index, wasm_offset_, a_.offset()});
  return traps_.back().label;
}

void A64MacroAssembler::emit_site_stub(const PendingTrap& t) {
  a_.bind(t.label);
  asmjit::Label& shared = stub_labels_[t.index];
  if (!shared.isValid()) shared = a_.newLabel();
  a_.bl(shared);
  site_writer_.add(static_cast<uint32_t>(a_.offset()) - 1, t.wasm_offset);
}

asmjit::Label A64MacroAssembler::trap_label(TrapKind kind) {
  return stub_label(static_cast<int>(kind) & 15);
}

asmjit::Label A64MacroAssembler::out_of_gas_label() { return stub_label(kOutOfGasStub); }

void A64MacroAssembler::emit_stub(int index, const asmjit::Label& label) {
  a_.bind(label);
  // x30: the return address of the site stub's bl; x29: the body's frame.
  a_.str(a64::x30, field(kCtx, info_.ctx_jit_exit_pc, 8, a64::x16));
  a_.str(a64::x29, field(kCtx, info_.ctx_jit_exit, 8, a64::x16));
  if (index == kOutOfGasStub) {
    // Out of gas leaves gas_left at 0, as in tier 0 (the trap call stores it).
    a_.mov(kGas, a64::xzr);
  }
  const TrapKind kind = index == kOutOfGasStub ? TrapKind::OutOfGas : static_cast<TrapKind>(index);
  a_.mov(a64::x0, kCtx);
  load_imm(a64::w1, static_cast<uint32_t>(kind));
  call_helper(reinterpret_cast<const void*>(info_.trap), false);
  a_.brk(Imm(0));  // trap() does not return
}

void A64MacroAssembler::emit_islands() {
  // Site stubs are one bl each, and bl reaches the shared stubs (bound in
  // finish()) from anywhere in a function.
  const size_t here = a_.offset();
  while (traps_emitted_ < traps_.size() && here - traps_[traps_emitted_].first_use >= kIslandAfter)
    emit_site_stub(traps_[traps_emitted_++]);
}

void A64MacroAssembler::branch_cond(CondCode cc, const asmjit::Label& target) {
  if (!far_) {
    a_.b(cc, target);
    return;
  }
  const asmjit::Label skip = a_.newLabel();
  a_.b(asmjit::arm::negateCond(cc), skip);
  a_.b(target);
  a_.bind(skip);
}

void A64MacroAssembler::branch_zero(const a64::Gp& reg, bool nonzero, const asmjit::Label& target) {
  if (!far_) {
    if (nonzero) {
      a_.cbnz(reg, target);
    } else {
      a_.cbz(reg, target);
    }
    return;
  }
  const asmjit::Label skip = a_.newLabel();
  if (nonzero) {
    a_.cbz(reg, skip);
  } else {
    a_.cbnz(reg, skip);
  }
  a_.b(target);
  a_.bind(skip);
}

void A64MacroAssembler::load_reloc(const a64::Gp& dst, jit::RelocTarget kind, uint32_t target,
                                   uint64_t value, const void* runtime_fn) {
  const bool is64 = dst.isGpX();
  const auto offset = static_cast<uint32_t>(a_.offset());
  const jit::RelocForm form = is64 ? jit::RelocForm::Abs64 : jit::RelocForm::Imm32;
  if (runtime_fn != nullptr) {
    relocs_.add_runtime(offset, form, runtime_fn);
  } else {
    relocs_.add(offset, form, kind, target, value);
  }
  a_.movz(dst, Imm(0), Imm(0));  // the immediates are written by the relocation
  a_.movk(dst, Imm(0), Imm(16));
  if (is64) {
    a_.movk(dst, Imm(0), Imm(32));
    a_.movk(dst, Imm(0), Imm(48));
  }
}

void A64MacroAssembler::call_helper(const void* fn, bool exit) {
  // Gas lives in kGas while JIT code runs; C++ sees it in the context.
  const a64::Mem gas_left = field(kCtx, info_.ctx_gas_left, 8, a64::x17);
  a_.str(kGas, gas_left);
  // A trace starts from this frame if the helper traps: bl keeps the return
  // address in x30 only, so store it with the frame (tier1-jit/abi.h).
  const asmjit::Label back = a_.newLabel();
  if (exit) {
    a_.adr(a64::x17, back);
    a_.str(a64::x17, field(kCtx, info_.ctx_jit_exit_pc, 8, a64::x16));
    a_.str(a64::x29, field(kCtx, info_.ctx_jit_exit, 8, a64::x16));
  }
  load_reloc(a64::x16, jit::RelocTarget::Runtime, 0, reinterpret_cast<uint64_t>(fn), fn);
  a_.blr(a64::x16);
  if (exit) {
    a_.bind(back);
    record_call_site();
  }
  a_.ldr(kGas, field(kCtx, info_.ctx_gas_left, 8, a64::x17));
}

void A64MacroAssembler::reserve(size_t body_bytes) {
  // About 8 bytes of AArch64 per wasm byte, plus the stubs.
  constexpr size_t kMax = size_t{64} << 20;
  const size_t n = std::min(kMax, body_bytes * 8 + 512);
  // Past this size the code may outgrow a conditional branch's reach.
  far_ = body_bytes > (size_t{32} << 10);
  if (code_.reserveBuffer(&code_.textSection()->buffer(), n) != asmjit::kErrorOk) failed_ = true;
}

// ---- labels

jit::Label A64MacroAssembler::new_label() {
  labels_.push_back(a_.newLabel());
  return jit::Label{static_cast<uint32_t>(labels_.size() - 1)};
}

void A64MacroAssembler::bind(jit::Label label) {
  if (label.id >= labels_.size()) {
    failed_ = true;
    return;
  }
  a_.bind(labels_[label.id]);
}

// ---- frame

void A64MacroAssembler::prologue() {
  entry_ = a_.newLabel();
  a_.bind(entry_);
  enter_frame();
}

void A64MacroAssembler::osr_prologue() { enter_frame(); }

void A64MacroAssembler::set_frame_slots(uint32_t max_slots) { frame_slots_ = max_slots; }

void A64MacroAssembler::enter_frame() {
  a_.stp(a64::x29, a64::x30, a64::ptr_pre(a64::sp, -16));
  a_.mov(a64::x29, a64::sp);
  const asmjit::Label exhausted = trap_label(TrapKind::CallStackExhausted);
  // Logical call depth, counted in frames exactly as tier 0 counts them, and
  // room on the native stack for helpers and the signal handler: each frame
  // record takes 16 bytes of stack, so one compare with the entry's limit
  // checks both (tier1-jit/abi.h). No store: a counter in memory would
  // chain every call and return through memory.
  a_.ldr(a64::x17, field(kCtx, info_.ctx_jit_stack_limit, 8, a64::x17));
  a_.cmp(a64::sp, a64::x17);
  a_.b(CondCode::kLO, exhausted);
  // The value stack must hold this frame's locals and operands: the frame's
  // size in bytes is known at finish(), which fills the movz/movk pair.
  frame_fields_.push_back(static_cast<uint32_t>(a_.offset()));
  a_.movz(a64::x16, Imm(0), Imm(0));
  a_.movk(a64::x16, Imm(0), Imm(16));
  a_.add(a64::x16, kFp, a64::x16);
  a_.ldr(a64::x17, field(kCtx, info_.ctx_stack_end, 8, a64::x17));
  a_.cmp(a64::x16, a64::x17);
  a_.b(CondCode::kHI, exhausted);
}

void A64MacroAssembler::epilogue() {
  a_.ldp(a64::x29, a64::x30, a64::ptr_post(a64::sp, 16));
  a_.ret(a64::x30);
  emit_islands();
}

// ---- moves

void A64MacroAssembler::load_slot(Reg dst, uint32_t slot) {
  a_.ldr(value_reg(dst), slot_mem(slot, a64::x16));
}

void A64MacroAssembler::store_slot(uint32_t slot, Reg src) {
  a_.str(value_reg(src), slot_mem(slot, a64::x16));
}

void A64MacroAssembler::store_slot_imm(uint32_t slot, uint64_t value) {
  if (value == 0) {
    a_.str(a64::xzr, slot_mem(slot, a64::x16));
    return;
  }
  load_imm(a64::x17, value);
  a_.str(a64::x17, slot_mem(slot, a64::x16));
}

void A64MacroAssembler::copy_slot(uint32_t dst_slot, uint32_t src_slot) {
  if (dst_slot == src_slot) return;
  a_.ldr(a64::x17, slot_mem(src_slot, a64::x16));
  a_.str(a64::x17, slot_mem(dst_slot, a64::x16));
}

// Declared locals start zero, and a function may declare 50,000 of them, so
// zeroing must run at memory speed, not one 8-byte store per slot: 64 bytes
// (four `stp xzr, xzr`) per loop iteration and a straight tail. No DC ZVA:
// its block size varies by CPU and the OS may forbid it.
void A64MacroAssembler::zero_slots(uint32_t first, uint32_t count) {
  if (count == 0) return;
  if ((uint64_t{first} + count) * 8 >= kMaxOffset) {
    failed_ = true;
    return;
  }
  if (count <= 8) {
    for (uint32_t i = 0; i < count; ++i) a_.str(a64::xzr, slot_mem(first + i, a64::x16));
    return;
  }
  const asmjit::Label loop = a_.newLabel();
  add_imm(a64::x16, kFp, uint64_t{first} * 8, a64::x17);
  load_imm(a64::w17, count / 8);
  a_.bind(loop);
  for (int32_t off = 16; off < 64; off += 16)
    a_.stp(a64::xzr, a64::xzr, a64::ptr(a64::x16, off));
  a_.stp(a64::xzr, a64::xzr, a64::ptr_post(a64::x16, 64));
  a_.subs(a64::w17, a64::w17, Imm(1));
  a_.b(CondCode::kNE, loop);
  // The last count % 8 slots, from x16 (just past the blocks).
  const uint32_t rest = count % 8;
  int32_t off = 0;
  for (uint32_t i = 0; i + 2 <= rest; i += 2, off += 16)
    a_.stp(a64::xzr, a64::xzr, a64::ptr(a64::x16, off));
  if (rest % 2 != 0) a_.str(a64::xzr, a64::ptr(a64::x16, off));
}

void A64MacroAssembler::mov_imm(Reg dst, uint64_t value) {
  const a64::Gp d = value_reg(dst);
  load_imm(value <= std::numeric_limits<uint32_t>::max() ? a64::Gp(d.w()) : d, value);
}

void A64MacroAssembler::mov(Reg dst, Reg src) {
  if (dst == src) return;
  a_.mov(value_reg(dst), value_reg(src));
}

// ---- unary operators

bool A64MacroAssembler::unary(Opcode op, Reg dst_reg, Reg src_reg) {
  const a64::Gp dst = value_reg(dst_reg);
  const a64::Gp src = value_reg(src_reg);
  if (unary_float(op, dst, src)) return true;
  switch (op) {
    case Opcode::I32Eqz:
      a_.cmp(src.w(), Imm(0));
      a_.cset(dst.w(), Imm(CondCode::kEQ));
      return true;
    case Opcode::I64Eqz:
      a_.cmp(src, Imm(0));
      a_.cset(dst.w(), Imm(CondCode::kEQ));
      return true;
    case Opcode::I32Clz:
      a_.clz(dst.w(), src.w());
      return true;
    case Opcode::I64Clz:
      a_.clz(dst, src);
      return true;
    case Opcode::I32Ctz:
      a_.rbit(a64::w16, src.w());
      a_.clz(dst.w(), a64::w16);
      return true;
    case Opcode::I64Ctz:
      a_.rbit(a64::x16, src);
      a_.clz(dst, a64::x16);
      return true;
    case Opcode::I32Popcnt:
    case Opcode::I64Popcnt:
      // No scalar popcount in the base ISA: count bits per byte in v16 and
      // sum the bytes (the upper lanes of the fmov are zeroed).
      if (op == Opcode::I32Popcnt) {
        a_.fmov(a64::s16, src.w());
      } else {
        a_.fmov(a64::d16, src);
      }
      a_.cnt(a64::v16.b8(), a64::v16.b8());
      a_.addv(a64::b16, a64::v16.b8());
      a_.umov(dst.w(), a64::v16.b(0));
      return true;
    case Opcode::I32WrapI64:
    case Opcode::I64ExtendI32U:
    case Opcode::I32ReinterpretF32:
    case Opcode::F32ReinterpretI32:
      a_.mov(dst.w(), src.w());  // a W move zeroes the upper half, even in place
      return true;
    case Opcode::I64ExtendI32S:
    case Opcode::I64Extend32S:
      a_.sxtw(dst, src.w());
      return true;
    case Opcode::I64ReinterpretF64:
    case Opcode::F64ReinterpretI64:
      if (dst_reg != src_reg) a_.mov(dst, src);
      return true;
    case Opcode::I32Extend8S:
      a_.sxtb(dst.w(), src.w());
      return true;
    case Opcode::I32Extend16S:
      a_.sxth(dst.w(), src.w());
      return true;
    case Opcode::I64Extend8S:
      a_.sxtb(dst, src.w());
      return true;
    case Opcode::I64Extend16S:
      a_.sxth(dst, src.w());
      return true;
    default:
      return false;
  }
}

// ---- binary operators

bool A64MacroAssembler::binary(Opcode op, Reg dst_reg, Reg lhs_reg, Reg rhs_reg) {
  if (dst_reg == rhs_reg && dst_reg != lhs_reg) {
    // The interface rules this out (three-operand forms would not mind).
    failed_ = true;
    return false;
  }
  const a64::Gp dst = value_reg(dst_reg);
  const a64::Gp lhs = value_reg(lhs_reg);
  const a64::Gp rhs = value_reg(rhs_reg);
  if (binary_float(op, dst, lhs, rhs)) return true;
  const ValType in = op_info(op).in;
  if (in != ValType::I32 && in != ValType::I64) return false;
  const bool is64 = in == ValType::I64;
  return binary_int(op, sized(dst, is64), sized(lhs, is64), sized(rhs, is64));
}

bool A64MacroAssembler::binary_int(Opcode op, const a64::Gp& dst, const a64::Gp& lhs,
                                   const a64::Gp& rhs) {
  const bool is64 = lhs.isGpX();
  if (CondCode cc; int_compare_cc(op, &cc)) {
    a_.cmp(lhs, rhs);
    a_.cset(dst.w(), Imm(cc));
    return true;
  }
  // Register shifts and rotates use the count modulo the width: wasm's rule.
  switch (op) {
    case Opcode::I32Add:
    case Opcode::I64Add: a_.add(dst, lhs, rhs); return true;
    case Opcode::I32Sub:
    case Opcode::I64Sub: a_.sub(dst, lhs, rhs); return true;
    case Opcode::I32Mul:
    case Opcode::I64Mul: a_.mul(dst, lhs, rhs); return true;
    case Opcode::I32And:
    case Opcode::I64And: a_.and_(dst, lhs, rhs); return true;
    case Opcode::I32Or:
    case Opcode::I64Or: a_.orr(dst, lhs, rhs); return true;
    case Opcode::I32Xor:
    case Opcode::I64Xor: a_.eor(dst, lhs, rhs); return true;
    case Opcode::I32Shl:
    case Opcode::I64Shl: a_.lsl(dst, lhs, rhs); return true;
    case Opcode::I32ShrS:
    case Opcode::I64ShrS: a_.asr(dst, lhs, rhs); return true;
    case Opcode::I32ShrU:
    case Opcode::I64ShrU: a_.lsr(dst, lhs, rhs); return true;
    case Opcode::I32Rotr:
    case Opcode::I64Rotr: a_.ror(dst, lhs, rhs); return true;
    case Opcode::I32Rotl:
    case Opcode::I64Rotl: {
      // rotl by n is rotr by -n (mod width).
      const a64::Gp count = sized(a64::x16, is64);
      a_.neg(count, rhs);
      a_.ror(dst, lhs, count);
      return true;
    }
    case Opcode::I32DivS:
    case Opcode::I32DivU:
    case Opcode::I32RemS:
    case Opcode::I32RemU:
    case Opcode::I64DivS:
    case Opcode::I64DivU:
    case Opcode::I64RemS:
    case Opcode::I64RemU:
      return divide(op, dst, lhs, rhs);
    default:
      return false;
  }
}

// AArch64 division never faults (x / 0 = 0, INT_MIN / -1 = INT_MIN): wasm's
// traps are explicit checks. The remainder is lhs - (lhs / rhs) * rhs, which
// gives 0 for INT_MIN % -1 as wasm wants, so only div_s checks overflow.
bool A64MacroAssembler::divide(Opcode op, const a64::Gp& dst, const a64::Gp& lhs,
                               const a64::Gp& rhs) {
  const bool is64 = lhs.isGpX();
  const bool is_signed = op == Opcode::I32DivS || op == Opcode::I32RemS ||
                         op == Opcode::I64DivS || op == Opcode::I64RemS;
  const bool is_rem = op == Opcode::I32RemS || op == Opcode::I32RemU ||
                      op == Opcode::I64RemS || op == Opcode::I64RemU;
  a_.cbz(rhs, trap_label(TrapKind::IntegerDivideByZero));
  if (is_signed && !is_rem) {
    // rhs == -1 and lhs == INT_MIN: 0 - lhs overflows (V) only for INT_MIN.
    const asmjit::Label ok = a_.newLabel();
    a_.cmn(rhs, Imm(1));
    a_.b(CondCode::kNE, ok);
    a_.negs(sized(a64::xzr, is64), lhs);
    a_.b(CondCode::kVS, trap_label(TrapKind::IntegerOverflow));
    a_.bind(ok);
  }
  if (!is_rem) {
    if (is_signed) {
      a_.sdiv(dst, lhs, rhs);
    } else {
      a_.udiv(dst, lhs, rhs);
    }
    return true;
  }
  const a64::Gp q = sized(a64::x16, is64);
  if (is_signed) {
    a_.sdiv(q, lhs, rhs);
  } else {
    a_.udiv(q, lhs, rhs);
  }
  a_.msub(dst, q, rhs, lhs);  // lhs - q * rhs
  return true;
}

void A64MacroAssembler::compare_imm(const a64::Gp& lhs, int32_t imm, bool is64) {
  // cmn lhs, #-imm sets the same flags as cmp lhs, #imm for imm != 0.
  const int64_t v = imm;
  if (v >= 0 && fits_add_imm(static_cast<uint64_t>(v))) {
    a_.cmp(lhs, Imm(v));
  } else if (v < 0 && fits_add_imm(static_cast<uint64_t>(-v))) {
    a_.cmn(lhs, Imm(-v));
  } else {
    const a64::Gp t = sized(a64::x16, is64);
    load_imm(t, is64 ? static_cast<uint64_t>(v) : static_cast<uint32_t>(imm));
    a_.cmp(lhs, t);
  }
}

bool A64MacroAssembler::binary_imm(Opcode op, Reg dst_reg, Reg lhs_reg, int32_t imm) {
  const ValType in = op_info(op).in;
  if (in != ValType::I32 && in != ValType::I64) return false;
  const bool is64 = in == ValType::I64;
  const a64::Gp dst = sized(value_reg(dst_reg), is64);
  const a64::Gp lhs = sized(value_reg(lhs_reg), is64);
  // The constant as the operand's type holds it.
  const uint64_t value =
      is64 ? static_cast<uint64_t>(int64_t{imm}) : uint64_t{static_cast<uint32_t>(imm)};
  const uint32_t bits = is64 ? 64 : 32;
  const uint32_t count = static_cast<uint32_t>(imm) & (bits - 1);
  if (CondCode cc; int_compare_cc(op, &cc)) {
    compare_imm(lhs, imm, is64);
    a_.cset(dst.w(), Imm(cc));
    return true;
  }
  const int64_t v = imm;
  switch (op) {
    case Opcode::I32Add:
    case Opcode::I64Add:
    case Opcode::I32Sub:
    case Opcode::I64Sub: {
      // Modulo 2^width, adding v is subtracting -v.
      const bool add = (op == Opcode::I32Add || op == Opcode::I64Add) == (v >= 0);
      const uint64_t magnitude = static_cast<uint64_t>(v >= 0 ? v : -v);
      if (!fits_add_imm(magnitude)) break;
      if (add) {
        a_.add(dst, lhs, Imm(magnitude));
      } else {
        a_.sub(dst, lhs, Imm(magnitude));
      }
      return true;
    }
    case Opcode::I32And:
    case Opcode::I64And:
    case Opcode::I32Or:
    case Opcode::I64Or:
    case Opcode::I32Xor:
    case Opcode::I64Xor:
      if (!a64::Utils::isLogicalImm(value, bits)) break;
      if (op == Opcode::I32And || op == Opcode::I64And) {
        a_.and_(dst, lhs, Imm(value));
      } else if (op == Opcode::I32Or || op == Opcode::I64Or) {
        a_.orr(dst, lhs, Imm(value));
      } else {
        a_.eor(dst, lhs, Imm(value));
      }
      return true;
    case Opcode::I32Shl:
    case Opcode::I64Shl: a_.lsl(dst, lhs, Imm(count)); return true;
    case Opcode::I32ShrS:
    case Opcode::I64ShrS: a_.asr(dst, lhs, Imm(count)); return true;
    case Opcode::I32ShrU:
    case Opcode::I64ShrU: a_.lsr(dst, lhs, Imm(count)); return true;
    case Opcode::I32Rotr:
    case Opcode::I64Rotr: a_.ror(dst, lhs, Imm(count)); return true;
    case Opcode::I32Rotl:
    case Opcode::I64Rotl: a_.ror(dst, lhs, Imm((bits - count) & (bits - 1))); return true;
    default:
      break;
  }
  // No immediate form: the constant goes to x17 (binary_int's scratch is x16).
  const a64::Gp t = sized(a64::x17, is64);
  load_imm(t, value);
  return binary_int(op, dst, lhs, t);
}

// ---- linear memory

namespace {
// add xd, xn, wm, uxtw: asmjit does not take the extended-register form.
uint32_t add_uxtw(uint32_t rd, uint32_t rn, uint32_t rm) {
  return 0x8b200000u | rm << 16 | 2u << 13 | rn << 5 | rd;
}
}  // namespace

a64::Mem A64MacroAssembler::memory_operand(Reg addr_reg, uint32_t offset, uint32_t width) {
  // Only the low 32 bits of an i32 are defined: the address is zero-extended.
  const a64::Gp addr = value_reg(addr_reg);
  if (bounds_ == BoundsStrategy::GuardPages) {
    // mem + u32 + u32 + width < mem + 8 GiB + 64 KiB: inside the reservation,
    // whose inaccessible part faults, and the fault handler knows this code
    // (the access is the faulting pc; x23 holds the gas).
    if (offset == 0) return a64::ptr(kMemBase, addr.w(), asmjit::arm::uxtw(0));
    if ((offset % width == 0 && offset / width < 4096) || offset < 256) {
      const uint32_t word = add_uxtw(16, kMemBase.id(), addr.id());
      a_.embed(&word, sizeof(word));
      return a64::ptr(a64::x16, static_cast<int32_t>(offset));
    }
    a_.mov(a64::w16, addr.w());
    add_imm(a64::x16, a64::x16, offset, a64::x17);
    return a64::ptr(kMemBase, a64::x16);
  }
  // Explicit check: ea + width <= memory size, in 64 bits (no overflow).
  a_.mov(a64::w16, addr.w());
  add_imm(a64::x16, a64::x16, offset, a64::x17);
  a_.ldr(a64::x17, field(kVm, info_.vm_memory, 8, a64::x17));
  a_.ldr(a64::x17, field(a64::x17, info_.memory_size, 8, a64::x0));
  a_.add(a64::x0, a64::x16, Imm(width));
  a_.cmp(a64::x0, a64::x17);
  a_.b(CondCode::kHI, trap_label(TrapKind::MemoryOutOfBounds));
  return a64::ptr(kMemBase, a64::x16);
}

bool A64MacroAssembler::load(Opcode op, Reg dst_reg, Reg addr, uint32_t offset) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Load) return false;
  const a64::Gp dst = value_reg(dst_reg);
  const a64::Mem m = memory_operand(addr, offset, info.mem_bytes);
  record_access_site();
  switch (op) {
    case Opcode::I32Load:
    case Opcode::F32Load:
    case Opcode::I64Load32U: a_.ldr(dst.w(), m); return true;
    case Opcode::I64Load:
    case Opcode::F64Load: a_.ldr(dst, m); return true;
    case Opcode::I32Load8S: a_.ldrsb(dst.w(), m); return true;
    case Opcode::I32Load16S: a_.ldrsh(dst.w(), m); return true;
    case Opcode::I64Load8S: a_.ldrsb(dst, m); return true;
    case Opcode::I64Load16S: a_.ldrsh(dst, m); return true;
    case Opcode::I64Load32S: a_.ldrsw(dst, m); return true;
    case Opcode::I32Load8U:
    case Opcode::I64Load8U: a_.ldrb(dst.w(), m); return true;
    case Opcode::I32Load16U:
    case Opcode::I64Load16U: a_.ldrh(dst.w(), m); return true;
    default:
      failed_ = true;
      return false;
  }
}

bool A64MacroAssembler::store(Opcode op, Reg addr, Reg value_id, uint32_t offset) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Store) return false;
  const a64::Gp value = value_reg(value_id);
  const a64::Mem m = memory_operand(addr, offset, info.mem_bytes);
  record_access_site();
  switch (info.mem_bytes) {
    case 1: a_.strb(value.w(), m); return true;
    case 2: a_.strh(value.w(), m); return true;
    case 4: a_.str(value.w(), m); return true;
    case 8: a_.str(value, m); return true;
    default:
      failed_ = true;
      return false;
  }
}

void A64MacroAssembler::memory_size(Reg dst) {
  a_.ldr(a64::x16, field(kVm, info_.vm_memory, 8, a64::x16));
  a_.ldr(a64::x16, field(a64::x16, info_.memory_size, 8, a64::x17));
  a_.lsr(a64::x16, a64::x16, Imm(16));
  a_.mov(value_reg(dst).w(), a64::w16);
}

void A64MacroAssembler::memory_grow(Reg dst, Reg delta) {
  a_.mov(a64::w1, value_reg(delta).w());
  a_.mov(a64::x0, kVm);
  call_helper(reinterpret_cast<const void*>(info_.memory_grow));
  a_.mov(value_reg(dst).w(), a64::w0);
}

// ---- runtime helpers

void A64MacroAssembler::call_runtime(const void* fn, const std::vector<Reg>& args, int result) {
  // fn(ctx, vm, a0..a3): a0..a3 go to x2..x5, which no value register is.
  if (args.size() > 4) {
    failed_ = true;
    return;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    a_.mov(a64::GpX(static_cast<uint32_t>(2 + i)), value_reg(args[i]));
  }
  a_.mov(a64::x0, kCtx);
  a_.mov(a64::x1, kVm);
  call_helper(fn);
  if (result >= 0) a_.mov(value_reg(static_cast<Reg>(result)), a64::x0);
}

// ---- globals

void A64MacroAssembler::global_get(Reg dst, uint32_t vm_offset) {
  a_.ldr(a64::x16, field(kVm, vm_offset, 8, a64::x16));
  a_.ldr(value_reg(dst), field(a64::x16, info_.global_bits, 8, a64::x17));
}

void A64MacroAssembler::global_set(uint32_t vm_offset, Reg src) {
  a_.ldr(a64::x16, field(kVm, vm_offset, 8, a64::x16));
  a_.str(value_reg(src), field(a64::x16, info_.global_bits, 8, a64::x17));
}

// ---- control

void A64MacroAssembler::jump(jit::Label target) {
  a_.b(label_of(target));
  emit_islands();
}

void A64MacroAssembler::branch_if_zero(Reg cond, jit::Label target) {
  branch_zero(value_reg(cond).w(), false, label_of(target));
}

void A64MacroAssembler::branch_if_nonzero(Reg cond, jit::Label target) {
  branch_zero(value_reg(cond).w(), true, label_of(target));
}

bool A64MacroAssembler::compare_branch(Opcode op, Reg lhs_reg, Reg rhs_reg, bool when,
                                       jit::Label target) {
  CondCode cc;
  if (!int_compare_cc(op, &cc) || target.id >= labels_.size()) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  a_.cmp(sized(value_reg(lhs_reg), is64), sized(value_reg(rhs_reg), is64));
  branch_cond(when ? cc : asmjit::arm::negateCond(cc), labels_[target.id]);
  return true;
}

bool A64MacroAssembler::compare_imm_branch(Opcode op, Reg lhs_reg, int32_t imm, bool when,
                                           jit::Label target) {
  CondCode cc;
  if (!int_compare_cc(op, &cc) || target.id >= labels_.size()) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  const a64::Gp lhs = sized(value_reg(lhs_reg), is64);
  if (imm == 0 && (cc == CondCode::kEQ || cc == CondCode::kNE)) {
    branch_zero(lhs, (cc == CondCode::kEQ) != when, labels_[target.id]);
    return true;
  }
  compare_imm(lhs, imm, is64);
  branch_cond(when ? cc : asmjit::arm::negateCond(cc), labels_[target.id]);
  return true;
}

void A64MacroAssembler::jump_table(Reg index, const std::vector<jit::Label>& targets) {
  if (targets.empty() || targets.size() - 1 > std::numeric_limits<int32_t>::max()) {
    failed_ = true;
    return;
  }
  std::vector<asmjit::Label> labels;
  labels.reserve(targets.size());
  for (const jit::Label& t : targets) labels.push_back(label_of(t));
  if (labels.size() == 1) {
    a_.b(labels[0]);
    emit_islands();
    return;
  }
  // index = min(u32 index, n - 1); then a jump through a table of 32-bit
  // offsets from the table's start, placed right after the branch.
  const auto last = static_cast<uint32_t>(labels.size() - 1);
  const asmjit::Label table = a_.newLabel();
  const a64::Gp i = value_reg(index).w();
  load_imm(a64::w17, last);
  a_.cmp(i, a64::w17);
  a_.csel(a64::w16, i, a64::w17, Imm(CondCode::kLS));
  a_.adr(a64::x17, table);
  a_.ldrsw(a64::x16, a64::ptr(a64::x17, a64::x16, asmjit::arm::lsl(2)));
  a_.add(a64::x17, a64::x17, a64::x16);
  a_.br(a64::x17);
  a_.bind(table);
  for (const asmjit::Label& target : labels) a_.embedLabelDelta(target, table, 4);
  emit_islands();
}

void A64MacroAssembler::select(Reg dst, Reg if_false, Reg cond) {
  const a64::Gp c = value_reg(cond).w();
  a_.tst(c, c);
  a_.csel(value_reg(dst), value_reg(dst), value_reg(if_false), Imm(CondCode::kNE));
}

// A select on a pending comparison: the comparison's flags pick the value
// (csel of the whole 64-bit registers; the compare has the comparison's width).
bool A64MacroAssembler::compare_select(Opcode op, Reg lhs_reg, Reg rhs_reg, Reg dst, Reg if_false) {
  CondCode cc;
  if (!int_compare_cc(op, &cc)) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  a_.cmp(sized(value_reg(lhs_reg), is64), sized(value_reg(rhs_reg), is64));
  a_.csel(value_reg(dst), value_reg(dst), value_reg(if_false), Imm(cc));
  return true;
}

bool A64MacroAssembler::compare_imm_select(Opcode op, Reg lhs_reg, int32_t imm, Reg dst,
                                           Reg if_false) {
  CondCode cc;
  if (!int_compare_cc(op, &cc)) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  compare_imm(sized(value_reg(lhs_reg), is64), imm, is64);
  a_.csel(value_reg(dst), value_reg(dst), value_reg(if_false), Imm(cc));
  return true;
}

// ---- gas

void A64MacroAssembler::charge_gas(uint64_t cost) {
  if (cost == 0) return;
  if (fits_add_imm(cost)) {
    a_.subs(kGas, kGas, Imm(cost));
  } else {
    load_imm(a64::x16, cost);
    a_.subs(kGas, kGas, a64::x16);
  }
  // Unsigned borrow (carry clear): gas_left < cost.
  a_.b(CondCode::kLO, out_of_gas_label());
}

void A64MacroAssembler::charge_gas_per_unit(Reg units, uint64_t rate) {
  if (rate == 0) return;
  if (rate > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    failed_ = true;
    return;
  }
  a_.mov(a64::w16, value_reg(units).w());  // zero-extends the u32 count
  // u32 * rate < 2^63: no overflow, so no saturation to mirror.
  if (rate != 1) {
    load_imm(a64::x17, rate);
    a_.mul(a64::x16, a64::x16, a64::x17);
  }
  a_.subs(kGas, kGas, a64::x16);
  // Unsigned borrow (carry clear): gas_left < cost.
  a_.b(CondCode::kLO, out_of_gas_label());
}

// ---- calls

// Calls the Func* in x0 with its frame at our slot `callee_fp_slot`.
void A64MacroAssembler::call_dispatch(uint32_t callee_fp_slot) {
  const uint64_t frame = uint64_t{callee_fp_slot} * 8;
  const asmjit::Label slow = a_.newLabel();
  const asmjit::Label done = a_.newLabel();
  // Fast path: compiled code of a function of this same instance (so the
  // pinned vm and memory base stay right) is called directly.
  a_.ldr(a64::x1, field(a64::x0, info_.func_code, 8, a64::x1));
  a_.cbz(a64::x1, slow);
  // The entry is published with a release store: load it with acquire.
  add_imm(a64::x1, a64::x1, info_.code_jit_entry, a64::x2);
  a_.ldar(a64::x1, a64::ptr(a64::x1));
  a_.cbz(a64::x1, slow);
  a_.ldr(a64::x2, field(kVm, info_.vm_instance, 8, a64::x2));
  a_.ldr(a64::x3, field(a64::x0, info_.func_instance, 8, a64::x3));
  a_.cmp(a64::x2, a64::x3);
  a_.b(CondCode::kNE, slow);
  add_imm(kFp, kFp, frame, a64::x16);
  a_.blr(a64::x1);
  record_call_site();
  sub_imm(kFp, kFp, frame, a64::x16);
  a_.b(done);
  // Slow path: host functions, tier-0 code, other instances.
  a_.bind(slow);
  a_.mov(a64::x1, a64::x0);
  a_.mov(a64::x0, kCtx);
  add_imm(a64::x2, kFp, frame, a64::x16);
  a_.mov(a64::x3, kVm);
  call_helper(reinterpret_cast<const void*>(info_.call_slow));
  a_.bind(done);
}

void A64MacroAssembler::call_func(uint32_t vm_func_offset, uint32_t callee_fp_slot) {
  a_.ldr(a64::x0, field(kVm, vm_func_offset, 8, a64::x0));
  call_dispatch(callee_fp_slot);
}

void A64MacroAssembler::call_local(uint32_t callee, const std::atomic<const void*>* entry_slot,
                                   const void* known, bool self, uint32_t vm_func_offset,
                                   uint32_t callee_fp_slot) {
  const uint64_t frame = uint64_t{callee_fp_slot} * 8;
  add_imm(kFp, kFp, frame, a64::x16);
  if (self && entry_.isValid()) {
    a_.bl(entry_);
    record_call_site();
  } else if (known != nullptr) {
    if (near_calls_) {
      relocs_.add(static_cast<uint32_t>(a_.offset()), jit::RelocForm::CallRel,
                  jit::RelocTarget::FuncEntry, callee, reinterpret_cast<uint64_t>(known));
      a_.embedUInt32(0x94000000u);  // bl: one arena, so in reach; relocated
    } else {
      load_reloc(a64::x16, jit::RelocTarget::FuncEntry, callee, reinterpret_cast<uint64_t>(known));
      a_.blr(a64::x16);
    }
    record_call_site();
  } else {
    // The entry is published with a release store: load it with acquire.
    PendingSlowCall p{a_.newLabel(), a_.newLabel(), vm_func_offset, wasm_offset_};
    load_reloc(a64::x16, jit::RelocTarget::EntrySlot, callee,
               reinterpret_cast<uint64_t>(entry_slot));
    a_.ldar(a64::x16, a64::ptr(a64::x16));
    branch_zero(a64::x16, false, p.slow);
    a_.blr(a64::x16);
    record_call_site();
    a_.bind(p.done);
    slow_calls_.push_back(p);
  }
  sub_imm(kFp, kFp, frame, a64::x16);
}

void A64MacroAssembler::call_indirect(Reg index, uint32_t vm_table_offset, uint32_t type_index,
                                      uint32_t type_id, uint32_t callee_fp_slot) {
  a_.mov(a64::w2, value_reg(index).w());
  a_.mov(a64::x0, kCtx);
  a_.ldr(a64::x1, field(kVm, vm_table_offset, 8, a64::x1));
  load_reloc(a64::w3, jit::RelocTarget::TypeId, type_index, type_id);
  call_helper(reinterpret_cast<const void*>(info_.resolve_indirect));
  call_dispatch(callee_fp_slot);  // the Func* is in x0
}

// ---- traps

void A64MacroAssembler::trap(TrapKind kind) {
  a_.b(trap_label(kind));
  emit_islands();
}

const void* A64MacroAssembler::finish() {
  if (finished_) return nullptr;
  finished_ = true;

  // Calls whose callee was in tier 0: through the runtime, kFp already at
  // the callee's frame.
  for (const PendingSlowCall& p : slow_calls_) {
    wasm_offset_ = p.wasm_offset;
    a_.bind(p.slow);
    a_.ldr(a64::x1, field(kVm, p.vm_func_offset, 8, a64::x1));
    a_.mov(a64::x0, kCtx);
    a_.mov(a64::x2, kFp);
    a_.mov(a64::x3, kVm);
    call_helper(reinterpret_cast<const void*>(info_.call_slow));
    a_.b(p.done);
  }
  // Out-of-line trap stubs. Every branch to them comes from the body, where
  // sp is 16-byte aligned, as the helper call needs.
  while (traps_emitted_ < traps_.size()) emit_site_stub(traps_[traps_emitted_++]);
  for (int i = 0; i <= kOutOfGasStub; ++i) {
    if (stub_labels_[i].isValid()) emit_stub(i, stub_labels_[i]);
  }

  // The prologues' frame size: imm16 of the movz (bits 0-15) and the movk
  // (bits 16-31), in bits 5-20 of each instruction.
  const uint64_t frame_bytes = static_cast<uint64_t>(frame_slots_) * 8;
  if (frame_slots_ < 0 || frame_bytes > UINT32_MAX) failed_ = true;
  for (const uint32_t at : frame_fields_) {
    uint8_t* const p = code_.textSection()->buffer().data() + at;
    for (int half = 0; half < 2 && !failed_; ++half) {
      uint32_t insn = 0;
      std::memcpy(&insn, p + 4 * half, 4);
      insn |= static_cast<uint32_t>((frame_bytes >> (16 * half)) & 0xffff) << 5;
      std::memcpy(p + 4 * half, &insn, 4);
    }
  }

  if (failed_ || errors_.failed) return nullptr;
  if (code_.flatten() != asmjit::kErrorOk) return nullptr;
  if (code_.hasUnresolvedLinks() && code_.resolveUnresolvedLinks() != asmjit::kErrorOk) {
    return nullptr;
  }
  const size_t reserved = code_.codeSize();
  uint8_t* writable = nullptr;
  uint8_t* entry = arena_.allocate(reserved, &writable, batch_);
  if (entry == nullptr) {
    out_of_code_space_ = true;
    return nullptr;
  }
  size_t size = 0;
  // A block that cannot be finished goes back to the arena.
  const bool placed = [&] {
    if (code_.relocateToBase(reinterpret_cast<uint64_t>(entry)) != asmjit::kErrorOk) return false;
    size = code_.codeSize();
    if (size > reserved || errors_.failed) return false;
    if (code_.copyFlattenedData(writable, reserved, asmjit::CopySectionFlags::kPadTargetBuffer) !=
        asmjit::kErrorOk) {
      return false;
    }
    // Emitted as zeros; the same records relocate the code when it is loaded
    // from a serialized module.
    const bool relocated = relocs_.apply_all([&](const jit::Relocation& r, uint64_t value) {
      return apply_relocation(writable, entry, size, r, value);
    });
    if (!relocated) return false;
    CodeArena::flush(entry, size);
    return true;
  }();
  if (!placed) {
    arena_.release(entry);
    return nullptr;
  }
  code_size_ = size;
  return entry;
}

uint32_t A64MacroAssembler::label_offset(jit::Label label) const {
  // The code was placed at the entry, the text section's start.
  return static_cast<uint32_t>(code_.labelOffsetFromBase(labels_[label.id]));
}

std::unique_ptr<jit::JitCodeInfo> A64MacroAssembler::take_code_info() {
  if (code_size_ == 0) return nullptr;
  return relocs_.take(code_size_);
}

}  // namespace wvm::a64
