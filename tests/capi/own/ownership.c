// Ownership through the C API: every vector kind made by new, new_empty,
// new_uninitialized (then filled), copy and deleted; types copied and
// converted; names; import/export descriptions; instance exports; values
// holding references; traps with their messages and traces. Nothing may
// leak or be freed twice: this test earns its keep under the asan-ubsan
// preset (LSan on). Usage: ownership ownership.wasm (tier from WVM_TIER).
#include "common.h"

static wasm_trap_t* host_f(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_F32;
  results->data[0].of.f32 = (float)args->data[0].of.i32 + (float)args->data[1].of.i64;
  return NULL;
}

static bool name_is(const wasm_name_t* name, const char* text) {
  return name->size == strlen(text) && memcmp(name->data, text, name->size) == 0;
}

static void byte_and_name_vectors(void) {
  wasm_byte_vec_t empty, filled, copy, uninit;
  wasm_byte_vec_new_empty(&empty);
  CHECK_I64(empty.size, 0);
  wasm_byte_vec_new(&filled, 5, "hello");
  wasm_byte_vec_copy(&copy, &filled);
  CHECK(copy.size == 5 && copy.data != filled.data && memcmp(copy.data, "hello", 5) == 0);
  wasm_byte_vec_new_uninitialized(&uninit, 1000);
  CHECK_I64(uninit.size, 1000);
  memset(uninit.data, 0xab, uninit.size);
  wasm_byte_vec_t empty_copy;
  wasm_byte_vec_copy(&empty_copy, &empty);
  CHECK_I64(empty_copy.size, 0);
  wasm_byte_vec_delete(&empty_copy);
  wasm_byte_vec_delete(&empty);
  wasm_byte_vec_delete(&filled);
  wasm_byte_vec_delete(&copy);
  wasm_byte_vec_delete(&uninit);

  wasm_name_t name, name_copy;
  wasm_name_new_from_string(&name, "a name");
  wasm_name_copy(&name_copy, &name);
  CHECK(name_is(&name_copy, "a name"));
  wasm_name_delete(&name);
  wasm_name_delete(&name_copy);
}

