#include "tier0-interp/trace.h"

#include "engine/instance_layout.h"
#include "engine/site_table.h"
#include "tier0-interp/code.h"

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

void trace_unwound_run(ExecContext& ctx, uint32_t base) {
  const uint32_t trap_depth = ctx.depth;
  if (ctx.t0_callout != UINT32_MAX) {
    // Compiled code this run called trapped: the caller's state was saved.
    const uint32_t top = ctx.t0_callout;
    const CallFrame& f = ctx.frames[top];
    trace_tier0_run(ctx, base, top, trap_depth, f.code, f.ip, f.instance);
    return;
  }
  // A guard-page fault in this run's own code, at its last memory access.
  const FuncCode* code = nullptr;
  const InstanceData* vm = nullptr;
  if (ctx.fault_ip != nullptr && ctx.store != nullptr) {
    const Instance* instance = ctx.store->instance_with_code(ctx.fault_ip, &code);
    if (instance != nullptr) vm = instance->data();
  }
  trace_tier0_run(ctx, base, trap_depth, trap_depth, code, ctx.fault_ip, vm);
}

}  // namespace wvm
