// Traps through the C API: a host function's trap a few wasm frames deep
// (message, trace, origin, offsets, side effects), wasm traps with the
// engine's wording, a host function called directly, and the store going on
// after each trap. Usage: host_trap host_trap.wasm (tier from WVM_TIER).
#include "common.h"

static const char kMessage[] = "my message";

// Host side: fail(x) returns x + 1 for x == 0 and traps otherwise; before
// trapping it adds 1000 to the global it was given, so that the side effect
// must be visible after the trap.
typedef struct HostEnv {
  wasm_store_t* store;
  wasm_global_t* global;  // the instance's exported global, set after instantiation
  int calls;
} HostEnv;

static HostEnv g_plain_env;  // wasm_func_new has no env: this is its state

static wasm_trap_t* fail_body(HostEnv* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  ++env->calls;
  int32_t x = args->data[0].of.i32;
  if (x == 0) {
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = x + 1;
    return NULL;
  }
  if (env->global != NULL) {
    wasm_val_t v;
    wasm_global_get(env->global, &v);
    v.of.i32 += 1000;
    wasm_global_set(env->global, &v);
  }
  wasm_message_t message;
  wasm_name_new(&message, sizeof kMessage, kMessage);  // with its NUL
  wasm_trap_t* trap = wasm_trap_new(env->store, &message);
  wasm_name_delete(&message);
  return trap;
}

static wasm_trap_t* fail_plain(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  return fail_body(&g_plain_env, args, results);
}

static wasm_trap_t* fail_with_env(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  return fail_body((HostEnv*)env, args, results);
}

// --- Function body starts, read from the binary --------------------------

static uint32_t read_leb(const uint8_t* data, size_t size, size_t* pos) {
  uint32_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    REQUIRE(*pos < size);
    uint8_t byte = data[(*pos)++];
    value |= (uint32_t)(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return value;
}

// body_start[i] is the module offset of defined function i's body (its
// locals declaration, right after the body size), the origin of func_offset.
typedef struct Bodies {
  size_t count;
  size_t start[64];
  size_t end[64];
} Bodies;

static Bodies read_bodies(const wasm_byte_vec_t* binary) {
  Bodies bodies = {0};
  const uint8_t* data = (const uint8_t*)binary->data;
  size_t size = binary->size;
  size_t pos = 8;
  while (pos < size) {
    uint8_t id = data[pos++];
    uint32_t section_size = read_leb(data, size, &pos);
    size_t section_end = pos + section_size;
    if (id == 10) {
      uint32_t count = read_leb(data, size, &pos);
      REQUIRE(count <= 64);
      for (uint32_t i = 0; i < count; ++i) {
        uint32_t body_size = read_leb(data, size, &pos);
        bodies.start[i] = pos;
        bodies.end[i] = pos + body_size;
        pos += body_size;
      }
      bodies.count = count;
    }
    pos = section_end;
  }
  REQUIRE(bodies.count > 0);
  return bodies;
}

// --- Checks --------------------------------------------------------------

typedef struct Ctx {
  wasm_store_t* store;
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
  Bodies bodies;
  uint32_t imported_funcs;
} Ctx;

static void check_frame(const Ctx* ctx, const wasm_frame_t* frame, uint32_t func_index,
                        const char* what) {
  uint32_t index = wasm_frame_func_index(frame);
  if (index != func_index) {
    fprintf(stderr, "%s: frame func index %u, expected %u\n", what, index, func_index);
    ++g_failures;
    return;
  }
  REQUIRE(index >= ctx->imported_funcs && index - ctx->imported_funcs < ctx->bodies.count);
  size_t body = index - ctx->imported_funcs;
  size_t module_offset = wasm_frame_module_offset(frame);
  size_t func_offset = wasm_frame_func_offset(frame);
  if (module_offset < ctx->bodies.start[body] || module_offset >= ctx->bodies.end[body]) {
    fprintf(stderr, "%s: func %u module_offset %zu outside its body [%zu, %zu)\n", what, index,
            module_offset, ctx->bodies.start[body], ctx->bodies.end[body]);
    ++g_failures;
  }
  if (module_offset - func_offset != ctx->bodies.start[body]) {
    fprintf(stderr,
            "%s: func %u module_offset %zu - func_offset %zu = %zu, expected the body start %zu\n",
            what, index, module_offset, func_offset, module_offset - func_offset,
            ctx->bodies.start[body]);
    ++g_failures;
  }
  wasm_instance_t* instance = wasm_frame_instance(frame);
  CHECK(instance != NULL);
  if (instance != NULL) CHECK(wasm_instance_same(instance, ctx->instance));
}

// Checks a trap's message and its trace against the expected func indexes
// (innermost first), then deletes it.
static void check_trap(const Ctx* ctx, wasm_trap_t* trap, const char* message,
                       const char* kind, const uint32_t* frames, size_t nframes,
                       const char* what) {
  if (trap == NULL) {
    fprintf(stderr, "%s: no trap\n", what);
    ++g_failures;
    return;
  }
  char* text = trap_text(trap);
  if (strcmp(text, message) != 0) {
    fprintf(stderr, "%s: message \"%s\", expected \"%s\"\n", what, text, message);
    ++g_failures;
  }
  free(text);
  CHECK_STR(wvm_trap_kind(trap), kind);

  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  if (trace.size != nframes) {
    fprintf(stderr, "%s: trace has %zu frames, expected %zu\n", what, trace.size, nframes);
    ++g_failures;
  }
  for (size_t i = 0; i < trace.size && i < nframes; ++i) check_frame(ctx, trace.data[i], frames[i], what);

  wasm_frame_t* origin = wasm_trap_origin(trap);
  if (nframes == 0) {
    CHECK(origin == NULL);
  } else if (origin == NULL) {
    fprintf(stderr, "%s: no origin\n", what);
    ++g_failures;
  } else {
    check_frame(ctx, origin, frames[0], what);
    if (trace.size > 0) {
      CHECK_I64(wasm_frame_module_offset(origin), wasm_frame_module_offset(trace.data[0]));
      CHECK_I64(wasm_frame_func_offset(origin), wasm_frame_func_offset(trace.data[0]));
    }
    // A copy of a frame reads the same.
    wasm_frame_t* copy = wasm_frame_copy(origin);
    REQUIRE(copy != NULL);
    CHECK_I64(wasm_frame_func_index(copy), wasm_frame_func_index(origin));
    CHECK_I64(wasm_frame_module_offset(copy), wasm_frame_module_offset(origin));
    wasm_frame_delete(copy);
  }
  if (origin != NULL) wasm_frame_delete(origin);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);
}

