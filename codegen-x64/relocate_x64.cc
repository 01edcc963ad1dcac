// Applying tier-1 relocations to x86-64 code (tier1-jit/relocation.h).
#include <cstring>
#include <limits>

#include "codegen-x64/masm_x64.h"

namespace wvm::x64 {

bool apply_relocation(uint8_t* rw, const uint8_t* rx, size_t size, const jit::Relocation& reloc,
                      uint64_t value) noexcept {
  const size_t at = reloc.offset;
  switch (reloc.form) {
    case jit::RelocForm::Abs64:  // the imm64 of `mov rax, imm64` (48 B8)
      if (at < 2 || at > size || size - at < 8 || rw[at - 2] != 0x48 || rw[at - 1] != 0xB8)
        return false;
      std::memcpy(rw + at, &value, 8);
      return true;
    case jit::RelocForm::Imm32: {  // the imm32 of `mov ecx, imm32` (B9)
      if (at < 1 || at > size || size - at < 4 || rw[at - 1] != 0xB9 || value > UINT32_MAX)
        return false;
      const auto v = static_cast<uint32_t>(value);
      std::memcpy(rw + at, &v, 4);
      return true;
    }
    case jit::RelocForm::CallRel: {  // the rel32 of `call rel32` (E8)
      if (at < 1 || at > size || size - at < 4 || rw[at - 1] != 0xE8) return false;
      const int64_t disp = static_cast<int64_t>(value) -
                           static_cast<int64_t>(reinterpret_cast<uintptr_t>(rx + at + 4));
      if (disp < std::numeric_limits<int32_t>::min() || disp > std::numeric_limits<int32_t>::max())
        return false;
      const auto d = static_cast<int32_t>(disp);
      std::memcpy(rw + at, &d, 4);
      return true;
    }
  }
  return false;
}

uint64_t feature_bits(const X64CpuFeatures& f) noexcept {
  return uint64_t{f.lzcnt} | uint64_t{f.bmi1} << 1 | uint64_t{f.popcnt} << 2 |
         uint64_t{f.sse41} << 3;
}

}  // namespace wvm::x64
