// The wvm embedding API: engine, module compilation, store, instances,
// runtime objects and calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wvm/config.h"
#include "wvm/module.h"
#include "wvm/types.h"

namespace wvm {

class Instance;
class Store;
struct Func;

class MemoryPool;
class BackgroundCompiler;
class TypeRegistry;
class Store;
struct ExecContext;
namespace jit {
class Backend;
}

/// Shared, thread-safe engine state: configuration, the canonical
/// function-type registry that makes call_indirect type checks one compare,
/// tier 1's code memory and the pool of linear-memory reservations. An
/// engine must outlive every store and memory made with it; a module may
/// outlive it (it keeps its code and types alive). What a dropped module
/// held (code space, interned types) is reclaimed.
class Engine {
 public:
  explicit Engine(Config config = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Config& config() const noexcept { return config_; }
  /// The engine-wide id of a function type; equal types get equal ids.
  /// Takes a reference, which the caller gives back with release_type().
  uint32_t intern_type(const FuncType& type);
  /// Drops a reference from intern_type(); an id nobody holds may be reused.
  void release_type(uint32_t type_id) noexcept;
  /// Function types currently interned (held by live modules and host functions).
  size_t live_types() const;
  /// Internal: the registry, shared with modules that may outlive the engine.
  const std::shared_ptr<TypeRegistry>& type_registry() const noexcept { return types_; }
  MemoryPool& memory_pool() noexcept { return *pool_; }
  /// Tier 1's backend, or nullptr (policy Interp, or no backend for this host).
  jit::Backend* jit_backend() noexcept { return jit_.get(); }
  const jit::Backend* jit_backend() const noexcept { return jit_.get(); }
  /// Functions tier 1 compiled, those it could not compile yet (they stay in
  /// tier 0), and running tier-0 calls moved into tier-1 code at a hot loop
  /// (on-stack replacement).
  struct TierStats {
    uint64_t compiled = 0;
    uint64_t unsupported = 0;
    uint64_t osr_entries = 0;
  };
  TierStats tier_stats() const noexcept {
    return {tier1_compiled_.load(std::memory_order_relaxed),
            tier1_unsupported_.load(std::memory_order_relaxed),
            osr_entries_.load(std::memory_order_relaxed)};
  }
  /// Tier 1's code memory (TierConfig::code_space_bytes): bytes held by live
  /// modules' code, the capacity, and how many compilations (or cached-module
  /// loads) found no room. All zero without tier 1.
  struct CodeSpaceStats {
    size_t used_bytes = 0;
    size_t capacity_bytes = 0;
    uint64_t exhausted = 0;
  };
  CodeSpaceStats code_space() const;
  /// The background compile thread, or nullptr (TierConfig::background_compile off).
  BackgroundCompiler* background_compiler() noexcept { return background_.get(); }
  /// Internal: counts a tier-1 compilation outcome.
  void count_tier1(bool compiled) noexcept {
    (compiled ? tier1_compiled_ : tier1_unsupported_).fetch_add(1, std::memory_order_relaxed);
  }
  /// Internal: counts an on-stack replacement.
  void count_osr() noexcept { osr_entries_.fetch_add(1, std::memory_order_relaxed); }
  /// Instance memory (tables and instance state) all stores of this engine
  /// hold now; bounded by RuntimeLimits::engine_instance_bytes.
  uint64_t instance_bytes() const noexcept {
    return instance_bytes_.load(std::memory_order_relaxed);
  }
  /// Internal: the counter behind instance_bytes(), charged by every store.
  std::atomic<uint64_t>& instance_bytes_counter() noexcept { return instance_bytes_; }
  /// Internal: execution stacks, pooled across stores.
  std::unique_ptr<ExecContext> acquire_exec(Store& store);
  void release_exec(std::unique_ptr<ExecContext> exec) noexcept;

 private:
  Config config_;
  std::shared_ptr<TypeRegistry> types_;
  std::unique_ptr<MemoryPool> pool_;
  std::unique_ptr<jit::Backend> jit_;
  std::atomic<uint64_t> tier1_compiled_{0};
  std::atomic<uint64_t> tier1_unsupported_{0};
  std::atomic<uint64_t> osr_entries_{0};
  std::atomic<uint64_t> instance_bytes_{0};
  std::unique_ptr<BackgroundCompiler> background_;  // after jit_: stops before it dies
  std::mutex exec_mutex_;
  std::vector<std::unique_ptr<ExecContext>> idle_exec_;
};

/// Decodes, validates and prepares a module for execution.
Result<std::shared_ptr<const Module>> compile(Engine& engine, const uint8_t* data, size_t size);
/// The compiled module as bytes: everything needed to run it without
/// validating, preparing or tier-1 compiling again (its wasm, tier-0 code and
/// whatever tier-1 code it has, with relocations). `engine` must be the one
/// that compiled it.
Result<std::vector<uint8_t>> serialize_module(const Engine& engine, const Module& module);
/// A module from serialize_module's bytes, ready to run: tier-1 code is
/// relocated and installed, not compiled. Fails with ErrorKind::Stale when the
/// bytes come from another wvm build or format version, another engine
/// configuration that affects code (bounds strategy, metering and its gas
/// profile, module limits), another CPU architecture or other CPU features
/// than this engine's tier 1 uses; with Malformed when they are truncated or
/// corrupted (a checksum covers them all). The checksum guards against
/// accidents, not attackers: load only bytes this node wrote.
Result<std::shared_ptr<const Module>> deserialize_module(Engine& engine, const uint8_t* data,
                                                         size_t size);
/// Decodes and validates only (no preparation); for `wvm validate`.
Result<void> validate(Engine& engine, const uint8_t* data, size_t size);
/// Reads a whole file; ErrorKind::Io on failure.
Result<std::vector<uint8_t>> read_file(const std::string& path);

/// A linear memory, backed by a reservation from the engine's pool. Its base
/// address never changes, even when it grows.
class Memory {
 public:
  static constexpr uint64_t kPageSize = 65536;
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  uint8_t* data() noexcept { return base_; }
  uint64_t size_bytes() const noexcept { return size_; }
  uint32_t pages() const noexcept { return static_cast<uint32_t>(size_ / kPageSize); }
  const MemoryType& type() const noexcept { return type_; }
  /// The most pages it may grow to: the type's maximum capped by the engine limit
  /// (and, with explicit checks, by the reservation the OS granted).
  uint32_t max_pages() const noexcept { return max_pages_; }
  /// Grows by `delta` pages; returns the old size in pages, or -1 (memory
  /// unchanged) past the maximum, past the engine limit, or if the OS refuses.
  int64_t grow(uint32_t delta) noexcept;
  /// Internal: where the current size in bytes lives in a Memory (for tier 1).
  static size_t size_offset() noexcept;

