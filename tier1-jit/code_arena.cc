// W^X executable memory by dual mapping (Linux memfd).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // memfd_create
#endif

#include "tier1-jit/code_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "memory/trap_handler.h"

namespace wvm::jit {

std::unique_ptr<CodeArena> CodeArena::create(size_t size, int saved_register) {
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0 || size == 0) return nullptr;
  size = (size + static_cast<size_t>(page) - 1) & ~(static_cast<size_t>(page) - 1);
  const int fd = memfd_create("wvm-jit", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  // Sparse: pages cost memory only once code is written to them.
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    close(fd);
    return nullptr;
  }
  void* rw = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (rw == MAP_FAILED) {
    close(fd);
    return nullptr;
  }
  // Fails where policy forbids executable shared mappings (e.g. a
  // vm.memfd_noexec setting or an SELinux execmem denial).
  void* rx = mmap(nullptr, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
  close(fd);  // the mappings keep the file alive
  if (rx == MAP_FAILED) {
    munmap(rw, size);
    return nullptr;
  }
  // A fault hands the backend's gas register to the TrapScope.
  register_code_range(rx, static_cast<uint8_t*>(rx) + size, saved_register);
  return std::unique_ptr<CodeArena>(
      new CodeArena(static_cast<uint8_t*>(rw), static_cast<uint8_t*>(rx), size));
}

CodeArena::~CodeArena() {
  unregister_code_range(rx_);
  munmap(rx_, size_);
  munmap(rw_, size_);
}

uint8_t* CodeArena::allocate(size_t size, uint8_t** writable) {
  constexpr size_t kAlign = 16;
  std::lock_guard<std::mutex> lock(mutex_);
  if (size > size_ - used_) return nullptr;
  const size_t offset = used_;
  used_ = std::min(size_, (used_ + size + kAlign - 1) & ~(kAlign - 1));
  *writable = rw_ + offset;
  return rx_ + offset;
}

void CodeArena::flush(const uint8_t* code, size_t size) noexcept {
  // The data cache is physically indexed, so cleaning through the RX alias
  // covers the lines written through the RW one; the instruction cache is
  // invalidated for the addresses the code runs at.
  char* begin = const_cast<char*>(reinterpret_cast<const char*>(code));
  __builtin___clear_cache(begin, begin + size);
}

size_t CodeArena::used() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

bool CodeArena::contains(const void* p) const noexcept {
  const auto* b = static_cast<const uint8_t*>(p);
  return b >= rx_ && b < rx_ + size_;
}

}  // namespace wvm::jit
