// Does gas bound time? Adversarial kernels, each metered under every built-in
// gas profile in tier 0 and tier 1, print the time spent per unit of gas.
// The README's "## Gas" invariant quotes the worst figure per profile.
//
//   <tier>/execute/<case>/<profile>   counters: gas (per call), ns_per_gas
//
// tier is interp or jit; a jit case whose function tier 1 does not compile
// (it stays in tier 0) is reported as skipped, not measured in tier 0.
// Each kernel is `run(n) -> i32` doing n repetitions of its work; the
// figure is the call's CPU time (of the calling thread) over the gas it was
// charged.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/builder.h"
#include "tier0-interp/code.h"
#include "wvm/wvm.h"

namespace {

using wvm::Opcode;
using wvm::test::Bytes;
using wvm::test::Code;
using wvm::test::ModuleBuilder;
using wvm::test::F32;
using wvm::test::F64;
using wvm::test::FuncRef;
using wvm::test::I32;
using wvm::test::I64;

// `loop { body; n -= 1; br_if n != 0 }` over the parameter n (local 0), then
// `i32.const result`. The body must leave the stack as it found it.
Code counted_loop(const Code& body) {
  Code c;
  c.loop().append(body);
  c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0).end();
  c.i32_const(0);
  return c;
}

uint32_t add_run(ModuleBuilder& m, const Code& body, std::vector<wvm::ValType> locals = {}) {
  const uint32_t f = m.add_func(m.type({I32}, {I32}), std::move(locals), counted_loop(body));
  m.export_func("run", f);
  return f;
}

// Ordinary code, for comparison: integer arithmetic on locals.
Bytes alu_loop() {
  ModuleBuilder m;
  add_run(m, Code().local_get(1).i32_const(0x9e3779b1).op(Opcode::I32Mul).local_get(1)
                 .i32_const(7).op(Opcode::I32ShrU).op(Opcode::I32Xor).local_set(1),
          {I32});
  return m.build();
}

// Locals of every type in runs of 3, so the prologue zeroes a mix.
std::vector<wvm::ValType> mixed_locals(uint32_t n) {
  const wvm::ValType kinds[] = {I32, I64, F32, F64};
  std::vector<wvm::ValType> v;
  v.reserve(n);
  for (uint32_t i = 0; i < n; ++i) v.push_back(kinds[(i / 3) % 4]);
  return v;
}

// A call to a function with `locals` declared locals and an empty body.
Bytes call_with_locals(uint32_t locals) {
  ModuleBuilder m;
  const uint32_t callee = m.add_func(m.type({}, {}), mixed_locals(locals), Code());
  add_run(m, Code().call(callee));
  return m.build();
}

Bytes call_indirect_loop() {
  ModuleBuilder m;
  const uint32_t t = m.type({}, {});
  const uint32_t callee = m.add_func(t, {}, Code());
  m.add_table(FuncRef, 1);
  m.add_elem(0, 0, {callee});
  add_run(m, Code().i32_const(0).call_indirect(t));
  return m.build();
}

// A call chain n frames deep: f(d) = d == 0 ? 0 : f(d - 1).
Bytes deep_calls() {
  ModuleBuilder m;
  const uint32_t f = m.add_func(m.type({I32}, {I32}), {},
                                Code().local_get(0).op(Opcode::I32Eqz).if_(I32).i32_const(0)
                                    .else_().local_get(0).i32_const(1).op(Opcode::I32Sub)
                                    .call(0).end());
  m.export_func("run", f);
  return m.build();
}

