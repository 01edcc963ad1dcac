// W^X executable memory by dual mapping (Linux memfd).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // memfd_create
#endif

#include "tier1-jit/code_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "memory/trap_handler.h"

namespace wvm::jit {

namespace {
constexpr size_t kAlign = 16;
#ifndef MADV_POPULATE_WRITE
constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older headers lack it
#endif
}  // namespace

std::shared_ptr<CodeArena> CodeArena::create(size_t size, int saved_register,
                                             uint32_t trap_word) {
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
  if (rx == MAP_FAILED) {
    munmap(rw, size);
    close(fd);
    return nullptr;
  }
  // A fault hands the backend's gas register to the TrapScope.
  register_code_range(rx, static_cast<uint8_t*>(rx) + size, saved_register);
  return std::shared_ptr<CodeArena>(
      new CodeArena(fd, static_cast<uint8_t*>(rw), static_cast<uint8_t*>(rx), size, trap_word));
}

CodeArena::~CodeArena() {
  unregister_code_range(rx_);
  munmap(rx_, size_);
  munmap(rw_, size_);
  close(fd_);
}

uint8_t* CodeArena::allocate(size_t size, uint8_t** writable, CodeBatch* batch) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (size == 0 || size > size_) {
    ++failed_;
    return nullptr;
  }
  size = (size + kAlign - 1) & ~(kAlign - 1);
  size_t offset = 0;
  // Best fit keeps large ranges whole for large modules; O(log n).
  auto fit = free_by_size_.lower_bound({size, 0});
  if (fit != free_by_size_.end()) {
    const auto [range_size, range_offset] = *fit;
    erase_free(free_by_offset_.find(range_offset));
    offset = range_offset;
    if (range_size > size) insert_free(offset + size, range_size - size);
  } else if (size <= size_ - top_) {
    offset = top_;
    if (batch != nullptr) {
      // From the top: into the batch's buffer, which holds one run of
      // blocks. (Part of it may be mapped already: populate() works ahead;
      // pwrite() writes those pages as well.)
      if (!batch->staged_.empty() && (batch->start_ + batch->staged_.size() != offset ||
                                      batch->staged_.size() + size > CodeBatch::kMaxBytes))
        commit_locked(*batch);
      if (batch->staged_.empty()) {
        batch->staged_.reserve(CodeBatch::kMaxBytes);
        batch->start_ = offset;
        if (std::find(batches_.begin(), batches_.end(), batch) == batches_.end())
          batches_.push_back(batch);
      }
      batch->staged_.resize(offset + size - batch->start_);
      top_ += size;
      // The pages the batch writes need no populate() later.
      populated_ = std::max(populated_, top_);
      live_.emplace(offset, size);
      used_ += size;
      *writable = batch->staged_.data() + (offset - batch->start_);
      return rx_ + offset;
    }
    top_ += size;
    if (top_ > populated_) populate(top_);
  } else {
    ++failed_;
    return nullptr;
  }
  live_.emplace(offset, size);
  used_ += size;
  *writable = rw_ + offset;
  return rx_ + offset;
}

void CodeArena::release(const uint8_t* code) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(static_cast<size_t>(code - rx_));
  if (it == live_.end()) return;
  size_t offset = it->first;
  size_t size = it->second;
  // Its code may still be in a batch: written out first, so that the trap
  // fill below is what stays (and the batch stops before this block).
  for (size_t i = 0; i < batches_.size(); ++i) {
    CodeBatch& b = *batches_[i];
    if (offset >= b.start_ && offset < b.start_ + b.staged_.size()) {
      commit_locked(b);
      break;
    }
  }
  live_.erase(it);
  used_ -= size;
  // Never leave stale code to jump into: a dangling entry now traps.
  for (size_t i = 0; i < size; i += 4) std::memcpy(rw_ + offset + i, &trap_word_, 4);
  flush(rx_ + offset, size);
  // Merge with the free neighbours on both sides, and into the untouched top.
  auto next = free_by_offset_.lower_bound(offset);
  if (next != free_by_offset_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      offset = prev->first;
      size += prev->second;
      erase_free(prev);
    }
  }
  if (next != free_by_offset_.end() && offset + size == next->first) {
    size += next->second;
    erase_free(next);
  }
  if (offset + size == top_) {
    top_ = offset;
  } else {
    insert_free(offset, size);
  }
}

void CodeArena::populate(size_t end) noexcept {
  const size_t to = std::min(size_, (end + kPopulateStep - 1) / kPopulateStep * kPopulateStep);
  // Only a hint: a kernel without MADV_POPULATE_WRITE (before 5.14) faults
  // the pages in as they are written.
  (void)madvise(rw_ + populated_, to - populated_, MADV_POPULATE_WRITE);
  populated_ = to;
}

void CodeArena::commit_locked(CodeBatch& batch) noexcept {
  batches_.erase(std::remove(batches_.begin(), batches_.end(), &batch), batches_.end());
  const uint8_t* p = batch.staged_.data();
  size_t left = batch.staged_.size();
  auto at = static_cast<off_t>(batch.start_);
  while (left > 0 && !batch.failed_) {
    const ssize_t n = pwrite(fd_, p, left, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      batch.failed_ = true;  // ENOSPC or ENOMEM: the file could not grow
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
    at += n;
  }
  flush(rx_ + batch.start_, batch.staged_.size());
  batch.staged_.clear();  // keeps the buffer for the next run
}

CodeBatch::~CodeBatch() {
  (void)commit();
  std::vector<uint8_t>* spare = spare_.get();
  if (spare == nullptr || staged_.capacity() > kMaxBytes) return;
  staged_.swap(*spare);  // empty after the commit
}

bool CodeBatch::commit() noexcept {
  std::lock_guard<std::mutex> lock(arena_.mutex_);
  arena_.commit_locked(*this);  // also when empty: the arena forgets the batch
  return !failed_;
}

void CodeArena::insert_free(size_t offset, size_t size) {
  free_by_offset_.emplace(offset, size);
  free_by_size_.emplace(size, offset);
}

void CodeArena::erase_free(std::map<size_t, size_t>::iterator it) {
  free_by_size_.erase({it->second, it->first});
  free_by_offset_.erase(it);
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

uint64_t CodeArena::failed_allocations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return failed_;
}

bool CodeArena::contains(const void* p) const noexcept {
  const auto* b = static_cast<const uint8_t*>(p);
  return b >= rx_ && b < rx_ + size_;
}

}  // namespace wvm::jit
