// Runtime objects, linking, instantiation and calls.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <type_traits>

#include "engine/type_registry.h"
#include "exec/exec_context.h"
#include "exec/instance_layout.h"
#include "exec/runtime_ops.h"
#include "memory/image.h"
#include "memory/pool.h"
#include "tier0-interp/interp.h"
#include "wvm/wvm.h"

namespace wvm {

Memory* HostCall::memory() const noexcept { return caller ? caller->memory() : nullptr; }

// ---------------------------------------------------------------- InstanceBudget

bool InstanceBudget::charge(uint64_t bytes) noexcept {
  if (bytes > limit_ - used_) return false;
  // The engine's counter is shared by the stores of every thread: take the
  // bytes only if the total stays within its limit.
  uint64_t engine_used = engine_used_->load(std::memory_order_relaxed);
  do {
    if (bytes > engine_limit_ || engine_used > engine_limit_ - bytes) return false;
  } while (!engine_used_->compare_exchange_weak(engine_used, engine_used + bytes,
                                                std::memory_order_relaxed));
  used_ += bytes;
  return true;
}

void InstanceBudget::release(uint64_t bytes) noexcept {
  used_ -= bytes;
  engine_used_->fetch_sub(bytes, std::memory_order_relaxed);
}

std::string InstanceBudget::exhausted_message(const std::string& what, uint64_t bytes) const {
  const uint64_t engine_used = engine_used_->load(std::memory_order_relaxed);
  const bool store_full = bytes > limit_ - used_;
  return what + " needs " + std::to_string(bytes) + " bytes: the " +
         (store_full ? "store's" : "engine's") + " instance memory budget of " +
         std::to_string(store_full ? limit_ : engine_limit_) + " bytes is exhausted (" +
         std::to_string(store_full ? used_ : engine_used) + " in use)";
}

// ---------------------------------------------------------------- Table

Table::Table(TableType type, uint32_t max_elements_limit, InstanceBudget* budget) noexcept
    : type_(type), budget_(budget) {
  const uint64_t max = type.limits.has_max ? type.limits.max : 0xffffffffull;
  max_ = static_cast<uint32_t>(std::min<uint64_t>(max, max_elements_limit));
}

Table::~Table() {
  std::free(elems_);
  budget_->release(uint64_t{capacity_} * sizeof(uint64_t));
}

bool Table::reserve(uint32_t n) noexcept {
  if (n <= capacity_) return true;
  // Growing by half again keeps a loop of small table.grows linear, but never
  // past the maximum, and never at the price of failing what an exact
  // allocation would allow.
  const uint64_t roomy = std::min<uint64_t>(max_, uint64_t{capacity_} + capacity_ / 2);
  const uint64_t tries[2] = {std::max<uint64_t>(n, roomy), n};
  for (int i = 0; i < 2; ++i) {
    const uint64_t cap = tries[i];
    if (i == 1 && cap == tries[0]) break;  // the first try was already exact
    const uint64_t extra = (cap - capacity_) * sizeof(uint64_t);
    if (!budget_->charge(extra)) continue;
    // A first allocation is calloc'ed: large ones come as untouched zero
    // pages, so a table of nulls costs no resident memory until it is used.
    void* p = elems_ == nullptr ? std::calloc(static_cast<size_t>(cap), sizeof(uint64_t))
                                : std::realloc(elems_, static_cast<size_t>(cap) * sizeof(uint64_t));
    if (p == nullptr) {
      budget_->release(extra);
      continue;
    }
    elems_ = static_cast<uint64_t*>(p);
    capacity_ = static_cast<uint32_t>(cap);
    return true;
  }
  return false;
}

int64_t Table::grow(uint32_t delta, uint64_t init) noexcept {
  const uint32_t old_size = size_;
  const uint64_t new_size = uint64_t{old_size} + delta;
  const bool fresh = elems_ == nullptr;
  if (new_size > max_ || !reserve(static_cast<uint32_t>(new_size))) return -1;
  if (!fresh || init != 0) std::fill(elems_ + old_size, elems_ + new_size, init);
  size_ = static_cast<uint32_t>(new_size);
  return old_size;
}

// ---------------------------------------------------------------- Instance

Instance::Instance(std::shared_ptr<const Module> module, InstanceBudget* budget) noexcept
    : module_(std::move(module)), budget_(budget) {}

uint64_t Instance::state_bytes(const Module& m) noexcept {
  const uint64_t bit_words = (uint64_t{m.elems.size()} + m.datas.size() + 63) / 64;
  return InstanceLayout::of(m).size + uint64_t{m.bodies.size()} * sizeof(Func) +
         uint64_t{m.global_defs.size()} * sizeof(Global) + bit_words * sizeof(uint64_t);
}

bool Instance::allocate() noexcept {
  const Module& m = *module_;
  num_elems_ = static_cast<uint32_t>(m.elems.size());
  data_ = static_cast<InstanceData*>(std::calloc(1, InstanceLayout::of(m).size));
  own_funcs_ = static_cast<Func*>(std::malloc(std::max<size_t>(m.bodies.size(), 1) * sizeof(Func)));
  own_globals_ =
      static_cast<Global*>(std::malloc(std::max<size_t>(m.global_defs.size(), 1) * sizeof(Global)));
  dropped_ = static_cast<uint64_t*>(
      std::calloc((m.elems.size() + m.datas.size()) / 64 + 1, sizeof(uint64_t)));
  if (!data_ || !own_funcs_ || !own_globals_ || !dropped_) return false;
  std::uninitialized_value_construct_n(own_funcs_, m.bodies.size());
  std::uninitialized_value_construct_n(own_globals_, m.global_defs.size());
  data_->instance = this;
  data_->num_funcs = m.num_funcs();
  data_->num_tables = static_cast<uint32_t>(m.tables.size());
  data_->num_globals = static_cast<uint32_t>(m.globals.size());
  return true;
}

Instance::~Instance() {
  // Func and Global are trivially destructible: freeing is all they need.
  static_assert(std::is_trivially_destructible_v<Func> && std::is_trivially_destructible_v<Global>);
  std::free(data_);
  std::free(own_funcs_);
  std::free(own_globals_);
  std::free(dropped_);
  budget_->release(charged_);
}

Func* Instance::func(uint32_t i) const noexcept {
  return data_->at<Func*>(InstanceLayout::of(*module_).func(i));
}
Table* Instance::table(uint32_t i) const noexcept {
  return data_->at<Table*>(InstanceLayout::of(*module_).table(i));
}
Global* Instance::global(uint32_t i) const noexcept {
  return data_->at<Global*>(InstanceLayout::of(*module_).global(i));
}
Memory* Instance::memory() const noexcept { return data_->memory; }

Extern Instance::find_export(std::string_view name) const {
  const Export* e = module_->find_export(std::string(name));
  if (e == nullptr) return Extern{};
  switch (e->kind) {
    case ExternKind::Func: return Extern::func(func(e->index));
    case ExternKind::Table: return Extern::table(table(e->index));
    case ExternKind::Memory: return Extern::memory(memory());
    case ExternKind::Global: return Extern::global(global(e->index));
  }
  return Extern{};
}

// ---------------------------------------------------------------- Store

Store::Store(Engine& engine)
    : engine_(engine),
      exec_(engine.acquire_exec(*this)),
      budget_(engine.config().runtime_limits, engine.instance_bytes_counter()) {}

Store::~Store() {
  // Instances first (they reference memories, tables and globals), then the
  // objects; memories hand their reservations back to the engine's pool.
  instances_.clear();
  memories_.clear();
  engine_.release_exec(std::move(exec_));
}

struct Store::HostFuncBox {
  Func func;
  FuncType type;
  HostFunction callable;  // for create_host_func(type, HostFunction)
  std::shared_ptr<TypeRegistry> types;  // holds func.type_id's reference
  ~HostFuncBox() {
    if (types) types->release(func.type_id);
  }
};

Func* Store::create_host_func(FuncType type, HostFunc fn, void* user_data) {
  auto box = std::make_unique<HostFuncBox>();
  box->type = std::move(type);
  Func& f = box->func;
  f.type = &box->type;
  f.type_id = engine_.intern_type(box->type);
  box->types = engine_.type_registry();
  f.host = fn;
  f.host_data = user_data;
  host_funcs_.push_back(std::move(box));
  return &host_funcs_.back()->func;
}

namespace {

TrapKind call_callable(HostCall& call, const Value* args, Value* results) {
  return (*static_cast<HostFunction*>(call.user_data))(call, args, results);
}

}  // namespace

Func* Store::create_host_func(FuncType type, HostFunction fn) {
  Func* f = create_host_func(std::move(type), &call_callable, nullptr);
  HostFuncBox& box = *host_funcs_.back();
  box.callable = std::move(fn);
  f->host_data = &box.callable;
  return f;
}

Result<Memory*> Store::create_memory(MemoryType type) {
  const Config& config = engine_.config();
  const uint64_t type_max = type.limits.has_max ? type.limits.max : 65536;
  const uint32_t max_pages =
      static_cast<uint32_t>(std::min<uint64_t>(type_max, config.module_limits.max_memory_pages));
  if (type.limits.min > max_pages)
    return Error{ErrorKind::Uninstantiable, 0,
                 "memory of " + std::to_string(type.limits.min) + " pages exceeds the limit of " +
                     std::to_string(max_pages) + " pages",
                 TrapKind::None};
  // Guard pages: the full 8 GiB window whatever the size, so no access can
  // escape. Explicit checks: only what the memory can ever grow to.
  const uint64_t reserve = config.memory.bounds == BoundsStrategy::GuardPages
                               ? kGuardReservationBytes
                               : std::max<uint64_t>(uint64_t{max_pages} * Memory::kPageSize, 4096);
  const uint64_t min_bytes = type.limits.min * Memory::kPageSize;
  Result<Reservation> r = engine_.memory_pool().acquire(reserve, min_bytes);
  uint32_t usable_pages = max_pages;
  // With explicit checks nothing depends on the reservation's size, so when
  // the OS refuses the maximum (an address-space limit such as `ulimit -v`)
  // take a quarter of what it would give, leaving room for stacks and code:
  // the memory then stops growing where its reservation ends (memory.grow
  // returns -1 there, as when the OS refuses to commit).
  if (!r && config.memory.bounds == BoundsStrategy::ExplicitChecks) {
    const uint64_t smaller =
        MemoryPool::available_size(reserve / 2, std::max<uint64_t>(min_bytes, 1), 4);
    if (smaller != 0) {
      r = engine_.memory_pool().acquire(smaller, min_bytes);
      if (r) usable_pages = static_cast<uint32_t>(smaller / Memory::kPageSize);
    }
  }
  if (!r) return r.error();
  memories_.push_back(std::unique_ptr<Memory>(
      new Memory(type, usable_pages, &engine_.memory_pool(), r->base, r->size)));
  return memories_.back().get();
}

Result<Table*> Store::create_table(TableType type, uint64_t init) {
  std::unique_ptr<Table> table(
      new Table(type, engine_.config().module_limits.max_table_elements, &budget_));
  auto error = [](std::string message) {
    return Error{ErrorKind::Uninstantiable, 0, std::move(message), TrapKind::None};
  };
  if (type.limits.min > table->max_size())
    return error("table of " + std::to_string(type.limits.min) +
                 " elements exceeds the limit of " + std::to_string(table->max_size()) +
                 " elements");
  const uint32_t min = static_cast<uint32_t>(type.limits.min);
  if (!table->reserve(min)) {
    const std::string what = "a table of " + std::to_string(min) + " elements";
    const uint64_t bytes = uint64_t{min} * sizeof(uint64_t);
    if (!budget_.charge(bytes)) return error(budget_.exhausted_message(what, bytes));
    budget_.release(bytes);
    return error("cannot allocate " + what + " (" + std::to_string(bytes) + " bytes)");
  }
  // The calloc'ed elements are null already: touch them only for another init.
  if (init != 0) std::fill(table->elems_, table->elems_ + min, init);
  table->size_ = min;
  tables_.push_back(std::move(table));
  return tables_.back().get();
}

Global* Store::create_global(GlobalType type, Value init) {
  globals_.push_back(std::make_unique<Global>(Global{type, init.bits}));
  return globals_.back().get();
}

namespace {

Error link_error(std::string message) {
  return Error{ErrorKind::Unlinkable, 0, std::move(message), TrapKind::None};
}

// Import subtyping of limits: what is provided must fit inside what is asked.
bool limits_match(uint64_t provided_min, bool provided_has_max, uint64_t provided_max,
                  const SizeLimits& wanted) {
  if (provided_min < wanted.min) return false;
  if (!wanted.has_max) return true;
  return provided_has_max && provided_max <= wanted.max;
}

std::string import_name(const Import& im) { return "\"" + im.module + "\".\"" + im.name + "\""; }

uint64_t eval_const(const ConstExpr& e, const Instance& inst) {
  switch (e.kind) {
    case ConstExpr::Kind::Value: return e.value.bits;
    case ConstExpr::Kind::GlobalGet: return inst.global(e.index)->bits;
    case ConstExpr::Kind::RefNull: return 0;
    case ConstExpr::Kind::RefFunc: return reinterpret_cast<uint64_t>(inst.func(e.index));
  }
  return 0;
}

}  // namespace

Result<Instance*> Store::instantiate(std::shared_ptr<const Module> module,
                                     const std::vector<Extern>& imports) {
  return instantiate(std::move(module), imports, nullptr);
}

Result<Instance*> Store::instantiate(std::shared_ptr<const Module> module_ptr,
                                     const std::vector<Extern>& imports, CallResult* start_trap) {
  const Module& m = *module_ptr;
  if (m.bounds != engine_.config().memory.bounds)
    return link_error("module was compiled for another bounds-check strategy than this store's");
  if (!(m.metering == engine_.config().metering))
    return link_error("module was compiled with other metering settings than this store's");
  if (imports.size() != m.imports.size())
    return link_error("expected " + std::to_string(m.imports.size()) + " imports, got " +
                      std::to_string(imports.size()));

  // Check every import before allocating anything: kinds, types, limits.
  for (size_t i = 0; i < imports.size(); ++i) {
    const Import& im = m.imports[i];
    const Extern& ex = imports[i];
    if (ex.ptr == nullptr) return link_error("unknown import " + import_name(im));
    if (ex.kind != im.kind)
      return link_error("incompatible import type for " + import_name(im) + ": expected " +
                        extern_kind_name(im.kind) + ", got " + extern_kind_name(ex.kind));
    bool ok = true;
    switch (im.kind) {
      case ExternKind::Func:
        ok = ex.as_func()->type_id == m.type_ids[im.func_type];
        break;
      case ExternKind::Table: {
        const Table* t = ex.as_table();
        ok = t->type().elem == im.table.elem &&
             limits_match(t->size(), t->type().limits.has_max, t->type().limits.max,
                          im.table.limits);
        break;
      }
      case ExternKind::Memory: {
        const Memory* mem = ex.as_memory();
        ok = limits_match(mem->pages(), mem->type().limits.has_max, mem->type().limits.max,
                          im.memory.limits);
        break;
      }
      case ExternKind::Global: {
        const Global* g = ex.as_global();
        ok = g->type.type == im.global.type && g->type.mut == im.global.mut;
        break;
      }
    }
    if (!ok) {
      std::string why = extern_kind_name(im.kind);
      if (im.kind == ExternKind::Func)
        why += ": expected " + func_type_string(m.types[im.func_type]) + ", got " +
               func_type_string(*ex.as_func()->type);
      return link_error("incompatible import type for " + import_name(im) + " (" + why + ")");
    }
  }

  // The store owns the instance from now on, even if instantiation fails: an
  // element segment may already have put its functions into an imported table.
  const uint64_t state_bytes = Instance::state_bytes(m);
  if (!budget_.charge(state_bytes))
    return Error{ErrorKind::Uninstantiable, 0,
                 budget_.exhausted_message("the instance's runtime state", state_bytes),
                 TrapKind::None};
  instances_.push_back(std::unique_ptr<Instance>(new Instance(module_ptr, &budget_)));
  Instance* self = instances_.back().get();
  self->charged_ = state_bytes;
  if (!self->allocate()) {
    instances_.pop_back();  // nothing refers to it yet
    return Error{ErrorKind::Uninstantiable, 0,
                 "cannot allocate the instance's runtime state (" + std::to_string(state_bytes) +
                     " bytes)",
                 TrapKind::None};
  }
  InstanceData* data = self->data();
  const InstanceLayout layout = InstanceLayout::of(m);
  uint32_t num_funcs = 0, num_tables = 0, num_globals = 0;
  for (size_t i = 0; i < imports.size(); ++i) {
    const Extern& ex = imports[i];
    switch (ex.kind) {
      case ExternKind::Func: data->at<Func*>(layout.func(num_funcs++)) = ex.as_func(); break;
      case ExternKind::Table: data->at<Table*>(layout.table(num_tables++)) = ex.as_table(); break;
      case ExternKind::Memory: data->memory = ex.as_memory(); break;
      case ExternKind::Global:
        data->at<Global*>(layout.global(num_globals++)) = ex.as_global();
        break;
    }
  }

  // The module's own functions, in one allocation.
  const uint32_t num_defined = static_cast<uint32_t>(m.bodies.size());
  for (uint32_t i = 0; i < num_defined; ++i) {
    Func& f = self->own_funcs()[i];
    const uint32_t index = m.num_imported_funcs + i;
    f.type = &m.func_type(index);
    f.type_id = m.type_ids[m.func_types[index]];
    f.instance = self;
    f.code = m.code[i].get();
    f.func_index = index;
    data->at<Func*>(layout.func(num_funcs++)) = &f;
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i) {
    Result<Table*> table = create_table(m.tables[i], 0);
    if (!table) return table.error();
    data->at<Table*>(layout.table(num_tables++)) = table.value();
  }
  bool data_from_image = false;
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    Result<Memory*> mem = create_memory(m.memories[i]);
    if (!mem) return mem.error();
    data->memory = mem.value();
    if (m.memory_image) {
      Memory& memory = *mem.value();
      const MemoryImage& image = *m.memory_image;
      if (image.map_into(memory.data())) {
        memory.image_offset_ = image.offset();
        memory.image_size_ = image.size();
        data_from_image = true;
      } else if (!unmap_image(memory.data() + image.offset(), image.size())) {
        // The range may now be unmapped: the memory's release discards it.
        memory.image_offset_ = image.offset();
        memory.image_size_ = image.size();
        return Error{ErrorKind::Uninstantiable, 0, "cannot map the memory image",
                     TrapKind::None};
      }
    }
  }
  if (data->memory != nullptr) data->memory_base = data->memory->data();
  for (size_t i = 0; i < m.global_defs.size(); ++i) {
    const GlobalDef& g = m.global_defs[i];
    Global* global = self->own_globals() + i;
    *global = Global{g.type, eval_const(g.init, *self)};
    data->at<Global*>(layout.global(num_globals++)) = global;
  }
  // Passive element segments stay available to table.init, which resolves
  // their items against this instance when it runs; declarative ones are
  // dropped from the start.
  for (size_t s = 0; s < m.elems.size(); ++s)
    if (m.elems[s].mode == SegmentMode::Declarative) self->drop_elem(static_cast<uint32_t>(s));

