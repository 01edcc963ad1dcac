// The contract runtime. Rules from cosmwasm-vm 3.0 (CosmWasm/cosmwasm,
// packages/vm/src): calls.rs (entry points, argument order, read and
// deserialization limits, read-only queries, migrate with info and its
// fallback), instance.rs (instantiation, allocate/deallocate, memory export,
// create_gas_report), environment.rs (call_function: arity, call depth,
// result count).
#include "hosts/cosmwasm/vm.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace wvm::cosmwasm {

namespace {

using OrderedJson = nlohmann::ordered_json;

uint64_t saturating_sub(uint64_t a, uint64_t b) noexcept {
  return a > b ? a - b : 0;
}

struct EntryPointInfo {
  const char* name;
  const char* result_type;  ///< what the result JSON is parsed into (for messages)
};

EntryPointInfo entry_point_info(EntryPoint ep) noexcept {
  constexpr const char* kResponse =
      "cosmwasm_std::results::contract_result::ContractResult<cosmwasm_std::results::response::"
      "Response>";
  constexpr const char* kBasic =
      "cosmwasm_std::results::contract_result::ContractResult<cosmwasm_std::ibc::"
      "IbcBasicResponse>";
  constexpr const char* kReceive =
      "cosmwasm_std::results::contract_result::ContractResult<cosmwasm_std::ibc::"
      "IbcReceiveResponse>";
  switch (ep) {
    case EntryPoint::Instantiate:
      return {"instantiate", kResponse};
    case EntryPoint::Execute:
      return {"execute", kResponse};
    case EntryPoint::Migrate:
      return {"migrate", kResponse};
    case EntryPoint::Sudo:
      return {"sudo", kResponse};
    case EntryPoint::Reply:
      return {"reply", kResponse};
    case EntryPoint::Query:
      return {"query",
              "cosmwasm_std::results::contract_result::ContractResult<cosmwasm_std::binary::"
              "Binary>"};
    case EntryPoint::IbcChannelOpen:
      return {"ibc_channel_open",
              "cosmwasm_std::results::contract_result::ContractResult<core::option::Option<"
              "cosmwasm_std::ibc::Ibc3ChannelOpenResponse>>"};
    case EntryPoint::IbcChannelConnect:
      return {"ibc_channel_connect", kBasic};
    case EntryPoint::IbcChannelClose:
      return {"ibc_channel_close", kBasic};
    case EntryPoint::IbcPacketReceive:
      return {"ibc_packet_receive", kReceive};
    case EntryPoint::IbcPacketAck:
      return {"ibc_packet_ack", kBasic};
    case EntryPoint::IbcPacketTimeout:
      return {"ibc_packet_timeout", kBasic};
    case EntryPoint::IbcSourceCallback:
      return {"ibc_source_callback", kBasic};
    case EntryPoint::IbcDestinationCallback:
      return {"ibc_destination_callback", kBasic};
    case EntryPoint::Ibc2PacketReceive:
      return {"ibc2_packet_receive", kReceive};
    case EntryPoint::Ibc2PacketAck:
      return {"ibc2_packet_ack", kBasic};
    case EntryPoint::Ibc2PacketTimeout:
      return {"ibc2_packet_timeout", kBasic};
    case EntryPoint::Ibc2PacketSend:
      return {"ibc2_packet_send", kBasic};
  }
  return {"", ""};
}

}  // namespace

const char* entry_point_name(EntryPoint ep) noexcept {
  return entry_point_info(ep).name;
}

std::string CallResult::error_message() const {
  switch (status) {
    case Status::Ok:
      return {};
    case Status::ContractError:
      return contract_error;
    case Status::VmError:
      return vm_error.to_string();
  }
  return {};
}

// ---------------------------------------------------------------------------
// Runtime and Contract

std::shared_ptr<const Contract> Contract::of(std::shared_ptr<const Module> module) {
  auto contract = std::shared_ptr<Contract>(new Contract());
  contract->module_ = std::move(module);
  return contract;
}

bool Contract::exports_function(std::string_view name) const {
  const Export* e = module_->find_export(std::string(name));
  return e != nullptr && e->kind == ExternKind::Func;
}

