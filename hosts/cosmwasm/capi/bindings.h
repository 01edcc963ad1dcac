/*
 * libwvm_cosmwasm: the C interface of libwasmvm v3 (CosmWasm/wasmvm,
 * libwasmvm/bindings.h) implemented on wvm, so that wasmvm's Go package
 * (internal/api) can link this library instead of libwasmvm.
 *
 * Every name, signature, struct layout, enum value and ownership rule below
 * is libwasmvm's; hosts/cosmwasm/capi/lib.cc checks the layouts with
 * static_assert. This text is C and C++ compatible.
 *
 * Errors: a function that can fail takes `UnmanagedVector *error_msg` as its
 * last argument and sets the C `errno` before returning: ErrnoValue_Success
 * on success (error_msg untouched), otherwise ErrnoValue_Other or
 * ErrnoValue_OutOfGas with the message written to *error_msg (when it is
 * not NULL); the caller passes a None vector there and destroys what it
 * gets back.
 *
 * Ownership: an UnmanagedVector returned by this library (results, error
 * messages, the vectors inside AnalysisReport) belongs to the caller, who
 * destroys it exactly once with destroy_unmanaged_vector(). A callback
 * (DbVtable, GoApiVtable, QuerierVtable, IteratorVtable) receives None
 * vectors in its *_out arguments, fills them with new_unmanaged_vector(),
 * and the library takes them over and destroys them. Views (ByteSliceView,
 * U8SliceView) are borrowed for the duration of the call only.
 *
 * Threads: a cache_t may be used from any number of threads at once (it has
 * an internal lock); each call runs its own contract instance.
 */
#ifndef WVM_COSMWASM_CAPI_BINDINGS_H_
#define WVM_COSMWASM_CAPI_BINDINGS_H_

#include <stdbool.h>
#include <stdint.h>

#if defined(WVM_CAPI_BUILDING)
#define WVM_CAPI_EXPORT __attribute__((visibility("default")))
#else
#define WVM_CAPI_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The errno values the library sets (0 is success). */
enum {
  ErrnoValue_Success = 0,
  ErrnoValue_Other = 1,
  ErrnoValue_OutOfGas = 2,
};
typedef int32_t ErrnoValue;

/** Status codes the callbacks return; 0 means no error. */
enum {
  GoError_None = 0,
  /** The callback panicked for an unexpected reason. */
  GoError_Panic = 1,
  /** The callback received a bad argument. */
  GoError_BadArgument = 2,
  /** The node's gas meter ran out (e.g. in storage). */
  GoError_OutOfGas = 3,
  /** The callback could not serialize its answer. */
  GoError_CannotSerialize = 4,
  /** An error of normal operation, reported back to the contract (err_msg_out). */
  GoError_User = 5,
  /** Never returned on purpose; any unknown code is treated as this. */
  GoError_Other = -1,
};
typedef int32_t GoError;

/** The contract cache (opaque). */
typedef struct cache_t cache_t;

/** A borrowed byte slice from the caller; is_nil distinguishes nil from empty. */
typedef struct ByteSliceView {
  /** True iff the slice is nil; then ptr and len are ignored. */
  bool is_nil;
  const uint8_t* ptr;
  uintptr_t len;
} ByteSliceView;

/**
 * An optional byte vector allocated by this library, passed by value and
 * destroyed exactly once with destroy_unmanaged_vector(). An empty Some
 * vector has ptr == NULL, len == 0, cap == 0.
 */
typedef struct UnmanagedVector {
  /** True iff this is None; then ptr, len and cap are ignored. */
  bool is_none;
  uint8_t* ptr;
  uintptr_t len;
  uintptr_t cap;
} UnmanagedVector;

/** An optional u64. */
typedef struct OptionalU64 {
  bool is_some;
  uint64_t value;
} OptionalU64;

