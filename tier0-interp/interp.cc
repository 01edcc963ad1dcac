// The tier-0 dispatch loop: direct-threaded register-machine code (computed
// goto) over the frame's 8-byte slots, wasm-to-wasm calls without native
// recursion. Semantics of the
// pure operators come from module/numeric.h, shared with every tier.
#include "tier0-interp/interp.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "exec/exec_context.h"
#include "exec/instance_layout.h"
#include "module/numeric.h"
#include "exec/runtime_ops.h"
#include "tier1-jit/backend.h"
#include "metering/cost_model.h"
#include "memory/trap_handler.h"
#include "tier0-interp/trace.h"

namespace wvm {
namespace {

#define WVM_INLINE inline __attribute__((always_inline))

template <class T>
WVM_INLINE T from_slot(uint64_t s) noexcept {
  if constexpr (sizeof(T) == 4) {
    const uint32_t low = static_cast<uint32_t>(s);
    T v;
    std::memcpy(&v, &low, 4);
    return v;
  } else {
    T v;
    std::memcpy(&v, &s, 8);
    return v;
  }
}

template <class T>
WVM_INLINE uint64_t to_slot(T v) noexcept {
  if constexpr (sizeof(T) == 4) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return b;
  } else {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  }
}

// Applies a pure operator to operand slot values, writing `dst` (which may
// be an operand's slot: the values were read before). The shape (unary or
// binary, trapping or not) is deduced from the operator's signature; for
// non-trapping operators the returned TrapKind is a constant None.
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t& dst, uint64_t a, R (*)(A) noexcept) noexcept {
  dst = to_slot<R>(F(from_slot<A>(a)));
  return TrapKind::None;
}
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t& dst, uint64_t a, uint64_t b, R (*)(A, A) noexcept) noexcept {
  dst = to_slot<R>(F(from_slot<A>(a), from_slot<A>(b)));
  return TrapKind::None;
}
// The slot value of a non-trapping binary operator, for the fused
// handlers' temporaries: a value, not a local whose address is taken (under
// ASan every such local gets its own slot in the dispatch loop's frame,
// which the native stack budget counts).
template <auto F, class R, class A>
WVM_INLINE uint64_t slot_of(uint64_t a, uint64_t b, R (*)(A, A) noexcept) noexcept {
  return to_slot<R>(F(from_slot<A>(a), from_slot<A>(b)));
}
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t& dst, uint64_t a, TrapKind (*)(A, R*) noexcept) noexcept {
  R r{};
  const TrapKind t = F(from_slot<A>(a), &r);
  dst = to_slot<R>(r);
  return t;
}
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t& dst, uint64_t a, uint64_t b,
                          TrapKind (*)(A, A, R*) noexcept) noexcept {
  R r{};
  const TrapKind t = F(from_slot<A>(a), from_slot<A>(b), &r);
  dst = to_slot<R>(r);
  return t;
}

// Value type of a load/store row -> the C++ type of its slot.
template <ValType T> struct SlotType;
template <> struct SlotType<ValType::I32> { using type = uint32_t; };
template <> struct SlotType<ValType::I64> { using type = uint64_t; };
template <> struct SlotType<ValType::F32> { using type = float; };
template <> struct SlotType<ValType::F64> { using type = double; };

// A plain unaligned access, emitted as one instruction even without
// optimization: the guarded loop relies on the faulting instruction being in
// its own code, never inside a memcpy call (a fault there is not a trap).
// A packed struct's member is what both gcc and clang honour as alignment 1;
// clang ignores aligned(1) on an alias template, so that spelling made every
// unaligned access undefined (UBSan aborts) and free to be assumed aligned.
template <class T>
struct __attribute__((packed, may_alias)) Unaligned {
  T value;
};
static_assert(alignof(Unaligned<double>) == 1 && sizeof(Unaligned<double>) == 8);

// Loads MemT and widens it to the value type (sign or zero extension as MemT says).
template <class ValueT, class MemT>
WVM_INLINE uint64_t load_value(const uint8_t* p) noexcept {
  const MemT m = reinterpret_cast<const Unaligned<MemT>*>(p)->value;
  if constexpr (std::is_floating_point_v<ValueT>) {
    return to_slot<ValueT>(m);
  } else {
    using Signed = std::make_signed_t<ValueT>;
    return to_slot<ValueT>(static_cast<ValueT>(static_cast<Signed>(m)));
  }
}
template <class ValueT, class MemT>
WVM_INLINE void store_value(uint8_t* p, uint64_t slot) noexcept {
  const ValueT v = from_slot<ValueT>(slot);
  reinterpret_cast<Unaligned<MemT>*>(p)->value = static_cast<MemT>(v);
}

// A call from tier 0 into compiled code, out of the dispatch loop so that
// its bookkeeping costs the loop nothing: the caller's state goes where a
// trap in the compiled code finds it (tier0-interp/trace.h).
__attribute__((noinline)) void enter_compiled(ExecContext* ctx, const void* entry,
                                              uint64_t* callee_fp, InstanceData* callee_vm,
                                              const uint64_t* ip, uint64_t* fp,
                                              const FuncCode* code, InstanceData* vm) {
  ctx->frames[ctx->depth] = CallFrame{ip, fp, code, vm};
  const uint32_t outer_callout = ctx->t0_callout;
  ctx->t0_callout = ctx->depth;
  ctx->jit->enter(entry, callee_fp, callee_vm, ctx);
  ctx->t0_callout = outer_callout;
}

