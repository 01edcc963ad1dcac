// Instances, externals, globals, tables and memories of the wasm-c-api.
#include "capi/internal.h"

namespace wvm::capi {
namespace {

template <class T>
T* target_of(const void* h) {
  return static_cast<T*>(handle(h)->target);
}

HandleKind handle_kind(ExternKind kind) {
  switch (kind) {
    case ExternKind::Func: return HandleKind::Func;
    case ExternKind::Global: return HandleKind::Global;
    case ExternKind::Table: return HandleKind::Table;
    case ExternKind::Memory: return HandleKind::Memory;
  }
  return HandleKind::Func;
}

bool to_extern(const wasm_extern_t* e, Extern* out) {
  if (!e) return false;
  Handle* h = handle(e);
  switch (h->kind) {
    case HandleKind::Func: *out = Extern::func(static_cast<Func*>(h->target)); return true;
    case HandleKind::Global: *out = Extern::global(static_cast<Global*>(h->target)); return true;
    case HandleKind::Table: *out = Extern::table(static_cast<Table*>(h->target)); return true;
    case HandleKind::Memory: *out = Extern::memory(static_cast<Memory*>(h->target)); return true;
    default: return false;
  }
}

}  // namespace
}  // namespace wvm::capi

using namespace wvm;
using namespace wvm::capi;

extern "C" {

wasm_externkind_t wasm_extern_kind(const wasm_extern_t* e) {
  switch (handle(e)->kind) {
    case HandleKind::Global: return WASM_EXTERN_GLOBAL;
    case HandleKind::Table: return WASM_EXTERN_TABLE;
    case HandleKind::Memory: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
  }
}

wasm_externtype_t* wasm_extern_type(const wasm_extern_t* e) {
  Handle* h = handle(e);
  switch (h->kind) {
    case HandleKind::Func: return new_functype(*static_cast<Func*>(h->target)->type);
    case HandleKind::Global: return new_globaltype(static_cast<Global*>(h->target)->type);
    case HandleKind::Table: return new_tabletype(static_cast<Table*>(h->target)->type());
    case HandleKind::Memory: return new_memorytype(static_cast<Memory*>(h->target)->type());
    default: return nullptr;
  }
}

// An external and its kinds are the same handle.
#define WVM_CAPI_EXTERN_CAST(T, KIND)                                                        \
  wasm_extern_t* wasm_##T##_as_extern(wasm_##T##_t* x) { return as<wasm_extern_t>(handle(x)); } \
  const wasm_extern_t* wasm_##T##_as_extern_const(const wasm_##T##_t* x) {                   \
    return as<wasm_extern_t>(handle(x));                                                     \
  }                                                                                          \
  wasm_##T##_t* wasm_extern_as_##T(wasm_extern_t* e) {                                       \
    return e && handle(e)->kind == HandleKind::KIND ? as<wasm_##T##_t>(handle(e)) : nullptr; \
  }                                                                                          \
  const wasm_##T##_t* wasm_extern_as_##T##_const(const wasm_extern_t* e) {                   \
    return e && handle(e)->kind == HandleKind::KIND ? as<wasm_##T##_t>(handle(e)) : nullptr; \
  }
WVM_CAPI_EXTERN_CAST(func, Func)
WVM_CAPI_EXTERN_CAST(global, Global)
WVM_CAPI_EXTERN_CAST(table, Table)
WVM_CAPI_EXTERN_CAST(memory, Memory)

// ---- Instances ----

wasm_instance_t* wasm_instance_new(wasm_store_t* store, const wasm_module_t* module,
                                   const wasm_extern_vec_t* imports, wasm_trap_t** trap) {
  set_last_error("");
  if (trap) *trap = nullptr;
  const auto& m = static_cast<ModuleData*>(handle(module)->shared.get())->module;
  std::vector<Extern> externs;
  const size_t n = imports ? imports->size : 0;
  if (n != m->imports.size()) {
    set_last_error("unlinkable: the module has " + std::to_string(m->imports.size()) +
                   " imports, " + std::to_string(n) + " were given");
    return nullptr;
  }
  for (size_t i = 0; i < n; ++i) {
    Extern e;
    if (!to_extern(imports->data[i], &e)) {
      set_last_error("unlinkable: import " + std::to_string(i) + " is not an external");
      return nullptr;
    }
    externs.push_back(e);
  }
  auto instance = store->store->instantiate(m, externs);
  if (!instance) {
    const Error& err = instance.error();
    set_last_error(err.to_string());
    if (trap && err.trap != TrapKind::None) {
      // A start-function trap. A host function's own message wins.
      std::string message = trap_message(err.trap);
      if (err.trap == TrapKind::HostError && store->pending_host_trap)
        message = store->pending_host_trap->message;
      *trap = new_trap(store, err.trap, std::move(message), {});
    }
    store->pending_host_trap.reset();
    return nullptr;
  }
  store->instance_of_module[m.get()] = instance.value();
  return as<wasm_instance_t>(new_handle(HandleKind::Instance, store, instance.value()));
}

