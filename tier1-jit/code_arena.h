// Executable memory for tier 1, shared by every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

namespace wvm::jit {

/// W^X code memory: one memfd mapped twice, a read-write view that is never
/// executable and a read-execute view that is never writable. One
/// reservation for the arena's life, so every block is in reach of every
/// other (x86-64 call rel32, AArch64 bl within 128 MiB). Blocks come from a
/// best-fit free list with coalescing and go back to it when released, their
/// bytes overwritten with trap instructions first. The RX view is registered
/// as engine code so guard-page faults in it become traps. Thread-safe.
class CodeArena : public std::enable_shared_from_this<CodeArena> {
 public:
  static constexpr size_t kDefaultSize = size_t{128} << 20;
  /// Four int3 (x86-64); AArch64 backends pass brk #0.
  static constexpr uint32_t kX64TrapWord = 0xCCCCCCCCu;

  /// nullptr if the dual mapping cannot be made (no memfd, exec forbidden, ...).
  /// `saved_register` is the machine register in which the code keeps the
  /// call's gas (see register_code_range in memory/trap_handler.h);
  /// `trap_word` the 4-byte pattern that fills released blocks.
  static std::shared_ptr<CodeArena> create(size_t size = kDefaultSize, int saved_register = -1,
                                           uint32_t trap_word = kX64TrapWord);
  ~CodeArena();
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;

  /// A 16-byte-aligned block of `size` bytes: its address in the RX view
  /// (returned) and in the RW view (`*writable`). nullptr when no free range
  /// is large enough (counted in failed_allocations()). The caller writes
  /// the code and flush()es it before publishing: a reused block may still
  /// sit in instruction caches with its old (trap) contents.
  uint8_t* allocate(size_t size, uint8_t** writable);
  /// Returns a block from allocate() (by its RX address): filled with trap
  /// instructions and flushed, then free for reuse. The caller guarantees no
  /// thread runs or will enter it any more.
  void release(const uint8_t* code) noexcept;

  /// Makes `size` bytes written through the RW view at `code` (an RX
  /// address from allocate()) visible to instruction fetch: a no-op where
  /// the caches are coherent (x86-64), a data-cache clean and
  /// instruction-cache invalidate on AArch64. Call before publishing `code`.
  static void flush(const uint8_t* code, size_t size) noexcept;

  /// Bytes in blocks handed out and not released (alignment included).
  size_t used() const;
  size_t capacity() const noexcept { return size_; }
  /// Calls of allocate() that found no room.
  uint64_t failed_allocations() const;
  /// Whether `p` points into the executable view.
  bool contains(const void* p) const noexcept;

 private:
  CodeArena(uint8_t* rw, uint8_t* rx, size_t size, uint32_t trap_word) noexcept
      : rw_(rw), rx_(rx), size_(size), trap_word_(trap_word) {}
  void populate(size_t end) noexcept;
  void insert_free(size_t offset, size_t size);
  void erase_free(std::map<size_t, size_t>::iterator it);

  uint8_t* rw_;
  uint8_t* rx_;
  size_t size_;
  uint32_t trap_word_;
  mutable std::mutex mutex_;
  // Everything at or above top_ has never been handed out (or was returned
  // and merged back): allocation bumps it when no free range fits.
  size_t top_ = 0;
  // The writable view below populated_ is backed by pages already: it grows
  // by kPopulateStep with one madvise(MADV_POPULATE_WRITE), where writing
  // fresh code would otherwise fault once per page.
  static constexpr size_t kPopulateStep = size_t{64} << 10;
  size_t populated_ = 0;
  size_t used_ = 0;
  uint64_t failed_ = 0;
  std::unordered_map<size_t, size_t> live_;           // offset -> size of handed-out blocks
  std::map<size_t, size_t> free_by_offset_;           // offset -> size, for coalescing
  std::set<std::pair<size_t, size_t>> free_by_size_;  // (size, offset), for best fit
};

/// One block of tier-1 code with the arena it lives in: released (trap
/// filled, reusable) when the last owner drops it. The owners are the
/// module's FuncCode entries, so code lives exactly as long as its module,
/// and the shared arena outlives the engine if a module does.
class CodeBlock {
 public:
  CodeBlock(std::shared_ptr<CodeArena> arena, const uint8_t* code) noexcept
      : arena_(std::move(arena)), code_(code) {}
  ~CodeBlock() { arena_->release(code_); }
  CodeBlock(const CodeBlock&) = delete;
  CodeBlock& operator=(const CodeBlock&) = delete;

  const uint8_t* code() const noexcept { return code_; }

 private:
  std::shared_ptr<CodeArena> arena_;
  const uint8_t* code_;
};

}  // namespace wvm::jit
