// The tier-0 dispatch loop: direct-threaded code (computed goto), operands in
// 8-byte slots, wasm-to-wasm calls without native recursion. Semantics of the
// pure operators come from engine/numeric.h, shared with every tier.
#include "tier0-interp/interp.h"

#include <cstring>

#include "engine/exec_context.h"
#include "engine/numeric.h"
#include "engine/runtime_ops.h"

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

// Apply a pure operator to the top of the stack. The shape (unary/binary,
// trapping or not) is deduced from the operator's signature; for
// non-trapping operators the returned TrapKind is a constant None.
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t*& sp, R (*)(A) noexcept) noexcept {
  sp[-1] = to_slot<R>(F(from_slot<A>(sp[-1])));
  return TrapKind::None;
}
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t*& sp, R (*)(A, A) noexcept) noexcept {
  const A b = from_slot<A>(sp[-1]);
  const A a = from_slot<A>(sp[-2]);
  --sp;
  sp[-1] = to_slot<R>(F(a, b));
  return TrapKind::None;
}
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t*& sp, TrapKind (*)(A, R*) noexcept) noexcept {
  R r{};
  const TrapKind t = F(from_slot<A>(sp[-1]), &r);
  sp[-1] = to_slot<R>(r);
  return t;
}
template <auto F, class R, class A>
WVM_INLINE TrapKind apply(uint64_t*& sp, TrapKind (*)(A, A, R*) noexcept) noexcept {
  const A b = from_slot<A>(sp[-1]);
  const A a = from_slot<A>(sp[-2]);
  R r{};
  const TrapKind t = F(a, b, &r);
  --sp;
  sp[-1] = to_slot<R>(r);
  return t;
}

// Value type of a load/store row -> the C++ type of its slot.
template <ValType T> struct SlotType;
template <> struct SlotType<ValType::I32> { using type = uint32_t; };
template <> struct SlotType<ValType::I64> { using type = uint64_t; };
template <> struct SlotType<ValType::F32> { using type = float; };
template <> struct SlotType<ValType::F64> { using type = double; };

// Loads MemT and widens it to the value type (sign or zero extension as MemT says).
template <class ValueT, class MemT>
WVM_INLINE uint64_t load_value(const uint8_t* p) noexcept {
  MemT m;
  std::memcpy(&m, p, sizeof(MemT));
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
  if constexpr (std::is_floating_point_v<ValueT>) {
    std::memcpy(p, &v, sizeof(MemT));
  } else {
    const MemT m = static_cast<MemT>(v);
    std::memcpy(p, &m, sizeof(MemT));
  }
}

const void* const* g_handlers = nullptr;

}  // namespace

// Runs until the entry function returns or a trap. With ctx == nullptr it
// only publishes its handler table (labels are local to this function).
static TrapKind run(ExecContext* ctx, Func* entry) {
  static const void* const kHandlers[] = {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) &&op_##name,
#define WVM_STORE(name, pfx, code, text, vt, mt, align) &&op_##name,
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) &&op_##name,
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) &&op_##name,
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_IOP(name) &&op_##name,
#include "tier0-interp/iops.def"
#undef WVM_IOP
  };
  static_assert(sizeof(kHandlers) / sizeof(kHandlers[0]) == kNumIOps);
  if (ctx == nullptr) {
    g_handlers = kHandlers;
    return TrapKind::None;
  }

  // Machine state, kept in locals so the compiler can hold them in registers.
  const uint32_t base_depth = ctx->depth;
  uint64_t* const saved_sp = ctx->sp;
  CallFrame* const frames = ctx->frames.get();
  const uint32_t max_depth = ctx->max_depth;
  uint64_t* const stack_end = ctx->stack_end;
  const uint64_t* ip = nullptr;
  uint64_t* sp = ctx->sp + entry->code->num_params;  // the arguments are in place
  uint64_t* fp = nullptr;
  const FuncCode* code = nullptr;
  Instance* inst = nullptr;
  uint8_t* mem = nullptr;
  uint64_t mem_size = 0;
  Func* callee = entry;
  TrapKind trap = TrapKind::None;

#define NEXT()                                            \
  do {                                                    \
    const void* next_handler_ = reinterpret_cast<const void*>(*ip++); \
    goto* next_handler_;                                  \
  } while (0)
#define TRAP(kind)     \
  do {                 \
    trap = (kind);     \
    goto trapped;      \
  } while (0)
