// The EVMC interface as EVMC itself declares it: ../shared/evmc's evmc.h,
// on an include path that CMake gives this file alone (and defines
// WVM_EVMC_REAL_HEADER) when the header exists.
#include "tests/evmc/abi_layout.h"

#ifdef WVM_EVMC_REAL_HEADER
#include <evmc/evmc.h>
#endif

namespace wvm::evmc_abi_test {

#ifdef WVM_EVMC_REAL_HEADER
bool their_layout(LayoutTable* out) {
  LayoutTable table;
#include "tests/evmc/abi_layout_entries.def"
  *out = std::move(table);
  return true;
}
#else
bool their_layout(LayoutTable*) {
  return false;
}
#endif

}  // namespace wvm::evmc_abi_test
