// The AArch64 backend behind tier 1's architecture-neutral Backend interface.
#include "codegen-arm64/backend_arm64.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/backend.h"

namespace wvm::jit {
namespace {

class A64BackendAdapter final : public Backend {
 public:
  explicit A64BackendAdapter(std::unique_ptr<a64::A64Backend> impl) : impl_(std::move(impl)) {}
  std::unique_ptr<MacroAssembler> new_function() override { return impl_->new_function(); }
  void enter(const void* entry, uint64_t* fp, InstanceData* vm, ExecContext* ctx) const override {
    impl_->enter(entry, fp, vm, ctx);
  }
  CodeArena& arena() const override { return impl_->arena(); }
  bool relocate(uint8_t* rw, const uint8_t* rx, size_t size, const Relocation& reloc,
                uint64_t value) const override {
    return a64::apply_relocation(rw, rx, size, reloc, value);
  }
  uint64_t cpu_features() const noexcept override { return 0; }
  uintptr_t entry_return() const noexcept override { return impl_->entry_return(); }

 private:
  std::unique_ptr<a64::A64Backend> impl_;
};

}  // namespace

std::unique_ptr<Backend> create_backend(BoundsStrategy bounds, size_t code_space_bytes) {
  std::unique_ptr<a64::A64Backend> impl =
      a64::A64Backend::create(runtime_info(), bounds, code_space_bytes);
  if (!impl) return nullptr;
  return std::make_unique<A64BackendAdapter>(std::move(impl));
}

}  // namespace wvm::jit
