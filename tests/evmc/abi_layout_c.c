/*
 * hosts/evmc/evmc_abi.h compiled as C11: sizes, offsets and enumerator values
 * with the names abi_layout.h gives them, for comparison with the C++ view.
 * C has no spelling of a type to compare, so types are left to the C++ test.
 */
#include "hosts/evmc/evmc_abi.h"

#include "tests/evmc/abi_layout_c.h"

#define WVM_EVMC_STRUCT(T)                         \
  {"sizeof(" #T ")", (long long)sizeof(struct T)}, \
      {"alignof(" #T ")", (long long)_Alignof(struct T)},
#define WVM_EVMC_FIELD(T, f)                                      \
  {"offsetof(" #T ", " #f ")", (long long)offsetof(struct T, f)}, \
      {"sizeof(" #T "::" #f ")", (long long)sizeof(((struct T*)0)->f)},
#define WVM_EVMC_OPAQUE(T)
#define WVM_EVMC_TYPEDEF(T) {"sizeof(" #T ")", (long long)sizeof(T)},
#define WVM_EVMC_ENUM(E) {"sizeof(" #E ")", (long long)sizeof(enum E)},
#define WVM_EVMC_ENUMERATOR(X) {#X, (long long)(X)},

const struct wvm_evmc_c_entry wvm_evmc_c_layout[] = {
#include "tests/evmc/abi_layout_entries.def"
};
const size_t wvm_evmc_c_layout_count = sizeof(wvm_evmc_c_layout) / sizeof(wvm_evmc_c_layout[0]);
