// hosts/evmc/evmc_abi.h against EVMC v12's own evmc.h: every struct size and
// alignment, field offset, size and type, callback signature, enum size and
// enumerator value listed in abi_layout_entries.def must be equal; and the
// header must lay things out the same when compiled as C.
#include <cstdio>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "tests/evmc/abi_layout.h"
#include "tests/evmc/abi_layout_c.h"

namespace wvm::evmc_abi_test {
namespace {

TEST(EvmcAbiLayout, MatchesEvmcHeader) {
  LayoutTable theirs;
  if (!their_layout(&theirs)) {
    GTEST_SKIP() << "EVMC's header not found at " WVM_EVMC_INCLUDE_DIR
                    "/evmc/evmc.h"
                    " (the shared/ folder or its evmc/ is absent; set -DWVM_SHARED_DIR=...):"
                    " layout not compared";
  }
  const LayoutTable ours = our_layout();
  // Both come from one list, so only the values can differ.
  ASSERT_EQ(ours.size(), theirs.size());
  std::string differing;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    ASSERT_EQ(ours[i].name, theirs[i].name);
    if (ours[i].value != theirs[i].value) {
      ADD_FAILURE() << ours[i].name << ": ours " << ours[i].value << ", EVMC's " << theirs[i].value;
      differing += "\n  " + ours[i].name;
    }
  }
  EXPECT_TRUE(differing.empty()) << "entries differing from EVMC's evmc.h:" << differing;
  std::printf("compared %zu entries with %s/evmc/evmc.h\n", ours.size(), WVM_EVMC_INCLUDE_DIR);
}

TEST(EvmcAbiLayout, CompiledAsCTheHeaderLaysOutTheSame) {
  std::map<std::string, std::string> cpp;
  for (const LayoutEntry& entry : our_layout())
    cpp[entry.name] = entry.value;
  ASSERT_GT(wvm_evmc_c_layout_count, 0u);
  for (std::size_t i = 0; i < wvm_evmc_c_layout_count; ++i) {
    const wvm_evmc_c_entry& entry = wvm_evmc_c_layout[i];
    auto it = cpp.find(entry.name);
    ASSERT_NE(it, cpp.end()) << entry.name;
    EXPECT_EQ(it->second, std::to_string(entry.value)) << entry.name << " in C";
  }
}

}  // namespace
}  // namespace wvm::evmc_abi_test
