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

// Whether `handler` is the guarded loop's handler of a load or a store.
bool is_memory_access(uint64_t handler) {
  static const IOp kAccesses[] = {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) IOp::name,
#define WVM_STORE(name, pfx, code, text, vt, mt, align) IOp::name,
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags)
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_ACC_LOAD(name, pfx, code, text, vt, mt, align) \
  IOp::name##_A, IOp::name##A, IOp::name##A_A, IOp::name##P, IOp::name##P_A,
#define WVM_ACC_STORE(name, pfx, code, text, vt, mt, align)                      \
  IOp::name##A, IOp::name##sA, IOp::name##C, IOp::name##AC, IOp::name##P, \
      IOp::name##PC,
#define WVM_ACC_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_ACC_BINARY(name, pfx, code, text, in, out, impl, flags)
#include "tier0-interp/acc_forms.def"
#undef WVM_ACC_LOAD
#undef WVM_ACC_STORE
#undef WVM_ACC_UNARY
#undef WVM_ACC_BINARY
  };
  const void* const* handlers = interp_handlers(BoundsStrategy::GuardPages);
  for (IOp op : kAccesses)
    if (reinterpret_cast<uint64_t>(handlers[static_cast<size_t>(op)]) == handler) return true;
  return false;
}

// The guarded loop's ip at a fault, from the faulting registers: the one
// pointing at a load or store of some tier-0 code of the store (an access
// holds ip at its instruction's start until it is done: PIN_IP_AFTER_* in
// interp_loop.inc). Costs nothing until a fault (the loop stores nothing
// for it); the check of the handler word makes another pointer into code
// all but impossible to take. Of several candidates (a register still
// holding an older ip), the one whose handler starts closest below the
// faulting pc is the access that faulted (each handler's code follows its
// label), and only a tie of the same handler is left to the first
// register. The ip returned is one word into the instruction, as for a
// trap the loop raises.
const Instance* find_fault_ip(const Store& store, const TrapScope& scope, const FuncCode** code,
                              const uint64_t** ip) {
  const Instance* found = nullptr;
  uintptr_t best = UINTPTR_MAX;  // fault_pc - the found access's handler
  for (int r = 0; r < scope.num_fault_regs; ++r) {
    // Code words are 8-byte aligned: any other value is no ip (and must not
    // be read as one).
    if (scope.fault_regs[r] % alignof(uint64_t) != 0) continue;
    const auto* p = reinterpret_cast<const uint64_t*>(scope.fault_regs[r]);
    const FuncCode* c = nullptr;
    const Instance* instance = store.instance_with_code(p, &c);
    if (instance == nullptr || p == c->code.data() + c->code.size() || !is_memory_access(*p))
      continue;
    const uintptr_t distance = scope.fault_pc >= *p ? scope.fault_pc - *p : UINTPTR_MAX - 1;
    if (found == nullptr || distance < best) {
      found = instance;
      best = distance;
      *code = c;
      *ip = p + 1;
    }
  }
  return found;
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

void trace_unwound_run(ExecContext& ctx, uint32_t base, const TrapScope& scope) {
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
  // registers only.
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
  if (ip == nullptr && ctx.store != nullptr) {
    const Instance* instance = find_fault_ip(*ctx.store, scope, &code, &ip);
    if (instance != nullptr) vm = instance->data();
  }
  trace_tier0_run(ctx, base, trap_depth, trap_depth, code, ip, vm);
}

}  // namespace wvm
