// x86-64 instruction selection for tier 1. Register conventions are in
// masm_x64.h.
#include "codegen-x64/masm_x64.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "codegen-x64/backend_x64.h"
#include "codegen-x64/encode_x64.h"
#include "module/numeric.h"

namespace wvm::x64 {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using jit::Reg;

namespace {

// Pinned registers (see masm_x64.h).
constexpr x86::Gp kFp = x86::rbx;
const x86::Gp kVm = x86::r12;
const x86::Gp kCtx = x86::r13;
const x86::Gp kMemBase = x86::r14;
const x86::Gp kGas = x86::r15;

const x86::Gp kValueRegs[] = {x86::rsi, x86::rdi, x86::r8,  x86::r9,
                              x86::r10, x86::r11, x86::rbp};
constexpr int kNumValueRegs = sizeof(kValueRegs) / sizeof(kValueRegs[0]);

// Largest slot whose byte offset 8 * slot (plus a qword) fits a disp32.
constexpr uint32_t kMaxSlot = (std::numeric_limits<int32_t>::max() - 8) / 8;

// The 64-bit register or its 32-bit half.
x86::Gp sized(const x86::Gp& r, bool is64) noexcept {
  return is64 ? x86::Gp(r.r64()) : x86::Gp(r.r32());
}

bool fits_int32(int64_t v) noexcept {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

static_assert(static_cast<int>(TrapKind::HostError) < 16, "trap_labels_ holds one label per kind");

}  // namespace

X64CpuFeatures X64CpuFeatures::host() noexcept {
  const auto& f = asmjit::CpuInfo::host().features().x86();
  X64CpuFeatures out;
  out.lzcnt = f.hasLZCNT();
  out.bmi1 = f.hasBMI();
  out.popcnt = f.hasPOPCNT();
  out.sse41 = f.hasSSE4_1();
  return out;
}

void X64MacroAssembler::ErrorSink::handleError(asmjit::Error, const char*, asmjit::BaseEmitter*) {
  failed = true;
}

X64MacroAssembler::X64MacroAssembler(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                     CodeArena& arena, X64CpuFeatures features)
    : info_(info), bounds_(bounds), arena_(arena), features_(features) {
  if (code_.init(asmjit::Environment::host()) != asmjit::kErrorOk) {
    failed_ = broken_ = true;
    return;
  }
  code_.setErrorHandler(&errors_);
  if (code_.attach(&a_) != asmjit::kErrorOk) failed_ = broken_ = true;
  std::fill(std::begin(trap_labels_), std::end(trap_labels_), kNoLabel);
}

X64MacroAssembler::~X64MacroAssembler() = default;

// Every member back to what the constructor left, the vectors and the code
// buffer keeping their storage. asmjit holds nothing of a function but the
// bytes (labels and relocations are ours), so rewinding its one section is
// a new start.
bool X64MacroAssembler::reset() {
  // A very large function's buffer goes back to the system.
  constexpr size_t kMaxKept = size_t{4} << 20;
  if (broken_ || code_.sectionCount() != 1 || code_.labelCount() != 0 ||
      !code_.relocEntries().empty() || code_.textSection()->buffer().capacity() > kMaxKept)
    return false;
  code_.textSection()->buffer()._size = 0;
  if (a_.setOffset(0) != asmjit::kErrorOk) return false;
  errors_.failed = false;
  failed_ = false;
  finished_ = false;
  frame_slots_ = -1;
  frame_fields_.clear();
  labels_.clear();
  fixups_.clear();
  std::fill(std::begin(trap_labels_), std::end(trap_labels_), kNoLabel);
  traps_.clear();
  tables_.clear();
  slow_calls_.clear();
  entry_ = kNoLabel;
  relocs_.clear();
  code_size_ = 0;
  out_of_code_space_ = false;
  reset_sites();
  return true;
}

int X64MacroAssembler::num_value_regs() const noexcept { return kNumValueRegs; }

x86::Gp X64MacroAssembler::value_reg(Reg r) {
  if (r >= kNumValueRegs) {
    failed_ = true;
    return x86::rax;
  }
  return kValueRegs[r];
}

int32_t X64MacroAssembler::slot_disp(uint32_t slot) {
  if (slot > kMaxSlot) {
    failed_ = true;
    return 0;
  }
  return static_cast<int32_t>(slot * 8);
}

int32_t X64MacroAssembler::disp(uint32_t offset) {
  if (offset > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
    failed_ = true;
    return 0;
  }
  return static_cast<int32_t>(offset);
}

x86::Mem X64MacroAssembler::slot_mem(uint32_t slot) {
  return x86::qword_ptr(kFp, slot_disp(slot));
}

uint32_t X64MacroAssembler::trap_label(TrapKind kind) {
  // One stub per kind and instruction (a division has two kinds, checks of
  // one instruction share theirs).
  const int k = static_cast<int>(kind);
  for (size_t i = traps_.size(); i-- > 0 && traps_[i].wasm_offset == wasm_offset_;)
    if (traps_[i].kind == k) return traps_[i].label;
  traps_.push_back(PendingTrap{make_label(), k, wasm_offset_});
  return traps_.back().label;
}

uint32_t X64MacroAssembler::out_of_gas_label() { return trap_label(TrapKind::OutOfGas); }

uint32_t X64MacroAssembler::mov_rax_placeholder() {
  // REX.W B8: mov rax, imm64; the immediate is written by a relocation.
  const uint32_t at = static_cast<uint32_t>(a_.offset()) + 2;
  put(enc::movabs(x86::Gp::kIdAx, 0));
  return at;
}

void X64MacroAssembler::mov_rax_reloc(jit::RelocTarget kind, uint32_t target, uint64_t value) {
  relocs_.add(mov_rax_placeholder(), jit::RelocForm::Abs64, kind, target, value);
}

void X64MacroAssembler::call_helper(const void* fn, bool exit) {
  // Helpers live anywhere in the address space: an absolute call through
  // rax, whose immediate is a relocation (RelocTarget::Runtime).
  // Gas lives in kGas while JIT code runs; C++ sees it in the context.
  const int32_t gas_left = disp(info_.ctx_gas_left);
  put(enc::store64(kCtx.id(), gas_left, kGas.id()));
  // A trace starts from this frame if the helper traps: its return address
  // is then just below rsp (tier1-jit/abi.h).
  if (exit) put(enc::store64(kCtx.id(), disp(info_.ctx_jit_exit), x86::Gp::kIdSp));
  relocs_.add_runtime(mov_rax_placeholder(), jit::RelocForm::Abs64, fn);
  put(enc::call_reg(x86::Gp::kIdAx));
  if (exit) record_call_site();
  put(enc::load64(kGas.id(), kCtx.id(), gas_left));
}

void X64MacroAssembler::reserve(size_t body_bytes) {
  // About 4 bytes of x86-64 per wasm byte on the contracts, plus the stubs.
  constexpr size_t kMax = size_t{64} << 20;
  const size_t n = std::min(kMax, body_bytes * 5 + 512);
  if (code_.reserveBuffer(&code_.textSection()->buffer(), n) != asmjit::kErrorOk) failed_ = true;
  // Room for what a function of this size usually has, so that the vectors
  // rarely grow (on the contracts: a label per 40 wasm bytes, a jump per 20).
  labels_.reserve(body_bytes / 32 + 8);
  fixups_.reserve(body_bytes / 16 + 8);
  sites_.reserve(body_bytes / 2 + 16);
}

// ---- labels

uint32_t X64MacroAssembler::make_label() {
  labels_.emplace_back();
  return static_cast<uint32_t>(labels_.size() - 1);
}

void X64MacroAssembler::bind_label(uint32_t id) {
  LabelState& l = labels_[id];
  if (l.offset >= 0) {
    failed_ = true;  // bound twice
    return;
  }
  l.offset = static_cast<int32_t>(a_.offset());
  uint8_t* code = code_.textSection()->buffer().data();
  for (int32_t f = l.waiting; f >= 0; f = fixups_[f].next) {
    const uint32_t at = fixups_[f].at;
    const uint32_t rel = static_cast<uint32_t>(l.offset - static_cast<int32_t>(at + 4));
    std::memcpy(code + at, &rel, 4);
  }
  l.waiting = -1;
}

// The rel32 field at code offset `at` for a jump to label `id`: its value
// if the label is bound, else 0 and a fixup that bind_label fills in.
uint32_t X64MacroAssembler::rel32_at(uint32_t id, uint32_t at) {
  LabelState& l = labels_[id];
  if (l.offset >= 0) return static_cast<uint32_t>(l.offset - static_cast<int32_t>(at + 4));
  fixups_.push_back(Fixup{at, l.waiting});
  l.waiting = static_cast<int32_t>(fixups_.size() - 1);
  return 0;
}

// A jump, call or jcc to label `id`: `n` opcode bytes (the first in the low
// byte of `opcode`) then a rel32, in one insert.
void X64MacroAssembler::branch_rel32(uint32_t opcode, uint32_t n, uint32_t id) {
  const uint32_t at = static_cast<uint32_t>(a_.offset()) + n;
  const uint64_t word = opcode | uint64_t{rel32_at(id, at)} << (8 * n);
  if (a_._section == nullptr || a_.remainingSpace() < 8) [[unlikely]] {
    uint8_t bytes[8];
    std::memcpy(bytes, &word, 8);
    put(bytes, n + 4);
    return;
  }
  std::memcpy(a_._bufferPtr, &word, 8);
  advance(n + 4);
}

namespace {
// A bound label's distance from the end of a 2-byte short jump at `here`,
// if it fits a rel8.
bool short_reach(int32_t target, size_t here, int8_t* rel) {
  if (target < 0) return false;
  const int64_t d = static_cast<int64_t>(target) - static_cast<int64_t>(here + 2);
  if (d < -128 || d > 127) return false;
  *rel = static_cast<int8_t>(d);
  return true;
}
}  // namespace

void X64MacroAssembler::jmp_to(uint32_t id) {
  if (labels_[id].offset >= 0) return jmp_back(labels_[id].offset);
  branch_rel32(0xE9, 1, id);
}

// A jump to code offset `target`, already emitted: rel8 if it reaches.
void X64MacroAssembler::jmp_back(int32_t target) {
  enc::Insn i;
  if (int8_t rel; short_reach(target, a_.offset(), &rel)) {
    i.put(0xEB);
    i.put(static_cast<uint8_t>(rel));
  } else {
    i.put(0xE9);
    i.put32(static_cast<uint32_t>(target - static_cast<int32_t>(a_.offset() + 5)));
  }
  put(i);
}

void X64MacroAssembler::jcc_to(x86::CondCode cc, uint32_t id) {
  const auto nibble = static_cast<uint8_t>(cc);
  if (int8_t rel; short_reach(labels_[id].offset, a_.offset(), &rel)) {
    enc::Insn i;
    i.put(static_cast<uint8_t>(0x70 | nibble));
    i.put(static_cast<uint8_t>(rel));
    put(i);
    return;
  }
  branch_rel32(0x0F | (0x80u | nibble) << 8, 2, id);
}

void X64MacroAssembler::call_to(uint32_t id) { branch_rel32(0xE8, 1, id); }

uint32_t X64MacroAssembler::checked(jit::Label label) {
  if (label.id < labels_.size()) return label.id;
  failed_ = true;
  return kNoLabel;
}

jit::Label X64MacroAssembler::new_label() { return jit::Label{make_label()}; }

void X64MacroAssembler::bind(jit::Label label) {
  if (const uint32_t id = checked(label); id != kNoLabel) bind_label(id);
}

// ---- frame

void X64MacroAssembler::prologue() {
  entry_ = make_label();
  bind_label(entry_);
  enter_frame();
}

void X64MacroAssembler::osr_prologue() { enter_frame(); }

void X64MacroAssembler::set_frame_slots(uint32_t max_slots) { frame_slots_ = max_slots; }

void X64MacroAssembler::enter_frame() {
  // Realign first so the stack stub (a call) runs with rsp = 0 (mod 16).
  constexpr uint32_t rax = x86::Gp::kIdAx, rsp = x86::Gp::kIdSp;
  put(enc::alu_imm(enc::Alu::Sub, rsp, 8, true));
  const uint32_t exhausted = trap_label(TrapKind::CallStackExhausted);
  // Logical call depth, counted in frames exactly as tier 0 counts them, and
  // room on the native stack for helpers and the signal handler: each frame
  // takes 16 bytes of stack, so one compare with the entry's limit checks
  // both (tier1-jit/abi.h). No store: a counter in memory would chain every
  // call and return through store forwarding.
  put(enc::cmp_reg_mem64(rsp, kCtx.id(), disp(info_.ctx_jit_stack_limit)));
  jcc_to(x86::CondCode::kB, exhausted);
  // The value stack must hold this frame's locals and operands: the frame's
  // size is known at finish(), which fills the disp32.
  put(enc::lea64_disp32(rax, kFp.id(), 0));
  frame_fields_.push_back(static_cast<uint32_t>(a_.offset()) - 4);
  put(enc::cmp_reg_mem64(rax, kCtx.id(), disp(info_.ctx_stack_end)));
  jcc_to(x86::CondCode::kA, exhausted);
}

void X64MacroAssembler::epilogue() {
  enc::Insn i = enc::alu_imm(enc::Alu::Add, x86::Gp::kIdSp, 8, true);
  i.put(0xC3);  // ret
  put(i);
}

// ---- moves

// `mov reg, [kFp + disp]` (0x8B) or `mov [kFp + disp], reg` (0x89), encoded
// here: they are the commonest instructions tier 1 emits, and asmjit's
// generic encoder spends about 200 host instructions on each.
void X64MacroAssembler::slot_move(uint8_t opcode, const x86::Gp& reg, uint32_t slot) {
  static_assert(kFp.id() == x86::Gp::kIdBx, "rbx as the base needs no SIB byte");
  const int32_t d = slot_disp(slot);
  const uint32_t id = reg.id();
  enc::Insn i;
  i.put(static_cast<uint8_t>(0x48 | (id >= 8 ? 0x04 : 0)));  // REX.W, REX.R
  i.put(opcode);
  const uint8_t reg_rm = static_cast<uint8_t>((id & 7) << 3 | x86::Gp::kIdBx);
  if (d == 0) {
    i.put(reg_rm);  // mod 00
  } else if (d >= -128 && d <= 127) {
    i.put(static_cast<uint8_t>(0x40 | reg_rm));  // mod 01: disp8
    i.put(static_cast<uint8_t>(d));
  } else {
    i.put(static_cast<uint8_t>(0x80 | reg_rm));  // mod 10: disp32
    i.put32(static_cast<uint32_t>(d));
  }
  put(i);
}

void X64MacroAssembler::put(const uint8_t* bytes, size_t size) {
  if (a_.remainingSpace() < size || a_._section == nullptr) {
    a_.embed(bytes, size);
    return;
  }
  std::memcpy(a_._bufferPtr, bytes, size);
  advance(size);
}

void X64MacroAssembler::load_slot(Reg dst, uint32_t slot) { slot_move(0x8B, value_reg(dst), slot); }

void X64MacroAssembler::store_slot(uint32_t slot, Reg src) {
  slot_move(0x89, value_reg(src), slot);
}

void X64MacroAssembler::store_slot_imm(uint32_t slot, uint64_t value) {
  if (fits_int32(static_cast<int64_t>(value))) {
    put(enc::store_imm64(kFp.id(), slot_disp(slot), static_cast<int32_t>(value)));
  } else {
    put(enc::movabs(x86::Gp::kIdAx, value));
    put(enc::store64(kFp.id(), slot_disp(slot), x86::Gp::kIdAx));
  }
}

void X64MacroAssembler::copy_slot(uint32_t dst_slot, uint32_t src_slot) {
  if (dst_slot == src_slot) return;
  put(enc::load64(x86::Gp::kIdAx, kFp.id(), slot_disp(src_slot)));
  put(enc::store64(kFp.id(), slot_disp(dst_slot), x86::Gp::kIdAx));
}

// Declared locals start zero, and a function may declare 50,000 of them, so
// zeroing must run at memory speed: one 8-byte store per slot is 8x slower
// than memset on large frames. Few slots: one store each. Up to
// kRepStosSlots: 64 bytes (four 16-byte SSE2 stores, baseline on x86-64)
// per loop iteration and a straight tail. Beyond: `rep stosq`, which
// fast-string microcode runs a cache line at a time without reading it first.
void X64MacroAssembler::zero_slots(uint32_t first, uint32_t count) {
  constexpr uint32_t kRepStosSlots = 256;  // 2 KiB, about where memset switches too
  if (count == 0) return;
  if (count > kMaxSlot || first > kMaxSlot - count) {
    failed_ = true;
    return;
  }
  if (count <= 8) {
    constexpr uint32_t rax = x86::Gp::kIdAx;
    put(enc::alu(enc::Alu::Xor, rax, rax, false));
    for (uint32_t i = 0; i < count; ++i) put(enc::store64(kFp.id(), slot_disp(first + i), rax));
    return;
  }
  if (count >= kRepStosSlots) {
    // rdi is value register 1: nothing is live at entry, but zero_slots
    // promises to clobber scratch registers only, so it waits in rdx.
    // The direction flag is clear: the ABI requires it and no code sets it.
    a_.mov(x86::rdx, x86::rdi);
    a_.lea(x86::rdi, slot_mem(first));
    a_.mov(x86::ecx, Imm(count));
    a_.xor_(x86::eax, x86::eax);
    a_.rep().stosq();
    a_.mov(x86::rdi, x86::rdx);
    return;
  }
  const uint32_t blocks = count / 8;
  a_.xorps(x86::xmm0, x86::xmm0);
  const uint32_t loop = make_label();
  a_.lea(x86::rcx, slot_mem(first));
  a_.mov(x86::edx, Imm(blocks));
  bind_label(loop);
  for (int32_t off = 0; off < 64; off += 16) a_.movups(x86::xmmword_ptr(x86::rcx, off), x86::xmm0);
  a_.add(x86::rcx, 64);
  a_.dec(x86::edx);
  jcc_to(x86::CondCode::kNZ, loop);
  // The last count % 8 slots, from rcx (just past the blocks).
  const uint32_t rest = count % 8;
  int32_t off = 0;
  for (uint32_t i = 0; i + 2 <= rest; i += 2, off += 16)
    a_.movups(x86::xmmword_ptr(x86::rcx, off), x86::xmm0);
  if (rest % 2 != 0) a_.movq(x86::qword_ptr(x86::rcx, off), x86::xmm0);
}

void X64MacroAssembler::mov_imm(Reg dst, uint64_t value) {
  const uint32_t d = value_reg(dst).id();
  if (value == 0) {
    put(enc::alu(enc::Alu::Xor, d, d, false));
  } else if (value <= std::numeric_limits<uint32_t>::max()) {
    put(enc::mov_imm32(d, static_cast<uint32_t>(value)));  // zero-extends
  } else if (fits_int32(static_cast<int64_t>(value))) {
    put(enc::mov_simm32(d, static_cast<int32_t>(value)));  // sign-extended imm32
  } else {
    put(enc::movabs(d, value));
  }
}

void X64MacroAssembler::mov(Reg dst, Reg src) {
  if (dst == src) return;
  put(enc::mov(value_reg(dst).id(), value_reg(src).id(), true));
}

// ---- unary operators

bool X64MacroAssembler::unary(Opcode op, Reg dst_reg, Reg src_reg) {
  const x86::Gp dst = value_reg(dst_reg);
  const x86::Gp src = value_reg(src_reg);
  switch (op) {
    case Opcode::I32Eqz:
    case Opcode::I64Eqz:
      a_.xor_(x86::eax, x86::eax);  // before the test: xor writes the flags
      if (op == Opcode::I32Eqz) {
        a_.test(src.r32(), src.r32());
      } else {
        a_.test(src, src);
      }
      a_.sete(x86::al);
      a_.mov(dst.r32(), x86::eax);
      return true;
    case Opcode::I32Clz:
    case Opcode::I32Ctz:
    case Opcode::I32Popcnt:
    case Opcode::I64Clz:
    case Opcode::I64Ctz:
    case Opcode::I64Popcnt:
      return unary_count(op, dst, src);
    case Opcode::I32WrapI64:
    case Opcode::I64ExtendI32U:
    case Opcode::I32ReinterpretF32:
    case Opcode::F32ReinterpretI32:
      a_.mov(dst.r32(), src.r32());  // a 32-bit mov zeroes the upper half
      return true;
    case Opcode::I64ExtendI32S:
    case Opcode::I64Extend32S:
      a_.movsxd(dst, src.r32());
      return true;
    case Opcode::I64ReinterpretF64:
    case Opcode::F64ReinterpretI64:
      if (dst_reg != src_reg) a_.mov(dst, src);
      return true;
    case Opcode::I32Extend8S:
      a_.movsx(dst.r32(), src.r8());
      return true;
    case Opcode::I32Extend16S:
      a_.movsx(dst.r32(), src.r16());
      return true;
    case Opcode::I64Extend8S:
      a_.movsx(dst, src.r8());
      return true;
    case Opcode::I64Extend16S:
      a_.movsx(dst, src.r16());
      return true;
    default:
      return unary_float(op, dst, src);
  }
}

bool X64MacroAssembler::unary_count(Opcode op, x86::Gp dst, x86::Gp src) {
  const bool is64 = op == Opcode::I64Clz || op == Opcode::I64Ctz || op == Opcode::I64Popcnt;
  const x86::Gp d = sized(dst, is64);
  const x86::Gp s = sized(src, is64);
  const x86::Gp rax = sized(x86::rax, is64);
  const uint32_t bits = is64 ? 64 : 32;
  switch (op) {
    case Opcode::I32Clz:
    case Opcode::I64Clz:
      if (features_.lzcnt) {
        a_.lzcnt(d, s);
      } else {
        // bsr gives the index of the highest set bit, and ZF (result
        // undefined) for 0; clz = (bits - 1) - index = index ^ (bits - 1).
        // Substituting 2 * bits - 1 for the zero case makes that bits.
        a_.bsr(rax, s);
        a_.mov(x86::ecx, Imm(2 * bits - 1));
        a_.cmovz(x86::eax, x86::ecx);
        a_.xor_(x86::eax, Imm(bits - 1));
        a_.mov(dst.r32(), x86::eax);
      }
      return true;
    case Opcode::I32Ctz:
    case Opcode::I64Ctz:
      if (features_.bmi1) {
        a_.tzcnt(d, s);
      } else {
        a_.bsf(rax, s);
        a_.mov(x86::ecx, Imm(bits));
        a_.cmovz(x86::eax, x86::ecx);
        a_.mov(dst.r32(), x86::eax);
      }
      return true;
    case Opcode::I32Popcnt:
    case Opcode::I64Popcnt:
      if (features_.popcnt) {
        a_.popcnt(d, s);
      } else {
        popcount_fallback(dst, src, is64);
      }
      return true;
    default:
      return false;
  }
}

// The classic SWAR popcount: bit pairs, nibbles, bytes, then a multiply sums
// the bytes into the top byte.
void X64MacroAssembler::popcount_fallback(x86::Gp dst, x86::Gp src, bool is64) {
  const x86::Gp rax = sized(x86::rax, is64);
  const x86::Gp rcx = sized(x86::rcx, is64);
  const x86::Gp rdx = sized(x86::rdx, is64);
  const auto pattern = [is64](uint64_t byte) {
    const uint64_t all = byte * 0x0101'0101'0101'0101u;
    return is64 ? all : all & 0xffff'ffffu;
  };
  a_.mov(rax, sized(src, is64));
  a_.mov(rcx, rax);
  a_.shr(rcx, 1);
  a_.mov(rdx, Imm(pattern(0x55)));
  a_.and_(rcx, rdx);
  a_.sub(rax, rcx);
  a_.mov(rcx, rax);
  a_.mov(rdx, Imm(pattern(0x33)));
  a_.and_(rax, rdx);
  a_.shr(rcx, 2);
  a_.and_(rcx, rdx);
  a_.add(rax, rcx);
  a_.mov(rcx, rax);
  a_.shr(rcx, 4);
  a_.add(rax, rcx);
  a_.mov(rdx, Imm(pattern(0x0f)));
  a_.and_(rax, rdx);
  a_.mov(rdx, Imm(pattern(0x01)));
  a_.imul(rax, rdx);
  a_.shr(rax, is64 ? 56 : 24);
  a_.mov(dst.r32(), x86::eax);
}

// ---- binary operators

namespace {
// The condition under which the integer comparison `op` is true.
bool int_compare_cc(Opcode op, x86::CondCode* cc) {
  switch (op) {
    case Opcode::I32Eq:
    case Opcode::I64Eq: *cc = x86::CondCode::kE; return true;
    case Opcode::I32Ne:
    case Opcode::I64Ne: *cc = x86::CondCode::kNE; return true;
    case Opcode::I32LtS:
    case Opcode::I64LtS: *cc = x86::CondCode::kL; return true;
    case Opcode::I32LtU:
    case Opcode::I64LtU: *cc = x86::CondCode::kB; return true;
    case Opcode::I32GtS:
    case Opcode::I64GtS: *cc = x86::CondCode::kG; return true;
    case Opcode::I32GtU:
    case Opcode::I64GtU: *cc = x86::CondCode::kA; return true;
    case Opcode::I32LeS:
    case Opcode::I64LeS: *cc = x86::CondCode::kLE; return true;
    case Opcode::I32LeU:
    case Opcode::I64LeU: *cc = x86::CondCode::kBE; return true;
    case Opcode::I32GeS:
    case Opcode::I64GeS: *cc = x86::CondCode::kGE; return true;
    case Opcode::I32GeU:
    case Opcode::I64GeU: *cc = x86::CondCode::kAE; return true;
    default: return false;
  }
}
}  // namespace

bool X64MacroAssembler::binary(Opcode op, Reg dst_reg, Reg lhs_reg, Reg rhs_reg) {
  if (dst_reg == rhs_reg && dst_reg != lhs_reg) {
    // The interface rules this out; two-operand forms below rely on it.
    failed_ = true;
    return false;
  }
  const ValType in = op_info(op).in;
  if (in == ValType::F32 || in == ValType::F64) {
    return binary_float(op, value_reg(dst_reg), value_reg(lhs_reg), value_reg(rhs_reg));
  }
  if (in != ValType::I32 && in != ValType::I64) return false;
  const bool is64 = in == ValType::I64;
  const x86::Gp dst = sized(value_reg(dst_reg), is64);
  const x86::Gp lhs = sized(value_reg(lhs_reg), is64);
  const x86::Gp rhs = sized(value_reg(rhs_reg), is64);

  if (x86::CondCode cc; int_compare_cc(op, &cc)) {
    put(enc::alu(enc::Alu::Cmp, lhs.id(), rhs.id(), is64));
    a_.set(cc, x86::al);
    a_.movzx(dst.r32(), x86::al);
    return true;
  }
  // dst = lhs; dst op= rhs (dst != rhs unless lhs == rhs too).
  const auto two_operand = [&](auto emit) {
    if (dst_reg != lhs_reg) put(enc::mov(dst.id(), lhs.id(), is64));
    emit(dst, rhs);
    return true;
  };
  const auto alu = [&](enc::Alu alu_op) {
    if (dst_reg != lhs_reg) put(enc::mov(dst.id(), lhs.id(), is64));
    put(enc::alu(alu_op, dst.id(), rhs.id(), is64));
    return true;
  };
  // Variable shifts and rotates take the count in cl; the hardware masks it
  // to 5 (32-bit) or 6 (64-bit) bits, exactly wasm's rule.
  const auto shift = [&](auto emit) {
    a_.mov(x86::ecx, rhs.r32());
    if (dst_reg != lhs_reg) a_.mov(dst, lhs);
    emit(dst);
    return true;
  };

  switch (op) {
    case Opcode::I32Add:
    case Opcode::I64Add: return alu(enc::Alu::Add);
    case Opcode::I32Sub:
    case Opcode::I64Sub: return alu(enc::Alu::Sub);
    case Opcode::I32Mul:
    case Opcode::I64Mul:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.imul(d, s); });
    case Opcode::I32And:
    case Opcode::I64And: return alu(enc::Alu::And);
    case Opcode::I32Or:
    case Opcode::I64Or: return alu(enc::Alu::Or);
    case Opcode::I32Xor:
    case Opcode::I64Xor: return alu(enc::Alu::Xor);