 private:
  friend class Store;
  Memory(MemoryType type, uint32_t max_pages, MemoryPool* pool, uint8_t* base,
         uint64_t reserved);

  MemoryType type_;
  uint32_t max_pages_;
  MemoryPool* pool_;
  uint8_t* base_;
  uint64_t reserved_;
  uint64_t size_;
  uint64_t image_offset_ = 0;  // a mapped MemoryImage, undone on release
  uint64_t image_size_ = 0;
};

/// Internal: the instance memory one store holds (its tables' elements and
/// its instances' runtime state), charged against the store's budget and the
/// engine's shared one (RuntimeLimits::store_instance_bytes and
/// engine_instance_bytes). Charged before allocating, released when the
/// object dies, so neither a store nor an engine can be made to allocate
/// past its budget.
class InstanceBudget {
 public:
  InstanceBudget(const RuntimeLimits& limits, std::atomic<uint64_t>& engine_used) noexcept
      : limit_(limits.store_instance_bytes),
        engine_limit_(limits.engine_instance_bytes),
        engine_used_(&engine_used) {}
  InstanceBudget(const InstanceBudget&) = delete;
  InstanceBudget& operator=(const InstanceBudget&) = delete;
  /// Takes `bytes` from both budgets; false, taking nothing, if either would
  /// be exceeded.
  [[nodiscard]] bool charge(uint64_t bytes) noexcept;
  void release(uint64_t bytes) noexcept;
  /// Why charge(bytes) failed, with the figures (for an Uninstantiable error).
  std::string exhausted_message(const std::string& what, uint64_t bytes) const;
  uint64_t used() const noexcept { return used_; }

