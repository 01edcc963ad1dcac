#include "tier1-jit/code_loader.h"

#include <cstring>
#include <string>

#include "tier0-interp/code.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/compiler.h"

namespace wvm::jit {
namespace {

constexpr size_t kAlign = 16;  // as CodeArena aligns each function

size_t aligned(size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

Error malformed(const std::string& message) {
  return Error{ErrorKind::Malformed, 0, "compiled module: " + message, TrapKind::None};
}

}  // namespace

Result<void> install_loaded_code(Backend& backend, const Module& module,
                                 std::vector<LoadedCode>& code) {
  if (code.empty()) return {};
  const uint32_t first = module.num_imported_funcs;
  const uint32_t num_funcs = module.num_funcs();
  // Which functions come with code, and where each goes in the block.
  std::vector<size_t> offset_of(num_funcs - first, SIZE_MAX);
  size_t total = 0;
  for (const LoadedCode& c : code) {
    if (c.func_index < first || c.func_index >= num_funcs || c.info.size == 0 ||
        offset_of[c.func_index - first] != SIZE_MAX)
      return malformed("bad tier-1 function " + std::to_string(c.func_index));
    offset_of[c.func_index - first] = total;
    total += aligned(c.info.size);
  }
  for (const LoadedCode& c : code) {
    // An OSR entry is a jump target: it must lie in the code of a function
    // whose tier-0 code numbers as many loops.
    if (!c.osr_entries.empty() &&
        c.osr_entries.size() != module.code[c.func_index - first]->loop_headers.size())
      return malformed("bad OSR entries in function " + std::to_string(c.func_index));
    for (uint32_t at : c.osr_entries)
      if (at >= c.info.size)
        return malformed("bad OSR entry in function " + std::to_string(c.func_index));
    for (const Relocation& r : c.info.relocations) {
      bool ok = false;
      switch (r.target_kind) {
        case RelocTarget::Runtime: ok = r.target < kNumRuntimeEntries; break;
        case RelocTarget::FuncEntry:
          ok = r.target >= first && r.target < num_funcs && offset_of[r.target - first] != SIZE_MAX;
          break;
        case RelocTarget::EntrySlot: ok = r.target >= first && r.target < num_funcs; break;
        case RelocTarget::TypeId: ok = r.target < module.type_ids.size(); break;
      }
      if (!ok || r.offset >= c.info.size)
        return malformed("bad relocation in function " + std::to_string(c.func_index));
    }
  }

  uint8_t* rw = nullptr;
  uint8_t* rx = backend.arena().allocate(total, &rw);
  if (rx == nullptr) return code_space_exhausted(backend.arena());
  // Owned by every function placed in it; back to the arena on error.
  auto block = std::make_shared<const CodeBlock>(backend.arena().shared_from_this(), rx);
  for (const LoadedCode& c : code) {
    const size_t at = offset_of[c.func_index - first];
    std::memcpy(rw + at, c.bytes, c.info.size);
    for (const Relocation& r : c.info.relocations) {
      uint64_t value = 0;
      switch (r.target_kind) {
        case RelocTarget::Runtime:
          value = reinterpret_cast<uint64_t>(runtime_entry(r.target));
          break;
        case RelocTarget::FuncEntry:
          value = reinterpret_cast<uint64_t>(rx + offset_of[r.target - first]);
          break;
        case RelocTarget::EntrySlot:
          value = reinterpret_cast<uint64_t>(&module.code[r.target - first]->jit_entry);
          break;
        case RelocTarget::TypeId: value = module.type_ids[r.target]; break;
      }
      if (!backend.relocate(rw + at, rx + at, c.info.size, r, value))
        return malformed("relocation does not fit function " + std::to_string(c.func_index));
    }
  }
  CodeArena::flush(rx, total);
  for (LoadedCode& c : code) {
    FuncCode& f = *module.code[c.func_index - first];
    const void* entry = rx + offset_of[c.func_index - first];
    f.jit_tried.store(true, std::memory_order_relaxed);
    f.jit_info = std::make_unique<JitCodeInfo>(std::move(c.info));
    f.jit_code = block;
    f.jit_size = c.info.size;
    f.jit_sites = std::move(c.sites);
    f.jit_osr_entries = std::move(c.osr_entries);
    f.osr_base.store(entry, std::memory_order_release);
    f.jit_entry.store(entry, std::memory_order_release);
  }
  return {};
}

}  // namespace wvm::jit
