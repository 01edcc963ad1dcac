// Config, engine, store and module of the wasm-c-api, and wvm.h's settings.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capi/internal.h"
#include "engine/build_id.h"

namespace wvm::capi {
namespace {

thread_local std::string last_error;

// The tier policy WVM_TIER names; false (and a message on stderr) for an unknown value.
bool tier_from_env(TierPolicy* policy) {
  const char* env = std::getenv("WVM_TIER");
  if (!env || !*env || std::strcmp(env, "auto") == 0) {
    *policy = TierPolicy::Auto;
  } else if (std::strcmp(env, "interp") == 0) {
    *policy = TierPolicy::Interp;
  } else if (std::strcmp(env, "jit") == 0) {
    *policy = TierPolicy::Jit;
  } else {
    std::fprintf(stderr, "wvm: WVM_TIER=%s is not a tier policy (interp, jit or auto)\n", env);
    return false;
  }
  return true;
}

ModuleData* module_data(const wasm_module_t* m) {
  return static_cast<ModuleData*>(handle(m)->shared.get());
}

wasm_module_t* new_module(wasm_store_t* store, std::shared_ptr<const Module> module) {
  auto data = std::make_shared<ModuleData>();
  data->module = std::move(module);
  data->engine = store->engine;
  Handle* h = new Handle{HandleKind::Module, store, nullptr, std::move(data)};
  return as<wasm_module_t>(h);
}

wasm_externtype_t* import_type(const Module& m, const Import& im) {
  switch (im.kind) {
    case ExternKind::Func: return new_functype(m.types[im.func_type]);
    case ExternKind::Global: return new_globaltype(im.global);
    case ExternKind::Table: return new_tabletype(im.table);
    case ExternKind::Memory: return new_memorytype(im.memory);
  }
  return nullptr;
}

wasm_externtype_t* export_type(const Module& m, const Export& ex) {
  switch (ex.kind) {
    case ExternKind::Func: return new_functype(m.func_type(ex.index));
    case ExternKind::Global: return new_globaltype(m.globals[ex.index]);
    case ExternKind::Table: return new_tabletype(m.tables[ex.index]);
    case ExternKind::Memory: return new_memorytype(m.memories[ex.index]);
  }
  return nullptr;
}

void name_of(wasm_name_t* out, const std::string& s) { wasm_byte_vec_new(out, s.size(), s.data()); }

}  // namespace

void set_last_error(std::string text) { last_error = std::move(text); }

}  // namespace wvm::capi

using namespace wvm;
using namespace wvm::capi;

wasm_store_t::~wasm_store_t() {
  // Host info finalizers and host-function environments first: they release
  // the program's data, which the objects (still alive here) may point to.
  for (auto& record : records) {
    record->host_info.finalize();
    delete record->canonical;
  }
  for (auto& env : host_funcs)
    if (env->finalizer) env->finalizer(env->env);
  pending_host_trap.reset();
  store.reset();
}

extern "C" {

wasm_config_t* wasm_config_new(void) { return new wasm_config_t; }
void wasm_config_delete(wasm_config_t* config) { delete config; }

wasm_engine_t* wasm_engine_new(void) { return wasm_engine_new_with_config(wasm_config_new()); }

wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* config) {
  std::unique_ptr<wasm_config_t> owned(config);
  if (!config) return nullptr;
  if (!config->tier_set && !tier_from_env(&config->config.tiers.policy)) return nullptr;
  auto* out = new wasm_engine_t;
  out->engine = std::make_unique<Engine>(config->config);
  return out;
}
void wasm_engine_delete(wasm_engine_t* engine) { delete engine; }

wasm_store_t* wasm_store_new(wasm_engine_t* engine) {
  if (!engine) return nullptr;
  auto* out = new wasm_store_t;
  out->engine = engine;
  out->store = std::make_unique<Store>(*engine->engine);
  return out;
}
void wasm_store_delete(wasm_store_t* store) { delete store; }

wasm_module_t* wasm_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  set_last_error("");
  auto module = compile(*store->engine->engine, reinterpret_cast<const uint8_t*>(binary->data),
                        binary->size);
  if (!module) {
    set_last_error(module.error().to_string());
    return nullptr;
  }
  return new_module(store, std::move(module.value()));
}

bool wasm_module_validate(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  return validate(*store->engine->engine, reinterpret_cast<const uint8_t*>(binary->data),
                  binary->size)
      .ok();
}

void wasm_module_imports(const wasm_module_t* module, wasm_importtype_vec_t* out) {
  const Module& m = *module_data(module)->module;
  wasm_importtype_vec_new_uninitialized(out, m.imports.size());
  for (size_t i = 0; i < m.imports.size(); ++i) {
    const Import& im = m.imports[i];
    wasm_name_t module_name, name;
    name_of(&module_name, im.module);
    name_of(&name, im.name);
    out->data[i] = wasm_importtype_new(&module_name, &name, import_type(m, im));
  }
}

