// What tier 1 needs from a target: assemblers for new functions and a way
// for C++ to enter compiled code. codegen-x64/ (and later codegen-arm64/)
// provide it; create_backend() picks the host's.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "tier1-jit/code_arena.h"
#include "tier1-jit/masm.h"
#include "wvm/config.h"

namespace wvm {
struct ExecContext;
struct InstanceData;
}  // namespace wvm

namespace wvm::jit {

class Backend {
 public:
  virtual ~Backend() = default;
  /// An assembler for one function; its finish() places the code.
  virtual std::unique_ptr<MacroAssembler> new_function() = 0;
  /// The same, reusing one given back by recycle() when there is one: a
  /// module's functions then share the assemblers' buffers instead of each
  /// allocating (and faulting in) its own. Thread-safe.
  std::unique_ptr<MacroAssembler> take_function();
  /// Gives back an assembler from take_function() once its code and records
  /// are taken; it is reset (MacroAssembler::reset) and kept for the next
  /// function, or dropped when it cannot be reset or enough are kept.
  void recycle(std::unique_ptr<MacroAssembler> masm);
  /// Runs compiled code from C++ (see tier1-jit/abi.h for the contract).
  virtual void enter(const void* entry, uint64_t* fp, InstanceData* vm,
                     ExecContext* ctx) const = 0;
  /// Where compiled code lives (loaded code is placed there too).
  virtual CodeArena& arena() const = 0;
  /// Writes `value` as `reloc` says into code whose writable view is `rw`
  /// and executable address `rx` (`size` bytes). False if the relocation
  /// does not fit the code (out of bounds, not the expected instruction, out
  /// of reach).
  virtual bool relocate(uint8_t* rw, const uint8_t* rx, size_t size, const Relocation& reloc,
                        uint64_t value) const = 0;
  /// The CPU features the emitted code depends on, as bits (0: none).
  virtual uint64_t cpu_features() const noexcept = 0;

  /// Traces: the return address of the entry trampoline's call into
  /// compiled code, where a walk of compiled frames leaves them (tier1-jit/abi.h).
  virtual uintptr_t entry_return() const noexcept = 0;

 private:
  std::mutex pool_mutex_;
  // Reset, ready to take. Destroyed after the derived backend's members
  // (the arena, the runtime info the assemblers refer to): an assembler's
  // destructor reads neither.
  std::vector<std::unique_ptr<MacroAssembler>> pool_;
};

/// The host architecture's backend with an arena of `code_space_bytes`, or
/// nullptr where there is none (or code memory cannot be had): the engine
/// then runs tier 0 only.
std::unique_ptr<Backend> create_backend(BoundsStrategy bounds, size_t code_space_bytes);

}  // namespace wvm::jit
