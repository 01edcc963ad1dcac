// Host functions and calls of the wasm-c-api.
#include <algorithm>

#include "capi/internal.h"

namespace wvm::capi {
namespace {

// Runs a C callback for wasm: its arguments are handed over as wasm_val_t
// (references as new handles, released after the call), its results taken
// back; a trap it returns is kept for the call that ran it and raised as a
// host error.
TrapKind call_host(HostCall& call, const Value* args, Value* results) {
  auto* env = static_cast<HostFuncEnv*>(call.user_data);
  wasm_store_t* store = env->store;
  const Func* self = env->func;
  const FuncType& type = *self->type;
  std::vector<wasm_val_t> in(type.params.size());
  std::vector<wasm_val_t> out(type.results.size());
  for (size_t i = 0; i < in.size(); ++i) in[i] = from_value(store, args[i]);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].kind = from_val_type(type.results[i]);
    out[i].of.i64 = 0;
  }
  wasm_val_vec_t in_vec{in.size(), in.data()};
  wasm_val_vec_t out_vec{out.size(), out.data()};
  wasm_trap_t* trap = env->callback ? env->callback(&in_vec, &out_vec)
                                    : env->callback_with_env(env->env, &in_vec, &out_vec);
  for (wasm_val_t& v : in) wasm_val_delete(&v);
  TrapKind result = TrapKind::None;
  if (trap) {
    store->pending_host_trap = std::static_pointer_cast<TrapData>(handle(trap)->shared);
    wasm_trap_delete(trap);
    result = TrapKind::HostError;
  } else {
    for (size_t i = 0; i < out.size(); ++i) results[i] = to_value(store, out[i], type.results[i]);
  }
  for (wasm_val_t& v : out) wasm_val_delete(&v);
  return result;
}

wasm_func_t* new_host_func(wasm_store_t* store, const wasm_functype_t* type,
                           wasm_func_callback_t callback,
                           wasm_func_callback_with_env_t callback_with_env, void* env,
                           void (*finalizer)(void*)) {
  auto box = std::make_unique<HostFuncEnv>(
      HostFuncEnv{store, nullptr, callback, callback_with_env, env, finalizer});
  Func* f = store->store->create_host_func(to_func_type(type), call_host, box.get());
  box->func = f;
  store->host_funcs.push_back(std::move(box));
  return as<wasm_func_t>(new_handle(HandleKind::Func, store, f));
}

Func* func_of(const wasm_func_t* f) { return static_cast<Func*>(handle(f)->target); }

// The trap handle for a call result: a host function's own trap if it raised one.
wasm_trap_t* trap_of(wasm_store_t* store, const CallResult& r) {
  std::shared_ptr<TrapData> host = std::move(store->pending_host_trap);
  store->pending_host_trap.reset();
  std::vector<wasm_frame_t> frames = frames_of(store, r.trace);
  if (r.trap == TrapKind::HostError && host) {
    return new_trap(store, r.trap, host->message, std::move(frames));
  }
  return new_trap(store, r.trap, trap_message(r.trap), std::move(frames));
}

}  // namespace
}  // namespace wvm::capi

using namespace wvm;
using namespace wvm::capi;

extern "C" {

wasm_func_t* wasm_func_new(wasm_store_t* store, const wasm_functype_t* type,
                           wasm_func_callback_t callback) {
  return new_host_func(store, type, callback, nullptr, nullptr, nullptr);
}

wasm_func_t* wasm_func_new_with_env(wasm_store_t* store, const wasm_functype_t* type,
                                    wasm_func_callback_with_env_t callback, void* env,
                                    void (*finalizer)(void*)) {
  return new_host_func(store, type, nullptr, callback, env, finalizer);
}

wasm_functype_t* wasm_func_type(const wasm_func_t* func) { return new_functype(*func_of(func)->type); }

size_t wasm_func_param_arity(const wasm_func_t* func) { return func_of(func)->type->params.size(); }

size_t wasm_func_result_arity(const wasm_func_t* func) {
  return func_of(func)->type->results.size();
}

wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args,
                            wasm_val_vec_t* results) {
  Handle* h = handle(func);
  wasm_store_t* store = h->store;
  Func* f = func_of(func);
  const FuncType& type = *f->type;
  const size_t nargs = args ? args->size : 0;
  const size_t nresults = results ? results->size : 0;
  if (nargs != type.params.size()) {
    return new_trap(store, TrapKind::HostError,
                    "wasm_func_call: the function takes " + std::to_string(type.params.size()) +
                        " arguments, " + std::to_string(nargs) + " were given",
                    {});
  }
  std::vector<Value> in(nargs);
  for (size_t i = 0; i < nargs; ++i) {
    if (to_val_type(args->data[i].kind) != type.params[i]) {
      return new_trap(store, TrapKind::HostError,
                      "wasm_func_call: argument " + std::to_string(i) + " has the wrong type", {});
    }
    in[i] = to_value(store, args->data[i], type.params[i]);
  }
  CallResult r = store->store->call(f, in);
  if (!r.ok()) return trap_of(store, r);
  store->pending_host_trap.reset();
  // A results vector shorter than the arity receives the first results only.
  const size_t n = std::min(nresults, r.results.size());
  for (size_t i = 0; i < n; ++i) results->data[i] = from_value(store, r.results[i]);
  return nullptr;
}

}  // extern "C"
