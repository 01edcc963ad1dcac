// Runtime objects, linking, instantiation and calls.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "engine/exec_context.h"
#include "engine/runtime_ops.h"
#include "tier0-interp/interp.h"
#include "wvm/wvm.h"

namespace wvm {

// ---------------------------------------------------------------- Memory

Memory::Memory(MemoryType type, uint32_t max_pages_limit) : type_(type) {
  uint64_t max = type.limits.has_max ? type.limits.max : 65536;
  max_pages_ = static_cast<uint32_t>(std::min<uint64_t>(max, max_pages_limit));
  if (type.limits.min > max_pages_) return;  // ok() reports the failure
  size_ = type.limits.min * kPageSize;
  if (size_ != 0) {
    data_ = static_cast<uint8_t*>(std::calloc(size_, 1));
    if (data_ == nullptr) size_ = 1;  // keeps ok() false
  }
}

Memory::~Memory() { std::free(data_); }

int64_t Memory::grow(uint32_t delta) noexcept {
  const uint64_t old_pages = size_ / kPageSize;
  if (delta == 0) return static_cast<int64_t>(old_pages);
  const uint64_t new_pages = old_pages + delta;
  if (new_pages > max_pages_) return -1;
  const uint64_t new_size = new_pages * kPageSize;
  auto* p = static_cast<uint8_t*>(std::realloc(data_, new_size));
  if (p == nullptr) return -1;
  std::memset(p + size_, 0, new_size - size_);
  data_ = p;
  size_ = new_size;
  return static_cast<int64_t>(old_pages);
}

Memory* HostCall::memory() const noexcept {
  if (caller == nullptr || caller->memories.empty()) return nullptr;
  return caller->memories[0];
}

// ---------------------------------------------------------------- Table

Table::Table(TableType type, uint32_t max_elements_limit, uint64_t init) : type_(type) {
  const uint64_t max = type.limits.has_max ? type.limits.max : 0xffffffffull;
  max_ = static_cast<uint32_t>(std::min<uint64_t>(max, max_elements_limit));
  elems_.assign(static_cast<size_t>(std::min<uint64_t>(type.limits.min, max_)), init);
}

int64_t Table::grow(uint32_t delta, uint64_t init) noexcept {
  const uint64_t old_size = elems_.size();
  const uint64_t new_size = old_size + delta;
  if (new_size > max_) return -1;
  elems_.resize(static_cast<size_t>(new_size), init);
  return static_cast<int64_t>(old_size);
}

// ---------------------------------------------------------------- Instance

Extern Instance::find_export(std::string_view name) const {
  for (const Export& e : module->exports) {
    if (e.name != name) continue;
    switch (e.kind) {
      case ExternKind::Func: return Extern::func(funcs[e.index]);
      case ExternKind::Table: return Extern::table(tables[e.index]);
      case ExternKind::Memory: return Extern::memory(memories[e.index]);
      case ExternKind::Global: return Extern::global(globals[e.index]);
    }
  }
  return Extern{};
}

// ---------------------------------------------------------------- Store

Store::Store(Engine& engine)
    : engine_(engine), exec_(std::make_unique<ExecContext>(*this, engine.config().runtime_limits)) {}

Store::~Store() = default;

Func* Store::create_host_func(FuncType type, HostFunc fn, void* user_data) {
  auto f = std::make_unique<Func>();
  f->host_type = std::move(type);
  f->type = &f->host_type;
  f->type_id = engine_.intern_type(f->host_type);
  f->host = fn;
  f->host_data = user_data;
  funcs_.push_back(std::move(f));
  return funcs_.back().get();
}

Memory* Store::create_memory(MemoryType type) {
  memories_.push_back(
      std::make_unique<Memory>(type, engine_.config().module_limits.max_memory_pages));
  return memories_.back().get();
}

Table* Store::create_table(TableType type, uint64_t init) {
  tables_.push_back(
      std::make_unique<Table>(type, engine_.config().module_limits.max_table_elements, init));
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
    case ConstExpr::Kind::GlobalGet: return inst.globals[e.index]->bits;
    case ConstExpr::Kind::RefNull: return 0;
    case ConstExpr::Kind::RefFunc: return reinterpret_cast<uint64_t>(inst.funcs[e.index]);
  }
  return 0;
}

}  // namespace

