/* The standard WebAssembly C API (wasm-c-api), as implemented by wvm.
 *
 * Names, types, signatures and enum values follow the standard interface so
 * that programs written for it build against wvm unchanged; this text is
 * wvm's own. Ownership: a parameter or result marked `own` transfers
 * ownership (the receiver deletes it); anything else is borrowed. Runtime
 * objects (functions, globals, tables, memories, instances, foreign refs)
 * live in their store until the store is deleted; a handle to one is an
 * owned reference the program deletes with wasm_X_delete. wvm's own settings
 * are in wvm.h. Valid C99/C11 and C++. */
#ifndef WASM_H
#define WASM_H

#include <assert.h> /* the standard header provides assert to its users */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WASM_API_EXTERN
#if defined(_WIN32) && !defined(__MINGW32__) && !defined(LIBWASM_STATIC)
#define WASM_API_EXTERN __declspec(dllimport)
#else
#define WASM_API_EXTERN __attribute__((visibility("default")))
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Basic types ------------------------------------------------------ */

/// One byte of a byte vector (names, binaries, messages).
typedef char byte_t;
/// A 32-bit IEEE float.
typedef float float32_t;
/// A 64-bit IEEE float.
typedef double float64_t;

/// Marks an owned parameter or result (documentation only).
#define own

/* WASM_OWN_(T): an owned object type T with wasm_T_delete. */
#define WASM_OWN_(T)                               \
  typedef struct wasm_##T##_t wasm_##T##_t;        \
  WASM_API_EXTERN void wasm_##T##_delete(own wasm_##T##_t*);

/* WASM_VEC_(T, P): wasm_T_vec_t holding `size` elements of type wasm_T_t P. */
#define WASM_VEC_(T, P)                                                                   \
  typedef struct wasm_##T##_vec_t {                                                       \
    size_t size;                                                                          \
    wasm_##T##_t P* data;                                                                 \
  } wasm_##T##_vec_t;                                                                     \
  WASM_API_EXTERN void wasm_##T##_vec_new_empty(own wasm_##T##_vec_t* out);               \
  WASM_API_EXTERN void wasm_##T##_vec_new_uninitialized(own wasm_##T##_vec_t* out,        \
                                                        size_t size);                     \
  WASM_API_EXTERN void wasm_##T##_vec_new(own wasm_##T##_vec_t* out, size_t size,         \
                                          own wasm_##T##_t P const data[]);               \
  WASM_API_EXTERN void wasm_##T##_vec_copy(own wasm_##T##_vec_t* out,                     \
                                           const wasm_##T##_vec_t* src);                  \
  WASM_API_EXTERN void wasm_##T##_vec_delete(own wasm_##T##_vec_t*);

/// A byte.
typedef byte_t wasm_byte_t;
WASM_VEC_(byte, )

/// A name: bytes, not necessarily NUL-terminated.
typedef wasm_byte_vec_t wasm_name_t;
#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

/// A name holding the characters of `s` (no terminating NUL).
static inline void wasm_name_new_from_string(own wasm_name_t* out, const char* s) {
  wasm_name_new(out, strlen(s), s);
}
/// A name holding `s` and its terminating NUL.
static inline void wasm_name_new_from_string_nt(own wasm_name_t* out, const char* s) {
  wasm_name_new(out, strlen(s) + 1, s);
}

/* ---- Engine and store --------------------------------------------------- */

WASM_OWN_(config)
/// A configuration with wvm's defaults (see wvm.h for its settings).
WASM_API_EXTERN own wasm_config_t* wasm_config_new(void);

WASM_OWN_(engine)
/// An engine with the default configuration; NULL if WVM_TIER is invalid.
WASM_API_EXTERN own wasm_engine_t* wasm_engine_new(void);
/// An engine with `config`, which it consumes.
WASM_API_EXTERN own wasm_engine_t* wasm_engine_new_with_config(own wasm_config_t* config);

