// Relocations: the places in a function's tier-1 code that name something
// outside the function (runtime helpers, other functions, entry slots,
// engine-wide type ids). Both backends record them while emitting and apply
// them when the code is placed, so the same records relocate the code again
// when a serialized module is loaded into another process or engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace wvm::jit {

/// How a relocated value is written into the code (the backend's encoding).
enum class RelocForm : uint8_t {
  Abs64,     ///< a 64-bit absolute value (x86-64: 8 bytes; AArch64: movz + 3 movk)
  Imm32,     ///< a 32-bit immediate (x86-64: 4 bytes; AArch64: movz + movk)
  CallRel,   ///< a direct call's displacement (x86-64: call rel32; AArch64: bl imm26)
};

/// What the value is.
enum class RelocTarget : uint8_t {
  Runtime,    ///< runtime_entry(target): a C helper (tier1-jit/abi.h)
  FuncEntry,  ///< the tier-1 entry of function `target` of the same module
  EntrySlot,  ///< &FuncCode::jit_entry of function `target` of the same module
  TypeId,     ///< the engine-wide id of the module's type `target`
};

/// One relocation: `form` at byte `offset` of the function's code.
struct Relocation {
  uint32_t offset = 0;
  RelocForm form = RelocForm::Abs64;
  RelocTarget target_kind = RelocTarget::Runtime;
  uint32_t target = 0;
};

/// What a module needs to persist one function's tier-1 code: its size (the
/// bytes are at the entry) and its relocations. Immutable once installed.
struct JitCodeInfo {
  uint32_t size = 0;
  std::vector<Relocation> relocations;
};

/// What a MacroAssembler keeps while emitting: the relocations with the
/// values they take in this process (applied by finish()).
class RelocationRecorder {
 public:
  /// Records `form` at `offset` naming `kind`/`target`, whose value here is `value`.
  void add(uint32_t offset, RelocForm form, RelocTarget kind, uint32_t target, uint64_t value) {
    relocations_.push_back({offset, form, kind, target});
    values_.push_back(value);
  }
  /// Records a call of runtime entry `fn` (abi.h); one that is not an entry
  /// makes the code impossible to persist (it is still applied here).
  void add_runtime(uint32_t offset, RelocForm form, const void* fn);
  /// Applies every relocation through `apply(reloc, value)`; false if one fails.
  template <class Apply>
  bool apply_all(Apply&& apply) const {
    for (size_t i = 0; i < relocations_.size(); ++i) {
      if (!apply(relocations_[i], values_[i])) return false;
    }
    return true;
  }
  /// The persistable description of code of `size` bytes, or nullptr.
  std::unique_ptr<JitCodeInfo> take(size_t size);
  /// Forgets every record (keeping the storage), for another function.
  void clear() noexcept {
    relocations_.clear();
    values_.clear();
    persistable_ = true;
  }

 private:
  std::vector<Relocation> relocations_;
  std::vector<uint64_t> values_;
  const void* last_fn_ = nullptr;  // add_runtime's last helper and its entry id
  int last_id_ = -1;
  bool persistable_ = true;
};

}  // namespace wvm::jit
