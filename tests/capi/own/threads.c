// A module compiled once and shared (wasm_module_share) with several
// threads, each obtaining it in its own store, instantiating it with its own
// host import and calling it many times while the others do the same.
// Then with the shared handle deleted while the threads' modules live, and
// with a shared module whose original wasm_module_t (and its store) was
// deleted before any thread obtained it. Usage: threads threads.wasm (tier from WVM_TIER).
#define _POSIX_C_SOURCE 200809L  // pthread barriers
#include <pthread.h>

#include "common.h"

enum { kThreads = 4, kCalls = 1500 };

typedef struct Worker {
  int id;
  wasm_engine_t* engine;
  const wasm_shared_module_t* shared;
  pthread_barrier_t* obtained;  // with the main thread: every module obtained
  pthread_barrier_t* barrier;   // all workers: start calling together
  bool metered;    // the engine meters gas: record each call's gas by x
  uint64_t gas[60];  // gas of work(x), the same at every call and thread
  int host_calls;  // counted by the host import, on this thread only
  int failures;
  pthread_t thread;
} Worker;

static wasm_trap_t* tick(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  Worker* worker = (Worker*)env;
  ++worker->host_calls;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + worker->id * 1000000;
  return NULL;
}

static int32_t expected_work(int32_t x, int id) {
  int32_t acc = 0;
  for (int32_t i = 0; i < x; ++i) acc += i * i;
  return acc + id * 1000000;
}

// Failures are counted per worker (g_failures is not thread-safe).
#define WCHECK(worker, cond)                                                          \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "thread %d: %s:%d: %s\n", (worker)->id, __FILE__, __LINE__, #cond); \
      ++(worker)->failures;                                                           \
    }                                                                                 \
  } while (0)

