// The CosmWasm contract runtime: compiles contracts with cosmwasm-vm 3.0's
// gas metering, instantiates them with the `env` imports bound to a backend,
// and calls their entry points as cosmwasm-vm's calls.rs does (arguments as
// JSON in regions from the contract's `allocate`, the result region read with
// the result limit and freed with `deallocate`, {"ok": ...} / {"error": ...}
// results), reporting gas as create_gas_report() does.
//
//   Runtime rt(RuntimeOptions{});                         // owns the engine
//   auto contract = rt.compile(wasm);                     // VmResult<shared_ptr<Contract>>
//   MockStorage storage; MockApi api; MockQuerier querier;
//   auto inst = ContractInstance::create(rt, contract.value, {&storage, &api, &querier});
//   CallResult r = inst.value->execute(mock_env_json(), mock_info_json(sender), msg, gas);
//
// A Runtime must outlive its contracts' instances.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/cosmwasm/backend.h"
#include "hosts/cosmwasm/env.h"
#include "hosts/cosmwasm/version.h"
#include "wvm/wvm.h"

namespace wvm::cosmwasm {

/// How contracts are compiled and run.
struct RuntimeOptions {
  TierPolicy tier = TierPolicy::Auto;  ///< interp, jit (all functions first) or auto
  uint32_t tier_up_threshold = 1000;   ///< auto: calls/back-edges before tier-1 compilation
  BoundsStrategy bounds = BoundsStrategy::GuardPages;
  /// cosmwasm-vm's instance memory limit, in 64 KiB pages (default 16 MiB):
  /// memory.grow fails past it, and a contract whose initial memory exceeds
  /// it does not compile.
  uint32_t memory_limit_pages = 256;
  /// Provide db_scan/db_next/db_next_key/db_next_value (the "iterator" capability).
  bool iterators = true;
  /// The cosmwasm-vm release whose gas wvm charges (version.h): 3.0.9 adds
  /// the locals charge. The store-time analysis takes the same version.
  VmVersion version = VmVersion::V3_0;
  GasConfig gas_config = GasConfig::cosmwasm_3_0();
};

class Runtime;

/// A compiled contract; shareable between instances and threads.
class Contract {
 public:
  const std::shared_ptr<const Module>& module() const noexcept { return module_; }
  /// True if the contract exports a function named `name`.
  bool exports_function(std::string_view name) const;

 private:
  friend class Runtime;
  static std::shared_ptr<const Contract> of(std::shared_ptr<const Module> module);
  std::shared_ptr<const Module> module_;
};

/// The engine contracts are compiled with and instances run on.
class Runtime {
 public:
  explicit Runtime(RuntimeOptions options = {});
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const RuntimeOptions& options() const noexcept { return options_; }
  Engine& engine() noexcept { return engine_; }

  /// Decodes, validates and prepares a contract (metered with the cosmwasm
  /// gas profile). Errors are CompileErr with wvm's message.
  VmResult<std::shared_ptr<const Contract>> compile(ByteView wasm);
  /// The compiled contract as bytes (wvm::serialize_module): what deserialize()
  /// turns back into a runnable contract without compiling.
  VmResult<Bytes> serialize(const Contract& contract);
  /// A contract from serialize()'s bytes. An error (CacheErr) when they come
  /// from another wvm build, configuration or CPU, or are corrupted: they are
  /// never run then.
  VmResult<std::shared_ptr<const Contract>> deserialize(ByteView artifact);

 private:
  static Config engine_config(const RuntimeOptions& options);
  RuntimeOptions options_;
  Engine engine_;
};

/// Per-instance settings.
struct InstanceOptions {
  /// Receives the contract's debug messages; when empty and `print_debug`
  /// is set they go to stderr, otherwise they are ignored (and not read).
  DebugHandler debug_handler;
  bool print_debug = false;
};

/// The outcome of an entry-point call.
struct CallResult {
  enum class Status : uint8_t {
    Ok,             ///< the contract returned {"ok": ...}
    ContractError,  ///< the contract returned {"error": "..."}
    VmError,        ///< the VM failed the call (trap, out of gas, import error, ...)
  };
  Status status = Status::Ok;
  /// Ok: the JSON of the "ok" value (for query, the decoded query response bytes).
  Bytes data;
  std::string contract_error;  ///< ContractError: the contract's message
  VmError vm_error;            ///< VmError: the error
  GasReport gas;               ///< the call's gas, as create_gas_report()

