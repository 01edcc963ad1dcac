// Direct encodings of the instruction forms tier 1 emits most (register and
// immediate ALU operations, wasm memory accesses, slot moves). asmjit's
// generic encoder spends a few hundred host instructions on each
// instruction, a quarter of tier 1's compile time on the contracts; these
// few fixed forms take a dozen. Jumps, calls and leas that name a label are
// encoded by the backend too (its own labels, masm_x64.h); the rarer forms
// still go through asmjit.
//
// Registers are hardware ids (0 = rax .. 15 = r15). Each function fills an
// Insn that the caller embeds; none of them can fail.
#pragma once

#include <cstdint>

namespace wvm::x64::enc {

/// One encoded instruction (at most 15 bytes on x86-64), little-endian in
/// two words: bytes 0-7 in `lo`, 8-14 in `hi`. Words, not a byte array: the
/// encoders' code keeps them in registers, where bytes stored one at a time
/// and then copied out as words stall on store forwarding (it was most of
/// each encoder's time).
struct Insn {
  uint64_t lo = 0;
  uint64_t hi = 0;
  uint32_t size = 0;
  void put(uint8_t b) noexcept {
    if (size < 8)
      lo |= uint64_t{b} << (8 * size);
    else
      hi |= uint64_t{b} << (8 * (size - 8));
    ++size;
  }
  void put32(uint32_t v) noexcept {
    if (size < 8) {
      lo |= uint64_t{v} << (8 * size);  // the bytes past lo drop out
      if (size > 4) hi |= uint64_t{v} >> (8 * (8 - size));
    } else {
      hi |= uint64_t{v} << (8 * (size - 8));
    }
    size += 4;
  }
};

// ALU operations by their /digit in the 0x81/0x83 group; the reg-reg
// opcode (r/m, reg form) is 8 * digit + 1.
enum class Alu : uint8_t { Add = 0, Or = 1, And = 4, Sub = 5, Xor = 6, Cmp = 7 };
// Shifts and rotates by their /digit in the 0xC1 group.
enum class Shift : uint8_t { Rol = 0, Ror = 1, Shl = 4, Shr = 5, Sar = 7 };

// The REX prefix for operand size `w` and the high bits of the ModRM reg,
// SIB index and base (or r/m) fields; `force` emits it even when empty
// (byte access to spl, bpl, sil, dil).
inline void rex(Insn& i, bool w, uint32_t reg, uint32_t index, uint32_t base,
                bool force = false) noexcept {
  const uint8_t r = static_cast<uint8_t>(0x40 | (w ? 8 : 0) | (reg >> 3 & 1) << 2 |
                                         (index >> 3 & 1) << 1 | (base >> 3 & 1));
  if (r != 0x40 || force) i.put(r);
}

inline uint8_t modrm(uint32_t mod, uint32_t reg, uint32_t rm) noexcept {
  return static_cast<uint8_t>(mod << 6 | (reg & 7) << 3 | (rm & 7));
}

/// `opcode reg, r/m` with a register r/m (mod 11), after any prefix bytes.
inline Insn reg_reg(uint8_t opcode, uint32_t reg, uint32_t rm, bool w) noexcept {
  Insn i;
  rex(i, w, reg, 0, rm);
  i.put(opcode);
  i.put(modrm(3, reg, rm));
  return i;
}

/// `op dst, src` (dst op= src), 32 or 64 bits.
inline Insn alu(Alu op, uint32_t dst, uint32_t src, bool w) noexcept {
  return reg_reg(static_cast<uint8_t>(8 * static_cast<uint8_t>(op) + 1), src, dst, w);
}

/// `mov dst, src`, 32 bits (zero-extends) or 64.
inline Insn mov(uint32_t dst, uint32_t src, bool w) noexcept { return reg_reg(0x89, src, dst, w); }

/// `mov dst32, imm32` (zero-extends), `mov dst, simm32` (REX.W C7, sign-
/// extends) and `mov dst, imm64` (movabs).
inline Insn mov_imm32(uint32_t dst, uint32_t imm) noexcept {
  Insn i;
  rex(i, false, 0, 0, dst);
  i.put(static_cast<uint8_t>(0xB8 | (dst & 7)));
  i.put32(imm);
  return i;
}
inline Insn mov_simm32(uint32_t dst, int32_t imm) noexcept {
  Insn i;
  rex(i, true, 0, 0, dst);
  i.put(0xC7);
  i.put(modrm(3, 0, dst));
  i.put32(static_cast<uint32_t>(imm));
  return i;
}
inline Insn movabs(uint32_t dst, uint64_t imm) noexcept {
  Insn i;
  rex(i, true, 0, 0, dst);
  i.put(static_cast<uint8_t>(0xB8 | (dst & 7)));
  i.put32(static_cast<uint32_t>(imm));
  i.put32(static_cast<uint32_t>(imm >> 32));
  return i;
}

/// `op dst, imm`, the sign-extended imm8 form when it fits.
inline Insn alu_imm(Alu op, uint32_t dst, int32_t imm, bool w) noexcept {
  Insn i;
  rex(i, w, 0, 0, dst);
  const bool small = imm >= -128 && imm <= 127;
  i.put(small ? 0x83 : 0x81);
  i.put(modrm(3, static_cast<uint32_t>(op), dst));
  if (small) {
    i.put(static_cast<uint8_t>(imm));
  } else {
    i.put32(static_cast<uint32_t>(imm));
  }
  return i;
}

/// `shift dst, count` (count < 64).
inline Insn shift_imm(Shift op, uint32_t dst, uint8_t count, bool w) noexcept {
  Insn i;
  rex(i, w, 0, 0, dst);
  i.put(0xC1);
  i.put(modrm(3, static_cast<uint32_t>(op), dst));
  i.put(count);
  return i;
}

/// The ModRM, SIB and displacement of [base + index + disp] (index < 0:
/// none); `reg` is the ModRM reg field. rsp as an index is not encodable
/// and is never asked for.
inline void mem(Insn& i, uint32_t reg, uint32_t base, int index, int32_t disp) noexcept {
  // rbp and r13 as a base have no mod-00 form: they take a zero disp8.
  const uint32_t mod = disp == 0 && (base & 7) != 5 ? 0 : disp >= -128 && disp <= 127 ? 1 : 2;
  if (index >= 0 || (base & 7) == 4) {  // a SIB byte (rsp and r12 as a base need one too)
    i.put(modrm(mod, reg, 4));
    const uint32_t idx = index >= 0 ? static_cast<uint32_t>(index) : 4;  // 4: no index
    i.put(static_cast<uint8_t>((idx & 7) << 3 | (base & 7)));
  } else {
    i.put(modrm(mod, reg, base));
  }
  if (mod == 1) i.put(static_cast<uint8_t>(disp));
  if (mod == 2) i.put32(static_cast<uint32_t>(disp));
}

/// A load or store `prefix? REX? opcode... reg, [base + index + disp]`:
/// `opcode` is one byte, or two when `escape` (0x0F first).
struct MemForm {
  bool w;            // REX.W
  bool escape;       // 0x0F before the opcode
  uint8_t opcode;
  bool operand16;    // the 0x66 prefix
  bool byte_reg;     // reg is a byte register: spl..dil need a REX
};
inline Insn mem_op(const MemForm& f, uint32_t reg, uint32_t base, int index,
                   int32_t disp) noexcept {
  Insn i;
  if (f.operand16) i.put(0x66);
  rex(i, f.w, reg, index >= 0 ? static_cast<uint32_t>(index) : 0, base,
      f.byte_reg && reg >= 4 && reg < 8);
  if (f.escape) i.put(0x0F);
  i.put(f.opcode);
  mem(i, reg, base, index, disp);
  return i;
}

/// `mov reg, qword [base + disp]` and `mov qword [base + disp], reg`.
inline Insn load64(uint32_t reg, uint32_t base, int32_t disp) noexcept {
  return mem_op(MemForm{true, false, 0x8B, false, false}, reg, base, -1, disp);
}
inline Insn store64(uint32_t base, int32_t disp, uint32_t reg) noexcept {
  return mem_op(MemForm{true, false, 0x89, false, false}, reg, base, -1, disp);
}

/// `lea reg, [base + disp]`, `cmp reg, qword [base + disp]` and
/// `cmp qword [base + disp], reg`.
inline Insn lea64(uint32_t reg, uint32_t base, int32_t disp) noexcept {
  return mem_op(MemForm{true, false, 0x8D, false, false}, reg, base, -1, disp);
}
/// `lea reg, [base + disp32]` with the 32-bit displacement whatever its
/// value: a field finish() fills in, in the last four bytes.
inline Insn lea64_disp32(uint32_t reg, uint32_t base, int32_t disp) noexcept {
  Insn i;
  rex(i, true, reg, 0, base);
  i.put(0x8D);
  i.put(modrm(2, reg, base));
  if ((base & 7) == 4) i.put(0x24);  // rsp and r12 as a base need a SIB byte
  i.put32(static_cast<uint32_t>(disp));
  return i;
}
inline Insn cmp_reg_mem64(uint32_t reg, uint32_t base, int32_t disp) noexcept {
  return mem_op(MemForm{true, false, 0x3B, false, false}, reg, base, -1, disp);
}
inline Insn cmp_mem_reg64(uint32_t base, int32_t disp, uint32_t reg) noexcept {
  return mem_op(MemForm{true, false, 0x39, false, false}, reg, base, -1, disp);
}

/// `call reg` (an absolute call through a register).
inline Insn call_reg(uint32_t reg) noexcept {
  Insn i;
  rex(i, false, 0, 0, reg);
  i.put(0xFF);
  i.put(modrm(3, 2, reg));
  return i;
}

/// `mov qword [base + disp], imm32` (sign-extended).
inline Insn store_imm64(uint32_t base, int32_t disp, int32_t imm) noexcept {
  Insn i;
  rex(i, true, 0, 0, base);
  i.put(0xC7);
  mem(i, 0, base, -1, disp);
  i.put32(static_cast<uint32_t>(imm));
  return i;
}

}  // namespace wvm::x64::enc