 private:
  uint64_t used_ = 0;
  uint64_t limit_;
  uint64_t engine_limit_;
  std::atomic<uint64_t>* engine_used_;
};

/// A table of references (Func* cast to uint64 for funcref, opaque handles for
/// externref; 0 is null). Its elements are charged to its store's
/// InstanceBudget and allocated without exceptions: growth the budget or the
/// OS refuses fails cleanly.
class Table {
 public:
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  const TableType& type() const noexcept { return type_; }
  uint32_t size() const noexcept { return size_; }
  uint64_t* data() noexcept { return elems_; }
  /// The most elements it may grow to (the type's maximum capped by the engine limit).
  uint32_t max_size() const noexcept { return max_; }
  /// Grows by `delta` elements set to `init`; returns the old size, or -1
  /// (table unchanged) past the maximum, past the instance-memory budget, or
  /// if the allocation fails.
  int64_t grow(uint32_t delta, uint64_t init) noexcept;

 private:
  friend class Store;
  Table(TableType type, uint32_t max_elements_limit, InstanceBudget* budget) noexcept;
  // Makes room for `n` elements (charged); false if the budget or the OS refuses.
  bool reserve(uint32_t n) noexcept;

  TableType type_;
  uint32_t max_;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  uint64_t* elems_ = nullptr;  // malloc'ed: realloc may fail without throwing
  InstanceBudget* budget_;
};

/// A global variable.
struct Global {
  GlobalType type;
  uint64_t bits = 0;  ///< the value's raw bits
  Value value() const noexcept { return {type.type, bits}; }
};

/// What a host function sees of its caller.
struct HostCall {
  Store* store;
  Instance* caller;  ///< the calling instance, or nullptr when called from the embedder
  void* user_data;
  /// The caller's memory 0, or nullptr.
  Memory* memory() const noexcept;
  /// Charges `gas` to the running call (counted as used externally). Returns
  /// TrapKind::OutOfGas, leaving no gas, if not enough is left; the host
  /// function should then return that trap.
  TrapKind charge(uint64_t gas) const noexcept;
  /// Raises a host trap that carries `message` (CallResult::message): the
  /// host function returns what this returns (TrapKind::HostError).
  TrapKind trap(std::string message) const;
};

/// A host function: reads args (typed by its FuncType), writes results, and
/// returns TrapKind::None or the trap to raise.
using HostFunc = TrapKind (*)(HostCall& call, const Value* args, Value* results);
/// The same as a callable that may hold state (a lambda with captures).
using HostFunction = std::function<TrapKind(HostCall& call, const Value* args, Value* results)>;

/// A function instance: wasm code of an instance, or a host function.
struct Func {
  uint32_t type_id = 0;             ///< Engine::intern_type of its type
  const FuncType* type = nullptr;
  Instance* instance = nullptr;     ///< owning instance (wasm functions)
  const FuncCode* code = nullptr;   ///< tier-0 code (wasm functions)
  uint32_t func_index = 0;          ///< index in the owning module
  HostFunc host = nullptr;          ///< set for host functions
  void* host_data = nullptr;
};

/// An import or export value.
struct Extern {
  ExternKind kind = ExternKind::Func;
  void* ptr = nullptr;  ///< Func*, Table*, Memory* or Global*, by kind