// A br_table of the largest allowed size, its index varying every iteration.
Bytes br_table_loop() {
  ModuleBuilder m;
  std::vector<uint32_t> targets(65'000, 0);
  add_run(m, Code().block().local_get(0).br_table(targets, 0).end());
  return m.build();
}

constexpr uint32_t kBulkBytes = 16u << 20;

Bytes memory_fill_loop() {
  ModuleBuilder m;
  m.add_memory(kBulkBytes >> 16);
  add_run(m, Code().i32_const(0).local_get(0).i32_const(kBulkBytes).memory_fill());
  return m.build();
}

Bytes memory_copy_loop() {
  ModuleBuilder m;
  m.add_memory(2 * (kBulkBytes >> 16));
  add_run(m, Code().i32_const(kBulkBytes).i32_const(0).i32_const(kBulkBytes).memory_copy());
  return m.build();
}

constexpr uint32_t kTableElems = 1'000'000;

Bytes table_fill_loop() {
  ModuleBuilder m;
  m.add_table(FuncRef, kTableElems);
  add_run(m, Code().i32_const(0).ref_null(FuncRef).i32_const(kTableElems).table_fill());
  return m.build();
}

// One grow per fresh instance (a table or memory only grows so far).
Bytes table_grow_once() {
  ModuleBuilder m;
  m.add_table(FuncRef, 0);
  const uint32_t f = m.add_func(m.type({I32}, {I32}), {},
                                Code().ref_null(FuncRef).i32_const(kTableElems).table_grow());
  m.export_func("run", f);
  return m.build();
}

Bytes memory_grow_once() {
  ModuleBuilder m;
  m.add_memory(0);
  const uint32_t f =
      m.add_func(m.type({I32}, {I32}), {}, Code().i32_const(65'536).memory_grow());
  m.export_func("run", f);
  return m.build();
}

// One store into every 4 KiB page of a fresh 64 MiB memory: each is a page
// fault and a zeroed page that no operator's cost knows of.
Bytes touch_pages() {
  ModuleBuilder m;
  m.add_memory(1024);
  add_run(m, Code().local_get(0).i32_const(12).op(Opcode::I32Shl).i32_const(1)
                 .store(Opcode::I32Store8, 0));
  return m.build();
}

struct Kernel {
  std::string name;
  std::function<Bytes()> build;
  int32_t arg;         // run's n
  bool fresh_instance;  // instantiate anew before every call
};

std::vector<Kernel> kernels() {
  std::vector<Kernel> k = {
      {"alu_loop", alu_loop, 1'000'000, false},
      {"call_indirect", call_indirect_loop, 100'000, false},
      {"deep_calls_9000", deep_calls, 9'000, false},
      {"br_table_65000", br_table_loop, 100'000, false},
      {"memory_fill_16MiB", memory_fill_loop, 4, false},
      {"memory_copy_16MiB", memory_copy_loop, 4, false},
      {"table_fill_1M", table_fill_loop, 4, false},
      {"table_grow_1M", table_grow_once, 0, true},
      {"memory_grow_4GiB", memory_grow_once, 0, true},
      {"touch_pages_64MiB", touch_pages, 16'383, true},
  };
  for (uint32_t locals : {0u, 100u, 1000u, 49'999u})
    k.push_back({"call_locals_" + std::to_string(locals),
                 [locals] { return call_with_locals(locals); },
                 locals >= 1000 ? 1'000 : 100'000, false});
  return k;
}

// The calling thread's CPU time: the machine may be shared, and time this
// thread did not run is no work that gas paid for.
double thread_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

void bench_kernel(benchmark::State& state, const Kernel* k, Bytes wasm, wvm::TierPolicy policy,
                  wvm::GasProfile profile) {
  wvm::Config config;
  config.tiers.policy = policy;
  config.metering.enabled = true;
  config.metering.profile = profile;
  wvm::Engine engine(config);
  auto module = wvm::compile(engine, wasm.data(), wasm.size());
  if (!module.ok()) return state.SkipWithError(module.error().to_string().c_str());
  auto store = std::make_unique<wvm::Store>(engine);
  auto inst = store->instantiate(module.value(), {});
  if (!inst.ok()) return state.SkipWithError(inst.error().to_string().c_str());
  wvm::Func* f = inst.value()->find_export("run").as_func();
  if (policy == wvm::TierPolicy::Jit &&
      f->code->jit_entry.load(std::memory_order_acquire) == nullptr)
    return state.SkipWithError("tier 1 does not compile this kernel (it stays in tier 0)");
  uint64_t gas = 0;
  double total_gas = 0, total_ns = 0;
  for (auto _ : state) {
    if (k->fresh_instance) {
      // A new store, so the last one's instances (and reservations) go.
      state.PauseTiming();
      store = std::make_unique<wvm::Store>(engine);
      inst = store->instantiate(module.value(), {});
      if (!inst.ok()) return state.SkipWithError(inst.error().to_string().c_str());
      f = inst.value()->find_export("run").as_func();
      state.ResumeTiming();
    }
    store->set_gas_limit(UINT64_MAX);
    const double start = thread_ns();
    wvm::CallResult r = store->call(f, {wvm::Value::i32(k->arg)});
    total_ns += thread_ns() - start;
    if (!r.ok()) return state.SkipWithError("the kernel trapped");
    gas = UINT64_MAX - store->gas_left();
    total_gas += static_cast<double>(gas);
  }
  state.counters["gas"] = static_cast<double>(gas);
  state.counters["ns_per_gas"] = total_ns / total_gas;
}

}  // namespace

int main(int argc, char** argv) {
  static const std::vector<Kernel> all = kernels();
  for (const Kernel& k : all) {
    const Bytes wasm = k.build();
    for (const auto& [tier, policy] : {std::pair{"interp", wvm::TierPolicy::Interp},
                                       std::pair{"jit", wvm::TierPolicy::Jit}}) {
      for (const wvm::GasProfile& profile : {wvm::GasProfile::uniform(), wvm::GasProfile::cosmwasm(),
                                             wvm::GasProfile::cosmwasm_3_0_9()}) {
        benchmark::RegisterBenchmark(
            (std::string(tier) + "/execute/" + k.name + "/" + profile.name).c_str(), bench_kernel,
            &k, wasm, policy, profile)
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
