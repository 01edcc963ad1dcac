// The checksum of serialized modules: 64 bits, eight bytes per step in four
// independent lanes. Each step is a bijection of its lane's state for a
// fixed input word, so any change confined to one word (in particular any
// single changed byte) always changes the result. An integrity check against
// accidental corruption, not a cryptographic hash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace wvm {

uint64_t checksum64(const uint8_t* data, size_t size) noexcept;

}  // namespace wvm