/** analyze_code's result; the caller destroys both vectors. */
typedef struct AnalysisReport {
  /** True iff the contract exports all six IBC (v1) channel and packet entry points. */
  bool has_ibc_entry_points;
  /** The known entry points it exports, UTF-8, comma separated, sorted. */
  struct UnmanagedVector entrypoints;
  /** The capabilities it requires, UTF-8, comma separated, sorted; never None. */
  struct UnmanagedVector required_capabilities;
  /** Its cw_migrate_version, if it declares one. */
  struct OptionalU64 contract_migrate_version;
} AnalysisReport;

/** Cache statistics (hit counters saturate). */
typedef struct Metrics {
  uint32_t hits_pinned_memory_cache;
  uint32_t hits_memory_cache;
  uint32_t hits_fs_cache;
  uint32_t misses;
  uint64_t elements_pinned_memory_cache;
  uint64_t elements_memory_cache;
  uint64_t size_pinned_memory_cache;
  uint64_t size_memory_cache;
} Metrics;

/** The node's gas meter (opaque; handed back to the callbacks). */
typedef struct gas_meter_t gas_meter_t;
/** The node's store (opaque). */
typedef struct db_t db_t;

/** A view this library lends to a callback; is_none distinguishes None from empty. */
typedef struct U8SliceView {
  /** True iff this is None; then ptr and len are ignored. */
  bool is_none;
  const uint8_t* ptr;
  uintptr_t len;
} U8SliceView;

/** Identifies an iterator on the node's side. */
typedef struct IteratorReference {
  /** The id of the contract call the iterator belongs to. */
  uint64_t call_id;
  /** The id of the iterator within that call. */
  uint64_t iterator_id;
} IteratorReference;

/** An iterator's callbacks; at the end they leave key_out / value_out None. */
typedef struct IteratorVtable {
  int32_t (*next)(struct IteratorReference iterator,
                  struct gas_meter_t* gas_meter,
                  uint64_t* gas_used,
                  struct UnmanagedVector* key_out,
                  struct UnmanagedVector* value_out,
                  struct UnmanagedVector* err_msg_out);
  int32_t (*next_key)(struct IteratorReference iterator,
                      struct gas_meter_t* gas_meter,
                      uint64_t* gas_used,
                      struct UnmanagedVector* key_out,
                      struct UnmanagedVector* err_msg_out);
  int32_t (*next_value)(struct IteratorReference iterator,
                        struct gas_meter_t* gas_meter,
                        uint64_t* gas_used,
                        struct UnmanagedVector* value_out,
                        struct UnmanagedVector* err_msg_out);
} IteratorVtable;

/** An iterator, filled in by DbVtable.scan_db. */
typedef struct GoIter {
  struct gas_meter_t* gas_meter;
  struct IteratorReference reference;
  struct IteratorVtable vtable;
} GoIter;

/** The store's callbacks. gas_used receives the gas the node charged (used externally). */
typedef struct DbVtable {
  int32_t (*read_db)(struct db_t* db,
                     struct gas_meter_t* gas_meter,
                     uint64_t* gas_used,
                     struct U8SliceView key,
                     struct UnmanagedVector* value_out,
                     struct UnmanagedVector* err_msg_out);
  int32_t (*write_db)(struct db_t* db,
                      struct gas_meter_t* gas_meter,
                      uint64_t* gas_used,
                      struct U8SliceView key,
                      struct U8SliceView value,
                      struct UnmanagedVector* err_msg_out);
  int32_t (*remove_db)(struct db_t* db,
                       struct gas_meter_t* gas_meter,
                       uint64_t* gas_used,
                       struct U8SliceView key,
                       struct UnmanagedVector* err_msg_out);
  /** order: 1 ascending, 2 descending; a None bound is open. */
  int32_t (*scan_db)(struct db_t* db,
                     struct gas_meter_t* gas_meter,
                     uint64_t* gas_used,
                     struct U8SliceView start,
                     struct U8SliceView end,
                     int32_t order,
                     struct GoIter* iterator_out,
                     struct UnmanagedVector* err_msg_out);
} DbVtable;

