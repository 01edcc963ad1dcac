// The x86-64 MacroAssembler in isolation: the shared MacroAssembler tests
// (masm_harness.h) on X64Backend, and the fallback sequences the backend
// emits when the CPU lacks optional features.
#include <gtest/gtest.h>

#include <memory>

#include "codegen-x64/backend_x64.h"
#include "tests/unit/masm_harness.h"

namespace wvm::x64 {
namespace {

using namespace masm_test;

struct X64Traits {
  using Backend = X64Backend;
  static std::unique_ptr<X64Backend> create(const jit::RuntimeInfo& info, BoundsStrategy bounds,
                                            size_t arena_size) {
    return X64Backend::create(info, bounds, X64CpuFeatures::host(), arena_size);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(X64, MasmTest, X64Traits);
INSTANTIATE_TYPED_TEST_SUITE_P(X64, MasmMemoryTest, BoundsParams<X64Traits>, BoundsParamName);

using MasmX64Test = MasmTest<X64Traits>;

// No lzcnt, tzcnt, popcnt, SSE4.1: the fallback sequences.
std::unique_ptr<X64Backend> plain_backend(const jit::RuntimeInfo& info) {
  return X64Backend::create(info, BoundsStrategy::GuardPages, X64CpuFeatures{}, kArenaSize);
}

TEST_F(MasmX64Test, BinaryFloatOperatorsWithoutOptionalFeatures) {
  auto plain = plain_backend(info_);
  ASSERT_NE(plain, nullptr);
  check_binary_ops(*plain, true);
}

TEST_F(MasmX64Test, UnaryOperatorsWithoutOptionalFeatures) {
  auto plain = plain_backend(info_);
  ASSERT_NE(plain, nullptr);
  check_unary_ops(*plain);
}

}  // namespace
}  // namespace wvm::x64
