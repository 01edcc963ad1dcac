// The exported C functions of libwvm_cosmwasm (bindings.h), with
// libwasmvm v3's argument checks, error messages, errno and ownership
// (libwasmvm/src/cache.rs, calls.rs, memory.rs, version.rs).
//
// Every function catches everything at this boundary: an exception escaping
// from below (allocation failure, a JSON library error) is reported as
// libwasmvm reports a Rust panic, "Caught panic" with ErrnoValue_Other.
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "hosts/cosmwasm/capi/bindings.h"
#include "hosts/cosmwasm/capi/cache.h"
#include "hosts/cosmwasm/capi/ffi.h"
#include "hosts/cosmwasm/capi/go_backend.h"
#include "hosts/cosmwasm/vm.h"

#ifndef WVM_CAPI_LIBWASMVM_VERSION
#define WVM_CAPI_LIBWASMVM_VERSION "3.0.7"
#endif

// ---- layouts: libwasmvm v3's #[repr(C)] structs on LP64 ---------------------

#define WVM_CAPI_LAYOUT(type, size) \
  static_assert(sizeof(type) == (size), #type " must have libwasmvm's size");
#define WVM_CAPI_OFFSET(type, field, offset)       \
  static_assert(offsetof(type, field) == (offset), \
                #type "." #field " must be at libwasmvm's offset");

static_assert(sizeof(void*) == 8, "the layouts below are for 64-bit targets");
WVM_CAPI_LAYOUT(ByteSliceView, 24)
WVM_CAPI_OFFSET(ByteSliceView, ptr, 8)
WVM_CAPI_OFFSET(ByteSliceView, len, 16)
WVM_CAPI_LAYOUT(UnmanagedVector, 32)
WVM_CAPI_OFFSET(UnmanagedVector, ptr, 8)
WVM_CAPI_OFFSET(UnmanagedVector, len, 16)
WVM_CAPI_OFFSET(UnmanagedVector, cap, 24)
WVM_CAPI_LAYOUT(U8SliceView, 24)
WVM_CAPI_OFFSET(U8SliceView, ptr, 8)
WVM_CAPI_OFFSET(U8SliceView, len, 16)
WVM_CAPI_LAYOUT(OptionalU64, 16)
WVM_CAPI_OFFSET(OptionalU64, value, 8)
WVM_CAPI_LAYOUT(AnalysisReport, 88)
WVM_CAPI_OFFSET(AnalysisReport, entrypoints, 8)
WVM_CAPI_OFFSET(AnalysisReport, required_capabilities, 40)
WVM_CAPI_OFFSET(AnalysisReport, contract_migrate_version, 72)
WVM_CAPI_LAYOUT(Metrics, 48)
WVM_CAPI_OFFSET(Metrics, misses, 12)
WVM_CAPI_OFFSET(Metrics, elements_pinned_memory_cache, 16)
WVM_CAPI_OFFSET(Metrics, size_memory_cache, 40)
WVM_CAPI_LAYOUT(IteratorReference, 16)
WVM_CAPI_LAYOUT(IteratorVtable, 24)
WVM_CAPI_LAYOUT(GoIter, 48)
WVM_CAPI_OFFSET(GoIter, reference, 8)
WVM_CAPI_OFFSET(GoIter, vtable, 24)
WVM_CAPI_LAYOUT(DbVtable, 32)
WVM_CAPI_LAYOUT(Db, 48)
WVM_CAPI_OFFSET(Db, state, 8)
WVM_CAPI_OFFSET(Db, vtable, 16)
WVM_CAPI_LAYOUT(GoApiVtable, 24)
WVM_CAPI_OFFSET(GoApiVtable, validate_address, 16)
WVM_CAPI_LAYOUT(GoApi, 32)
WVM_CAPI_LAYOUT(QuerierVtable, 8)
WVM_CAPI_LAYOUT(GoQuerier, 16)
WVM_CAPI_LAYOUT(GasReport, 32)
WVM_CAPI_OFFSET(GasReport, used_internally, 24)
static_assert(sizeof(ErrnoValue) == 4 && sizeof(GoError) == 4);

#undef WVM_CAPI_LAYOUT
#undef WVM_CAPI_OFFSET

namespace wvm::cosmwasm::capi {
namespace {

Cache* to_cache(cache_t* cache) noexcept {
  return reinterpret_cast<Cache*>(cache);
}

// Runs `body` with libwasmvm's catch_unwind: an escaping exception is a panic.
template <class T, class Body>
CapiResult<T> guarded(const char* what, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Panic in %s: %s\n", what, e.what());
  } catch (...) {
    std::fprintf(stderr, "Panic in %s\n", what);
  }
  return CapiError::panic();
}

// Returns a binary result as libwasmvm does: Some(data) on success, Some(empty)
// on error; errno last.
UnmanagedVector finish_binary(CapiResult<Bytes> result, UnmanagedVector* error_msg) noexcept {
  UnmanagedVector out = vector_none();
  out.is_none = false;
  if (result.ok()) {
    try {
      out = vector_some(result.value);
    } catch (...) {
      result.error = CapiError::panic();
    }
  }
  report(result.error, error_msg);
  return out;
}

// A unit result: errno only.
void finish_unit(const CapiResult<Unit>& result, UnmanagedVector* error_msg) noexcept {
  report(result.error, error_msg);
}

// Cache operations: a null cache is UnsetArg, `op(cache)` runs guarded.
template <class T, class Op>
CapiResult<T> with_cache(const char* what, cache_t* cache, Op&& op) noexcept {
  capi::Cache* c = to_cache(cache);
  if (c == nullptr)
    return CapiError::unset_arg(arg::kCache);
  return guarded<T>(what, [&]() -> CapiResult<T> { return op(*c); });
}

// Checksum-taking cache operations share their argument handling.
template <class T, class Op>
CapiResult<T> with_checksum(const char* what,
                            cache_t* cache,
                            const ByteSliceView& checksum,
                            Op&& op) noexcept {
  return with_cache<T>(what, cache, [&](capi::Cache& c) -> CapiResult<T> {
    CapiResult<Checksum> cs = read_checksum(checksum);
    if (!cs.ok())
      return std::move(*cs.error);
    return op(c, cs.value);
  });
}

std::string join_csv(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty())
      out += ',';
    out += item;
  }
  return out;
}

// "[<RFC 3339 UTC time>]: <msg> (gas remaining: <n>)" on stderr, as libwasmvm prints.
void print_debug_message(std::string_view msg, const DebugInfo& info) {
  const auto now = std::chrono::system_clock::now();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ns.count() / 1'000'000'000);
  long nanos = static_cast<long>(ns.count() % 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[64];
  size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", nanos);
    std::string f(frac);
    while (f.back() == '0')
      f.pop_back();
    n += static_cast<size_t>(std::snprintf(stamp + n, sizeof stamp - n, "%s", f.c_str()));
  }
  std::snprintf(stamp + n, sizeof stamp - n, "Z");
  std::fprintf(stderr, "[%s]: %.*s (gas remaining: %llu)\n", stamp, static_cast<int>(msg.size()),
               msg.data(), static_cast<unsigned long long>(info.gas_remaining));
}

// How an entry point is called (cosmwasm-vm's call_*_raw).
struct EntrySpec {
  const char* export_name;
  bool readonly = false;  ///< query: storage writes are denied
  /// migrate_with_info: on FunctionArityMismatch call again without the last argument.
  bool retry_without_last_arg = false;
};

constexpr EntrySpec kInstantiate{"instantiate"};
constexpr EntrySpec kExecute{"execute"};
constexpr EntrySpec kMigrate{"migrate"};
constexpr EntrySpec kMigrateWithInfo{"migrate", false, true};
constexpr EntrySpec kSudo{"sudo"};
constexpr EntrySpec kReply{"reply"};
constexpr EntrySpec kQuery{"query", true};
constexpr EntrySpec kIbcChannelOpen{"ibc_channel_open"};
constexpr EntrySpec kIbcChannelConnect{"ibc_channel_connect"};
constexpr EntrySpec kIbcChannelClose{"ibc_channel_close"};
constexpr EntrySpec kIbcPacketReceive{"ibc_packet_receive"};
constexpr EntrySpec kIbcPacketAck{"ibc_packet_ack"};
constexpr EntrySpec kIbcPacketTimeout{"ibc_packet_timeout"};
constexpr EntrySpec kIbcSourceCallback{"ibc_source_callback"};
constexpr EntrySpec kIbcDestinationCallback{"ibc_destination_callback"};
constexpr EntrySpec kIbc2PacketReceive{"ibc2_packet_receive"};
constexpr EntrySpec kIbc2PacketAck{"ibc2_packet_ack"};
constexpr EntrySpec kIbc2PacketTimeout{"ibc2_packet_timeout"};
constexpr EntrySpec kIbc2PacketSend{"ibc2_packet_send"};

VmResult<Bytes> run_entry(ContractInstance& instance,
                          const EntrySpec& spec,
                          const std::vector<ByteView>& args,
                          uint64_t gas_limit) {
  instance.set_gas_limit(gas_limit);
  instance.set_storage_readonly(spec.readonly);
  VmResult<Bytes> raw = instance.call_raw(spec.export_name, args);
  if (spec.retry_without_last_arg && !raw.ok() &&
      raw.error->kind == VmErrorKind::FunctionArityMismatch) {
    // An older contract's migrate(env, msg); the first attempt's argument
    // regions stay allocated, as in cosmwasm-vm.
    raw = instance.call_raw(spec.export_name, std::vector<ByteView>(args.begin(), args.end() - 1));
  }
  return raw;
}

// do_call_2_args / do_call_3_args: one instance per call.
UnmanagedVector call_entry(const char* what,
                           const EntrySpec& spec,
                           cache_t* cache,
                           const ByteSliceView& checksum,
                           std::initializer_list<ByteSliceView> args,
                           const Db& db,
                           const GoApi& api,
                           const GoQuerier& querier,
                           uint64_t gas_limit,
                           bool print_debug,
                           ::GasReport* gas_report,
                           UnmanagedVector* error_msg) noexcept {
  capi::Cache* c = to_cache(cache);
  if (c == nullptr)
    return finish_binary(CapiError::unset_arg(arg::kCache), error_msg);
  CapiResult<Bytes> result = guarded<Bytes>(what, [&]() -> CapiResult<Bytes> {
    if (gas_report == nullptr)
      return CapiError::empty_arg(arg::kGasReport);
    CapiResult<Checksum> cs = read_checksum(checksum);
    if (!cs.ok())
      return std::move(*cs.error);
    static constexpr std::string_view kArgNames[] = {arg::kArg1, arg::kArg2, arg::kArg3};
    std::vector<ByteView> arg_views;
    for (const ByteSliceView& a : args) {
      CapiResult<ByteView> view = read_arg(a, kArgNames[arg_views.size()]);
      if (!view.ok())
        return std::move(*view.error);
      arg_views.push_back(view.value);
    }
    CapiResult<std::shared_ptr<const Contract>> contract = c->get_contract(cs.value);
    if (!contract.ok())
      return std::move(*contract.error);

    // The backends live on this frame: the instance below must not outlive them.
    CallState state;
    GoStorage storage(db, &state);
    GoBackendApi backend_api(api, &state);
    GoBackendQuerier backend_querier(querier, &state);
    InstanceOptions options;
    if (print_debug)
      options.debug_handler = print_debug_message;
    VmResult<std::unique_ptr<ContractInstance>> instance = ContractInstance::create(
        c->runtime(), contract.value, Backend{&storage, &backend_api, &backend_querier},
        std::move(options));
    if (!instance.ok())
      return CapiError::from_vm(*instance.error);
    VmResult<Bytes> raw = run_entry(*instance.value, spec, arg_views, gas_limit);
    if (state.panicked) {
      // libwasmvm panics on a missing callback; the unwinding skips the gas report.
      std::fprintf(stderr, "Panic in %s: %s\n", what, state.panic_message.c_str());
      return CapiError::panic();
    }
    // Reported also when the call failed (e.g. out of gas), before the error.
    const wvm::GasReport gas = instance.value->gas_report();
    gas_report->limit = gas.limit;
    gas_report->remaining = gas.remaining;
    gas_report->used_externally = gas.used_externally;
    gas_report->used_internally = gas.used_internally;
    if (!raw.ok())
      return CapiError::from_vm(*raw.error);
    return std::move(raw.value);
  });
  return finish_binary(std::move(result), error_msg);
}

}  // namespace
}  // namespace wvm::cosmwasm::capi

