#include "tier0-interp/portable_code.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "tier0-interp/interp.h"

namespace wvm {
namespace {

// The words of the instruction `op` at words[at] (handler included), or 0 if
// they run past `size`.
size_t instruction_words(IOp op, const uint64_t* words, size_t at, size_t size) {
  size_t n = kIOpWords[static_cast<size_t>(op)];
  if (n == 0) {  // BrTable: index|n, src|keep, then n+1 entries (after the cost word if charging)
    const size_t header = at + 1 + (op == IOp::GasBrTable ? 1 : 0);
    if (header >= size) return 0;
    const uint64_t entries = (words[header] >> 32) + 1;
    if (entries > size) return 0;
    n = header - at + 2 + entries;
  }
  return n <= size - at ? n : 0;
}

// Handler address -> IOp, sorted by address, for one bounds strategy.
struct HandlerIndex {
  std::vector<std::pair<uint64_t, uint16_t>> by_address;
  bool ambiguous = false;  // two IOps share a handler but not their immediates
};

HandlerIndex build_index(BoundsStrategy bounds) {
  const void* const* handlers = interp_handlers(bounds);
  HandlerIndex index;
  for (size_t i = 0; i < kNumIOps; ++i)
    index.by_address.emplace_back(reinterpret_cast<uint64_t>(handlers[i]), static_cast<uint16_t>(i));
  std::sort(index.by_address.begin(), index.by_address.end());
  for (size_t i = 1; i < index.by_address.size(); ++i) {
    if (index.by_address[i].first == index.by_address[i - 1].first &&
        kIOpWords[index.by_address[i].second] != kIOpWords[index.by_address[i - 1].second])
      index.ambiguous = true;
  }
  return index;
}

const HandlerIndex& handler_index(BoundsStrategy bounds) {
  static const HandlerIndex guarded = build_index(BoundsStrategy::GuardPages);
  static const HandlerIndex checked = build_index(BoundsStrategy::ExplicitChecks);
  return bounds == BoundsStrategy::GuardPages ? guarded : checked;
}

bool find_op(const HandlerIndex& index, uint64_t handler, IOp* op) {
  auto it = std::lower_bound(index.by_address.begin(), index.by_address.end(),
                             std::make_pair(handler, uint16_t{0}));
  if (it == index.by_address.end() || it->first != handler) return false;
  *op = static_cast<IOp>(it->second);
  return true;
}

// Where call_indirect's type id is (the low half of that word), if `op` is
// one: its first operand word, after the cost word when fused with a charge.
size_t type_word(IOp op) {
  if (op == IOp::CallIndirect) return 1;
  if (op == IOp::GasCallIndirect) return 2;
  return 0;
}

}  // namespace

bool tier0_to_portable(const Module& module, const FuncCode& code, std::vector<uint64_t>& out) {
  const HandlerIndex& index = handler_index(module.bounds);
  if (index.ambiguous) return false;
  const uint64_t* words = code.code.data();
  const size_t size = code.code.size();
  const size_t base = out.size();
  out.insert(out.end(), words, words + size);
  for (size_t at = 0; at < size;) {
    IOp op;
    if (!find_op(index, words[at], &op)) return false;
    const size_t n = instruction_words(op, words, at, size);
    if (n == 0) return false;
    out[base + at] = static_cast<uint64_t>(op);
    if (const size_t t = type_word(op)) {
      // Any type index with this canonical id maps back to it in any engine.
      const auto& ids = module.type_ids;
      auto it = std::find(ids.begin(), ids.end(), static_cast<uint32_t>(words[at + t]));
      if (it == ids.end()) return false;
      out[base + at + t] = (words[at + t] & ~uint64_t{UINT32_MAX}) | static_cast<uint64_t>(it - ids.begin());
    }
    at += n;
  }
  return true;
}

bool tier0_from_portable(const Module& module, std::vector<uint64_t>& words) {
  const void* const* handlers = interp_handlers(module.bounds);
  const size_t size = words.size();
  for (size_t at = 0; at < size;) {
    if (words[at] >= kNumIOps) return false;
    const auto op = static_cast<IOp>(words[at]);
    const size_t n = instruction_words(op, words.data(), at, size);
    if (n == 0) return false;
    words[at] = reinterpret_cast<uint64_t>(handlers[words[at]]);
    if (const size_t t = type_word(op)) {
      const uint32_t type_index = static_cast<uint32_t>(words[at + t]);
      if (type_index >= module.type_ids.size()) return false;
      words[at + t] = (words[at + t] & ~uint64_t{UINT32_MAX}) | module.type_ids[type_index];
    }
    at += n;
  }
  return true;
}

}  // namespace wvm
