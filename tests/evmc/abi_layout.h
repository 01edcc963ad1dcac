// The table tests/evmc compares: one (name, value) entry per fact of the EVMC
// binary interface listed in abi_layout_entries.def, filled once from our
// hosts/evmc/evmc_abi.h and once from EVMC's evmc.h. The two headers declare
// the same names, so each is read in its own translation unit; this file
// names no EVMC type and includes neither.
//
// Each filling function includes abi_layout_entries.def in its body, where
// the macros below append to a LayoutTable named `table`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace wvm::evmc_abi_test {

struct LayoutEntry {
  std::string name;
  std::string value;
};
using LayoutTable = std::vector<LayoutEntry>;

/// The interface as hosts/evmc/evmc_abi.h declares it.
LayoutTable our_layout();
/// The interface as EVMC's header declares it; false (and nothing filled)
/// when this build did not find that header.
bool their_layout(LayoutTable* table);

// Internal linkage: each translation unit's instantiations stay its own,
// since the same type names mean different definitions in the two.
namespace {

// The compiler's spelling of T ("evmc_result (*)(evmc_vm*, ...)"), taken
// from the function signature GCC and Clang print as "... [with T = X]" or
// "... [T = X]": it keeps cv-qualifiers and names tags, which typeid drops
// or mangles.
template <typename T>
const char* raw_signature() {
  return __PRETTY_FUNCTION__;
}

template <typename T>
std::string type_name() {
  std::string_view text = raw_signature<T>();
  const std::size_t start = text.find("T = ") + 4;
  return std::string(text.substr(start, text.rfind(']') - start));
}

template <typename T, typename = void>
struct IsComplete : std::false_type {};
template <typename T>
struct IsComplete<T, decltype(void(sizeof(T)))> : std::true_type {};

inline void add(LayoutTable& table, std::string name, long long value) {
  table.push_back({std::move(name), std::to_string(value)});
}
inline void add(LayoutTable& table, std::string name, std::string value) {
  table.push_back({std::move(name), std::move(value)});
}

}  // namespace
}  // namespace wvm::evmc_abi_test

#define WVM_EVMC_STRUCT(T)                                         \
  add(table, "sizeof(" #T ")", static_cast<long long>(sizeof(T))); \
  add(table, "alignof(" #T ")", static_cast<long long>(alignof(T)));
#define WVM_EVMC_FIELD(T, f)                                                      \
  add(table, "offsetof(" #T ", " #f ")", static_cast<long long>(offsetof(T, f))); \
  add(table, "sizeof(" #T "::" #f ")", static_cast<long long>(sizeof(T::f)));     \
  add(table, "type of " #T "::" #f, type_name<decltype(T::f)>());
#define WVM_EVMC_OPAQUE(T) add(table, #T " is complete", IsComplete<T>::value ? 1LL : 0LL);
#define WVM_EVMC_TYPEDEF(T)                                        \
  add(table, "sizeof(" #T ")", static_cast<long long>(sizeof(T))); \
  add(table, "type of " #T, type_name<T>());
#define WVM_EVMC_ENUM(E)                                           \
  add(table, "sizeof(" #E ")", static_cast<long long>(sizeof(E))); \
  add(table, #E " is signed", std::is_signed_v<std::underlying_type_t<E>> ? 1LL : 0LL);
#define WVM_EVMC_ENUMERATOR(X) add(table, #X, static_cast<long long>(X));
