// Binding a module's imports by module and field name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "wvm/wvm.h"

namespace wvm {

/// A set of named definitions ("module"."name" -> Extern) that a module's
/// imports are resolved against by name, instead of the positional vector
/// Store::instantiate takes. Definitions are plain references into stores:
/// the linker owns nothing, and one linker may serve many modules.
class Linker {
 public:
  /// Defines `module`.`name`; a later definition of the same name replaces it.
  void define(std::string_view module, std::string_view name, Extern value);
  /// Creates a host function in `store` and defines it as `module`.`name`.
  Func* define_func(Store& store, std::string_view module, std::string_view name, FuncType type,
                    HostFunction fn);
  /// Defines every export of `instance` under the module name `module`.
  void define_instance(std::string_view module, const Instance& instance);
  /// The definition of `module`.`name`, or an Extern with ptr == nullptr.
  Extern find(std::string_view module, std::string_view name) const;
  /// How many names are defined.
  size_t size() const noexcept { return defs_.size(); }

  /// The externs for `module`'s imports, in import order. Fails with
  /// Unlinkable naming every import that is not defined (with its type) or
  /// is defined as another kind of extern; types and limits are checked by
  /// Store::instantiate.
  Result<std::vector<Extern>> resolve(const Module& module) const;
  /// resolve() then Store::instantiate (start_trap as there).
  Result<Instance*> instantiate(Store& store, std::shared_ptr<const Module> module,
                                CallResult* start_trap = nullptr) const;

 private:
  static std::string key(std::string_view module, std::string_view name);
  std::map<std::string, Extern, std::less<>> defs_;
};

}  // namespace wvm