WASM_OWN_(store)
/// A store of runtime objects, used by one thread at a time.
WASM_API_EXTERN own wasm_store_t* wasm_store_new(wasm_engine_t* engine);

/* ---- Type representations ---------------------------------------------- */

/// WASM_CONST or WASM_VAR.
typedef uint8_t wasm_mutability_t;
/// Global mutability.
enum wasm_mutability_enum { WASM_CONST, WASM_VAR };

/// Minimum and maximum of a table (elements) or memory (pages).
typedef struct wasm_limits_t {
  uint32_t min;
  uint32_t max;
} wasm_limits_t;

/// The `max` of limits that have no maximum.
static const uint32_t wasm_limits_max_default = 0xffffffff;

/* WASM_TYPE_(T): an owned, copyable type object with its vector type. */
#define WASM_TYPE_(T) \
  WASM_OWN_(T)        \
  WASM_VEC_(T, *)     \
  WASM_API_EXTERN own wasm_##T##_t* wasm_##T##_copy(const wasm_##T##_t*);

WASM_TYPE_(valtype)

/// The kind of a value type.
typedef uint8_t wasm_valkind_t;
/// Value kinds; numbers below WASM_EXTERNREF, references from it.
enum wasm_valkind_enum {
  WASM_I32,
  WASM_I64,
  WASM_F32,
  WASM_F64,
  WASM_EXTERNREF = 128,
  WASM_FUNCREF,
};

/// The value type of kind `kind`.
WASM_API_EXTERN own wasm_valtype_t* wasm_valtype_new(wasm_valkind_t kind);
/// The kind of a value type.
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t*);

/// True for i32, i64, f32, f64.
static inline bool wasm_valkind_is_num(wasm_valkind_t k) { return k < WASM_EXTERNREF; }
/// True for externref and funcref.
static inline bool wasm_valkind_is_ref(wasm_valkind_t k) { return k >= WASM_EXTERNREF; }
/// True for a numeric value type.
static inline bool wasm_valtype_is_num(const wasm_valtype_t* t) {
  return wasm_valkind_is_num(wasm_valtype_kind(t));
}
/// True for a reference value type.
static inline bool wasm_valtype_is_ref(const wasm_valtype_t* t) {
  return wasm_valkind_is_ref(wasm_valtype_kind(t));
}

WASM_TYPE_(functype)
/// A function type; consumes both vectors.
WASM_API_EXTERN own wasm_functype_t* wasm_functype_new(own wasm_valtype_vec_t* params,
                                                       own wasm_valtype_vec_t* results);
/// The parameter types (borrowed).
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t*);
/// The result types (borrowed).
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t*);

WASM_TYPE_(globaltype)
/// A global type; consumes `content`.
WASM_API_EXTERN own wasm_globaltype_t* wasm_globaltype_new(own wasm_valtype_t* content,
                                                           wasm_mutability_t mutability);
/// The value type (borrowed).
WASM_API_EXTERN const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t*);
/// WASM_CONST or WASM_VAR.
WASM_API_EXTERN wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t*);

WASM_TYPE_(tabletype)
/// A table type; consumes `element`.
WASM_API_EXTERN own wasm_tabletype_t* wasm_tabletype_new(own wasm_valtype_t* element,
                                                         const wasm_limits_t* limits);
/// The element type (borrowed).
WASM_API_EXTERN const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t*);
/// The limits, in elements (borrowed).
WASM_API_EXTERN const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t*);

WASM_TYPE_(memorytype)
/// A memory type with `limits` in 64 KiB pages.
WASM_API_EXTERN own wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t* limits);
/// The limits, in pages (borrowed).
WASM_API_EXTERN const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t*);

WASM_TYPE_(externtype)

/// The kind of an external.
typedef uint8_t wasm_externkind_t;
/// External kinds.
enum wasm_externkind_enum {
  WASM_EXTERN_FUNC,
  WASM_EXTERN_GLOBAL,
  WASM_EXTERN_TABLE,
  WASM_EXTERN_MEMORY,
};

/// The kind of an external type.
WASM_API_EXTERN wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t*);

