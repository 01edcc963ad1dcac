// A module serialized in one process and deserialized in another, and
// tampered blobs. Modes (each a separate ctest test; write is the fixture):
//   serialize_tool write MODULE.wasm BLOB   compile with tier 1, serialize
//   serialize_tool read BLOB                deserialize, run, check that this
//                                           process compiled nothing
//   serialize_tool tampered BLOB            flipped bytes and truncations are
//                                           rejected (NULL + wvm_last_error)
//   serialize_tool mismatch BLOB            engines configured otherwise
//                                           refuse it or keep their rules
#include "common.h"

static wasm_engine_t* jit_engine(void) {
  wasm_config_t* config = wasm_config_new();
  REQUIRE(config != NULL);
  wvm_config_set_tier_policy(config, WVM_TIER_JIT);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  REQUIRE(engine != NULL);
  return engine;
}

// An engine configured unlike the writer's.
typedef enum Mismatch { kInterp, kMetered, kExplicitBounds } Mismatch;

static wasm_engine_t* other_engine(Mismatch mismatch) {
  wasm_config_t* config = wasm_config_new();
  REQUIRE(config != NULL);
  wvm_config_set_tier_policy(config, mismatch == kInterp ? WVM_TIER_INTERP : WVM_TIER_JIT);
  if (mismatch == kMetered) REQUIRE(wvm_config_set_gas_profile(config, "uniform"));
  if (mismatch == kExplicitBounds) wvm_config_set_bounds(config, WVM_BOUNDS_EXPLICIT);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  REQUIRE(engine != NULL);
  return engine;
}

static int g_host_calls = 0;

static wasm_trap_t* host_add(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  ++g_host_calls;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32;
  return NULL;
}

static void write_file(const char* path, const wasm_byte_vec_t* bytes) {
  FILE* file = fopen(path, "wb");
  REQUIRE(file != NULL);
  REQUIRE(fwrite(bytes->data, 1, bytes->size, file) == bytes->size);
  REQUIRE(fclose(file) == 0);
}

static int mode_write(const char* wasm_path, const char* blob_path) {
  wasm_byte_vec_t binary;
  load_wasm(wasm_path, &binary);
  wasm_engine_t* engine = jit_engine();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_new(store, &binary);
  REQUIRE(module != NULL);
  wasm_byte_vec_delete(&binary);
  wasm_byte_vec_t blob;
  wasm_module_serialize(module, &blob);
  REQUIRE(blob.size > 0);
  // The blob carries compiled code, so this process compiled some.
  uint64_t compiled = wvm_engine_functions_compiled(engine);
  printf("write: %zu bytes, %" PRIu64 " functions compiled\n", blob.size, compiled);
  CHECK(compiled > 0);
  write_file(blob_path, &blob);
  wasm_byte_vec_delete(&blob);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("serialize write");
}

// An instance of the module with the host's add as its import.
typedef struct Linked {
  wasm_func_t* add;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
} Linked;

