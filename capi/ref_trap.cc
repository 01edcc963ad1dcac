// References, host info, values, foreign objects, traps and frames.
#include "capi/internal.h"

namespace wvm::capi {

void HostInfo::set(void* new_info, void (*new_finalizer)(void*)) {
  // The replaced info is released now: nothing else would ever finalize it.
  if (finalizer && (info != new_info || finalizer != new_finalizer)) finalizer(info);
  info = new_info;
  finalizer = new_finalizer;
}

void HostInfo::finalize() {
  void (*fin)(void*) = finalizer;
  finalizer = nullptr;
  if (fin) fin(info);
  info = nullptr;
}

Handle* new_handle(HandleKind kind, wasm_store_t* store, void* target) {
  return new Handle{kind, store, target, nullptr};
}

ObjectRecord* find_record(const wasm_store_t* store, const void* target) {
  auto it = store->record_index.find(target);
  return it == store->record_index.end() ? nullptr : it->second;
}

ObjectRecord* record_of(wasm_store_t* store, HandleKind kind, void* target) {
  ObjectRecord*& slot = store->record_index[target];
  if (!slot) {
    store->records.push_back(std::make_unique<ObjectRecord>(ObjectRecord{kind, target, {}, nullptr}));
    slot = store->records.back().get();
  }
  return slot;
}

uint64_t ref_bits(wasm_store_t* store, const wasm_ref_t* ref, ValType type) {
  if (!ref) return 0;
  Handle* h = handle(ref);
  if (type == ValType::FuncRef) {
    return h->kind == HandleKind::Func ? reinterpret_cast<uintptr_t>(h->target) : 0;
  }
  // An externref is the address of the object's record, so that the same
  // object comes back out of wasm with the same identity and host info.
  // Traps and modules are not store objects and cannot be wasm values.
  if (h->kind == HandleKind::Foreign) return reinterpret_cast<uintptr_t>(h->target);
  if (h->kind == HandleKind::Trap || h->kind == HandleKind::Module) return 0;
  return reinterpret_cast<uintptr_t>(record_of(h->store, h->kind, h->target));
}

Value to_value(wasm_store_t* store, const wasm_val_t& v, ValType type) {
  switch (type) {
    case ValType::I32: return Value::i32(static_cast<uint32_t>(v.of.i32));
    case ValType::I64: return Value::i64(static_cast<uint64_t>(v.of.i64));
    case ValType::F32: return Value::f32(v.of.f32);
    case ValType::F64: return Value::f64(v.of.f64);
    default: return Value::ref(type, ref_bits(store, v.of.ref, type));
  }
}

wasm_val_t from_value(wasm_store_t* store, const Value& v) {
  wasm_val_t out;
  out.kind = from_val_type(v.type);
  switch (v.type) {
    case ValType::I32: out.of.i32 = static_cast<int32_t>(v.as_i32()); break;
    case ValType::I64: out.of.i64 = static_cast<int64_t>(v.as_i64()); break;
    case ValType::F32: out.of.f32 = v.as_f32(); break;
    case ValType::F64: out.of.f64 = v.as_f64(); break;
    case ValType::FuncRef:
      out.of.ref = v.bits ? as<wasm_ref_t>(new_handle(HandleKind::Func, store,
                                                      reinterpret_cast<Func*>(v.bits)))
                          : nullptr;
      break;
    default: {
      out.of.ref = nullptr;
      if (v.bits == 0) break;
      auto* rec = reinterpret_cast<ObjectRecord*>(v.bits);
      out.of.ref = as<wasm_ref_t>(new_handle(rec->kind, store, rec->target));
      break;
    }
  }
  return out;
}

wasm_trap_t* new_trap(wasm_store_t* store, TrapKind kind, std::string message,
                      std::vector<wasm_frame_t> frames) {
  if (message.empty() || message.back() != '\0') message.push_back('\0');
  auto data = std::make_shared<TrapData>();
  data->message = std::move(message);
  data->kind = kind;
  data->frames = std::move(frames);
  return as<wasm_trap_t>(new Handle{HandleKind::Trap, store, nullptr, std::move(data)});
}

std::vector<wasm_frame_t> frames_of(wasm_store_t* store, const std::vector<TraceFrame>& trace) {
  std::vector<wasm_frame_t> out;
  for (const TraceFrame& f : trace) {
    wasm_frame_t frame{nullptr, f.func_index, 0, f.offset};
    if (f.module) {
      auto it = store->instance_of_module.find(f.module);
      if (it != store->instance_of_module.end()) {
        ObjectRecord* rec = record_of(store, HandleKind::Instance, it->second);
        if (!rec->canonical) rec->canonical = new_handle(HandleKind::Instance, store, it->second);
        frame.instance = as<wasm_instance_t>(rec->canonical);
      }
      const Module& m = *f.module;
      if (f.func_index >= m.num_imported_funcs && f.func_index < m.num_funcs() &&
          f.offset != UINT32_MAX) {
        frame.func_offset = f.offset - m.bodies[f.func_index - m.num_imported_funcs].body_start;
      }
    }
    out.push_back(frame);
  }
  return out;
}

namespace {

HostInfo& host_info_of(const void* ref) {
  Handle* h = handle(ref);
  if (h->shared) return h->shared->host_info;
  return record_of(h->store, h->kind, h->target)->host_info;
}

void* get_host_info(const void* ref) {
  Handle* h = handle(ref);
  if (h->shared) return h->shared->host_info.info;
  ObjectRecord* rec = find_record(h->store, h->target);
  return rec ? rec->host_info.info : nullptr;
}

bool same(const void* a, const void* b) {
  Handle* x = handle(a);
  Handle* y = handle(b);
  if (!x || !y) return x == y;
  if (x->shared || y->shared) return x->shared == y->shared;
  return x->kind == y->kind && x->target == y->target;
}

bool is_extern(HandleKind k) {
  return k == HandleKind::Func || k == HandleKind::Global || k == HandleKind::Table ||
         k == HandleKind::Memory;
}

}  // namespace
}  // namespace wvm::capi

