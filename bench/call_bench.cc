// The cost of entering wasm: an empty export called through Store::call in
// each tier, and the stack switch every outermost call makes onto the
// store's own native stack (memory/native_stack.h), against a plain call.
//
//   <tier>/execute/empty-call   Store::call of (func (export "empty"))
//   native/stack-switch/run     NativeStack::run of an empty function
//   native/stack-switch/direct  the same function called directly
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "memory/native_stack.h"
#include "wvm/wvm.h"

namespace {

// (module (func (export "empty")))
const std::vector<uint8_t> kEmptyModule = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,             // header
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                         // type () -> ()
    0x03, 0x02, 0x01, 0x00,                                     // one function
    0x07, 0x09, 0x01, 0x05, 'e', 'm', 'p', 't', 'y', 0x00, 0x00,  // export "empty"
    0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};                        // body: end

void bench_empty_call(benchmark::State& state, wvm::TierPolicy policy) {
  wvm::Config config;
  config.tiers.policy = policy;
  wvm::Engine engine(config);
  auto module = wvm::compile(engine, kEmptyModule.data(), kEmptyModule.size());
  if (!module.ok()) return state.SkipWithError(module.error().to_string().c_str());
  wvm::Store store(engine);
  auto inst = store.instantiate(module.value(), {});
  if (!inst.ok()) return state.SkipWithError(inst.error().to_string().c_str());
  wvm::Func* f = inst.value()->find_export("empty").as_func();
  const std::vector<wvm::Value> no_args;
  for (auto _ : state) {
    wvm::CallResult r = store.call(f, no_args);
    if (!r.ok()) return state.SkipWithError("the empty call trapped");
    benchmark::DoNotOptimize(r);
  }
}

__attribute__((noinline)) void empty_fn(void* p) { benchmark::DoNotOptimize(p); }

void bench_switch(benchmark::State& state) {
  wvm::NativeStack stack(wvm::native_stack_size_for(10'000));
  int x = 0;
  stack.run(&empty_fn, &x);  // maps it
  for (auto _ : state) stack.run(&empty_fn, &x);
}

void bench_direct(benchmark::State& state) {
  int x = 0;
  void (*volatile fn)(void*) = &empty_fn;
  for (auto _ : state) fn(&x);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& [tier, policy] : {std::pair{"interp", wvm::TierPolicy::Interp},
                                     std::pair{"jit", wvm::TierPolicy::Jit}}) {
    benchmark::RegisterBenchmark((std::string(tier) + "/execute/empty-call").c_str(),
                                 bench_empty_call, policy);
  }
  benchmark::RegisterBenchmark("native/stack-switch/run", bench_switch);
  benchmark::RegisterBenchmark("native/stack-switch/direct", bench_direct);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
