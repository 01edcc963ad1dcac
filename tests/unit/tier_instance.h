// An engine and a store set up for one test tier (tier_config.h), tier 1
// required to compile every function: what execution tests that build their
// modules with the builder DSL instantiate them with.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "wvm/wvm.h"

namespace wvm::test {

class TierInstance {
 public:
  /// Instantiates `m` in a new engine set up for `tier` (any previous
  /// instance is gone); nullptr, the test failed, if it does not instantiate.
  Instance* instantiate(const ModuleBuilder& m, std::string_view tier) {
    Config c;
    apply_tier(c, tier);
    c.tiers.unsupported_is_fatal = true;
    store_.reset();  // before the engine it lives in
    engine_ = std::make_unique<Engine>(c);
    store_ = std::make_unique<Store>(*engine_);
    const Bytes b = m.build();
    auto mod = compile(*engine_, b.data(), b.size());
    EXPECT_TRUE(mod.ok()) << mod.error().to_string();
    if (!mod) return nullptr;
    auto inst = store_->instantiate(mod.value(), {});
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    return inst ? inst.value() : nullptr;
  }
  /// Calls export `name` of `inst`, which must return one value without a trap.
  Value call(Instance* inst, const std::string& name, const std::vector<Value>& args) {
    CallResult r = store_->call(inst->find_export(name).as_func(), args);
    EXPECT_TRUE(r.ok()) << name << ": " << trap_message(r.trap);
    EXPECT_EQ(r.results.size(), 1u) << name;
    return r.results.empty() ? Value{} : r.results[0];
  }

 private:
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Store> store_;
};

/// A tier as a test name part (gtest allows no '-').
inline std::string tier_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n;
}

}  // namespace wvm::test
