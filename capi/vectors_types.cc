// Vectors and type objects of the wasm-c-api.
#include "capi/internal.h"

namespace wvm::capi {
namespace {

// Element policies: how a vector copies and releases what it owns.
template <class E>
struct PlainElem {
  static E copy(const E& e) { return e; }
  static void release(E&) {}
};
struct ValElem {
  static wasm_val_t copy(const wasm_val_t& e) {
    wasm_val_t out;
    wasm_val_copy(&out, &e);
    return out;
  }
  static void release(wasm_val_t& e) { wasm_val_delete(&e); }
};
template <class T, T* (*Copy)(const T*), void (*Delete)(T*)>
struct OwnedPtr {
  static T* copy(T* const& e) { return e ? Copy(e) : nullptr; }
  static void release(T*& e) {
    if (e) Delete(e);
  }
};

template <class V, class E>
void vec_uninitialized(V* out, size_t size) {
  out->size = size;
  out->data = size ? new E[size]() : nullptr;
}
template <class V, class E>
void vec_from(V* out, size_t size, const E* data) {
  vec_uninitialized<V, E>(out, size);
  for (size_t i = 0; i < size; ++i) out->data[i] = data[i];
}
template <class V, class E, class Policy>
void vec_copy(V* out, const V* src) {
  vec_uninitialized<V, E>(out, src->size);
  for (size_t i = 0; i < src->size; ++i) out->data[i] = Policy::copy(src->data[i]);
}
template <class V, class Policy>
void vec_delete(V* v) {
  if (!v) return;
  for (size_t i = 0; i < v->size; ++i) Policy::release(v->data[i]);
  delete[] v->data;
  v->size = 0;
  v->data = nullptr;
}

}  // namespace

SizeLimits to_limits(const wasm_limits_t& limits) {
  SizeLimits out;
  out.min = limits.min;
  out.has_max = limits.max != wasm_limits_max_default;
  out.max = out.has_max ? limits.max : 0;
  return out;
}

static wasm_limits_t from_limits(const SizeLimits& limits) {
  return {static_cast<uint32_t>(limits.min),
          limits.has_max ? static_cast<uint32_t>(limits.max) : wasm_limits_max_default};
}

ValType to_val_type(wasm_valkind_t kind) {
  switch (kind) {
    case WASM_I32: return ValType::I32;
    case WASM_I64: return ValType::I64;
    case WASM_F32: return ValType::F32;
    case WASM_F64: return ValType::F64;
    case WASM_EXTERNREF: return ValType::ExternRef;
    default: return ValType::FuncRef;
  }
}

wasm_valkind_t from_val_type(ValType type) {
  switch (type) {
    case ValType::I32: return WASM_I32;
    case ValType::I64: return WASM_I64;
    case ValType::F32: return WASM_F32;
    case ValType::F64: return WASM_F64;
    case ValType::ExternRef: return WASM_EXTERNREF;
    case ValType::FuncRef: return WASM_FUNCREF;
    case ValType::V128: break;  // not in the C API's kinds; no C API object has one
  }
  return WASM_I32;
}

FuncType to_func_type(const wasm_functype_t* type) {
  FuncType out;
  for (size_t i = 0; i < type->params.size; ++i)
    out.params.push_back(to_val_type(type->params.data[i]->kind));
  for (size_t i = 0; i < type->results.size; ++i)
    out.results.push_back(to_val_type(type->results.data[i]->kind));
  return out;
}

static void valtypes_of(wasm_valtype_vec_t* out, const std::vector<ValType>& types) {
  vec_uninitialized<wasm_valtype_vec_t, wasm_valtype_t*>(out, types.size());
  for (size_t i = 0; i < types.size(); ++i) out->data[i] = wasm_valtype_new(from_val_type(types[i]));
}

wasm_functype_t* new_functype(const FuncType& type) {
  auto* out = new wasm_functype_t;
  out->kind = WASM_EXTERN_FUNC;
  valtypes_of(&out->params, type.params);
  valtypes_of(&out->results, type.results);
  return out;
}

wasm_globaltype_t* new_globaltype(const GlobalType& type) {
  return wasm_globaltype_new(wasm_valtype_new(from_val_type(type.type)),
                             type.mut ? WASM_VAR : WASM_CONST);
}

wasm_tabletype_t* new_tabletype(const TableType& type) {
  wasm_limits_t limits = from_limits(type.limits);
  return wasm_tabletype_new(wasm_valtype_new(from_val_type(type.elem)), &limits);
}

wasm_memorytype_t* new_memorytype(const MemoryType& type) {
  wasm_limits_t limits = from_limits(type.limits);
  return wasm_memorytype_new(&limits);
}

}  // namespace wvm::capi

using namespace wvm::capi;

