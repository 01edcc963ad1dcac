// x86-64 instruction selection for tier 1. Register conventions are in
// masm_x64.h.
#include "codegen-x64/masm_x64.h"

#include <limits>

#include "codegen-x64/backend_x64.h"

namespace wvm::x64 {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using jit::Reg;

namespace {

// Pinned registers (see masm_x64.h).
const x86::Gp kFp = x86::rbx;
const x86::Gp kVm = x86::r12;
const x86::Gp kCtx = x86::r13;
const x86::Gp kMemBase = x86::r14;

const x86::Gp kValueRegs[] = {x86::rsi, x86::rdi, x86::r8,  x86::r9,
                              x86::r10, x86::r11, x86::rbp, x86::r15};
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
  return out;
}

void X64MacroAssembler::ErrorSink::handleError(asmjit::Error, const char*, asmjit::BaseEmitter*) {
  failed = true;
}

X64MacroAssembler::X64MacroAssembler(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                     CodeArena& arena, X64CpuFeatures features)
    : info_(info), bounds_(bounds), arena_(arena), features_(features) {
  if (code_.init(asmjit::Environment::host()) != asmjit::kErrorOk) {
    failed_ = true;
    return;
  }
  code_.setErrorHandler(&errors_);
  if (code_.attach(&a_) != asmjit::kErrorOk) failed_ = true;
}

X64MacroAssembler::~X64MacroAssembler() = default;

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

asmjit::Label X64MacroAssembler::trap_label(TrapKind kind) {
  asmjit::Label& label = trap_labels_[static_cast<int>(kind)];
  if (!label.isValid()) label = a_.newLabel();
  return label;
}

asmjit::Label X64MacroAssembler::out_of_gas_label() {
  if (!out_of_gas_.isValid()) out_of_gas_ = a_.newLabel();
  return out_of_gas_;
}

void X64MacroAssembler::call_helper(const void* fn) {
  // Helpers live anywhere in the address space; an absolute call through rax
  // needs no relocation.
  a_.mov(x86::rax, Imm(reinterpret_cast<uint64_t>(fn)));
  a_.call(x86::rax);
}

// ---- labels

jit::Label X64MacroAssembler::new_label() {
  labels_.push_back(a_.newLabel());
  return jit::Label{static_cast<uint32_t>(labels_.size() - 1)};
}

void X64MacroAssembler::bind(jit::Label label) {
  if (label.id >= labels_.size()) {
    failed_ = true;
    return;
  }
  a_.bind(labels_[label.id]);
}

// ---- frame

void X64MacroAssembler::prologue(uint32_t max_slots) {
  // Realign first so the stack stub (a call) runs with rsp = 0 (mod 16).
  a_.sub(x86::rsp, 8);
  const asmjit::Label exhausted = trap_label(TrapKind::CallStackExhausted);
  // Logical call depth, counted in frames exactly as tier 0 counts them.
  a_.mov(x86::eax, x86::dword_ptr(kCtx, disp(info_.ctx_depth)));
  a_.cmp(x86::eax, x86::dword_ptr(kCtx, disp(info_.ctx_max_depth)));
  a_.jae(exhausted);
  a_.inc(x86::eax);
  a_.mov(x86::dword_ptr(kCtx, disp(info_.ctx_depth)), x86::eax);
  // The value stack must hold this frame's locals and operands.
  a_.lea(x86::rax, x86::qword_ptr(kFp, slot_disp(max_slots)));
  a_.cmp(x86::rax, x86::qword_ptr(kCtx, disp(info_.ctx_stack_end)));
  a_.ja(exhausted);
  // The native stack must leave room for helpers and the signal handler.
  a_.cmp(x86::rsp, x86::qword_ptr(kCtx, disp(info_.ctx_native_stack_limit)));
  a_.jb(exhausted);
}

void X64MacroAssembler::epilogue() {
  a_.dec(x86::dword_ptr(kCtx, disp(info_.ctx_depth)));
  a_.add(x86::rsp, 8);
  a_.ret();
}

// ---- moves

void X64MacroAssembler::load_slot(Reg dst, uint32_t slot) {
  a_.mov(value_reg(dst), slot_mem(slot));
}

void X64MacroAssembler::store_slot(uint32_t slot, Reg src) {
  a_.mov(slot_mem(slot), value_reg(src));
}

void X64MacroAssembler::store_slot_imm(uint32_t slot, uint64_t value) {
  if (fits_int32(static_cast<int64_t>(value))) {
    a_.mov(slot_mem(slot), Imm(static_cast<int64_t>(value)));  // sign-extended imm32
  } else {
    a_.mov(x86::rax, Imm(value));
    a_.mov(slot_mem(slot), x86::rax);
  }
}

void X64MacroAssembler::copy_slot(uint32_t dst_slot, uint32_t src_slot) {
  if (dst_slot == src_slot) return;
  a_.mov(x86::rax, slot_mem(src_slot));
  a_.mov(slot_mem(dst_slot), x86::rax);
}

void X64MacroAssembler::zero_slots(uint32_t first, uint32_t count) {
  if (count == 0) return;
  if (count > kMaxSlot || first > kMaxSlot - count) {
    failed_ = true;
    return;
  }
  a_.xor_(x86::eax, x86::eax);
  if (count <= 8) {
    for (uint32_t i = 0; i < count; ++i) a_.mov(slot_mem(first + i), x86::rax);
    return;
  }
  // A loop keeps the code size constant for functions with many locals.
  const asmjit::Label loop = a_.newLabel();
  a_.lea(x86::rcx, slot_mem(first));
  a_.mov(x86::edx, Imm(count));
  a_.bind(loop);
  a_.mov(x86::qword_ptr(x86::rcx), x86::rax);
  a_.add(x86::rcx, 8);
  a_.dec(x86::edx);
  a_.jnz(loop);
}

void X64MacroAssembler::mov_imm(Reg dst, uint64_t value) {
  const x86::Gp d = value_reg(dst);
  if (value == 0) {
    a_.xor_(d.r32(), d.r32());
  } else if (value <= std::numeric_limits<uint32_t>::max()) {
    a_.mov(d.r32(), Imm(value));  // zero-extends
  } else if (fits_int32(static_cast<int64_t>(value))) {
    a_.mov(d, Imm(static_cast<int64_t>(value)));  // sign-extended imm32
  } else {
    a_.mov(d, Imm(value));  // movabs
  }
}

void X64MacroAssembler::mov(Reg dst, Reg src) {
  if (dst == src) return;
  a_.mov(value_reg(dst), value_reg(src));
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
      // Float arithmetic and conversions: not yet (the function stays in tier 0).
      return false;
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

bool X64MacroAssembler::binary(Opcode op, Reg dst_reg, Reg lhs_reg, Reg rhs_reg) {
  if (dst_reg == rhs_reg && dst_reg != lhs_reg) {
    // The interface rules this out; two-operand forms below rely on it.
    failed_ = true;
    return false;
  }
  const ValType in = op_info(op).in;
  if (in != ValType::I32 && in != ValType::I64) return false;  // float ops: not yet
  const bool is64 = in == ValType::I64;
  const x86::Gp dst = sized(value_reg(dst_reg), is64);
  const x86::Gp lhs = sized(value_reg(lhs_reg), is64);
  const x86::Gp rhs = sized(value_reg(rhs_reg), is64);

  const auto compare = [&](x86::CondCode cc) {
    a_.cmp(lhs, rhs);
    a_.set(cc, x86::al);
    a_.movzx(dst.r32(), x86::al);
    return true;
  };
  // dst = lhs; dst op= rhs (dst != rhs unless lhs == rhs too).
  const auto two_operand = [&](auto emit) {
    if (dst_reg != lhs_reg) a_.mov(dst, lhs);
    emit(dst, rhs);
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
    case Opcode::I32Eq:
    case Opcode::I64Eq:
      return compare(x86::CondCode::kE);
    case Opcode::I32Ne:
    case Opcode::I64Ne:
      return compare(x86::CondCode::kNE);
    case Opcode::I32LtS:
    case Opcode::I64LtS:
      return compare(x86::CondCode::kL);
    case Opcode::I32LtU:
    case Opcode::I64LtU:
      return compare(x86::CondCode::kB);
    case Opcode::I32GtS:
    case Opcode::I64GtS:
      return compare(x86::CondCode::kG);
    case Opcode::I32GtU:
    case Opcode::I64GtU:
      return compare(x86::CondCode::kA);
    case Opcode::I32LeS:
    case Opcode::I64LeS:
      return compare(x86::CondCode::kLE);
    case Opcode::I32LeU:
    case Opcode::I64LeU:
      return compare(x86::CondCode::kBE);
    case Opcode::I32GeS:
    case Opcode::I64GeS:
      return compare(x86::CondCode::kGE);
    case Opcode::I32GeU:
    case Opcode::I64GeU:
      return compare(x86::CondCode::kAE);

    case Opcode::I32Add:
    case Opcode::I64Add:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.add(d, s); });
    case Opcode::I32Sub:
    case Opcode::I64Sub:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.sub(d, s); });
    case Opcode::I32Mul:
    case Opcode::I64Mul:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.imul(d, s); });
    case Opcode::I32And:
    case Opcode::I64And:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.and_(d, s); });
    case Opcode::I32Or:
    case Opcode::I64Or:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.or_(d, s); });
    case Opcode::I32Xor:
    case Opcode::I64Xor:
      return two_operand([&](x86::Gp d, x86::Gp s) { a_.xor_(d, s); });

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
  a_.jz(trap_label(TrapKind::IntegerDivideByZero));

  const asmjit::Label divide = a_.newLabel();
  const asmjit::Label done = a_.newLabel();
  if (is_signed) {
    a_.cmp(rhs, Imm(-1));
    a_.jne(divide);
    if (is_rem) {
      // x % -1 is 0 for every x (and INT_MIN % -1 would fault).
      a_.xor_(x86::edx, x86::edx);
      a_.jmp(done);
    } else {
      // x / -1 overflows only for INT_MIN.
      if (is64) {
        a_.mov(x86::rax, Imm(std::numeric_limits<int64_t>::min()));
        a_.cmp(lhs, x86::rax);
      } else {
        a_.cmp(lhs, Imm(std::numeric_limits<int32_t>::min()));
      }
      a_.je(trap_label(TrapKind::IntegerOverflow));
    }
  }
  a_.bind(divide);
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
  a_.bind(done);
  a_.mov(dst, is_rem ? rdx : rax);
  return true;
}

