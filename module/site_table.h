// A compact map from code positions to wasm byte offsets, recorded only for
// the places a trace can name: instructions that may trap and calls.
// Entries are appended in ascending position order as (position delta,
// offset delta) LEB128 pairs, usually two or three bytes each; a lookup
// decodes from the start, which only a trap ever does.
#pragma once

#include <cstdint>
#include <vector>

namespace wvm {

/// The wasm offset recorded for a function's entry checks (call depth, value
/// and native stack): a trap there belongs to the caller, the function was
/// never entered.
constexpr uint32_t kEntrySite = UINT32_MAX - 1;

class SiteTableWriter {
 public:
  explicit SiteTableWriter(std::vector<uint8_t>& out) noexcept : out_(out) {}
  /// Records that the instruction starting at `pos` (> every earlier pos)
  /// comes from wasm byte offset `offset`.
  [[gnu::always_inline]] void add(uint32_t pos, uint32_t offset) {
    const uint32_t dpos = pos - last_pos_;
    // Offsets ascend in a linear pass; wrapping arithmetic keeps any other
    // order exact too, only longer.
    const uint32_t doffset = offset - last_offset_;
    last_pos_ = pos;
    last_offset_ = offset;
    if ((dpos | doffset) < 0x80) [[likely]] {  // nearby sites: a byte each
      out_.push_back(static_cast<uint8_t>(dpos));
      out_.push_back(static_cast<uint8_t>(doffset));
      return;
    }
    put(dpos);
    put(doffset);
  }
  /// Starts a new table (the caller emptied the vector).
  void restart() noexcept {
    last_pos_ = 0;
    last_offset_ = 0;
  }

 private:
  [[gnu::noinline]] void put(uint32_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  std::vector<uint8_t>& out_;
  uint32_t last_pos_ = 0;
  uint32_t last_offset_ = 0;
};

/// The wasm offset of the last recorded instruction starting before `pos`
/// (a resume or trap position lies after its instruction's start), or
/// UINT32_MAX if none does or the table is malformed.
inline uint32_t find_site(const std::vector<uint8_t>& table, uint32_t pos) noexcept {
  uint32_t at = 0;
  uint32_t offset = 0;
  uint32_t found = UINT32_MAX;
  size_t i = 0;
  auto get = [&](uint32_t* v) {
    uint32_t r = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (i >= table.size()) return false;
      const uint8_t b = table[i++];
      r |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  };
  while (i < table.size()) {
    uint32_t dp = 0;
    uint32_t doff = 0;
    if (!get(&dp) || !get(&doff)) return UINT32_MAX;
    at += dp;
    offset += doff;
    if (at >= pos) break;
    found = offset;
  }
  return found;
}

}  // namespace wvm