#define RELOAD_MEMORY()                                                   \
  do {                                                                    \
    if (!inst->memories.empty()) {                                        \
      mem = inst->memories[0]->data();                                    \
      mem_size = inst->memories[0]->size_bytes();                         \
    } else {                                                              \
      mem = nullptr;                                                      \
      mem_size = 0;                                                       \
    }                                                                     \
  } while (0)

  // Enter `callee` with its arguments on top of the stack. The outermost
  // frame records ip == nullptr: returning to it ends the run.
call_callee : {
  if (ctx->depth >= max_depth) TRAP(TrapKind::CallStackExhausted);
  if (callee->host) {
    const FuncType& ft = *callee->type;
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    const uint32_t nr = static_cast<uint32_t>(ft.results.size());
    uint64_t* args = sp - np;
    // Typed argument and result arrays live on the value stack above the
    // arguments, so a host that calls back into wasm cannot clobber them.
    Value* argv = reinterpret_cast<Value*>(sp);
    Value* resv = argv + np;
    uint64_t* top = reinterpret_cast<uint64_t*>(resv + nr);
    if (top > stack_end) TRAP(TrapKind::CallStackExhausted);
    for (uint32_t i = 0; i < np; ++i) argv[i] = Value{ft.params[i], args[i]};
    for (uint32_t i = 0; i < nr; ++i) resv[i] = Value{ft.results[i], 0};
    HostCall hc{ctx->store, inst, callee->host_data};
    ctx->sp = top;
    ++ctx->depth;
    const TrapKind t = callee->host(hc, argv, resv);
    --ctx->depth;
    ctx->sp = saved_sp;
    if (t != TrapKind::None) TRAP(t);
    for (uint32_t i = 0; i < nr; ++i) args[i] = resv[i].bits;
    sp = args + nr;
    if (ip == nullptr) goto finished;  // the embedder called a host function
    if (inst) RELOAD_MEMORY();
    NEXT();
  }
  const FuncCode* c = callee->code;
  uint64_t* new_fp = sp - c->num_params;
  if (new_fp + c->max_slots > stack_end) TRAP(TrapKind::CallStackExhausted);
  frames[ctx->depth++] = CallFrame{ip, fp, code, inst};
  std::memset(new_fp + c->num_params, 0, sizeof(uint64_t) * (c->num_locals - c->num_params));
  fp = new_fp;
  sp = new_fp + c->num_locals;
  code = c;
  ip = c->code.data();
  bump(c->entry_count);
  if (callee->instance != inst) {
    inst = callee->instance;
    RELOAD_MEMORY();
  }
  NEXT();
}

op_Return : {
  const uint32_t n = code->num_results;
  uint64_t* src = sp - n;
  if (src != fp)
    for (uint32_t i = 0; i < n; ++i) fp[i] = src[i];
  sp = fp + n;
  const CallFrame& f = frames[--ctx->depth];
  ip = f.ip;
  fp = f.fp;
  code = f.code;
  if (ctx->depth == base_depth) goto finished;
  if (f.instance != inst) inst = f.instance;
  RELOAD_MEMORY();  // the callee may have grown the memory
  NEXT();
}

op_Call : {
  callee = inst->funcs[*ip++];
  goto call_callee;
}

op_CallIndirect : {
  const uint32_t type_id = static_cast<uint32_t>(ip[0]);
  Table* table = inst->tables[ip[1]];
  ip += 2;
  const uint32_t i = static_cast<uint32_t>(*--sp);
  if (i >= table->size()) TRAP(TrapKind::UndefinedElement);
  Func* f = reinterpret_cast<Func*>(table->data()[i]);
  if (f == nullptr) TRAP(TrapKind::UninitializedElement);
  if (f->type_id != type_id) TRAP(TrapKind::IndirectCallTypeMismatch);
  callee = f;
  goto call_callee;
}

op_Unreachable:
  TRAP(TrapKind::Unreachable);

op_Br:
  ip += static_cast<int64_t>(*ip);
  NEXT();

op_BrBack:
  bump(code->backedge_count);
  ip += static_cast<int64_t>(*ip);
  NEXT();

