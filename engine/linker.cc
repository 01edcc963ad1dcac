// wvm::Linker: imports resolved by name.
#include "wvm/linker.h"

namespace wvm {

namespace {

// How an import reads in a message: "env"."f" (func (i32) -> ()).
std::string describe_import(const Module& m, const Import& im) {
  std::string s = "\"" + im.module + "\".\"" + im.name + "\" (" + extern_kind_name(im.kind);
  if (im.kind == ExternKind::Func && im.func_type < m.types.size())
    s += " " + func_type_string(m.types[im.func_type]);
  return s + ")";
}

}  // namespace

std::string Linker::key(std::string_view module, std::string_view name) {
  // A NUL cannot end a module name early: the length prefix keeps keys apart.
  std::string k = std::to_string(module.size());
  k += ':';
  k += module;
  k += name;
  return k;
}

void Linker::define(std::string_view module, std::string_view name, Extern value) {
  defs_[key(module, name)] = value;
}

Func* Linker::define_func(Store& store, std::string_view module, std::string_view name,
                          FuncType type, HostFunction fn) {
  Func* f = store.create_host_func(std::move(type), std::move(fn));
  define(module, name, Extern::func(f));
  return f;
}

void Linker::define_instance(std::string_view module, const Instance& instance) {
  for (const Export& e : instance.module()->exports)
    define(module, e.name, instance.find_export(e.name));
}

Extern Linker::find(std::string_view module, std::string_view name) const {
  auto it = defs_.find(key(module, name));
  return it == defs_.end() ? Extern{} : it->second;
}

Result<std::vector<Extern>> Linker::resolve(const Module& module) const {
  std::vector<Extern> externs;
  externs.reserve(module.imports.size());
  std::string missing;
  size_t num_missing = 0;
  constexpr size_t kMaxNamed = 8;
  for (const Import& im : module.imports) {
    Extern ex = find(im.module, im.name);
    const char* problem = nullptr;
    if (ex.ptr == nullptr)
      problem = "not defined";
    else if (ex.kind != im.kind)
      problem = extern_kind_name(ex.kind);
    if (problem != nullptr) {
      if (++num_missing <= kMaxNamed) {
        if (!missing.empty()) missing += "; ";
        missing += describe_import(module, im);
        if (ex.ptr != nullptr) missing += std::string(" is defined as a ") + problem;
      }
      ex = Extern{};
    }
    externs.push_back(ex);
  }
  if (num_missing == 0) return externs;
  std::string message = num_missing == 1 ? "unknown import " : "unknown imports ";
  message += missing;
  if (num_missing > kMaxNamed)
    message += "; and " + std::to_string(num_missing - kMaxNamed) + " more";
  message += " (the linker defines " + std::to_string(defs_.size()) + " name" +
             (defs_.size() == 1 ? "" : "s") + ")";
  return Error{ErrorKind::Unlinkable, 0, std::move(message), TrapKind::None};
}

Result<Instance*> Linker::instantiate(Store& store, std::shared_ptr<const Module> module,
                                      CallResult* start_trap) const {
  Result<std::vector<Extern>> externs = resolve(*module);
  if (!externs) return externs.error();
  return store.instantiate(std::move(module), externs.value(), start_trap);
}

}  // namespace wvm