Config Runtime::engine_config(const RuntimeOptions& options) {
  Config config;
  config.tiers.policy = options.tier;
  config.tiers.tier_up_threshold = options.tier_up_threshold;
  config.memory.bounds = options.bounds;
  config.metering.enabled = true;
  config.metering.profile = gas_profile(options.version);
  // The engine's page limit is the instance memory limit: it rejects larger
  // initial memories and makes memory.grow fail past it (LimitingTunables).
  config.module_limits.max_memory_pages = options.memory_limit_pages;
  return config;
}

Runtime::Runtime(RuntimeOptions options)
    : options_(std::move(options)), engine_(engine_config(options_)) {}

VmResult<std::shared_ptr<const Contract>> Runtime::compile(ByteView wasm) {
  Result<std::shared_ptr<const Module>> module = wvm::compile(engine_, wasm.data(), wasm.size());
  if (!module.ok())
    return VmError::make(VmErrorKind::CompileErr,
                         "Could not compile: " + module.error().to_string());
  return Contract::of(std::move(module.value()));
}

VmResult<Bytes> Runtime::serialize(const Contract& contract) {
  Result<std::vector<uint8_t>> bytes = wvm::serialize_module(engine_, *contract.module_);
  if (!bytes.ok())
    return VmError::make(VmErrorKind::CacheErr,
                         "Could not serialize module: " + bytes.error().to_string());
  return std::move(bytes.value());
}

VmResult<std::shared_ptr<const Contract>> Runtime::deserialize(ByteView artifact) {
  Result<std::shared_ptr<const Module>> module =
      wvm::deserialize_module(engine_, artifact.data(), artifact.size());
  if (!module.ok())
    return VmError::make(VmErrorKind::CacheErr,
                         "Error deserializing module: " + module.error().to_string());
  return Contract::of(std::move(module.value()));
}

// ---------------------------------------------------------------------------
// ContractInstance

VmResult<std::unique_ptr<ContractInstance>> ContractInstance::create(
    Runtime& runtime,
    std::shared_ptr<const Contract> contract,
    Backend backend,
    InstanceOptions options) {
  std::unique_ptr<ContractInstance> self(new ContractInstance());
  self->contract_ = std::move(contract);
  self->store_ = std::make_unique<Store>(runtime.engine());
  self->env_ = std::make_unique<Environment>();
  Environment& env = *self->env_;
  env.backend = backend;
  env.gas_config = runtime.options().gas_config;
  env.debug_handler = std::move(options.debug_handler);
  if (!env.debug_handler && options.print_debug) {
    env.debug_handler = [](std::string_view msg, const DebugInfo&) {
      std::fprintf(stderr, "%.*s\n", static_cast<int>(msg.size()), msg.data());
    };
  }
  env.store = self->store_.get();

  const std::shared_ptr<const Module>& module = self->contract_->module();
  VmResult<std::vector<Extern>> imports =
      link_env_imports(*self->store_, *module, &env, runtime.options().iterators);
  if (!imports.ok())
    return std::move(*imports.error);
  Result<Instance*> inst = self->store_->instantiate(module, imports.value);
  if (!inst.ok())
    return VmError::make(VmErrorKind::InstantiationErr, inst.error().to_string());
  env.instance = inst.value();
  // Every contract exports exactly one memory, named "memory".
  env.memory = env.instance->find_export("memory").as_memory();
  if (env.memory == nullptr)
    return VmError::make(VmErrorKind::ResolveErr, "Could not get export: Missing export memory");
  return self;
}

ContractInstance::~ContractInstance() = default;

void ContractInstance::set_gas_limit(uint64_t limit) {
  gas_limit_ = limit;
  store_->set_gas_limit(limit);
  env_->externally_used_gas = 0;
  env_->pending_error.reset();
  env_->call_depth = 0;
}

GasReport ContractInstance::gas_report() const {
  GasReport r;
  r.limit = gas_limit_;
  r.remaining = store_->gas_left();
  r.used_externally = env_->externally_used_gas;
  // Zero if the backend reported more external gas than the limit.
  r.used_internally = saturating_sub(saturating_sub(gas_limit_, r.used_externally), r.remaining);
  return r;
}

