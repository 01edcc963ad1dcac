// Which locals a loop uses most, found by skimming the loop's bytes ahead of
// compiling it, so the loop header can keep them in registers and no
// back-edge has to store or reload them.
//
// The body has been validated, so the skim only skips immediates; it still
// never reads past the body and gives up (no hints) on anything it does not
// know. Nested loops are skimmed again for each level, so a budget of bytes
// per function (twice the body, plus a little) keeps compilation linear in
// the body's size.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace wvm::jit {

class LoopScan {
 public:
  LoopScan() = default;
  /// `bytes[body_start, body_end)` is the function body.
  LoopScan(const uint8_t* bytes, size_t body_start, size_t body_end, uint32_t num_locals) {
    reset(bytes, body_start, body_end, num_locals);
  }
  /// Starts over on another body, keeping the containers' storage.
  void reset(const uint8_t* bytes, size_t body_start, size_t body_end, uint32_t num_locals);
  /// The containers' storage to or from `other` (for reuse across bodies).
  void swap_storage(LoopScan& other) noexcept {
    uses_.swap(other.uses_);
    read_.swap(other.read_);
    touched_.swap(other.touched_);
    read_locals_.swap(other.read_locals_);
  }
  /// Entries the containers have room for (the largest of them).
  size_t capacity() const noexcept {
    return std::max({uses_.capacity(), read_.capacity(), touched_.capacity(),
                     read_locals_.capacity()});
  }

  /// The locals the loop whose `loop` opcode is at `offset` reads and writes
  /// most (read at least once), at most `max`, most used first, and their
  /// number; -1 when the skim gave up (the budget is spent, or a byte it
  /// does not know): nothing is known about the loop then.
  int32_t hot_locals(size_t offset, uint32_t max, uint32_t* out);

 private:
  bool skim(size_t offset);

  const uint8_t* bytes_ = nullptr;
  size_t end_ = 0;
  size_t budget_ = 0;
  std::vector<uint32_t> uses_;   // per local, for the loop being skimmed
  std::vector<uint8_t> read_;    // per local: read in it
  std::vector<uint32_t> touched_;      // every local the last skim counted
  std::vector<uint32_t> read_locals_;  // those of them it saw read
};

}  // namespace wvm::jit
