// Shared helpers of our own wasm-c-api tests: checks that count failures,
// module loading and export lookup by name. One test program per .c file;
// each includes this header once.
#ifndef WVM_TESTS_CAPI_OWN_COMMON_H
#define WVM_TESTS_CAPI_OWN_COMMON_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm.h"
#include "wvm.h"

static int g_failures = 0;

// wvm_last_error(): why the last wasm_module_new / deserialize /
// wasm_instance_new of this thread returned NULL.
static inline const char* last_error(void) { return wvm_last_error(); }
static inline bool has_last_error(void) {
  const char* e = last_error();
  return e != NULL && e[0] != '\0';
}

// CHECK records a failure and goes on; REQUIRE stops the program (later
// steps would only crash on a null handle).
#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                          \
    }                                                                        \
  } while (0)

#define REQUIRE(cond)                                                          \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

#define CHECK_I64(actual, expected)                                             \
  do {                                                                          \
    int64_t a_ = (int64_t)(actual), e_ = (int64_t)(expected);                   \
    if (a_ != e_) {                                                             \
      fprintf(stderr, "%s:%d: %s is %" PRId64 ", expected %" PRId64 "\n", __FILE__, \
              __LINE__, #actual, a_, e_);                                       \
      ++g_failures;                                                             \
    }                                                                           \
  } while (0)

#define CHECK_STR(actual, expected)                                             \
  do {                                                                          \
    const char* a_ = (actual);                                                  \
    const char* e_ = (expected);                                                \
    if (a_ == NULL || strcmp(a_, e_) != 0) {                                    \
      fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
              #actual, a_ ? a_ : "(null)", e_);                                 \
      ++g_failures;                                                             \
    }                                                                           \
  } while (0)

static inline int test_finish(const char* name) {
  if (g_failures != 0) {
    fprintf(stderr, "%s: %d failure(s)\n", name, g_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

static inline void load_wasm(const char* path, wasm_byte_vec_t* out) {
  FILE* file = fopen(path, "rb");
  if (file == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(file, 0L, SEEK_END);
  long size = ftell(file);
  fseek(file, 0L, SEEK_SET);
  REQUIRE(size > 0);
  wasm_byte_vec_new_uninitialized(out, (size_t)size);
  REQUIRE(fread(out->data, (size_t)size, 1, file) == 1);
  fclose(file);
}

// The export called `name`: wasm_instance_exports() lists the externs in the
// order of wasm_module_exports(), so the module names them.
static inline wasm_extern_t* export_named(const wasm_module_t* module,
                                          const wasm_extern_vec_t* exports, const char* name) {
  wasm_exporttype_vec_t types;
  wasm_module_exports(module, &types);
  REQUIRE(types.size == exports->size);
  wasm_extern_t* found = NULL;
  for (size_t i = 0; i < types.size; ++i) {
    const wasm_name_t* n = wasm_exporttype_name(types.data[i]);
    if (n->size == strlen(name) && memcmp(n->data, name, n->size) == 0) found = exports->data[i];
  }
  wasm_exporttype_vec_delete(&types);
  if (found == NULL) {
    fprintf(stderr, "no export \"%s\"\n", name);
    exit(1);
  }
  return found;
}

static inline wasm_func_t* export_func(const wasm_module_t* module,
                                       const wasm_extern_vec_t* exports, const char* name) {
  wasm_func_t* func = wasm_extern_as_func(export_named(module, exports, name));
  REQUIRE(func != NULL);
  return func;
}

// The trap's message as a C string (owned by the caller), after checking
// that the message is NUL-terminated with the NUL counted in its size.
static inline char* trap_text(const wasm_trap_t* trap) {
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  CHECK(message.size >= 1);
  CHECK(message.size >= 1 && message.data[message.size - 1] == '\0');
  CHECK(message.size < 1 || strlen(message.data) == message.size - 1);
  char* text = (char*)malloc(message.size + 1);
  REQUIRE(text != NULL);
  if (message.size > 0) memcpy(text, message.data, message.size);
  text[message.size] = '\0';
  wasm_byte_vec_delete(&message);
  return text;
}

// A call that must not trap: the trap's message tells what went wrong.
static inline void expect_no_trap_at(wasm_trap_t* trap, const char* file, int line) {
  if (trap == NULL) return;
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  fprintf(stderr, "%s:%d: unexpected trap: %.*s\n", file, line, (int)message.size, message.data);
  wasm_byte_vec_delete(&message);
  wasm_trap_delete(trap);
  ++g_failures;
}
#define EXPECT_NO_TRAP(trap) expect_no_trap_at((trap), __FILE__, __LINE__)

// The usual start of a test: its module from argv[1] and an engine whose
// tier comes from WVM_TIER.
static inline wasm_engine_t* start_test(int argc, char** argv, wasm_byte_vec_t* binary) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODULE.wasm\n", argv[0]);
    exit(2);
  }
  load_wasm(argv[1], binary);
  // Under auto, a low threshold makes functions change tier while the test
  // runs (the policy itself still comes from WVM_TIER); the other tiers use
  // wasm_engine_new() as it is.
  const char* tier = getenv("WVM_TIER");
  wasm_engine_t* engine;
  if (tier != NULL && strcmp(tier, "auto") == 0) {
    wasm_config_t* config = wasm_config_new();
    wvm_config_set_tier_up_threshold(config, 2);
    engine = wasm_engine_new_with_config(config);
  } else {
    engine = wasm_engine_new();
  }
  REQUIRE(engine != NULL);
  return engine;
}

// Compiles the module a test was given (start_test), which it then frees.
static inline wasm_module_t* compile_given(wasm_store_t* store, wasm_byte_vec_t* binary) {
  wasm_module_t* module = wasm_module_new(store, binary);
  if (module == NULL) fprintf(stderr, "wasm_module_new: %s\n", wvm_last_error());
  REQUIRE(module != NULL);
  wasm_byte_vec_delete(binary);
  return module;
}

// An instance of a module whose one import is `func`, and its exports;
// NULL (and no exports) if instantiation fails.
static inline wasm_instance_t* instantiate_with_func(wasm_store_t* store,
                                                     const wasm_module_t* module,
                                                     wasm_func_t* func, wasm_extern_vec_t* exports) {
  wasm_extern_t* import_data[] = {wasm_func_as_extern(func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(import_data);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  if (instance == NULL) {
    wasm_extern_vec_new_empty(exports);
    return NULL;
  }
  wasm_instance_exports(instance, exports);
  return instance;
}

// A standalone i32 global.
static inline wasm_global_t* new_global_i32(wasm_store_t* store, wasm_mutability_t mutability,
                                            int32_t value) {
  wasm_globaltype_t* type = wasm_globaltype_new(wasm_valtype_new_i32(), mutability);
  wasm_val_t init = WASM_I32_VAL(value);
  wasm_global_t* global = wasm_global_new(store, type, &init);
  wasm_globaltype_delete(type);
  REQUIRE(global != NULL);
  return global;
}

// Calls `func` with i32 arguments; returns the trap (or NULL) and stores the
// first i32 result, if any, in *result.
static inline wasm_trap_t* call_i32(const wasm_func_t* func, const int32_t* args, size_t nargs,
                                    int32_t* result) {
  wasm_val_t arg_vals[8];
  wasm_val_t result_vals[8];
  REQUIRE(nargs <= 8 && wasm_func_result_arity(func) <= 8);
  for (size_t i = 0; i < nargs; ++i) {
    arg_vals[i].kind = WASM_I32;
    arg_vals[i].of.i32 = args[i];
  }
  for (size_t i = 0; i < 8; ++i) {
    result_vals[i].kind = WASM_I32;
    result_vals[i].of.i64 = 0;
  }
  wasm_val_vec_t arg_vec = {nargs, arg_vals};
  wasm_val_vec_t result_vec = {wasm_func_result_arity(func), result_vals};
  wasm_trap_t* trap = wasm_func_call(func, &arg_vec, &result_vec);
  if (trap == NULL && result != NULL && result_vec.size > 0) {
    CHECK(result_vals[0].kind == WASM_I32);
    *result = result_vals[0].of.i32;
  }
  return trap;
}

#endif  // WVM_TESTS_CAPI_OWN_COMMON_H
