#include "tier1-jit/relocation.h"

#include "tier1-jit/abi.h"

namespace wvm::jit {

void RelocationRecorder::add_runtime(uint32_t offset, RelocForm form, const void* fn) {
  // A function calls few helpers, mostly the same ones in a row.
  if (fn != last_fn_) {
    last_fn_ = fn;
    last_id_ = runtime_entry_id(fn);
  }
  const int id = last_id_;
  if (id < 0) persistable_ = false;  // e.g. a test's own helper
  add(offset, form, RelocTarget::Runtime, id < 0 ? UINT32_MAX : static_cast<uint32_t>(id),
      reinterpret_cast<uint64_t>(fn));
}

std::unique_ptr<JitCodeInfo> RelocationRecorder::take(size_t size) {
  if (!persistable_ || size > UINT32_MAX) return nullptr;
  auto info = std::make_unique<JitCodeInfo>();
  info->size = static_cast<uint32_t>(size);
  info->relocations = std::move(relocations_);
  values_.clear();
  return info;
}

}  // namespace wvm::jit