    case Opcode::I32Shl:
    case Opcode::I64Shl:
      return shift([&](x86::Gp d) { a_.shl(d, x86::cl); });
    case Opcode::I32ShrS:
    case Opcode::I64ShrS:
      return shift([&](x86::Gp d) { a_.sar(d, x86::cl); });
    case Opcode::I32ShrU:
    case Opcode::I64ShrU:
      return shift([&](x86::Gp d) { a_.shr(d, x86::cl); });
    case Opcode::I32Rotl:
    case Opcode::I64Rotl:
      return shift([&](x86::Gp d) { a_.rol(d, x86::cl); });
    case Opcode::I32Rotr:
    case Opcode::I64Rotr:
      return shift([&](x86::Gp d) { a_.ror(d, x86::cl); });

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

// Division on rdx:rax. x86 faults (#DE) on a zero divisor and on INT_MIN / -1;
// both are checked first so no fault ever reaches the signal handler.
bool X64MacroAssembler::divide(Opcode op, x86::Gp dst, x86::Gp lhs, x86::Gp rhs) {
  const bool is64 = lhs.isGpq();
  const x86::Gp rax = sized(x86::rax, is64);
  const x86::Gp rdx = sized(x86::rdx, is64);
  const bool is_signed = op == Opcode::I32DivS || op == Opcode::I32RemS ||
                         op == Opcode::I64DivS || op == Opcode::I64RemS;
  const bool is_rem = op == Opcode::I32RemS || op == Opcode::I32RemU ||
                      op == Opcode::I64RemS || op == Opcode::I64RemU;

  a_.test(rhs, rhs);
  jcc_to(x86::CondCode::kZ, trap_label(TrapKind::IntegerDivideByZero));

  const uint32_t divide = make_label();
  const uint32_t done = make_label();
  if (is_signed) {
    a_.cmp(rhs, Imm(-1));
    jcc_to(x86::CondCode::kNE, divide);
    if (is_rem) {
      // x % -1 is 0 for every x (and INT_MIN % -1 would fault).
      a_.xor_(x86::edx, x86::edx);
      jmp_to(done);
    } else {
      // x / -1 overflows only for INT_MIN.
      if (is64) {
        a_.mov(x86::rax, Imm(std::numeric_limits<int64_t>::min()));
        a_.cmp(lhs, x86::rax);
      } else {
        a_.cmp(lhs, Imm(std::numeric_limits<int32_t>::min()));
      }
      jcc_to(x86::CondCode::kE, trap_label(TrapKind::IntegerOverflow));
    }
  }
  bind_label(divide);
  a_.mov(rax, lhs);
  if (is_signed) {
    if (is64) {
      a_.cqo(x86::rdx, x86::rax);
    } else {
      a_.cdq(x86::edx, x86::eax);
    }
    a_.idiv(rdx, rax, rhs);
  } else {
    a_.xor_(x86::edx, x86::edx);
    a_.div(rdx, rax, rhs);
  }
  bind_label(done);
  a_.mov(dst, is_rem ? rdx : rax);
  return true;
}

// ---- floating point
//
// Every result must be bit-identical to module/numeric.h as tier 0 runs it,
// NaN payloads and signs included. Arithmetic results pass through
// canonicalize() (numeric.h's canonical: any NaN becomes the positive
// canonical NaN); cvtsd2ss/cvtss2sd quiet NaNs and keep their payloads as
// numeric.h's casts do; abs/neg/copysign work on the bits.

namespace {

using InstId = asmjit::InstId;

bool is_float(ValType t) noexcept { return t == ValType::F32 || t == ValType::F64; }

template <class F>
uint64_t float_bits(F f) noexcept {
  if constexpr (sizeof(F) == 4) {
    return std::bit_cast<uint32_t>(f);
  } else {
    return std::bit_cast<uint64_t>(f);
  }
}

// roundss/roundsd immediates: rounding mode in bits 0-1, bit 3 suppresses the
// precision exception. The fallback uses the same numbering.
constexpr int kRoundNearest = 0;
constexpr int kRoundFloor = 1;
constexpr int kRoundCeil = 2;
constexpr int kRoundTrunc = 3;

// Float->int truncation: numeric.h's exclusive bounds and the saturated
// results, as the slot holds them.
struct TruncSpec {
  ops::detail::TruncBounds bounds;
  uint64_t min, max;
};

TruncSpec trunc_spec(bool in64, bool out64, bool is_signed) noexcept {
  const ops::detail::TruncBounds b = ops::detail::trunc_bounds(in64, out64, is_signed);
  if (!out64) {
    return is_signed ? TruncSpec{b, 0x8000'0000u, 0x7fff'ffffu} : TruncSpec{b, 0, 0xffff'ffffu};
  }
  return is_signed ? TruncSpec{b, uint64_t{1} << 63, ~uint64_t{0} >> 1}
                   : TruncSpec{b, 0, ~uint64_t{0}};
}

}  // namespace

void X64MacroAssembler::to_xmm(const x86::Xmm& x, x86::Gp src, bool is64) {
  if (is64) {
    a_.movq(x, src.r64());
  } else {
    a_.movd(x, src.r32());
  }
}

void X64MacroAssembler::from_xmm(x86::Gp dst, const x86::Xmm& x, bool is64) {
  if (is64) {
    a_.movq(dst.r64(), x);
  } else {
    a_.movd(dst.r32(), x);  // zero-extends
  }
}

void X64MacroAssembler::canonicalize(const x86::Xmm& x, bool is64) {
  // ucomis of x with itself is unordered (PF = 1) exactly when x is a NaN.
  const uint32_t done = make_label();
  a_.emit(is64 ? x86::Inst::kIdUcomisd : x86::Inst::kIdUcomiss, x, x);
  jcc_to(x86::CondCode::kNP, done);
  float_const(x, ops::detail::canonical_nan_bits(is64), is64);
  bind_label(done);
}

void X64MacroAssembler::float_const(const x86::Xmm& x, uint64_t bits, bool is64) {
  if (is64) {
    a_.mov(x86::rdx, Imm(bits));
    a_.movq(x, x86::rdx);
  } else {
    a_.mov(x86::edx, Imm(bits));
    a_.movd(x, x86::edx);
  }
}

bool X64MacroAssembler::binary_imm(Opcode op, Reg dst_reg, Reg lhs_reg, int32_t imm) {
  const ValType in = op_info(op).in;
  if (in != ValType::I32 && in != ValType::I64) return false;
  const bool is64 = in == ValType::I64;
  const x86::Gp dst = sized(value_reg(dst_reg), is64);
  const x86::Gp lhs = sized(value_reg(lhs_reg), is64);
  if (x86::CondCode cc; int_compare_cc(op, &cc)) {
    put(enc::alu_imm(enc::Alu::Cmp, lhs.id(), imm, is64));
    a_.set(cc, x86::al);
    a_.movzx(dst.r32(), x86::al);
    return true;
  }
  // dst = lhs; dst op= imm. Shift counts are masked as wasm masks them.
  const int32_t count = imm & (is64 ? 63 : 31);
  const auto alu = [&](enc::Alu alu_op) {
    if (dst_reg != lhs_reg) put(enc::mov(dst.id(), lhs.id(), is64));
    put(enc::alu_imm(alu_op, dst.id(), imm, is64));
    return true;
  };
  const auto shift = [&](enc::Shift shift_op) {
    if (dst_reg != lhs_reg) put(enc::mov(dst.id(), lhs.id(), is64));
    put(enc::shift_imm(shift_op, dst.id(), static_cast<uint8_t>(count), is64));
    return true;
  };
  switch (op) {
    case Opcode::I32Add:
    case Opcode::I64Add: return alu(enc::Alu::Add);
    case Opcode::I32Sub:
    case Opcode::I64Sub: return alu(enc::Alu::Sub);
    case Opcode::I32And:
    case Opcode::I64And: return alu(enc::Alu::And);
    case Opcode::I32Or:
    case Opcode::I64Or: return alu(enc::Alu::Or);
    case Opcode::I32Xor:
    case Opcode::I64Xor: return alu(enc::Alu::Xor);
    case Opcode::I32Mul:
    case Opcode::I64Mul: a_.imul(dst, lhs, Imm(imm)); return true;
    case Opcode::I32Shl:
    case Opcode::I64Shl: return shift(enc::Shift::Shl);
    case Opcode::I32ShrS:
    case Opcode::I64ShrS: return shift(enc::Shift::Sar);
    case Opcode::I32ShrU:
    case Opcode::I64ShrU: return shift(enc::Shift::Shr);
    case Opcode::I32Rotl:
    case Opcode::I64Rotl: return shift(enc::Shift::Rol);
    case Opcode::I32Rotr:
    case Opcode::I64Rotr: return shift(enc::Shift::Ror);
    default: return false;
  }
}

bool X64MacroAssembler::binary_float(Opcode op, x86::Gp dst, x86::Gp lhs, x86::Gp rhs) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Binary || !is_float(info.in)) return false;
  const bool is64 = info.in == ValType::F64;
  const x86::Xmm x0 = x86::xmm0;
  const x86::Xmm x1 = x86::xmm1;
  const auto scalar = [&](InstId ss, InstId sd, const x86::Xmm& a, const x86::Xmm& b) {
    a_.emit(is64 ? sd : ss, a, b);
  };

