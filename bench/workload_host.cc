#include "workload_host.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>

extern "C" {
#include "host_keccak.h"
#include "host_kv.h"
}

namespace wvm::bench {

namespace {

extern "C" {
#define WL(name, iterations) uint64_t wl_##name##_run(uint32_t);
#include "workloads.inc"
#undef WL
}

// The guest range [ptr, ptr + len) of the caller's memory, or nullptr if it
// is not all inside (a host error, as host_kv.h specifies).
uint8_t* guest_range(HostCall& call, uint64_t ptr, uint64_t len) {
  Memory* m = call.memory();
  if (m == nullptr || ptr > m->size_bytes() || len > m->size_bytes() - ptr) return nullptr;
  return m->data() + ptr;
}

// kv_get(key, key_len, value, value_cap) -> i32
TrapKind host_kv_get(HostCall& call, const Value* args, Value* results) {
  const uint32_t key_len = args[1].as_i32(), cap = args[3].as_i32();
  if (key_len > kKvMaxKeyLen) return TrapKind::HostError;
  const uint8_t* key = guest_range(call, args[0].as_i32(), key_len);
  uint8_t* value = guest_range(call, args[2].as_i32(), cap);
  if (key == nullptr || value == nullptr) return TrapKind::HostError;
  results[0] = Value::i32(static_cast<uint32_t>(kv_get(key, key_len, value, cap)));
  return TrapKind::None;
}

// kv_set(key, key_len, value, value_len)
TrapKind host_kv_set(HostCall& call, const Value* args, Value*) {
  const uint32_t key_len = args[1].as_i32(), len = args[3].as_i32();
  if (key_len > kKvMaxKeyLen || len > kKvMaxValueLen) return TrapKind::HostError;
  const uint8_t* key = guest_range(call, args[0].as_i32(), key_len);
  const uint8_t* value = guest_range(call, args[2].as_i32(), len);
  if (key == nullptr || value == nullptr) return TrapKind::HostError;
  // host_kv.c aborts on a full store; a guest must not be able to do that.
  if (!kv_has(key, key_len) && kv_count() >= kKvCapacity)
    return TrapKind::HostError;
  kv_set(key, key_len, value, len);
  return TrapKind::None;
}

// keccak256(data, len, out)
TrapKind host_keccak256(HostCall& call, const Value* args, Value*) {
  const uint32_t len = args[1].as_i32();
  const uint8_t* data = guest_range(call, args[0].as_i32(), len);
  uint8_t* out = guest_range(call, args[2].as_i32(), 32);
  if (data == nullptr || out == nullptr) return TrapKind::HostError;
  uint8_t digest[32];  // the output may overlap the input
  keccak256_host(data, len, digest);
  std::copy(digest, digest + 32, out);
  return TrapKind::None;
}

}  // namespace

const std::vector<Workload>& workloads() {
  static const std::vector<Workload> all = {
#define WL(name, iterations) {#name, iterations, wl_##name##_run},
#include "workloads.inc"
#undef WL
  };
  return all;
}

const Workload* find_workload(std::string_view name) {
  for (const Workload& w : workloads())
    if (name == w.name) return &w;
  return nullptr;
}

std::string wasm_path(const Workload& w) {
  return std::string(WVM_WORKLOADS_DIR) + "/" + w.name + ".wasm";
}

double median(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  return n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
}

int time_calls(const char* tool, uint32_t repeats, const std::function<bool(uint64_t*)>& call) {
  std::vector<double> ms;
  uint64_t checksum = 0;
  for (uint32_t r = 0; r < repeats; ++r) {
    uint64_t sum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = call(&sum);
    const auto t1 = std::chrono::steady_clock::now();
    if (!ok) return 5;
    if (r > 0 && sum != checksum) {
      std::fprintf(stderr, "%s: the checksum changed between calls\n", tool);
      return 5;
    }
    checksum = sum;
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::printf("checksum=%" PRIu64 " ms=%.3f\n", checksum, median(ms));
  return 0;
}

Config engine_config(const RunConfig& rc) {
  Config config;
  config.tiers.policy = rc.tier;
  config.metering.enabled = rc.metered;
  config.metering.profile = GasProfile::cosmwasm();
  return config;
}

Result<std::vector<Extern>> workload_imports(Store& store, const Module& module) {
  const FuncType get_type{{ValType::I32, ValType::I32, ValType::I32, ValType::I32}, {ValType::I32}};
  const FuncType set_type{{ValType::I32, ValType::I32, ValType::I32, ValType::I32}, {}};
  const FuncType keccak_type{{ValType::I32, ValType::I32, ValType::I32}, {}};
  std::vector<Extern> imports;
  for (const Import& im : module.imports) {
    const bool is_func = im.kind == ExternKind::Func && im.module == "env";
    if (is_func && im.name == "kv_get" && module.types[im.func_type] == get_type) {
      imports.push_back(Extern::func(store.create_host_func(get_type, &host_kv_get, nullptr)));
    } else if (is_func && im.name == "kv_set" && module.types[im.func_type] == set_type) {
      imports.push_back(Extern::func(store.create_host_func(set_type, &host_kv_set, nullptr)));
    } else if (is_func && im.name == "keccak256" && module.types[im.func_type] == keccak_type) {
      imports.push_back(
          Extern::func(store.create_host_func(keccak_type, &host_keccak256, nullptr)));
    } else {
      return Error{ErrorKind::Unlinkable, 0,
                   "workload import " + im.module + "." + im.name +
                       " is not provided (only env.kv_get, env.kv_set and env.keccak256, of "
                       "host_kv.h's and host_keccak.h's types)",
                   TrapKind::None};
    }
  }
  return imports;
}

Result<std::unique_ptr<LoadedWorkload>> LoadedWorkload::load(Engine& engine,
                                                             const std::vector<uint8_t>& wasm) {
  auto module = compile(engine, wasm.data(), wasm.size());
  if (!module) return module.error();
  auto w = std::make_unique<LoadedWorkload>();
  w->module_ = module.value();
  w->store_ = std::make_unique<Store>(engine);
  auto imports = workload_imports(*w->store_, *w->module_);
  if (!imports) return imports.error();
  auto inst = w->store_->instantiate(w->module_, imports.value());
  if (!inst) return inst.error();
  w->run_ = inst.value()->find_export("run").as_func();
  if (w->run_ == nullptr)
    return Error{ErrorKind::Unlinkable, 0, "the workload exports no function run",
                 TrapKind::None};
  return w;
}

bool LoadedWorkload::run(uint32_t iterations, uint64_t* checksum, TrapKind* trap) {
  store_->set_gas_limit(UINT64_MAX);
  CallResult r = store_->call(run_, {Value::i32(iterations)});
  last_gas_ = UINT64_MAX - store_->gas_left();
  *trap = r.trap;
  if (!r.ok() || r.results.size() != 1) return false;
  *checksum = r.results[0].as_i64();
  return true;
}

}  // namespace wvm::bench