static Linked instantiate_linked(wasm_store_t* store, const wasm_module_t* module) {
  Linked linked;
  wasm_functype_t* add_type = wasm_functype_new_2_1(
      wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
  linked.add = wasm_func_new(store, add_type, host_add);
  wasm_functype_delete(add_type);
  linked.instance = instantiate_with_func(store, module, linked.add, &linked.exports);
  REQUIRE(linked.instance != NULL);
  return linked;
}

static void release_linked(Linked* linked) {
  wasm_extern_vec_delete(&linked->exports);
  wasm_instance_delete(linked->instance);
  wasm_func_delete(linked->add);
}

static void run_module(wasm_store_t* store, wasm_module_t* module) {
  g_host_calls = 0;
  // Imports and exports survive the round trip.
  wasm_importtype_vec_t import_types;
  wasm_module_imports(module, &import_types);
  CHECK_I64(import_types.size, 1);
  wasm_importtype_vec_delete(&import_types);
  wasm_exporttype_vec_t export_types;
  wasm_module_exports(module, &export_types);
  CHECK_I64(export_types.size, 5);
  wasm_exporttype_vec_delete(&export_types);

  Linked linked = instantiate_linked(store, module);
  wasm_extern_vec_t exports = linked.exports;

  wasm_val_t args[3] = {WASM_I32_VAL(20)};
  wasm_val_t results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t arg_vec = {1, args}, result_vec = {1, results};
  wasm_trap_t* trap = wasm_func_call(export_func(module, &exports, "fib"), &arg_vec, &result_vec);
  EXPECT_NO_TRAP(trap);
  CHECK(results[0].kind == WASM_I64);
  CHECK_I64(results[0].of.i64, 6765);
  wasm_val_t calls;
  wasm_global_get(wasm_extern_as_global(export_named(module, &exports, "calls")), &calls);
  CHECK_I64(calls.of.i32, 21891);  // fib(20) makes 21891 calls

  int32_t sum_args[] = {16, 8};
  int32_t sum = 0;
  trap = call_i32(export_func(module, &exports, "sum_bytes"), sum_args, 2, &sum);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(sum, 36);  // the data segment 1..8

  int32_t mul_args[] = {0, 6, 7}, add_args[] = {1, 6, 7}, bad_args[] = {2, 6, 7};
  int32_t result = 0;
  trap = call_i32(export_func(module, &exports, "apply"), mul_args, 3, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 42);
  trap = call_i32(export_func(module, &exports, "apply"), add_args, 3, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 13);
  CHECK_I64(g_host_calls, 1);
  trap = call_i32(export_func(module, &exports, "apply"), bad_args, 3, &result);
  CHECK(trap != NULL);
  if (trap) {
    char* text = trap_text(trap);
    CHECK_STR(text, "undefined element");
    free(text);
    wasm_trap_delete(trap);
  }

  release_linked(&linked);
}

static int mode_read(const char* blob_path) {
  wasm_byte_vec_t blob;
  load_wasm(blob_path, &blob);
  wasm_engine_t* engine = jit_engine();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_deserialize(store, &blob);
  if (module == NULL) {
    const char* why = last_error();
    fprintf(stderr, "deserialize failed: %s\n", why ? why : "(no wvm_last_error)");
    return 1;
  }
  wasm_byte_vec_delete(&blob);
  run_module(store, module);
  // A second instance in another store of the same engine: still loaded code.
  wasm_store_t* store2 = wasm_store_new(engine);
  run_module(store2, module);
  wasm_store_delete(store2);
  // A loaded module serializes again, to bytes that load and run.
  wasm_byte_vec_t again;
  wasm_module_serialize(module, &again);
  CHECK(again.size > 0);
  wasm_module_t* reloaded = wasm_module_deserialize(store, &again);
  CHECK(reloaded != NULL);
  if (reloaded != NULL) {
    run_module(store, reloaded);
    wasm_module_delete(reloaded);
  }
  wasm_byte_vec_delete(&again);
  // Shared to another thread's store: here, a second store obtains it.
  wasm_shared_module_t* shared = wasm_module_share(module);
  REQUIRE(shared != NULL);
  wasm_store_t* store3 = wasm_store_new(engine);
  wasm_module_t* obtained = wasm_module_obtain(store3, shared);
  CHECK(obtained != NULL);
  if (obtained != NULL) {
    run_module(store3, obtained);
    wasm_module_delete(obtained);
  }
  wasm_shared_module_delete(shared);
  wasm_store_delete(store3);
  uint64_t compiled = wvm_engine_functions_compiled(engine);
  printf("read: %" PRIu64 " functions compiled\n", compiled);
  CHECK_I64(compiled, 0);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("serialize read");
}

// One tampered copy of the blob must be refused, with a reason.
static void expect_rejected(wasm_store_t* store, const wasm_byte_vec_t* bytes, const char* what) {
  wasm_module_t* module = wasm_module_deserialize(store, bytes);
  if (module != NULL) {
    fprintf(stderr, "tampered blob accepted: %s\n", what);
    ++g_failures;
    wasm_module_delete(module);  // never instantiated, never run
    return;
  }
  if (!has_last_error()) {
    fprintf(stderr, "tampered blob rejected without wvm_last_error(): %s\n", what);
    ++g_failures;
  }
}

static void flip_and_check(wasm_store_t* store, const wasm_byte_vec_t* blob, size_t pos,
                           const char* where) {
  wasm_byte_vec_t copy;
  wasm_byte_vec_copy(&copy, blob);
  copy.data[pos] ^= 0x01;
  char what[96];
  snprintf(what, sizeof what, "bit 0 of byte %zu (%s) of %zu flipped", pos, where, blob->size);
  expect_rejected(store, &copy, what);
  copy.data[pos] ^= 0x41;  // another pattern at the same place
  snprintf(what, sizeof what, "byte %zu (%s) of %zu xor 0x40", pos, where, blob->size);
  expect_rejected(store, &copy, what);
  wasm_byte_vec_delete(&copy);
}

static int mode_tampered(const char* blob_path) {
  wasm_byte_vec_t blob;
  load_wasm(blob_path, &blob);
  REQUIRE(blob.size > 64);
  wasm_engine_t* engine = jit_engine();
  wasm_store_t* store = wasm_store_new(engine);

  for (size_t pos = 0; pos < 16; ++pos) flip_and_check(store, &blob, pos, "header");
  flip_and_check(store, &blob, blob.size / 2, "middle");
  flip_and_check(store, &blob, blob.size * 3 / 4, "three quarters");
  flip_and_check(store, &blob, blob.size - 1, "last byte");
  // Spread over the whole blob, so the code itself is hit somewhere.
  for (size_t i = 1; i < 64; ++i) flip_and_check(store, &blob, blob.size * i / 64, "spread");

  static const size_t kKeep[] = {0, 1, 4, 8, 16};
  for (size_t i = 0; i < sizeof kKeep / sizeof kKeep[0]; ++i) {
    wasm_byte_vec_t cut;
    wasm_byte_vec_new(&cut, kKeep[i], blob.data);
    char what[64];
    snprintf(what, sizeof what, "truncated to %zu bytes", kKeep[i]);
    expect_rejected(store, &cut, what);
    wasm_byte_vec_delete(&cut);
  }
  size_t cuts[] = {blob.size / 2, blob.size - 1};
  for (size_t i = 0; i < 2; ++i) {
    wasm_byte_vec_t cut;
    wasm_byte_vec_new(&cut, cuts[i], blob.data);
    char what[64];
    snprintf(what, sizeof what, "truncated to %zu of %zu bytes", cuts[i], blob.size);
    expect_rejected(store, &cut, what);
    wasm_byte_vec_delete(&cut);
  }
  // One byte appended.
  wasm_byte_vec_t longer;
  wasm_byte_vec_new_uninitialized(&longer, blob.size + 1);
  memcpy(longer.data, blob.data, blob.size);
  longer.data[blob.size] = 0;
  expect_rejected(store, &longer, "one byte appended");
  wasm_byte_vec_delete(&longer);
  // A plain wasm module is not a serialized one.
  static const char kWasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wasm_byte_vec_t wasm = {sizeof kWasm, (char*)kWasm};
  expect_rejected(store, &wasm, "a wasm binary");

  // The untouched blob still loads after all those refusals, and runs.
  wasm_module_t* module = wasm_module_deserialize(store, &blob);
  CHECK(module != NULL);
  if (module != NULL) {
    run_module(store, module);
    wasm_module_delete(module);
  }
  CHECK_I64(wvm_engine_functions_compiled(engine), 0);
  wasm_byte_vec_delete(&blob);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("serialize tampered");
}

// The blob in engines configured otherwise than the writer's: refused (with
// a reason) or loaded such that the engine's own rules hold: an interpreter
// engine runs it, a metered engine charges gas, an explicit-bounds engine
// still traps out of bounds. Unmetered or unchecked code must never run.
static int mode_mismatch(const char* blob_path) {
  wasm_byte_vec_t blob;
  load_wasm(blob_path, &blob);
  static const Mismatch kMismatches[] = {kInterp, kMetered, kExplicitBounds};
  static const char* const kNames[] = {"interp", "metered", "explicit bounds"};
  for (size_t m = 0; m < 3; ++m) {
    wasm_engine_t* engine = other_engine(kMismatches[m]);
    wasm_store_t* store = wasm_store_new(engine);
    wasm_module_t* module = wasm_module_deserialize(store, &blob);
    if (module == NULL) {
      printf("%s: refused: %s\n", kNames[m], last_error() ? last_error() : "(null)");
      CHECK(has_last_error());
    } else {
      printf("%s: loaded\n", kNames[m]);
      if (kMismatches[m] == kMetered) {
        wvm_store_set_gas_limit(store, 1000000);
        run_module(store, module);
        uint64_t used = wvm_store_gas_used(store);
        printf("metered: the checks used %" PRIu64 " gas\n", used);
        CHECK(used > 0);
      } else {
        run_module(store, module);
      }
      // Out of bounds traps whatever the engine's bounds strategy.
      Linked linked = instantiate_linked(store, module);
      wasm_extern_vec_t exports = linked.exports;
      int32_t args[] = {65530, 4096};
      int32_t sum = 0;
      wasm_trap_t* trap = call_i32(export_func(module, &exports, "sum_bytes"), args, 2, &sum);
      CHECK(trap != NULL);
      if (trap != NULL) {
        CHECK_STR(wvm_trap_kind(trap), "out of bounds memory access");
        wasm_trap_delete(trap);
      }
      release_linked(&linked);
      wasm_module_delete(module);
    }
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  wasm_byte_vec_delete(&blob);
  return test_finish("serialize mismatch");
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "write") == 0) return mode_write(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "read") == 0) return mode_read(argv[2]);
  if (argc == 3 && strcmp(argv[1], "tampered") == 0) return mode_tampered(argv[2]);
  if (argc == 3 && strcmp(argv[1], "mismatch") == 0) return mode_mismatch(argv[2]);
  fprintf(stderr,
          "usage: serialize_tool write MODULE.wasm BLOB | read BLOB | tampered BLOB | "
          "mismatch BLOB\n");
  return 2;
}
