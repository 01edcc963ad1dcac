#include "tier0-interp/trace.h"

#include "exec/instance_layout.h"
#include "module/site_table.h"
#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"

namespace wvm {
namespace {

void push(ExecContext& ctx, const TraceFrame& f) {
  if (ctx.trace.size() < kMaxTraceFrames) {
    ctx.trace.push_back(f);
  } else {
    ++ctx.trace_omitted;
  }
}

TraceFrame frame_of(const FuncCode* code, const uint64_t* ip, const InstanceData* vm) {
  TraceFrame f;
  f.module = vm != nullptr ? vm->instance->module().get() : nullptr;
  f.func_index = code->func_index;
  const uint64_t* const begin = code->code.data();
  if (ip > begin && ip <= begin + code->code.size())
    f.offset = find_site(code->sites, static_cast<uint32_t>(ip - begin));
  return f;
}

// Appends the compiled frames collect_jit_pcs found.
void trace_jit_frames(ExecContext& ctx) {
  for (uint32_t i = 0; i < ctx.num_jit_pcs; ++i) {
    const uintptr_t pc = ctx.jit_pcs[i];
    const FuncCode* code = nullptr;
    const Instance* instance = ctx.store->instance_with_jit_code(pc, &code);
    if (instance == nullptr) {
      push(ctx, TraceFrame{});
      continue;
    }
    const auto entry = reinterpret_cast<uintptr_t>(code->osr_base.load(std::memory_order_relaxed));
    // A fault's pc is the access itself; a return address follows its call.
    const uintptr_t bias = i == 0 && ctx.jit_pcs_fault ? 1 : 0;
    const uint32_t offset = find_site(code->jit_sites, static_cast<uint32_t>(pc - entry + bias));
    // A trap in a function's entry checks belongs to its caller's call.
    if (i == 0 && offset == kEntrySite) continue;
    push(ctx, TraceFrame{instance->module().get(), code->func_index, offset});
  }
  ctx.trace_omitted += ctx.jit_pcs_omitted;
}

}  // namespace

void trace_tier0_run(ExecContext& ctx, uint32_t base, uint32_t top, uint32_t trap_depth,
                     const FuncCode* code, const uint64_t* ip, const InstanceData* vm) {
  uint32_t level = ctx.trace_level == UINT32_MAX ? trap_depth + 1 : ctx.trace_level;
  for (; level > top + 1; --level) push(ctx, TraceFrame{});  // tier-1 frames
  if (code != nullptr) push(ctx, frame_of(code, ip, vm));
  for (uint32_t l = top; l-- > base + 1;) {
    const CallFrame& f = ctx.frames[l];
    if (f.code == nullptr) break;
    push(ctx, frame_of(f.code, f.ip, f.instance));
  }
  ctx.trace_level = base + 1;
}

void trace_tier0_trap(ExecContext& ctx, uint32_t base, const uint64_t* ip) {
  const FuncCode* code = nullptr;
  const InstanceData* vm = nullptr;
  if (ip != nullptr && ctx.store != nullptr) {
    const Instance* instance = ctx.store->instance_with_code(ip, &code);
    if (instance != nullptr) vm = instance->data();
  }
  trace_tier0_run(ctx, base, ctx.depth, ctx.depth, code, ip, vm);
}

void trace_unwound_run(ExecContext& ctx, uint32_t base) {
  const uint32_t trap_depth = ctx.depth;
  if (ctx.t0_callout != UINT32_MAX) {
    // Compiled code this run called trapped, or a run it called did (and
    // traced its own frames): the compiled frames, then this run's.
    const uint32_t top = ctx.t0_callout;
    if (ctx.store != nullptr && ctx.jit_entry_return != 0) {
      trace_jit_frames(ctx);
      ctx.trace_level = top + 1;
    }
    const CallFrame& f = ctx.frames[top];
    trace_tier0_run(ctx, base, top, trap_depth, f.code, f.ip, f.instance);
    return;
  }
  // A guard-page fault in this run's own code: the loop kept its state in
  // registers only, and noted the access.
  const FuncCode* code = nullptr;
  const uint64_t* ip = nullptr;
  const InstanceData* vm = nullptr;
  if (ctx.store != nullptr && ctx.guarded_access != nullptr) {
    // The access the loop noted before running it (interp_loop.inc).
    const Instance* instance = ctx.store->instance_with_code(ctx.guarded_access, &code);
    if (instance != nullptr) {
      ip = ctx.guarded_access + 1;
      vm = instance->data();
    }
  }
  trace_tier0_run(ctx, base, trap_depth, trap_depth, code, ip, vm);
}

}  // namespace wvm