  // From here on effects are visible through imported tables and memories
  // even if a later step traps, as the spec requires.
  auto trap_error = [](TrapKind t, const char* where) {
    return Error{ErrorKind::Uninstantiable, 0, std::string(where) + ": " + trap_message(t), t};
  };
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (seg.mode != SegmentMode::Active) continue;
    const uint32_t offset = static_cast<uint32_t>(eval_const(m.offset_of(seg), *self));
    const TrapKind t =
        table_init(*self, static_cast<uint32_t>(s), seg.table, offset, 0, seg.num_items);
    if (t != TrapKind::None) return trap_error(t, "element segment");
    elem_drop(*self, static_cast<uint32_t>(s));
  }
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataSegment& seg = m.datas[s];
    if (seg.mode != SegmentMode::Active) continue;
    if (!data_from_image) {  // else the mapped image already holds every active segment
      const uint32_t offset = static_cast<uint32_t>(eval_const(seg.offset, *self));
      const TrapKind t = memory_init(*self, static_cast<uint32_t>(s), offset, 0, seg.data_size);
      if (t != TrapKind::None) return trap_error(t, "data segment");
    }
    data_drop(*self, static_cast<uint32_t>(s));
  }

  if (m.start) {
    CallResult r = call(self->func(*m.start), {});
    if (!r.ok()) {
      Error e{ErrorKind::Uninstantiable, 0, "start function: " + r.message, r.trap};
      if (start_trap != nullptr) *start_trap = std::move(r);
      return e;
    }
  }
  return self;
}

