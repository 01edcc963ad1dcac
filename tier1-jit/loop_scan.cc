#include "tier1-jit/loop_scan.h"

#include <algorithm>
#include <array>

namespace wvm::jit {
namespace {

// What follows each one-byte opcode, for the skim.
enum Imm : uint8_t {
  kNone,      // nothing
  kLeb,       // one LEB128 (branch depths, indices, constants)
  kLeb2,      // two (memargs, call_indirect)
  kBlock,     // a block type: one more level
  kEnd,       // one level less
  kLocal,     // a local index: counted
  kByte,      // one byte (memory.size/grow, ref.null)
  kFixed4,    // f32.const
  kFixed8,    // f64.const
  kBrTable,   // a count, then count + 1 depths
  kSelectT,   // a count, then that many value types
  kMisc,      // 0xfc: a sub-opcode and its immediates
  kUnknown,   // SIMD, threads, anything else: no hints
};

constexpr std::array<uint8_t, 256> make_imm_table() {
  std::array<uint8_t, 256> t{};
  for (int op = 0xd3; op < 256; ++op) t[op] = kUnknown;
  t[0x02] = t[0x03] = t[0x04] = kBlock;
  t[0x0b] = kEnd;
  for (int op : {0x0c, 0x0d, 0x10, 0x12, 0x23, 0x24, 0x25, 0x26, 0xd2, 0x41, 0x42}) t[op] = kLeb;
  t[0x0e] = kBrTable;
  t[0x11] = kLeb2;
  t[0x1c] = kSelectT;
  t[0x20] = t[0x21] = t[0x22] = kLocal;
  t[0x3f] = t[0x40] = t[0xd0] = kByte;
  t[0x43] = kFixed4;
  t[0x44] = kFixed8;
  for (int op = 0x28; op <= 0x3e; ++op) t[op] = kLeb2;  // loads and stores: a memarg
  t[0xfc] = kMisc;
  return t;
}
constexpr std::array<uint8_t, 256> kImm = make_imm_table();

// Skips one LEB128 (unsigned or signed alike) at p, never reading at or past
// `end`; nullptr if it runs into `end` or past 10 bytes.
inline const uint8_t* skip_leb(const uint8_t* p, const uint8_t* end) {
  const uint8_t* const stop = end - p > 10 ? p + 10 : end;
  while (p < stop && (*p & 0x80) != 0) ++p;
  return p < stop ? p + 1 : nullptr;
}

// The value of the LEB128 at *p (a local index), advancing *p; false past `end`.
inline bool read_leb(const uint8_t** p, const uint8_t* end, uint64_t* out) {
  uint64_t v = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 70; shift += 7) {
    if (q >= end) return false;
    const uint8_t b = *q++;
    if (shift < 64) v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

void LoopScan::reset(const uint8_t* bytes, size_t body_start, size_t body_end,
                     uint32_t num_locals) {
  bytes_ = bytes;
  end_ = body_end;
  budget_ = 2 * (body_end - body_start) + 4096;
  uses_.assign(num_locals, 0);
  read_.assign(num_locals, 0);
  touched_.clear();
  read_locals_.clear();
}

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
  // The skim stops at the budget: one that would read past it gives up.
  const uint8_t* const start = bytes_ + offset;
  const uint8_t* const end = start + std::min(end_ - offset, budget_);
  const uint8_t* p = start;
  // Each step reads the opcode at p (p < end) and sets p past its
  // immediates, or nullptr when they run past the end.
  const auto skip = [&](size_t n) { p = static_cast<size_t>(end - p) >= n ? p + n : nullptr; };
  const auto leb = [&] { p = skip_leb(p, end); };
  // Giving up still spends the budget on every whole opcode read, so that
  // skims that fail cannot read the body again and again.
  const uint8_t* op_start = start;
  const auto give_up = [&] {
    budget_ -= static_cast<size_t>(op_start - start);
    return false;
  };
  uint32_t depth = 0;
  do {
    op_start = p;
    if (p >= end) return give_up();
    const uint8_t op = *p++;
    switch (kImm[op]) {
      case kNone:
        break;
      case kLeb:
        leb();
        break;
      case kLeb2:
        leb();
        if (p != nullptr) leb();
        break;
      case kBlock:
        leb();
        ++depth;
        break;
      case kEnd:
        --depth;
        break;
      case kLocal: {
        uint64_t x = 0;
        if (!read_leb(&p, end, &x) || x >= uses_.size()) return give_up();
        const uint32_t local = static_cast<uint32_t>(x);
        if (uses_[local]++ == 0) touched_.push_back(local);
        if (op != 0x21) read_[local] = 1;
        break;
      }
      case kByte:
        skip(1);
        break;
      case kFixed4:
        skip(4);
        break;
      case kFixed8:
        skip(8);
        break;
      case kBrTable: {
        uint64_t n = 0;
        if (!read_leb(&p, end, &n)) return give_up();
        for (uint64_t i = 0; i <= n && p != nullptr; ++i) leb();
        break;
      }
      case kSelectT: {
        uint64_t n = 0;
        if (!read_leb(&p, end, &n)) return give_up();
        skip(n);
        break;
      }
      case kMisc: {
        uint64_t sub = 0;
        if (!read_leb(&p, end, &sub)) return give_up();
        if (sub <= 7) break;  // saturating truncations
        if (sub == 8) {       // memory.init: segment, memory
          leb();
          if (p != nullptr) skip(1);
        } else if (sub == 10) {  // memory.copy: two memories
          skip(2);
        } else if (sub == 11) {  // memory.fill
          skip(1);
        } else if (sub == 12 || sub == 14) {  // table.init, table.copy
          leb();
          if (p != nullptr) leb();
        } else if (sub <= 17) {  // data.drop, elem.drop, table.grow/size/fill
          leb();
        } else {
          return give_up();
        }
        break;
      }
      default:
        return give_up();  // SIMD and anything unknown: no hints
    }
    if (p == nullptr) return give_up();
  } while (depth > 0);
  budget_ -= static_cast<size_t>(p - start);
  return true;
}

}  // namespace wvm::jit
