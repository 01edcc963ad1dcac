// Errors through the C API: bad modules and failed links return NULL with
// wvm_last_error() saying why; a start function's trap comes back through
// wasm_instance_new; wasm_func_call with the wrong arguments returns a trap
// (never crashes) naming the argument. Usage: errors errors.wasm (tier from
// WVM_TIER).
#include "common.h"

static wasm_trap_t* identity(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0] = args->data[0];
  return NULL;
}

static void check_last_error_mentions(const char* needle, const char* what) {
  const char* error = last_error();
  if (error == NULL || strstr(error, needle) == NULL) {
    fprintf(stderr, "%s: wvm_last_error() is \"%s\", expected it to mention \"%s\"\n", what,
            error ? error : "(null)", needle);
    ++g_failures;
  }
}

static void bad_modules(wasm_store_t* store) {
  static const char kGarbage[] = "this is not a wasm module at all";
  wasm_byte_vec_t garbage = {sizeof kGarbage, (char*)kGarbage};
  CHECK(!wasm_module_validate(store, &garbage));
  wasm_module_t* module = wasm_module_new(store, &garbage);
  CHECK(module == NULL);
  if (module) wasm_module_delete(module);
  check_last_error_mentions("magic", "garbage");

  // (func (result i32) (i64.const 0)): well-formed, invalid.
  static const char kInvalid[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,  // type () -> i32
                                  0x03, 0x02, 0x01, 0x00,                    // func 0: type 0
                                  0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b};
  wasm_byte_vec_t invalid = {sizeof kInvalid, (char*)kInvalid};
  CHECK(!wasm_module_validate(store, &invalid));
  module = wasm_module_new(store, &invalid);
  CHECK(module == NULL);
  if (module) wasm_module_delete(module);
  check_last_error_mentions("type mismatch", "invalid module");

  // Cut inside the type section.
  wasm_byte_vec_t truncated = {12, (char*)kInvalid};
  module = wasm_module_new(store, &truncated);
  CHECK(module == NULL);
  if (module) wasm_module_delete(module);
  CHECK(has_last_error());

  // A good (empty) module still compiles after those failures.
  static const char kEmpty[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  wasm_byte_vec_t empty = {sizeof kEmpty, (char*)kEmpty};
  CHECK(wasm_module_validate(store, &empty));
  module = wasm_module_new(store, &empty);
  CHECK(module != NULL);
  if (module) wasm_module_delete(module);
}

static void start_trap(wasm_store_t* store) {
  // (module (func $s unreachable) (start $s))
  static const char kStart[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type () -> ()
                                0x03, 0x02, 0x01, 0x00,              // func 0
                                0x08, 0x01, 0x00,                    // start 0
                                0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b};
  wasm_byte_vec_t binary = {sizeof kStart, (char*)kStart};
  wasm_module_t* module = wasm_module_new(store, &binary);
  REQUIRE(module != NULL);
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &none, &trap);
  CHECK(instance == NULL);
  if (instance) wasm_instance_delete(instance);
  CHECK(trap != NULL);
  if (trap != NULL) {
    char* text = trap_text(trap);
    CHECK_STR(text, "unreachable");
    free(text);
    // The start function (func 0) is the trap's one frame.
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    CHECK_I64(trace.size, 1);
    if (trace.size >= 1) CHECK_I64(wasm_frame_func_index(trace.data[0]), 0);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);
  }
  // Without a place for the trap, still NULL and no crash.
  instance = wasm_instance_new(store, module, &none, NULL);
  CHECK(instance == NULL);
  if (instance) wasm_instance_delete(instance);
  wasm_module_delete(module);
}