/// A function type viewed as an external type (same object, borrowed).
WASM_API_EXTERN wasm_externtype_t* wasm_functype_as_externtype(wasm_functype_t*);
/// A global type viewed as an external type.
WASM_API_EXTERN wasm_externtype_t* wasm_globaltype_as_externtype(wasm_globaltype_t*);
/// A table type viewed as an external type.
WASM_API_EXTERN wasm_externtype_t* wasm_tabletype_as_externtype(wasm_tabletype_t*);
/// A memory type viewed as an external type.
WASM_API_EXTERN wasm_externtype_t* wasm_memorytype_as_externtype(wasm_memorytype_t*);
/// The function type, or NULL if the external type is of another kind.
WASM_API_EXTERN wasm_functype_t* wasm_externtype_as_functype(wasm_externtype_t*);
/// The global type, or NULL.
WASM_API_EXTERN wasm_globaltype_t* wasm_externtype_as_globaltype(wasm_externtype_t*);
/// The table type, or NULL.
WASM_API_EXTERN wasm_tabletype_t* wasm_externtype_as_tabletype(wasm_externtype_t*);
/// The memory type, or NULL.
WASM_API_EXTERN wasm_memorytype_t* wasm_externtype_as_memorytype(wasm_externtype_t*);

/// Const view of wasm_functype_as_externtype.
WASM_API_EXTERN const wasm_externtype_t* wasm_functype_as_externtype_const(const wasm_functype_t*);
/// Const view of wasm_globaltype_as_externtype.
WASM_API_EXTERN const wasm_externtype_t* wasm_globaltype_as_externtype_const(
    const wasm_globaltype_t*);
/// Const view of wasm_tabletype_as_externtype.
WASM_API_EXTERN const wasm_externtype_t* wasm_tabletype_as_externtype_const(
    const wasm_tabletype_t*);
/// Const view of wasm_memorytype_as_externtype.
WASM_API_EXTERN const wasm_externtype_t* wasm_memorytype_as_externtype_const(
    const wasm_memorytype_t*);
/// Const view of wasm_externtype_as_functype.
WASM_API_EXTERN const wasm_functype_t* wasm_externtype_as_functype_const(const wasm_externtype_t*);
/// Const view of wasm_externtype_as_globaltype.
WASM_API_EXTERN const wasm_globaltype_t* wasm_externtype_as_globaltype_const(
    const wasm_externtype_t*);
/// Const view of wasm_externtype_as_tabletype.
WASM_API_EXTERN const wasm_tabletype_t* wasm_externtype_as_tabletype_const(
    const wasm_externtype_t*);
/// Const view of wasm_externtype_as_memorytype.
WASM_API_EXTERN const wasm_memorytype_t* wasm_externtype_as_memorytype_const(
    const wasm_externtype_t*);

WASM_TYPE_(importtype)
/// An import type; consumes all three arguments.
WASM_API_EXTERN own wasm_importtype_t* wasm_importtype_new(own wasm_name_t* module,
                                                           own wasm_name_t* name,
                                                           own wasm_externtype_t* type);
/// The module name (borrowed).
WASM_API_EXTERN const wasm_name_t* wasm_importtype_module(const wasm_importtype_t*);
/// The field name (borrowed).
WASM_API_EXTERN const wasm_name_t* wasm_importtype_name(const wasm_importtype_t*);
/// The expected type (borrowed).
WASM_API_EXTERN const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t*);

WASM_TYPE_(exporttype)
/// An export type; consumes both arguments.
WASM_API_EXTERN own wasm_exporttype_t* wasm_exporttype_new(own wasm_name_t* name,
                                                           own wasm_externtype_t* type);
/// The export name (borrowed).
WASM_API_EXTERN const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t*);
/// The exported type (borrowed).
WASM_API_EXTERN const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t*);

/* ---- Values -------------------------------------------------------------- */

struct wasm_ref_t;

