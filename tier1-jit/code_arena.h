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
#include <vector>

#include "module/thread_storage.h"

namespace wvm::jit {

class CodeBatch;

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
  /// With a `batch`, a block from the arena's top (never handed out, or
  /// handed back and merged into it) is written through the batch instead
  /// (`*writable` points into its buffer) and reaches the arena when the
  /// batch commits: see CodeBatch.
  uint8_t* allocate(size_t size, uint8_t** writable, CodeBatch* batch = nullptr);
  /// Returns a block from allocate() (by its RX address): filled with trap
  /// instructions and flushed, then free for reuse. The caller guarantees no
  /// thread runs or will enter it any more. A block of a batch that has not
  /// committed makes the batch commit first.
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
  friend class CodeBatch;
  CodeArena(int fd, uint8_t* rw, uint8_t* rx, size_t size, uint32_t trap_word) noexcept
      : fd_(fd), rw_(rw), rx_(rx), size_(size), trap_word_(trap_word) {}
  void populate(size_t end) noexcept;
  // Writes the batch's bytes to the file and empties it (mutex_ held).
  void commit_locked(CodeBatch& batch) noexcept;
  void insert_free(size_t offset, size_t size);
  void erase_free(std::map<size_t, size_t>::iterator it);

  int fd_;  // the memfd both views map: batches write code through it
  uint8_t* rw_;
  uint8_t* rx_;
  size_t size_;
  uint32_t trap_word_;
  mutable std::mutex mutex_;
  // Everything at or above top_ has never been handed out (or was returned
  // and merged back): allocation bumps it when no free range fits.
  size_t top_ = 0;
  // The writable view below populated_ is backed by pages already (or
  // they are in the file, written by a batch): it grows by kPopulateStep
  // with one madvise(MADV_POPULATE_WRITE), where writing fresh code would
  // otherwise fault once per page.
  static constexpr size_t kPopulateStep = size_t{64} << 10;
  size_t populated_ = 0;
  size_t used_ = 0;
  uint64_t failed_ = 0;
  std::unordered_map<size_t, size_t> live_;           // offset -> size of handed-out blocks
  std::map<size_t, size_t> free_by_offset_;           // offset -> size, for coalescing
  std::set<std::pair<size_t, size_t>> free_by_size_;  // (size, offset), for best fit
  std::vector<CodeBatch*> batches_;                    // batches holding uncommitted code
};

/// Many blocks of fresh code written to the arena with a few large writes to
/// its file instead of through the writable view page by page. A page first
/// touched through a mapping costs a fault (or the MADV_POPULATE_WRITE that
/// stands for it) that maps it; pwrite() puts the page in the file without
/// mapping it, for about half the cost (on the project's 2-core VM: 0.72
/// against 0.37 ms per MiB written, copy included). compile() under policy jit
/// places a module's code through one batch.
///
/// While a batch is alive, CodeArena::allocate(size, &writable, &batch)
/// gives a block from the arena's top a writable pointer into the batch's
/// buffer; a block from the free list (memory that is mapped already) is
/// written in place as without a batch. The code written through the batch
/// is in the arena only after commit(): nothing may run it, read it through
/// its executable address or publish it before. commit() runs when the
/// buffer fills, before a block that does not follow the last one, when one
/// of the batch's blocks is released, and at the end (explicitly, to see a
/// failure, or by the destructor). One thread uses a batch; its arena must
/// outlive it.
class CodeBatch {
 public:
  explicit CodeBatch(CodeArena& arena) noexcept : arena_(arena) {
    if (std::vector<uint8_t>* s = spare_.get()) staged_.swap(*s);
  }
  ~CodeBatch();
  CodeBatch(const CodeBatch&) = delete;
  CodeBatch& operator=(const CodeBatch&) = delete;

  /// Writes every block allocated through the batch so far to the arena and
  /// makes it visible to instruction fetch. False if any write of the batch
  /// failed (the file could not grow: no memory), now or at an earlier
  /// commit: its code is then not what was written, and must not run.
  bool commit() noexcept;

 private:
  friend class CodeArena;
  /// Commits when a block would take the buffer past this.
  static constexpr size_t kMaxBytes = size_t{256} << 10;
  CodeArena& arena_;
  size_t start_ = 0;             // the arena offset of staged_[0]
  std::vector<uint8_t> staged_;  // the code of [start_, start_ + staged_.size())
  bool failed_ = false;
  // The buffer, kept per thread from one batch to the next: fresh memory
  // for it would cost page faults too.
  ThreadStorage<std::vector<uint8_t>> spare_;
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