/** The store a call runs against. */
typedef struct Db {
  struct gas_meter_t* gas_meter;
  struct db_t* state;
  struct DbVtable vtable;
} Db;

/** The node's address API (opaque). */
typedef struct api_t api_t;

/** The address callbacks. gas_used is charged as the contract's own gas. */
typedef struct GoApiVtable {
  int32_t (*humanize_address)(const struct api_t* api,
                              struct U8SliceView input,
                              struct UnmanagedVector* humanized_address_out,
                              struct UnmanagedVector* err_msg_out,
                              uint64_t* gas_used);
  int32_t (*canonicalize_address)(const struct api_t* api,
                                  struct U8SliceView input,
                                  struct UnmanagedVector* canonicalized_address_out,
                                  struct UnmanagedVector* err_msg_out,
                                  uint64_t* gas_used);
  int32_t (*validate_address)(const struct api_t* api,
                              struct U8SliceView input,
                              struct UnmanagedVector* err_msg_out,
                              uint64_t* gas_used);
} GoApiVtable;

/** The address API a call runs against. */
typedef struct GoApi {
  const struct api_t* state;
  struct GoApiVtable vtable;
} GoApi;

/** The node's querier (opaque). */
typedef struct querier_t querier_t;

/** The query callback: result_out receives the JSON of a SystemResult<ContractResult<Binary>>. */
typedef struct QuerierVtable {
  int32_t (*query_external)(const struct querier_t* querier,
                            uint64_t gas_limit,
                            uint64_t* gas_used,
                            struct U8SliceView request,
                            struct UnmanagedVector* result_out,
                            struct UnmanagedVector* err_msg_out);
} QuerierVtable;

/** The querier a call runs against. */
typedef struct GoQuerier {
  const struct querier_t* state;
  struct QuerierVtable vtable;
} GoQuerier;

/** A call's gas: used_internally + used_externally + remaining == limit (unless saturated). */
typedef struct GasReport {
  /** The limit the call ran with. */
  uint64_t limit;
  /** The gas left. */
  uint64_t remaining;
  /** Gas the node's callbacks charged themselves (storage, queries). */
  uint64_t used_externally;
  /** Gas of wasm execution and VM-charged imports. */
  uint64_t used_internally;
} GasReport;

/**
 * Opens the cache described by the JSON of a wasmvm VMConfig
 * ({"wasm_limits":{...},"cache":{"base_dir":...,"available_capabilities":[...],
 * "memory_cache_size_bytes":N,"instance_memory_limit_bytes":N}}), creating
 * its directories. NULL on error.
 */
WVM_CAPI_EXPORT struct cache_t* init_cache(struct ByteSliceView config,
                                           struct UnmanagedVector* error_msg);

/**
 * Checks (if `checked`) and compiles `wasm`; stores it under its checksum if
 * `persist`. Returns the 32-byte SHA-256 checksum.
 */
WVM_CAPI_EXPORT struct UnmanagedVector store_code(struct cache_t* cache,
                                                  struct ByteSliceView wasm,
                                                  bool checked,
                                                  bool persist,
                                                  struct UnmanagedVector* error_msg);

/** Removes the stored wasm of `checksum` (compiled modules in memory stay until evicted). */
WVM_CAPI_EXPORT void remove_wasm(struct cache_t* cache,
                                 struct ByteSliceView checksum,
                                 struct UnmanagedVector* error_msg);

/** The stored wasm of `checksum`. */
WVM_CAPI_EXPORT struct UnmanagedVector load_wasm(struct cache_t* cache,
                                                 struct ByteSliceView checksum,
                                                 struct UnmanagedVector* error_msg);

/** Keeps the compiled contract in memory until unpinned. */
WVM_CAPI_EXPORT void pin(struct cache_t* cache,
                         struct ByteSliceView checksum,
                         struct UnmanagedVector* error_msg);

/** Undoes pin() (no error if it was not pinned). */
WVM_CAPI_EXPORT void unpin(struct cache_t* cache,
                           struct ByteSliceView checksum,
                           struct UnmanagedVector* error_msg);