/// A value: its kind and, by kind, its payload. A reference value owns its ref.
typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float32_t f32;
    float64_t f64;
    struct wasm_ref_t* ref;
  } of;
} wasm_val_t;

/// Releases what a value owns (its reference, if any).
WASM_API_EXTERN void wasm_val_delete(own wasm_val_t* v);
/// Copies a value (a reference is copied as a new handle).
WASM_API_EXTERN void wasm_val_copy(own wasm_val_t* out, const wasm_val_t* src);

WASM_VEC_(val, )

/* ---- References ----------------------------------------------------------- */

/* WASM_REF_BASE_(T): copy, identity and host info of a reference type. Host
 * info belongs to the underlying object, not to the handle. */
#define WASM_REF_BASE_(T)                                                                 \
  WASM_OWN_(T)                                                                            \
  WASM_API_EXTERN own wasm_##T##_t* wasm_##T##_copy(const wasm_##T##_t*);                 \
  WASM_API_EXTERN bool wasm_##T##_same(const wasm_##T##_t*, const wasm_##T##_t*);         \
  WASM_API_EXTERN void* wasm_##T##_get_host_info(const wasm_##T##_t*);                    \
  WASM_API_EXTERN void wasm_##T##_set_host_info(wasm_##T##_t*, void* info);               \
  WASM_API_EXTERN void wasm_##T##_set_host_info_with_finalizer(wasm_##T##_t*, void* info, \
                                                               void (*finalizer)(void*));

/* WASM_REF_(T): a reference type convertible to and from wasm_ref_t. */
#define WASM_REF_(T)                                                                    \
  WASM_REF_BASE_(T)                                                                     \
  WASM_API_EXTERN wasm_ref_t* wasm_##T##_as_ref(wasm_##T##_t*);                          \
  WASM_API_EXTERN wasm_##T##_t* wasm_ref_as_##T(wasm_ref_t*);                            \
  WASM_API_EXTERN const wasm_ref_t* wasm_##T##_as_ref_const(const wasm_##T##_t*);        \
  WASM_API_EXTERN const wasm_##T##_t* wasm_ref_as_##T##_const(const wasm_ref_t*);

/* WASM_SHARABLE_REF_(T): a reference that can be shared with another thread. */
#define WASM_SHARABLE_REF_(T)                                                         \
  WASM_REF_(T)                                                                        \
  WASM_OWN_(shared_##T)                                                               \
  WASM_API_EXTERN own wasm_shared_##T##_t* wasm_##T##_share(const wasm_##T##_t*);     \
  WASM_API_EXTERN own wasm_##T##_t* wasm_##T##_obtain(wasm_store_t*,                  \
                                                      const wasm_shared_##T##_t*);

WASM_REF_BASE_(ref)

/* ---- Frames and traps ------------------------------------------------------ */

WASM_OWN_(frame)
WASM_VEC_(frame, *)
/// A copy of a frame.
WASM_API_EXTERN own wasm_frame_t* wasm_frame_copy(const wasm_frame_t*);
/// The instance running the frame's function (borrowed; lives as long as its store).
WASM_API_EXTERN struct wasm_instance_t* wasm_frame_instance(const wasm_frame_t*);
/// The function's index in its module, imports included.
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t*);
/// Byte offset of the instruction from the start of the function's body.
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t*);
/// Byte offset of the instruction from the start of the module's binary.
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t*);

/// A trap message: bytes including the terminating NUL.
typedef wasm_name_t wasm_message_t;

WASM_REF_(trap)
/// A trap with `message` (to be returned from a host function).
WASM_API_EXTERN own wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t* message);
/// The trap's message, NUL-terminated, the NUL counted in its size.
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t*, own wasm_message_t* out);
/// The innermost wasm frame, or NULL if there is none.
WASM_API_EXTERN own wasm_frame_t* wasm_trap_origin(const wasm_trap_t*);
/// The wasm frames the trap unwound, innermost first.
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t*, own wasm_frame_vec_t* out);

/* ---- Foreign objects -------------------------------------------------------- */

