// Host functions and calls of the wasm-c-api.
#include <algorithm>

#include "capi/internal.h"

namespace wvm::capi {
namespace {

// Runs a C callback for wasm: its arguments are handed over as wasm_val_t
// (references as new handles, released after the call), its results taken
// back; a trap it returns is raised with its message (HostCall::trap).
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
    const TrapData& data = *static_cast<TrapData*>(handle(trap)->shared.get());
    // A trap passed on from a nested wasm_func_call keeps its kind (out of
    // gas stays out of gas); only the host's own traps are host errors.
    if (data.kind != TrapKind::HostError) {
      result = data.kind;
    } else {
      std::string message = data.message;
      if (!message.empty() && message.back() == '\0') message.pop_back();
      result = call.trap(std::move(message));
    }
    wasm_trap_delete(trap);
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

}  // namespace
}  // namespace wvm::capi

using namespace wvm;
using namespace wvm::capi;

extern "C" {

wasm_func_t* wasm_func_new(wasm_store_t* store, const wasm_functype_t* type,
                           wasm_func_callback_t callback) noexcept {
  return new_host_func(store, type, callback, nullptr, nullptr, nullptr);
}

wasm_func_t* wasm_func_new_with_env(wasm_store_t* store, const wasm_functype_t* type,
                                    wasm_func_callback_with_env_t callback, void* env,
                                    void (*finalizer)(void*)) noexcept {
  return new_host_func(store, type, nullptr, callback, env, finalizer);
}

wasm_functype_t* wasm_func_type(const wasm_func_t* func) noexcept { return new_functype(*func_of(func)->type); }

size_t wasm_func_param_arity(const wasm_func_t* func) noexcept { return func_of(func)->type->params.size(); }

size_t wasm_func_result_arity(const wasm_func_t* func) noexcept {
  return func_of(func)->type->results.size();
}

wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args,
                            wasm_val_vec_t* results) noexcept {
  Handle* h = handle(func);
  wasm_store_t* store = h->store;
  Func* f = func_of(func);
  const size_t nargs = args ? args->size : 0;
  const size_t nresults = results ? results->size : 0;
  // Only an argument that fits its parameter is converted (a reference
  // resolved); Store::call refuses any other, saying which argument and why.
  const FuncType& type = *f->type;
  std::vector<Value> in(nargs);
  for (size_t i = 0; i < nargs; ++i) {
    const ValType t = to_val_type(args->data[i].kind);
    const bool fits = i < type.params.size() && t == type.params[i];
    in[i] = fits ? to_value(store, args->data[i], t) : Value{t, 0};
  }
  CallResult r = store->store->call(f, in);
  if (!r.ok()) return new_trap(store, r.trap, r.message, frames_of(store, r.trace));
  // A results vector shorter than the arity receives the first results only.
  const size_t n = std::min(nresults, r.results.size());
  for (size_t i = 0; i < n; ++i) results->data[i] = from_value(store, r.results[i]);
  return nullptr;
}

}  // extern "C"