// The C names (AnalysisReport, GasReport, Metrics, ...) are the global ones;
// the implementation's are reached through these aliases.
namespace cw = wvm::cosmwasm;
namespace capi = wvm::cosmwasm::capi;
namespace arg = capi::arg;
using capi::CacheConfig;
using capi::call_entry;
using capi::CapiError;
using capi::CapiResult;
using capi::Checksum;
using capi::finish_binary;
using capi::finish_unit;
using capi::guarded;
using capi::join_csv;
using capi::parse_cache_config;
using capi::report;
using capi::to_cache;
using capi::vector_none;
using capi::vector_some;
using capi::view_read;
using capi::with_cache;
using capi::with_checksum;
using cw::Bytes;
using cw::ByteView;
using cw::Unit;

extern "C" {

// ---- cache ------------------------------------------------------------------

cache_t* init_cache(ByteSliceView config, UnmanagedVector* error_msg) {
  CapiResult<std::unique_ptr<capi::Cache>> result =
      guarded<std::unique_ptr<capi::Cache>>("do_init_cache", [&]() {
        std::optional<ByteView> data = view_read(config);
        if (!data)
          return CapiResult<std::unique_ptr<capi::Cache>>(CapiError::unset_arg(arg::kConfig));
        CapiResult<CacheConfig> parsed = parse_cache_config(*data);
        if (!parsed.ok())
          return CapiResult<std::unique_ptr<capi::Cache>>(std::move(*parsed.error));
        return capi::Cache::open(std::move(parsed.value));
      });
  cache_t* out = result.ok() ? reinterpret_cast<cache_t*>(result.value.release()) : nullptr;
  report(result.error, error_msg);
  return out;
}

UnmanagedVector store_code(cache_t* cache,
                           ByteSliceView wasm,
                           bool checked,
                           bool persist,
                           UnmanagedVector* error_msg) {
  capi::Cache* c = to_cache(cache);
  if (c == nullptr)
    return finish_binary(CapiError::unset_arg(arg::kCache), error_msg);
  CapiResult<Bytes> result = guarded<Bytes>("do_store_code", [&]() -> CapiResult<Bytes> {
    std::optional<ByteView> code = view_read(wasm);
    if (!code)
      return CapiError::unset_arg(arg::kWasm);
    CapiResult<Checksum> checksum = c->store_code(*code, checked, persist);
    if (!checksum.ok())
      return std::move(*checksum.error);
    return Bytes(checksum.value.begin(), checksum.value.end());
  });
  return finish_binary(std::move(result), error_msg);
}

void remove_wasm(cache_t* cache, ByteSliceView checksum, UnmanagedVector* error_msg) {
  finish_unit(
      with_checksum<Unit>("do_remove_wasm", cache, checksum,
                          [](capi::Cache& c, const Checksum& cs) { return c.remove_wasm(cs); }),
      error_msg);
}

UnmanagedVector load_wasm(cache_t* cache, ByteSliceView checksum, UnmanagedVector* error_msg) {
  return finish_binary(
      with_checksum<Bytes>("do_load_wasm", cache, checksum,
                           [](capi::Cache& c, const Checksum& cs) { return c.load_wasm(cs); }),
      error_msg);
}

void pin(cache_t* cache, ByteSliceView checksum, UnmanagedVector* error_msg) {
  finish_unit(with_checksum<Unit>("do_pin", cache, checksum,
                                  [](capi::Cache& c, const Checksum& cs) { return c.pin(cs); }),
              error_msg);
}

void unpin(cache_t* cache, ByteSliceView checksum, UnmanagedVector* error_msg) {
  finish_unit(with_checksum<Unit>("do_unpin", cache, checksum,
                                  [](capi::Cache& c, const Checksum& cs) { return c.unpin(cs); }),
              error_msg);
}

void sync_pinned_codes(cache_t* cache, ByteSliceView checksums, UnmanagedVector* error_msg) {
  CapiResult<Unit> result =
      with_cache<Unit>("do_sync_pinned_codes", cache, [&](capi::Cache& c) -> CapiResult<Unit> {
        std::optional<ByteView> data = view_read(checksums);
        if (!data)
          return CapiError::unset_arg(arg::kChecksums);
        std::vector<Checksum> wanted(data->size() / 32);
        for (size_t i = 0; i < wanted.size(); ++i)
          std::memcpy(wanted[i].data(), data->data() + 32 * i, 32);
        return c.sync_pinned_codes(wanted);
      });
  report(result.error, error_msg);
}

AnalysisReport analyze_code(cache_t* cache, ByteSliceView checksum, UnmanagedVector* error_msg) {
  // The error value: both vectors None.
  AnalysisReport out{};
  out.entrypoints = vector_none();
  out.required_capabilities = vector_none();
  CapiResult<Unit> result = with_checksum<Unit>(
      "do_analyze_code", cache, checksum,
      [&](capi::Cache& c, const Checksum& cs) -> CapiResult<Unit> {
        CapiResult<wvm::cosmwasm::AnalysisReport> report = c.analyze(cs);
        if (!report.ok())
          return std::move(*report.error);
        const std::string entrypoints = join_csv(report.value.entrypoints);
        const std::string capabilities = join_csv(report.value.required_capabilities);
        AnalysisReport filled{};
        filled.has_ibc_entry_points = report.value.has_ibc_entry_points;
        filled.entrypoints = vector_some(entrypoints);
        try {
          filled.required_capabilities = vector_some(capabilities);
        } catch (...) {
          destroy_unmanaged_vector(filled.entrypoints);
          throw;
        }
        filled.contract_migrate_version.is_some = report.value.contract_migrate_version.has_value();
        filled.contract_migrate_version.value = report.value.contract_migrate_version.value_or(0);
        out = filled;
        return Unit{};
      });
  report(result.error, error_msg);
  return out;
}

Metrics get_metrics(cache_t* cache, UnmanagedVector* error_msg) {
  Metrics out{};
  CapiResult<Unit> result =
      with_cache<Unit>("do_get_metrics", cache, [&](capi::Cache& c) -> CapiResult<Unit> {
        out = c.metrics();
        return Unit{};
      });
  report(result.error, error_msg);
  return out;
}

UnmanagedVector get_pinned_metrics(cache_t* cache, UnmanagedVector* error_msg) {
  UnmanagedVector out = vector_none();
  CapiResult<Unit> result =
      with_cache<Unit>("do_get_pinned_metrics", cache, [&](capi::Cache& c) -> CapiResult<Unit> {
        out = vector_some(c.pinned_metrics_msgpack());
        return Unit{};
      });
  report(result.error, error_msg);
  return out;
}

void release_cache(cache_t* cache) {
  delete to_cache(cache);
}

// ---- calls ------------------------------------------------------------------

UnmanagedVector instantiate(cache_t* cache,
                            ByteSliceView checksum,
                            ByteSliceView env,
                            ByteSliceView info,
                            ByteSliceView msg,
                            Db db,
                            GoApi api,
                            GoQuerier querier,
                            uint64_t gas_limit,
                            bool print_debug,
                            GasReport* gas_report,
                            UnmanagedVector* error_msg) {
  return call_entry("do_call_3_args", capi::kInstantiate, cache, checksum, {env, info, msg}, db,
                    api, querier, gas_limit, print_debug, gas_report, error_msg);
}

UnmanagedVector execute(cache_t* cache,
                        ByteSliceView checksum,
                        ByteSliceView env,
                        ByteSliceView info,
                        ByteSliceView msg,
                        Db db,
                        GoApi api,
                        GoQuerier querier,
                        uint64_t gas_limit,
                        bool print_debug,
                        GasReport* gas_report,
                        UnmanagedVector* error_msg) {
  return call_entry("do_call_3_args", capi::kExecute, cache, checksum, {env, info, msg}, db, api,
                    querier, gas_limit, print_debug, gas_report, error_msg);
}

UnmanagedVector migrate_with_info(cache_t* cache,
                                  ByteSliceView checksum,
                                  ByteSliceView env,
                                  ByteSliceView msg,
                                  ByteSliceView migrate_info,
                                  Db db,
                                  GoApi api,
                                  GoQuerier querier,
                                  uint64_t gas_limit,
                                  bool print_debug,
                                  GasReport* gas_report,
                                  UnmanagedVector* error_msg) {
  return call_entry("do_call_3_args", capi::kMigrateWithInfo, cache, checksum,
                    {env, msg, migrate_info}, db, api, querier, gas_limit, print_debug, gas_report,
                    error_msg);
}

// The (env, msg) entry points.
#define WVM_CAPI_ENV_MSG_CALL(name, spec)                                                          \
  UnmanagedVector name(cache_t* cache, ByteSliceView checksum, ByteSliceView env,                  \
                       ByteSliceView msg, Db db, GoApi api, GoQuerier querier, uint64_t gas_limit, \
                       bool print_debug, GasReport* gas_report, UnmanagedVector* error_msg) {      \
    return call_entry("do_call_2_args", capi::spec, cache, checksum, {env, msg}, db, api, querier, \
                      gas_limit, print_debug, gas_report, error_msg);                              \
  }

WVM_CAPI_ENV_MSG_CALL(migrate, kMigrate)
WVM_CAPI_ENV_MSG_CALL(sudo, kSudo)
WVM_CAPI_ENV_MSG_CALL(reply, kReply)
WVM_CAPI_ENV_MSG_CALL(query, kQuery)
WVM_CAPI_ENV_MSG_CALL(ibc_channel_open, kIbcChannelOpen)
WVM_CAPI_ENV_MSG_CALL(ibc_channel_connect, kIbcChannelConnect)
WVM_CAPI_ENV_MSG_CALL(ibc_channel_close, kIbcChannelClose)
WVM_CAPI_ENV_MSG_CALL(ibc_packet_receive, kIbcPacketReceive)
WVM_CAPI_ENV_MSG_CALL(ibc_packet_ack, kIbcPacketAck)
WVM_CAPI_ENV_MSG_CALL(ibc_packet_timeout, kIbcPacketTimeout)
WVM_CAPI_ENV_MSG_CALL(ibc_source_callback, kIbcSourceCallback)
WVM_CAPI_ENV_MSG_CALL(ibc_destination_callback, kIbcDestinationCallback)
WVM_CAPI_ENV_MSG_CALL(ibc2_packet_receive, kIbc2PacketReceive)
WVM_CAPI_ENV_MSG_CALL(ibc2_packet_ack, kIbc2PacketAck)
WVM_CAPI_ENV_MSG_CALL(ibc2_packet_timeout, kIbc2PacketTimeout)
WVM_CAPI_ENV_MSG_CALL(ibc2_packet_send, kIbc2PacketSend)

#undef WVM_CAPI_ENV_MSG_CALL

// ---- vectors and version ----------------------------------------------------

UnmanagedVector new_unmanaged_vector(bool nil, const uint8_t* ptr, uintptr_t length) {
  if (nil)
    return vector_none();
  try {
    return vector_some(ByteView(ptr, length));
  } catch (...) {
    // Rust aborts on allocation failure too: there is no error channel here.
    std::fprintf(stderr, "new_unmanaged_vector: out of memory\n");
    std::abort();
  }
}

void destroy_unmanaged_vector(UnmanagedVector v) {
  // See vector_some(): only a Some vector with cap > 0 owns memory.
  if (!v.is_none && v.cap != 0)
    std::free(v.ptr);
}

const char* version_str(void) {
  return WVM_CAPI_LIBWASMVM_VERSION;
}

}  // extern "C"