WASM_REF_(foreign)
/// A new host object (an externref value with host info).
WASM_API_EXTERN own wasm_foreign_t* wasm_foreign_new(wasm_store_t*);

/* ---- Modules ----------------------------------------------------------------- */

WASM_SHARABLE_REF_(module)
/// Compiles `binary`; NULL if it is invalid (wvm_last_error says why).
WASM_API_EXTERN own wasm_module_t* wasm_module_new(wasm_store_t*, const wasm_byte_vec_t* binary);
/// Whether `binary` is a valid module.
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t*, const wasm_byte_vec_t* binary);
/// The module's imports, in order.
WASM_API_EXTERN void wasm_module_imports(const wasm_module_t*, own wasm_importtype_vec_t* out);
/// The module's exports, in order.
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t*, own wasm_exporttype_vec_t* out);
/// The compiled module as bytes (an empty vector on failure).
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t*, own wasm_byte_vec_t* out);
/// A module from wasm_module_serialize's bytes; NULL for stale or corrupted bytes.
WASM_API_EXTERN own wasm_module_t* wasm_module_deserialize(wasm_store_t*,
                                                           const wasm_byte_vec_t* bytes);

/* ---- Functions ----------------------------------------------------------------- */

WASM_REF_(func)

/// A host function: fills `results`; a returned trap is raised in the caller.
typedef own wasm_trap_t* (*wasm_func_callback_t)(const wasm_val_vec_t* args,
                                                 own wasm_val_vec_t* results);
/// A host function with an environment pointer.
typedef own wasm_trap_t* (*wasm_func_callback_with_env_t)(void* env, const wasm_val_vec_t* args,
                                                          wasm_val_vec_t* results);

/// A host function of type `type`.
WASM_API_EXTERN own wasm_func_t* wasm_func_new(wasm_store_t*, const wasm_functype_t* type,
                                               wasm_func_callback_t callback);
/// A host function with `env`; `finalizer(env)` runs once when the store is deleted.
WASM_API_EXTERN own wasm_func_t* wasm_func_new_with_env(wasm_store_t*,
                                                        const wasm_functype_t* type,
                                                        wasm_func_callback_with_env_t callback,
                                                        void* env, void (*finalizer)(void*));
/// The function's type.
WASM_API_EXTERN own wasm_functype_t* wasm_func_type(const wasm_func_t*);
/// The number of parameters.
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t*);
/// The number of results.
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t*);
/// Calls the function; NULL on success (results written), else the trap.
WASM_API_EXTERN own wasm_trap_t* wasm_func_call(const wasm_func_t*, const wasm_val_vec_t* args,
                                                wasm_val_vec_t* results);

/* ---- Globals --------------------------------------------------------------------- */

WASM_REF_(global)
/// A global of type `type` holding `value`.
WASM_API_EXTERN own wasm_global_t* wasm_global_new(wasm_store_t*, const wasm_globaltype_t* type,
                                                   const wasm_val_t* value);
/// The global's type.
WASM_API_EXTERN own wasm_globaltype_t* wasm_global_type(const wasm_global_t*);
/// The global's value.
WASM_API_EXTERN void wasm_global_get(const wasm_global_t*, own wasm_val_t* out);
/// Sets a mutable global (ignored for an immutable one or a value of the wrong kind).
WASM_API_EXTERN void wasm_global_set(wasm_global_t*, const wasm_val_t* value);

/* ---- Tables ------------------------------------------------------------------------ */

WASM_REF_(table)
/// A table index or size.
typedef uint32_t wasm_table_size_t;
/// A table of type `type` with every element `init` (may be NULL).
WASM_API_EXTERN own wasm_table_t* wasm_table_new(wasm_store_t*, const wasm_tabletype_t* type,
                                                 wasm_ref_t* init);