static void type_vectors(void) {
  // valtype: new, copy, vec new / uninitialized / empty / copy.
  wasm_valtype_t* i32 = wasm_valtype_new(WASM_I32);
  wasm_valtype_t* i32_copy = wasm_valtype_copy(i32);
  CHECK(wasm_valtype_kind(i32_copy) == WASM_I32);
  wasm_valtype_t* items[] = {i32, wasm_valtype_new_f64(), wasm_valtype_new_externref()};
  wasm_valtype_vec_t valtypes, valtypes_copy, valtypes_uninit, valtypes_empty;
  wasm_valtype_vec_new(&valtypes, 3, items);  // takes the three valtypes
  wasm_valtype_vec_copy(&valtypes_copy, &valtypes);
  CHECK(valtypes_copy.size == 3 && wasm_valtype_kind(valtypes_copy.data[1]) == WASM_F64);
  wasm_valtype_vec_new_uninitialized(&valtypes_uninit, 2);
  valtypes_uninit.data[0] = i32_copy;
  valtypes_uninit.data[1] = wasm_valtype_new_i64();
  wasm_valtype_vec_new_empty(&valtypes_empty);

  // functype from two of those vectors (taken), copied.
  wasm_functype_t* func_type = wasm_functype_new(&valtypes_copy, &valtypes_uninit);
  wasm_functype_t* func_type_copy = wasm_functype_copy(func_type);
  CHECK_I64(wasm_functype_params(func_type_copy)->size, 3);
  CHECK_I64(wasm_functype_results(func_type_copy)->size, 2);
  wasm_valtype_vec_t empty_results;
  wasm_valtype_vec_new_empty(&empty_results);
  wasm_functype_t* nullary = wasm_functype_new(&valtypes_empty, &empty_results);
  wasm_valtype_vec_delete(&valtypes);

  wasm_globaltype_t* global_type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_limits_t limits = {1, 10};
  wasm_tabletype_t* table_type = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_memorytype_t* memory_type = wasm_memorytype_new(&limits);

  // externtype views are borrowed; copies of them are owned.
  wasm_externtype_t* externs[] = {
      wasm_externtype_copy(wasm_functype_as_externtype(func_type)),
      wasm_externtype_copy(wasm_globaltype_as_externtype(global_type)),
      wasm_externtype_copy(wasm_tabletype_as_externtype(table_type)),
      wasm_externtype_copy(wasm_memorytype_as_externtype(memory_type)),
  };
  wasm_externtype_vec_t externtypes, externtypes_copy;
  wasm_externtype_vec_new(&externtypes, 4, externs);
  wasm_externtype_vec_copy(&externtypes_copy, &externtypes);
  CHECK(wasm_externtype_kind(externtypes_copy.data[2]) == WASM_EXTERN_TABLE);
  CHECK(wasm_externtype_as_memorytype(externtypes_copy.data[3]) != NULL);

  // Vectors of each other type kind.
  wasm_functype_t* ft_items[] = {func_type_copy, nullary};
  wasm_functype_vec_t functypes, functypes_copy;
  wasm_functype_vec_new(&functypes, 2, ft_items);
  wasm_functype_vec_copy(&functypes_copy, &functypes);
  wasm_globaltype_t* gt_items[] = {wasm_globaltype_copy(global_type)};
  wasm_globaltype_vec_t globaltypes, globaltypes_copy;
  wasm_globaltype_vec_new(&globaltypes, 1, gt_items);
  wasm_globaltype_vec_copy(&globaltypes_copy, &globaltypes);
  wasm_tabletype_vec_t tabletypes, tabletypes_copy;
  wasm_tabletype_vec_new_uninitialized(&tabletypes, 1);
  tabletypes.data[0] = wasm_tabletype_copy(table_type);
  wasm_tabletype_vec_copy(&tabletypes_copy, &tabletypes);
  CHECK_I64(wasm_tabletype_limits(tabletypes_copy.data[0])->max, 10);
  wasm_memorytype_vec_t memorytypes, memorytypes_copy;
  wasm_memorytype_vec_new_uninitialized(&memorytypes, 1);
  memorytypes.data[0] = wasm_memorytype_copy(memory_type);
  wasm_memorytype_vec_copy(&memorytypes_copy, &memorytypes);

  // import/export types take their names and externtype.
  wasm_name_t module_name, field_name, export_name;
  wasm_name_new_from_string(&module_name, "env");
  wasm_name_new_from_string(&field_name, "f");
  wasm_name_new_from_string(&export_name, "e");
  wasm_importtype_t* import_type =
      wasm_importtype_new(&module_name, &field_name, wasm_externtype_copy(externs[0]));
  wasm_exporttype_t* export_type =
      wasm_exporttype_new(&export_name, wasm_externtype_copy(externs[1]));
  CHECK(name_is(wasm_importtype_module(import_type), "env"));
  CHECK(name_is(wasm_exporttype_name(export_type), "e"));
  wasm_importtype_vec_t importtypes, importtypes_copy;
  wasm_importtype_vec_new(&importtypes, 1, &import_type);
  wasm_importtype_vec_copy(&importtypes_copy, &importtypes);
  wasm_exporttype_vec_t exporttypes, exporttypes_copy;
  wasm_exporttype_vec_new(&exporttypes, 1, &export_type);
  wasm_exporttype_vec_copy(&exporttypes_copy, &exporttypes);
  wasm_exporttype_t* export_type_copy = wasm_exporttype_copy(exporttypes.data[0]);
  wasm_importtype_t* import_type_copy = wasm_importtype_copy(importtypes.data[0]);

  wasm_functype_delete(func_type);
  wasm_globaltype_delete(global_type);
  wasm_tabletype_delete(table_type);
  wasm_memorytype_delete(memory_type);
  wasm_externtype_vec_delete(&externtypes);
  wasm_externtype_vec_delete(&externtypes_copy);
  wasm_functype_vec_delete(&functypes);
  wasm_functype_vec_delete(&functypes_copy);
  wasm_globaltype_vec_delete(&globaltypes);
  wasm_globaltype_vec_delete(&globaltypes_copy);
  wasm_tabletype_vec_delete(&tabletypes);
  wasm_tabletype_vec_delete(&tabletypes_copy);
  wasm_memorytype_vec_delete(&memorytypes);
  wasm_memorytype_vec_delete(&memorytypes_copy);
  wasm_importtype_vec_delete(&importtypes);
  wasm_importtype_vec_delete(&importtypes_copy);
  wasm_exporttype_vec_delete(&exporttypes);
  wasm_exporttype_vec_delete(&exporttypes_copy);
  wasm_exporttype_delete(export_type_copy);
  wasm_importtype_delete(import_type_copy);
}