  static Extern func(Func* f) { return {ExternKind::Func, f}; }
  static Extern table(Table* t) { return {ExternKind::Table, t}; }
  static Extern memory(Memory* m) { return {ExternKind::Memory, m}; }
  static Extern global(Global* g) { return {ExternKind::Global, g}; }
  Func* as_func() const { return kind == ExternKind::Func ? static_cast<Func*>(ptr) : nullptr; }
  Table* as_table() const { return kind == ExternKind::Table ? static_cast<Table*>(ptr) : nullptr; }
  Memory* as_memory() const {
    return kind == ExternKind::Memory ? static_cast<Memory*>(ptr) : nullptr;
  }
  Global* as_global() const {
    return kind == ExternKind::Global ? static_cast<Global*>(ptr) : nullptr;
  }
};

struct InstanceData;  // the instance's runtime data block (exec/instance_layout.h)

/// An instantiated module. Owned by its Store. Its runtime state (data
/// block, function and global instances, segment-drop bits) is one set of
/// non-throwing allocations charged to the store's InstanceBudget.
class Instance {
 public:
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const std::shared_ptr<const Module>& module() const noexcept { return module_; }
  /// The export named `name`; an Extern with ptr == nullptr if absent.
  Extern find_export(std::string_view name) const;
  Func* func(uint32_t index) const noexcept;
  Table* table(uint32_t index) const noexcept;
  Global* global(uint32_t index) const noexcept;
  /// Memory 0, or nullptr if the module has none.
  Memory* memory() const noexcept;

  /// Internal: the runtime data block generated code addresses.
  InstanceData* data() const noexcept { return data_; }
  /// Internal: whether element / data segment `seg` was dropped (a dropped
  /// segment behaves as empty). Declarative and active element segments are
  /// dropped from the start; the items themselves stay in the module.
  bool elem_dropped(uint32_t seg) const noexcept { return test_bit(seg); }
  bool data_dropped(uint32_t seg) const noexcept { return test_bit(num_elems_ + seg); }
  void drop_elem(uint32_t seg) noexcept { set_bit(seg); }
  void drop_data(uint32_t seg) noexcept { set_bit(num_elems_ + seg); }
  /// Internal: the module's own function and global instances.
  Func* own_funcs() const noexcept { return own_funcs_; }
  Global* own_globals() const noexcept { return own_globals_; }

 private:
  friend class Store;
  Instance(std::shared_ptr<const Module> module, InstanceBudget* budget) noexcept;
  // The bytes the runtime state of an instance of `m` takes.
  static uint64_t state_bytes(const Module& m) noexcept;
  // Allocates the runtime state (already charged); false if the OS refuses.
  bool allocate() noexcept;
  bool test_bit(uint32_t i) const noexcept { return (dropped_[i / 64] >> (i % 64)) & 1; }
  void set_bit(uint32_t i) noexcept { dropped_[i / 64] |= uint64_t{1} << (i % 64); }

  std::shared_ptr<const Module> module_;
  InstanceBudget* budget_;
  uint64_t charged_ = 0;
  InstanceData* data_ = nullptr;
  Func* own_funcs_ = nullptr;
  Global* own_globals_ = nullptr;
  uint64_t* dropped_ = nullptr;  // element segments' bits, then data segments'
  uint32_t num_elems_ = 0;
};

/// Gas accounting of a store's calls since set_gas_limit(), as CosmWasm's
/// GasReport: used_internally + used_externally + remaining == limit.
struct GasReport {
  uint64_t limit = 0;
  uint64_t remaining = 0;
  uint64_t used_externally = 0;  ///< charged by host functions
  uint64_t used_internally = 0;  ///< charged by metered wasm code
};

/// One frame of a trap's wasm backtrace.
struct TraceFrame {
  /// The module the function belongs to (frames of one trace may come from
  /// several modules linked through imports). Valid while an instance of it
  /// or the caller's shared_ptr lives; nullptr if the tier could not tell.
  const Module* module = nullptr;
  /// The function's index in its module, imports included, as wasm numbers them.
  uint32_t func_index = UINT32_MAX;
  /// Byte offset from the start of the module's bytes (as wasm-objdump and
  /// wasmtime print it) of the instruction that trapped (innermost frame) or
  /// of the call instruction (outer frames); UINT32_MAX if unknown.
  uint32_t offset = UINT32_MAX;
};

/// The most frames a trace records: the innermost ones; the rest are counted.
constexpr uint32_t kMaxTraceFrames = 64;

/// The outcome of a call.
struct CallResult {
  TrapKind trap = TrapKind::None;
  std::vector<Value> results;
  /// When the call trapped: the wasm frames it unwound, innermost first (a
  /// trap raised by a host function starts at the wasm function that called
  /// it). At most kMaxTraceFrames; `trace_omitted` counts the outer frames
  /// left out.
  std::vector<TraceFrame> trace;
  uint32_t trace_omitted = 0;
  /// When the call trapped, what the trap says: a host function's own
  /// message (HostCall::trap) or, for other traps, trap_message(trap). When
  /// the call was refused (HostError before running), which argument was
  /// wrong and why.
  std::string message;
  bool ok() const noexcept { return trap == TrapKind::None; }
};


/// Owns runtime objects and instances. A Store is used by one thread at a time.
class Store {
 public:
  explicit Store(Engine& engine);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Engine& engine() noexcept { return engine_; }