static int32_t global_value(const Ctx* ctx) {
  wasm_global_t* g = wasm_extern_as_global(export_named(ctx->module, &ctx->exports, "g"));
  REQUIRE(g != NULL);
  wasm_val_t v;
  wasm_global_get(g, &v);
  CHECK(v.kind == WASM_I32);
  return v.of.i32;
}

// Runs every check against one instance whose import is `host`.
static void run_instance(Ctx* ctx, wasm_func_t* host, HostEnv* env, const char* variant) {
  wasm_extern_t* imports_data[] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_data);
  wasm_trap_t* start_trap = NULL;
  ctx->instance = wasm_instance_new(ctx->store, ctx->module, &imports, &start_trap);
  REQUIRE(ctx->instance != NULL);
  CHECK(start_trap == NULL);
  wasm_instance_exports(ctx->instance, &ctx->exports);
  env->global = wasm_extern_as_global(export_named(ctx->module, &ctx->exports, "g"));
  env->calls = 0;

  const wasm_func_t* outer = export_func(ctx->module, &ctx->exports, "outer");
  const wasm_func_t* inner = export_func(ctx->module, &ctx->exports, "inner");
  int32_t result = 0;

  // A normal call first: 0 + 1 + 10 + 100.
  int32_t zero = 0;
  wasm_trap_t* trap = call_i32(outer, &zero, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 111);
  CHECK_I64(env->calls, 1);
  CHECK_I64(global_value(ctx), 1);

  // The host traps three wasm frames deep: inner (1), middle (2), outer (3).
  char what[96];
  snprintf(what, sizeof what, "%s: host trap via outer", variant);
  int32_t five = 5;
  static const uint32_t kHostFrames[] = {1, 2, 3};
  check_trap(ctx, call_i32(outer, &five, 1, &result), kMessage, "host error", kHostFrames, 3,
             what);
  CHECK_I64(env->calls, 2);
  // inner's increment before the call and the host's +1000 both stay.
  CHECK_I64(global_value(ctx), 1 + 1 + 1000);

  // One frame deep, through an exported function.
  snprintf(what, sizeof what, "%s: host trap via inner", variant);
  check_trap(ctx, call_i32(inner, &five, 1, &result), kMessage, "host error", kHostFrames, 1,
             what);
  CHECK_I64(global_value(ctx), 2 + 1000 + 1 + 1000);

  // Wasm traps: the engine's words, the trace from the trapping function out.
  int32_t div_args[] = {7, 0};
  static const uint32_t kDivFrames[] = {4, 5};
  snprintf(what, sizeof what, "%s: divide by zero", variant);
  check_trap(ctx, call_i32(export_func(ctx->module, &ctx->exports, "div_outer"), div_args, 2,
                           &result),
             "integer divide by zero", "integer divide by zero", kDivFrames, 2, what);
  int32_t overflow_args[] = {INT32_MIN, -1};
  snprintf(what, sizeof what, "%s: overflow", variant);
  check_trap(ctx, call_i32(export_func(ctx->module, &ctx->exports, "div_outer"), overflow_args, 2,
                           &result),
             "integer overflow", "integer overflow", kDivFrames, 2, what);
  static const uint32_t kUnreachableFrames[] = {6};
  snprintf(what, sizeof what, "%s: unreachable", variant);
  check_trap(ctx, call_i32(export_func(ctx->module, &ctx->exports, "unreachable"), NULL, 0, NULL),
             "unreachable", "unreachable", kUnreachableFrames, 1, what);
  static const uint32_t kOobFrames[] = {7};
  int32_t address = 65536 - 2;
  snprintf(what, sizeof what, "%s: out of bounds", variant);
  check_trap(ctx, call_i32(export_func(ctx->module, &ctx->exports, "oob"), &address, 1, &result),
             "out of bounds memory access", "out of bounds memory access", kOobFrames, 1, what);

  // The store goes on after all those traps, with the right results.
  for (int i = 0; i < 3; ++i) {
    result = 0;
    trap = call_i32(outer, &zero, 1, &result);
    EXPECT_NO_TRAP(trap);
    CHECK_I64(result, 111);
  }
  int32_t ok_div[] = {-42, 5};
  trap = call_i32(export_func(ctx->module, &ctx->exports, "div_outer"), ok_div, 2, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, -8);
  address = 65536 - 4;
  trap = call_i32(export_func(ctx->module, &ctx->exports, "oob"), &address, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 0);

  env->global = NULL;
  wasm_extern_vec_delete(&ctx->exports);
  wasm_instance_delete(ctx->instance);
  ctx->instance = NULL;
}