using namespace wvm;
using namespace wvm::capi;

// delete, copy, same and host info of reference type T.
#define WVM_CAPI_REF_BASE(T)                                                                  \
  void wasm_##T##_delete(wasm_##T##_t* r) { delete handle(r); }                               \
  wasm_##T##_t* wasm_##T##_copy(const wasm_##T##_t* r) {                                      \
    return r ? as<wasm_##T##_t>(new Handle(*handle(r))) : nullptr;                            \
  }                                                                                           \
  bool wasm_##T##_same(const wasm_##T##_t* a, const wasm_##T##_t* b) { return same(a, b); }   \
  void* wasm_##T##_get_host_info(const wasm_##T##_t* r) { return get_host_info(r); }          \
  void wasm_##T##_set_host_info(wasm_##T##_t* r, void* info) {                                \
    host_info_of(r).set(info, nullptr);                                                       \
  }                                                                                           \
  void wasm_##T##_set_host_info_with_finalizer(wasm_##T##_t* r, void* info,                   \
                                               void (*finalizer)(void*)) {                    \
    host_info_of(r).set(info, finalizer);                                                     \
  }

// ...plus the conversions to and from wasm_ref_t, checked by `IS_KIND(kind)`.
#define WVM_CAPI_REF(T, IS_KIND)                                                              \
  WVM_CAPI_REF_BASE(T)                                                                        \
  wasm_ref_t* wasm_##T##_as_ref(wasm_##T##_t* r) { return as<wasm_ref_t>(handle(r)); }         \
  const wasm_ref_t* wasm_##T##_as_ref_const(const wasm_##T##_t* r) {                          \
    return as<wasm_ref_t>(handle(r));                                                         \
  }                                                                                           \
  wasm_##T##_t* wasm_ref_as_##T(wasm_ref_t* r) {                                              \
    return r && IS_KIND(handle(r)->kind) ? as<wasm_##T##_t>(handle(r)) : nullptr;             \
  }                                                                                           \
  const wasm_##T##_t* wasm_ref_as_##T##_const(const wasm_ref_t* r) {                          \
    return r && IS_KIND(handle(r)->kind) ? as<wasm_##T##_t>(handle(r)) : nullptr;             \
  }

