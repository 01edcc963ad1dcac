#include "tier1-jit/loop_scan.h"

#include <algorithm>

namespace wvm::jit {
namespace {

// A cursor over validated code that refuses to run past `end`.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;

  uint8_t byte() {
    if (p >= end) {
      ok = false;
      return 0;
    }
    return *p++;
  }
  uint64_t leb() {  // unsigned or signed alike: only its extent matters here
    uint64_t v = 0;
    for (int shift = 0; ok; shift += 7) {
      const uint8_t b = byte();
      if (shift < 64) v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0 || shift > 70) break;
    }
    return v;
  }
  void skip(size_t n) {
    if (static_cast<size_t>(end - p) < n) {
      ok = false;
      return;
    }
    p += n;
  }
};

}  // namespace

LoopScan::LoopScan(const uint8_t* bytes, size_t body_start, size_t body_end, uint32_t num_locals)
    : bytes_(bytes),
      end_(body_end),
      budget_(2 * (body_end - body_start) + 4096),
      uses_(num_locals, 0),
      read_(num_locals, 0) {}

int32_t LoopScan::hot_locals(size_t offset, uint32_t max, uint32_t* out) {
  // Every counted local is reset, read or not: a stale count would keep a
  // local out of touched_ (and so out of the hot set) in every later skim.
  for (uint32_t x : touched_) {
    uses_[x] = 0;
    read_[x] = 0;
  }
  touched_.clear();
  if (!skim(offset)) return -1;
  read_locals_.clear();
  for (uint32_t x : touched_)
    if (read_[x] != 0) read_locals_.push_back(x);
  const auto count = static_cast<uint32_t>(std::min<size_t>(max, read_locals_.size()));
  std::partial_sort(read_locals_.begin(), read_locals_.begin() + count, read_locals_.end(),
                    [&](uint32_t a, uint32_t b) {
                      return uses_[a] != uses_[b] ? uses_[a] > uses_[b] : a < b;
                    });
  std::copy(read_locals_.begin(), read_locals_.begin() + count, out);
  return static_cast<int32_t>(count);
}

bool LoopScan::skim(size_t offset) {
  if (offset >= end_) return false;
  Cursor c{bytes_ + offset, bytes_ + end_};
  uint32_t depth = 0;
  do {
    const uint8_t* const start = c.p;
    const uint8_t op = c.byte();
    switch (op) {
      case 0x02: case 0x03: case 0x04:  // block, loop, if: a block type
        c.leb();
        ++depth;
        break;
      case 0x0b:  // end
        --depth;
        break;
      case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x23: case 0x24:
      case 0x25: case 0x26: case 0xd2:
        c.leb();
        break;
      case 0x0e: {  // br_table
        const uint64_t n = c.leb();
        for (uint64_t i = 0; i <= n && c.ok; ++i) c.leb();
        break;
      }
      case 0x11:  // call_indirect
        c.leb();
        c.leb();
        break;
      case 0x1c: {  // select t*
        const uint64_t n = c.leb();
        c.skip(n);
        break;
      }
      case 0x20: case 0x21: case 0x22: {  // local.get, local.set, local.tee
        const uint64_t x = c.leb();
        if (x >= uses_.size()) return false;
        const uint32_t local = static_cast<uint32_t>(x);
        if (uses_[local]++ == 0) touched_.push_back(local);
        if (op != 0x21) read_[local] = 1;
        break;
      }
      case 0x3f: case 0x40: case 0xd0:  // memory.size/grow (memory 0), ref.null t
        c.byte();
        break;
      case 0x41: case 0x42:
        c.leb();
        break;
      case 0x43:
        c.skip(4);
        break;
      case 0x44:
        c.skip(8);
        break;
      case 0xfc: {
        const uint64_t sub = c.leb();
        if (sub <= 7) break;  // saturating truncations
        if (sub == 8) {       // memory.init: segment, memory
          c.leb();
          c.byte();
        } else if (sub == 10) {  // memory.copy: two memories
          c.skip(2);
        } else if (sub == 11) {  // memory.fill
          c.byte();
        } else if (sub == 12 || sub == 14) {  // table.init, table.copy
          c.leb();
          c.leb();
        } else if (sub <= 17) {  // data.drop, elem.drop, table.grow/size/fill
          c.leb();
        } else {
          return false;
        }
        break;
      }
      default:
        if (op >= 0x28 && op <= 0x3e) {  // loads and stores: a memarg
          c.leb();
          c.leb();
        } else if (op == 0xfd || op == 0xfe || op > 0xd2) {
          return false;  // SIMD and anything unknown: no hints
        }
        break;
    }
    const size_t used = static_cast<size_t>(c.p - start);
    if (!c.ok || used > budget_) return false;
    budget_ -= used;
  } while (depth > 0);
  return true;
}

}  // namespace wvm::jit
