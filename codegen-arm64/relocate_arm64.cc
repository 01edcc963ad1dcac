// Applying tier-1 relocations to AArch64 code (tier1-jit/relocation.h).
#include <cstring>

#include "codegen-arm64/masm_arm64.h"

namespace wvm::a64 {
namespace {

uint32_t read_word(const uint8_t* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
void write_word(uint8_t* p, uint32_t w) { std::memcpy(p, &w, 4); }

// movz/movk of `count` 16-bit chunks into one register, as load_reloc emits
// them: instruction i is movz (i = 0) or movk with hw = i; the imm16 fields
// (bits 5..20) get the value's chunks.
bool write_mov_sequence(uint8_t* p, int count, bool is64, uint64_t value) {
  const uint32_t sf = is64 ? 0x80000000u : 0;
  for (int i = 0; i < count; ++i) {
    const uint32_t w = read_word(p + 4 * i);
    const uint32_t op = i == 0 ? 0x52800000u : 0x72800000u;  // movz / movk, 32-bit
    if ((w & 0xFF800000u) != (op | sf) || ((w >> 21) & 3) != static_cast<uint32_t>(i)) return false;
    const auto chunk = static_cast<uint32_t>((value >> (16 * i)) & 0xFFFF);
    write_word(p + 4 * i, (w & ~(0xFFFFu << 5)) | (chunk << 5));
  }
  return true;
}

}  // namespace

bool apply_relocation(uint8_t* rw, const uint8_t* rx, size_t size, const jit::Relocation& reloc,
                      uint64_t value) noexcept {
  const size_t at = reloc.offset;
  if (at % 4 != 0 || at > size) return false;
  switch (reloc.form) {
    case jit::RelocForm::Abs64:
      return size - at >= 16 && write_mov_sequence(rw + at, 4, true, value);
    case jit::RelocForm::Imm32:
      return size - at >= 8 && value <= UINT32_MAX && write_mov_sequence(rw + at, 2, false, value);
    case jit::RelocForm::CallRel: {  // bl imm26, in words from the bl itself
      if (size - at < 4 || (read_word(rw + at) & 0xFC000000u) != 0x94000000u) return false;
      const int64_t disp = static_cast<int64_t>(value) -
                           static_cast<int64_t>(reinterpret_cast<uintptr_t>(rx + at));
      if (disp % 4 != 0 || disp < -(int64_t{1} << 27) || disp >= (int64_t{1} << 27)) return false;
      const auto imm26 = static_cast<uint32_t>(disp / 4) & 0x03FFFFFFu;
      write_word(rw + at, 0x94000000u | imm26);
      return true;
    }
  }
  return false;
}

}  // namespace wvm::a64
