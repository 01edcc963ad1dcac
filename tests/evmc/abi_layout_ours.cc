// The EVMC interface as wvm declares it (hosts/evmc/evmc_abi.h).
#include "hosts/evmc/evmc_abi.h"

#include "tests/evmc/abi_layout.h"

namespace wvm::evmc_abi_test {

LayoutTable our_layout() {
  LayoutTable table;
#include "tests/evmc/abi_layout_entries.def"
  return table;
}

}  // namespace wvm::evmc_abi_test
