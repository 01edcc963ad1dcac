// Executable memory for tier 1, shared by every backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

namespace wvm::jit {

/// W^X code memory: one memfd mapped twice, a read-write view that is never
/// executable and a read-execute view that is never writable. Code is bump
/// allocated and lives as long as the arena. The RX view is registered as
/// engine code so guard-page faults in it become traps. Thread-safe.
class CodeArena {
 public:
  static constexpr size_t kDefaultSize = size_t{128} << 20;

  /// nullptr if the dual mapping cannot be made (no memfd, exec forbidden, ...).
  /// `saved_register` is the machine register in which the code keeps the
  /// call's gas (see register_code_range in memory/trap_handler.h).
  static std::unique_ptr<CodeArena> create(size_t size = kDefaultSize, int saved_register = -1);
  ~CodeArena();
  CodeArena(const CodeArena&) = delete;
  CodeArena& operator=(const CodeArena&) = delete;

  /// A 16-byte-aligned block of `size` bytes: its address in the RX view
  /// (returned) and in the RW view (`*writable`). nullptr when full.
  uint8_t* allocate(size_t size, uint8_t** writable);

  /// Makes `size` bytes written through the RW view at `code` (an RX
  /// address from allocate()) visible to instruction fetch: a no-op where
  /// the caches are coherent (x86-64), a data-cache clean and
  /// instruction-cache invalidate on AArch64. Call before publishing `code`.
  static void flush(const uint8_t* code, size_t size) noexcept;

  /// Bytes handed out so far.
  size_t used() const;
  size_t capacity() const noexcept { return size_; }
  /// Whether `p` points into the executable view.
  bool contains(const void* p) const noexcept;

 private:
  CodeArena(uint8_t* rw, uint8_t* rx, size_t size) noexcept : rw_(rw), rx_(rx), size_(size) {}

  uint8_t* rw_;
  uint8_t* rx_;
  size_t size_;
  mutable std::mutex mutex_;
  size_t used_ = 0;
};

}  // namespace wvm::jit