static void* run_worker(void* arg) {
  Worker* worker = (Worker*)arg;
  wasm_store_t* store = wasm_store_new(worker->engine);
  WCHECK(worker, store != NULL);
  if (store == NULL) return NULL;
  wasm_module_t* module = wasm_module_obtain(store, worker->shared);
  WCHECK(worker, module != NULL);
  // The main thread may delete the shared module now: ours must not care.
  pthread_barrier_wait(worker->obtained);
  if (module == NULL) {
    wasm_store_delete(store);
    return NULL;
  }
  wasm_functype_t* type = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* host = wasm_func_new_with_env(store, type, tick, worker, NULL);
  wasm_functype_delete(type);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = instantiate_with_func(store, module, host, &exports);
  WCHECK(worker, instance != NULL);
  if (instance != NULL) {
    const wasm_func_t* work = export_func(module, &exports, "work");
    const wasm_func_t* count = export_func(module, &exports, "count");
    pthread_barrier_wait(worker->barrier);  // all threads call at once
    for (int call = 0; call < kCalls; ++call) {
      int32_t x = (call * 7 + worker->id) % 60;
      wasm_val_t args[] = {WASM_I32_VAL(x)};
      wasm_val_t results[] = {WASM_INIT_VAL};
      wasm_val_vec_t arg_vec = WASM_ARRAY_VEC(args), result_vec = WASM_ARRAY_VEC(results);
      if (worker->metered) wvm_store_set_gas_limit(store, 1u << 30);
      wasm_trap_t* trap = wasm_func_call(work, &arg_vec, &result_vec);
      WCHECK(worker, trap == NULL);
      if (trap != NULL) {
        wasm_trap_delete(trap);
        break;
      }
      if (results[0].of.i32 != expected_work(x, worker->id)) {
        fprintf(stderr, "thread %d: work(%d) = %d, expected %d\n", worker->id, x,
                results[0].of.i32, expected_work(x, worker->id));
        ++worker->failures;
        break;
      }
      if (worker->metered) {
        uint64_t used = wvm_store_gas_used(store);
        if (worker->gas[x] == 0) worker->gas[x] = used;
        if (used == 0 || used != worker->gas[x]) {
          fprintf(stderr, "thread %d: work(%d) used %" PRIu64 " gas, before %" PRIu64 "\n",
                  worker->id, x, used, worker->gas[x]);
          ++worker->failures;
          break;
        }
      }
    }
    wasm_val_t results[] = {WASM_INIT_VAL};
    wasm_val_vec_t no_args = WASM_EMPTY_VEC, result_vec = WASM_ARRAY_VEC(results);
    wasm_trap_t* trap = wasm_func_call(count, &no_args, &result_vec);
    WCHECK(worker, trap == NULL);
    if (trap) wasm_trap_delete(trap);
    // This instance's global saw exactly this thread's calls.
    WCHECK(worker, results[0].of.i32 == kCalls);
    wasm_instance_delete(instance);
  } else {
    pthread_barrier_wait(worker->barrier);
  }
  WCHECK(worker, worker->host_calls == kCalls);
  wasm_extern_vec_delete(&exports);
  wasm_func_delete(host);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

// Runs the workers on `shared`; with delete_shared, deletes it once every
// worker obtained its module and before they instantiate.
static void run_threads(wasm_engine_t* engine, wasm_shared_module_t* shared, bool delete_shared,
                        bool metered, const char* what) {
  Worker workers[kThreads];
  pthread_barrier_t obtained, barrier;
  pthread_barrier_init(&obtained, NULL, kThreads + 1);
  pthread_barrier_init(&barrier, NULL, kThreads);
  for (int i = 0; i < kThreads; ++i) {
    workers[i] = (Worker){.id = i + 1, .engine = engine, .shared = shared,
                          .obtained = &obtained, .barrier = &barrier, .metered = metered};
    REQUIRE(pthread_create(&workers[i].thread, NULL, run_worker, &workers[i]) == 0);
  }
  pthread_barrier_wait(&obtained);
  if (delete_shared) wasm_shared_module_delete(shared);
  for (int i = 0; i < kThreads; ++i) {
    pthread_join(workers[i].thread, NULL);
    if (workers[i].failures != 0) {
      fprintf(stderr, "%s: thread %d had %d failure(s), %d host calls\n", what, workers[i].id,
              workers[i].failures, workers[i].host_calls);
      g_failures += workers[i].failures;
    }
  }
  pthread_barrier_destroy(&barrier);
  pthread_barrier_destroy(&obtained);
  // Every thread's store charged the same gas for the same call.
  for (int i = 1; metered && i < kThreads; ++i) {
    for (int x = 0; x < 60; ++x) {
      if (workers[i].gas[x] != 0 && workers[0].gas[x] != 0 &&
          workers[i].gas[x] != workers[0].gas[x]) {
        fprintf(stderr, "%s: work(%d) used %" PRIu64 " gas on thread %d, %" PRIu64 " on 1\n", what,
                x, workers[i].gas[x], workers[i].id, workers[0].gas[x]);
        ++g_failures;
      }
    }
  }
}

int main(int argc, char** argv) {
  wasm_byte_vec_t binary;
  wasm_engine_t* engine = start_test(argc, argv, &binary);
  wasm_store_t* store = wasm_store_new(engine);

  // Shared while the original module lives.
  wasm_module_t* module = wasm_module_new(store, &binary);  // the binary is used again below
  REQUIRE(module != NULL);
  wasm_shared_module_t* shared = wasm_module_share(module);
  REQUIRE(shared != NULL);
  run_threads(engine, shared, false, false, "original alive");
  wasm_shared_module_delete(shared);

  // Shared, obtained by every thread, then the shared handle deleted before
  // they instantiate and call.
  shared = wasm_module_share(module);
  REQUIRE(shared != NULL);
  run_threads(engine, shared, true, false, "shared deleted after obtain");

  // Shared, then the original deleted (and its store too) before any thread
  // obtains it.
  shared = wasm_module_share(module);
  REQUIRE(shared != NULL);
  wasm_module_delete(module);
  wasm_store_delete(store);
  run_threads(engine, shared, false, false, "original deleted");
  // And obtained again on this thread, in a fresh store.
  wasm_store_t* store2 = wasm_store_new(engine);
  wasm_module_t* again = wasm_module_obtain(store2, shared);
  CHECK(again != NULL);
  if (again) {
    wasm_exporttype_vec_t exports;
    wasm_module_exports(again, &exports);
    CHECK_I64(exports.size, 2);
    wasm_exporttype_vec_delete(&exports);
    wasm_module_delete(again);
  }
  wasm_shared_module_delete(shared);
  wasm_store_delete(store2);

  wasm_engine_delete(engine);

  // A metered engine: each thread's store has its own gas, charged alike.
  wasm_config_t* config = wasm_config_new();
  REQUIRE(wvm_config_set_gas_profile(config, "uniform"));
  const char* tier = getenv("WVM_TIER");
  if (tier != NULL && strcmp(tier, "auto") == 0) wvm_config_set_tier_up_threshold(config, 2);
  wasm_engine_t* metered = wasm_engine_new_with_config(config);
  REQUIRE(metered != NULL);
  wasm_store_t* store4 = wasm_store_new(metered);
  module = wasm_module_new(store4, &binary);
  REQUIRE(module != NULL);
  shared = wasm_module_share(module);
  REQUIRE(shared != NULL);
  run_threads(metered, shared, false, true, "metered");
  wasm_shared_module_delete(shared);
  wasm_module_delete(module);
  wasm_store_delete(store4);
  wasm_engine_delete(metered);
  wasm_byte_vec_delete(&binary);
  return test_finish("threads");
}
