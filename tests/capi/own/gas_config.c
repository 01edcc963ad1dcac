// wvm.h's configuration through the C API: gas metering with a profile and
// a store's gas limit (out of gas, gas left, the same gas in every tier), an
// unknown profile refused, explicit bounds checks against guard pages, and
// a bogus WVM_TIER.
// Usage: gas_config gas_config.wasm          (tier from WVM_TIER)
//        gas_config --bogus-tier             (run with WVM_TIER=bogus)
#include "common.h"

typedef struct Setup {
  bool set_tier;
  wvm_tier_policy_t tier;
  bool set_bounds;
  wvm_bounds_t bounds;
  const char* gas_profile;  // NULL: no metering
  uint32_t tier_up_threshold;  // 0: default
  uint32_t max_call_depth;     // 0: default
} Setup;

typedef struct Instance {
  wasm_engine_t* engine;
  wasm_store_t* store;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
} Instance;

// The host's import: calls the instance's own sum (set after instantiation)
// from inside a wasm call, so that gas is used in a nested wasm_func_call.
typedef struct ReenterEnv {
  const wasm_func_t* sum;
} ReenterEnv;

static wasm_trap_t* reenter(void* data, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  ReenterEnv* env = (ReenterEnv*)data;
  results->data[0].kind = WASM_I32;
  return wasm_func_call(env->sum, args, results);  // a trap (out of gas) is passed on
}

// Engine, store, module and instance from a config (taken).
static Instance instantiate_config(const wasm_byte_vec_t* binary, wasm_config_t* config) {
  Instance it = {0};
  it.engine = wasm_engine_new_with_config(config);
  REQUIRE(it.engine != NULL);
  it.store = wasm_store_new(it.engine);
  it.module = wasm_module_new(it.store, binary);
  REQUIRE(it.module != NULL);
  // The env is freed by its finalizer when the store goes (LSan checks it does).
  ReenterEnv* env = (ReenterEnv*)calloc(1, sizeof(ReenterEnv));
  REQUIRE(env != NULL);
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new_with_env(it.store, type, reenter, env, free);
  wasm_functype_delete(type);
  it.instance = instantiate_with_func(it.store, it.module, host, &it.exports);
  REQUIRE(it.instance != NULL);
  wasm_func_delete(host);
  env->sum = export_func(it.module, &it.exports, "sum");
  return it;
}

static Instance instantiate(const wasm_byte_vec_t* binary, Setup setup) {
  wasm_config_t* config = wasm_config_new();
  REQUIRE(config != NULL);
  if (setup.set_tier) wvm_config_set_tier_policy(config, setup.tier);
  if (setup.set_bounds) wvm_config_set_bounds(config, setup.bounds);
  if (setup.gas_profile != NULL) REQUIRE(wvm_config_set_gas_profile(config, setup.gas_profile));
  if (setup.tier_up_threshold != 0) wvm_config_set_tier_up_threshold(config, setup.tier_up_threshold);
  if (setup.max_call_depth != 0) wvm_config_set_max_call_depth(config, setup.max_call_depth);
  return instantiate_config(binary, config);
}

static void release(Instance* it) {
  wasm_extern_vec_delete(&it->exports);
  wasm_instance_delete(it->instance);
  wasm_module_delete(it->module);
  wasm_store_delete(it->store);
  wasm_engine_delete(it->engine);
}

static const wasm_func_t* func(const Instance* it, const char* name) {
  return export_func(it->module, &it->exports, name);
}