Result<Instance*> Store::instantiate(std::shared_ptr<const Module> module_ptr,
                                     const std::vector<Extern>& imports) {
  const Module& m = *module_ptr;
  if (imports.size() != m.imports.size())
    return link_error("expected " + std::to_string(m.imports.size()) + " imports, got " +
                      std::to_string(imports.size()));

  auto inst = std::make_unique<Instance>();
  inst->module = module_ptr;

  // Link imports: kinds, types and limits must match.
  for (size_t i = 0; i < imports.size(); ++i) {
    const Import& im = m.imports[i];
    const Extern& ex = imports[i];
    if (ex.ptr == nullptr) return link_error("unknown import " + import_name(im));
    if (ex.kind != im.kind)
      return link_error("incompatible import type for " + import_name(im) + ": expected " +
                        extern_kind_name(im.kind) + ", got " + extern_kind_name(ex.kind));
    switch (im.kind) {
      case ExternKind::Func: {
        Func* f = ex.as_func();
        if (f->type_id != m.type_ids[im.func_type])
          return link_error("incompatible import type for " + import_name(im) +
                            ": function signature differs");
        inst->funcs.push_back(f);
        break;
      }
      case ExternKind::Table: {
        Table* t = ex.as_table();
        if (t->type().elem != im.table.elem ||
            !limits_match(t->size(), t->type().limits.has_max, t->type().limits.max,
                          im.table.limits))
          return link_error("incompatible import type for " + import_name(im) + ": table");
        inst->tables.push_back(t);
        break;
      }
      case ExternKind::Memory: {
        Memory* mem = ex.as_memory();
        if (!limits_match(mem->pages(), mem->type().limits.has_max, mem->type().limits.max,
                          im.memory.limits))
          return link_error("incompatible import type for " + import_name(im) + ": memory");
        inst->memories.push_back(mem);
        break;
      }
      case ExternKind::Global: {
        Global* g = ex.as_global();
        if (g->type.type != im.global.type || g->type.mut != im.global.mut)
          return link_error("incompatible import type for " + import_name(im) + ": global");
        inst->globals.push_back(g);
        break;
      }
    }
  }

  // Allocate the module's own functions, tables, memories and globals. The
  // store owns the instance from now on, even if instantiation fails: an
  // element segment may already have put its functions into an imported table.
  Instance* self = inst.get();
  instances_.push_back(std::move(inst));
  for (uint32_t i = 0; i < m.bodies.size(); ++i) {
    auto f = std::make_unique<Func>();
    const uint32_t index = m.num_imported_funcs + i;
    f->type = &m.func_type(index);
    f->type_id = m.type_ids[m.func_types[index]];
    f->instance = self;
    f->code = m.code[i].get();
    f->func_index = index;
    self->funcs.push_back(f.get());
    funcs_.push_back(std::move(f));
  }
  for (size_t i = m.num_imported_tables; i < m.tables.size(); ++i)
    self->tables.push_back(create_table(m.tables[i], 0));
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    Memory* mem = create_memory(m.memories[i]);
    if (!mem->ok())
      return Error{ErrorKind::Uninstantiable, 0,
                   "cannot allocate memory of " + std::to_string(m.memories[i].limits.min) +
                       " pages",
                   TrapKind::None};
    self->memories.push_back(mem);
  }
  for (const GlobalDef& g : m.global_defs)
    self->globals.push_back(create_global(g.type, Value{g.type.type, eval_const(g.init, *self)}));

  // Evaluate element segments; passive ones stay available to table.init.
  self->elem_refs.resize(m.elems.size());
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (seg.mode == SegmentMode::Declarative) continue;  // dropped from the start
    std::vector<uint64_t>& refs = self->elem_refs[s];
    refs.reserve(seg.items.size());
    for (const ConstExpr& e : seg.items) refs.push_back(eval_const(e, *self));
  }
  self->data_dropped.assign(m.datas.size(), 0);

  // From here on effects are visible through imported tables and memories
  // even if a later step traps, as the spec requires.
  auto trap_error = [](TrapKind t, const char* where) {
    return Error{ErrorKind::Uninstantiable, 0, std::string(where) + ": " + trap_message(t), t};
  };
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemSegment& seg = m.elems[s];
    if (seg.mode != SegmentMode::Active) continue;
    const uint32_t offset = static_cast<uint32_t>(eval_const(seg.offset, *self));
    const TrapKind t = table_init(*self, static_cast<uint32_t>(s), seg.table, offset, 0,
                                  static_cast<uint32_t>(seg.items.size()));
    if (t != TrapKind::None) return trap_error(t, "element segment");
    elem_drop(*self, static_cast<uint32_t>(s));
  }
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataSegment& seg = m.datas[s];
    if (seg.mode != SegmentMode::Active) continue;
    const uint32_t offset = static_cast<uint32_t>(eval_const(seg.offset, *self));
    const TrapKind t = memory_init(*self, static_cast<uint32_t>(s), offset, 0, seg.data_size);
    if (t != TrapKind::None) return trap_error(t, "data segment");
    data_drop(*self, static_cast<uint32_t>(s));
  }

  if (m.start) {
    CallResult r = call(self->funcs[*m.start], {});
    if (!r.ok()) return trap_error(r.trap, "start function");
  }
  return self;
}

CallResult Store::call(Func* func, const std::vector<Value>& args) {
  CallResult result;
  const FuncType& ft = *func->type;
  bool args_ok = args.size() == ft.params.size();
  for (size_t i = 0; args_ok && i < args.size(); ++i) args_ok = args[i].type == ft.params[i];
  ExecContext& ctx = *exec_;
  const size_t slots = std::max(ft.params.size(), ft.results.size());
  if (!args_ok || ctx.sp + slots > ctx.stack_end) {
    result.trap = args_ok ? TrapKind::CallStackExhausted : TrapKind::HostError;
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
    t = interp_run(ctx, func);
    if (t == TrapKind::None) {
      result.results.reserve(ft.results.size());
      for (size_t i = 0; i < ft.results.size(); ++i)
        result.results.push_back(Value{ft.results[i], base[i]});
    }
  }
  result.trap = t;
  return result;
}

}  // namespace wvm