#define WVM_CAPI_IS(KIND) [](HandleKind k) { return k == HandleKind::KIND; }

extern "C" {

WVM_CAPI_REF_BASE(ref)
WVM_CAPI_REF(trap, WVM_CAPI_IS(Trap))
WVM_CAPI_REF(foreign, WVM_CAPI_IS(Foreign))
WVM_CAPI_REF(module, WVM_CAPI_IS(Module))
WVM_CAPI_REF(func, WVM_CAPI_IS(Func))
WVM_CAPI_REF(global, WVM_CAPI_IS(Global))
WVM_CAPI_REF(table, WVM_CAPI_IS(Table))
WVM_CAPI_REF(memory, WVM_CAPI_IS(Memory))
WVM_CAPI_REF(instance, WVM_CAPI_IS(Instance))
WVM_CAPI_REF(extern, is_extern)

void wasm_val_delete(wasm_val_t* v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = nullptr;
  }
}

void wasm_val_copy(wasm_val_t* out, const wasm_val_t* src) {
  *out = *src;
  if (wasm_valkind_is_ref(src->kind) && src->of.ref) out->of.ref = wasm_ref_copy(src->of.ref);
}

wasm_foreign_t* wasm_foreign_new(wasm_store_t* store) {
  // A foreign object is its record: its address is its externref value.
  store->records.push_back(
      std::make_unique<ObjectRecord>(ObjectRecord{HandleKind::Foreign, nullptr, {}, nullptr}));
  ObjectRecord* rec = store->records.back().get();
  rec->target = rec;
  store->record_index[rec] = rec;
  return as<wasm_foreign_t>(new_handle(HandleKind::Foreign, store, rec));
}

wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t* message) {
  std::string text = message && message->size ? std::string(message->data, message->size) : "";
  return new_trap(store, TrapKind::HostError, std::move(text), {});
}

void wasm_trap_message(const wasm_trap_t* trap, wasm_message_t* out) {
  const std::string& m = static_cast<TrapData*>(handle(trap)->shared.get())->message;
  wasm_byte_vec_new(out, m.size(), m.data());
}

wasm_frame_t* wasm_trap_origin(const wasm_trap_t* trap) {
  const auto& frames = static_cast<TrapData*>(handle(trap)->shared.get())->frames;
  return frames.empty() ? nullptr : new wasm_frame_t(frames.front());
}

void wasm_trap_trace(const wasm_trap_t* trap, wasm_frame_vec_t* out) {
  const auto& frames = static_cast<TrapData*>(handle(trap)->shared.get())->frames;
  wasm_frame_vec_new_uninitialized(out, frames.size());
  for (size_t i = 0; i < frames.size(); ++i) out->data[i] = new wasm_frame_t(frames[i]);
}

const char* wvm_trap_kind(const wasm_trap_t* trap) {
  return trap_message(static_cast<TrapData*>(handle(trap)->shared.get())->kind);
}

wasm_frame_t* wasm_frame_copy(const wasm_frame_t* frame) { return new wasm_frame_t(*frame); }
void wasm_frame_delete(wasm_frame_t* frame) { delete frame; }
wasm_instance_t* wasm_frame_instance(const wasm_frame_t* frame) { return frame->instance; }
uint32_t wasm_frame_func_index(const wasm_frame_t* frame) { return frame->func_index; }
size_t wasm_frame_func_offset(const wasm_frame_t* frame) { return frame->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t* frame) { return frame->module_offset; }

}  // extern "C"