void wasm_module_exports(const wasm_module_t* module, wasm_exporttype_vec_t* out) {
  const Module& m = *module_data(module)->module;
  wasm_exporttype_vec_new_uninitialized(out, m.exports.size());
  for (size_t i = 0; i < m.exports.size(); ++i) {
    wasm_name_t name;
    name_of(&name, m.exports[i].name);
    out->data[i] = wasm_exporttype_new(&name, export_type(m, m.exports[i]));
  }
}

void wasm_module_serialize(const wasm_module_t* module, wasm_byte_vec_t* out) {
  ModuleData* data = module_data(module);
  auto bytes = serialize_module(*data->engine->engine, *data->module);
  if (!bytes) {
    set_last_error(bytes.error().to_string());
    wasm_byte_vec_new_empty(out);
    return;
  }
  wasm_byte_vec_new(out, bytes->size(), reinterpret_cast<const char*>(bytes->data()));
}

wasm_module_t* wasm_module_deserialize(wasm_store_t* store, const wasm_byte_vec_t* bytes) {
  set_last_error("");
  auto module = deserialize_module(*store->engine->engine,
                                   reinterpret_cast<const uint8_t*>(bytes->data), bytes->size);
  if (!module) {
    set_last_error(module.error().to_string());
    return nullptr;
  }
  return new_module(store, std::move(module.value()));
}

// A shared module is the compiled module itself: immutable and thread-safe.
struct wasm_shared_module_t {
  std::shared_ptr<const Module> module;
  wasm_engine_t* engine;
};

wasm_shared_module_t* wasm_module_share(const wasm_module_t* module) {
  ModuleData* data = module_data(module);
  return new wasm_shared_module_t{data->module, data->engine};
}

wasm_module_t* wasm_module_obtain(wasm_store_t* store, const wasm_shared_module_t* shared) {
  // Code and types belong to the engine that compiled the module.
  if (!shared || shared->engine != store->engine) return nullptr;
  return new_module(store, shared->module);
}

void wasm_shared_module_delete(wasm_shared_module_t* shared) { delete shared; }

// ---- wvm.h ----

void wvm_config_set_tier_policy(wasm_config_t* config, wvm_tier_policy_t policy) {
  switch (policy) {
    case WVM_TIER_INTERP: config->config.tiers.policy = TierPolicy::Interp; break;
    case WVM_TIER_JIT: config->config.tiers.policy = TierPolicy::Jit; break;
    default: config->config.tiers.policy = TierPolicy::Auto; break;
  }
  config->tier_set = true;
}

void wvm_config_set_tier_up_threshold(wasm_config_t* config, uint32_t calls) {
  config->config.tiers.tier_up_threshold = calls;
}

void wvm_config_set_background_compile(wasm_config_t* config, bool on) {
  config->config.tiers.background_compile = on;
}

void wvm_config_set_bounds(wasm_config_t* config, wvm_bounds_t bounds) {
  config->config.memory.bounds =
      bounds == WVM_BOUNDS_EXPLICIT ? BoundsStrategy::ExplicitChecks : BoundsStrategy::GuardPages;
}

bool wvm_config_set_gas_profile(wasm_config_t* config, const char* profile_name) {
  if (!profile_name) return false;
  auto profile = GasProfile::named(profile_name);
  if (!profile) return false;
  config->config.metering.enabled = true;
  config->config.metering.profile = *profile;
  return true;
}

void wvm_config_set_max_call_depth(wasm_config_t* config, uint32_t frames) {
  config->config.runtime_limits.max_call_depth = frames;
}

void wvm_store_set_gas_limit(wasm_store_t* store, uint64_t gas) { store->store->set_gas_limit(gas); }

uint64_t wvm_store_gas_left(const wasm_store_t* store) { return store->store->gas_left(); }

uint64_t wvm_store_gas_used(const wasm_store_t* store) {
  GasReport r = store->store->gas_report();
  return r.limit - r.remaining;
}

uint64_t wvm_engine_functions_compiled(const wasm_engine_t* engine) {
  return engine->engine->tier_stats().compiled;
}

const char* wvm_version(void) {
  // The build id stands for the commit: a serialized module names it too.
  static const std::string version = [] {
    std::string id = engine_build_id();
    return std::string("0.1.0 (build ") + id.substr(0, 12) + ")";
  }();
  return version.c_str();
}

const char* wvm_last_error(void) { return last_error.c_str(); }

}  // extern "C"
