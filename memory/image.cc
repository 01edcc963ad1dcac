#include "memory/image.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace wvm {
namespace {

constexpr uint64_t kOsPage = 4096;

bool write_all(int fd, const uint8_t* p, size_t n, off_t at) {
  while (n > 0) {
    const ssize_t w = pwrite(fd, p, n, at);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
    at += w;
  }
  return true;
}

}  // namespace

std::unique_ptr<MemoryImage> MemoryImage::build(const Module& m) {
  if (m.memories.size() != 1 || m.num_imported_memories != 0) return nullptr;
  const uint64_t initial = m.memories[0].limits.min * 65536;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const DataSegment& d : m.datas) {
    if (d.mode != SegmentMode::Active) continue;
    if (d.offset.kind != ConstExpr::Kind::Value) return nullptr;  // depends on an import
    const uint64_t at = static_cast<uint32_t>(d.offset.value.bits);
    if (at + d.data_size > initial) return nullptr;  // instantiation must trap instead
    if (d.data_size == 0) continue;
    lo = std::min(lo, at);
    hi = std::max(hi, at + d.data_size);
  }
  if (hi == 0) return nullptr;
  lo &= ~(kOsPage - 1);
  hi = (hi + kOsPage - 1) & ~(kOsPage - 1);

  const int fd = memfd_create("wvm-memory-image", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  std::unique_ptr<MemoryImage> image(new MemoryImage(fd, lo, hi - lo));
  if (ftruncate(fd, static_cast<off_t>(hi - lo)) != 0) return nullptr;
  // Later segments overwrite earlier ones, as applying them in order would.
  for (const DataSegment& d : m.datas) {
    if (d.mode != SegmentMode::Active || d.data_size == 0) continue;
    const uint64_t at = static_cast<uint32_t>(d.offset.value.bits);
    if (!write_all(fd, m.bytes.data() + d.data_start, d.data_size, static_cast<off_t>(at - lo)))
      return nullptr;
  }
  return image;
}

MemoryImage::~MemoryImage() { close(fd_); }

bool MemoryImage::map_into(uint8_t* memory_base) const noexcept {
  void* p = mmap(memory_base + offset_, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
                 fd_, 0);
  return p != MAP_FAILED;
}

bool unmap_image(uint8_t* begin, uint64_t size) noexcept {
  void* p = mmap(begin, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
  return p != MAP_FAILED;
}

}  // namespace wvm