void wasm_instance_exports(const wasm_instance_t* instance, wasm_extern_vec_t* out) {
  Handle* h = handle(instance);
  auto* inst = static_cast<Instance*>(h->target);
  const Module& m = *inst->module();
  wasm_extern_vec_new_uninitialized(out, m.exports.size());
  for (size_t i = 0; i < m.exports.size(); ++i) {
    const Export& ex = m.exports[i];
    void* target = nullptr;
    switch (ex.kind) {
      case ExternKind::Func: target = inst->func(ex.index); break;
      case ExternKind::Global: target = inst->global(ex.index); break;
      case ExternKind::Table: target = inst->table(ex.index); break;
      case ExternKind::Memory: target = inst->memory(); break;
    }
    out->data[i] = as<wasm_extern_t>(new_handle(handle_kind(ex.kind), h->store, target));
  }
}

// ---- Globals ----

wasm_global_t* wasm_global_new(wasm_store_t* store, const wasm_globaltype_t* type,
                               const wasm_val_t* value) {
  GlobalType gt{to_val_type(type->content->kind), type->mutability == WASM_VAR};
  if (!value || to_val_type(value->kind) != gt.type) return nullptr;
  Global* g = store->store->create_global(gt, to_value(store, *value, gt.type));
  return as<wasm_global_t>(new_handle(HandleKind::Global, store, g));
}

wasm_globaltype_t* wasm_global_type(const wasm_global_t* global) {
  return new_globaltype(target_of<Global>(global)->type);
}

void wasm_global_get(const wasm_global_t* global, wasm_val_t* out) {
  *out = from_value(handle(global)->store, target_of<Global>(global)->value());
}

void wasm_global_set(wasm_global_t* global, const wasm_val_t* value) {
  Global* g = target_of<Global>(global);
  if (!g->type.mut || !value || to_val_type(value->kind) != g->type.type) return;
  g->bits = to_value(handle(global)->store, *value, g->type.type).bits;
}

// ---- Tables ----

wasm_table_t* wasm_table_new(wasm_store_t* store, const wasm_tabletype_t* type, wasm_ref_t* init) {
  TableType tt{to_val_type(type->element->kind), to_limits(type->limits)};
  if (!is_ref_type(tt.elem)) return nullptr;
  auto table = store->store->create_table(tt, ref_bits(store, init, tt.elem));
  if (!table) return nullptr;
  return as<wasm_table_t>(new_handle(HandleKind::Table, store, table.value()));
}

wasm_tabletype_t* wasm_table_type(const wasm_table_t* table) {
  return new_tabletype(target_of<Table>(table)->type());
}

wasm_ref_t* wasm_table_get(const wasm_table_t* table, wasm_table_size_t index) {
  Table* t = target_of<Table>(table);
  if (index >= t->size()) return nullptr;
  wasm_val_t v = from_value(handle(table)->store, Value::ref(t->type().elem, t->data()[index]));
  return v.of.ref;
}

bool wasm_table_set(wasm_table_t* table, wasm_table_size_t index, wasm_ref_t* ref) {
  Table* t = target_of<Table>(table);
  if (index >= t->size()) return false;
  if (ref && t->type().elem == ValType::FuncRef && handle(ref)->kind != HandleKind::Func)
    return false;
  t->data()[index] = ref_bits(handle(table)->store, ref, t->type().elem);
  return true;
}

wasm_table_size_t wasm_table_size(const wasm_table_t* table) { return target_of<Table>(table)->size(); }

bool wasm_table_grow(wasm_table_t* table, wasm_table_size_t delta, wasm_ref_t* init) {
  Table* t = target_of<Table>(table);
  if (init && t->type().elem == ValType::FuncRef && handle(init)->kind != HandleKind::Func)
    return false;
  return t->grow(delta, ref_bits(handle(table)->store, init, t->type().elem)) >= 0;
}

// ---- Memories ----

wasm_memory_t* wasm_memory_new(wasm_store_t* store, const wasm_memorytype_t* type) {
  auto memory = store->store->create_memory(MemoryType{to_limits(type->limits)});
  if (!memory) return nullptr;
  return as<wasm_memory_t>(new_handle(HandleKind::Memory, store, memory.value()));
}

wasm_memorytype_t* wasm_memory_type(const wasm_memory_t* memory) {
  return new_memorytype(target_of<Memory>(memory)->type());
}

byte_t* wasm_memory_data(wasm_memory_t* memory) {
  return reinterpret_cast<byte_t*>(target_of<Memory>(memory)->data());
}

size_t wasm_memory_data_size(const wasm_memory_t* memory) {
  return target_of<Memory>(memory)->size_bytes();
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t* memory) {
  return target_of<Memory>(memory)->pages();
}

bool wasm_memory_grow(wasm_memory_t* memory, wasm_memory_pages_t delta) {
  return target_of<Memory>(memory)->grow(delta) >= 0;
}

}  // extern "C"
