// Re-entry through the C API: a host function called from wasm calls back
// into wasm with wasm_func_call, several levels deep. A trap in the inner
// wasm call must come back to that host function (not unwind the outer
// call), which may swallow it, pass it on as its own result, or return a
// new one; the store goes on after each. Also a host function placed in a
// table with wasm_table_set and reached by call_indirect.
// Usage: reentry reentry.wasm (tier from WVM_TIER).
#include "common.h"

typedef enum Mode { kSwallow, kPropagate, kReplace, kHostTrapAtBottom } Mode;

typedef struct Env {
  wasm_store_t* store;
  const wasm_func_t* enter;
  const wasm_func_t* div;
  Mode mode;
  int depth_seen;  // deepest nesting of host frames reached
  int nesting;
} Env;

static wasm_trap_t* make_trap(wasm_store_t* store, const char* text) {
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, text);
  wasm_trap_t* trap = wasm_trap_new(store, &message);
  wasm_name_delete(&message);
  return trap;
}

// call_back(x): x > 0 calls enter(x - 1) and adds 1; x == 0 divides by zero
// (or traps itself) and does what the mode says with the trap.
static wasm_trap_t* call_back(void* data, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  Env* env = (Env*)data;
  int32_t x = args->data[0].of.i32;
  ++env->nesting;
  if (env->nesting > env->depth_seen) env->depth_seen = env->nesting;
  wasm_trap_t* trap = NULL;
  int32_t value = 0;
  if (x > 0) {
    int32_t inner_arg = x - 1;
    trap = call_i32(env->enter, &inner_arg, 1, &value);
    value += 1;
  } else if (env->mode == kHostTrapAtBottom) {
    trap = make_trap(env->store, "bottom");
  } else {
    int32_t div_args[] = {1, 0};
    trap = call_i32(env->div, div_args, 2, &value);
    if (trap == NULL) {
      fprintf(stderr, "div(1, 0) inside a host function did not trap\n");
      ++g_failures;
    } else if (env->mode == kSwallow) {
      char* text = trap_text(trap);
      CHECK_STR(text, "integer divide by zero");
      free(text);
      wasm_trap_delete(trap);
      trap = NULL;
      value = 100;
    } else if (env->mode == kReplace) {
      wasm_trap_delete(trap);
      trap = make_trap(env->store, "replaced by the host");
    }
  }
  --env->nesting;
  if (trap != NULL) return trap;  // ours to give: the caller takes it
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = value;
  return NULL;
}

static wasm_trap_t* negate(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = -args->data[0].of.i32;
  return NULL;
}

// Checks the trap's message and its wvm_trap_kind (a trap passed on by a
// host function keeps the kind it had; one the host made is "host error").
static void expect_trap(wasm_trap_t* trap, const char* expected, const char* kind,
                        const char* what) {
  if (trap == NULL) {
    fprintf(stderr, "%s: no trap, expected \"%s\"\n", what, expected);
    ++g_failures;
    return;
  }
  char* text = trap_text(trap);
  if (strcmp(text, expected) != 0) {
    fprintf(stderr, "%s: trap \"%s\", expected \"%s\"\n", what, text, expected);
    ++g_failures;
  }
  free(text);
  if (strcmp(wvm_trap_kind(trap), kind) != 0) {
    fprintf(stderr, "%s: trap kind \"%s\", expected \"%s\"\n", what, wvm_trap_kind(trap), kind);
    ++g_failures;
  }
  wasm_trap_delete(trap);
}