#define DO_DROP(word)                                                    \
  do {                                                                   \
    const uint64_t w_ = (word);                                          \
    if (w_ & kBackEdgeFlag) bump(code->backedge_count);                  \
    if ((w_ & ~kBackEdgeFlag) != 0) {                                    \
      const uint32_t keep_ = static_cast<uint32_t>((w_ & ~kBackEdgeFlag) >> 32); \
      uint64_t* dest_ = fp + static_cast<uint32_t>(w_);                  \
      uint64_t* src_ = sp - keep_;                                       \
      for (uint32_t k_ = 0; k_ < keep_; ++k_) dest_[k_] = src_[k_];      \
      sp = dest_ + keep_;                                                \
    }                                                                    \
  } while (0)

op_BrDrop:
  DO_DROP(ip[1]);
  ip += static_cast<int64_t>(*ip);
  NEXT();

op_BrIf:
  if (static_cast<uint32_t>(*--sp)) {
    ip += static_cast<int64_t>(*ip);
  } else {
    ++ip;
  }
  NEXT();

op_BrIfBack:
  if (static_cast<uint32_t>(*--sp)) {
    bump(code->backedge_count);
    ip += static_cast<int64_t>(*ip);
  } else {
    ++ip;
  }
  NEXT();

op_BrIfDrop:
  if (static_cast<uint32_t>(*--sp)) {
    DO_DROP(ip[1]);
    ip += static_cast<int64_t>(*ip);
  } else {
    ip += 2;
  }
  NEXT();

op_BrUnless:
  if (static_cast<uint32_t>(*--sp)) {
    ++ip;
  } else {
    ip += static_cast<int64_t>(*ip);
  }
  NEXT();

op_BrTable : {
  const uint64_t n = ip[0];
  uint64_t i = static_cast<uint32_t>(*--sp);
  if (i > n) i = n;
  const uint64_t* entry = ip + 1 + 2 * i;
  DO_DROP(entry[1]);
  ip = entry + static_cast<int64_t>(entry[0]);
  NEXT();
}

op_Drop:
  --sp;
  NEXT();

op_Select : {
  const uint32_t c = static_cast<uint32_t>(sp[-1]);
  sp -= 2;
  if (!c) sp[-1] = sp[0];
  NEXT();
}

op_LocalGet:
  *sp++ = fp[*ip++];
  NEXT();
op_LocalSet:
  fp[*ip++] = *--sp;
  NEXT();
op_LocalTee:
  fp[*ip++] = sp[-1];
  NEXT();
op_GlobalGet:
  *sp++ = inst->globals[*ip++]->bits;
  NEXT();
op_GlobalSet:
  inst->globals[*ip++]->bits = *--sp;
  NEXT();

op_TableGet : {
  Table* t = inst->tables[*ip++];
  const uint32_t i = static_cast<uint32_t>(sp[-1]);
  if (i >= t->size()) TRAP(TrapKind::TableOutOfBounds);
  sp[-1] = t->data()[i];
  NEXT();
}
op_TableSet : {
  Table* t = inst->tables[*ip++];
  const uint64_t ref = sp[-1];
  const uint32_t i = static_cast<uint32_t>(sp[-2]);
  sp -= 2;
  if (i >= t->size()) TRAP(TrapKind::TableOutOfBounds);
  t->data()[i] = ref;
  NEXT();
}

op_MemorySize:
  *sp++ = mem_size / Memory::kPageSize;
  NEXT();
op_MemoryGrow : {
  const int64_t old = inst->memories[0]->grow(static_cast<uint32_t>(sp[-1]));
  sp[-1] = static_cast<uint32_t>(static_cast<int32_t>(old));
  RELOAD_MEMORY();
  NEXT();
}

op_Const:
  *sp++ = *ip++;
  NEXT();

op_RefIsNull:
  sp[-1] = sp[-1] == 0 ? 1 : 0;
  NEXT();
op_RefFunc:
  *sp++ = reinterpret_cast<uint64_t>(inst->funcs[*ip++]);
  NEXT();

op_MemoryInit : {
  const uint32_t seg = static_cast<uint32_t>(*ip++);
  sp -= 3;
  const TrapKind t = memory_init(*inst, seg, static_cast<uint32_t>(sp[0]),
                                 static_cast<uint32_t>(sp[1]), static_cast<uint32_t>(sp[2]));
  if (t != TrapKind::None) TRAP(t);
  NEXT();
}
op_DataDrop:
  data_drop(*inst, static_cast<uint32_t>(*ip++));
  NEXT();