/**
 * Makes the pinned set exactly `checksums` (32-byte checksums concatenated;
 * trailing bytes short of a whole checksum are ignored, as libwasmvm's
 * chunks_exact): pins those not pinned yet, then unpins the rest. The first
 * pin that fails ends the call with its error.
 */
WVM_CAPI_EXPORT void sync_pinned_codes(struct cache_t* cache,
                                       struct ByteSliceView checksums,
                                       struct UnmanagedVector* error_msg);

/** The entry points, capabilities and migrate version of stored code. */
WVM_CAPI_EXPORT struct AnalysisReport analyze_code(struct cache_t* cache,
                                                   struct ByteSliceView checksum,
                                                   struct UnmanagedVector* error_msg);

/** The cache's statistics. */
WVM_CAPI_EXPORT struct Metrics get_metrics(struct cache_t* cache,
                                           struct UnmanagedVector* error_msg);

/**
 * Per pinned contract: its hits and size, as MessagePack
 * [[[checksum (32 u8), [hits, size]], ...]] (rmp_serde's compact form).
 */
WVM_CAPI_EXPORT struct UnmanagedVector get_pinned_metrics(struct cache_t* cache,
                                                          struct UnmanagedVector* error_msg);

/** Frees a cache from init_cache(); call exactly once, with no call running on it. */
WVM_CAPI_EXPORT void release_cache(struct cache_t* cache);

/*
 * Entry points. Each runs the contract `checksum` with the given JSON
 * arguments against db/api/querier with `gas_limit`, fills *gas_report once
 * an instance ran (also when the call then failed), and returns the
 * contract's raw result JSON ({"ok":...} or {"error":"..."}: a contract
 * error is a successful call). VM errors go to error_msg with errno
 * ErrnoValue_Other, or ErrnoValue_OutOfGas when gas ran out.
 */

/** instantiate(env, info, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector instantiate(struct cache_t* cache,
                                                   struct ByteSliceView checksum,
                                                   struct ByteSliceView env,
                                                   struct ByteSliceView info,
                                                   struct ByteSliceView msg,
                                                   struct Db db,
                                                   struct GoApi api,
                                                   struct GoQuerier querier,
                                                   uint64_t gas_limit,
                                                   bool print_debug,
                                                   struct GasReport* gas_report,
                                                   struct UnmanagedVector* error_msg);

/** execute(env, info, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector execute(struct cache_t* cache,
                                               struct ByteSliceView checksum,
                                               struct ByteSliceView env,
                                               struct ByteSliceView info,
                                               struct ByteSliceView msg,
                                               struct Db db,
                                               struct GoApi api,
                                               struct GoQuerier querier,
                                               uint64_t gas_limit,
                                               bool print_debug,
                                               struct GasReport* gas_report,
                                               struct UnmanagedVector* error_msg);

/** migrate(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector migrate(struct cache_t* cache,
                                               struct ByteSliceView checksum,
                                               struct ByteSliceView env,
                                               struct ByteSliceView msg,
                                               struct Db db,
                                               struct GoApi api,
                                               struct GoQuerier querier,
                                               uint64_t gas_limit,
                                               bool print_debug,
                                               struct GasReport* gas_report,
                                               struct UnmanagedVector* error_msg);

/** migrate(env, msg, migrate_info), falling back to migrate(env, msg) for older contracts. */
WVM_CAPI_EXPORT struct UnmanagedVector migrate_with_info(struct cache_t* cache,
                                                         struct ByteSliceView checksum,
                                                         struct ByteSliceView env,
                                                         struct ByteSliceView msg,
                                                         struct ByteSliceView migrate_info,
                                                         struct Db db,
                                                         struct GoApi api,
                                                         struct GoQuerier querier,
                                                         uint64_t gas_limit,
                                                         bool print_debug,
                                                         struct GasReport* gas_report,
                                                         struct UnmanagedVector* error_msg);

