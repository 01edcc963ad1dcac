// The engine's canonical function types: equal types get equal ids, so a
// call_indirect type check or an import link is one compare.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "wvm/types.h"

namespace wvm {

/// Reference-counted interning of function types. Every holder of an id (a
/// module's type_ids entry, a host function) owns one reference and
/// releases it when it dies; a type with no references left is forgotten
/// and its id may be handed to another type. That is safe because any
/// object carrying an id (a Func, a table element's Func, tier-1 code with
/// the id as a constant) belongs to a module or host function that still
/// holds the reference. Thread-safe; shared by the engine and its modules,
/// so a module may outlive the engine.
class TypeRegistry {
 public:
  /// The id of `type`, taking one reference to it.
  uint32_t intern(const FuncType& type);
  /// Drops one reference to `id` (from intern()).
  void release(uint32_t id) noexcept;
  /// Types with at least one reference.
  size_t size() const;

 private:
  struct Entry {
    uint32_t refs = 0;
    const std::string* key = nullptr;  // the node in ids_ (stable across rehash)
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, uint32_t> ids_;  // type encoding -> id
  std::vector<Entry> entries_;                       // by id
  std::vector<uint32_t> free_ids_;                   // ids of forgotten types
};

}  // namespace wvm