void Store::set_gas_limit(uint64_t limit) noexcept {
  exec_->gas_limit = limit;
  exec_->gas_left = limit;
  exec_->gas_external = 0;
}

uint64_t Store::gas_left() const noexcept { return exec_->gas_left; }

GasReport Store::gas_report() const noexcept {
  GasReport r;
  r.limit = exec_->gas_limit;
  r.remaining = exec_->gas_left;
  r.used_externally = exec_->gas_external;
  r.used_internally = r.limit - r.remaining - r.used_externally;
  return r;
}

TrapKind HostCall::trap(std::string message) const {
  store->exec().host_trap_message = std::move(message);
  return TrapKind::HostError;
}

TrapKind HostCall::charge(uint64_t gas) const noexcept {
  ExecContext& ctx = store->exec();
  if (gas > ctx.gas_left) {
    ctx.gas_external += ctx.gas_left;
    ctx.gas_left = 0;
    return TrapKind::OutOfGas;
  }
  ctx.gas_left -= gas;
  ctx.gas_external += gas;
  return TrapKind::None;
}

namespace {

struct WasmEntry {
  ExecContext* ctx;
  Func* func;
  TrapKind trap;
};

void enter_wasm(void* p) noexcept {
  WasmEntry& e = *static_cast<WasmEntry*>(p);
  e.ctx->native_stack_limit = e.ctx->native_stack.limit();
  e.trap = interp_run(*e.ctx, e.func);
}

}  // namespace

