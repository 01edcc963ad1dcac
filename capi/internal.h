// The wasm-c-api's objects over the C++ API (include/wvm/wvm.h).
//
// Type objects (wasm_valtype_t, wasm_functype_t, ...) are plain structs the
// program owns. Runtime objects (functions, globals, tables, memories,
// instances) live in their wvm::Store until the store dies; what the program
// holds is a Handle, one small heap object per wasm_X_t* it was given, so
// wasm_X_delete frees only the handle. Every reference type (wasm_ref_t,
// wasm_func_t, wasm_extern_t, wasm_trap_t, ...) is a Handle: conversions
// between them are the same pointer, and the public struct names are never
// defined, only cast to Handle.
//
// Host info belongs to the object: store objects keep it in an ObjectRecord
// made the first time it is needed (host info set, or the object passed into
// wasm as an externref), so an object nobody annotates costs nothing extra;
// traps and modules keep it in their shared data. Finalizers run once, when
// the object dies (store deletion for store objects, the last handle for
// traps and modules); replacing host info runs the replaced finalizer then.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "wasm.h"
#include "wvm.h"
#include "wvm/wvm.h"

// The type objects. Kinds follow wasm_externkind_enum.
struct wasm_valtype_t {
  wasm_valkind_t kind;
};
struct wasm_externtype_t {
  wasm_externkind_t kind;
};
struct wasm_functype_t : wasm_externtype_t {
  wasm_valtype_vec_t params;
  wasm_valtype_vec_t results;
};
struct wasm_globaltype_t : wasm_externtype_t {
  wasm_valtype_t* content;
  wasm_mutability_t mutability;
};
struct wasm_tabletype_t : wasm_externtype_t {
  wasm_valtype_t* element;
  wasm_limits_t limits;
};
struct wasm_memorytype_t : wasm_externtype_t {
  wasm_limits_t limits;
};
struct wasm_importtype_t {
  wasm_name_t module;
  wasm_name_t name;
  wasm_externtype_t* type;
};
struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t* type;
};

struct wasm_config_t {
  wvm::Config config;
  bool tier_set = false;
};

struct wasm_engine_t {
  std::unique_ptr<wvm::Engine> engine;
};

struct wasm_frame_t {
  wasm_instance_t* instance;  // the store's canonical handle, borrowed
  uint32_t func_index;
  size_t func_offset;
  size_t module_offset;
};

namespace wvm::capi {

/// A host pointer and the finalizer that releases it.
struct HostInfo {
  void* info = nullptr;
  void (*finalizer)(void*) = nullptr;
  /// Replaces the info; runs the replaced finalizer unless it is the same pair.
  void set(void* new_info, void (*new_finalizer)(void*));
  /// Runs the finalizer (once) and forgets the info.
  void finalize();
};

/// What a Handle refers to.
enum class HandleKind : uint8_t { Func, Global, Table, Memory, Instance, Foreign, Trap, Module };

/// Data of a trap or module, shared by every handle to it.
struct SharedData {
  HostInfo host_info;
  virtual ~SharedData() { host_info.finalize(); }
};

struct TrapData : SharedData {
  std::string message;  // NUL-terminated, the NUL included
  TrapKind kind = TrapKind::HostError;
  std::vector<wasm_frame_t> frames;
};

struct ModuleData : SharedData {
  std::shared_ptr<const Module> module;
  wasm_engine_t* engine = nullptr;
};

/// A store object's identity record: its host info, the externref handle
/// wasm sees for it (the record's address), and the canonical instance
/// handle that frames return. Owned by the store.
struct ObjectRecord {
  HandleKind kind;
  void* target;  // the wvm object; the record itself for a foreign object
  HostInfo host_info;
  struct Handle* canonical = nullptr;  // instances: the handle wasm_frame_instance returns
};

/// What a program holds for a reference: kind, store and object.
struct Handle {
  HandleKind kind;
  wasm_store_t* store;
  void* target;  // wvm object, ObjectRecord (foreign) or null (trap/module)
  std::shared_ptr<SharedData> shared;  // traps and modules
};

/// A host function's C callback and environment (Func::host_data).
struct HostFuncEnv {
  wasm_store_t* store;
  const Func* func;
  wasm_func_callback_t callback;
  wasm_func_callback_with_env_t callback_with_env;
  void* env;
  void (*finalizer)(void*);
};

}  // namespace wvm::capi

struct wasm_store_t {
  wasm_engine_t* engine;
  std::unique_ptr<wvm::Store> store;
  /// Records of objects that needed one, in creation order (finalizers run
  /// in that order), and by target (a foreign object's target is its record).
  std::vector<std::unique_ptr<wvm::capi::ObjectRecord>> records;
  std::unordered_map<const void*, wvm::capi::ObjectRecord*> record_index;
  std::vector<std::unique_ptr<wvm::capi::HostFuncEnv>> host_funcs;
  /// The latest instance of each module, for the instance of a trace frame.
  std::unordered_map<const wvm::Module*, wvm::Instance*> instance_of_module;
  /// The trap a host function returned, until the call that ran it reads it.
  std::shared_ptr<wvm::capi::TrapData> pending_host_trap;
  ~wasm_store_t();
};

namespace wvm::capi {

inline Handle* handle(const void* p) { return static_cast<Handle*>(const_cast<void*>(p)); }
template <class T>
T* as(Handle* h) {
  return reinterpret_cast<T*>(h);
}

/// A new handle to a store object.
Handle* new_handle(HandleKind kind, wasm_store_t* store, void* target);
/// The object's record, made if it has none yet.
ObjectRecord* record_of(wasm_store_t* store, HandleKind kind, void* target);
/// The record if there is one.
ObjectRecord* find_record(const wasm_store_t* store, const void* target);

/// Value conversions. A reference becomes its wasm bits (funcref: Func*,
/// externref: the ObjectRecord address); bits become a new handle.
Value to_value(wasm_store_t* store, const wasm_val_t& v, ValType type);
wasm_val_t from_value(wasm_store_t* store, const Value& v);
ValType to_val_type(wasm_valkind_t kind);
wasm_valkind_t from_val_type(ValType type);
/// Reference bits of `ref` (null: 0), for a slot of element type `type`.
uint64_t ref_bits(wasm_store_t* store, const wasm_ref_t* ref, ValType type);

/// Type conversions.
FuncType to_func_type(const wasm_functype_t* type);
wasm_functype_t* new_functype(const FuncType& type);
wasm_globaltype_t* new_globaltype(const GlobalType& type);
wasm_tabletype_t* new_tabletype(const TableType& type);
wasm_memorytype_t* new_memorytype(const MemoryType& type);
SizeLimits to_limits(const wasm_limits_t& limits);

/// A trap handle for `message` (a NUL is added if missing).
wasm_trap_t* new_trap(wasm_store_t* store, TrapKind kind, std::string message,
                      std::vector<wasm_frame_t> frames);
/// The frames of a call's trace, with instances from `store`.
std::vector<wasm_frame_t> frames_of(wasm_store_t* store, const std::vector<TraceFrame>& trace);

/// Sets wvm_last_error() for this thread ("" clears it).
void set_last_error(std::string text);

}  // namespace wvm::capi
