#include <algorithm>
#include "memory/pool.h"

#include <sys/mman.h>

#include <atomic>

#include "memory/trap_handler.h"

namespace wvm {
namespace {

std::atomic<int> g_fail_commits{0};

bool injected_failure() noexcept {
  int n = g_fail_commits.load(std::memory_order_relaxed);
  while (n > 0) {
    if (g_fail_commits.compare_exchange_weak(n, n - 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

Error pool_error(std::string message) {
  return Error{ErrorKind::Uninstantiable, 0, std::move(message), TrapKind::None};
}

}  // namespace

void fail_next_commits_for_testing(int n) noexcept {
  g_fail_commits.store(n, std::memory_order_relaxed);
}

bool set_accessible(Reservation& r, uint64_t new_accessible) noexcept {
  if (new_accessible == r.accessible) return true;
  if (new_accessible > r.size) return false;
  if (new_accessible > r.accessible) {
    if (injected_failure()) return false;
    if (mprotect(r.base + r.accessible, new_accessible - r.accessible, PROT_READ | PROT_WRITE) != 0)
      return false;
  } else {
    // Shrinking only happens on reuse; the pages were zeroed on release.
    if (mprotect(r.base + new_accessible, r.accessible - new_accessible, PROT_NONE) != 0)
      return false;
  }
  r.accessible = new_accessible;
  return true;
}

MemoryPool::MemoryPool(const MemoryConfig& config) : config_(config) {}

MemoryPool::~MemoryPool() {
  // Live reservations belong to memories, which must not outlive the engine.
  for (const Reservation& r : idle_) {
    unregister_reservation(r.base);
    munmap(r.base, r.size);
  }
}

Result<Reservation> MemoryPool::acquire(uint64_t size, uint64_t accessible) {
  Reservation r;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = idle_.size(); i-- > 0;) {
      if (idle_[i].size == size) {
        r = idle_[i];
        idle_[i] = idle_.back();
        idle_.pop_back();
        break;
      }
    }
    if (r.base == nullptr) {
      if (reserved_ + size > config_.address_space_budget)
        return pool_error("address-space budget of the memory pool exhausted (" +
                          std::to_string(reserved_ >> 20) + " MiB reserved, budget " +
                          std::to_string(config_.address_space_budget >> 20) + " MiB)");
      reserved_ += size;
    }
  }
  if (r.base == nullptr) {
    void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      std::lock_guard<std::mutex> lock(mutex_);
      reserved_ -= size;
      return pool_error("cannot reserve " + std::to_string(size >> 20) +
                        " MiB of address space for a linear memory");
    }
    r = Reservation{static_cast<uint8_t*>(p), size, 0};
    register_reservation(r.base, r.size);
  }
  if (!set_accessible(r, accessible)) {
    release(r);
    return pool_error("cannot commit " + std::to_string(accessible >> 10) +
                      " KiB for a linear memory");
  }
  return r;
}

uint64_t MemoryPool::available_size(uint64_t size, uint64_t min_size, uint64_t share) noexcept {
  constexpr uint64_t kWasmPage = 65536;
  const uint64_t floor = std::max<uint64_t>((min_size + kWasmPage - 1) & ~(kWasmPage - 1), kWasmPage);
  for (uint64_t s = size; s >= floor; s /= 2) {
    void* p = mmap(nullptr, s, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) continue;
    munmap(p, s);
    return std::max<uint64_t>((s / share) & ~(kWasmPage - 1), floor);
  }
  return 0;
}

void MemoryPool::release(Reservation r) noexcept {
  if (r.base == nullptr) return;
  // Zero what was accessible: the next owner must never see these bytes.
  if (r.accessible != 0 && madvise(r.base, r.accessible, MADV_DONTNEED) != 0) {
    discard(r);  // cannot guarantee zeroes: never reuse it
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (idle_.size() < config_.pool_max_idle) {
    idle_.push_back(r);
    return;
  }
  reserved_ -= r.size;
  unregister_reservation(r.base);
  munmap(r.base, r.size);
}

void MemoryPool::discard(Reservation r) noexcept {
  unregister_reservation(r.base);
  munmap(r.base, r.size);
  std::lock_guard<std::mutex> lock(mutex_);
  reserved_ -= r.size;
}

uint64_t MemoryPool::reserved_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return reserved_;
}

size_t MemoryPool::idle_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return idle_.size();
}

}  // namespace wvm
