// What tier 1 needs from a target: assemblers for new functions and a way
// for C++ to enter compiled code. codegen-x64/ (and later codegen-arm64/)
// provide it; create_backend() picks the host's.
#pragma once

#include <cstdint>
#include <memory>

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
  /// Runs compiled code from C++ (see tier1-jit/abi.h for the contract).
  virtual void enter(const void* entry, uint64_t* fp, InstanceData* vm,
                     ExecContext* ctx) const = 0;
};

/// The host architecture's backend, or nullptr where there is none (or code
/// memory cannot be had): the engine then runs tier 0 only.
std::unique_ptr<Backend> create_backend(BoundsStrategy bounds);

}  // namespace wvm::jit