static void link_errors(wasm_store_t* store, const wasm_module_t* module, wasm_func_t* good_f,
                        wasm_global_t* good_limit) {
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance;

  // Too few imports.
  wasm_extern_t* one[] = {wasm_func_as_extern(good_f)};
  wasm_extern_vec_t too_few = WASM_ARRAY_VEC(one);
  instance = wasm_instance_new(store, module, &too_few, &trap);
  CHECK(instance == NULL);
  CHECK(trap == NULL);
  if (instance) wasm_instance_delete(instance);
  if (trap) wasm_trap_delete(trap);
  // Imports are positional: "2 imports, 1 given" or naming the missing one both say why.
  check_last_error_mentions("import", "missing import");

  // A function of the wrong type.
  wasm_functype_t* wrong_type =
      wasm_functype_new_1_1(wasm_valtype_new_i64(), wasm_valtype_new_i64());
  wasm_func_t* wrong_f = wasm_func_new(store, wrong_type, identity);
  wasm_functype_delete(wrong_type);
  wasm_extern_t* wrong_func[] = {wasm_func_as_extern(wrong_f), wasm_global_as_extern(good_limit)};
  wasm_extern_vec_t wrong_func_vec = WASM_ARRAY_VEC(wrong_func);
  trap = NULL;
  instance = wasm_instance_new(store, module, &wrong_func_vec, &trap);
  CHECK(instance == NULL);
  CHECK(trap == NULL);
  if (instance) wasm_instance_delete(instance);
  if (trap) wasm_trap_delete(trap);
  check_last_error_mentions("\"f\"", "wrong-typed function import");

  // A global where a function belongs, and the reverse.
  wasm_extern_t* swapped[] = {wasm_global_as_extern(good_limit), wasm_func_as_extern(good_f)};
  wasm_extern_vec_t swapped_vec = WASM_ARRAY_VEC(swapped);
  instance = wasm_instance_new(store, module, &swapped_vec, NULL);
  CHECK(instance == NULL);
  if (instance) wasm_instance_delete(instance);
  CHECK(has_last_error());

  // A global of the wrong value type.
  wasm_globaltype_t* f64_type = wasm_globaltype_new(wasm_valtype_new_f64(), WASM_CONST);
  wasm_val_t f64_init = WASM_F64_VAL(1.5);
  wasm_global_t* f64_global = wasm_global_new(store, f64_type, &f64_init);
  wasm_globaltype_delete(f64_type);
  wasm_extern_t* wrong_global[] = {wasm_func_as_extern(good_f), wasm_global_as_extern(f64_global)};
  wasm_extern_vec_t wrong_global_vec = WASM_ARRAY_VEC(wrong_global);
  instance = wasm_instance_new(store, module, &wrong_global_vec, NULL);
  CHECK(instance == NULL);
  if (instance) wasm_instance_delete(instance);
  check_last_error_mentions("\"limit\"", "wrong-typed global import");

  wasm_global_delete(f64_global);
  wasm_func_delete(wrong_f);
}

// Instantiates `binary` with one import; true if that links.
static bool links(wasm_store_t* store, const char* binary, size_t size, wasm_extern_t* import) {
  wasm_byte_vec_t bytes = {size, (char*)binary};
  wasm_module_t* module = wasm_module_new(store, &bytes);
  REQUIRE(module != NULL);
  wasm_extern_t* import_data[] = {import};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(import_data);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  bool linked = instance != NULL;
  if (instance != NULL) wasm_instance_delete(instance);
  if (!linked) CHECK(has_last_error());
  wasm_module_delete(module);
  return linked;
}

static void expect_link(bool linked, bool expected, const char* kind,
                        const wasm_limits_t* limits) {
  if (linked == expected) return;
  fprintf(stderr, "%s {%u, %u} for an import of limits {2, 3}: %s, expected %s\n", kind,
          limits->min, limits->max, linked ? "linked" : "refused", expected ? "linked" : "refused");
  ++g_failures;
}

// Link-time import matching (the spec's extern subtyping): limits of
// memories and tables, and the mutability of globals.
static void import_matching(wasm_store_t* store) {
  // (import "env" "m" (memory 2 3))
  static const char kMemory[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0b,
                                 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02, 0x01, 0x02, 0x03};
  static const struct {
    wasm_limits_t limits;
    bool links;
  } kMemories[] = {{{2, 3}, true},  {{3, 3}, true},  {{1, 3}, false},
                   {{2, 4}, false}, {{2, 0xffffffffu}, false}};  // the last: no maximum
  for (size_t i = 0; i < sizeof kMemories / sizeof kMemories[0]; ++i) {
    wasm_memorytype_t* type = wasm_memorytype_new(&kMemories[i].limits);
    wasm_memory_t* memory = wasm_memory_new(store, type);
    wasm_memorytype_delete(type);
    REQUIRE(memory != NULL);
    expect_link(links(store, kMemory, sizeof kMemory, wasm_memory_as_extern(memory)),
                kMemories[i].links, "memory", &kMemories[i].limits);
    wasm_memory_delete(memory);
  }

  // (import "env" "t" (table 2 3 funcref))
  static const char kTable[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0c, 0x01,
                                0x03, 0x65, 0x6e, 0x76, 0x01, 0x74, 0x01, 0x70, 0x01, 0x02, 0x03};
  static const struct {
    wasm_limits_t limits;
    bool links;
  } kTables[] = {{{2, 3}, true}, {{3, 3}, true}, {{1, 3}, false}, {{2, 5}, false}};
  for (size_t i = 0; i < sizeof kTables / sizeof kTables[0]; ++i) {
    wasm_tabletype_t* type = wasm_tabletype_new(wasm_valtype_new_funcref(), &kTables[i].limits);
    wasm_table_t* table = wasm_table_new(store, type, NULL);
    wasm_tabletype_delete(type);
    REQUIRE(table != NULL);
    expect_link(links(store, kTable, sizeof kTable, wasm_table_as_extern(table)),
                kTables[i].links, "table", &kTables[i].limits);
    wasm_table_delete(table);
  }

  // (import "env" "g" (global (mut i32))): only a mutable i32 global fits.
  static const char kGlobal[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0a,
                                 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x67, 0x03, 0x7f, 0x01};
  wasm_global_t* var = new_global_i32(store, WASM_VAR, 1);
  wasm_global_t* constant = new_global_i32(store, WASM_CONST, 1);
  CHECK(links(store, kGlobal, sizeof kGlobal, wasm_global_as_extern(var)));
  CHECK(!links(store, kGlobal, sizeof kGlobal, wasm_global_as_extern(constant)));
  wasm_global_delete(var);
  wasm_global_delete(constant);
}

