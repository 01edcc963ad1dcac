// The "name" section (WebAssembly 2.0, appendix 7.4.1): subsections of
// (id u8, size u32, contents); id 1 is a name map of (function index, name)
// pairs with strictly increasing indices. Names point into the module's own
// bytes, so keeping them costs 12 bytes per named function.
#include "module/name_section.h"

#include "module/reader.h"

namespace wvm {
namespace {

constexpr uint8_t kFunctionNames = 1;

bool read_name_map(Reader& r, size_t end, uint32_t num_funcs, std::vector<FuncName>* out) {
  uint32_t n = 0;
  if (!r.u32(&n)) return false;
  // Each entry takes at least two bytes: a count past that is malformed, and
  // checking it first bounds the reservation by the section's size.
  if (n > (end - r.pos()) / 2) return false;
  out->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t index = 0;
    uint32_t len = 0;
    if (!r.u32(&index) || !r.u32(&len)) return false;
    if (index >= num_funcs || (!out->empty() && index <= out->back().func_index)) return false;
    if (len > end - r.pos()) return false;
    out->push_back(FuncName{index, static_cast<uint32_t>(r.pos()), len});
    r.seek(r.pos() + len);
  }
  return r.pos() == end;
}

}  // namespace

std::vector<FuncName> parse_function_names(const uint8_t* bytes, size_t start, size_t size,
                                           uint32_t num_funcs) {
  const size_t end = start + size;
  Reader r(bytes, start, end);
  std::vector<FuncName> names;
  uint8_t last_id = 0;
  bool seen = false;
  while (!r.at_end()) {
    uint8_t id = 0;
    uint32_t sub_size = 0;
    if (!r.u8(&id) || !r.u32(&sub_size) || sub_size > r.remaining()) return {};
    // Subsections come at most once each, in increasing id order.
    if (seen && id <= last_id) return {};
    seen = true;
    last_id = id;
    const size_t sub_end = r.pos() + sub_size;
    if (id == kFunctionNames) {
      Reader sub(bytes, r.pos(), sub_end);
      if (!read_name_map(sub, sub_end, num_funcs, &names)) return {};
    }
    r.seek(sub_end);
  }
  return names;
}

}  // namespace wvm