// ---- linear memory

x86::Mem X64MacroAssembler::memory_operand(Reg addr_reg, uint32_t offset, uint32_t width) {
  // Only the low 32 bits of an i32 are defined: zero-extend before use.
  a_.mov(x86::eax, value_reg(addr_reg).r32());
  if (bounds_ == BoundsStrategy::GuardPages) {
    // u32 + u32 + width < 8 GiB + 64 KiB: inside the reservation, whose
    // inaccessible part faults, and the fault handler knows this code.
    if (offset <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
      return x86::ptr(kMemBase, x86::rax, 0, static_cast<int32_t>(offset));
    }
    a_.mov(x86::ecx, Imm(offset));
    a_.add(x86::rax, x86::rcx);
    return x86::ptr(kMemBase, x86::rax);
  }
  // Explicit check: ea + width <= memory size, in 64 bits (no overflow).
  if (offset != 0) {
    if (offset <= static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
      a_.add(x86::rax, Imm(offset));
    } else {
      a_.mov(x86::ecx, Imm(offset));
      a_.add(x86::rax, x86::rcx);
    }
  }
  a_.mov(x86::rcx, x86::qword_ptr(kVm, disp(info_.vm_memory)));
  a_.lea(x86::rdx, x86::qword_ptr(x86::rax, static_cast<int32_t>(width)));
  a_.cmp(x86::rdx, x86::qword_ptr(x86::rcx, disp(info_.memory_size)));
  a_.ja(trap_label(TrapKind::MemoryOutOfBounds));
  return x86::ptr(kMemBase, x86::rax);
}