uint32_t ContractInstance::memory_pages() const noexcept {
  return env_->memory->pages();
}

VmResult<Bytes> ContractInstance::call_raw(std::string_view name,
                                           const std::vector<ByteView>& args,
                                           size_t read_limit) {
  Environment& env = *env_;
  // Arguments go into regions the contract allocates (and frees itself).
  std::vector<Value> ptrs;
  ptrs.reserve(args.size());
  for (ByteView arg : args) {
    VmResult<uint32_t> ptr = env.allocate(arg.size());
    if (!ptr.ok())
      return std::move(*ptr.error);
    VmResult<Unit> written = env.write_region(ptr.value, arg);
    if (!written.ok())
      return std::move(*written.error);
    ptrs.push_back(Value::i32(ptr.value));
  }
  VmResult<std::vector<Value>> results = env.call_function(name, ptrs);
  if (!results.ok())
    return std::move(*results.error);
  if (results.value.size() != 1)
    return VmError::make(VmErrorKind::ResultMismatch,
                         "Unexpected number of result values when calling '" + std::string(name) +
                             "'. Expected: 1, actual: " + std::to_string(results.value.size()) +
                             ".");
  if (results.value[0].type != ValType::I32)
    return VmError::make(VmErrorKind::ConversionErr,
                         std::string("Couldn't convert from wasmer::Value to u32. Input: ") +
                             val_type_name(results.value[0].type));
  const uint32_t result_ptr = results.value[0].as_i32();
  VmResult<Bytes> data = env.read_region(result_ptr, read_limit);
  if (!data.ok())
    return data;
  // The result region is the host's to free; the arguments were freed by the contract.
  VmResult<Unit> freed = env.deallocate(result_ptr);
  if (!freed.ok())
    return std::move(*freed.error);
  return data;
}

CallResult ContractInstance::finish(VmResult<Bytes> raw, EntryPoint ep) {
  CallResult out;
  out.gas = gas_report();
  auto vm_error = [&](VmError e) {
    out.status = CallResult::Status::VmError;
    out.vm_error = std::move(e);
    return out;
  };
  if (!raw.ok())
    return vm_error(std::move(*raw.error));
  const Bytes& data = raw.value;
  if (data.size() > limits::kResultDeserializationLimit)
    return vm_error(VmError::make(
        VmErrorKind::DeserializationLimitExceeded,
        "Data too long for deserialization. Got: " + std::to_string(data.size()) +
            " bytes; limit: " + std::to_string(limits::kResultDeserializationLimit) + " bytes"));
  const EntryPointInfo info = entry_point_info(ep);
  auto parse_error = [&](const std::string& msg) {
    return vm_error(
        VmError::make(VmErrorKind::ParseErr, std::string(info.result_type) + ": " + msg));
  };
  // serde_json's recursion limit; also keeps the parser and printer below shallow.
  if (json_nesting_depth(data) > kMaxJsonDepth) return parse_error("recursion limit exceeded");
  OrderedJson result;
  size_t top_level_keys = 0;  // duplicates included, which a map would merge
  try {
    result = OrderedJson::parse(data.begin(), data.end(),
                                [&](int depth, OrderedJson::parse_event_t event, OrderedJson&) {
                                  if (depth == 1 && event == OrderedJson::parse_event_t::key)
                                    ++top_level_keys;
                                  return true;
                                });
  } catch (const nlohmann::json::exception& e) {
    return parse_error(e.what());
  }
  if (!result.is_object() || result.size() != 1 || top_level_keys != 1)
    return parse_error("expected an object with one key, \"ok\" or \"error\"");
  if (result.contains("error")) {
    if (!result["error"].is_string())
      return parse_error("\"error\" must be a string");
    out.status = CallResult::Status::ContractError;
    out.contract_error = result["error"].get<std::string>();
    return out;
  }
  if (!result.contains("ok"))
    return parse_error("unknown variant, expected `ok` or `error`");
  const OrderedJson& ok = result["ok"];
  if (ep == EntryPoint::Query) {
    // The query response is a Binary (base64) that must hold JSON.
    if (!ok.is_string())
      return parse_error("query response must be a base64 string");
    std::optional<Bytes> decoded = base64_decode(ok.get<std::string>());
    if (!decoded)
      return parse_error("invalid base64 in query response");
    if (!nlohmann::json::accept(decoded->begin(), decoded->end()))
      return vm_error(VmError::generic("Query response must be valid JSON."));
    out.data = std::move(*decoded);
    return out;
  }
  if (ep == EntryPoint::IbcChannelOpen ? !(ok.is_null() || ok.is_object()) : !ok.is_object())
    return parse_error("unexpected type of the \"ok\" value");
  // The contract's own bytes of the value when the result has the compact
  // form cosmwasm-std writes ({"ok":...}); otherwise its re-serialization.
  constexpr std::string_view kOkPrefix = "{\"ok\":";
  if (data.size() > kOkPrefix.size() + 1 &&
      std::equal(kOkPrefix.begin(), kOkPrefix.end(), data.begin()) && data.back() == '}') {
    out.data.assign(data.begin() + kOkPrefix.size(), data.end() - 1);
  } else {
    const std::string text = ok.dump();
    out.data.assign(text.begin(), text.end());
  }
  return out;
}

