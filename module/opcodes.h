// Opcode enumeration and constexpr traits derived from module/opcodes.def.
#pragma once

#include <array>
#include <cstdint>

#include "wvm/types.h"

namespace wvm {

enum OpFlags : uint8_t {
  kNone = 0,
  kControl = 1 << 0,  // a metering point: ends a straight-line run
  kTraps = 1 << 1,
  kHeavy = 1 << 2,
};

enum class OpShape : uint8_t { Special, Load, Store, Unary, Binary };

enum class Opcode : uint16_t {
#define WVM_SPECIAL(name, pfx, code, text, flags) name,
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) name,
#define WVM_STORE(name, pfx, code, text, vt, mt, align) name,
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) name,
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) name,
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
  Count
};

constexpr size_t kNumOpcodes = static_cast<size_t>(Opcode::Count);

/// Everything the table says about one opcode.
struct OpInfo {
  const char* name;
  uint8_t prefix;
  uint8_t code;
  OpShape shape;
  uint8_t flags;
  ValType in;         // Unary/Binary operand type; Load/Store value type
  ValType out;        // Unary/Binary result type
  uint8_t mem_bytes;  // Load/Store access width
  uint8_t max_align;  // Load/Store natural alignment (log2)
};

namespace detail {
constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;
constexpr ValType F32 = ValType::F32;
constexpr ValType F64 = ValType::F64;
}  // namespace detail

inline constexpr std::array<OpInfo, kNumOpcodes> kOpInfo = {{
#define WVM_SPECIAL(name, pfx, code, text, flags) \
  {text, pfx, code, OpShape::Special, flags, ValType::I32, ValType::I32, 0, 0},
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) \
  {text, pfx, code, OpShape::Load, kTraps, detail::vt, detail::vt, sizeof(mt), align},
#define WVM_STORE(name, pfx, code, text, vt, mt, align) \
  {text, pfx, code, OpShape::Store, kTraps, detail::vt, detail::vt, sizeof(mt), align},
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  {text, pfx, code, OpShape::Unary, flags, detail::in, detail::out, 0, 0},
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  {text, pfx, code, OpShape::Binary, flags, detail::in, detail::out, 0, 0},
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
}};

constexpr const OpInfo& op_info(Opcode op) noexcept { return kOpInfo[static_cast<size_t>(op)]; }

constexpr uint16_t kNoOpcode = 0xffff;

/// Maps a one-byte opcode (prefix 0x00) to Opcode, or kNoOpcode.
inline constexpr std::array<uint16_t, 256> kSingleByteOps = [] {
  std::array<uint16_t, 256> map{};
  for (auto& m : map) m = kNoOpcode;
  for (size_t i = 0; i < kNumOpcodes; ++i)
    if (kOpInfo[i].prefix == 0x00) map[kOpInfo[i].code] = static_cast<uint16_t>(i);
  return map;
}();

/// Maps a 0xfc-prefixed sub-opcode (< 32) to Opcode, or kNoOpcode.
inline constexpr std::array<uint16_t, 32> kMiscOps = [] {
  std::array<uint16_t, 32> map{};
  for (auto& m : map) m = kNoOpcode;
  for (size_t i = 0; i < kNumOpcodes; ++i)
    if (kOpInfo[i].prefix == 0xfc) map[kOpInfo[i].code] = static_cast<uint16_t>(i);
  return map;
}();

/// An opcode's dispatch key: its byte for a one-byte opcode, 0x100 + the
/// sub-opcode for a 0xfc one. The decoder switches on the key, which it
/// has straight from the bytes, not on the Opcode a table lookup gives.
constexpr uint32_t dispatch_key(uint8_t prefix, uint8_t code) noexcept {
  return prefix == 0xfc ? 0x100u + code : code;
}
constexpr uint32_t dispatch_key(Opcode op) noexcept {
  return dispatch_key(op_info(op).prefix, op_info(op).code);
}

// The table must be a bijection onto its encodings.
constexpr bool opcode_maps_are_consistent() {
  size_t mapped = 0;
  for (auto m : kSingleByteOps) mapped += m != kNoOpcode;
  for (auto m : kMiscOps) mapped += m != kNoOpcode;
  return mapped == kNumOpcodes;
}
static_assert(opcode_maps_are_consistent(), "duplicate encoding in opcodes.def");
static_assert(kSingleByteOps[0x6a] == static_cast<uint16_t>(Opcode::I32Add));
static_assert(kMiscOps[0x11] == static_cast<uint16_t>(Opcode::TableFill));

/// For a byte that is not a Wasm 2.0 opcode: the later proposal it belongs
/// to ("SIMD", "tail calls", ...), or nullptr if it is no known opcode.
const char* unsupported_feature_of_opcode(uint8_t byte) noexcept;

}  // namespace wvm
