// Per-thread storage that objects borrow one after another.
#pragma once

#include <cstddef>

namespace wvm {

/// Storage of type S that objects borrow one after another on a thread, so
/// that their containers keep their capacity from one function body (or one
/// module's code, tier1-jit/code_arena.h) to the next. The owner swaps its
/// containers with get()'s while it lives (get() is nullptr while another
/// owner on the thread holds the storage) and swaps them back, emptied,
/// before this member is destroyed. Containers
/// past kKeep entries (or a limit of the owner's) are not given back: a
/// hostile body's do not stay.
template <class S>
class ThreadStorage {
 public:
  static constexpr size_t kKeep = 4096;
  ThreadStorage() noexcept {
    thread_local Slot slot;
    if (!slot.taken) {
      slot.taken = true;
      slot_ = &slot;
    }
  }
  ~ThreadStorage() {
    if (slot_ != nullptr) slot_->taken = false;
  }
  ThreadStorage(const ThreadStorage&) = delete;
  ThreadStorage& operator=(const ThreadStorage&) = delete;
  S* get() const noexcept { return slot_ != nullptr ? &slot_->storage : nullptr; }

 private:
  struct Slot {
    S storage;
    bool taken = false;
  };
  Slot* slot_ = nullptr;
};

}  // namespace wvm