bool X64MacroAssembler::load(Opcode op, Reg dst_reg, Reg addr, uint32_t offset) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Load) return false;
  const x86::Gp dst = value_reg(dst_reg);
  x86::Mem m = memory_operand(addr, offset, info.mem_bytes);
  m.setSize(info.mem_bytes);
  switch (op) {
    case Opcode::I32Load:
    case Opcode::F32Load:
    case Opcode::I64Load32U:
      a_.mov(dst.r32(), m);
      return true;
    case Opcode::I64Load:
    case Opcode::F64Load:
      a_.mov(dst, m);
      return true;
    case Opcode::I32Load8S:
    case Opcode::I32Load16S:
      a_.movsx(dst.r32(), m);
      return true;
    case Opcode::I64Load8S:
    case Opcode::I64Load16S:
      a_.movsx(dst, m);
      return true;
    case Opcode::I32Load8U:
    case Opcode::I32Load16U:
    case Opcode::I64Load8U:
    case Opcode::I64Load16U:
      a_.movzx(dst.r32(), m);  // zero-extends through all 64 bits
      return true;
    case Opcode::I64Load32S:
      a_.movsxd(dst, m);
      return true;
    default:
      failed_ = true;
      return false;
  }
}

bool X64MacroAssembler::store(Opcode op, Reg addr, Reg value_reg_id, uint32_t offset) {
  const OpInfo& info = op_info(op);
  if (info.shape != OpShape::Store) return false;
  const x86::Gp value = value_reg(value_reg_id);
  x86::Mem m = memory_operand(addr, offset, info.mem_bytes);
  m.setSize(info.mem_bytes);
  switch (info.mem_bytes) {
    case 1:
      a_.mov(m, value.r8());
      return true;
    case 2:
      a_.mov(m, value.r16());
      return true;
    case 4:
      a_.mov(m, value.r32());
      return true;
    case 8:
      a_.mov(m, value);
      return true;
    default:
      failed_ = true;
      return false;
  }
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

// ---- globals

void X64MacroAssembler::global_get(Reg dst, uint32_t vm_offset) {
  a_.mov(x86::rax, x86::qword_ptr(kVm, disp(vm_offset)));
  a_.mov(value_reg(dst), x86::qword_ptr(x86::rax, disp(info_.global_bits)));
}

void X64MacroAssembler::global_set(uint32_t vm_offset, Reg src) {
  a_.mov(x86::rax, x86::qword_ptr(kVm, disp(vm_offset)));
  a_.mov(x86::qword_ptr(x86::rax, disp(info_.global_bits)), value_reg(src));
}

// ---- control

void X64MacroAssembler::jump(jit::Label target) {
  if (target.id >= labels_.size()) {
    failed_ = true;
    return;
  }
  a_.jmp(labels_[target.id]);
}

void X64MacroAssembler::branch_if_zero(Reg cond, jit::Label target) {
  if (target.id >= labels_.size()) {
    failed_ = true;
    return;
  }
  const x86::Gp c = value_reg(cond).r32();
  a_.test(c, c);
  a_.jz(labels_[target.id]);
}

void X64MacroAssembler::branch_if_nonzero(Reg cond, jit::Label target) {
  if (target.id >= labels_.size()) {
    failed_ = true;
    return;
  }
  const x86::Gp c = value_reg(cond).r32();
  a_.test(c, c);
  a_.jnz(labels_[target.id]);
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
    table.targets.push_back(labels_[t.id]);
  }
  if (targets.size() == 1) {
    a_.jmp(table.targets[0]);
    return;
  }
  if (targets.size() - 1 > std::numeric_limits<int32_t>::max()) {
    failed_ = true;
    return;
  }
  // index = min(u32 index, n - 1); then a jump through a table of 32-bit
  // offsets from the table's start, emitted after the body in finish().
  const auto last = static_cast<uint32_t>(targets.size() - 1);
  table.table = a_.newLabel();
  a_.mov(x86::ecx, value_reg(index).r32());
  a_.mov(x86::edx, Imm(last));
  a_.cmp(x86::ecx, x86::edx);
  a_.cmova(x86::ecx, x86::edx);
  a_.lea(x86::rax, x86::ptr(table.table));
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

// ---- gas

void X64MacroAssembler::charge_gas(uint64_t cost) {
  if (cost == 0) return;
  const x86::Mem gas_left = x86::qword_ptr(kCtx, disp(info_.ctx_gas_left));
  if (cost <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    a_.sub(gas_left, Imm(cost));
  } else {
    a_.mov(x86::rax, Imm(cost));
    a_.sub(gas_left, x86::rax);
  }
  // Unsigned borrow: gas_left < cost.
  a_.jb(out_of_gas_label());
}

// ---- calls

// Calls the Func* in rdi with its frame at our slot `callee_fp_slot`.
void X64MacroAssembler::call_dispatch(uint32_t callee_fp_slot) {
  const int32_t frame = slot_disp(callee_fp_slot);
  const asmjit::Label slow = a_.newLabel();
  const asmjit::Label done = a_.newLabel();
  // Fast path: compiled code of a function of this same instance (so the
  // pinned vm and memory base stay right) is called directly.
  a_.mov(x86::rax, x86::qword_ptr(x86::rdi, disp(info_.func_code)));
  a_.test(x86::rax, x86::rax);
  a_.jz(slow);
  // The entry is published with a release store; x86 loads are acquire.
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, disp(info_.code_jit_entry)));
  a_.test(x86::rax, x86::rax);
  a_.jz(slow);
  a_.mov(x86::rcx, x86::qword_ptr(kVm, disp(info_.vm_instance)));
  a_.cmp(x86::qword_ptr(x86::rdi, disp(info_.func_instance)), x86::rcx);
  a_.jne(slow);
  if (frame != 0) a_.add(kFp, Imm(frame));
  a_.call(x86::rax);
  if (frame != 0) a_.sub(kFp, Imm(frame));
  a_.jmp(done);
  // Slow path: host functions, tier-0 code, other instances.
  a_.bind(slow);
  a_.mov(x86::rsi, x86::rdi);
  a_.mov(x86::rdi, kCtx);
  a_.lea(x86::rdx, x86::qword_ptr(kFp, frame));
  a_.mov(x86::rcx, kVm);
  call_helper(reinterpret_cast<const void*>(info_.call_slow));
  a_.bind(done);
}

