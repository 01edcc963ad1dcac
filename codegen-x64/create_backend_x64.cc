// The x86-64 backend behind tier 1's architecture-neutral Backend interface.
#include "codegen-x64/backend_x64.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/backend.h"

namespace wvm::jit {
namespace {

class X64BackendAdapter final : public Backend {
 public:
  explicit X64BackendAdapter(std::unique_ptr<x64::X64Backend> impl) : impl_(std::move(impl)) {}
  std::unique_ptr<MacroAssembler> new_function() override { return impl_->new_function(); }
  void enter(const void* entry, uint64_t* fp, InstanceData* vm, ExecContext* ctx) const override {
    impl_->enter(entry, fp, vm, ctx);
  }
  CodeArena& arena() const override { return impl_->arena(); }
  bool relocate(uint8_t* rw, const uint8_t* rx, size_t size, const Relocation& reloc,
                uint64_t value) const override {
    return x64::apply_relocation(rw, rx, size, reloc, value);
  }
  uint64_t cpu_features() const noexcept override { return x64::feature_bits(impl_->features()); }
  uintptr_t entry_return() const noexcept override { return impl_->entry_return(); }

 private:
  std::unique_ptr<x64::X64Backend> impl_;
};

}  // namespace

std::unique_ptr<Backend> create_backend(BoundsStrategy bounds, size_t code_space_bytes) {
  std::unique_ptr<x64::X64Backend> impl =
      x64::X64Backend::create(runtime_info(), bounds, code_space_bytes);
  if (!impl) return nullptr;
  return std::make_unique<X64BackendAdapter>(std::move(impl));
}

}  // namespace wvm::jit
