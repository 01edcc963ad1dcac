#include "tier0-interp/portable_code.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "tier0-interp/interp.h"

namespace wvm {
namespace {

constexpr int8_t kBrTableImms = -1;  // 1 + 2 * (n + 1), n being the first immediate

// Immediate words after each special operation's handler (iops.def).
constexpr int8_t special_imms(IOp op) {
  switch (op) {
    case IOp::Unreachable: case IOp::Return: case IOp::Drop: case IOp::Select:
    case IOp::MemorySize: case IOp::MemoryGrow: case IOp::RefIsNull: case IOp::MemoryCopy:
    case IOp::MemoryFill:
      return 0;
    case IOp::BrDrop: case IOp::BrIfDrop: case IOp::CallIndirect: case IOp::TableInit:
    case IOp::TableCopy:
    // A charge fused with a control instruction: the cost, then its immediates.
    case IOp::GasBr: case IOp::GasBrBack: case IOp::GasBrIf: case IOp::GasBrIfBack:
    case IOp::GasBrUnless: case IOp::GasCall:
      return 2;
    case IOp::GasBrDrop: case IOp::GasBrIfDrop: case IOp::GasCallIndirect:
      return 3;
    case IOp::BrTable:
      return kBrTableImms;
    case IOp::GasBrTable:
      return kBrTableImms;  // the cost word first: handled by the walker
    default:
      return 1;  // Br*, Call, locals, globals, tables, Const, RefFunc, segments, Gas*, GasReturn
  }
}

constexpr int8_t kImms[] = {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) 1,
#define WVM_STORE(name, pfx, code, text, vt, mt, align) 1,
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) 0,
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) 0,
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_IOP(name) special_imms(IOp::name),
#include "tier0-interp/iops.def"
#undef WVM_IOP
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)
#define WVM_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) 1, 1,
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
};
static_assert(std::size(kImms) == kNumIOps, "one immediate count per IOp");

// The words of the instruction `op` at words[at] (handler included), or 0 if
// its immediates run past `size`.
size_t instruction_words(IOp op, const uint64_t* words, size_t at, size_t size) {
  const int8_t fixed = kImms[static_cast<size_t>(op)];
  if (fixed != kBrTableImms) return size - at > static_cast<size_t>(fixed) ? 1 + fixed : 0;
  const size_t n_at = at + 1 + (op == IOp::GasBrTable ? 1 : 0);
  if (n_at >= size) return 0;
  const uint64_t entries = words[n_at] + 1;  // n + 1 {offset, drop} pairs
  if (entries == 0 || entries > (size - n_at - 1) / 2) return 0;
  return n_at - at + 1 + 2 * entries;
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
        kImms[index.by_address[i].second] != kImms[index.by_address[i - 1].second])
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

// Where call_indirect's type word is, if `op` is one: its first immediate,
// after the cost word when fused with a charge.
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
      out[base + at + t] = static_cast<uint64_t>(it - ids.begin());
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
      if (words[at + t] >= module.type_ids.size()) return false;
      words[at + t] = module.type_ids[words[at + t]];
    }
    at += n;
  }
  return true;
}

}  // namespace wvm