/** sudo(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector sudo(struct cache_t* cache,
                                            struct ByteSliceView checksum,
                                            struct ByteSliceView env,
                                            struct ByteSliceView msg,
                                            struct Db db,
                                            struct GoApi api,
                                            struct GoQuerier querier,
                                            uint64_t gas_limit,
                                            bool print_debug,
                                            struct GasReport* gas_report,
                                            struct UnmanagedVector* error_msg);

/** reply(env, reply). */
WVM_CAPI_EXPORT struct UnmanagedVector reply(struct cache_t* cache,
                                             struct ByteSliceView checksum,
                                             struct ByteSliceView env,
                                             struct ByteSliceView msg,
                                             struct Db db,
                                             struct GoApi api,
                                             struct GoQuerier querier,
                                             uint64_t gas_limit,
                                             bool print_debug,
                                             struct GasReport* gas_report,
                                             struct UnmanagedVector* error_msg);

/** query(env, msg), with read-only storage. */
WVM_CAPI_EXPORT struct UnmanagedVector query(struct cache_t* cache,
                                             struct ByteSliceView checksum,
                                             struct ByteSliceView env,
                                             struct ByteSliceView msg,
                                             struct Db db,
                                             struct GoApi api,
                                             struct GoQuerier querier,
                                             uint64_t gas_limit,
                                             bool print_debug,
                                             struct GasReport* gas_report,
                                             struct UnmanagedVector* error_msg);

