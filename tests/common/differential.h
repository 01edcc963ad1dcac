// One run of a random module (tests/common/random_module.h) under one engine
// configuration, and the comparison of two runs: shared by the differential
// test (tests/unit/differential_test.cc), the execution fuzzer
// (tests/fuzz/fuzz_execute.cc) and wvm-determinism's outcome files. Every
// exported function is called with zero arguments, the fuzzing-support
// logging imports are recorded, and the final memory is hashed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "wvm/wvm.h"

namespace wvm::test {

struct Execution {
  struct Call {
    std::string name;
    TrapKind trap = TrapKind::None;
    std::vector<Value> results;
    uint64_t gas_left = 0;
    size_t log_end = 0;  // log.size() after the call
    // A trap's backtrace: (function index, wasm offset) per frame, innermost first.
    std::vector<std::pair<uint32_t, uint32_t>> trace;
    uint32_t trace_omitted = 0;
  };
  std::vector<Call> calls;
  std::vector<Value> log;  // values passed to fuzzing-support.log-*
  bool has_memory = false;
  uint64_t memory_bytes = 0;
  uint64_t memory_hash = 0;
  std::string compile_error;      // set when the module did not compile
  std::string unmodelled_import;  // "module.name" of an import we do not model
  std::string instantiate_error;  // set when instantiation failed
  bool linked = false;            // false: not run (compile error or unmodelled import)
};

// An execution configuration.
struct Variant {
  const char* name;
  BoundsStrategy bounds;
  bool metered;
  TierPolicy policy;
  /// Auto with TierConfig::osr_only and a threshold of 1: every tier-0 call
  /// that loops moves into tier 1 (OSR) at its first back-edge.
  bool osr = false;
};

// The engine configuration of `v`: the cosmwasm gas profile when metered;
// in auto, functions change tier mid-run (tier-up after 3 calls or back-edges).
inline Config variant_config(const Variant& v) {
  Config config;
  config.memory.bounds = v.bounds;
  config.metering.enabled = v.metered;
  config.metering.profile = GasProfile::cosmwasm();
  config.tiers.policy = v.policy;
  config.tiers.tier_up_threshold = v.osr ? 1 : 3;
  config.tiers.osr_only = v.osr;
  return config;
}

inline uint64_t hash_bytes(const uint8_t* p, uint64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (uint64_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

inline TrapKind log_value(HostCall& call, const Value* args, Value*) {
  static_cast<Execution*>(call.user_data)->log.push_back(args[0]);
  return TrapKind::None;
}

// Runs `wasm` in `engine` with `gas_limit` for the whole run (instantiation
// and every call); the hang-limit global of wasm-opt's modules is reset
// before each export.
inline Execution execute(Engine& engine, const std::vector<uint8_t>& wasm, uint64_t gas_limit) {
  Execution ex;
  auto module = compile(engine, wasm.data(), wasm.size());
  if (!module.ok()) {
    ex.compile_error = module.error().to_string();
    return ex;
  }
  const Module& m = *module.value();
  Store store(engine);
  std::vector<Extern> imports;
  for (const Import& im : m.imports) {
    if (im.module != "fuzzing-support" || im.kind != ExternKind::Func ||
        m.types[im.func_type].params.size() != 1 || !m.types[im.func_type].results.empty()) {
      ex.unmodelled_import = im.module + "." + im.name;
      return ex;  // skip the module
    }
    imports.push_back(
        Extern::func(store.create_host_func(m.types[im.func_type], &log_value, &ex)));
  }
  store.set_gas_limit(gas_limit);
  auto inst = store.instantiate(module.value(), imports);
  ex.linked = true;
  if (!inst.ok()) {
    ex.instantiate_error = inst.error().to_string();
    ex.calls.push_back(
        {"<instantiate>", inst.error().trap, {}, store.gas_left(), ex.log.size(), {}, 0});
    return ex;
  }
  Func* reset_hang_limit = inst.value()->find_export("hangLimitInitializer").as_func();
  for (const Export& e : m.exports) {
    if (e.kind != ExternKind::Func || e.name == "hangLimitInitializer") continue;
    Func* f = inst.value()->find_export(e.name).as_func();
    std::vector<Value> args;
    for (ValType t : f->type->params) args.push_back(Value{t, 0});
    if (reset_hang_limit) store.call(reset_hang_limit, {});
    CallResult r = store.call(f, args);
    ex.calls.push_back({e.name, r.trap, r.results, store.gas_left(), ex.log.size(), {},
                        r.trace_omitted});
    for (const TraceFrame& f : r.trace) ex.calls.back().trace.emplace_back(f.func_index, f.offset);
    if (r.trap == TrapKind::OutOfGas) break;  // gas is gone for every later call
  }
  if (Memory* mem = inst.value()->memory()) {
    ex.has_memory = true;
    ex.memory_bytes = mem->size_bytes();
    ex.memory_hash = hash_bytes(mem->data(), mem->size_bytes());
  }
  return ex;
}

inline std::string describe(const Execution::Call& c) {
  std::string s = c.name + ": " + trap_message(c.trap);
  for (const Value& v : c.results) s += " " + std::to_string(v.bits);
  s += " gas_left=" + std::to_string(c.gas_left);
  if (!c.trace.empty()) {
    s += " trace";
    for (const auto& [func, offset] : c.trace)
      s += " " + std::to_string(func) + "@" + std::to_string(offset);
    if (c.trace_omitted != 0) s += " +" + std::to_string(c.trace_omitted);
  }
  return s;
}

// The first disagreement between two runs, "" if they agree: results, trap
// kinds and backtraces, logs and memory; gas left only if `compare_gas` (both metered). An
// unmetered run does not stop at out of gas: without `compare_gas` the runs
// are compared up to the first out of gas in either.
inline std::string first_difference(const Execution& a, const Execution& b, bool compare_gas) {
  if (a.compile_error != b.compile_error)
    return "compile: '" + a.compile_error + "' | '" + b.compile_error + "'";
  if (a.linked != b.linked) return "linked in one run only";
  const size_t n = std::min(a.calls.size(), b.calls.size());
  for (size_t i = 0; i < n; ++i) {
    const Execution::Call& x = a.calls[i];
    const Execution::Call& y = b.calls[i];
    if (!compare_gas && (x.trap == TrapKind::OutOfGas || y.trap == TrapKind::OutOfGas)) return "";
    if (x.name != y.name || x.trap != y.trap || x.results != y.results ||
        x.trace != y.trace || x.trace_omitted != y.trace_omitted ||
        (compare_gas && x.gas_left != y.gas_left))
      return "call " + std::to_string(i) + ": " + describe(x) + " | " + describe(y);
  }
  if (a.calls.size() != b.calls.size())
    return std::to_string(a.calls.size()) + " calls | " + std::to_string(b.calls.size());
  if (a.log != b.log) return "logged values differ";
  if (a.memory_bytes != b.memory_bytes || a.memory_hash != b.memory_hash)
    return "final memory differs";
  return "";
}

}  // namespace wvm::test
