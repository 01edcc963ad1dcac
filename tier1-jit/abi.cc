// The runtime side of the tier-1 ABI: field offsets and the C helpers
// compiled code calls.
#include "tier1-jit/abi.h"

#include <cstring>
#include <iterator>

#include "exec/exec_context.h"
#include "exec/instance_layout.h"
#include "exec/runtime_ops.h"
#include "memory/trap_handler.h"
#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"
#include "tier1-jit/backend.h"
#include "tier1-jit/frame_walk.h"

namespace wvm::jit {
namespace {

template <class T, class M>
uint32_t offset_in(const T& object, const M& member) {
  return static_cast<uint32_t>(reinterpret_cast<const char*>(&member) -
                               reinterpret_cast<const char*>(&object));
}

[[noreturn]] void helper_trap(ExecContext* ctx, uint32_t kind) {
  // The depth at the trap, as tier 0 leaves it for the trace (abi.h: compiled
  // frames are counted by the stack).
  ctx->depth = ctx->jit_depth_at(ctx->jit_exit);
  raise_trap(static_cast<int>(kind));
}

void run_slow_call(ExecContext* ctx, Func* callee, uint64_t* callee_fp, InstanceData* caller) {
  if (callee->host) {
    const TrapKind t = call_host(*ctx, callee, callee_fp, caller ? caller->instance : nullptr);
    if (t != TrapKind::None) raise_trap(static_cast<int>(t));
    return;
  }
  const void* entry = callee->code->jit_entry.load(std::memory_order_acquire);
  if (entry != nullptr) {
    // Compiled, in another instance: enter with that instance's data. The
    // way back to the calling frame is left for traces (tier1-jit/abi.h).
    ExecContext::JitLink link{0, 0, ctx->jit_link};
    exit_frame(*ctx, &link.frame, &link.pc);
    ctx->jit_link = &link;
    ctx->jit->enter(entry, callee_fp, callee->instance->data(), ctx);
    ctx->jit_link = link.prev;
    return;
  }
  // Still in tier 0: run it there, with its arguments where they are.
  uint64_t* const saved_sp = ctx->sp;
  ctx->sp = callee_fp;
  const TrapKind t = interp_run(*ctx, callee);
  ctx->sp = saved_sp;
  if (t != TrapKind::None) raise_trap(static_cast<int>(t));
}

// The calling compiled frames count in ctx->depth while C++ runs the callee
// (abi.h); a trap leaves them counted, as tier 0 does, and interp_run
// restores the depth it started with.
void helper_call_slow(ExecContext* ctx, Func* callee, uint64_t* callee_fp, InstanceData* caller) {
  const uint32_t depth = ctx->depth;
  ctx->depth = ctx->jit_depth_at(ctx->jit_exit);
  run_slow_call(ctx, callee, callee_fp, caller);
  ctx->depth = depth;
}

Func* helper_resolve_indirect(ExecContext*, Table* table, uint32_t index, uint32_t type_id) {
  if (index >= table->size()) raise_trap(static_cast<int>(TrapKind::UndefinedElement));
  Func* f = reinterpret_cast<Func*>(table->data()[index]);
  if (f == nullptr) raise_trap(static_cast<int>(TrapKind::UninitializedElement));
  if (f->type_id != type_id) raise_trap(static_cast<int>(TrapKind::IndirectCallTypeMismatch));
  return f;
}

uint32_t helper_memory_grow(InstanceData* vm, uint32_t delta) {
  return static_cast<uint32_t>(static_cast<int32_t>(vm->memory->grow(delta)));
}

RuntimeInfo compute() {
  RuntimeInfo r{};
  Config config;
  config.runtime_limits.value_stack_slots = 1;
  config.runtime_limits.max_call_depth = 1;
  const ExecContext ctx(config);
  r.ctx_gas_left = offset_in(ctx, ctx.gas_left);
  r.ctx_depth = offset_in(ctx, ctx.depth);
  r.ctx_max_depth = offset_in(ctx, ctx.max_depth);
  r.ctx_stack_end = offset_in(ctx, ctx.stack_end);
  r.ctx_native_stack_limit = offset_in(ctx, ctx.native_stack_limit);
  r.ctx_jit_depth_origin = offset_in(ctx, ctx.jit_depth_origin);
  r.ctx_jit_stack_limit = offset_in(ctx, ctx.jit_stack_limit);
  r.ctx_jit_exit = offset_in(ctx, ctx.jit_exit);
  r.ctx_jit_exit_pc = offset_in(ctx, ctx.jit_exit_pc);
  r.vm_memory_base = offsetof(InstanceData, memory_base);
  r.vm_memory = offsetof(InstanceData, memory);
  r.vm_instance = offsetof(InstanceData, instance);
  r.memory_size = static_cast<uint32_t>(Memory::size_offset());
  const Func f;
  r.func_code = offset_in(f, f.code);
  r.func_instance = offset_in(f, f.instance);
  const FuncCode code;
  r.code_jit_entry = offset_in(code, code.jit_entry);
  const Global g;
  r.global_bits = offset_in(g, g.bits);
  r.trap = &helper_trap;
  r.call_slow = &helper_call_slow;
  r.resolve_indirect = &helper_resolve_indirect;
  r.memory_grow = &helper_memory_grow;
  return r;
}

// ---- helpers for bulk memory, tables and references (call_runtime)

uint32_t u32(uint64_t v) { return static_cast<uint32_t>(v); }
void check(TrapKind t) {
  if (t != TrapKind::None) raise_trap(static_cast<int>(t));
}

uint64_t rt_memory_fill(ExecContext*, InstanceData* vm, uint64_t d, uint64_t v, uint64_t n,
                        uint64_t) {
  check(memory_fill(*vm->memory, u32(d), u32(v), u32(n)));
  return 0;
}
uint64_t rt_memory_copy(ExecContext*, InstanceData* vm, uint64_t d, uint64_t s, uint64_t n,
                        uint64_t) {
  check(memory_copy(*vm->memory, u32(d), u32(s), u32(n)));
  return 0;
}
uint64_t rt_memory_init(ExecContext*, InstanceData* vm, uint64_t seg, uint64_t d, uint64_t s,
                        uint64_t n) {
  check(memory_init(*vm->instance, u32(seg), u32(d), u32(s), u32(n)));
  return 0;
}
uint64_t rt_data_drop(ExecContext*, InstanceData* vm, uint64_t seg, uint64_t, uint64_t, uint64_t) {
  data_drop(*vm->instance, u32(seg));
  return 0;
}
uint64_t rt_table_get(ExecContext*, InstanceData* vm, uint64_t t, uint64_t i, uint64_t, uint64_t) {
  Table* table = vm->instance->table(u32(t));
  if (u32(i) >= table->size()) raise_trap(static_cast<int>(TrapKind::TableOutOfBounds));
  return table->data()[u32(i)];
}
uint64_t rt_table_set(ExecContext*, InstanceData* vm, uint64_t t, uint64_t i, uint64_t ref,
                      uint64_t) {
  Table* table = vm->instance->table(u32(t));
  if (u32(i) >= table->size()) raise_trap(static_cast<int>(TrapKind::TableOutOfBounds));
  table->data()[u32(i)] = ref;
  return 0;
}
uint64_t rt_table_size(ExecContext*, InstanceData* vm, uint64_t t, uint64_t, uint64_t, uint64_t) {
  return vm->instance->table(u32(t))->size();
}
uint64_t rt_table_grow(ExecContext*, InstanceData* vm, uint64_t t, uint64_t init, uint64_t n,
                       uint64_t) {
  return u32(static_cast<uint32_t>(vm->instance->table(u32(t))->grow(u32(n), init)));
}
uint64_t rt_table_fill(ExecContext*, InstanceData* vm, uint64_t t, uint64_t i, uint64_t ref,
                       uint64_t n) {
  check(table_fill(*vm->instance->table(u32(t)), u32(i), ref, u32(n)));
  return 0;
}
uint64_t rt_table_copy(ExecContext*, InstanceData* vm, uint64_t tables, uint64_t d, uint64_t s,
                       uint64_t n) {
  check(table_copy(*vm->instance->table(u32(tables >> 32)), *vm->instance->table(u32(tables)),
                   u32(d), u32(s), u32(n)));
  return 0;
}
uint64_t rt_table_init(ExecContext*, InstanceData* vm, uint64_t seg_table, uint64_t d, uint64_t s,
                       uint64_t n) {
  check(table_init(*vm->instance, u32(seg_table >> 32), u32(seg_table), u32(d), u32(s), u32(n)));
  return 0;
}
uint64_t rt_elem_drop(ExecContext*, InstanceData* vm, uint64_t seg, uint64_t, uint64_t, uint64_t) {
  elem_drop(*vm->instance, u32(seg));
  return 0;
}
uint64_t rt_ref_func(ExecContext*, InstanceData* vm, uint64_t f, uint64_t, uint64_t, uint64_t) {
  return reinterpret_cast<uint64_t>(vm->instance->func(u32(f)));
}

}  // namespace

const RuntimeHelpers& runtime_helpers() {
  static const RuntimeHelpers helpers{
      &rt_memory_fill, &rt_memory_copy, &rt_memory_init, &rt_data_drop,
      &rt_table_get,   &rt_table_set,   &rt_table_size,  &rt_table_grow,
      &rt_table_fill,  &rt_table_copy,  &rt_table_init,  &rt_elem_drop,
      &rt_ref_func};
  return helpers;
}

const RuntimeInfo& runtime_info() {
  static const RuntimeInfo info = compute();
  return info;
}

namespace {

struct RuntimeEntries {
  const void* entries[kNumRuntimeEntries];
};

RuntimeEntries collect_entries() {
  const RuntimeInfo& info = runtime_info();
  const RuntimeHelpers& h = runtime_helpers();
  static_assert(sizeof(RuntimeHelpers) == 13 * sizeof(RuntimeHelper),
                "kNumRuntimeEntries counts every helper");
  RuntimeEntries r{};
  r.entries[0] = reinterpret_cast<const void*>(info.trap);
  r.entries[1] = reinterpret_cast<const void*>(info.call_slow);
  r.entries[2] = reinterpret_cast<const void*>(info.resolve_indirect);
  r.entries[3] = reinterpret_cast<const void*>(info.memory_grow);
  const RuntimeHelper helpers[] = {h.memory_fill, h.memory_copy, h.memory_init, h.data_drop,
                                   h.table_get,   h.table_set,   h.table_size,  h.table_grow,
                                   h.table_fill,  h.table_copy,  h.table_init,  h.elem_drop,
                                   h.ref_func};
  static_assert(std::size(helpers) == 13);
  for (uint32_t i = 0; i < 13; ++i) r.entries[4 + i] = reinterpret_cast<const void*>(helpers[i]);
  return r;
}

const RuntimeEntries& entries() {
  static const RuntimeEntries e = collect_entries();
  return e;
}

}  // namespace

const void* runtime_entry(uint32_t id) noexcept {
  return id < kNumRuntimeEntries ? entries().entries[id] : nullptr;
}

int runtime_entry_id(const void* fn) noexcept {
  for (uint32_t i = 0; i < kNumRuntimeEntries; ++i) {
    if (entries().entries[i] == fn) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace wvm::jit
