// Linear-memory reservations and the per-engine pool that recycles them.
//
// A reservation is one PROT_NONE mapping; its first `accessible` bytes are
// read-write, the rest faults. Released reservations are zeroed with
// madvise(MADV_DONTNEED) (private anonymous pages read back as zero, so no
// instance ever sees another's bytes) and kept for reuse up to a bound, which
// makes instantiation cost microseconds instead of an mmap per instance.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "wvm/config.h"
#include "wvm/types.h"

namespace wvm {

/// Address space a guard-page memory reserves: 4 GiB addressable, 4 GiB for
/// the largest u32 offset, and 64 KiB more for the access width.
constexpr uint64_t kGuardReservationBytes = (uint64_t{8} << 30) + 65536;

struct Reservation {
  uint8_t* base = nullptr;
  uint64_t size = 0;        ///< reserved bytes
  uint64_t accessible = 0;  ///< read-write prefix
};

class MemoryPool {
 public:
  explicit MemoryPool(const MemoryConfig& config);
  ~MemoryPool();
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  /// A zeroed reservation of `size` bytes whose first `accessible` bytes are
  /// read-write. Fails (Uninstantiable) when the address-space budget is
  /// exhausted or the OS refuses.
  Result<Reservation> acquire(uint64_t size, uint64_t accessible);
  /// The largest size, a power-of-two fraction of `size` and at least
  /// `min_size`, that the OS would map now, divided by `share` (so the rest
  /// stays for stacks and code); 0 if not even `min_size` maps. For explicit
  /// bounds checks, which can live in less than the maximum they may use.
  static uint64_t available_size(uint64_t size, uint64_t min_size, uint64_t share) noexcept;
  /// Returns a reservation: zeroed and pooled, or unmapped past the pool bound.
  void release(Reservation r) noexcept;
  /// Returns a reservation that must not be reused (its state is unknown).
  void discard(Reservation r) noexcept;

  uint64_t reserved_bytes() const;  ///< live + pooled
  size_t idle_count() const;

 private:
  MemoryConfig config_;
  mutable std::mutex mutex_;
  std::vector<Reservation> idle_;
  uint64_t reserved_ = 0;
};

/// Makes [r.accessible, new_accessible) of a reservation read-write, or the
/// part above `new_accessible` inaccessible again. False if the OS refuses.
bool set_accessible(Reservation& r, uint64_t new_accessible) noexcept;

/// Test hook: the next `n` calls that make memory accessible fail as if the
/// OS refused (simulates memory.grow failing for lack of memory).
void fail_next_commits_for_testing(int n) noexcept;

}  // namespace wvm