/** ibc_channel_open(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_channel_open(struct cache_t* cache,
                                                        struct ByteSliceView checksum,
                                                        struct ByteSliceView env,
                                                        struct ByteSliceView msg,
                                                        struct Db db,
                                                        struct GoApi api,
                                                        struct GoQuerier querier,
                                                        uint64_t gas_limit,
                                                        bool print_debug,
                                                        struct GasReport* gas_report,
                                                        struct UnmanagedVector* error_msg);

/** ibc_channel_connect(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_channel_connect(struct cache_t* cache,
                                                           struct ByteSliceView checksum,
                                                           struct ByteSliceView env,
                                                           struct ByteSliceView msg,
                                                           struct Db db,
                                                           struct GoApi api,
                                                           struct GoQuerier querier,
                                                           uint64_t gas_limit,
                                                           bool print_debug,
                                                           struct GasReport* gas_report,
                                                           struct UnmanagedVector* error_msg);

/** ibc_channel_close(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_channel_close(struct cache_t* cache,
                                                         struct ByteSliceView checksum,
                                                         struct ByteSliceView env,
                                                         struct ByteSliceView msg,
                                                         struct Db db,
                                                         struct GoApi api,
                                                         struct GoQuerier querier,
                                                         uint64_t gas_limit,
                                                         bool print_debug,
                                                         struct GasReport* gas_report,
                                                         struct UnmanagedVector* error_msg);

/** ibc_packet_receive(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_packet_receive(struct cache_t* cache,
                                                          struct ByteSliceView checksum,
                                                          struct ByteSliceView env,
                                                          struct ByteSliceView msg,
                                                          struct Db db,
                                                          struct GoApi api,
                                                          struct GoQuerier querier,
                                                          uint64_t gas_limit,
                                                          bool print_debug,
                                                          struct GasReport* gas_report,
                                                          struct UnmanagedVector* error_msg);

/** ibc_packet_ack(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_packet_ack(struct cache_t* cache,
                                                      struct ByteSliceView checksum,
                                                      struct ByteSliceView env,
                                                      struct ByteSliceView msg,
                                                      struct Db db,
                                                      struct GoApi api,
                                                      struct GoQuerier querier,
                                                      uint64_t gas_limit,
                                                      bool print_debug,
                                                      struct GasReport* gas_report,
                                                      struct UnmanagedVector* error_msg);

/** ibc_packet_timeout(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_packet_timeout(struct cache_t* cache,
                                                          struct ByteSliceView checksum,
                                                          struct ByteSliceView env,
                                                          struct ByteSliceView msg,
                                                          struct Db db,
                                                          struct GoApi api,
                                                          struct GoQuerier querier,
                                                          uint64_t gas_limit,
                                                          bool print_debug,
                                                          struct GasReport* gas_report,
                                                          struct UnmanagedVector* error_msg);

/** ibc_source_callback(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_source_callback(struct cache_t* cache,
                                                           struct ByteSliceView checksum,
                                                           struct ByteSliceView env,
                                                           struct ByteSliceView msg,
                                                           struct Db db,
                                                           struct GoApi api,
                                                           struct GoQuerier querier,
                                                           uint64_t gas_limit,
                                                           bool print_debug,
                                                           struct GasReport* gas_report,
                                                           struct UnmanagedVector* error_msg);

/** ibc_destination_callback(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc_destination_callback(struct cache_t* cache,
                                                                struct ByteSliceView checksum,
                                                                struct ByteSliceView env,
                                                                struct ByteSliceView msg,
                                                                struct Db db,
                                                                struct GoApi api,
                                                                struct GoQuerier querier,
                                                                uint64_t gas_limit,
                                                                bool print_debug,
                                                                struct GasReport* gas_report,
                                                                struct UnmanagedVector* error_msg);

/** ibc2_packet_receive(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc2_packet_receive(struct cache_t* cache,
                                                           struct ByteSliceView checksum,
                                                           struct ByteSliceView env,
                                                           struct ByteSliceView msg,
                                                           struct Db db,
                                                           struct GoApi api,
                                                           struct GoQuerier querier,
                                                           uint64_t gas_limit,
                                                           bool print_debug,
                                                           struct GasReport* gas_report,
                                                           struct UnmanagedVector* error_msg);

/** ibc2_packet_ack(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc2_packet_ack(struct cache_t* cache,
                                                       struct ByteSliceView checksum,
                                                       struct ByteSliceView env,
                                                       struct ByteSliceView msg,
                                                       struct Db db,
                                                       struct GoApi api,
                                                       struct GoQuerier querier,
                                                       uint64_t gas_limit,
                                                       bool print_debug,
                                                       struct GasReport* gas_report,
                                                       struct UnmanagedVector* error_msg);

/** ibc2_packet_timeout(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc2_packet_timeout(struct cache_t* cache,
                                                           struct ByteSliceView checksum,
                                                           struct ByteSliceView env,
                                                           struct ByteSliceView msg,
                                                           struct Db db,
                                                           struct GoApi api,
                                                           struct GoQuerier querier,
                                                           uint64_t gas_limit,
                                                           bool print_debug,
                                                           struct GasReport* gas_report,
                                                           struct UnmanagedVector* error_msg);

/** ibc2_packet_send(env, msg). */
WVM_CAPI_EXPORT struct UnmanagedVector ibc2_packet_send(struct cache_t* cache,
                                                        struct ByteSliceView checksum,
                                                        struct ByteSliceView env,
                                                        struct ByteSliceView msg,
                                                        struct Db db,
                                                        struct GoApi api,
                                                        struct GoQuerier querier,
                                                        uint64_t gas_limit,
                                                        bool print_debug,
                                                        struct GasReport* gas_report,
                                                        struct UnmanagedVector* error_msg);

/** A vector holding a copy of ptr[0..length) (None if nil); for the callbacks' outputs. */
WVM_CAPI_EXPORT struct UnmanagedVector new_unmanaged_vector(bool nil,
                                                            const uint8_t* ptr,
                                                            uintptr_t length);

/** Frees a vector this library made; None and empty vectors are fine. */
WVM_CAPI_EXPORT void destroy_unmanaged_vector(struct UnmanagedVector v);

/** The libwasmvm version this library stands in for ("3.0.x"); static, not to be freed. */
WVM_CAPI_EXPORT const char* version_str(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WVM_COSMWASM_CAPI_BINDINGS_H_ */