CallResult ContractInstance::instantiate(std::string_view env,
                                         std::string_view info,
                                         std::string_view msg,
                                         uint64_t gas_limit) {
  set_gas_limit(gas_limit);
  set_storage_readonly(false);
  return finish(call_raw("instantiate", {as_bytes(env), as_bytes(info), as_bytes(msg)}),
                EntryPoint::Instantiate);
}

CallResult ContractInstance::execute(std::string_view env,
                                     std::string_view info,
                                     std::string_view msg,
                                     uint64_t gas_limit) {
  set_gas_limit(gas_limit);
  set_storage_readonly(false);
  return finish(call_raw("execute", {as_bytes(env), as_bytes(info), as_bytes(msg)}),
                EntryPoint::Execute);
}

CallResult ContractInstance::migrate(std::string_view env,
                                     std::string_view msg,
                                     uint64_t gas_limit) {
  return call(EntryPoint::Migrate, env, msg, gas_limit);
}

CallResult ContractInstance::migrate_with_info(std::string_view env,
                                               std::string_view msg,
                                               std::string_view migrate_info,
                                               uint64_t gas_limit) {
  set_gas_limit(gas_limit);
  set_storage_readonly(false);
  VmResult<Bytes> raw = call_raw("migrate", {as_bytes(env), as_bytes(msg), as_bytes(migrate_info)});
  // An older contract's migrate(env, msg): call it again without the info
  // (the regions allocated for the first attempt stay allocated, as in cosmwasm-vm).
  if (!raw.ok() && raw.error->kind == VmErrorKind::FunctionArityMismatch)
    raw = call_raw("migrate", {as_bytes(env), as_bytes(msg)});
  return finish(std::move(raw), EntryPoint::Migrate);
}

CallResult ContractInstance::sudo(std::string_view env, std::string_view msg, uint64_t gas_limit) {
  return call(EntryPoint::Sudo, env, msg, gas_limit);
}

CallResult ContractInstance::reply(std::string_view env,
                                   std::string_view reply,
                                   uint64_t gas_limit) {
  return call(EntryPoint::Reply, env, reply, gas_limit);
}

CallResult ContractInstance::query(std::string_view env, std::string_view msg, uint64_t gas_limit) {
  return call(EntryPoint::Query, env, msg, gas_limit);
}

CallResult ContractInstance::call(EntryPoint ep,
                                  std::string_view env,
                                  std::string_view msg,
                                  uint64_t gas_limit) {
  if (ep == EntryPoint::Instantiate || ep == EntryPoint::Execute) {
    CallResult r;
    r.status = CallResult::Status::VmError;
    r.vm_error = VmError::generic(std::string(entry_point_name(ep)) + " takes (env, info, msg)");
    return r;
  }
  set_gas_limit(gas_limit);
  set_storage_readonly(ep == EntryPoint::Query);
  return finish(call_raw(entry_point_name(ep), {as_bytes(env), as_bytes(msg)}), ep);
}

}  // namespace wvm::cosmwasm
