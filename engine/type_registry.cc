#include "engine/type_registry.h"

namespace wvm {

uint32_t TypeRegistry::intern(const FuncType& type) {
  // The key is the type's encoding: params, a separator no type uses, results.
  std::string key;
  key.reserve(type.params.size() + type.results.size() + 1);
  for (ValType t : type.params) key.push_back(static_cast<char>(t));
  key.push_back('\0');
  for (ValType t : type.results) key.push_back(static_cast<char>(t));
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = ids_.try_emplace(std::move(key), 0);
  if (inserted) {
    if (free_ids_.empty()) {
      it->second = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      it->second = free_ids_.back();
      free_ids_.pop_back();
    }
    entries_[it->second].key = &it->first;
  }
  ++entries_[it->second].refs;
  return it->second;
}

void TypeRegistry::release(uint32_t id) noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (id >= entries_.size() || entries_[id].refs == 0) return;
  Entry& e = entries_[id];
  if (--e.refs != 0) return;
  ids_.erase(ids_.find(*e.key));
  e.key = nullptr;
  free_ids_.push_back(id);
}

size_t TypeRegistry::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ids_.size();
}

}  // namespace wvm