// A loop of a running tier-0 frame got hot: the entry of its function's
// tier-1 code at that loop's `header`, or nullptr to keep interpreting.
// Counting starts again, so a function whose code is not there yet (queued
// for the background thread, or not compilable) asks every threshold
// back-edges, and a frame enters once the code is published.
__attribute__((noinline)) const void* hot_loop_entry(ExecContext* ctx, const FuncCode* code,
                                                     InstanceData* vm, const uint64_t* header) {
  code->backedge_count.store(0, std::memory_order_relaxed);
  const void* base = code->osr_base.load(std::memory_order_acquire);
  if (base == nullptr) {
    ctx->request_tier_up(ctx->store->engine(), vm->instance->module(), code->func_index);
    base = code->osr_base.load(std::memory_order_acquire);
    if (base == nullptr) return nullptr;
  }
  // Published before the base (FuncCode), numbered like loop_headers.
  const std::vector<uint32_t>& headers = code->loop_headers;
  if (code->jit_osr_entries.size() != headers.size()) return nullptr;
  const uint32_t at = static_cast<uint32_t>(header - code->code.data());
  const auto it = std::lower_bound(headers.begin(), headers.end(), at);
  if (it == headers.end() || *it != at) return nullptr;
  ctx->store->engine().count_osr();
  return static_cast<const uint8_t*>(base) + code->jit_osr_entries[it - headers.begin()];
}

}  // namespace

#define WVM_GUARDED 0
#define WVM_RUN_NAME run_checked
#define WVM_RUN_ATTRS __attribute__((noinline))
#include "tier0-interp/interp_loop.inc"
#undef WVM_GUARDED
#undef WVM_RUN_NAME
#undef WVM_RUN_ATTRS

// The guarded loop lives in its own section, whose bounds the linker
// provides: faults at these addresses on a reservation are wasm traps.
#define WVM_GUARDED 1
#define WVM_RUN_NAME run_guarded
#define WVM_RUN_ATTRS __attribute__((noinline, section("wvm_guarded_text")))
#include "tier0-interp/interp_loop.inc"
#undef WVM_GUARDED
#undef WVM_RUN_NAME
#undef WVM_RUN_ATTRS

extern "C" char __start_wvm_guarded_text[];
extern "C" char __stop_wvm_guarded_text[];

const void* const* interp_handlers(BoundsStrategy bounds) noexcept {
  // Function-local statics make the one-time publication thread-safe.
  static const void* const* const checked = [] {
    const void* const* h = nullptr;
    run_checked(nullptr, nullptr, &h);
    return h;
  }();
  static const void* const* const guarded = [] {
    const void* const* h = nullptr;
    run_guarded(nullptr, nullptr, &h);
    return h;
  }();
  return bounds == BoundsStrategy::GuardPages ? guarded : checked;
}

void interp_enable_guard_pages() {
  static const bool registered = [] {
    install_trap_handler();
    register_code_range(__start_wvm_guarded_text, __stop_wvm_guarded_text);
    return true;
  }();
  (void)registered;
}

TrapKind interp_run(ExecContext& ctx, Func* func) {
  // Tier-0 wasm calls do not recurse natively, but host-to-wasm re-entry and
  // tier-1 calls do. This runs on the store's engine stack, sized so that
  // the logical depth limit comes first: the check is only a safety net.
  if (current_stack_pointer() < ctx.native_stack_limit) return TrapKind::CallStackExhausted;
  // Without guard pages or compiled code, nothing can unwind to a scope.
  if (!ctx.guarded && ctx.jit == nullptr) return run_checked(&ctx, func, nullptr);
  ensure_alt_stack();
  const uint32_t depth = ctx.depth;
  uint64_t* const sp = ctx.sp;
  // A trap skips the restores of the compiled-code entries it unwinds.
  const uintptr_t outer_jit_origin = ctx.jit_depth_origin;
  const uintptr_t outer_jit_limit = ctx.jit_stack_limit;
  // Traces: compiled code called from this run must not hide the exit of
  // compiled code that called it (tier0-interp/trace.h).
  const uint32_t outer_callout = ctx.t0_callout;
  const uintptr_t outer_exit = ctx.jit_exit;
  const uintptr_t outer_exit_pc = ctx.jit_exit_pc;
  const ExecContext::JitLink* const outer_link = ctx.jit_link;
  ctx.t0_callout = UINT32_MAX;
  ctx.jit_link = nullptr;
  TrapScope scope;
  if (const int why = sigsetjmp(scope.jmp, 0); why != 0) {
    // A fault on a guard region (the out-of-bounds trap) or a trap raised by
    // compiled code: its frames are gone; restore the store's stacks.
    collect_jit_pcs(ctx, scope, why == TrapScope::kTrapScopeFault);  // first: see trace.h
    ctx.native_stack.forget_frames_below(__builtin_frame_address(0));
    scope.leave();
    trace_unwound_run(ctx, depth);
    ctx.t0_callout = outer_callout;
    ctx.jit_exit = outer_exit;
    ctx.jit_exit_pc = outer_exit_pc;
    ctx.jit_link = outer_link;
    ctx.depth = depth;
    ctx.jit_depth_origin = outer_jit_origin;
    ctx.jit_stack_limit = outer_jit_limit;
    ctx.sp = sp;
    // Tier 1 keeps the call's gas in a register: take it from the fault.
    if (scope.has_saved) ctx.gas_left = scope.saved;
    return why == TrapScope::kTrapScopeFault ? TrapKind::MemoryOutOfBounds
                                             : static_cast<TrapKind>(why - kTrapScopeRaisedBase);
  }
  scope.enter();
  const TrapKind t =
      ctx.guarded ? run_guarded(&ctx, func, nullptr) : run_checked(&ctx, func, nullptr);
  scope.leave();
  ctx.t0_callout = outer_callout;
  ctx.jit_exit = outer_exit;
  ctx.jit_exit_pc = outer_exit_pc;
  ctx.jit_link = outer_link;
  return t;
}

}  // namespace wvm