static void module_descriptions(const wasm_module_t* module) {
  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  CHECK_I64(imports.size, 4);
  static const char* const kImportNames[] = {"f", "g", "t", "m"};
  static const wasm_externkind_t kImportKinds[] = {WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL,
                                                   WASM_EXTERN_TABLE, WASM_EXTERN_MEMORY};
  for (size_t i = 0; i < imports.size && i < 4; ++i) {
    CHECK(name_is(wasm_importtype_module(imports.data[i]), "env"));
    CHECK(name_is(wasm_importtype_name(imports.data[i]), kImportNames[i]));
    CHECK(wasm_externtype_kind(wasm_importtype_type(imports.data[i])) == kImportKinds[i]);
  }
  wasm_importtype_vec_t imports_copy;
  wasm_importtype_vec_copy(&imports_copy, &imports);
  wasm_importtype_vec_delete(&imports);
  wasm_importtype_vec_delete(&imports_copy);

  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  CHECK_I64(exports.size, 6);
  const wasm_functype_t* ft = NULL;
  for (size_t i = 0; i < exports.size; ++i) {
    if (name_is(wasm_exporttype_name(exports.data[i]), "ff")) {
      ft = wasm_externtype_as_functype_const(wasm_exporttype_type(exports.data[i]));
    }
  }
  CHECK(ft != NULL);
  if (ft != NULL) {
    CHECK_I64(wasm_functype_params(ft)->size, 2);
    CHECK_I64(wasm_functype_results(ft)->size, 1);
    wasm_functype_t* ft_copy = wasm_functype_copy(ft);
    wasm_functype_delete(ft_copy);
  }
  wasm_exporttype_vec_delete(&exports);
}

