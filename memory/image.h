// Copy-on-write images of a module's initial linear memory.
//
// When a module defines its memory and every active data segment has a
// constant offset inside the initial size, the bytes those segments write are
// known at compile time. They are put once into a memfd; instantiation maps
// the image privately (MAP_PRIVATE | MAP_FIXED) over the accessible part of a
// fresh reservation instead of copying the segments. Pages are then shared
// until an instance writes them, so instantiation costs one mmap and no
// page faults; releasing the memory maps zero anonymous pages back over it.
#pragma once

#include <cstdint>
#include <memory>

#include "wvm/module.h"

namespace wvm {

class MemoryImage {
 public:
  /// The image for `module`, or nullptr if it has none (no data, an imported
  /// memory, a global.get offset, a segment past the initial size) or the OS
  /// cannot make one; instantiation then copies segments as usual.
  static std::unique_ptr<MemoryImage> build(const Module& module);
  ~MemoryImage();
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  /// Offset in linear memory of the first byte the image covers (page aligned).
  uint64_t offset() const noexcept { return offset_; }
  /// Bytes the image covers (page aligned).
  uint64_t size() const noexcept { return size_; }
  /// Maps the image at memory_base + offset(); false if the OS refuses.
  bool map_into(uint8_t* memory_base) const noexcept;

 private:
  MemoryImage(int fd, uint64_t offset, uint64_t size) : fd_(fd), offset_(offset), size_(size) {}
  int fd_;
  uint64_t offset_;
  uint64_t size_;
};

/// Replaces [begin, begin + size) with fresh zero anonymous read-write
/// pages, undoing map_into(). False if the OS refuses.
bool unmap_image(uint8_t* begin, uint64_t size) noexcept;

}  // namespace wvm