static void out_of_gas(const wasm_byte_vec_t* binary) {
  Instance it = instantiate(binary, (Setup){.gas_profile = "uniform"});
  wvm_store_set_gas_limit(it.store, 10000);
  CHECK_I64(wvm_store_gas_left(it.store), 10000);
  wasm_trap_t* trap = call_i32(func(&it, "spin"), NULL, 0, NULL);
  CHECK(trap != NULL);
  if (trap != NULL) {
    CHECK_STR(wvm_trap_kind(trap), "out of gas");
    char* text = trap_text(trap);
    CHECK_STR(text, "out of gas");
    free(text);
    wasm_trap_delete(trap);
  }
  CHECK_I64(wvm_store_gas_left(it.store), 0);
  CHECK_I64(wvm_store_gas_used(it.store), 10000);

  // With new gas the store runs again; a finished call leaves gas over.
  wvm_store_set_gas_limit(it.store, 1000000);
  int32_t n = 10, result = 0;
  trap = call_i32(func(&it, "sum"), &n, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 55);
  uint64_t used = wvm_store_gas_used(it.store);
  CHECK(used > 0 && used < 1000000);
  CHECK_I64(wvm_store_gas_left(it.store), 1000000 - used);
  // Exactly the gas that call needs is enough; one less is not.
  wvm_store_set_gas_limit(it.store, used);
  trap = call_i32(func(&it, "sum"), &n, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(wvm_store_gas_left(it.store), 0);
  wvm_store_set_gas_limit(it.store, used - 1);
  trap = call_i32(func(&it, "sum"), &n, 1, &result);
  CHECK(trap != NULL);
  if (trap) {
    CHECK_STR(wvm_trap_kind(trap), "out of gas");
    wasm_trap_delete(trap);
  }
  release(&it);
}

// The gas of one call in the given setup.
static uint64_t gas_of_sum(const wasm_byte_vec_t* binary, Setup setup, int32_t n, int repeats) {
  Instance it = instantiate(binary, setup);
  uint64_t used = 0;
  for (int i = 0; i < repeats; ++i) {
    wvm_store_set_gas_limit(it.store, 1u << 30);
    int32_t result = 0;
    wasm_trap_t* trap = call_i32(func(&it, "sum"), &n, 1, &result);
    EXPECT_NO_TRAP(trap);
    CHECK_I64(result, n * (n + 1) / 2);
    uint64_t now = wvm_store_gas_used(it.store);
    if (i > 0 && now != used) {
      fprintf(stderr, "call %d of sum(%d) used %" PRIu64 " gas, the first %" PRIu64 "\n", i, n,
              now, used);
      ++g_failures;
    }
    used = now;
  }
  release(&it);
  return used;
}

static void same_gas_in_every_tier(const wasm_byte_vec_t* binary) {
  static const int32_t kInputs[] = {0, 1, 7, 100};
  for (size_t i = 0; i < sizeof kInputs / sizeof kInputs[0]; ++i) {
    int32_t n = kInputs[i];
    uint64_t interp = gas_of_sum(
        binary, (Setup){.set_tier = true, .tier = WVM_TIER_INTERP, .gas_profile = "uniform"}, n, 2);
    uint64_t jit = gas_of_sum(
        binary, (Setup){.set_tier = true, .tier = WVM_TIER_JIT, .gas_profile = "uniform"}, n, 2);
    uint64_t automatic = gas_of_sum(binary,
                                    (Setup){.set_tier = true, .tier = WVM_TIER_AUTO,
                                            .gas_profile = "uniform", .tier_up_threshold = 2},
                                    n, 5);
    printf("sum(%d): gas interp %" PRIu64 ", jit %" PRIu64 ", auto %" PRIu64 "\n", n, interp, jit,
           automatic);
    CHECK(interp > 0);
    CHECK_I64(jit, interp);
    CHECK_I64(automatic, interp);
  }
  // More work costs more gas.
  CHECK(gas_of_sum(binary, (Setup){.gas_profile = "uniform"}, 20, 1) >
        gas_of_sum(binary, (Setup){.gas_profile = "uniform"}, 10, 1));
}

static void profiles(const wasm_byte_vec_t* binary) {
  wasm_config_t* config = wasm_config_new();
  CHECK(!wvm_config_set_gas_profile(config, "no-such-profile"));
  CHECK(!wvm_config_set_gas_profile(config, ""));
  CHECK(wvm_config_set_gas_profile(config, "cosmwasm"));
  CHECK(wvm_config_set_gas_profile(config, "cosmwasm-3.0.9"));
  CHECK(wvm_config_set_gas_profile(config, "uniform"));
  wasm_config_delete(config);

  // A refused profile leaves the config without metering: a tiny limit does
  // not stop a call.
  config = wasm_config_new();
  CHECK(!wvm_config_set_gas_profile(config, "Uniform"));
  Instance it = instantiate_config(binary, config);
  wvm_store_set_gas_limit(it.store, 1);
  int32_t n = 50, result = 0;
  EXPECT_NO_TRAP(call_i32(func(&it, "sum"), &n, 1, &result));
  CHECK_I64(result, 1275);
  release(&it);
}

// Gas used by wasm that a host function called (a nested wasm_func_call on
// the same store) counts against the store's limit like the rest: the outer
// call uses more than the nested one alone, the same in every tier, and
// running out inside the nested call is out of gas for the outer one.
static void gas_across_host_calls(const wasm_byte_vec_t* binary) {
  static const Setup kTiers[] = {
      {.set_tier = true, .tier = WVM_TIER_INTERP, .gas_profile = "uniform"},
      {.set_tier = true, .tier = WVM_TIER_JIT, .gas_profile = "uniform"},
      {.set_tier = true, .tier = WVM_TIER_AUTO, .gas_profile = "uniform", .tier_up_threshold = 2},
  };
  static const char* const kNames[] = {"interp", "jit", "auto"};
  uint64_t reference = 0;
  for (size_t t = 0; t < 3; ++t) {
    Instance it = instantiate(binary, kTiers[t]);
    int32_t n = 100, result = 0;
    wvm_store_set_gas_limit(it.store, 1000000);
    EXPECT_NO_TRAP(call_i32(func(&it, "sum"), &n, 1, &result));
    uint64_t nested_alone = wvm_store_gas_used(it.store);
    for (int round = 0; round < 4; ++round) {  // under auto, tiers change between rounds
      wvm_store_set_gas_limit(it.store, 1000000);
      EXPECT_NO_TRAP(call_i32(func(&it, "via_host"), &n, 1, &result));
      CHECK_I64(result, 5050);
      uint64_t outer = wvm_store_gas_used(it.store);
      if (outer <= nested_alone) {
        fprintf(stderr, "%s: via_host(100) used %" PRIu64 " gas, sum(100) alone %" PRIu64
                        ": the nested call's gas was lost\n", kNames[t], outer, nested_alone);
        ++g_failures;
      }
      if (t == 0 && round == 0) reference = outer;
      if (outer != reference) {
        fprintf(stderr, "%s: round %d: via_host(100) used %" PRIu64 " gas, interp %" PRIu64 "\n",
                kNames[t], round, outer, reference);
        ++g_failures;
      }
    }
    // Out of gas in the nested call, passed on by the host function as it
    // came: still out of gas (it is not a trap the host made).
    wvm_store_set_gas_limit(it.store, nested_alone / 2);
    wasm_trap_t* trap = call_i32(func(&it, "via_host"), &n, 1, &result);
    CHECK(trap != NULL);
    if (trap != NULL) {
      char* text = trap_text(trap);
      CHECK_STR(text, "out of gas");
      free(text);
      CHECK_STR(wvm_trap_kind(trap), "out of gas");
      wasm_trap_delete(trap);
    }
    CHECK_I64(wvm_store_gas_left(it.store), 0);
    wvm_store_set_gas_limit(it.store, 1000000);
    EXPECT_NO_TRAP(call_i32(func(&it, "via_host"), &n, 1, &result));
    CHECK_I64(wvm_store_gas_used(it.store), reference);
    release(&it);
  }
  printf("via_host(100): %" PRIu64 " gas in every tier\n", reference);
}

// Runs a fixed sequence of memory accesses; each outcome is written as the
// value or the trap message, one line each.
static void memory_outcomes(const wasm_byte_vec_t* binary, Setup setup, char* out, size_t size) {
  Instance it = instantiate(binary, setup);
  static const struct {
    const char* func;
    int32_t args[2];
    size_t nargs;
  } kSteps[] = {
      {"store", {65532, 0x11223344}, 2}, {"load", {65532}, 1},      {"load", {65533}, 1},
      {"load8", {65535}, 1},             {"load8", {65536}, 1},      {"load_off", {0}, 1},
      {"load_off", {-1}, 1},             {"load", {-4}, 1},          {"store", {65534, 5}, 2},
      {"grow", {1}, 1},                  {"load", {65533}, 1},       {"load8", {131071}, 1},
      {"load8", {131072}, 1},            {"load_off", {65533}, 1},   {"load_off", {65534}, 1},
      {"grow", {5}, 1},                  {"load", {131068}, 1},
  };
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof kSteps / sizeof kSteps[0]; ++i) {
    int32_t result = 0;
    wasm_trap_t* trap = call_i32(func(&it, kSteps[i].func), kSteps[i].args, kSteps[i].nargs, &result);
    if (trap != NULL) {
      char* text = trap_text(trap);
      used += (size_t)snprintf(out + used, size - used, "%s(%d): trap %s\n", kSteps[i].func,
                               kSteps[i].args[0], text);
      free(text);
      wasm_trap_delete(trap);
    } else {
      used += (size_t)snprintf(out + used, size - used, "%s(%d): %d\n", kSteps[i].func,
                               kSteps[i].args[0], result);
    }
    REQUIRE(used < size);
  }
  release(&it);
}

