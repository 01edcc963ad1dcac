// Memory changed by the host while wasm runs: a host function grows the
// instance's memory with wasm_memory_grow and writes its last byte through
// wasm_memory_data; the calling wasm frame then reads the new page (no stale
// base or bound), and accesses past the new end still trap. With guard pages
// and with explicit bounds checks. Usage: host_memory host_memory.wasm
// (tier from WVM_TIER).
#include "common.h"

typedef struct Env {
  wasm_memory_t* memory;
  bool grow_ok;
} Env;

static wasm_trap_t* grow(void* data, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  Env* env = (Env*)data;
  wasm_memory_pages_t before = wasm_memory_size(env->memory);
  env->grow_ok = wasm_memory_grow(env->memory, (wasm_memory_pages_t)args->data[0].of.i32);
  size_t size = wasm_memory_data_size(env->memory);
  if (env->grow_ok && size > 0) wasm_memory_data(env->memory)[size - 1] = 0x5a;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = (int32_t)before;
  return NULL;
}

static void run(const wasm_byte_vec_t* binary, wvm_bounds_t bounds, const char* what) {
  wasm_config_t* config = wasm_config_new();
  wvm_config_set_bounds(config, bounds);
  const char* tier = getenv("WVM_TIER");
  if (tier != NULL && strcmp(tier, "auto") == 0) wvm_config_set_tier_up_threshold(config, 2);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  REQUIRE(engine != NULL);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = wasm_module_new(store, binary);
  REQUIRE(module != NULL);

  Env env = {0};
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new_with_env(store, type, grow, &env, NULL);
  wasm_functype_delete(type);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = instantiate_with_func(store, module, host, &exports);
  REQUIRE(instance != NULL);
  env.memory = wasm_extern_as_memory(export_named(module, &exports, "mem"));
  const wasm_func_t* grow_then_load = export_func(module, &exports, "grow_then_load");
  const wasm_func_t* load8 = export_func(module, &exports, "load8");

  const int32_t kPage = 65536;
  for (int round = 0; round < 3; ++round) {  // under auto, tiers change between rounds
    // Each round grows by one page inside a call (1 -> 2 -> 3 -> 4 of 6).
    int32_t base_pages = (int32_t)wasm_memory_size(env.memory);
    int32_t result = -1;
    int32_t args[2] = {1, (base_pages + 1) * kPage - 1};
    if (base_pages + 1 <= 6) {
      wasm_trap_t* trap = call_i32(grow_then_load, args, 2, &result);
      if (trap != NULL) {
        char* text = trap_text(trap);
        fprintf(stderr, "%s: round %d: load at the new end after growing in a host call: %s\n",
                what, round, text);
        free(text);
        wasm_trap_delete(trap);
        ++g_failures;
      } else {
        CHECK(env.grow_ok);
        CHECK_I64(result, 0x5a);
      }
      CHECK_I64(wasm_memory_size(env.memory), base_pages + 1);
      CHECK_I64(wasm_memory_data_size(env.memory), (size_t)(base_pages + 1) * kPage);
    }
    // No growth, one past the end: traps.
    int32_t pages = (int32_t)wasm_memory_size(env.memory);
    int32_t past[2] = {0, pages * kPage};
    wasm_trap_t* trap = call_i32(grow_then_load, past, 2, &result);
    CHECK(trap != NULL);
    if (trap != NULL) {
      char* text = trap_text(trap);
      CHECK_STR(text, "out of bounds memory access");
      free(text);
      wasm_trap_delete(trap);
    }
    // The host's byte, read by a later call too.
    int32_t last = pages * kPage - 1;
    EXPECT_NO_TRAP(call_i32(load8, &last, 1, &result));
    CHECK_I64(result, 0x5a);
  }
  // Growing past the maximum fails, and the old end still holds.
  int32_t pages = (int32_t)wasm_memory_size(env.memory);
  int32_t too_far[2] = {7, pages * kPage};
  int32_t result = 0;
  wasm_trap_t* trap = call_i32(grow_then_load, too_far, 2, &result);
  CHECK(!env.grow_ok);
  CHECK(trap != NULL);
  if (trap) wasm_trap_delete(trap);
  CHECK_I64(wasm_memory_size(env.memory), pages);
  // Growing from C between calls is seen by the next call.
  CHECK(wasm_memory_grow(env.memory, 1));
  wasm_memory_data(env.memory)[(size_t)(pages + 1) * kPage - 1] = 0x33;
  int32_t new_last = (pages + 1) * kPage - 1;
  EXPECT_NO_TRAP(call_i32(load8, &new_last, 1, &result));
  CHECK_I64(result, 0x33);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
}

int main(int argc, char** argv) {
  REQUIRE(argc == 2);
  wasm_byte_vec_t binary;
  load_wasm(argv[1], &binary);
  run(&binary, WVM_BOUNDS_GUARD_PAGES, "guard pages");
  run(&binary, WVM_BOUNDS_EXPLICIT, "explicit bounds");
  wasm_byte_vec_delete(&binary);
  return test_finish("host_memory");
}