void X64MacroAssembler::call_func(uint32_t vm_func_offset, uint32_t callee_fp_slot) {
  a_.mov(x86::rdi, x86::qword_ptr(kVm, disp(vm_func_offset)));
  call_dispatch(callee_fp_slot);
}

void X64MacroAssembler::call_indirect(Reg index, uint32_t vm_table_offset, uint32_t type_id,
                                      uint32_t callee_fp_slot) {
  // edx first: index may live in rdi or rsi.
  a_.mov(x86::edx, value_reg(index).r32());
  a_.mov(x86::rdi, kCtx);
  a_.mov(x86::rsi, x86::qword_ptr(kVm, disp(vm_table_offset)));
  a_.mov(x86::ecx, Imm(type_id));
  call_helper(reinterpret_cast<const void*>(info_.resolve_indirect));
  a_.mov(x86::rdi, x86::rax);
  call_dispatch(callee_fp_slot);
}

// ---- traps

void X64MacroAssembler::trap(TrapKind kind) { a_.jmp(trap_label(kind)); }

const void* X64MacroAssembler::finish() {
  if (finished_) return nullptr;
  finished_ = true;

  // Out-of-line trap stubs. Every jump to them comes from the body, where
  // rsp = 0 (mod 16), so the helper call is aligned.
  const auto emit_trap_call = [&](TrapKind kind) {
    a_.mov(x86::rdi, kCtx);
    a_.mov(x86::esi, Imm(static_cast<uint32_t>(kind)));
    call_helper(reinterpret_cast<const void*>(info_.trap));
    a_.int3();  // trap() does not return
  };
  for (int k = 0; k < 16; ++k) {
    if (!trap_labels_[k].isValid()) continue;
    a_.bind(trap_labels_[k]);
    emit_trap_call(static_cast<TrapKind>(k));
  }
  if (out_of_gas_.isValid()) {
    a_.bind(out_of_gas_);
    // Out of gas leaves gas_left at 0, as in tier 0.
    a_.mov(x86::qword_ptr(kCtx, disp(info_.ctx_gas_left)), Imm(0));
    emit_trap_call(TrapKind::OutOfGas);
  }

  // br_table offsets, relative to each table's start.
  for (const PendingTable& t : tables_) {
    a_.align(asmjit::AlignMode::kData, 4);
    a_.bind(t.table);
    for (const asmjit::Label& target : t.targets) a_.embedLabelDelta(target, t.table, 4);
  }

  if (failed_ || errors_.failed) return nullptr;
  if (code_.flatten() != asmjit::kErrorOk) return nullptr;
  if (code_.hasUnresolvedLinks() && code_.resolveUnresolvedLinks() != asmjit::kErrorOk) {
    return nullptr;
  }
  // Relocation can only shrink the code; reserve the size before it.
  const size_t reserved = code_.codeSize();
  uint8_t* writable = nullptr;
  uint8_t* entry = arena_.allocate(reserved, &writable);
  if (entry == nullptr) return nullptr;
  if (code_.relocateToBase(reinterpret_cast<uint64_t>(entry)) != asmjit::kErrorOk) return nullptr;
  const size_t size = code_.codeSize();
  if (size > reserved) return nullptr;
  if (code_.copyFlattenedData(writable, reserved, asmjit::CopySectionFlags::kPadTargetBuffer) !=
      asmjit::kErrorOk) {
    return nullptr;
  }
  return entry;
}

}  // namespace wvm::x64