static void runtime_objects(wasm_store_t* store, const wasm_module_t* module) {
  wasm_functype_t* f_type = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i64(),
                                                  wasm_valtype_new_f32());
  wasm_func_t* f = wasm_func_new(store, f_type, host_f);
  wasm_functype_delete(f_type);
  wasm_global_t* g = new_global_i32(store, WASM_CONST, 9);
  wasm_limits_t table_limits = {1, 4}, memory_limits = {1, 2};
  wasm_tabletype_t* t_type = wasm_tabletype_new(wasm_valtype_new_funcref(), &table_limits);
  wasm_table_t* t = wasm_table_new(store, t_type, NULL);
  wasm_tabletype_delete(t_type);
  wasm_memorytype_t* m_type = wasm_memorytype_new(&memory_limits);
  wasm_memory_t* m = wasm_memory_new(store, m_type);
  wasm_memorytype_delete(m_type);
  REQUIRE(f && g && t && m);

  // An extern vector built from copies owns them.
  wasm_extern_t* import_items[] = {
      wasm_extern_copy(wasm_func_as_extern(f)), wasm_extern_copy(wasm_global_as_extern(g)),
      wasm_extern_copy(wasm_table_as_extern(t)), wasm_extern_copy(wasm_memory_as_extern(m))};
  wasm_extern_vec_t imports, imports_copy;
  wasm_extern_vec_new(&imports, 4, import_items);
  wasm_extern_vec_copy(&imports_copy, &imports);
  for (int round = 0; round < 3; ++round) {
    wasm_trap_t* start_trap = NULL;
    wasm_instance_t* instance = wasm_instance_new(store, module, &imports_copy, &start_trap);
    REQUIRE(instance != NULL);
    CHECK(start_trap == NULL);
    wasm_extern_vec_t exports, exports_copy;
    wasm_instance_exports(instance, &exports);
    CHECK_I64(exports.size, 6);
    wasm_extern_vec_copy(&exports_copy, &exports);

    // Types of exported objects are owned by the caller.
    for (size_t i = 0; i < exports_copy.size; ++i) {
      wasm_externtype_t* type = wasm_extern_type(exports_copy.data[i]);
      CHECK(wasm_externtype_kind(type) == wasm_extern_kind(exports_copy.data[i]));
      wasm_externtype_delete(type);
    }
    wasm_func_t* id = export_func(module, &exports, "id");
    wasm_functype_t* id_type = wasm_func_type(id);
    wasm_functype_delete(id_type);
    wasm_globaltype_t* gg_type =
        wasm_global_type(wasm_extern_as_global(export_named(module, &exports, "gg")));
    wasm_globaltype_delete(gg_type);
    wasm_table_t* tt = wasm_extern_as_table(export_named(module, &exports, "tt"));
    wasm_tabletype_t* tt_type = wasm_table_type(tt);
    wasm_tabletype_delete(tt_type);
    wasm_memorytype_t* mm_type =
        wasm_memory_type(wasm_extern_as_memory(export_named(module, &exports, "mm")));
    wasm_memorytype_delete(mm_type);

    // A table element comes back as an owned reference.
    wasm_ref_t* element = wasm_table_get(tt, 0);
    CHECK(element != NULL);
    if (element != NULL) {
      wasm_func_t* element_func = wasm_ref_as_func(element);
      CHECK(element_func != NULL && wasm_func_same(element_func, id));
      // Values holding a reference own it: copy and delete both.
      wasm_val_t val = {.kind = WASM_FUNCREF, .of = {.ref = wasm_ref_copy(element)}};
      wasm_val_t val_copy;
      wasm_val_copy(&val_copy, &val);
      wasm_val_t vals[] = {WASM_I32_VAL(1), val_copy};
      wasm_val_vec_t val_vec, val_vec_copy;
      wasm_val_vec_new(&val_vec, 2, vals);  // takes val_copy's reference
      wasm_val_vec_copy(&val_vec_copy, &val_vec);
      wasm_val_vec_delete(&val_vec);
      wasm_val_vec_delete(&val_vec_copy);
      wasm_val_delete(&val);
      wasm_ref_delete(element);
    }
    wasm_val_vec_t empty_vals, uninit_vals;
    wasm_val_vec_new_empty(&empty_vals);
    wasm_val_vec_new_uninitialized(&uninit_vals, 3);
    for (size_t i = 0; i < 3; ++i) {
      uninit_vals.data[i].kind = WASM_I64;
      uninit_vals.data[i].of.i64 = (int64_t)i;
    }
    wasm_val_vec_delete(&empty_vals);
    wasm_val_vec_delete(&uninit_vals);

    // The re-exported host function still works.
    wasm_val_t args_data[] = {WASM_I32_VAL(2), WASM_I64_VAL(3)};
    wasm_val_t results_data[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(args_data), results = WASM_ARRAY_VEC(results_data);
    wasm_trap_t* trap = wasm_func_call(export_func(module, &exports, "ff"), &args, &results);
    EXPECT_NO_TRAP(trap);
    CHECK(results_data[0].kind == WASM_F32 && results_data[0].of.f32 == 5.0f);

    // A trap, its message, origin, trace and copies of all of them.
    wasm_val_vec_t none = WASM_EMPTY_VEC;
    trap = wasm_func_call(export_func(module, &exports, "trap"), &none, &none);
    REQUIRE(trap != NULL);
    wasm_trap_t* trap_copy = wasm_trap_copy(trap);
    wasm_message_t message;
    wasm_trap_message(trap_copy, &message);
    wasm_byte_vec_delete(&message);
    wasm_frame_vec_t trace, trace_copy, frames_empty;
    wasm_trap_trace(trap, &trace);
    CHECK_I64(trace.size, 2);
    wasm_frame_vec_copy(&trace_copy, &trace);
    wasm_frame_vec_new_empty(&frames_empty);
    wasm_frame_t* origin = wasm_trap_origin(trap);
    if (origin != NULL) {
      wasm_frame_t* frame_items[] = {origin, wasm_frame_copy(origin)};
      wasm_frame_vec_t frames;
      wasm_frame_vec_new(&frames, 2, frame_items);  // takes both
      wasm_frame_vec_delete(&frames);
    }
    wasm_frame_vec_delete(&trace);
    wasm_frame_vec_delete(&trace_copy);
    wasm_frame_vec_delete(&frames_empty);
    wasm_trap_delete(trap);
    wasm_trap_delete(trap_copy);

    // A trap made by the host and never returned.
    wasm_message_t text;
    wasm_name_new_from_string_nt(&text, "unused");
    wasm_trap_t* unused = wasm_trap_new(store, &text);
    wasm_name_delete(&text);
    wasm_trap_delete(unused);

    wasm_extern_vec_delete(&exports);
    wasm_extern_vec_delete(&exports_copy);
    wasm_instance_delete(instance);
  }
  wasm_extern_vec_delete(&imports);
  wasm_extern_vec_delete(&imports_copy);

  // Serialized bytes and shared modules are owned too.
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  CHECK(serialized.size > 0);
  wasm_byte_vec_delete(&serialized);
  wasm_shared_module_t* shared = wasm_module_share(module);
  REQUIRE(shared != NULL);
  wasm_module_t* obtained = wasm_module_obtain(store, shared);
  CHECK(obtained != NULL);
  if (obtained) wasm_module_delete(obtained);
  wasm_shared_module_delete(shared);

  wasm_func_delete(f);
  wasm_global_delete(g);
  wasm_table_delete(t);
  wasm_memory_delete(m);
}

int main(int argc, char** argv) {
  REQUIRE(argc == 2);
  byte_and_name_vectors();
  type_vectors();

  wasm_byte_vec_t binary;
  load_wasm(argv[1], &binary);
  wasm_config_t* config = wasm_config_new();
  REQUIRE(config != NULL);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);  // takes the config
  REQUIRE(engine != NULL);
  wasm_store_t* store = wasm_store_new(engine);
  CHECK(wasm_module_validate(store, &binary));
  wasm_module_t* module = wasm_module_new(store, &binary);
  REQUIRE(module != NULL);
  wasm_byte_vec_delete(&binary);
  module_descriptions(module);
  runtime_objects(store, module);
  wasm_module_t* module_copy = wasm_module_copy(module);
  wasm_module_delete(module);
  wasm_module_delete(module_copy);

  wasm_store_delete(store);

  // An engine with no store, and a config that was never used.
  wasm_engine_delete(engine);
  wasm_config_delete(wasm_config_new());
  return test_finish("ownership");
}