  /// A host function of this store (HostCall::user_data is `user_data`).
  Func* create_host_func(FuncType type, HostFunc fn, void* user_data);
  /// A host function that is a callable with its own state; it lives (and
  /// is destroyed) with the store.
  Func* create_host_func(FuncType type, HostFunction fn);
  /// Fails (Uninstantiable) if the memory pool cannot provide a reservation.
  Result<Memory*> create_memory(MemoryType type);
  /// Fails (Uninstantiable) past the engine's table-size limit, past the
  /// instance-memory budget, or if the allocation fails.
  Result<Table*> create_table(TableType type, uint64_t init = 0);
  Global* create_global(GlobalType type, Value init);

  /// Links `imports` (one per module import, in order), allocates the
  /// instance, applies segments and runs the start function. On a trap during
  /// instantiation the error kind is Uninstantiable; effects on imported
  /// memories and tables made before the trap remain, as the spec requires.
  Result<Instance*> instantiate(std::shared_ptr<const Module> module,
                                const std::vector<Extern>& imports);
  /// The same; when the start function traps, `start_trap` receives its
  /// outcome (trap, message, trace) besides the Uninstantiable error.
  Result<Instance*> instantiate(std::shared_ptr<const Module> module,
                                const std::vector<Extern>& imports, CallResult* start_trap);

  /// Calls `func` with `args` (checked against its type: a mismatch is a
  /// HostError whose message names the argument).
  CallResult call(Func* func, const std::vector<Value>& args);

  /// Sets the gas the next calls may use (default: unlimited). Metered code
  /// (Config::metering) and host functions (HostCall::charge) draw from it;
  /// running out traps with TrapKind::OutOfGas and leaves 0.
  void set_gas_limit(uint64_t limit) noexcept;
  uint64_t gas_left() const noexcept;
  GasReport gas_report() const noexcept;

  /// Internal: the execution state used by the interpreter.
  ExecContext& exec() noexcept { return *exec_; }
  /// Internal: the instance of this store whose module's tier-0 code holds
  /// `ip`, and that code; nullptr if none does (for traces only: linear).
  const Instance* instance_with_code(const uint64_t* ip, const FuncCode** code) const noexcept;
  /// Internal: the same for tier-1 code holding `pc`.
  const Instance* instance_with_jit_code(uintptr_t pc, const FuncCode** code) const noexcept;
  /// Instance memory this store holds now (RuntimeLimits::store_instance_bytes).
  uint64_t instance_bytes() const noexcept { return budget_.used(); }

 private:
  Engine& engine_;
  std::unique_ptr<ExecContext> exec_;
  InstanceBudget budget_;  // before the objects charged to it: it dies after them
  struct HostFuncBox;  // a host Func with storage for its type
  std::vector<std::unique_ptr<HostFuncBox>> host_funcs_;
  std::vector<std::unique_ptr<Memory>> memories_;
  std::vector<std::unique_ptr<Table>> tables_;
  std::vector<std::unique_ptr<Global>> globals_;
  std::vector<std::unique_ptr<Instance>> instances_;
};

}  // namespace wvm
