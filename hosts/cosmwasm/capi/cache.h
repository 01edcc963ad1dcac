// The contract cache behind cache_t, after cosmwasm-vm 3.0's Cache
// (packages/vm/src/cache.rs) as libwasmvm configures it: stored code lives
// in <base_dir>/state/wasm/<checksum hex>.wasm (the same layout, so a node's
// existing data directory keeps working); compiled contracts live on disk in
// the file-system module cache (<base_dir>/cache/modules/wvm1/, serialized
// tier-0 and tier-1 code, so a restarted node does not compile again) and in
// memory, in a size-bounded LRU cache and a pinned cache. Lookups and the
// hit/miss counters follow cosmwasm-vm: pinned, memory, file system, else a
// miss that compiles the stored wasm and fills the file-system cache.
//
// Thread safety: every method may be called from any thread; the maps and
// statistics are guarded by one mutex, compilation and file I/O run outside
// it, and the Runtime's engine is itself thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "hosts/cosmwasm/analysis.h"
#include "hosts/cosmwasm/capi/bindings.h"
#include "hosts/cosmwasm/capi/ffi.h"
#include "hosts/cosmwasm/vm.h"

namespace wvm::cosmwasm::capi {

/// cosmwasm-vm's Config as wasmvm's Go side serializes its VMConfig.
struct CacheConfig {
  std::string base_dir;
  std::set<std::string> available_capabilities;
  uint64_t memory_cache_size_bytes = 0;
  uint64_t instance_memory_limit_bytes = 0;
  WasmLimits wasm_limits;  ///< cosmwasm-vm's defaults where the config leaves a limit out
  /// wvm's own settings, outside libwasmvm's config: the optional top-level
  /// {"wvm": {"vm_version": "3.0.9", "tier": "jit"}}, or the environment
  /// variables WVM_COSMWASM_VM_VERSION and WVM_COSMWASM_TIER (the config wins).
  VmVersion vm_version = VmVersion::V3_0;
  TierPolicy tier = TierPolicy::Auto;
};

/// Parses the config JSON ({"wasm_limits":{...},"cache":{...}}).
CapiResult<CacheConfig> parse_cache_config(ByteView json);

/// A compiled contract, its serialized form, and the bytes it is accounted
/// for in a memory cache: the size of that form (cosmwasm-vm counts its
/// module file's size the same way).
struct CachedContract {
  std::shared_ptr<const Contract> contract;
  uint64_t size = 0;
  Bytes artifact;
};

class Cache {
 public:
  /// Creates the directories and the runtime.
  static CapiResult<std::unique_ptr<Cache>> open(CacheConfig config);

  /// store_code: check_wasm (if `checked`), compile, and with `persist` save
  /// the wasm and the compiled module (file-system cache; not memory).
  CapiResult<Checksum> store_code(ByteView wasm, bool checked, bool persist);
  /// Removes the stored wasm (not the compiled contracts in memory, as cosmwasm-vm).
  CapiResult<Unit> remove_wasm(const Checksum& checksum);
  /// The stored wasm, verified against its checksum.
  CapiResult<Bytes> load_wasm(const Checksum& checksum);
  CapiResult<Unit> pin(const Checksum& checksum);
  CapiResult<Unit> unpin(const Checksum& checksum);
  /// Pins every checksum in `wanted` not pinned yet (stopping at the first
  /// error), then unpins every pinned one not in `wanted`.
  CapiResult<Unit> sync_pinned_codes(const std::vector<Checksum>& wanted);
  /// analyze() of the stored wasm.
  CapiResult<wvm::cosmwasm::AnalysisReport> analyze(const Checksum& checksum);
  ::Metrics metrics();
  /// get_pinned_metrics' MessagePack.
  Bytes pinned_metrics_msgpack();

  /// The compiled contract for a call: pinned, else from the memory cache,
  /// else from the file-system cache, else compiled from the stored wasm
  /// (and stored there); the last two are put in the memory cache.
  CapiResult<std::shared_ptr<const Contract>> get_contract(const Checksum& checksum);

  Runtime& runtime() noexcept { return *runtime_; }

 private:
  struct Pinned {
    CachedContract module;
    uint32_t hits = 0;
  };
  struct MemoryEntry {
    CachedContract module;
    std::list<Checksum>::iterator lru;  // position in lru_ (front: most recent)
  };
  struct Stats {
    uint32_t hits_pinned_memory_cache = 0;
    uint32_t hits_memory_cache = 0;
    uint32_t hits_fs_cache = 0;
    uint32_t misses = 0;
  };

  explicit Cache(CacheConfig config);
  std::string wasm_path(const Checksum& checksum) const;
  /// Compiles `wasm` and measures the result.
  CapiResult<CachedContract> compile(ByteView wasm);
  CapiResult<Unit> save_wasm(const Checksum& checksum, ByteView wasm);
  /// The file-system cache's module, counted as a hit there, else the
  /// stored wasm compiled (a miss) and written to the file-system cache.
  CapiResult<CachedContract> load_or_compile(const Checksum& checksum);
  std::string module_path(const Checksum& checksum) const;
  CapiResult<Unit> module_store(const Checksum& checksum, const CachedContract& module);
  /// nullopt if absent, stale or corrupted.
  std::optional<CachedContract> module_load(const Checksum& checksum);

  // All below: mutex_ held.
  void memory_insert(const Checksum& checksum, CachedContract module);
  const CachedContract* memory_find(const Checksum& checksum);

  CacheConfig config_;
  std::string wasm_dir_;
  std::string module_dir_;
  std::unique_ptr<Runtime> runtime_;

  std::mutex mutex_;
  std::map<Checksum, Pinned> pinned_;
  uint64_t pinned_size_ = 0;
  std::map<Checksum, MemoryEntry> memory_;
  std::list<Checksum> lru_;
  uint64_t memory_size_ = 0;
  Stats stats_;
};

}  // namespace wvm::cosmwasm::capi