// One vector's five functions over policy P and element type E.
#define WVM_CAPI_VEC(T, E, P)                                                                   \
  void wasm_##T##_vec_new_empty(wasm_##T##_vec_t* out) { out->size = 0, out->data = nullptr; } \
  void wasm_##T##_vec_new_uninitialized(wasm_##T##_vec_t* out, size_t size) {                  \
    vec_uninitialized<wasm_##T##_vec_t, E>(out, size);                                         \
  }                                                                                            \
  void wasm_##T##_vec_new(wasm_##T##_vec_t* out, size_t size, E const data[]) {                \
    vec_from<wasm_##T##_vec_t, E>(out, size, data);                                            \
  }                                                                                            \
  void wasm_##T##_vec_copy(wasm_##T##_vec_t* out, const wasm_##T##_vec_t* src) {               \
    vec_copy<wasm_##T##_vec_t, E, P>(out, src);                                                \
  }                                                                                            \
  void wasm_##T##_vec_delete(wasm_##T##_vec_t* v) { vec_delete<wasm_##T##_vec_t, P>(v); }

// A type object's vector, copy and delete.
#define WVM_CAPI_TYPE_VEC(T)                                                        \
  using T##_elem_policy = OwnedPtr<wasm_##T##_t, wasm_##T##_copy, wasm_##T##_delete>; \
  WVM_CAPI_VEC(T, wasm_##T##_t*, T##_elem_policy)

extern "C" {

WVM_CAPI_VEC(byte, wasm_byte_t, PlainElem<wasm_byte_t>)
WVM_CAPI_VEC(val, wasm_val_t, ValElem)
WVM_CAPI_TYPE_VEC(valtype)
WVM_CAPI_TYPE_VEC(functype)
WVM_CAPI_TYPE_VEC(globaltype)
WVM_CAPI_TYPE_VEC(tabletype)
WVM_CAPI_TYPE_VEC(memorytype)
WVM_CAPI_TYPE_VEC(externtype)
WVM_CAPI_TYPE_VEC(importtype)
WVM_CAPI_TYPE_VEC(exporttype)
WVM_CAPI_TYPE_VEC(frame)
WVM_CAPI_TYPE_VEC(extern)

// Value types are immutable: one static object per kind, never freed.
wasm_valtype_t* wasm_valtype_new(wasm_valkind_t kind) {
  static wasm_valtype_t kinds[] = {{WASM_I32}, {WASM_I64},       {WASM_F32},
                                   {WASM_F64}, {WASM_EXTERNREF}, {WASM_FUNCREF}};
  for (auto& k : kinds)
    if (k.kind == kind) return &k;
  return nullptr;
}
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t* t) { return t->kind; }
wasm_valtype_t* wasm_valtype_copy(const wasm_valtype_t* t) { return wasm_valtype_new(t->kind); }
void wasm_valtype_delete(wasm_valtype_t*) {}

wasm_functype_t* wasm_functype_new(wasm_valtype_vec_t* params, wasm_valtype_vec_t* results) {
  auto* out = new wasm_functype_t;
  out->kind = WASM_EXTERN_FUNC;
  out->params = *params;
  out->results = *results;
  *params = {0, nullptr};
  *results = {0, nullptr};
  return out;
}
const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t* t) { return &t->params; }
const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t* t) { return &t->results; }
wasm_functype_t* wasm_functype_copy(const wasm_functype_t* t) {
  auto* out = new wasm_functype_t;
  out->kind = WASM_EXTERN_FUNC;
  wasm_valtype_vec_copy(&out->params, &t->params);
  wasm_valtype_vec_copy(&out->results, &t->results);
  return out;
}
void wasm_functype_delete(wasm_functype_t* t) {
  if (!t) return;
  wasm_valtype_vec_delete(&t->params);
  wasm_valtype_vec_delete(&t->results);
  delete t;
}

wasm_globaltype_t* wasm_globaltype_new(wasm_valtype_t* content, wasm_mutability_t mutability) {
  if (!content) return nullptr;
  auto* out = new wasm_globaltype_t;
  out->kind = WASM_EXTERN_GLOBAL;
  out->content = content;
  out->mutability = mutability;
  return out;
}
const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t* t) { return t->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t* t) { return t->mutability; }
wasm_globaltype_t* wasm_globaltype_copy(const wasm_globaltype_t* t) {
  return wasm_globaltype_new(wasm_valtype_copy(t->content), t->mutability);
}
void wasm_globaltype_delete(wasm_globaltype_t* t) {
  if (!t) return;
  wasm_valtype_delete(t->content);
  delete t;
}

wasm_tabletype_t* wasm_tabletype_new(wasm_valtype_t* element, const wasm_limits_t* limits) {
  if (!element || !limits) return nullptr;
  auto* out = new wasm_tabletype_t;
  out->kind = WASM_EXTERN_TABLE;
  out->element = element;
  out->limits = *limits;
  return out;
}
const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t* t) { return t->element; }
const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t* t) { return &t->limits; }
wasm_tabletype_t* wasm_tabletype_copy(const wasm_tabletype_t* t) {
  return wasm_tabletype_new(wasm_valtype_copy(t->element), &t->limits);
}
void wasm_tabletype_delete(wasm_tabletype_t* t) {
  if (!t) return;
  wasm_valtype_delete(t->element);
  delete t;
}

wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits) {
  if (!limits) return nullptr;
  auto* out = new wasm_memorytype_t;
  out->kind = WASM_EXTERN_MEMORY;
  out->limits = *limits;
  return out;
}
const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t* t) { return &t->limits; }
wasm_memorytype_t* wasm_memorytype_copy(const wasm_memorytype_t* t) {
  return wasm_memorytype_new(&t->limits);
}
void wasm_memorytype_delete(wasm_memorytype_t* t) { delete t; }

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t* t) { return t->kind; }
wasm_externtype_t* wasm_externtype_copy(const wasm_externtype_t* t) {
  switch (t->kind) {
    case WASM_EXTERN_FUNC: return wasm_functype_copy(static_cast<const wasm_functype_t*>(t));
    case WASM_EXTERN_GLOBAL: return wasm_globaltype_copy(static_cast<const wasm_globaltype_t*>(t));
    case WASM_EXTERN_TABLE: return wasm_tabletype_copy(static_cast<const wasm_tabletype_t*>(t));
    default: return wasm_memorytype_copy(static_cast<const wasm_memorytype_t*>(t));
  }
}
void wasm_externtype_delete(wasm_externtype_t* t) {
  if (!t) return;
  switch (t->kind) {
    case WASM_EXTERN_FUNC: return wasm_functype_delete(static_cast<wasm_functype_t*>(t));
    case WASM_EXTERN_GLOBAL: return wasm_globaltype_delete(static_cast<wasm_globaltype_t*>(t));
    case WASM_EXTERN_TABLE: return wasm_tabletype_delete(static_cast<wasm_tabletype_t*>(t));
    default: return wasm_memorytype_delete(static_cast<wasm_memorytype_t*>(t));
  }
}

// Upcasts and checked downcasts between an external type and its kinds.
#define WVM_CAPI_EXTERNTYPE_CAST(T, KIND)                                                    \
  wasm_externtype_t* wasm_##T##_as_externtype(wasm_##T##_t* t) { return t; }                 \
  const wasm_externtype_t* wasm_##T##_as_externtype_const(const wasm_##T##_t* t) {           \
    return t;                                                                                \
  }                                                                                          \
  wasm_##T##_t* wasm_externtype_as_##T(wasm_externtype_t* t) {                               \
    return t && t->kind == KIND ? static_cast<wasm_##T##_t*>(t) : nullptr;                   \
  }                                                                                          \
  const wasm_##T##_t* wasm_externtype_as_##T##_const(const wasm_externtype_t* t) {           \
    return t && t->kind == KIND ? static_cast<const wasm_##T##_t*>(t) : nullptr;             \
  }
WVM_CAPI_EXTERNTYPE_CAST(functype, WASM_EXTERN_FUNC)
WVM_CAPI_EXTERNTYPE_CAST(globaltype, WASM_EXTERN_GLOBAL)
WVM_CAPI_EXTERNTYPE_CAST(tabletype, WASM_EXTERN_TABLE)
WVM_CAPI_EXTERNTYPE_CAST(memorytype, WASM_EXTERN_MEMORY)

wasm_importtype_t* wasm_importtype_new(wasm_name_t* module, wasm_name_t* name,
                                       wasm_externtype_t* type) {
  auto* out = new wasm_importtype_t{*module, *name, type};
  *module = {0, nullptr};
  *name = {0, nullptr};
  return out;
}
const wasm_name_t* wasm_importtype_module(const wasm_importtype_t* t) { return &t->module; }
const wasm_name_t* wasm_importtype_name(const wasm_importtype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t* t) { return t->type; }
wasm_importtype_t* wasm_importtype_copy(const wasm_importtype_t* t) {
  auto* out = new wasm_importtype_t;
  wasm_byte_vec_copy(&out->module, &t->module);
  wasm_byte_vec_copy(&out->name, &t->name);
  out->type = wasm_externtype_copy(t->type);
  return out;
}
void wasm_importtype_delete(wasm_importtype_t* t) {
  if (!t) return;
  wasm_byte_vec_delete(&t->module);
  wasm_byte_vec_delete(&t->name);
  wasm_externtype_delete(t->type);
  delete t;
}

wasm_exporttype_t* wasm_exporttype_new(wasm_name_t* name, wasm_externtype_t* type) {
  auto* out = new wasm_exporttype_t{*name, type};
  *name = {0, nullptr};
  return out;
}
const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* t) { return &t->name; }
const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t* t) { return t->type; }
wasm_exporttype_t* wasm_exporttype_copy(const wasm_exporttype_t* t) {
  auto* out = new wasm_exporttype_t;
  wasm_byte_vec_copy(&out->name, &t->name);
  out->type = wasm_externtype_copy(t->type);
  return out;
}
void wasm_exporttype_delete(wasm_exporttype_t* t) {
  if (!t) return;
  wasm_byte_vec_delete(&t->name);
  wasm_externtype_delete(t->type);
  delete t;
}

}  // extern "C"
