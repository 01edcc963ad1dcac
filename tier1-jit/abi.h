// How tier-1 code meets the runtime.
//
// Entry: compiled functions are entered with four values in pinned
// registers (the backend chooses which): the frame pointer `fp` (this call's
// wasm frame of 8-byte slots, arguments in slots 0..n-1), `vm` (the
// instance's InstanceData), `ctx` (the store's ExecContext) and the memory
// base (vm->memory_base, which never moves). C++ enters through
// JitBackend::enter(); JIT-to-JIT calls within an instance move fp by the
// caller's operand height and call the callee's entry directly.
//
// Exit: results in slots 0..n-1, then a plain return; fp, vm, ctx and the
// memory base are preserved.
//
// Traps: out-of-line stubs call RuntimeInfo::trap, which unwinds to the
// innermost TrapScope (memory/trap_handler.h) of the thread; faults on
// guard pages in registered JIT code take the same way. Only JIT frames and
// C helpers without destructors lie between, so nothing is skipped.
//
// Traces: a call from compiled code to C++ (helpers, slow calls, trap
// stubs) first stores the caller's frame address in ctx->jit_exit (and on
// AArch64 the return address in ctx->jit_exit_pc); frames of compiled code
// are then walked to their callers from there, or from a fault's registers
// (Backend::exit_frame, caller_frame), and each return address or faulting
// pc is looked up in its function's trap sites (module/site_table.h).
//
// Depth: every compiled frame takes exactly 16 bytes of native stack (the
// return address and padding on x86-64, the frame record on AArch64), so
// the stack pointer counts compiled frames: the entry trampoline turns
// ctx->depth (the count tier 0 keeps) and max_depth into a lowest stack
// pointer (ctx->jit_stack_limit, also bounded by the native-stack limit)
// and the prologue compares sp with it, then checks the value stack.
// Returns uncount nothing. C++ called from compiled code that needs the
// depth (slow calls, traps) computes it from ctx->jit_exit
// (ExecContext::jit_depth_at); the entry restores both fields on return.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wvm/wvm.h"

namespace wvm {
struct ExecContext;
struct InstanceData;
}  // namespace wvm

namespace wvm::jit {

/// Byte offsets of the fields compiled code touches, and the C helpers it
/// calls. One per process; see runtime_info().
struct RuntimeInfo {
  // ExecContext
  uint32_t ctx_gas_left;
  uint32_t ctx_depth;
  uint32_t ctx_max_depth;
  uint32_t ctx_stack_end;
  uint32_t ctx_native_stack_limit;
  uint32_t ctx_jit_depth_origin;
  uint32_t ctx_jit_stack_limit;
  uint32_t ctx_jit_exit;
  uint32_t ctx_jit_exit_pc;
  // InstanceData
  uint32_t vm_memory_base;
  uint32_t vm_memory;
  uint32_t vm_instance;
  // Memory (explicit bounds checks read its current size)
  uint32_t memory_size;
  // Func
  uint32_t func_code;
  uint32_t func_instance;
  // FuncCode
  uint32_t code_jit_entry;
  // Global
  uint32_t global_bits;

  // Helpers (System V / AAPCS calling convention).
  /// Never returns: unwinds to the innermost TrapScope.
  void (*trap)(ExecContext* ctx, uint32_t kind);
  /// Any call that is not JIT-to-JIT within one instance: host functions,
  /// functions still in tier 0, other instances. Traps propagate by trap().
  void (*call_slow)(ExecContext* ctx, Func* callee, uint64_t* callee_fp, InstanceData* caller);
  /// call_indirect's checks; returns the callee or traps.
  Func* (*resolve_indirect)(ExecContext* ctx, Table* table, uint32_t index, uint32_t type_id);
  /// memory.grow; returns the old size in pages or 0xffffffff.
  uint32_t (*memory_grow)(InstanceData* vm, uint32_t delta);
};

/// Runtime helpers reached through MacroAssembler::call_runtime; each takes
/// (ctx, vm, a0, a1, a2, a3) and raises its traps itself.
using RuntimeHelper = uint64_t (*)(ExecContext* ctx, InstanceData* vm, uint64_t a0, uint64_t a1,
                                   uint64_t a2, uint64_t a3);
struct RuntimeHelpers {
  RuntimeHelper memory_fill;   // (dst, value, n)
  RuntimeHelper memory_copy;   // (dst, src, n)
  RuntimeHelper memory_init;   // (segment, dst, src, n)
  RuntimeHelper data_drop;     // (segment)
  RuntimeHelper table_get;     // (table, index) -> ref
  RuntimeHelper table_set;     // (table, index, ref)
  RuntimeHelper table_size;    // (table) -> size
  RuntimeHelper table_grow;    // (table, init ref, n) -> old size or -1
  RuntimeHelper table_fill;    // (table, i, ref, n)
  RuntimeHelper table_copy;    // (dst table << 32 | src table, dst, src, n)
  RuntimeHelper table_init;    // (segment << 32 | table, dst, src, n)
  RuntimeHelper elem_drop;     // (segment)
  RuntimeHelper ref_func;      // (function index) -> ref
};
const RuntimeHelpers& runtime_helpers();

/// The process-wide runtime description (computed once).
const RuntimeInfo& runtime_info();

/// Every C function compiled code calls (RuntimeInfo's helpers, then
/// RuntimeHelpers' in declaration order), numbered for relocations
/// (RelocTarget::Runtime) so code can name them across processes.
constexpr uint32_t kNumRuntimeEntries = 4 + 13;
/// The address of runtime entry `id`, or nullptr past the last one.
const void* runtime_entry(uint32_t id) noexcept;
/// The id of runtime entry `fn`, or -1 if it is not one.
int runtime_entry_id(const void* fn) noexcept;

}  // namespace wvm::jit
