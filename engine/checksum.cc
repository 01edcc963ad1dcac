#include "engine/checksum.h"

#include <cstring>

namespace wvm {
namespace {

constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;  // odd: multiplication is a bijection

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t step(uint64_t h, uint64_t w) { return rotl((h ^ w) * kMul, 29); }

}  // namespace

uint64_t checksum64(const uint8_t* data, size_t size) noexcept {
  uint64_t lane[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull, 0xA4093822299F31D0ull,
                      0x082EFA98EC4E6C89ull};
  size_t i = 0;
  for (; size - i >= 32; i += 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, data + i + 8 * k, 8);
      lane[k] = step(lane[k], w);
    }
  }
  uint64_t h = step(lane[0], size);
  for (int k = 1; k < 4; ++k) h = step(h, lane[k]);  // a bijection of each lane in turn
  for (; i < size; ++i) h = step(h, data[i]);
  return h ^ (h >> 31);
}

}  // namespace wvm