static void bounds(const wasm_byte_vec_t* binary) {
  static const char kExpected[] =
      "store(65532): 0\n"
      "load(65532): 287454020\n"
      "load(65533): trap out of bounds memory access\n"
      "load8(65535): 17\n"
      "load8(65536): trap out of bounds memory access\n"
      "load_off(0): trap out of bounds memory access\n"
      "load_off(-1): trap out of bounds memory access\n"
      "load(-4): trap out of bounds memory access\n"
      "store(65534): trap out of bounds memory access\n"
      "grow(1): 1\n"
      "load(65533): 1122867\n"
      "load8(131071): 0\n"
      "load8(131072): trap out of bounds memory access\n"
      "load_off(65533): 0\n"
      "load_off(65534): trap out of bounds memory access\n"
      "grow(5): -1\n"
      "load(131068): 0\n";
  char guard[2048], explicit_checks[2048];
  memory_outcomes(binary, (Setup){.set_bounds = true, .bounds = WVM_BOUNDS_GUARD_PAGES}, guard,
                  sizeof guard);
  memory_outcomes(binary, (Setup){.set_bounds = true, .bounds = WVM_BOUNDS_EXPLICIT},
                  explicit_checks, sizeof explicit_checks);
  if (strcmp(guard, kExpected) != 0) {
    fprintf(stderr, "guard pages:\n%s\nexpected:\n%s", guard, kExpected);
    ++g_failures;
  }
  if (strcmp(explicit_checks, kExpected) != 0) {
    fprintf(stderr, "explicit bounds:\n%s\nexpected:\n%s", explicit_checks, kExpected);
    ++g_failures;
  }
}