// A refused call returns a trap whose message contains every needle.
static void expect_refused(const wasm_func_t* func, wasm_val_t* args, size_t nargs,
                           size_t nresults, const char* needle, const char* what) {
  wasm_val_t results[4] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = {nargs, args}, result_vec = {nresults, results};
  wasm_trap_t* trap = wasm_func_call(func, &arg_vec, &result_vec);
  if (trap == NULL) {
    fprintf(stderr, "%s: the call was not refused\n", what);
    ++g_failures;
    return;
  }
  char* text = trap_text(trap);
  if (strstr(text, needle) == NULL) {
    fprintf(stderr, "%s: trap message \"%s\" does not mention \"%s\"\n", what, text, needle);
    ++g_failures;
  }
  free(text);
  wasm_trap_delete(trap);
}

static void call_errors(const wasm_module_t* module, const wasm_instance_t* instance) {
  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  const wasm_func_t* add = export_func(module, &exports, "add");  // (i32, i64) -> i64

  // The right call first.
  wasm_val_t good[] = {WASM_I32_VAL(2), WASM_I64_VAL(40)};
  wasm_val_t result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t good_vec = WASM_ARRAY_VEC(good), result_vec = WASM_ARRAY_VEC(result);
  wasm_trap_t* trap = wasm_func_call(add, &good_vec, &result_vec);
  EXPECT_NO_TRAP(trap);
  CHECK(result[0].kind == WASM_I64 && result[0].of.i64 == 42);

  wasm_val_t one[] = {WASM_I32_VAL(2)};
  expect_refused(add, one, 1, 1, "argument", "one argument of two");
  wasm_val_t three[] = {WASM_I32_VAL(2), WASM_I64_VAL(40), WASM_I32_VAL(1)};
  expect_refused(add, three, 3, 1, "argument", "three arguments of two");
  expect_refused(add, NULL, 0, 1, "argument", "no arguments");
  // The second argument is the wrong one: its position is in the message
  // (as 1 counting from zero or 2 counting from one).
  wasm_val_t second_wrong[] = {WASM_I32_VAL(2), WASM_I32_VAL(40)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(second_wrong), res_vec = WASM_ARRAY_VEC(results);
  trap = wasm_func_call(add, &arg_vec, &res_vec);
  CHECK(trap != NULL);
  if (trap != NULL) {
    char* text = trap_text(trap);
    if (strstr(text, "argument") == NULL || (strchr(text, '1') == NULL && strchr(text, '2') == NULL)) {
      fprintf(stderr, "second argument i32 for i64: message \"%s\" does not say which\n", text);
      ++g_failures;
    }
    free(text);
    wasm_trap_delete(trap);
  }
  wasm_val_t first_wrong[] = {WASM_F64_VAL(2.0), WASM_I64_VAL(40)};
  expect_refused(add, first_wrong, 2, 1, "argument", "first argument f64 for i32");
  wasm_val_t ref_arg[] = {WASM_REF_VAL(NULL), WASM_I64_VAL(40)};
  expect_refused(add, ref_arg, 2, 1, "argument", "externref for i32");

  // The instance is fine after refused calls.
  result[0] = (wasm_val_t)WASM_INIT_VAL;
  trap = wasm_func_call(add, &good_vec, &result_vec);
  EXPECT_NO_TRAP(trap);
  CHECK(result[0].kind == WASM_I64 && result[0].of.i64 == 42);
  wasm_extern_vec_delete(&exports);
}

int main(int argc, char** argv) {
  REQUIRE(argc == 2);
  const char* version = wvm_version();
  CHECK(version != NULL && version[0] != '\0');
  if (version) printf("wvm_version: %s\n", version);

  wasm_engine_t* engine = wasm_engine_new();
  REQUIRE(engine != NULL);
  wasm_store_t* store = wasm_store_new(engine);
  bad_modules(store);
  start_trap(store);
  import_matching(store);

  wasm_byte_vec_t binary;
  load_wasm(argv[1], &binary);
  wasm_module_t* module = wasm_module_new(store, &binary);
  REQUIRE(module != NULL);
  wasm_byte_vec_delete(&binary);
  wasm_functype_t* f_type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* f = wasm_func_new(store, f_type, identity);
  wasm_functype_delete(f_type);
  wasm_global_t* limit = new_global_i32(store, WASM_CONST, 9);
  link_errors(store, module, f, limit);

  // The right imports link.
  wasm_extern_t* good[] = {wasm_func_as_extern(f), wasm_global_as_extern(limit)};
  wasm_extern_vec_t good_vec = WASM_ARRAY_VEC(good);
  wasm_instance_t* instance = wasm_instance_new(store, module, &good_vec, NULL);
  REQUIRE(instance != NULL);
  call_errors(module, instance);

  wasm_instance_delete(instance);
  wasm_func_delete(f);
  wasm_global_delete(limit);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("errors");
}