/// The table's type.
WASM_API_EXTERN own wasm_tabletype_t* wasm_table_type(const wasm_table_t*);
/// Element `index`; NULL for a null element or an index out of bounds.
WASM_API_EXTERN own wasm_ref_t* wasm_table_get(const wasm_table_t*, wasm_table_size_t index);
/// Sets element `index`; false if out of bounds or of the wrong type.
WASM_API_EXTERN bool wasm_table_set(wasm_table_t*, wasm_table_size_t index, wasm_ref_t* ref);
/// The number of elements.
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t*);
/// Grows by `delta` elements set to `init`; false if it cannot.
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t*, wasm_table_size_t delta, wasm_ref_t* init);

/* ---- Memories ------------------------------------------------------------------------ */

WASM_REF_(memory)
/// A size in 64 KiB pages.
typedef uint32_t wasm_memory_pages_t;
/// Bytes per page.
static const size_t MEMORY_PAGE_SIZE = 0x10000;
/// A memory of type `type`.
WASM_API_EXTERN own wasm_memory_t* wasm_memory_new(wasm_store_t*, const wasm_memorytype_t* type);
/// The memory's type.
WASM_API_EXTERN own wasm_memorytype_t* wasm_memory_type(const wasm_memory_t*);
/// The memory's bytes; the address does not change when it grows.
WASM_API_EXTERN byte_t* wasm_memory_data(wasm_memory_t*);
/// The size in bytes.
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t*);
/// The size in pages.
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t*);
/// Grows by `delta` pages; false (unchanged) past its maximum.
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t*, wasm_memory_pages_t delta);

/* ---- Externals ------------------------------------------------------------------------- */

WASM_REF_(extern)
WASM_VEC_(extern, *)

/// The kind of an external.
WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t*);
/// The type of an external.
WASM_API_EXTERN own wasm_externtype_t* wasm_extern_type(const wasm_extern_t*);

/// A function viewed as an external (same handle, borrowed).
WASM_API_EXTERN wasm_extern_t* wasm_func_as_extern(wasm_func_t*);
/// A global viewed as an external.
WASM_API_EXTERN wasm_extern_t* wasm_global_as_extern(wasm_global_t*);
/// A table viewed as an external.
WASM_API_EXTERN wasm_extern_t* wasm_table_as_extern(wasm_table_t*);
/// A memory viewed as an external.
WASM_API_EXTERN wasm_extern_t* wasm_memory_as_extern(wasm_memory_t*);
/// The function, or NULL if the external is of another kind.
WASM_API_EXTERN wasm_func_t* wasm_extern_as_func(wasm_extern_t*);
/// The global, or NULL.
WASM_API_EXTERN wasm_global_t* wasm_extern_as_global(wasm_extern_t*);
/// The table, or NULL.
WASM_API_EXTERN wasm_table_t* wasm_extern_as_table(wasm_extern_t*);
/// The memory, or NULL.
WASM_API_EXTERN wasm_memory_t* wasm_extern_as_memory(wasm_extern_t*);

/// Const view of wasm_func_as_extern.
WASM_API_EXTERN const wasm_extern_t* wasm_func_as_extern_const(const wasm_func_t*);
/// Const view of wasm_global_as_extern.
WASM_API_EXTERN const wasm_extern_t* wasm_global_as_extern_const(const wasm_global_t*);
/// Const view of wasm_table_as_extern.
WASM_API_EXTERN const wasm_extern_t* wasm_table_as_extern_const(const wasm_table_t*);
/// Const view of wasm_memory_as_extern.
WASM_API_EXTERN const wasm_extern_t* wasm_memory_as_extern_const(const wasm_memory_t*);
/// Const view of wasm_extern_as_func.
WASM_API_EXTERN const wasm_func_t* wasm_extern_as_func_const(const wasm_extern_t*);
/// Const view of wasm_extern_as_global.
WASM_API_EXTERN const wasm_global_t* wasm_extern_as_global_const(const wasm_extern_t*);
/// Const view of wasm_extern_as_table.
WASM_API_EXTERN const wasm_table_t* wasm_extern_as_table_const(const wasm_extern_t*);
/// Const view of wasm_extern_as_memory.
WASM_API_EXTERN const wasm_memory_t* wasm_extern_as_memory_const(const wasm_extern_t*);

