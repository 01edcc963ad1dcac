// Finalizers through the C API: the env finalizer of wasm_func_new_with_env
// and host-info finalizers of every reference kind run exactly once, when
// their store is deleted, never before (whatever handles were deleted
// earlier and in whatever order), and only for that store.
// Usage: finalizers finalizers.wasm (tier from WVM_TIER).
#include "common.h"

enum {
  kEnv,
  kInstance,
  kExportedFunc,
  kHostFunc,
  kGlobal,
  kTable,
  kMemory,
  kForeign,
  kRef,
  kReplacedOld,
  kReplacedNew,
  kReplacedPlain,
  kCounterCount
};
static const char* const kNames[kCounterCount] = {
    "env",   "instance", "exported func", "host func",     "global",        "table",
    "memory", "foreign", "ref",           "replaced (old)", "replaced (new)", "replaced by plain"};

typedef struct Counters {
  int n[kCounterCount];
} Counters;

static void count(void* counter) { ++*(int*)counter; }

static wasm_trap_t* add_one(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return NULL;
}

static void expect_all(const Counters* c, int expected, const char* when) {
  for (int i = 0; i < kCounterCount; ++i) {
    // A replaced finalizer runs when it is replaced (the README says so),
    // which populate() checks; it never runs again.
    bool replaced = i == kReplacedOld || i == kReplacedPlain;
    bool bad = replaced ? c->n[i] > 1 || (expected == 1 && c->n[i] != 1) : c->n[i] != expected;
    if (bad) {
      fprintf(stderr, "%s: finalizer of %s ran %d time(s), expected %s%d\n", when, kNames[i],
              c->n[i], replaced && expected == 0 ? "at most " : "", replaced ? 1 : expected);
      ++g_failures;
    }
  }
}

