// Runs an exported `add` through the standard wasm-c-api (README, "Embedding").
#include <stdio.h>
#include <wasm.h>

// (module (func (export "add") (param i32 i32) (result i32)
//   local.get 0 local.get 1 i32.add))
static char add_wasm[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 7, 1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f,
                          3, 2, 1, 0, 7, 7, 1, 3, 'a', 'd', 'd', 0, 0,
                          10, 9, 1, 7, 0, 0x20, 0, 0x20, 1, 0x6a, 0x0b};

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_byte_vec_t binary = {sizeof add_wasm, add_wasm};
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC, exports = WASM_EMPTY_VEC;
  wasm_instance_t* instance = module ? wasm_instance_new(store, module, &imports, NULL) : NULL;
  if (instance) wasm_instance_exports(instance, &exports);
  wasm_val_t args[2] = {WASM_I32_VAL(11), WASM_I32_VAL(33)}, results[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args_vec = WASM_ARRAY_VEC(args), results_vec = WASM_ARRAY_VEC(results);
  wasm_trap_t* trap = exports.size == 1
      ? wasm_func_call(wasm_extern_as_func(exports.data[0]), &args_vec, &results_vec) : NULL;
  int ok = exports.size == 1 && !trap && results[0].of.i32 == 44;
  printf(ok ? "add(11, 33) = %d\n" : "failed (%d)\n", results[0].of.i32);
  if (trap) wasm_trap_delete(trap);
  wasm_extern_vec_delete(&exports);
  if (instance) wasm_instance_delete(instance);
  if (module) wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return ok ? 0 : 1;
}
