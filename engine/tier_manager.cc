#include "engine/tier_manager.h"

#include "engine/background_compiler.h"

#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"
#include "tier1-jit/code_arena.h"
#include "tier1-jit/compiler.h"

namespace wvm {

namespace {
// The profile fields of tier-0 code are the only mutable part of a module.
FuncCode& code_of(const Module& module, uint32_t func_index) {
  return *module.code[func_index - module.num_imported_funcs];
}
}  // namespace

Result<void> compile_and_install(Engine& engine, const Module& module, uint32_t func_index,
                                 jit::CodeBatch* batch) {
  jit::Backend* backend = engine.jit_backend();
  if (backend == nullptr) return {};
  // Policy jit runs no call of a compiled function in tier 0 (unless
  // osr_only keeps calls there): its code needs no OSR entries.
  const TierConfig& tiers = engine.config().tiers;
  const bool osr = tiers.policy != TierPolicy::Jit || tiers.osr_only;
  Result<jit::CompiledCode> compiled =
      jit::compile_function(module, engine.config().module_limits, func_index, *backend, osr,
                            batch);
  // A full arena is counted by the arena (Engine::code_space), not as
  // unsupported; a body that fails validation is the module's error.
  if (compiled.ok() || compiled.error().kind == ErrorKind::Unsupported)
    engine.count_tier1(compiled.ok());
  if (!compiled) return compiled.error();
  FuncCode& code = code_of(module, func_index);
  // Tier-0 code not prepared (compile() under policy Jit): tier 1 found the
  // frame, and numbers the loops as tier 0 would. No other thread reads
  // this FuncCode yet.
  if (code.code.empty()) {
    code.num_locals = compiled.value().num_locals;
    code.max_slots = compiled.value().max_slots;
  }
  // Before the entry's release store: whoever sees the entry sees this too.
  code.jit_info = std::move(compiled.value().info);
  code.jit_code = std::move(compiled.value().block);
  code.jit_size = compiled.value().size;
  code.jit_sites = std::move(compiled.value().sites);
  // Both tiers number the same reachable loops; anything else gets no OSR
  // (policy jit, which prepares no tier-0 code, emits no entries).
  if (compiled.value().osr_entries.size() == code.loop_headers.size())
    code.jit_osr_entries = std::move(compiled.value().osr_entries);
  code.osr_base.store(compiled.value().entry, std::memory_order_release);
  if (engine.config().tiers.osr_only) return {};  // calls keep starting in tier 0
  code.jit_entry.store(compiled.value().entry, std::memory_order_release);
  return {};
}

namespace {
Result<void> tier_up_through(Engine& engine, const Module& module, uint32_t func_index,
                             jit::CodeBatch* batch) {
  if (engine.jit_backend() == nullptr) return {};
  if (code_of(module, func_index).jit_tried.exchange(true, std::memory_order_acq_rel))
    return {};  // compiled, queued or found unsupported before
  return compile_and_install(engine, module, func_index, batch);
}
}  // namespace

Result<void> tier_up(Engine& engine, const Module& module, uint32_t func_index) {
  return tier_up_through(engine, module, func_index, nullptr);
}

void request_tier_up(Engine& engine, const std::shared_ptr<const Module>& module,
                     uint32_t func_index) {
  BackgroundCompiler* background = engine.background_compiler();
  if (background == nullptr) {
    (void)tier_up(engine, *module, func_index);
    return;
  }
  if (code_of(*module, func_index).jit_tried.exchange(true, std::memory_order_acq_rel)) return;
  background->enqueue(module, func_index);
}

namespace {
// Compiles one function for compile_all_tier1: an error ends compile().
Result<void> compile_one(Engine& engine, const Module& module, uint32_t func_index,
                         jit::CodeBatch* batch) {
  Result<void> r = tier_up_through(engine, module, func_index, batch);
  if (r) return {};
  // Policy Jit promises compiled code: no room for it is an error, never a
  // silent fall back to tier 0. (A body past a module limit fails here as
  // it would in tier 0: the same decoder reports it.)
  if (r.error().kind == ErrorKind::LimitExceeded) return r.error();
  // The function stays in tier 0: its code is prepared now if compile()
  // left that to tier 1. A body that fails validation fails there, with
  // the error tier 0 gives.
  FuncCode& code = code_of(module, func_index);
  if (code.code.empty()) {
    Result<void> prepared = prepare_into(module, engine.config().module_limits, code);
    if (!prepared) return prepared.error();
  }
  if (engine.config().tiers.unsupported_is_fatal) return r.error();
  return {};
}
}  // namespace

Result<void> compile_all_tier1(Engine& engine, const Module& module) {
  if (engine.jit_backend() == nullptr) return {};
  // The module is not shared yet, so nothing runs its code before this
  // returns: the fresh code goes to the arena in a few large writes.
  jit::CodeBatch batch(engine.jit_backend()->arena());
  Result<void> result = [&]() -> Result<void> {
    // Last function first. Compilers mostly place a callee after its callers,
    // so in this order most callees have their code already when a call to
    // them is compiled, and the call is direct (`call rel32`) instead of a
    // load of the callee's entry with a way into tier 0 while it has none.
    const auto n = static_cast<uint32_t>(module.bodies.size());
    for (uint32_t i = n; i-- > 0;) {
      Result<void> r = compile_one(engine, module, module.num_imported_funcs + i, &batch);
      if (r) continue;
      // The error is the one the first failing body gives, as in index order:
      // the bodies before this one, not compiled yet, go first.
      for (uint32_t j = 0; j < i; ++j) {
        Result<void> first = compile_one(engine, module, module.num_imported_funcs + j, &batch);
        if (!first) return first.error();
      }
      return r.error();
    }
    return {};
  }();
  if (!batch.commit() && result) return jit::code_not_written();
  return result;
}

}  // namespace wvm
