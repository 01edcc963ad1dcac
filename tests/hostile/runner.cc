// Running one hostile case in one tier on a thread of a chosen stack size.
#include <pthread.h>

#include <cstdio>
#include <memory>

#include "tests/hostile/cases.h"
#include "tests/unit/tier_config.h"

namespace wvm::hostile {

const std::vector<std::string>& tiers() {
  static const std::vector<std::string> kTiers{"interp", "interp-explicit-bounds", "jit",
                                               "jit-explicit-bounds", "auto"};
  return kTiers;
}

Config config_for(const Case& c, const std::string& tier) {
  Config config;
  test::apply_tier(config, tier);
  if (c.gas_limit != 0) {
    config.metering.enabled = true;
    config.metering.profile = GasProfile::uniform();
  }
  if (c.configure) c.configure(config);
  return config;
}

namespace {

// "env" "reenter": calls the caller's export "rec" with the argument.
TrapKind reenter(HostCall& call, const Value* args, Value* results) {
  if (call.caller == nullptr) return TrapKind::HostError;
  Func* rec = call.caller->find_export("rec").as_func();
  if (rec == nullptr) return TrapKind::HostError;
  CallResult r = call.store->call(rec, {args[0]});
  if (!r.ok()) return r.trap;
  results[0] = r.results[0];
  return TrapKind::None;
}

Observed run_here(const Case& c, const std::string& tier) {
  Observed o;
  Engine engine(config_for(c, tier));
  const Bytes bytes = c.build();
  Result<std::shared_ptr<const Module>> module = compile(engine, bytes.data(), bytes.size());
  if (!module) {
    o.outcome = Outcome::compile_error(module.error().kind);
    o.message = module.error().to_string();
    return o;
  }
  Store store(engine);
  if (c.gas_limit != 0) store.set_gas_limit(c.gas_limit);
  std::vector<Extern> imports;
  if (c.host_reentry)
    imports.push_back(
        Extern::func(store.create_host_func(FuncType{{ValType::I32}, {ValType::I32}}, reenter,
                                            nullptr)));
  Result<Instance*> instance = store.instantiate(module.value(), imports);
  if (!instance) {
    o.outcome = Outcome::instantiate_error(instance.error().kind);
    o.message = instance.error().to_string();
    return o;
  }
  Func* f = instance.value()->find_export(c.export_name).as_func();
  if (f == nullptr) {
    o.outcome = Outcome::trapped(TrapKind::HostError);
    o.message = "no export " + c.export_name;
    return o;
  }
  CallResult r = store.call(f, c.args);
  o.outcome = Outcome::trapped(r.trap);
  o.message = trap_message(r.trap);
  for (const Value& v : r.results)
    o.outcome.results.push_back(v.type == ValType::I32 || v.type == ValType::F32 ? v.bits & 0xffffffffu
                                                                                 : v.bits);
  if (c.gas_limit != 0) o.outcome.gas_used = c.gas_limit - store.gas_left();
  return o;
}

struct ThreadJob {
  const Case* c;
  const std::string* tier;
  Observed observed;
};

}  // namespace

Observed run(const Case& c, const std::string& tier, size_t thread_stack_bytes) {
  ThreadJob job{&c, &tier, {}};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, thread_stack_bytes);
  pthread_t thread;
  auto body = [](void* p) -> void* {
    auto* j = static_cast<ThreadJob*>(p);
    j->observed = run_here(*j->c, *j->tier);
    return nullptr;
  };
  const int err = pthread_create(&thread, &attr, body, &job);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    job.observed.outcome = Outcome::trapped(TrapKind::HostError);
    job.observed.message = "cannot create a thread";
    return job.observed;
  }
  pthread_join(thread, nullptr);
  return job.observed;
}

bool same_outcome(const Outcome& want, const Outcome& got) {
  if (want.stage != got.stage) return false;
  if (want.stage != Outcome::Stage::Call) return want.error == got.error;
  if (want.trap != got.trap) return false;
  if (want.trap == TrapKind::None && want.results != got.results) return false;
  return want.gas_used == 0 || want.gas_used == got.gas_used;
}

std::string describe(const Outcome& o) {
  switch (o.stage) {
    case Outcome::Stage::Compile: return std::string("compile error: ") + error_kind_name(o.error);
    case Outcome::Stage::Instantiate:
      return std::string("instantiation error: ") + error_kind_name(o.error);
    case Outcome::Stage::Call: break;
  }
  std::string s;
  if (o.trap != TrapKind::None) {
    s = std::string("trap: ") + trap_message(o.trap);
  } else {
    s = "returned";
    for (uint64_t r : o.results) s += " " + std::to_string(r);
  }
  if (o.gas_used != 0) s += ", gas used " + std::to_string(o.gas_used);
  return s;
}

}  // namespace wvm::hostile