const Instance* Store::instance_with_code(const uint64_t* ip, const FuncCode** code) const noexcept {
  for (const std::unique_ptr<Instance>& instance : instances_) {
    for (const std::unique_ptr<FuncCode>& c : instance->module()->code) {
      if (!c->code.empty() && ip >= c->code.data() && ip <= c->code.data() + c->code.size()) {
        *code = c.get();
        return instance.get();
      }
    }
  }
  return nullptr;
}

const Instance* Store::instance_with_jit_code(uintptr_t pc, const FuncCode** code) const noexcept {
  for (const std::unique_ptr<Instance>& instance : instances_) {
    for (const std::unique_ptr<FuncCode>& c : instance->module()->code) {
      // osr_base: the code's start even when only OSR enters it (TierConfig::osr_only).
      const auto entry = reinterpret_cast<uintptr_t>(c->osr_base.load(std::memory_order_acquire));
      if (entry != 0 && pc >= entry && pc < entry + c->jit_size) {
        *code = c.get();
        return instance.get();
      }
    }
  }
  return nullptr;
}

namespace {

// Why `args` do not fit `type`, or "" if they do.
std::string argument_mismatch(const FuncType& type, const std::vector<Value>& args) {
  if (args.size() != type.params.size())
    return "wrong number of arguments: the function takes " + std::to_string(type.params.size()) +
           ", the call passed " + std::to_string(args.size());
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i].type != type.params[i])
      return "argument " + std::to_string(i) + " is " + val_type_name(args[i].type) +
             ", the function's parameter " + std::to_string(i) + " is " +
             val_type_name(type.params[i]);
  return {};
}

}  // namespace