/* ---- Instances --------------------------------------------------------------------------- */

WASM_REF_(instance)
/// Instantiates `module` with `imports` (one per module import, in order).
/// NULL on failure: a trap in the start function is stored in `*trap` (if
/// `trap` is not NULL); a link error is described by wvm_last_error().
WASM_API_EXTERN own wasm_instance_t* wasm_instance_new(wasm_store_t*, const wasm_module_t*,
                                                       const wasm_extern_vec_t* imports,
                                                       own wasm_trap_t** trap);
/// The instance's exports, in the module's order.
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t*, own wasm_extern_vec_t* out);

/* ---- Convenience ---------------------------------------------------------------------------- */

/// An empty vector initializer.
#define WASM_EMPTY_VEC {0, NULL}
/// A vector initializer borrowing a C array.
#define WASM_ARRAY_VEC(array) {sizeof(array) / sizeof(*(array)), array}

/// The i32 value type.
static inline own wasm_valtype_t* wasm_valtype_new_i32(void) { return wasm_valtype_new(WASM_I32); }
/// The i64 value type.
static inline own wasm_valtype_t* wasm_valtype_new_i64(void) { return wasm_valtype_new(WASM_I64); }
/// The f32 value type.
static inline own wasm_valtype_t* wasm_valtype_new_f32(void) { return wasm_valtype_new(WASM_F32); }
/// The f64 value type.
static inline own wasm_valtype_t* wasm_valtype_new_f64(void) { return wasm_valtype_new(WASM_F64); }
/// The externref value type.
static inline own wasm_valtype_t* wasm_valtype_new_externref(void) {
  return wasm_valtype_new(WASM_EXTERNREF);
}
/// The funcref value type.
static inline own wasm_valtype_t* wasm_valtype_new_funcref(void) {
  return wasm_valtype_new(WASM_FUNCREF);
}

/// A function type from arrays of `np` parameter and `nr` result types (consumed).
static inline own wasm_functype_t* wasm_functype_new_n_m_(size_t np, own wasm_valtype_t** ps,
                                                         size_t nr, own wasm_valtype_t** rs) {
  wasm_valtype_vec_t params, results;
  if (np) wasm_valtype_vec_new(&params, np, ps); else wasm_valtype_vec_new_empty(&params);
  if (nr) wasm_valtype_vec_new(&results, nr, rs); else wasm_valtype_vec_new_empty(&results);
  return wasm_functype_new(&params, &results);
}