// wvm_config_set_max_call_depth: recursion within the limit runs, deeper
// recursion traps, and the store goes on.
static void call_depth(const wasm_byte_vec_t* binary) {
  Instance it = instantiate(binary, (Setup){.max_call_depth = 100});
  const wasm_func_t* rec = func(&it, "rec");
  int32_t depth = 50, result = 0;
  EXPECT_NO_TRAP(call_i32(rec, &depth, 1, &result));
  CHECK_I64(result, 50);
  depth = 1000;
  wasm_trap_t* trap = call_i32(rec, &depth, 1, &result);
  CHECK(trap != NULL);
  if (trap != NULL) {
    CHECK_STR(wvm_trap_kind(trap), "call stack exhausted");
    wasm_trap_delete(trap);
  }
  depth = 90;
  EXPECT_NO_TRAP(call_i32(rec, &depth, 1, &result));
  CHECK_I64(result, 90);
  release(&it);
  // The default depth is far more than 100 frames.
  Instance deep = instantiate(binary, (Setup){0});
  depth = 1000;
  EXPECT_NO_TRAP(call_i32(func(&deep, "rec"), &depth, 1, &result));
  CHECK_I64(result, 1000);
  release(&deep);
}

// Run with WVM_TIER=bogus: an engine that takes its tier from the
// environment is refused; one whose config names its tier is not.
static int bogus_tier(void) {
  const char* tier = getenv("WVM_TIER");
  REQUIRE(tier != NULL && strcmp(tier, "bogus") == 0);
  wasm_engine_t* engine = wasm_engine_new();
  CHECK(engine == NULL);
  if (engine) wasm_engine_delete(engine);
  engine = wasm_engine_new_with_config(wasm_config_new());
  CHECK(engine == NULL);
  if (engine) wasm_engine_delete(engine);
  wasm_config_t* config = wasm_config_new();
  wvm_config_set_tier_policy(config, WVM_TIER_INTERP);
  engine = wasm_engine_new_with_config(config);
  CHECK(engine != NULL);
  if (engine) wasm_engine_delete(engine);
  return test_finish("gas_config --bogus-tier");
}

int main(int argc, char** argv) {
  REQUIRE(argc == 2);
  if (strcmp(argv[1], "--bogus-tier") == 0) return bogus_tier();
  wasm_byte_vec_t binary;
  load_wasm(argv[1], &binary);
  out_of_gas(&binary);
  same_gas_in_every_tier(&binary);
  gas_across_host_calls(&binary);
  profiles(&binary);
  bounds(&binary);
  call_depth(&binary);
  wasm_byte_vec_delete(&binary);
  return test_finish("gas_config");
}
