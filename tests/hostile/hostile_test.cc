// Every hostile case in every tier gives its expected outcome, on a 256 KiB
// thread (outcomes must not depend on the embedder's stack). Budgets of time
// and memory are checked by bench/hostile_bench.cc, not here.
#include <gtest/gtest.h>

#include "tests/hostile/cases.h"

namespace wvm::hostile {
namespace {

struct Param {
  const Case* c;
  std::string tier;
};

std::vector<Param> params() {
  std::vector<Param> v;
  for (const Case& c : cases()) {
#ifdef WVM_HOSTILE_LIGHT_ONLY
    if (c.heavy) continue;  // listed by the hostile/not-run test instead
#endif
    for (const std::string& t : tiers()) v.push_back({&c, t});
  }
  return v;
}

void PrintTo(const Param& p, std::ostream* os) { *os << p.c->name << " in " << p.tier; }

class HostileTest : public ::testing::TestWithParam<Param> {};

TEST_P(HostileTest, GivesItsOutcome) {
  const Param& p = GetParam();
  const Observed o = run(*p.c, p.tier, 256 * 1024);
  EXPECT_TRUE(same_outcome(p.c->expected, o.outcome))
      << p.c->name << " (" << p.c->what << ") in " << p.tier << ": expected "
      << describe(p.c->expected) << ", got " << describe(o.outcome) << " [" << o.message << "]";
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileTest, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<Param>& info) {
                           std::string n = info.param.c->name + "_" + info.param.tier;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace wvm::hostile