// Builds one store's worth of objects with finalizers, deleting every handle
// on the way; only the store stays. The checks in between make sure that no
// finalizer ran early.
static wasm_store_t* populate(wasm_engine_t* engine, const wasm_byte_vec_t* binary,
                              Counters* c) {
  wasm_store_t* store = wasm_store_new(engine);
  REQUIRE(store != NULL);
  wasm_module_t* module = wasm_module_new(store, binary);
  REQUIRE(module != NULL);

  // The env function and many handles on it, deleted in a mixed order.
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new_with_env(store, type, add_one, &c->n[kEnv], count);
  REQUIRE(host != NULL);
  wasm_func_set_host_info_with_finalizer(host, &c->n[kHostFunc], count);
  CHECK(wasm_func_get_host_info(host) == &c->n[kHostFunc]);
  wasm_func_t* copy1 = wasm_func_copy(host);
  wasm_func_t* copy2 = wasm_func_copy(copy1);
  wasm_extern_t* extern_copy = wasm_extern_copy(wasm_func_as_extern(host));
  wasm_ref_t* ref_copy = wasm_ref_copy(wasm_func_as_ref(host));
  REQUIRE(copy1 && copy2 && extern_copy && ref_copy);
  CHECK(wasm_func_same(copy1, host));
  CHECK(wasm_func_get_host_info(copy2) == &c->n[kHostFunc]);
  CHECK(wasm_ref_get_host_info(ref_copy) == &c->n[kHostFunc]);

  wasm_extern_t* imports_data[] = {extern_copy};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
  wasm_func_delete(host);  // the original first: the copies keep it usable
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  REQUIRE(instance != NULL);
  wasm_instance_set_host_info_with_finalizer(instance, &c->n[kInstance], count);
  CHECK(wasm_instance_get_host_info(instance) == &c->n[kInstance]);

  wasm_extern_vec_t exports;
  wasm_instance_exports(instance, &exports);
  wasm_func_t* call_f = export_func(module, &exports, "call_f");
  wasm_func_set_host_info_with_finalizer(call_f, &c->n[kExportedFunc], count);
  int32_t arg = 41, result = 0;
  wasm_trap_t* trap = call_i32(call_f, &arg, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 42);
  // The table's element is the same function, host info and all.
  wasm_ref_t* element = wasm_table_get(wasm_extern_as_table(export_named(module, &exports, "t")), 0);
  CHECK(element != NULL);
  if (element != NULL) {
    CHECK(wasm_ref_get_host_info(element) == &c->n[kExportedFunc]);
    CHECK(wasm_func_same(wasm_ref_as_func(element), call_f));
    wasm_ref_delete(element);
  }
  // A second exports vector hands out the same objects.
  wasm_extern_vec_t exports2;
  wasm_instance_exports(instance, &exports2);
  wasm_func_t* call_f2 = export_func(module, &exports2, "call_f");
  CHECK(wasm_func_get_host_info(call_f2) == &c->n[kExportedFunc]);
  wasm_extern_vec_delete(&exports2);
  wasm_extern_vec_delete(&exports);

  wasm_ref_delete(ref_copy);
  expect_all(c, 0, "after deleting some func handles");
  wasm_extern_delete(extern_copy);
  wasm_func_delete(copy2);
  // The import still works through the last handle.
  trap = call_i32(copy1, &arg, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 42);
  wasm_func_delete(copy1);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_functype_delete(type);
  expect_all(c, 0, "after deleting the instance and every func handle");

  // Standalone global, table, memory.
  wasm_globaltype_t* gtype = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  wasm_val_t init = WASM_I64_VAL(7);
  wasm_global_t* global = wasm_global_new(store, gtype, &init);
  REQUIRE(global != NULL);
  wasm_global_set_host_info_with_finalizer(global, &c->n[kGlobal], count);
  wasm_global_t* global_copy = wasm_global_copy(global);
  wasm_global_delete(global);
  CHECK(wasm_global_get_host_info(global_copy) == &c->n[kGlobal]);
  wasm_global_delete(global_copy);
  wasm_globaltype_delete(gtype);

  wasm_limits_t limits = {1, 4};
  wasm_tabletype_t* ttype = wasm_tabletype_new(wasm_valtype_new_funcref(), &limits);
  wasm_table_t* table = wasm_table_new(store, ttype, NULL);
  REQUIRE(table != NULL);
  wasm_table_set_host_info_with_finalizer(table, &c->n[kTable], count);
  wasm_extern_t* table_extern = wasm_extern_copy(wasm_table_as_extern(table));
  wasm_table_delete(table);
  wasm_extern_delete(table_extern);
  wasm_tabletype_delete(ttype);

  wasm_memorytype_t* mtype = wasm_memorytype_new(&limits);
  wasm_memory_t* memory = wasm_memory_new(store, mtype);
  REQUIRE(memory != NULL);
  wasm_memory_set_host_info_with_finalizer(memory, &c->n[kMemory], count);
  wasm_ref_t* memory_ref = wasm_ref_copy(wasm_memory_as_ref(memory));
  wasm_ref_delete(memory_ref);
  wasm_memory_delete(memory);
  wasm_memorytype_delete(mtype);

  // Foreign objects: one with host info set directly, one through a ref.
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  REQUIRE(foreign != NULL);
  wasm_foreign_set_host_info_with_finalizer(foreign, &c->n[kForeign], count);
  wasm_foreign_t* foreign_copy = wasm_foreign_copy(foreign);
  wasm_foreign_delete(foreign);
  wasm_foreign_delete(foreign_copy);

  wasm_foreign_t* referenced = wasm_foreign_new(store);
  REQUIRE(referenced != NULL);
  wasm_ref_t* ref = wasm_ref_copy(wasm_foreign_as_ref(referenced));
  REQUIRE(ref != NULL);
  wasm_ref_set_host_info_with_finalizer(ref, &c->n[kRef], count);
  // as_ref is a view of the same object: the foreign sees the host info.
  CHECK(wasm_foreign_get_host_info(referenced) == &c->n[kRef]);
  wasm_ref_t* ref2 = wasm_ref_copy(ref);
  wasm_foreign_delete(referenced);
  wasm_ref_delete(ref);
  CHECK(wasm_ref_get_host_info(ref2) == &c->n[kRef]);
  wasm_ref_delete(ref2);

  // Replacing host info: the new value is what get returns, and the old
  // finalizer runs then (README: "setting new host info runs the replaced
  // one's finalizer"), once.
  wasm_foreign_t* replaced = wasm_foreign_new(store);
  REQUIRE(replaced != NULL);
  wasm_foreign_set_host_info_with_finalizer(replaced, &c->n[kReplacedOld], count);
  wasm_foreign_set_host_info_with_finalizer(replaced, &c->n[kReplacedNew], count);
  CHECK(wasm_foreign_get_host_info(replaced) == &c->n[kReplacedNew]);
  CHECK_I64(c->n[kReplacedOld], 1);
  CHECK_I64(c->n[kReplacedNew], 0);
  wasm_foreign_delete(replaced);

  wasm_foreign_t* plain = wasm_foreign_new(store);
  REQUIRE(plain != NULL);
  wasm_foreign_set_host_info_with_finalizer(plain, &c->n[kReplacedPlain], count);
  static int marker;
  wasm_foreign_set_host_info(plain, &marker);
  CHECK(wasm_foreign_get_host_info(plain) == &marker);
  CHECK_I64(c->n[kReplacedPlain], 1);
  wasm_foreign_delete(plain);

  // Host info without a finalizer reads back and needs nothing at the end.
  wasm_foreign_t* bare = wasm_foreign_new(store);
  CHECK(wasm_foreign_get_host_info(bare) == NULL);
  wasm_foreign_set_host_info(bare, &marker);
  CHECK(wasm_foreign_get_host_info(bare) == &marker);
  wasm_foreign_delete(bare);

  expect_all(c, 0, "after deleting every handle, before the store");
  return store;
}

int main(int argc, char** argv) {
  wasm_byte_vec_t binary;
  wasm_engine_t* engine = start_test(argc, argv, &binary);

  // Two stores: deleting one finalizes only its own objects.
  Counters first = {{0}}, second = {{0}};
  wasm_store_t* store1 = populate(engine, &binary, &first);
  wasm_store_t* store2 = populate(engine, &binary, &second);
  wasm_store_delete(store1);
  expect_all(&first, 1, "first store deleted");
  expect_all(&second, 0, "second store, while the first was deleted");
  wasm_store_delete(store2);
  expect_all(&first, 1, "first store, after the second was deleted");
  expect_all(&second, 1, "second store deleted");

  // A store holding only an env function (its one handle deleted) runs
  // that env finalizer once, when the store goes.
  Counters direct = {{0}};
  wasm_store_t* store3 = wasm_store_new(engine);
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* kept = wasm_func_new_with_env(store3, type, add_one, &direct.n[kEnv], count);
  wasm_functype_delete(type);
  REQUIRE(kept != NULL);
  wasm_func_delete(kept);
  CHECK_I64(direct.n[kEnv], 0);
  wasm_store_delete(store3);
  CHECK_I64(direct.n[kEnv], 1);

  wasm_byte_vec_delete(&binary);
  wasm_engine_delete(engine);
  return test_finish("finalizers");
}