int main(int argc, char** argv) {
  wasm_byte_vec_t binary;
  wasm_engine_t* engine = start_test(argc, argv, &binary);
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = compile_given(store, &binary);

  Env env = {.store = store};
  wasm_functype_t* unary = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new_with_env(store, unary, call_back, &env, NULL);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = instantiate_with_func(store, module, host, &exports);
  REQUIRE(instance != NULL);
  env.enter = export_func(module, &exports, "enter");
  env.div = export_func(module, &exports, "div");

  for (int round = 0; round < 3; ++round) {  // rounds: under auto, tiers change
    // Swallowed: enter(x) = 100 + 2x + 1.
    env.mode = kSwallow;
    for (int32_t x = 0; x <= 6; ++x) {
      int32_t result = 0;
      env.depth_seen = 0;
      EXPECT_NO_TRAP(call_i32(env.enter, &x, 1, &result));
      CHECK_I64(result, 100 + 2 * x + 1);
      CHECK_I64(env.depth_seen, x + 1);
      CHECK_I64(env.nesting, 0);
    }
    // Passed on by every host frame on the way out.
    int32_t depth = 4, result = 0;
    env.mode = kPropagate;
    expect_trap(call_i32(env.enter, &depth, 1, &result), "integer divide by zero",
                "integer divide by zero", "propagated wasm trap");
    CHECK_I64(env.nesting, 0);
    env.mode = kReplace;
    expect_trap(call_i32(env.enter, &depth, 1, &result), "replaced by the host", "host error",
                "replaced trap");
    env.mode = kHostTrapAtBottom;
    expect_trap(call_i32(env.enter, &depth, 1, &result), "bottom", "host error",
                "host trap at the bottom");
    CHECK_I64(env.nesting, 0);
    // The host function called from C directly, re-entering wasm.
    env.mode = kSwallow;
    EXPECT_NO_TRAP(call_i32(host, &depth, 1, &result));
    CHECK_I64(result, 100 + 2 * depth);
    // And the plain wasm function is fine.
    int32_t div_args[] = {-9, 2};
    EXPECT_NO_TRAP(call_i32(env.div, div_args, 2, &result));
    CHECK_I64(result, -4);
  }

  // Deep alternation of wasm and host frames: either it completes or it
  // stops with call stack exhausted; never a crash. The store goes on.
  static const int32_t kDepths[] = {1000, 20000, 200000};
  for (size_t i = 0; i < sizeof kDepths / sizeof kDepths[0]; ++i) {
    env.mode = kSwallow;
    int32_t depth = kDepths[i], result = 0;
    wasm_trap_t* trap = call_i32(env.enter, &depth, 1, &result);
    if (trap == NULL) {
      CHECK_I64(result, 100 + 2 * depth + 1);
    } else {
      char* text = trap_text(trap);
      printf("enter(%d): %s\n", depth, text);
      CHECK_STR(text, "call stack exhausted");
      free(text);
      wasm_trap_delete(trap);
    }
    CHECK_I64(env.nesting, 0);
    env.nesting = 0;
    depth = 3;
    EXPECT_NO_TRAP(call_i32(env.enter, &depth, 1, &result));
    CHECK_I64(result, 107);
  }

  // A host function in the table, called indirectly.
  wasm_func_t* neg = wasm_func_new(store, unary, negate);
  wasm_table_t* table = wasm_extern_as_table(export_named(module, &exports, "table"));
  const wasm_func_t* indirect = export_func(module, &exports, "indirect");
  int32_t arg = 5, result = 0;
  expect_trap(call_i32(indirect, &arg, 1, &result), "uninitialized element",
              "uninitialized element", "empty table slot");
  CHECK(wasm_table_set(table, 0, wasm_func_as_ref(neg)));
  EXPECT_NO_TRAP(call_i32(indirect, &arg, 1, &result));
  CHECK_I64(result, -5);
  // A function of another type in the slot: the indirect call's type check.
  CHECK(wasm_table_set(table, 0, wasm_func_as_ref(export_func(module, &exports, "div"))));
  expect_trap(call_i32(indirect, &arg, 1, &result), "indirect call type mismatch",
              "indirect call type mismatch", "wrong type in the table");
  CHECK(wasm_table_set(table, 0, wasm_func_as_ref(host)));
  env.mode = kPropagate;
  arg = 2;
  expect_trap(call_i32(indirect, &arg, 1, &result), "integer divide by zero",
              "integer divide by zero", "re-entry through call_indirect");
  CHECK(!wasm_table_set(table, 1, wasm_func_as_ref(neg)));  // out of range

  wasm_func_delete(neg);
  wasm_functype_delete(unary);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("reentry");
}
