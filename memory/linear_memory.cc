// wvm::Memory on a pooled reservation: growth by changing protection (the
// base never moves), release back to the pool zeroed.
#include <cstddef>

#include "memory/image.h"
#include "memory/pool.h"
#include "wvm/wvm.h"

namespace wvm {

Memory::Memory(MemoryType type, uint32_t max_pages, MemoryPool* pool, uint8_t* base,
               uint64_t reserved)
    : type_(type),
      max_pages_(max_pages),
      pool_(pool),
      base_(base),
      reserved_(reserved),
      size_(type.limits.min * kPageSize) {}

Memory::~Memory() {
  const Reservation r{base_, reserved_, size_};
  if (image_size_ != 0 && !unmap_image(base_ + image_offset_, image_size_))
    pool_->discard(r);
  else
    pool_->release(r);
}

size_t Memory::size_offset() noexcept { return offsetof(Memory, size_); }

int64_t Memory::grow(uint32_t delta) noexcept {
  const uint64_t old_pages = size_ / kPageSize;
  if (delta == 0) return static_cast<int64_t>(old_pages);
  const uint64_t new_pages = old_pages + delta;
  if (new_pages > max_pages_) return -1;
  Reservation r{base_, reserved_, size_};
  if (!set_accessible(r, new_pages * kPageSize)) return -1;  // the OS refused
  size_ = r.accessible;
  return static_cast<int64_t>(old_pages);
}

}  // namespace wvm