/// () -> ()
static inline own wasm_functype_t* wasm_functype_new_0_0(void) {
  return wasm_functype_new_n_m_(0, NULL, 0, NULL);
}
/// (p) -> ()
static inline own wasm_functype_t* wasm_functype_new_1_0(own wasm_valtype_t* p) {
  wasm_valtype_t* ps[1] = {p};
  return wasm_functype_new_n_m_(1, ps, 0, NULL);
}
/// (p1, p2) -> ()
static inline own wasm_functype_t* wasm_functype_new_2_0(own wasm_valtype_t* p1,
                                                        own wasm_valtype_t* p2) {
  wasm_valtype_t* ps[2] = {p1, p2};
  return wasm_functype_new_n_m_(2, ps, 0, NULL);
}
/// (p1, p2, p3) -> ()
static inline own wasm_functype_t* wasm_functype_new_3_0(own wasm_valtype_t* p1,
                                                        own wasm_valtype_t* p2,
                                                        own wasm_valtype_t* p3) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  return wasm_functype_new_n_m_(3, ps, 0, NULL);
}
/// () -> (r)
static inline own wasm_functype_t* wasm_functype_new_0_1(own wasm_valtype_t* r) {
  wasm_valtype_t* rs[1] = {r};
  return wasm_functype_new_n_m_(0, NULL, 1, rs);
}
/// (p) -> (r)
static inline own wasm_functype_t* wasm_functype_new_1_1(own wasm_valtype_t* p,
                                                        own wasm_valtype_t* r) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[1] = {r};
  return wasm_functype_new_n_m_(1, ps, 1, rs);
}
/// (p1, p2) -> (r)
static inline own wasm_functype_t* wasm_functype_new_2_1(own wasm_valtype_t* p1,
                                                        own wasm_valtype_t* p2,
                                                        own wasm_valtype_t* r) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[1] = {r};
  return wasm_functype_new_n_m_(2, ps, 1, rs);
}
/// (p1, p2, p3) -> (r)
static inline own wasm_functype_t* wasm_functype_new_3_1(own wasm_valtype_t* p1,
                                                        own wasm_valtype_t* p2,
                                                        own wasm_valtype_t* p3,
                                                        own wasm_valtype_t* r) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[1] = {r};
  return wasm_functype_new_n_m_(3, ps, 1, rs);
}
/// () -> (r1, r2)
static inline own wasm_functype_t* wasm_functype_new_0_2(own wasm_valtype_t* r1,
                                                        own wasm_valtype_t* r2) {
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_functype_new_n_m_(0, NULL, 2, rs);
}
/// (p) -> (r1, r2)
static inline own wasm_functype_t* wasm_functype_new_1_2(own wasm_valtype_t* p,
                                                        own wasm_valtype_t* r1,
                                                        own wasm_valtype_t* r2) {
  wasm_valtype_t* ps[1] = {p};
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_functype_new_n_m_(1, ps, 2, rs);
}
/// (p1, p2) -> (r1, r2)
static inline own wasm_functype_t* wasm_functype_new_2_2(own wasm_valtype_t* p1,
                                                        own wasm_valtype_t* p2,
                                                        own wasm_valtype_t* r1,
                                                        own wasm_valtype_t* r2) {
  wasm_valtype_t* ps[2] = {p1, p2};
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_functype_new_n_m_(2, ps, 2, rs);
}
/// (p1, p2, p3) -> (r1, r2)
static inline own wasm_functype_t* wasm_functype_new_3_2(own wasm_valtype_t* p1,
                                                        own wasm_valtype_t* p2,
                                                        own wasm_valtype_t* p3,
                                                        own wasm_valtype_t* r1,
                                                        own wasm_valtype_t* r2) {
  wasm_valtype_t* ps[3] = {p1, p2, p3};
  wasm_valtype_t* rs[2] = {r1, r2};
  return wasm_functype_new_n_m_(3, ps, 2, rs);
}

/// Stores a host pointer in a value of the pointer-sized integer kind.
static inline void wasm_val_init_ptr(own wasm_val_t* out, void* p) {
#if UINTPTR_MAX == UINT32_MAX
  out->kind = WASM_I32;
  out->of.i32 = (int32_t)(intptr_t)p;
#else
  out->kind = WASM_I64;
  out->of.i64 = (int64_t)(intptr_t)p;
#endif
}
/// The host pointer a value made by wasm_val_init_ptr holds.
static inline void* wasm_val_ptr(const wasm_val_t* val) {
#if UINTPTR_MAX == UINT32_MAX
  return (void*)(intptr_t)val->of.i32;
#else
  return (void*)(intptr_t)val->of.i64;
#endif
}

/// Value initializers (designated: C99, C++20).
#define WASM_I32_VAL(i) {.kind = WASM_I32, .of = {.i32 = i}}
#define WASM_I64_VAL(i) {.kind = WASM_I64, .of = {.i64 = i}}
#define WASM_F32_VAL(z) {.kind = WASM_F32, .of = {.f32 = z}}
#define WASM_F64_VAL(z) {.kind = WASM_F64, .of = {.f64 = z}}
#define WASM_REF_VAL(r) {.kind = WASM_EXTERNREF, .of = {.ref = r}}
/// A placeholder value for results (a null externref).
#define WASM_INIT_VAL {.kind = WASM_EXTERNREF, .of = {.ref = NULL}}

#undef own

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // WASM_H