op_MemoryCopy : {
  sp -= 3;
  const TrapKind t = memory_copy(*inst->memories[0], static_cast<uint32_t>(sp[0]),
                                 static_cast<uint32_t>(sp[1]), static_cast<uint32_t>(sp[2]));
  if (t != TrapKind::None) TRAP(t);
  NEXT();
}
op_MemoryFill : {
  sp -= 3;
  const TrapKind t = memory_fill(*inst->memories[0], static_cast<uint32_t>(sp[0]),
                                 static_cast<uint32_t>(sp[1]), static_cast<uint32_t>(sp[2]));
  if (t != TrapKind::None) TRAP(t);
  NEXT();
}
op_TableInit : {
  const uint32_t seg = static_cast<uint32_t>(ip[0]);
  const uint32_t table = static_cast<uint32_t>(ip[1]);
  ip += 2;
  sp -= 3;
  const TrapKind t = table_init(*inst, seg, table, static_cast<uint32_t>(sp[0]),
                                static_cast<uint32_t>(sp[1]), static_cast<uint32_t>(sp[2]));
  if (t != TrapKind::None) TRAP(t);
  NEXT();
}
op_ElemDrop:
  elem_drop(*inst, static_cast<uint32_t>(*ip++));
  NEXT();
op_TableCopy : {
  Table* dst = inst->tables[ip[0]];
  Table* src = inst->tables[ip[1]];
  ip += 2;
  sp -= 3;
  const TrapKind t = table_copy(*dst, *src, static_cast<uint32_t>(sp[0]),
                                static_cast<uint32_t>(sp[1]), static_cast<uint32_t>(sp[2]));
  if (t != TrapKind::None) TRAP(t);
  NEXT();
}
op_TableGrow : {
  Table* t = inst->tables[*ip++];
  const uint32_t n = static_cast<uint32_t>(sp[-1]);
  const uint64_t init = sp[-2];
  --sp;
  sp[-1] = static_cast<uint32_t>(static_cast<int32_t>(t->grow(n, init)));
  NEXT();
}
op_TableSize:
  *sp++ = inst->tables[*ip++]->size();
  NEXT();
op_TableFill : {
  Table* t = inst->tables[*ip++];
  sp -= 3;
  const TrapKind tk = table_fill(*t, static_cast<uint32_t>(sp[0]), sp[1],
                                 static_cast<uint32_t>(sp[2]));
  if (tk != TrapKind::None) TRAP(tk);
  NEXT();
}

  // Pure operators: one handler per opcode-table row.
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)
#define WVM_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)      \
  op_##name : {                                                    \
    const TrapKind t_ = apply<&ops::impl>(sp, &ops::impl);          \
    if (t_ != TrapKind::None) TRAP(t_);                             \
    NEXT();                                                         \
  }
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#include "engine/opcodes.def"
#undef WVM_UNARY
#undef WVM_BINARY
#undef WVM_LOAD
#undef WVM_STORE

  // Loads and stores: the effective address is computed in 64 bits, so
  // address + offset + width can never wrap past the bounds check.
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)                                  \
  op_##name : {                                                                        \
    const uint64_t ea_ = static_cast<uint64_t>(static_cast<uint32_t>(sp[-1])) + *ip++; \
    if (ea_ + sizeof(mt) > mem_size) TRAP(TrapKind::MemoryOutOfBounds);                \
    sp[-1] = load_value<SlotType<ValType::vt>::type, mt>(mem + ea_);                   \
    NEXT();                                                                            \
  }
#define WVM_STORE(name, pfx, code, text, vt, mt, align)                                 \
  op_##name : {                                                                        \
    const uint64_t ea_ = static_cast<uint64_t>(static_cast<uint32_t>(sp[-2])) + *ip++; \
    if (ea_ + sizeof(mt) > mem_size) TRAP(TrapKind::MemoryOutOfBounds);                \
    store_value<SlotType<ValType::vt>::type, mt>(mem + ea_, sp[-1]);                   \
    sp -= 2;                                                                           \
    NEXT();                                                                            \
  }
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY

trapped:
  ctx->depth = base_depth;
  ctx->sp = saved_sp;
  return trap;

finished:
  ctx->sp = saved_sp;
  return TrapKind::None;
}

const void* const* interp_handlers() noexcept {
  // A function-local static makes the one-time publication thread-safe.
  static const void* const* const handlers = (run(nullptr, nullptr), g_handlers);
  return handlers;
}

TrapKind interp_run(ExecContext& ctx, Func* func) { return run(&ctx, func); }

}  // namespace wvm