// The host function called straight from C: a trap without wasm frames.
static void run_direct(Ctx* ctx, wasm_func_t* host, HostEnv* env, const char* variant) {
  env->calls = 0;
  char what[96];
  snprintf(what, sizeof what, "%s: direct host call", variant);
  int32_t one = 1;
  int32_t result = 0;
  check_trap(ctx, call_i32(host, &one, 1, &result), kMessage, "host error", NULL, 0, what);
  CHECK_I64(env->calls, 1);
  int32_t zero = 0;
  wasm_trap_t* trap = call_i32(host, &zero, 1, &result);
  EXPECT_NO_TRAP(trap);
  CHECK_I64(result, 1);
  CHECK_I64(env->calls, 2);
}

int main(int argc, char** argv) {
  wasm_byte_vec_t binary;
  wasm_engine_t* engine = start_test(argc, argv, &binary);
  Ctx ctx = {0};
  ctx.store = wasm_store_new(engine);
  REQUIRE(ctx.store != NULL);
  ctx.module = wasm_module_new(ctx.store, &binary);
  REQUIRE(ctx.module != NULL);
  ctx.bodies = read_bodies(&binary);
  wasm_byte_vec_delete(&binary);

  wasm_importtype_vec_t imports;
  wasm_module_imports(ctx.module, &imports);
  for (size_t i = 0; i < imports.size; ++i) {
    if (wasm_externtype_kind(wasm_importtype_type(imports.data[i])) == WASM_EXTERN_FUNC) {
      ++ctx.imported_funcs;
    }
  }
  wasm_importtype_vec_delete(&imports);
  CHECK_I64(ctx.imported_funcs, 1);

  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());

  // wasm_func_new: the state is a static.
  g_plain_env.store = ctx.store;
  wasm_func_t* plain = wasm_func_new(ctx.store, type, fail_plain);
  REQUIRE(plain != NULL);
  run_direct(&ctx, plain, &g_plain_env, "wasm_func_new");
  run_instance(&ctx, plain, &g_plain_env, "wasm_func_new");
  wasm_func_delete(plain);

  // wasm_func_new_with_env: the state is the env.
  HostEnv env = {ctx.store, NULL, 0};
  wasm_func_t* with_env = wasm_func_new_with_env(ctx.store, type, fail_with_env, &env, NULL);
  REQUIRE(with_env != NULL);
  run_instance(&ctx, with_env, &env, "wasm_func_new_with_env");
  run_direct(&ctx, with_env, &env, "wasm_func_new_with_env");
  wasm_func_delete(with_env);

  wasm_functype_delete(type);
  // Under auto, the frames above came partly from tier 1 once functions got hot.
  printf("functions compiled by tier 1: %" PRIu64 "\n", wvm_engine_functions_compiled(engine));
  wasm_module_delete(ctx.module);
  wasm_store_delete(ctx.store);
  wasm_engine_delete(engine);
  return test_finish("host_trap");
}