  bool ok() const noexcept { return status == Status::Ok; }
  /// The contract's or the VM's message ("" when ok).
  std::string error_message() const;
  std::string data_string() const { return std::string(data.begin(), data.end()); }
};

/// The entry points cosmwasm-vm 3.0 calls, with their names.
enum class EntryPoint : uint8_t {
  Instantiate,     ///< (env, info, msg)
  Execute,         ///< (env, info, msg)
  Migrate,         ///< (env, msg) or (env, msg, migrate_info)
  Sudo,            ///< (env, msg)
  Reply,           ///< (env, reply)
  Query,           ///< (env, msg), read-only storage
  IbcChannelOpen,  ///< (env, msg); ok is Option<Ibc3ChannelOpenResponse>
  IbcChannelConnect,
  IbcChannelClose,
  IbcPacketReceive,
  IbcPacketAck,
  IbcPacketTimeout,
  IbcSourceCallback,
  IbcDestinationCallback,
  Ibc2PacketReceive,
  Ibc2PacketAck,
  Ibc2PacketTimeout,
  Ibc2PacketSend,
};
/// The export name of an entry point ("instantiate", "ibc2_packet_send", ...).
const char* entry_point_name(EntryPoint ep) noexcept;

/// One instance of a contract bound to a backend.
class ContractInstance {
 public:
  /// Instantiates `contract` with the `env` imports bound to `backend`.
  static VmResult<std::unique_ptr<ContractInstance>> create(
      Runtime& runtime,
      std::shared_ptr<const Contract> contract,
      Backend backend,
      InstanceOptions options = {});
  ~ContractInstance();
  ContractInstance(const ContractInstance&) = delete;
  ContractInstance& operator=(const ContractInstance&) = delete;

  CallResult instantiate(std::string_view env,
                         std::string_view info,
                         std::string_view msg,
                         uint64_t gas_limit);
  CallResult execute(std::string_view env,
                     std::string_view info,
                     std::string_view msg,
                     uint64_t gas_limit);
  /// migrate(env, msg).
  CallResult migrate(std::string_view env, std::string_view msg, uint64_t gas_limit);
  /// migrate(env, msg, migrate_info), falling back to migrate(env, msg) when
  /// the contract's migrate takes two arguments (as call_migrate_with_info).
  CallResult migrate_with_info(std::string_view env,
                               std::string_view msg,
                               std::string_view migrate_info,
                               uint64_t gas_limit);
  CallResult sudo(std::string_view env, std::string_view msg, uint64_t gas_limit);
  CallResult reply(std::string_view env, std::string_view reply, uint64_t gas_limit);
  CallResult query(std::string_view env, std::string_view msg, uint64_t gas_limit);
  /// Any (env, msg) entry point: sudo, reply, query and the IBC ones.
  CallResult call(EntryPoint ep, std::string_view env, std::string_view msg, uint64_t gas_limit);

  /// Resets the gas accounting to a fresh `limit` (what each call above does first).
  void set_gas_limit(uint64_t limit);
  /// create_gas_report(): limit, remaining, used externally and internally.
  GasReport gas_report() const;
  /// Storage access for the next raw call (entry points set it themselves).
  void set_storage_readonly(bool readonly) { env_->storage_readonly = readonly; }
  /// Calls export `name` with `args` written into contract-allocated regions
  /// and returns the result region's data (at most `read_limit` bytes).
  VmResult<Bytes> call_raw(std::string_view name,
                           const std::vector<ByteView>& args,
                           size_t read_limit = limits::kResultReadLimit);

  /// The contract's memory size in 64 KiB pages.
  uint32_t memory_pages() const noexcept;
  Environment& environment() noexcept { return *env_; }

 private:
  ContractInstance() = default;
  CallResult finish(VmResult<Bytes> raw, EntryPoint ep);

  std::shared_ptr<const Contract> contract_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Environment> env_;  // stable address: the imports' user_data
  uint64_t gas_limit_ = 0;
};

}  // namespace wvm::cosmwasm
