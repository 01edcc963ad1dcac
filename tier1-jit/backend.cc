#include "tier1-jit/backend.h"

namespace wvm::jit {

namespace {
// One per compiling thread is enough: the engine's thread and its
// background compilers.
constexpr size_t kMaxPooled = 4;
}  // namespace

std::unique_ptr<MacroAssembler> Backend::take_function() {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      std::unique_ptr<MacroAssembler> masm = std::move(pool_.back());
      pool_.pop_back();
      return masm;
    }
  }
  return new_function();
}

void Backend::recycle(std::unique_ptr<MacroAssembler> masm) {
  if (!masm || !masm->reset()) return;
  std::lock_guard<std::mutex> lock(pool_mutex_);
  if (pool_.size() < kMaxPooled) pool_.push_back(std::move(masm));
}

}  // namespace wvm::jit