CallResult Store::call(Func* func, const std::vector<Value>& args) {
  CallResult result;
  const FuncType& ft = *func->type;
  ExecContext& ctx = *exec_;
  std::string mismatch = argument_mismatch(ft, args);
  if (!mismatch.empty()) {
    result.trap = TrapKind::HostError;
    result.message = std::move(mismatch);
    return result;
  }
  if (ctx.depth == 0 && func->instance != nullptr)
    ctx.place_stack(value_stack_page_offset(*func->instance));
  const size_t slots = std::max(ft.params.size(), ft.results.size());
  if (ctx.sp + slots > ctx.stack_end) {
    result.trap = TrapKind::CallStackExhausted;
    result.message = trap_message(result.trap);
    return result;
  }
  uint64_t* base = ctx.sp;
  for (size_t i = 0; i < args.size(); ++i) base[i] = args[i].bits;
  TrapKind t;
  if (func->host) {
    // Host functions called by the embedder run directly, with no caller instance.
    std::vector<Value> results(ft.results.size());
    for (size_t i = 0; i < results.size(); ++i) results[i] = Value{ft.results[i], 0};
    HostCall hc{this, nullptr, func->host_data};
    t = func->host(hc, args.data(), results.data());
    if (t == TrapKind::None) result.results = std::move(results);
  } else {
    // Wasm runs on the store's own native stack, whatever the thread's: the
    // outermost call switches to it (a host function re-entering this store
    // is on it already and stays; entering another store switches to that
    // store's stack). If the OS refuses to map that stack (address space
    // exhausted), no wasm can run: the call has no stack to run on.
    WasmEntry entry{&ctx, func, TrapKind::None};
    // A host function may call in while a trace is being built for a trap
    // it is about to raise: this call's trace is its own.
    ctx.trace.clear();
    ctx.trace_omitted = 0;
    ctx.trace_level = UINT32_MAX;
    t = ctx.native_stack.run(&enter_wasm, &entry) ? entry.trap : TrapKind::CallStackExhausted;
    if (t == TrapKind::None) {
      result.results.reserve(ft.results.size());
      for (size_t i = 0; i < ft.results.size(); ++i)
        result.results.push_back(Value{ft.results[i], base[i]});
    } else {
      result.trace = std::move(ctx.trace);
      result.trace_omitted = ctx.trace_omitted;
    }
    ctx.trace.clear();
    ctx.trace_omitted = 0;
    ctx.trace_level = UINT32_MAX;
  }
  result.trap = t;
  if (t != TrapKind::None)
    result.message = t == TrapKind::HostError && !ctx.host_trap_message.empty()
                         ? std::move(ctx.host_trap_message)
                         : std::string(trap_message(t));
  ctx.host_trap_message.clear();
  return result;
}

}  // namespace wvm