  if (op == Opcode::F32Copysign || op == Opcode::F64Copysign) {
    // On the bits (numeric.h's copysign_bits): no FPU, so NaNs pass untouched.
    if (is64) {
      a_.mov(x86::rax, lhs);
      a_.btr(x86::rax, 63);
      a_.mov(x86::rcx, rhs);
      a_.shr(x86::rcx, 63);
      a_.shl(x86::rcx, 63);
      a_.or_(x86::rax, x86::rcx);
      a_.mov(dst, x86::rax);
    } else {
      a_.mov(x86::eax, lhs.r32());
      a_.and_(x86::eax, Imm(0x7fff'ffff));
      a_.mov(x86::ecx, rhs.r32());
      a_.and_(x86::ecx, Imm(0x8000'0000u));
      a_.or_(x86::eax, x86::ecx);
      a_.mov(dst.r32(), x86::eax);
    }
    return true;
  }

  // Both operands are read before dst is written (dst may be lhs).
  to_xmm(x0, lhs, is64);
  to_xmm(x1, rhs, is64);

  // Comparisons: ucomis sets ZF, PF, CF = 1, 1, 1 for unordered operands, so
  // `above` and `above or equal` are false for NaN; eq and ne test PF too.
  const auto compare = [&](bool swap, x86::CondCode cc) {
    if (swap) {
      scalar(x86::Inst::kIdUcomiss, x86::Inst::kIdUcomisd, x1, x0);
    } else {
      scalar(x86::Inst::kIdUcomiss, x86::Inst::kIdUcomisd, x0, x1);
    }
    a_.set(cc, x86::al);
    a_.movzx(dst.r32(), x86::al);
    return true;
  };

  switch (op) {
    case Opcode::F32Eq:
    case Opcode::F64Eq:
      scalar(x86::Inst::kIdUcomiss, x86::Inst::kIdUcomisd, x0, x1);
      a_.sete(x86::al);
      a_.setnp(x86::cl);
      a_.and_(x86::al, x86::cl);
      a_.movzx(dst.r32(), x86::al);
      return true;
    case Opcode::F32Ne:
    case Opcode::F64Ne:
      scalar(x86::Inst::kIdUcomiss, x86::Inst::kIdUcomisd, x0, x1);
      a_.setne(x86::al);
      a_.setp(x86::cl);
      a_.or_(x86::al, x86::cl);
      a_.movzx(dst.r32(), x86::al);
      return true;
    case Opcode::F32Lt:
    case Opcode::F64Lt:
      return compare(true, x86::CondCode::kA);  // b > a
    case Opcode::F32Gt:
    case Opcode::F64Gt:
      return compare(false, x86::CondCode::kA);
    case Opcode::F32Le:
    case Opcode::F64Le:
      return compare(true, x86::CondCode::kAE);  // b >= a
    case Opcode::F32Ge:
    case Opcode::F64Ge:
      return compare(false, x86::CondCode::kAE);

    // Any NaN result becomes the canonical NaN (numeric.h's canonical).
    case Opcode::F32Add:
    case Opcode::F64Add:
      scalar(x86::Inst::kIdAddss, x86::Inst::kIdAddsd, x0, x1);
      canonicalize(x0, is64);
      break;
    case Opcode::F32Sub:
    case Opcode::F64Sub:
      scalar(x86::Inst::kIdSubss, x86::Inst::kIdSubsd, x0, x1);
      canonicalize(x0, is64);
      break;
    case Opcode::F32Mul:
    case Opcode::F64Mul:
      scalar(x86::Inst::kIdMulss, x86::Inst::kIdMulsd, x0, x1);
      canonicalize(x0, is64);
      break;
    case Opcode::F32Div:
    case Opcode::F64Div:
      scalar(x86::Inst::kIdDivss, x86::Inst::kIdDivsd, x0, x1);
      canonicalize(x0, is64);
      break;

    case Opcode::F32Min:
    case Opcode::F64Min:
    case Opcode::F32Max:
    case Opcode::F64Max: {
      // minss/maxss return the second operand for NaNs and for equal operands
      // (+-0), so those cases go first, as in numeric.h's float_min/max.
      const bool is_min = op == Opcode::F32Min || op == Opcode::F64Min;
      const uint32_t nan = make_label();
      const uint32_t not_equal = make_label();
      const uint32_t done = make_label();
      scalar(x86::Inst::kIdUcomiss, x86::Inst::kIdUcomisd, x0, x1);
      jcc_to(x86::CondCode::kP, nan);
      jcc_to(x86::CondCode::kNE, not_equal);
      // Equal: only the sign of zero can differ; OR picks -0, AND +0.
      if (is_min) {
        a_.orps(x0, x1);
      } else {
        a_.andps(x0, x1);
      }
      jmp_to(done);
      bind_label(nan);
      // Either operand is a NaN: the canonical NaN (numeric.h's float_min/max).
      float_const(x0, ops::detail::canonical_nan_bits(is64), is64);
      jmp_to(done);
      bind_label(not_equal);
      if (is_min) {
        scalar(x86::Inst::kIdMinss, x86::Inst::kIdMinsd, x0, x1);  // a < b ? a : b
      } else {
        scalar(x86::Inst::kIdMaxss, x86::Inst::kIdMaxsd, x0, x1);  // a > b ? a : b
      }
      bind_label(done);
      break;
    }

    default:
      failed_ = true;
      return false;
  }
  from_xmm(dst, x0, is64);
  return true;
}

bool X64MacroAssembler::unary_float(Opcode op, x86::Gp dst, x86::Gp src) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Unary || (!is_float(info.in) && !is_float(info.out))) return false;
  const bool is64 = info.in == ValType::F64;
  const x86::Xmm x0 = x86::xmm0;
  switch (op) {
    // abs/neg on the bits (numeric.h's abs_bits/neg_bits).
    case Opcode::F32Abs:
      a_.mov(dst.r32(), src.r32());
      a_.and_(dst.r32(), Imm(0x7fff'ffff));
      return true;
    case Opcode::F32Neg:
      a_.mov(dst.r32(), src.r32());
      a_.xor_(dst.r32(), Imm(0x8000'0000u));
      return true;
    case Opcode::F64Abs:
      if (dst != src) a_.mov(dst, src);
      a_.btr(dst, 63);
      return true;
    case Opcode::F64Neg:
      if (dst != src) a_.mov(dst, src);
      a_.btc(dst, 63);
      return true;

    case Opcode::F32Sqrt:
    case Opcode::F64Sqrt:
      to_xmm(x0, src, is64);
      a_.emit(is64 ? x86::Inst::kIdSqrtsd : x86::Inst::kIdSqrtss, x0, x0);
      canonicalize(x0, is64);
      from_xmm(dst, x0, is64);
      return true;

    case Opcode::F32Ceil:
    case Opcode::F32Floor:
    case Opcode::F32Trunc:
    case Opcode::F32Nearest:
    case Opcode::F64Ceil:
    case Opcode::F64Floor:
    case Opcode::F64Trunc:
    case Opcode::F64Nearest:
      float_round(op, is64, dst, src);
      return true;

    // Hardware conversions quiet NaNs and keep the payload's high bits,
    // exactly as numeric.h's static_casts compile.
    case Opcode::F32DemoteF64:
      a_.movq(x0, src);
      a_.cvtsd2ss(x0, x0);
      a_.movd(dst.r32(), x0);
      return true;
    case Opcode::F64PromoteF32:
      a_.movd(x0, src.r32());
      a_.cvtss2sd(x0, x0);
      a_.movq(dst, x0);
      return true;

    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64S:
    case Opcode::I32TruncF64U:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64S:
    case Opcode::I64TruncF64U:
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF32U:
    case Opcode::I32TruncSatF64S:
    case Opcode::I32TruncSatF64U:
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF32U:
    case Opcode::I64TruncSatF64S:
    case Opcode::I64TruncSatF64U:
      float_to_int(op, dst, src);
      return true;

    case Opcode::F32ConvertI32S:
    case Opcode::F32ConvertI32U:
    case Opcode::F32ConvertI64S:
    case Opcode::F32ConvertI64U:
    case Opcode::F64ConvertI32S:
    case Opcode::F64ConvertI32U:
    case Opcode::F64ConvertI64S:
    case Opcode::F64ConvertI64U:
      int_to_float(op, dst, src);
      return true;

    default:
      return false;
  }
}

void X64MacroAssembler::float_round(Opcode op, bool is64, x86::Gp dst, x86::Gp src) {
  int mode = kRoundNearest;
  switch (op) {
    case Opcode::F32Floor:
    case Opcode::F64Floor:
      mode = kRoundFloor;
      break;
    case Opcode::F32Ceil:
    case Opcode::F64Ceil:
      mode = kRoundCeil;
      break;
    case Opcode::F32Trunc:
    case Opcode::F64Trunc:
      mode = kRoundTrunc;
      break;
    default:
      break;
  }
  if (!features_.sse41) {
    float_round_fallback(mode, is64, dst, src);
    return;
  }
  // roundss/roundsd keep the sign of zero results, as ceil/floor/trunc do;
  // a NaN becomes the canonical one.
  const x86::Xmm x0 = x86::xmm0;
  to_xmm(x0, src, is64);
  a_.emit(is64 ? x86::Inst::kIdRoundsd : x86::Inst::kIdRoundss, x0, x0, Imm(mode | 8));
  canonicalize(x0, is64);
  from_xmm(dst, x0, is64);
}

// Without SSE4.1: for |x| < 2^p (p = 23 or 52 mantissa bits), (|x| + 2^p) - 2^p
// is |x| rounded to nearest-even (the sum has an ulp of exactly 1), and floor
// or ceil of |x| is that +-1. The result takes x's sign, which is right for
// all four (ceil(-0.5) = -0 = -floor(0.5), floor(-0.5) = -ceil(0.5)).
// |x| >= 2^p, infinities included, is already integral; a NaN becomes the
// canonical NaN.
void X64MacroAssembler::float_round_fallback(int mode, bool is64, x86::Gp dst, x86::Gp src) {
  const x86::Gp rax = sized(x86::rax, is64);
  const x86::Gp rcx = sized(x86::rcx, is64);
  const x86::Gp rdx = sized(x86::rdx, is64);
  const x86::Xmm x0 = x86::xmm0;  // |x|
  const x86::Xmm x1 = x86::xmm1;
  const x86::Xmm x2 = x86::xmm2;  // the result's magnitude
  const uint64_t magic = is64 ? float_bits(0x1p52) : float_bits(0x1p23f);
  const uint64_t inf = is64 ? float_bits(HUGE_VAL) : float_bits(HUGE_VALF);
  const uint64_t one = is64 ? float_bits(1.0) : float_bits(1.0f);
  const uint32_t large = make_label();
  const uint32_t done = make_label();

  // rax = |x| bits, rcx = sign bit alone.
  a_.mov(rax, sized(src, is64));
  a_.mov(rcx, rax);
  a_.btr(rax, is64 ? 63 : 31);
  a_.xor_(rcx, rax);
  a_.mov(rdx, Imm(magic));
  a_.cmp(rax, rdx);  // unsigned compare of magnitudes = float compare
  jcc_to(x86::CondCode::kAE, large);

  to_xmm(x0, rax, is64);
  to_xmm(x1, rdx, is64);
  a_.movaps(x2, x0);
  a_.emit(is64 ? x86::Inst::kIdAddsd : x86::Inst::kIdAddss, x2, x1);
  a_.emit(is64 ? x86::Inst::kIdSubsd : x86::Inst::kIdSubss, x2, x1);
  const auto floor_abs = [&] {  // if |x| < n: n -= 1
    const uint32_t skip = make_label();
    a_.emit(is64 ? x86::Inst::kIdUcomisd : x86::Inst::kIdUcomiss, x0, x2);
    jcc_to(x86::CondCode::kAE, skip);
    float_const(x1, one, is64);
    a_.emit(is64 ? x86::Inst::kIdSubsd : x86::Inst::kIdSubss, x2, x1);
    bind_label(skip);
  };
  const auto ceil_abs = [&] {  // if n < |x|: n += 1
    const uint32_t skip = make_label();
    a_.emit(is64 ? x86::Inst::kIdUcomisd : x86::Inst::kIdUcomiss, x2, x0);
    jcc_to(x86::CondCode::kAE, skip);
    float_const(x1, one, is64);
    a_.emit(is64 ? x86::Inst::kIdAddsd : x86::Inst::kIdAddss, x2, x1);
    bind_label(skip);
  };
  // floor(x) = -ceil(|x|) and ceil(x) = -floor(|x|) for negative x.
  const auto by_sign = [&](auto positive, auto negative) {
    const uint32_t neg = make_label();
    const uint32_t joined = make_label();
    a_.test(rcx, rcx);
    jcc_to(x86::CondCode::kNZ, neg);
    positive();
    jmp_to(joined);
    bind_label(neg);
    negative();
    bind_label(joined);
  };
  switch (mode) {
    case kRoundFloor:
      by_sign(floor_abs, ceil_abs);
      break;
    case kRoundCeil:
      by_sign(ceil_abs, floor_abs);
      break;
    case kRoundTrunc:
      floor_abs();
      break;
    default:
      break;
  }
  from_xmm(rax, x2, is64);
  jmp_to(done);

  bind_label(large);
  a_.mov(rdx, Imm(inf));
  a_.cmp(rax, rdx);
  jcc_to(x86::CondCode::kBE, done);  // not a NaN
  a_.mov(rax, Imm(ops::detail::canonical_nan_bits(is64)));
  a_.xor_(rcx.r32(), rcx.r32());  // positive

  bind_label(done);
  a_.or_(rax, rcx);
  a_.mov(sized(dst, is64), rax);
}

// numeric.h's trunc_checked / trunc_sat: NaN first, then lo < x < hi with the
// same exact bounds, and only then the (always in range) truncation.
void X64MacroAssembler::float_to_int(Opcode op, x86::Gp dst, x86::Gp src) {
  const OpInfo& info = op_info(op);
  const bool in64 = info.in == ValType::F64;
  const bool out64 = info.out == ValType::I64;
  const bool saturating = !(info.flags & kTraps);
  bool is_signed = false;
  switch (op) {
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF64S:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF64S:
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF64S:
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF64S:
      is_signed = true;
      break;
    default:
      break;
  }
  const TruncSpec spec = trunc_spec(in64, out64, is_signed);
  const x86::Xmm x0 = x86::xmm0;
  const x86::Xmm x1 = x86::xmm1;
  const InstId ucomis = in64 ? x86::Inst::kIdUcomisd : x86::Inst::kIdUcomiss;
  const InstId cvtt = in64 ? x86::Inst::kIdCvttsd2si : x86::Inst::kIdCvttss2si;
  const uint32_t nan =
      saturating ? make_label() : trap_label(TrapKind::InvalidConversionToInteger);
  const uint32_t low = saturating ? make_label() : trap_label(TrapKind::IntegerOverflow);
  const uint32_t high = saturating ? make_label() : trap_label(TrapKind::IntegerOverflow);
  const uint32_t done = make_label();

  to_xmm(x0, src, in64);
  a_.emit(ucomis, x0, x0);
  jcc_to(x86::CondCode::kP, nan);
  float_const(x1, spec.bounds.lo, in64);
  a_.emit(ucomis, x0, x1);
  jcc_to(x86::CondCode::kBE, low);  // x <= lo
  float_const(x1, spec.bounds.hi, in64);
  a_.emit(ucomis, x0, x1);
  jcc_to(x86::CondCode::kAE, high);  // x >= hi

  if (!out64) {
    // i32 results: signed in (-2^31 - 1, 2^31), unsigned in (-1, 2^32), which
    // the 64-bit conversion holds exactly.
    a_.emit(cvtt, is_signed ? x86::Gp(x86::eax) : x86::Gp(x86::rax), x0);
  } else if (is_signed) {
    a_.emit(cvtt, x86::rax, x0);
  } else {
    // (-1, 2^64): [2^63, 2^64) is converted after subtracting 2^63 (exact:
    // such floats are multiples of 2^(63-p)), then the top bit is put back.
    const uint32_t small = make_label();
    float_const(x1, in64 ? float_bits(0x1p63) : float_bits(0x1p63f), in64);
    a_.emit(ucomis, x0, x1);
    jcc_to(x86::CondCode::kB, small);
    a_.emit(in64 ? x86::Inst::kIdSubsd : x86::Inst::kIdSubss, x0, x1);
    a_.emit(cvtt, x86::rax, x0);
    a_.btc(x86::rax, 63);
    jmp_to(done);
    bind_label(small);
    a_.emit(cvtt, x86::rax, x0);
  }

  if (saturating) {
    jmp_to(done);
    bind_label(nan);
    a_.xor_(x86::eax, x86::eax);
    jmp_to(done);
    bind_label(low);
    a_.mov(x86::rax, Imm(spec.min));
    jmp_to(done);
    bind_label(high);
    a_.mov(x86::rax, Imm(spec.max));
  }
  bind_label(done);
  if (out64) {
    a_.mov(dst, x86::rax);
  } else {
    a_.mov(dst.r32(), x86::eax);
  }
}

// One correctly rounded conversion each, as numeric.h's static_casts.
void X64MacroAssembler::int_to_float(Opcode op, x86::Gp dst, x86::Gp src) {
  const OpInfo& info = op_info(op);
  const bool in64 = info.in == ValType::I64;
  const bool out64 = info.out == ValType::F64;
  const bool is_unsigned = op == Opcode::F32ConvertI32U || op == Opcode::F32ConvertI64U ||
                           op == Opcode::F64ConvertI32U || op == Opcode::F64ConvertI64U;
  const x86::Xmm x0 = x86::xmm0;
  const InstId cvt = out64 ? x86::Inst::kIdCvtsi2sd : x86::Inst::kIdCvtsi2ss;
  // cvtsi2s* writes only the low lane: clear xmm0 so no stale dependency.
  a_.xorps(x0, x0);
  if (!in64) {
    if (is_unsigned) {
      a_.mov(x86::eax, src.r32());  // zero-extended: a non-negative i64
      a_.emit(cvt, x0, x86::rax);
    } else {
      a_.emit(cvt, x0, src.r32());
    }
  } else if (!is_unsigned) {
    a_.emit(cvt, x0, src);
  } else {
    // u64 >= 2^63: halve, OR the lost bit back in as a sticky bit so the one
    // rounding of the signed conversion rounds as the exact value would, then
    // double (exact).
    const uint32_t large = make_label();
    const uint32_t done = make_label();
    a_.mov(x86::rax, src);
    a_.test(x86::rax, x86::rax);
    jcc_to(x86::CondCode::kS, large);
    a_.emit(cvt, x0, x86::rax);
    jmp_to(done);
    bind_label(large);
    a_.mov(x86::rcx, x86::rax);
    a_.shr(x86::rax, 1);
    a_.and_(x86::ecx, 1);
    a_.or_(x86::rax, x86::rcx);
    a_.emit(cvt, x0, x86::rax);
    a_.emit(out64 ? x86::Inst::kIdAddsd : x86::Inst::kIdAddss, x0, x0);
    bind_label(done);
  }
  from_xmm(dst, x0, out64);
}

// ---- linear memory

int32_t X64MacroAssembler::memory_operand(Reg addr_reg, uint32_t offset, uint32_t width) {
  // Only the low 32 bits of an i32 are defined: zero-extend before use.
  put(enc::mov(x86::Gp::kIdAx, value_reg(addr_reg).id(), false));
  const bool fits = offset <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max());
  if (bounds_ == BoundsStrategy::GuardPages) {
    // u32 + u32 + width < 8 GiB + 64 KiB: inside the reservation, whose
    // inaccessible part faults, and the fault handler knows this code.
    if (fits) return static_cast<int32_t>(offset);
    a_.mov(x86::ecx, Imm(offset));
    a_.add(x86::rax, x86::rcx);
    return 0;
  }
  // Explicit check: ea + width <= memory size, in 64 bits (no overflow).
  if (offset != 0) {
    if (fits) {
      a_.add(x86::rax, Imm(offset));
    } else {
      a_.mov(x86::ecx, Imm(offset));
      a_.add(x86::rax, x86::rcx);
    }
  }
  a_.mov(x86::rcx, x86::qword_ptr(kVm, disp(info_.vm_memory)));
  a_.lea(x86::rdx, x86::qword_ptr(x86::rax, static_cast<int32_t>(width)));
  a_.cmp(x86::rdx, x86::qword_ptr(x86::rcx, disp(info_.memory_size)));
  jcc_to(x86::CondCode::kA, trap_label(TrapKind::MemoryOutOfBounds));
  return 0;
}

namespace {

// How each load is encoded, its destination in the ModRM reg field:
// {REX.W, 0x0F escape, opcode, 0x66, byte register}.
bool load_form(Opcode op, enc::MemForm* f) {
  switch (op) {
    case Opcode::I32Load:
    case Opcode::F32Load:
    case Opcode::I64Load32U: *f = {false, false, 0x8B, false, false}; return true;  // mov r32
    case Opcode::I64Load:
    case Opcode::F64Load: *f = {true, false, 0x8B, false, false}; return true;  // mov r64
    case Opcode::I32Load8S: *f = {false, true, 0xBE, false, false}; return true;  // movsx r32, m8
    case Opcode::I32Load16S: *f = {false, true, 0xBF, false, false}; return true;
    case Opcode::I64Load8S: *f = {true, true, 0xBE, false, false}; return true;  // movsx r64, m8
    case Opcode::I64Load16S: *f = {true, true, 0xBF, false, false}; return true;
    // movzx r32 zero-extends through all 64 bits.
    case Opcode::I32Load8U:
    case Opcode::I64Load8U: *f = {false, true, 0xB6, false, false}; return true;
    case Opcode::I32Load16U:
    case Opcode::I64Load16U: *f = {false, true, 0xB7, false, false}; return true;
    case Opcode::I64Load32S: *f = {true, false, 0x63, false, false}; return true;  // movsxd
    default: return false;
  }
}

// How a store of `bytes` is encoded (mov m, r), its value in the reg field.
bool store_form(uint32_t bytes, enc::MemForm* f) {
  switch (bytes) {
    case 1: *f = {false, false, 0x88, false, true}; return true;
    case 2: *f = {false, false, 0x89, true, false}; return true;
    case 4: *f = {false, false, 0x89, false, false}; return true;
    case 8: *f = {true, false, 0x89, false, false}; return true;
    default: return false;
  }
}

}  // namespace

void X64MacroAssembler::memory_access(const enc::MemForm& form, uint32_t reg, int32_t disp) {
  record_access_site();
  put(enc::mem_op(form, reg, kMemBase.id(), static_cast<int>(x86::Gp::kIdAx), disp));
}

bool X64MacroAssembler::load(Opcode op, Reg dst_reg, Reg addr, uint32_t offset) {
  const OpInfo& info = op_info(op);
  enc::MemForm form;
  if (info.shape != OpShape::Load || !load_form(op, &form)) return false;
  const uint32_t dst = value_reg(dst_reg).id();
  memory_access(form, dst, memory_operand(addr, offset, info.mem_bytes));
  return true;
}

bool X64MacroAssembler::store(Opcode op, Reg addr, Reg value_reg_id, uint32_t offset) {
  const OpInfo& info = op_info(op);
  enc::MemForm form;
  if (info.shape != OpShape::Store || !store_form(info.mem_bytes, &form)) return false;
  const uint32_t value = value_reg(value_reg_id).id();
  memory_access(form, value, memory_operand(addr, offset, info.mem_bytes));
  return true;
}

void X64MacroAssembler::memory_size(Reg dst) {
  a_.mov(x86::rax, x86::qword_ptr(kVm, disp(info_.vm_memory)));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, disp(info_.memory_size)));
  a_.shr(x86::rax, 16);
  a_.mov(value_reg(dst).r32(), x86::eax);
}

void X64MacroAssembler::memory_grow(Reg dst, Reg delta) {
  // esi first: delta may live in rdi.
  a_.mov(x86::esi, value_reg(delta).r32());
  a_.mov(x86::rdi, kVm);
  call_helper(reinterpret_cast<const void*>(info_.memory_grow));
  a_.mov(value_reg(dst).r32(), x86::eax);
}

// ---- runtime helpers

void X64MacroAssembler::call_runtime(const void* fn, const std::vector<Reg>& args, int result) {
  // fn(ctx, vm, a0..a3): a0..a3 go to rdx, rcx, r8, r9. Sources may be any
  // value register, r8/r9 among them, so route them through the stack (the
  // pushes and pops balance: the body's alignment holds at the call).
  static const x86::Gp kArgRegs[] = {x86::rdx, x86::rcx, x86::r8, x86::r9};
  if (args.size() > 4) {
    failed_ = true;
    return;
  }
  for (Reg r : args) a_.push(value_reg(r));
  for (size_t i = args.size(); i-- > 0;) a_.pop(kArgRegs[i]);
  a_.mov(x86::rdi, kCtx);
  a_.mov(x86::rsi, kVm);
  call_helper(fn);
  if (result >= 0) a_.mov(value_reg(static_cast<Reg>(result)), x86::rax);
}

// ---- globals

void X64MacroAssembler::global_get(Reg dst, uint32_t vm_offset) {
  put(enc::load64(x86::Gp::kIdAx, kVm.id(), disp(vm_offset)));
  put(enc::load64(value_reg(dst).id(), x86::Gp::kIdAx, disp(info_.global_bits)));
}

void X64MacroAssembler::global_set(uint32_t vm_offset, Reg src) {
  put(enc::load64(x86::Gp::kIdAx, kVm.id(), disp(vm_offset)));
  put(enc::store64(x86::Gp::kIdAx, disp(info_.global_bits), value_reg(src).id()));
}

// ---- control

void X64MacroAssembler::jump(jit::Label target) {
  if (const uint32_t id = checked(target); id != kNoLabel) jmp_to(id);
}

void X64MacroAssembler::branch_if_zero(Reg cond, jit::Label target) {
  const uint32_t id = checked(target);
  if (id == kNoLabel) return;
  const uint32_t c = value_reg(cond).id();
  put(enc::reg_reg(0x85, c, c, false));  // test c32, c32
  jcc_to(x86::CondCode::kZ, id);
}

bool X64MacroAssembler::compare_branch(Opcode op, Reg lhs_reg, Reg rhs_reg, bool when,
                                       jit::Label target) {
  x86::CondCode cc;
  if (!int_compare_cc(op, &cc) || target.id >= labels_.size()) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  put(enc::alu(enc::Alu::Cmp, value_reg(lhs_reg).id(), value_reg(rhs_reg).id(), is64));
  jcc_to(when ? cc : x86::negateCond(cc), target.id);
  return true;
}

bool X64MacroAssembler::compare_imm_branch(Opcode op, Reg lhs_reg, int32_t imm, bool when,
                                           jit::Label target) {
  x86::CondCode cc;
  if (!int_compare_cc(op, &cc) || target.id >= labels_.size()) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  const uint32_t lhs = value_reg(lhs_reg).id();
  if (imm == 0 && (op == Opcode::I32Eq || op == Opcode::I64Eq || op == Opcode::I32Ne ||
                   op == Opcode::I64Ne)) {
    put(enc::reg_reg(0x85, lhs, lhs, is64));  // test lhs, lhs
  } else {
    put(enc::alu_imm(enc::Alu::Cmp, lhs, imm, is64));
  }
  jcc_to(when ? cc : x86::negateCond(cc), target.id);
  return true;
}

void X64MacroAssembler::branch_if_nonzero(Reg cond, jit::Label target) {
  const uint32_t id = checked(target);
  if (id == kNoLabel) return;
  const uint32_t c = value_reg(cond).id();
  put(enc::reg_reg(0x85, c, c, false));  // test c32, c32
  jcc_to(x86::CondCode::kNZ, id);
}

void X64MacroAssembler::jump_table(Reg index, const std::vector<jit::Label>& targets) {
  if (targets.empty()) {
    failed_ = true;
    return;
  }
  PendingTable table;
  table.targets.reserve(targets.size());
  for (const jit::Label& t : targets) {
    if (t.id >= labels_.size()) {
      failed_ = true;
      return;
    }
    table.targets.push_back(t.id);
  }
  if (targets.size() == 1) {
    jmp_to(table.targets[0]);
    return;
  }
  if (targets.size() - 1 > std::numeric_limits<int32_t>::max()) {
    failed_ = true;
    return;
  }
  // index = min(u32 index, n - 1); then a jump through a table of 32-bit
  // offsets from the table's start, emitted after the body in finish().
  const auto last = static_cast<uint32_t>(targets.size() - 1);
  a_.mov(x86::ecx, value_reg(index).r32());
  a_.mov(x86::edx, Imm(last));
  a_.cmp(x86::ecx, x86::edx);
  a_.cmova(x86::ecx, x86::edx);
  static constexpr uint8_t kLeaRaxRip[3] = {0x48, 0x8D, 0x05};  // lea rax, [rip + rel32]
  put(kLeaRaxRip, sizeof kLeaRaxRip);
  table.at = static_cast<uint32_t>(a_.offset());
  static constexpr uint8_t kZero32[4] = {};
  put(kZero32, sizeof kZero32);
  a_.movsxd(x86::rcx, x86::dword_ptr(x86::rax, x86::rcx, 2));
  a_.add(x86::rax, x86::rcx);
  a_.jmp(x86::rax);
  tables_.push_back(std::move(table));
}

void X64MacroAssembler::select(Reg dst, Reg if_false, Reg cond) {
  const x86::Gp c = value_reg(cond).r32();
  a_.test(c, c);
  a_.cmovz(value_reg(dst), value_reg(if_false));
}

// A select on a pending comparison: the comparison's flags pick the value.
// The move is 64-bit whatever the types: a 32-bit cmov would clear dst's
// upper half even when it does not move, and the compare's width is the
// comparison's, not the selected values'.
bool X64MacroAssembler::compare_select(Opcode op, Reg lhs_reg, Reg rhs_reg, Reg dst, Reg if_false) {
  x86::CondCode cc;
  if (!int_compare_cc(op, &cc)) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  put(enc::alu(enc::Alu::Cmp, value_reg(lhs_reg).id(), value_reg(rhs_reg).id(), is64));
  a_.cmov(x86::negateCond(cc), value_reg(dst), value_reg(if_false));
  return true;
}

bool X64MacroAssembler::compare_imm_select(Opcode op, Reg lhs_reg, int32_t imm, Reg dst,
                                           Reg if_false) {
  x86::CondCode cc;
  if (!int_compare_cc(op, &cc)) return false;
  const bool is64 = op_info(op).in == ValType::I64;
  const uint32_t lhs = value_reg(lhs_reg).id();
  if (imm == 0 && (cc == x86::CondCode::kE || cc == x86::CondCode::kNE)) {
    put(enc::reg_reg(0x85, lhs, lhs, is64));  // test lhs, lhs (eqz)
  } else {
    put(enc::alu_imm(enc::Alu::Cmp, lhs, imm, is64));
  }
  a_.cmov(x86::negateCond(cc), value_reg(dst), value_reg(if_false));
  return true;
}

// ---- gas

void X64MacroAssembler::charge_gas(uint64_t cost) {
  if (cost == 0) return;
  if (cost <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    put(enc::alu_imm(enc::Alu::Sub, kGas.id(), static_cast<int32_t>(cost), true));
  } else {
    a_.mov(x86::rax, Imm(cost));
    a_.sub(kGas, x86::rax);
  }
  // Unsigned borrow: gas_left < cost.
  jcc_to(x86::CondCode::kB, out_of_gas_label());
}

void X64MacroAssembler::charge_gas_per_unit(Reg units, uint64_t rate) {
  if (rate == 0) return;
  if (rate > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    failed_ = true;
    return;
  }
  a_.mov(x86::eax, value_reg(units).r32());  // zero-extends the u32 count
  // u32 * rate < 2^63: no overflow, so no saturation to mirror.
  if (rate != 1) a_.imul(x86::rax, x86::rax, Imm(rate));
  a_.sub(kGas, x86::rax);
  jcc_to(x86::CondCode::kB, out_of_gas_label());
}

// ---- calls

// Calls the Func* in rdi with its frame at our slot `callee_fp_slot`.
void X64MacroAssembler::call_dispatch(uint32_t callee_fp_slot) {
  const int32_t frame = slot_disp(callee_fp_slot);
  const uint32_t slow = make_label();
  const uint32_t done = make_label();
  constexpr uint32_t rax = x86::Gp::kIdAx, rcx = x86::Gp::kIdCx, rdx = x86::Gp::kIdDx;
  constexpr uint32_t rsi = x86::Gp::kIdSi, rdi = x86::Gp::kIdDi;
  // Fast path: compiled code of a function of this same instance (so the
  // pinned vm and memory base stay right) is called directly.
  put(enc::load64(rax, rdi, disp(info_.func_code)));
  put(enc::reg_reg(0x85, rax, rax, true));  // test rax, rax
  jcc_to(x86::CondCode::kZ, slow);
  // The entry is published with a release store; x86 loads are acquire.
  put(enc::load64(rax, rax, disp(info_.code_jit_entry)));
  put(enc::reg_reg(0x85, rax, rax, true));
  jcc_to(x86::CondCode::kZ, slow);
  put(enc::load64(rcx, kVm.id(), disp(info_.vm_instance)));
  put(enc::cmp_mem_reg64(rdi, disp(info_.func_instance), rcx));
  jcc_to(x86::CondCode::kNE, slow);
  if (frame != 0) put(enc::alu_imm(enc::Alu::Add, kFp.id(), frame, true));
  put(enc::call_reg(rax));
  record_call_site();
  if (frame != 0) put(enc::alu_imm(enc::Alu::Sub, kFp.id(), frame, true));
  jmp_to(done);
  // Slow path: host functions, tier-0 code, other instances.
  bind_label(slow);
  put(enc::mov(rsi, rdi, true));
  put(enc::mov(rdi, kCtx.id(), true));
  put(enc::lea64(rdx, kFp.id(), frame));
  put(enc::mov(rcx, kVm.id(), true));
  call_helper(reinterpret_cast<const void*>(info_.call_slow));
  bind_label(done);
}

void X64MacroAssembler::call_func(uint32_t vm_func_offset, uint32_t callee_fp_slot) {
  put(enc::load64(x86::Gp::kIdDi, kVm.id(), disp(vm_func_offset)));
  call_dispatch(callee_fp_slot);
}

void X64MacroAssembler::call_local(uint32_t callee, const std::atomic<const void*>* entry_slot,
                                   const void* known, bool self, uint32_t vm_func_offset,
                                   uint32_t callee_fp_slot) {
  const int32_t frame = slot_disp(callee_fp_slot);
  if (frame != 0) put(enc::alu_imm(enc::Alu::Add, kFp.id(), frame, true));
  if (self && entry_ != kNoLabel) {
    call_to(entry_);
    record_call_site();
  } else if (known != nullptr) {
    static constexpr uint8_t kCallRel32[5] = {0xE8};  // call rel32: one arena, so in reach
    relocs_.add(static_cast<uint32_t>(a_.offset()) + 1, jit::RelocForm::CallRel,
                jit::RelocTarget::FuncEntry, callee, reinterpret_cast<uint64_t>(known));
    put(kCallRel32, sizeof kCallRel32);
    record_call_site();
  } else {
    // The entry is published with a release store; x86 loads are acquire.
    constexpr uint32_t rax = x86::Gp::kIdAx;
    mov_rax_reloc(jit::RelocTarget::EntrySlot, callee, reinterpret_cast<uint64_t>(entry_slot));
    put(enc::load64(rax, rax, 0));
    put(enc::reg_reg(0x85, rax, rax, true));  // test rax, rax
    // jz rel32 to the stub finish() emits, which fills the field in.
    enc::Insn jz;
    jz.put(0x0F);
    jz.put(0x84);
    jz.put32(0);
    const auto field = static_cast<uint32_t>(a_.offset()) + 2;
    put(jz);
    put(enc::call_reg(rax));
    record_call_site();
    slow_calls_.push_back(
        PendingSlowCall{field, static_cast<uint32_t>(a_.offset()), vm_func_offset, wasm_offset_});
  }
  if (frame != 0) put(enc::alu_imm(enc::Alu::Sub, kFp.id(), frame, true));
}

void X64MacroAssembler::call_indirect(Reg index, uint32_t vm_table_offset, uint32_t type_index,
                                      uint32_t type_id, uint32_t callee_fp_slot) {
  // edx first: index may live in rdi or rsi.
  put(enc::mov(x86::Gp::kIdDx, value_reg(index).id(), false));
  put(enc::mov(x86::Gp::kIdDi, kCtx.id(), true));
  put(enc::load64(x86::Gp::kIdSi, kVm.id(), disp(vm_table_offset)));
  static constexpr uint8_t kMovEcxImm32[5] = {0xB9};  // the engine-wide id is a relocation
  relocs_.add(static_cast<uint32_t>(a_.offset()) + 1, jit::RelocForm::Imm32,
              jit::RelocTarget::TypeId, type_index, type_id);
  put(kMovEcxImm32, sizeof kMovEcxImm32);
  call_helper(reinterpret_cast<const void*>(info_.resolve_indirect));
  put(enc::mov(x86::Gp::kIdDi, x86::Gp::kIdAx, true));
  call_dispatch(callee_fp_slot);
}

// ---- traps

void X64MacroAssembler::trap(TrapKind kind) { jmp_to(trap_label(kind)); }

const void* X64MacroAssembler::finish() {
  if (finished_) return nullptr;
  finished_ = true;

  // Calls whose callee was in tier 0: through the runtime, kFp already at
  // the callee's frame. Each site's stub passes the callee's Func* offset
  // in esi and calls the function's one slow-call tail, as trap stubs call
  // theirs: the return address it pushes names the site, and the tail
  // stores the body's rsp (just above it) as the exit, so traces and
  // ExecContext::jit_depth_at see the frame as at a helper call.
  uint32_t slow_tail = kNoLabel;
  constexpr uint32_t rsi = x86::Gp::kIdSi;
  for (const PendingSlowCall& p : slow_calls_) {
    wasm_offset_ = p.wasm_offset;
    const auto stub = static_cast<int32_t>(a_.offset());
    const auto rel = static_cast<uint32_t>(stub - static_cast<int32_t>(p.jz_field + 4));
    std::memcpy(code_.textSection()->buffer().data() + p.jz_field, &rel, 4);
    put(enc::mov_imm32(rsi, p.vm_func_offset));
    if (slow_tail == kNoLabel) slow_tail = make_label();
    call_to(slow_tail);
    record_call_site();
    jmp_back(static_cast<int32_t>(p.done));
  }
  if (slow_tail != kNoLabel) {
    bind_label(slow_tail);
    constexpr uint32_t rax = x86::Gp::kIdAx, rsp = x86::Gp::kIdSp;
    put(enc::mem_op(enc::MemForm{true, false, 0x8B, false, false}, rsi, kVm.id(),
                    static_cast<int>(rsi), 0));  // mov rsi, [vm + rsi]: the callee's Func*
    put(enc::mov(x86::Gp::kIdDi, kCtx.id(), true));
    put(enc::mov(x86::Gp::kIdDx, kFp.id(), true));
    put(enc::mov(x86::Gp::kIdCx, kVm.id(), true));
    const int32_t gas_left = disp(info_.ctx_gas_left);
    put(enc::store64(kCtx.id(), gas_left, kGas.id()));
    put(enc::lea64(rax, rsp, 8));  // the body's rsp
    put(enc::store64(kCtx.id(), disp(info_.ctx_jit_exit), rax));
    put(enc::alu_imm(enc::Alu::Sub, rsp, 8, true));  // realign for the call
    relocs_.add_runtime(mov_rax_placeholder(), jit::RelocForm::Abs64,
                        reinterpret_cast<const void*>(info_.call_slow));
    put(enc::call_reg(rax));
    put(enc::alu_imm(enc::Alu::Add, rsp, 8, true));
    put(enc::load64(kGas.id(), kCtx.id(), gas_left));
    static constexpr uint8_t kRet = 0xC3;
    put(&kRet, 1);
  }
  // Out-of-line trap stubs. Every jump to them comes from the body, where
  // rsp = 0 (mod 16). A site's stub calls its kind's shared stub: the
  // return address it pushes, just below the body's rsp, names the site.
  for (const PendingTrap& t : traps_) {
    bind_label(t.label);
    uint32_t& shared = trap_labels_[t.kind];
    if (shared == kNoLabel) shared = make_label();
    call_to(shared);
    site_writer_.add(static_cast<uint32_t>(a_.offset()) - 1, t.wasm_offset);
  }
  for (int k = 0; k < 16; ++k) {
    if (trap_labels_[k] == kNoLabel) continue;
    bind_label(trap_labels_[k]);
    constexpr uint32_t rax = x86::Gp::kIdAx, rsp = x86::Gp::kIdSp;
    put(enc::lea64(rax, rsp, 8));  // the body's rsp
    put(enc::store64(kCtx.id(), disp(info_.ctx_jit_exit), rax));
    put(enc::alu_imm(enc::Alu::Sub, rsp, 8, true));  // realign for the call
    // Out of gas leaves gas_left at 0, as in tier 0 (the trap call stores it).
    if (k == static_cast<int>(TrapKind::OutOfGas))
      put(enc::alu(enc::Alu::Xor, kGas.id(), kGas.id(), false));
    put(enc::mov(x86::Gp::kIdDi, kCtx.id(), true));
    put(enc::mov_imm32(x86::Gp::kIdSi, static_cast<uint32_t>(k)));
    call_helper(reinterpret_cast<const void*>(info_.trap), false);
    static constexpr uint8_t kInt3 = 0xCC;
    put(&kInt3, 1);  // trap() does not return
  }

  // br_table offsets, relative to each table's start.
  for (const PendingTable& t : tables_) {
    a_.align(asmjit::AlignMode::kData, 4);
    const auto start = static_cast<int32_t>(a_.offset());
    const uint32_t lea_rel = static_cast<uint32_t>(start - static_cast<int32_t>(t.at + 4));
    std::memcpy(code_.textSection()->buffer().data() + t.at, &lea_rel, 4);
    for (const uint32_t target : t.targets) {
      const int32_t at = labels_[target].offset;
      if (at < 0) {
        failed_ = true;
        break;
      }
      const auto delta = static_cast<uint32_t>(at - start);
      uint8_t field[4];
      std::memcpy(field, &delta, 4);
      put(field, 4);
    }
  }

  // The prologues' frame size.
  if (frame_slots_ < 0 || frame_slots_ > kMaxSlot) failed_ = true;
  const int32_t frame_disp = failed_ ? 0 : slot_disp(static_cast<uint32_t>(frame_slots_));
  for (const uint32_t at : frame_fields_)
    std::memcpy(code_.textSection()->buffer().data() + at, &frame_disp, 4);

  // Every label that a jump names is bound by now; asmjit saw no label, so
  // its one section is the code as it stands, with no links to resolve.
  for (const LabelState& l : labels_)
    if (l.waiting >= 0) failed_ = true;
  if (failed_ || errors_.failed || code_.hasUnresolvedLinks() || code_.sectionCount() != 1 ||
      !code_.relocEntries().empty()) {
    return nullptr;
  }
  const asmjit::CodeBuffer& buffer = code_.textSection()->buffer();
  const size_t size = buffer.size();
  uint8_t* writable = nullptr;
  uint8_t* entry = arena_.allocate(size, &writable, batch_);
  if (entry == nullptr) {
    out_of_code_space_ = true;
    return nullptr;
  }
  // A block that cannot be finished goes back to the arena.
  const bool placed = [&] {
    std::memcpy(writable, buffer.data(), size);
    // Emitted as zeros; the same records relocate the code when it is loaded
    // from a serialized module.
    const bool relocated = relocs_.apply_all([&](const jit::Relocation& r, uint64_t value) {
      return apply_relocation(writable, entry, size, r, value);
    });
    if (!relocated) return false;
    // The block may be reused: keep the flush that AArch64 needs in the same place.
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

uint32_t X64MacroAssembler::label_offset(jit::Label label) const {
  // The code was placed at the entry, the text section's start.
  return label.id < labels_.size() ? static_cast<uint32_t>(labels_[label.id].offset) : 0;
}

std::unique_ptr<jit::JitCodeInfo> X64MacroAssembler::take_code_info() {
  if (code_size_ == 0) return nullptr;
  return relocs_.take(code_size_);
}

}  // namespace wvm::x64
